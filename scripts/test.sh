#!/bin/bash
# Run every suite and end with "N passed, N failed". Each suite speaks TAP
# (cmocka with CMOCKA_MESSAGE_OUTPUT=TAP, node's test runner, our checks);
# its log is kept in var/test/<suite>.log.
#
# The suites are found, not listed: every unit test in $BUILD/tests/unit (on
# SQLite and PostgreSQL when it reads CAMPUS_TEST_DB, else once), every HTTP
# suite in $BUILD/tests/http (on SQLite and PostgreSQL), the browser tests
# (tests/e2e/run.mjs), the fuzz targets, the CLI test and the static checks.
#
# They run as jobs, several at a time (CAMPUS_TEST_JOBS slots, default 4; the
# browser tests take two, though run.mjs runs three files at a time), the
# longest first. A job never shares a database, a port or an SMTP sink with another:
# each run gets its own SQLite file or PostgreSQL database, each server its
# own free port, each job that sends mail a sink of its own. The SQLite and
# PostgreSQL runs of one suite are one job, one after the other (a suite may
# keep files of its own under var/test/), except test_demo's: each checks a
# copy of that database's demo template and starts once it is built. Each
# job's lines are printed together when it ends, with the seconds it took.
#
# Env: CAMPUS_BUILD (build), CAMPUS_TEST_PGPORT (55433), CAMPUS_TEST_JOBS (4),
# E2E_JOBS (4), SKIP_E2E, SKIP_FUZZ, FUZZ_SECONDS (8).
set -u
cd "$(dirname "$0")/.."
BUILD=${CAMPUS_BUILD:-build}
OUT=var/test
SLOTS=${CAMPUS_TEST_JOBS:-4}
mkdir -p "$OUT"
JOBDIR=$(mktemp -d "$PWD/$OUT/jobs.XXXXXX")
T0=$SECONDS

