#!/bin/bash
# The command line, as TAP: usage errors, unreachable databases, template
# rendering, audit verification. $CAMPUS_BIN (default build/campus).
set -u
BIN=${CAMPUS_BIN:-build/campus}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
n=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); echo "not ok $n - $1"; shift; for l in "$@"; do echo "# $l"; done; }
expect() { # expect DESCRIPTION WANT_RC GREP_PATTERN CMD...
	local what=$1 want=$2 pat=$3
	shift 3
	local out rc
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq "$want" ] && grep -qE -- "$pat" <<<"$out"; then ok "$what"; else fail "$what" "exit $rc (want $want)" "$out"; fi
}

expect "--version prints the version" 0 '^campus [0-9]+\.[0-9]+' "$BIN" --version
expect "--help shows the commands" 0 'serve \[--listen' "$BIN" --help
expect "an unknown flag is exit 2" 2 "unknown option '--frobnicate'" "$BIN" --frobnicate serve
expect "an unknown command is exit 2" 2 "unknown command 'fly'" "$BIN" fly
expect "a bad --listen is exit 2" 2 'not ADDR:PORT' "$BIN" --db "sqlite:$TMP/x.db" serve --listen localhost
expect "a bad --db scheme is exit 2" 2 'use sqlite:PATH or postgres://' "$BIN" --db mysql://x migrate
expect "a missing SQLite directory is exit 2" 2 'database' "$BIN" --db "sqlite:$TMP/no/such/dir/c.db" migrate
if [ ! -e "$TMP/no" ]; then ok "and nothing was created"; else fail "and nothing was created" "$TMP/no exists"; fi
expect "an unreachable PostgreSQL is exit 2, password not shown" 2 'database' \
	"$BIN" --db "postgres://campus:geheim@127.0.0.1:1/campus" migrate
out=$("$BIN" --db "postgres://campus:geheim@127.0.0.1:1/campus" migrate 2>&1)
if grep -q geheim <<<"$out"; then fail "the password stays out of the message" "$out"; else ok "the password stays out of the message"; fi
expect "a config file error names file and line" 2 "campus.conf:2: unknown setting" \
	bash -c "printf 'listen = 127.0.0.1:9\nkleur = rood\n' >'$TMP/campus.conf' && '$BIN' --config '$TMP/campus.conf' migrate"

printf 'Beste {{naam}},\n{{#modules}}- {{titel}}\n{{/modules}}{{{html}}}\n' >"$TMP/mail.mustache"
printf '{"naam":"<Fatima>","modules":[{"titel":"Leesbevordering"},{"titel":"AVG"}],"html":"<b>!</b>"}' >"$TMP/data.json"
expect "template render escapes {{x}} and keeps {{{x}}} raw" 0 '^Beste &lt;Fatima&gt;,' \
	"$BIN" template render "$TMP/mail.mustache" --data "$TMP/data.json"
out=$("$BIN" template render "$TMP/mail.mustache" --data "$TMP/data.json" 2>&1)
want=$'Beste &lt;Fatima&gt;,\n- Leesbevordering\n- AVG\n<b>!</b>'
if [ "$out" = "$want" ]; then ok "template render output is exact"; else fail "template render output is exact" "$out"; fi
printf 'Hallo\n{{#a}}\nnooit dicht\n' >"$TMP/bad.mustache"
expect "a bad template gives file:line" 1 "bad.mustache:2: " "$BIN" template render "$TMP/bad.mustache" --data "$TMP/data.json"
printf '{"naam": }' >"$TMP/bad.json"
expect "bad JSON data gives file:line:column" 1 "bad.json:1:" "$BIN" template render "$TMP/mail.mustache" --data "$TMP/bad.json"
mkdir -p "$TMP/partials" && printf 'Groet, {{afzender}}' >"$TMP/partials/groet.mustache"
printf '{{>groet}}' >"$TMP/p.mustache" && printf '{"afzender":"Campus"}' >"$TMP/p.json"
expect "template render with --partials" 0 '^Groet, Campus$' "$BIN" template render "$TMP/p.mustache" --data "$TMP/p.json" --partials "$TMP/partials"

DB="sqlite:$TMP/campus.db"
expect "migrate creates and migrates a new database" 0 '' "$BIN" --db "$DB" migrate
expect "migrate again changes nothing" 0 '' "$BIN" --db "$DB" migrate
expect "an empty audit log verifies" 0 'intact: 0 rows' "$BIN" --db "$DB" audit verify

