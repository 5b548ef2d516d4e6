#!/bin/bash
# The points benchmark (issue 6): PEOPLE learners (30,000) complete a
# recognised module and a provider's system registers it through
# POST /api/v1/provider/completions in calls of BATCH rows (1,000) over
# CONNECTIONS connections (2) against one `campus serve`; then what follows
# from it: the certificates (counted, and every one rendered as PDF with
# credential_pdf on PDF_THREADS threads: goal under a minute), the sector
# norm report (norm_sector_report: goal under 200 ms) and the re-evaluation
# of everyone's diplomas after a rule change (the "diploma.evaluate" jobs,
# run by `campus jobs run`). On SQLite and on PostgreSQL.
#
# Per backend:
#   1. points_prepare (not timed): a fresh database with MODULES modules
#      recognised through the review committee's steps, editions of SEATS
#      seats held a month ago, PEOPLE learners of 20 libraries each enrolled
#      on one, and an API key of the provider.
#   2. one server; points_push sends every enrolment as completed; then the
#      same calls again (all duplicates: the API is idempotent).
#   3. the check, in SQL: one completion, one ledger row and one certificate
#      per learner, every enrolment completed.
#   4. pdf_render, points_norm and the diploma jobs, each timed: a rule of
#      the bench's own (points_diploma, made before the push) is evaluated
#      for everyone the push queued, then changed (diploma_rule_save) and
#      everyone evaluated again.
# Each backend ends with one line
#   points: backend=sqlite completions=30000 api_rps=N certificates=30000 pdf_s=S pdf_per_s=R
#           norm_report_ms=M diploma_eval_s=S diploma_reeval_s=S
# ("-" for a skipped part), after a "points-<part>: ..." line per part.
# Exits 1 when the counts are wrong or a call failed.
#
# PostgreSQL: a throwaway cluster with the server's durable defaults in the
# temp dir on PG_PORT (default: a free port), or the empty database at
# BENCH_PG_URL.
#
# Run from anywhere after building:  bench/points.sh   (or make bench-points)
# Env: BACKENDS ("sqlite postgres"), PEOPLE (30000), MODULES (10), SEATS
# (250), BATCH (1000), CONNECTIONS (2), PDF_THREADS (2), PG_PORT,
# BENCH_PG_URL, CAMPUS_BIN (build/campus), BENCH_BIN (build/bench),
# KEEP_TMP=1 keeps the temp dir. CAMPUS_THREADS and the other CAMPUS_*
# settings reach campus as usual.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKENDS=${BACKENDS:-sqlite postgres}
PEOPLE=${PEOPLE:-30000}
MODULES=${MODULES:-10}
SEATS=${SEATS:-250}
BATCH=${BATCH:-1000}
CONNECTIONS=${CONNECTIONS:-2}
PDF_THREADS=${PDF_THREADS:-2}
BIN=${CAMPUS_BIN:-build/campus}
BENCH_BIN=${BENCH_BIN:-build/bench}
SQLITE3=${SQLITE3:-sqlite3}
export CAMPUS_LOCALE_DIR=${CAMPUS_LOCALE_DIR:-build/po}
unset CAMPUS_CONFIG CAMPUS_DB CAMPUS_LISTEN

die() { echo "bench-points: $*" >&2; exit 1; }
for n in PEOPLE MODULES SEATS BATCH CONNECTIONS PDF_THREADS; do
	case ${!n} in '' | 0 | *[!0-9]*) die "$n must be a whole number >= 1, not '${!n}'" ;; esac
done
[ "$BATCH" -le 5000 ] || die "BATCH must be at most 5000 (the API's limit)"
[ -x "$BIN" ] || die "no campus binary at $BIN (build first: make build)"
for b in points_prepare points_push; do
	[ -x "$BENCH_BIN/$b" ] || die "no $BENCH_BIN/$b (build first: make build)"
done
command -v curl >/dev/null || die "curl not found"
command -v "$SQLITE3" >/dev/null || die "sqlite3 not found (apt-get install sqlite3)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/campus-bench-points.XXXXXX")
chmod 755 "$TMP" # the PostgreSQL cluster below belongs to postgres when run as root
SERVER=
PG_DIR=
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