# PostgreSQL on loopback for the database suites.
PGDIR=$PWD/$OUT/pg
PGPORT=${CAMPUS_TEST_PGPORT:-55433}
PG_ADMIN=$(scripts/pgtest.sh start "$PGDIR" "$PGPORT") || { echo "PostgreSQL did not start"; cat "$PGDIR"/*.log; exit 1; }
cleanup() {
	local p
	for p in $(jobs -p); do kill -- "$p" 2>/dev/null; done
	wait 2>/dev/null
	scripts/pgtest.sh stop "$PGDIR"
	rm -rf "$JOBDIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
pg_db() { # a fresh database per suite
	psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
	echo "postgres://postgres@127.0.0.1:$PGPORT/$1"
}

# ---- inside a job

# run_tap NAME CMD...: count "ok" / "not ok" lines; a crash with no verdicts
# is one failure. The verdict goes to the job's files ($JOB.out, $JOB.counts).
run_tap() {
	local name=$1
	shift
	local log="$OUT/$name.log" t=$SECONDS
	"$@" >"$log" 2>&1
	local rc=$?
	local ok notok
	ok=$(grep -cE '^ *ok [0-9]+' "$log")
	# cmocka writes a skipped test as "not ok N # SKIP": neither passed nor failed.
	notok=$(grep -E '^ *not ok [0-9]+' "$log" | grep -cv '# SKIP')
	if [ "$rc" -ne 0 ] && [ "$notok" -eq 0 ]; then
		notok=1
	fi
	echo "$ok $notok $name" >>"$JOB.counts"
	if [ "$notok" -gt 0 ]; then
		printf '%-34s %4d passed %4d FAILED %4ds\n' "$name" "$ok" "$notok" $((SECONDS - t)) >>"$JOB.out"
	else
		printf '%-34s %4d passed             %4ds\n' "$name" "$ok" $((SECONDS - t)) >>"$JOB.out"
	fi
}

# An SMTP sink of the job's own (tests/smtp-sink.mjs, npm smtp-server) on a
# free port: every message it receives becomes a file in its directory.
# Sets MAIL_ENV for the suites (CAMPUS_SMTP_URL, CAMPUS_MAIL_DIR); without a
# sink the mail suites start their own.
start_sink() {
	local dir="$PWD/$OUT/smtp-$1" log="$OUT/smtp-$1.log"
	rm -rf "$dir"
	node tests/smtp-sink.mjs 0 "$dir" >"$log" 2>&1 &
	SINK_PID=$!
	local port=
	for _ in $(seq 100); do
		port=$(sed -n 's/^listening \([0-9]*\)$/\1/p' "$log")
		[ -n "$port" ] && break
		sleep 0.1
	done
	if [ -n "$port" ]; then
		MAIL_ENV=(CAMPUS_SMTP_URL="smtp://127.0.0.1:$port" CAMPUS_MAIL_DIR="$dir")
	else
		echo "# SMTP sink did not start (the mail suites start their own): $(cat "$log")" >>"$JOB.out"
		MAIL_ENV=(CAMPUS_MAIL_DIR=)
	fi
}
stop_sink() {
	kill "$SINK_PID" 2>/dev/null
	wait "$SINK_PID" 2>/dev/null
	rm -rf "$PWD/$OUT/smtp-$1"
}

# A unit test: on both databases when it reads CAMPUS_TEST_DB.
unit_job() {
	local t=$1 name
	name=$(basename "$t")
	if grep -q CAMPUS_TEST_DB "$t"; then
		rm -f "$OUT/$name.db"*
		run_tap "$name-sqlite" env CAMPUS_TEST_DB="sqlite:$PWD/$OUT/$name.db" "$t"
		run_tap "$name-postgres" env CAMPUS_TEST_DB="$(pg_db "${name}_pg")" "$t"
	else
		run_tap "$name" "$t"
	fi
}

# The demo sector, built once per database for the run: the browser tests'
# servers start on copies of the SQLite one, and an HTTP suite that runs
# `campus demo` gets a copy of it (its own `campus demo` then finds people
# and builds nothing). Building it per suite cost a minute or more each on
# PostgreSQL once the demo had three years of points history.
# SQLite's first (~20 s): the browser tests, the longest job, need only it
# and start at once; PostgreSQL's (~1.5 min) meanwhile.
DEMO_SQLITE=$PWD/var/tpl/demo.db
DEMO_PG=demo_template
demo_template_sqlite() {
	rm -rf var/tpl
	mkdir -p var/tpl
	"$BUILD/campus" --db "sqlite:$DEMO_SQLITE" demo >var/tpl/demo-sqlite.log 2>&1
}
demo_template_pg() {
	pg_db "$DEMO_PG" >/dev/null
	"$BUILD/campus" --db "postgres://postgres@127.0.0.1:$PGPORT/$DEMO_PG" demo >var/tpl/demo-pg.log 2>&1
}

# A copy of the demo for a suite: the SQLite file (outside var/test/, which
# the suites empty) or a PostgreSQL database made from the template.
demo_copy_sqlite() {
	cp "$DEMO_SQLITE" "var/tpl/$1.db" && echo "sqlite:$PWD/var/tpl/$1.db"
}
demo_copy_pg() {
	psql -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -c "SET client_min_messages = warning" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1 TEMPLATE $DEMO_PG" >/dev/null
	echo "postgres://postgres@127.0.0.1:$PGPORT/$1"
}

# test_demo on a copy of one template (sqlite or postgres): it checks the
# sector the template's `campus demo` built, whose output CAMPUS_TEST_DEMO_BUILT
# names, instead of building the full sector again (the longest job of the
# run when it did, ~11 min of 15 on a busy machine). Run alone, or here when
# the template failed, it builds its own.
demo_test_job() {
	local t=$BUILD/tests/unit/test_demo
	if [ "$1" = sqlite ]; then
		rm -f var/tpl/test_demo.db*
		run_tap test_demo-sqlite env CAMPUS_TEST_DB="$(demo_copy_sqlite test_demo)" \
			CAMPUS_TEST_DEMO_BUILT="$PWD/var/tpl/demo-sqlite.log" "$t"
	else
		run_tap test_demo-postgres env CAMPUS_TEST_DB="$(demo_copy_pg test_demo_pg)" \
			CAMPUS_TEST_DEMO_BUILT="$PWD/var/tpl/demo-pg.log" "$t"
	fi
}

# An HTTP suite (its own campus server) on SQLite, then on PostgreSQL.
http_job() {
	local t=$1 x label
	x=$(basename "$t")
	x=${x#test_}
	if [ "$x" = http ]; then label=http; else label=${x//_/-}-http; fi
	local mail=()
	if grep -q CAMPUS_MAIL_DIR "$t"; then
		start_sink "$label"
		mail=("${MAIL_ENV[@]}")
	fi
	rm -f "$OUT/$label.db"*
	local lite pg
	if [ -n "$DEMO_READY" ] && grep -q '"demo"' "tests/http/test_$x.c" 2>/dev/null; then
		lite=$(demo_copy_sqlite "$label")
		pg=$(demo_copy_pg "http_${x}_pg")
	else
		lite="sqlite:$PWD/$OUT/$label.db"
		pg=$(pg_db "http_${x}_pg")
	fi
	run_tap "$label-sqlite" env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" "${mail[@]}" \
		CAMPUS_TEST_DB="$lite" "$t"
	run_tap "$label-postgres" env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" "${mail[@]}" \
		CAMPUS_TEST_DB="$pg" "$t"
	[ ${#mail[@]} -gt 0 ] && stop_sink "$label"
	return 0
}

e2e_job() {
	run_tap e2e env CAMPUS_BIN="$BUILD/campus" CAMPUS_LOCALE_DIR="$BUILD/po" E2E_JOBS="$1" \
		node tests/e2e/run.mjs --tap
}

# ---- the job pool

declare -A job_weight job_file
used=0
njobs=0
passed=0
failed=0
failures=()

# job WEIGHT NICENESS FUNCTION ARGS...: starts FUNCTION ARGS in the
# background, at that niceness, once WEIGHT slots are free (or nothing runs).
job() {
	local w=$1 ni=$2
	shift 2
	while [ "$used" -gt 0 ] && [ $((used + w)) -gt "$SLOTS" ]; do reap; done
	local f
	f=$JOBDIR/$(printf '%03d' "$njobs")
	njobs=$((njobs + 1))
	: >"$f.out"
	: >"$f.counts"
	(
		trap - EXIT INT TERM
		JOB=$f
		[ "$ni" -gt 0 ] && renice -n "$ni" -p "$BASHPID" >/dev/null
		"$@"
	) &
	job_weight[$!]=$w
	job_file[$!]=$f
	used=$((used + w))
}

# Waits for one job to end and prints its lines.
reap() {
	local pid= f
	wait -n -p pid
	[ -n "$pid" ] && [ -n "${job_file[$pid]:-}" ] || return 0
	f=${job_file[$pid]}
	used=$((used - job_weight[$pid]))
	unset "job_file[$pid]" "job_weight[$pid]"
	cat "$f.out"
	local ok notok name
	while read -r ok notok name; do
		passed=$((passed + ok))
		failed=$((failed + notok))
		[ "$notok" -gt 0 ] && failures+=("$name")
	done <"$f.counts"
}

export CMOCKA_MESSAGE_OUTPUT=TAP
export CAMPUS_LOCALE_DIR="$BUILD/po"

# Longest first, so that the short ones fill the gaps at the end. The
# browser tests, whose steps have time limits (90 s a test, 10 s a
# navigation), get the processor first: the other jobs run at niceness 5, the
# fuzz build and run at 10.
# The fuzz build needs no template: it starts while the templates are built.
# test_demo checks a copy of each template as soon as that is there, as its
# own job: the SQLite one beside the browser tests, the PostgreSQL one
# (~1.5 min later) in the next free slot.
if [ -z "${SKIP_FUZZ:-}" ]; then
	job 1 10 run_tap fuzz env FUZZ_SECONDS="${FUZZ_SECONDS:-8}" scripts/fuzz.sh
fi
demo_test=
[ -x "$BUILD/tests/unit/test_demo" ] && demo_test=1
DEMO_READY=
demo_sqlite_ok=
if demo_template_sqlite; then
	demo_sqlite_ok=1
	export E2E_DEMO_DB=$DEMO_SQLITE
fi
if [ -n "$demo_test" ] && [ -z "$demo_sqlite_ok" ]; then
	job 1 5 unit_job "$BUILD/tests/unit/test_demo" # builds its own, on both
	demo_test=
fi
# Four browser-test files at a time: they mostly wait (on the browser, the
# server, the job runner's ticks), and they are the longest job by far (with
# three, the whole run used 13 of the two cores' 30 CPU-minutes, and the
# browser tests' 790 s were its critical path).
E2E_JOBS=${E2E_JOBS:-4}
if [ -z "${SKIP_E2E:-}" ] && [ -f tests/e2e/run.mjs ]; then
	job "$([ "$E2E_JOBS" -gt 1 ] && echo 2 || echo 1)" 0 e2e_job "$E2E_JOBS"
fi
[ -n "$demo_test" ] && job 1 5 demo_test_job sqlite
# The unit tests need no template: while the PostgreSQL one is built (in the
# background, not in a slot), the free slots take them; those left follow the
# HTTP suites.
units=()
for t in "$BUILD"/tests/unit/test_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	[ "$(basename "$t")" = test_demo ] && continue
	units+=("$t")
done
tpl_pg=1
if [ -n "$demo_sqlite_ok" ]; then
	(
		trap - EXIT INT TERM
		demo_template_pg
		echo $? >"$JOBDIR/template-pg.rc"
	) &
	while [ ! -f "$JOBDIR/template-pg.rc" ] && [ ${#units[@]} -gt 0 ]; do
		if [ "$used" -lt "$SLOTS" ]; then
			job 1 5 unit_job "${units[0]}"
			units=("${units[@]:1}")
		else
			reap # returns when a job or the template ends
		fi
	done
	while [ ! -f "$JOBDIR/template-pg.rc" ]; do reap; done
	tpl_pg=$(cat "$JOBDIR/template-pg.rc")
fi
if [ "$tpl_pg" = 0 ]; then
	DEMO_READY=1
	[ -n "$demo_test" ] && job 1 5 demo_test_job postgres
else
	echo "# the demo templates could not be built (var/tpl/*.log); every suite builds its own"
	[ -n "$demo_test" ] && job 1 5 run_tap test_demo-postgres \
		env CAMPUS_TEST_DB="$(pg_db test_demo_pg)" "$BUILD/tests/unit/test_demo"
fi
# HTTP suites: the known long ones first, then the rest (new ones included).
http=()
for x in totp mail auth http offering review_pages aanbod; do
	[ -x "$BUILD/tests/http/test_$x" ] && http+=("$BUILD/tests/http/test_$x")
done
for t in "$BUILD"/tests/http/test_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	case " ${http[*]} " in *" $t "*) ;; *) http+=("$t") ;; esac
done
for t in "${http[@]}"; do job 1 5 http_job "$t"; done
for t in "${units[@]}"; do job 1 5 unit_job "$t"; done
job 1 5 run_tap cli env CAMPUS_BIN="$BUILD/campus" tests/cli/test_cli.sh
job 1 5 run_tap checks scripts/checks.sh "$BUILD"
while [ "$used" -gt 0 ]; do reap; done

echo
echo "all suites in $((SECONDS - T0)) s"
# What failed, with the lines around each "not ok" of its log: CI keeps only
# this output, not var/test/.
for name in "${failures[@]}"; do
	echo "Failed: $name (see $OUT/$name.log)"
	{ grep -n -B3 -A12 -m5 -E '^ *not ok [0-9]+' "$OUT/$name.log" || tail -n 20 "$OUT/$name.log"; } 2>/dev/null |
		tail -n 60 | sed 's/^/    /'
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
