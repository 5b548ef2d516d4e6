#!/bin/bash
# Run every suite and end with "N passed, N failed". Each suite speaks TAP
# (cmocka with CMOCKA_MESSAGE_OUTPUT=TAP, node's test runner, our checks);
# its log is kept in var/test/<suite>.log.
set -u
cd "$(dirname "$0")/.."
BUILD=${CAMPUS_BUILD:-build}
OUT=var/test
mkdir -p "$OUT"
passed=0
failed=0
failures=()

# run_tap NAME CMD...: count "ok" / "not ok" lines; a crash with no verdicts is one failure.
run_tap() {
	local name=$1
	shift
	local log="$OUT/$name.log"
	"$@" >"$log" 2>&1
	local rc=$?
	local ok notok
	ok=$(grep -cE '^ *ok [0-9]+' "$log")
	notok=$(grep -cE '^ *not ok [0-9]+' "$log")
	if [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; then
		notok=1
	fi
	passed=$((passed + ok))
	failed=$((failed + notok))
	if [ "$notok" -gt 0 ]; then
		failures+=("$name (see $log)")
		printf '%-34s %4d passed %4d FAILED\n' "$name" "$ok" "$notok"
	else
		printf '%-34s %4d passed\n' "$name" "$ok"
	fi
}

# PostgreSQL on loopback for the database suites.
PGDIR=$PWD/$OUT/pg
PGPORT=${CAMPUS_TEST_PGPORT:-55433}
PG_ADMIN=$(scripts/pgtest.sh start "$PGDIR" "$PGPORT") || { echo "PostgreSQL did not start"; cat "$PGDIR"/*.log; exit 1; }
SINK_PID=
MAIL_DIR=
trap '[ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null; [ -n "$MAIL_DIR" ] && rm -rf "$MAIL_DIR" "$MAIL_DIR"-later; scripts/pgtest.sh stop "$PGDIR"' EXIT
pg_db() { # a fresh database per suite
	psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
	echo "postgres://postgres@127.0.0.1:$PGPORT/$1"
}

# An SMTP sink on loopback for the suites that send e-mail: every message it
# receives becomes a file in $MAIL_DIR (tests/smtp-sink.mjs, npm smtp-server).
# A free port and a directory of this run's own, so two runs never mix mail;
# without a sink the mail suites start their own.
SMTP_PORT=${CAMPUS_TEST_SMTP_PORT:-$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')}
MAIL_DIR=$PWD/$OUT/smtp-$$
node tests/smtp-sink.mjs "$SMTP_PORT" "$MAIL_DIR" >"$OUT/smtp-sink.log" 2>&1 &
SINK_PID=$!
for _ in $(seq 100); do grep -q '^listening' "$OUT/smtp-sink.log" && break; sleep 0.1; done
MAIL_ENV=(CAMPUS_SMTP_URL="smtp://127.0.0.1:$SMTP_PORT" CAMPUS_MAIL_DIR="$MAIL_DIR")
if ! grep -q '^listening' "$OUT/smtp-sink.log"; then
	echo "SMTP sink did not start (the mail suites start their own):"
	cat "$OUT/smtp-sink.log"
	MAIL_ENV=(CAMPUS_MAIL_DIR=)
fi

run_tap checks scripts/checks.sh "$BUILD"

export CMOCKA_MESSAGE_OUTPUT=TAP
export CAMPUS_LOCALE_DIR="$BUILD/po"
for t in "$BUILD"/tests/unit/test_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	name=$(basename "$t")
	case "$name" in
	test_db | test_domain | test_audit | test_demo | test_import | test_totp | test_catalog | test_review | test_search | test_enrol)
		run_tap "$name-sqlite" env CAMPUS_TEST_DB="sqlite:$PWD/$OUT/$name.db" "$t"
		run_tap "$name-postgres" env CAMPUS_TEST_DB="$(pg_db "${name}_pg")" "$t"
		;;
	*) run_tap "$name" "$t" ;;
	esac
done

run_tap cli env CAMPUS_BIN="$BUILD/campus" tests/cli/test_cli.sh

if [ -x "$BUILD/tests/http/test_http" ]; then
	run_tap http-sqlite env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" \
		CAMPUS_TEST_DB="sqlite:$PWD/$OUT/http.db" "$BUILD/tests/http/test_http"
	run_tap http-postgres env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" \
		CAMPUS_TEST_DB="$(pg_db http_pg)" "$BUILD/tests/http/test_http"
fi
if [ -x "$BUILD/tests/http/test_import" ]; then
	rm -f "$OUT/import.db"*
	run_tap import-sqlite env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" \
		CAMPUS_TEST_DB="sqlite:$PWD/$OUT/import.db" "$BUILD/tests/http/test_import"
	run_tap import-postgres env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" \
		CAMPUS_TEST_DB="$(pg_db import_pg)" "$BUILD/tests/http/test_import"
fi
if [ -x "$BUILD/tests/http/test_offering" ]; then
	rm -f "$OUT/offering.db"*
	run_tap offering-sqlite env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" \
		CAMPUS_TEST_DB="sqlite:$PWD/$OUT/offering.db" "$BUILD/tests/http/test_offering"
	run_tap offering-postgres env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" \
		CAMPUS_TEST_DB="$(pg_db offering_pg)" "$BUILD/tests/http/test_offering"
fi
if [ -x "$BUILD/tests/http/test_api" ]; then
	rm -f "$OUT/api.db"*
	run_tap api-sqlite env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" \
		CAMPUS_TEST_DB="sqlite:$PWD/$OUT/api.db" "$BUILD/tests/http/test_api"
	run_tap api-postgres env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" \
		CAMPUS_TEST_DB="$(pg_db api_pg)" "$BUILD/tests/http/test_api"
fi
if [ -x "$BUILD/tests/http/test_auth" ]; then
	rm -f "$OUT/auth.db"*
	run_tap auth-sqlite env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" \
		CAMPUS_TEST_DB="sqlite:$PWD/$OUT/auth.db" "$BUILD/tests/http/test_auth"
	run_tap auth-postgres env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" \
		CAMPUS_TEST_DB="$(pg_db auth_pg)" "$BUILD/tests/http/test_auth"
fi
if [ -x "$BUILD/tests/http/test_totp" ]; then
	rm -f "$OUT/totp.db"*
	run_tap totp-http-sqlite env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" \
		CAMPUS_TEST_DB="sqlite:$PWD/$OUT/totp.db" "$BUILD/tests/http/test_totp"
	run_tap totp-http-postgres env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" \
		CAMPUS_TEST_DB="$(pg_db totp_pg)" "$BUILD/tests/http/test_totp"
fi
if [ -x "$BUILD/tests/http/test_mail" ]; then
	rm -f "$OUT/mail.db"*
	run_tap mail-sqlite env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" "${MAIL_ENV[@]}" \
		CAMPUS_TEST_DB="sqlite:$PWD/$OUT/mail.db" "$BUILD/tests/http/test_mail"
	run_tap mail-postgres env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" "${MAIL_ENV[@]}" \
		CAMPUS_TEST_DB="$(pg_db mail_pg)" "$BUILD/tests/http/test_mail"
fi

if [ -x "$BUILD/tests/http/test_review_pages" ]; then
	rm -f "$OUT/review.db"*
	run_tap review-pages-sqlite env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" "${MAIL_ENV[@]}" \
		CAMPUS_TEST_DB="sqlite:$PWD/$OUT/review.db" "$BUILD/tests/http/test_review_pages"
	run_tap review-pages-postgres env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" "${MAIL_ENV[@]}" \
		CAMPUS_TEST_DB="$(pg_db review_pages_pg)" "$BUILD/tests/http/test_review_pages"
fi
if [ -x "$BUILD/tests/http/test_aanbod" ]; then
	rm -f "$OUT/aanbod.db"*
	run_tap aanbod-http-sqlite env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" \
		CAMPUS_TEST_DB="sqlite:$PWD/$OUT/aanbod.db" "$BUILD/tests/http/test_aanbod"
	run_tap aanbod-http-postgres env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" \
		CAMPUS_TEST_DB="$(pg_db aanbod_pg)" "$BUILD/tests/http/test_aanbod"
fi

if [ -z "${SKIP_E2E:-}" ] && [ -f tests/e2e/run.mjs ]; then
	run_tap e2e env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" "${MAIL_ENV[@]}" \
		node --test --test-reporter=tap tests/e2e/
fi

if [ -z "${SKIP_FUZZ:-}" ]; then
	run_tap fuzz env FUZZ_SECONDS="${FUZZ_SECONDS:-8}" scripts/fuzz.sh
fi

echo
if [ ${#failures[@]} -gt 0 ]; then
	printf 'Failed: %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