alive() { [ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null; }
stop_server() {
	local pid=$SERVER
	SERVER=
	[ -n "$pid" ] || return 0
	alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
	kill -TERM "$pid" 2>/dev/null || true
	for _ in $(seq 50); do
		alive "$pid" || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	stop_server
	if [ -n "$PG_DIR" ]; then
		as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
	fi
	if [ -n "${KEEP_TMP:-}" ]; then echo "bench-points: kept $TMP" >&2; else rm -rf "$TMP"; fi
	exit "$rc"
}
trap cleanup EXIT
trap 'echo "bench-points: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

port_in_use() {
	if command -v ss >/dev/null; then
		[ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ]
	else
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
	fi
}
free_port() {
	local p
	for _ in $(seq 200); do
		p=$((20000 + RANDOM % 40000))
		port_in_use "$p" || { echo "$p"; return 0; }
	done
	die "no free port found"
}
field() { sed -nE "s/.*(^| )$1=([^ ]*).*/\\2/p" <<<"$2"; }
now_ms() { date +%s%3N; }

start_pg() {
	if [ -n "${BENCH_PG_URL:-}" ]; then
		PG_URL=$BENCH_PG_URL
		return 0
	fi
	[ -n "$PG_BIN" ] || die "PostgreSQL server binaries not found (apt-get install postgresql)"
	local port=${PG_PORT:-$(free_port)}
	PG_DIR=$TMP/pg
	mkdir -p "$PG_DIR"
	[ "$(id -u)" = 0 ] && chown postgres "$PG_DIR"
	as_pg "$PG_BIN/initdb" -D "$PG_DIR/data" -A trust -U postgres -E UTF8 --no-locale \
		>"$TMP/initdb.log" 2>&1 || { cat "$TMP/initdb.log" >&2; die "initdb failed"; }
	as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
		-o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1" \
		start >/dev/null || { cat "$PG_DIR/server.log" >&2; die "PostgreSQL did not start"; }
	PG_URL="postgres://postgres@127.0.0.1:$port/postgres"
}

sql() { # sql BACKEND URL QUERY -> tab-separated rows
	if [ "$1" = sqlite ]; then
		"$SQLITE3" -batch -separator $'\t' "${2#sqlite:}" "$3"
	else
		psql -X -q -At -F $'\t' -d "$2" -c "$3"
	fi
}

FAILED=0
run_backend() { # run_backend NAME URL
	local name=$1 url=$2 line t0
	echo "bench-points: $name: preparing $PEOPLE learners on editions of $MODULES recognised modules"
	t0=$SECONDS
	line=$("$BENCH_BIN/points_prepare" "$url" "$TMP/$name.rows" "$PEOPLE" "$MODULES" "$SEATS" \
		2>"$TMP/$name-prepare.log") || { cat "$TMP/$name-prepare.log" >&2; die "$name: points_prepare failed"; }
	local token
	token=$(field token "$line")
	[ -n "$token" ] || die "$name: points_prepare said '$line'"
	echo "bench-points: $name: prepared in $((SECONDS - t0)) s: ${line/token=$token/token=...}"
	# A diploma rule of the bench's own (2 points within 12 months), so that
	# every completion is evaluated against it; its first evaluation of
	# everyone runs now, untimed.
	local rule
	rule=$(field rule "$("$BENCH_BIN/points_diploma" "$url" make)") || die "$name: points_diploma failed"
	"$BIN" --db "$url" jobs run >"$TMP/$name-jobs0.log" 2>&1 || die "$name: campus jobs run failed"

	# The push, against one server.
	local port
	port=$(free_port)
	CAMPUS_TMP_DIR=$TMP "$BIN" --db "$url" serve --listen "127.0.0.1:$port" >"$TMP/$name-serve.log" 2>&1 &
	SERVER=$!
	for _ in $(seq 150); do
		curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz" 2>/dev/null && break
		alive "$SERVER" || { cat "$TMP/$name-serve.log" >&2; die "$name: campus exited"; }
		sleep 0.1
	done
	echo "bench-points: $name: server pid $SERVER (threads ${CAMPUS_THREADS:-auto}); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"
	local push again cpu0 cpu1
	# The server's CPU time (user + system, in clock ticks) next to the wall
	# time: on a shared machine the rate alone says little.
	cpu0=$(awk '{ print $14 + $15 }' "/proc/$SERVER/stat")
	push=$("$BENCH_BIN/points_push" "$TMP/$name.rows" "$token" "http://127.0.0.1:$port" \
		-b "$BATCH" -c "$CONNECTIONS") || die "$name: points_push failed"
	cpu1=$(awk '{ print $14 + $15 }' "/proc/$SERVER/stat")
	local cpu_s
	cpu_s=$(awk -v t=$((cpu1 - cpu0)) -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.1f", t / hz }')
	echo "points-api: backend=$name ${push#points_push: } server_cpu_s=$cpu_s" \
		"cpu_ms_per_row=$(awk -v c="$cpu_s" -v n="$PEOPLE" 'BEGIN { printf "%.2f", c * 1000 / n }')" \
		"load=$(cut -d' ' -f1 /proc/loadavg)"
	again=$("$BENCH_BIN/points_push" "$TMP/$name.rows" "$token" "http://127.0.0.1:$port" \
		-b "$BATCH" -c "$CONNECTIONS") || die "$name: points_push (again) failed"
	echo "points-api-again: backend=$name ${again#points_push: }"
	alive "$SERVER" || die "$name: the server died (logs in $TMP, KEEP_TMP=1)"
	stop_server

	# The check.
	local check
	check=$(sql "$name" "$url" "SELECT
		(SELECT COUNT(*) FROM completions) || ' ' ||
		(SELECT COUNT(*) FROM points_ledger) || ' ' ||
		(SELECT COUNT(*) FROM credentials WHERE kind = 'certificate') || ' ' ||
		(SELECT COUNT(*) FROM enrolments WHERE state = 'completed') || ' ' ||
		(SELECT COUNT(DISTINCT person_id) FROM points_ledger)")
	local completions ledger certificates completed persons
	read -r completions ledger certificates completed persons <<<"$check"
	echo "points-check: backend=$name completions=$completions ledger_rows=$ledger certificates=$certificates enrolments_completed=$completed people_with_points=$persons"
	local bad=()
	[ "$(field accepted "$push")" = "$PEOPLE" ] || bad+=("accepted $(field accepted "$push"), want $PEOPLE")
	[ "$(field errors "$push")" = 0 ] || bad+=("$(field errors "$push") failed calls")
	[ "$(field duplicates "$again")" = "$PEOPLE" ] || bad+=("the second push: $(field duplicates "$again") duplicates, want $PEOPLE")
	for v in completions ledger certificates completed persons; do
		[ "${!v}" = "$PEOPLE" ] || bad+=("$v ${!v}, want $PEOPLE")
	done

	# Every certificate as PDF (pdf_render: credential_get + credential_pdf per thread).
	local pdf_s=- pdf_rate=- pdf
	if pdf=$("$BENCH_BIN/pdf_render" "$url" "$PEOPLE" "$PDF_THREADS"); then
		pdf_s=$(field seconds "$pdf")
		pdf_rate=$(awk -v n="$(field n "$pdf")" -v s="$pdf_s" 'BEGIN { printf "%.0f", (s > 0 ? n / s : 0) }')
	else
		bad+=("pdf_render failed")
	fi
	echo "points-pdf: backend=$name ${pdf#pdf: } per_s=$pdf_rate"

	# The sector norm report.
	local norm_ms=- norm
	if norm=$("$BENCH_BIN/points_norm" "$url" 5); then norm_ms=$(field median_ms "$norm"); else bad+=("points_norm failed"); fi
	echo "points-norm: backend=$name ${norm#points_norm: }"

	# Diplomas: the evaluations the push queued (one job per new ledger row),
	# then everyone again after the rule changes (diploma_rule_save).
	local eval_s=- reeval_s=-
	local queued t diplomas1 diplomas2 left
	queued=$(sql "$name" "$url" "SELECT COUNT(*) FROM jobs WHERE kind = 'diploma.evaluate' AND done_at IS NULL")
	t=$(now_ms)
	"$BIN" --db "$url" jobs run >"$TMP/$name-jobs1.log" 2>&1 || bad+=("campus jobs run failed")
	eval_s=$(awk -v ms=$(($(now_ms) - t)) 'BEGIN { printf "%.2f", ms / 1000 }')
	diplomas1=$(sql "$name" "$url" "SELECT COUNT(*) FROM credentials WHERE kind = 'diploma'")
	"$BENCH_BIN/points_diploma" "$url" change "$rule" >/dev/null || bad+=("points_diploma change failed")
	t=$(now_ms)
	"$BIN" --db "$url" jobs run >"$TMP/$name-jobs2.log" 2>&1 || bad+=("campus jobs run failed")
	reeval_s=$(awk -v ms=$(($(now_ms) - t)) 'BEGIN { printf "%.2f", ms / 1000 }')
	diplomas2=$(sql "$name" "$url" "SELECT COUNT(*) FROM credentials WHERE kind = 'diploma'")
	left=$(sql "$name" "$url" "SELECT COUNT(*) FROM jobs WHERE done_at IS NULL")
	echo "points-diploma: backend=$name jobs_after_push=$queued eval_s=$eval_s diplomas=$diplomas1" \
		"reeval_s=$reeval_s diplomas_after_change=$diplomas2 jobs_left=$left"
	[ "$left" = 0 ] || bad+=("$left jobs left undone")

	echo "points: backend=$name completions=$completions api_rps=$(field rps "$push")" \
		"certificates=$certificates pdf_s=$pdf_s pdf_per_s=$pdf_rate norm_report_ms=$norm_ms" \
		"diploma_eval_s=$eval_s diploma_reeval_s=$reeval_s"
	if [ ${#bad[@]} -gt 0 ]; then
		local b
		for b in "${bad[@]}"; do echo "bench-points: $name: FAILED: $b" >&2; done
		FAILED=1
	fi
}

for backend in $BACKENDS; do
	case $backend in
	sqlite) run_backend sqlite "sqlite:$TMP/campus.db" ;;
	postgres)
		command -v psql >/dev/null || die "psql not found (apt-get install postgresql)"
		start_pg
		run_backend postgres "$PG_URL"
		;;
	*) die "unknown backend '$backend' (sqlite, postgres)" ;;
	esac
done
exit "$FAILED"