expect "org add" 0 'organisation [0-9]+ added: /b/bibliotheek-gouda/' \
	"$BIN" --db "$DB" org add bibliotheek-gouda "Bibliotheek Gouda" --kind library --place Gouda --province Zuid-Holland
expect "org add refuses a taken slug" 1 'already exists' \
	"$BIN" --db "$DB" org add bibliotheek-gouda "Nog een" --kind library
expect "org add refuses a bad kind" 2 'invalid value' "$BIN" --db "$DB" org add x-y "X" --kind school
expect "org add refuses a bad slug" 2 'invalid value' "$BIN" --db "$DB" org add "Gouda Stad" "X" --kind library
expect "user add with organisation, roles and a password from stdin" 0 'added to Bibliotheek Gouda' \
	bash -c "echo 'Een lange zin als wachtwoord' | '$BIN' --db '$DB' user add Anne.de.Boer@Gouda.nl 'Anne de Boer' --org bibliotheek-gouda --roles learner,manager --password-stdin"
expect "user add refuses a known address (any case)" 1 'already exists' \
	"$BIN" --db "$DB" user add anne.de.boer@gouda.nl "Anne"
expect "user add refuses a malformed address" 2 'invalid value' "$BIN" --db "$DB" user add "geen adres" "X"
expect "user add refuses an unknown role" 2 "unknown role" "$BIN" --db "$DB" user add a@b.nl "A" --roles koning
expect "user passwd refuses a short password" 2 'minstens 12 tekens' \
	bash -c "echo kort | '$BIN' --db '$DB' user passwd anne.de.boer@gouda.nl"
expect "user passwd sets a new one" 0 'sessions have ended' \
	bash -c "echo 'Nog een lange zin als wachtwoord' | '$BIN' --db '$DB' user passwd anne.de.boer@gouda.nl"
expect "user roles changes the roles" 0 'roles learner' "$BIN" --db "$DB" user roles anne.de.boer@gouda.nl bibliotheek-gouda learner --kind volunteer
expect "user roles for an unknown person" 1 'not found' "$BIN" --db "$DB" user roles niemand@gouda.nl bibliotheek-gouda learner
expect "every change was audited and the chain holds" 0 'intact: [6-9] rows' "$BIN" --db "$DB" audit verify
expect "backup writes a copy" 0 'backup written' "$BIN" --db "$DB" backup "$TMP/copy.db"
n_people=$(python3 -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from people').fetchone()[0])" "$TMP/copy.db" 2>&1)
if [ "$n_people" = 1 ] && [ ! -e "$TMP/copy.db.partial" ]; then ok "the copy holds the data and no partial file"; else fail "the copy holds the data and no partial file" "$n_people"; fi
expect "the copy verifies on its own" 0 'intact' "$BIN" --db "sqlite:$TMP/copy.db" audit verify
expect "backup into a missing directory fails cleanly" 1 'backup:' "$BIN" --db "$DB" backup "$TMP/nope/copy.db"
expect "jobs run on an empty queue" 0 '^jobs done: 0, failed \(will retry\): 0, given up: 0; waiting: 0' \
	"$BIN" --db "$DB" jobs run
expect "jobs with another verb is exit 2" 2 "jobs: expected 'run" "$BIN" --db "$DB" jobs start
python3 - "$TMP/campus.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("INSERT INTO jobs (kind, payload, run_at) VALUES ('diploma.evaluate', '{\"rule_id\": 1}', 0)")
c.execute("INSERT INTO jobs (kind, payload, run_at) VALUES ('diploma.evaluate', '{\"rule\": 1}', 0)")
c.commit()
PY
expect "jobs run runs a rule's evaluation and gives up on a bad payload" 0 \
	'^jobs done: 1, failed \(will retry\): 0, given up: 1; waiting: 0, given up in all: 1' "$BIN" --db "$DB" jobs run
python3 - "$TMP/campus.db" <<'PY'
import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
c.execute("INSERT INTO audit_log (at, action, result, prev_hash, hash) VALUES (1, 'login', 'ok', '0', 'forged')")
c.commit()
PY
expect "audit verify names a forged row" 1 'BROKEN at row [0-9]+: prev_hash' "$BIN" --db "$DB" audit verify
echo "1..$n"
