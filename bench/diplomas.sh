#!/bin/bash
# Re-evaluation of every diploma rule for everyone after a rule change
# (issue 6), as `make bench-points` needs it: each active rule gets the
# {"rule_id": N} job a change queues, and `campus jobs run` is timed.
#
#   1. The database: DB (sqlite:PATH or postgres://...) as it is, or a fresh
#      `campus demo` (30,000 people) in a temp dir. Not timed.
#   2. When its ledger is empty: ROWS synthetic 'pe' rows per person
#      (default 12) of 2-8 points over the last three years, each in one
#      domain, most in the person's "own" domain, with their completions
#      (plain SQL, not timed), so a share of people meets each rule.
#   3. Timed, with `campus jobs run --kind ...`: the first evaluation (finds
#      who meets each rule and issues their diplomas: credential, listed
#      completions, notification, an e-mail job each), the e-mail jobs (a
#      PDF rendered and attached per diploma), and a second evaluation
#      (everyone again, nothing new to issue: the pure evaluation cost).
# Ends with one line
#   diplomas: backend=sqlite people=N rules=5 issued=N evaluate_s=N.NN mail_s=N.NN again_s=N.NN ...
#
# Run from the repository root after building:  bench/diplomas.sh
# Env: DB, ROWS (12), CAMPUS_BIN (build/campus), MAIL (1; 0 leaves the
# e-mail jobs out: their cost is the PDFs', which bench/points.sh measures).
set -eu
BIN=${CAMPUS_BIN:-build/campus}
ROWS=${ROWS:-12}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ -z "${DB:-}" ]; then
	DB="sqlite:$tmp/bench.db"
	"$BIN" --db "$DB" demo >"$tmp/demo.log" 2>&1 || { cat "$tmp/demo.log"; exit 1; }
fi
case "$DB" in
sqlite:*) backend=sqlite; sql() { sqlite3 -batch -noheader "${DB#sqlite:}" "$@"; } ;;
postgres*) backend=postgres; sql() { psql -qAtX -v ON_ERROR_STOP=1 "$DB" -c "$@"; } ;;
*) echo "DB must be sqlite:PATH or postgres://..." >&2; exit 2 ;;
esac
now=$(date +%s)

if [ "$(sql "SELECT COUNT(*) FROM points_ledger")" = 0 ]; then
	if [ $backend = sqlite ]; then
		series="WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < $ROWS) "
		rnd="abs(random())"
		year="CAST(strftime('%Y', completed_at, 'unixepoch') AS INTEGER)"
	else
		series="WITH k(n) AS (SELECT generate_series(1, $ROWS)) "
		rnd="CAST(floor(random() * 2147483647) AS BIGINT)"
		year="CAST(extract(year FROM to_timestamp(completed_at)) AS INTEGER)"
	fi
	sql "${series}INSERT INTO completions (person_id, title, source, evidence_key, points_tenths,
	     completed_at, registered_at)
	     SELECT p.id, 'Bench', 'demo', 'bench:' || p.id || ':' || k.n, 20 + $rnd % 61,
	            $now - 3600 - $rnd % (3 * 365 * 86400), $now FROM people p, k"
	sql "INSERT INTO points_ledger (person_id, kind, points_tenths, completion_id, title, source,
	     year, earned_at, registered_at)
	     SELECT person_id, 'pe', points_tenths, id, title, 'demo', $year, completed_at, registered_at
	     FROM completions WHERE evidence_key LIKE 'bench:%'"
	sql "INSERT INTO points_ledger_domains (ledger_id, domain_id)
	     SELECT l.id, d.id FROM points_ledger l JOIN tax_domains d
	     ON d.position = 1 + CASE WHEN l.id % 4 = 0 THEN (l.id / 4) % 3 ELSE l.person_id % 3 END
	     WHERE l.title = 'Bench'"
fi
people=$(sql "SELECT COUNT(DISTINCT person_id) FROM points_ledger")
# What a rule change queues, for every active rule.
queue() {
	sql "DELETE FROM jobs WHERE done_at IS NULL"
	sql "INSERT INTO jobs (kind, payload, run_at)
	     SELECT 'diploma.evaluate', '{\"rule_id\": ' || id || '}', 0 FROM diploma_rules WHERE active"
}
rules=$(sql "SELECT COUNT(*) FROM diploma_rules WHERE active")
before=$(sql "SELECT COUNT(*) FROM credentials WHERE kind = 'diploma'")
timed() {
	local t0 t1
	t0=$(date +%s.%N)
	"$BIN" --db "$DB" jobs run --kind "$1" >"$tmp/run.log" 2>&1 || { cat "$tmp/run.log" >&2; return 1; }
	t1=$(date +%s.%N)
	echo "$t1 - $t0" | bc -l
}
queue
first=$(timed diploma.evaluate) || exit 1
issued=$(( $(sql "SELECT COUNT(*) FROM credentials WHERE kind = 'diploma'") - before ))
mail=0
if [ "${MAIL:-1}" != 0 ]; then mail=$(timed diploma.mail) || exit 1; fi
queue
again=$(timed diploma.evaluate) || exit 1
printf 'diplomas-detail: %s\n' "$(tail -1 "$tmp/run.log")"
printf 'diplomas: backend=%s people=%s rules=%s issued=%s evaluate_s=%.2f mail_s=%.2f again_s=%.2f ' \
	"$backend" "$people" "$rules" "$issued" "$first" "$mail" "$again"
mails_per_s=-
[ "${MAIL:-1}" != 0 ] && mails_per_s=$(printf '%.0f' "$(echo "$issued / ($mail + 0.001)" | bc -l)")
printf 'issued_per_s=%.0f mails_per_s=%s people_rules_per_s=%.0f\n' \
	"$(echo "$issued / $first" | bc -l)" "$mails_per_s" "$(echo "$people * $rules / $again" | bc -l)"
