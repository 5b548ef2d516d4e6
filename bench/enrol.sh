#!/bin/bash
# The enrolment storm (issue 5): LEARNERS different learners (5,000) enrol in
# one edition of SEATS seats (500) over CONNECTIONS keep-alive connections
# (64), spread over two `campus serve` processes on the same database; on
# SQLite and on PostgreSQL. Every learner posts exactly once.
#
# Per backend:
#   1. enrol_prepare (not timed): a fresh database with a provider, a
#      published module, the edition (no approval, no budget, free), 20
#      libraries and the learners, each with a logged-in session and its
#      CSRF token (through the domain functions, no argon2id log-ins).
#   2. two servers on free loopback ports; enrol_storm posts
#      POST /uitvoeringen/<id>/inschrijven (csrf_token, session cookie), the
#      connections alternating between the servers; success is 303.
#   3. the servers stop; commit_rate measures the raw durable commit rate of
#      the same database (single-row INSERT transactions: SQLite WAL with
#      synchronous=FULL, PostgreSQL with synchronous_commit on) over 1 and over
#      CONNECTIONS connections, RAW_SECONDS each.
#   4. the check, in SQL: exactly SEATS enrolled and LEARNERS - SEATS
#      waitlisted, nobody twice, waitlist positions distinct,
#      editions.seats_taken = SEATS, every answer a 303 to
#      /mijn/leren?inschrijving=<that learner's enrolment>, and arrival
#      order: along every connection a later request never got an earlier
#      place (enrolled before waitlisted, positions increasing), and across
#      all of them no request that was answered before another was sent
#      got a later place than that one.
# Each backend ends with one line
#   enrol: backend=sqlite enrolled=500 waitlisted=4500 errors=0 rps=N raw_commit_rps=N ratio=0.NN p99_ms=N
# where ratio = rps / raw_commit_rps at the same concurrency (CONNECTIONS);
# the line "enrol-detail: ..." before it has the 1-connection figure and
# the rest. The goal is ratio >= 0.7; the script reports it and exits 1 only
# when the counts or the order are wrong or there are errors.
#
# PostgreSQL: a throwaway cluster with the server's durable defaults (fsync
# on, unlike scripts/pgtest.sh) in the temp dir on PG_PORT (default: a free
# port), or the empty database at BENCH_PG_URL.
#
# Run from anywhere after building:  bench/enrol.sh   (or make bench-enrol)
# Env: BACKENDS ("sqlite postgres"), LEARNERS (5000), SEATS (500),
# CONNECTIONS (64), RAW_SECONDS (10), PG_PORT, BENCH_PG_URL, CAMPUS_BIN
# (build/campus), BENCH_BIN (build/bench), KEEP_TMP=1 keeps the temp dir.
# PG_STATS=1 (the script's own cluster only): pg_stat_statements over the
# storm alone, statements per enrolment in <TMP>/postgres-statements.tsv
# and one line "enrol-statements: ..." (keep it with KEEP_TMP=1).
# CAMPUS_THREADS and the other CAMPUS_* settings reach campus as usual.
set -euo pipefail
cd "$(dirname "$0")/.."

BACKENDS=${BACKENDS:-sqlite postgres}
LEARNERS=${LEARNERS:-5000}
SEATS=${SEATS:-500}
CONNECTIONS=${CONNECTIONS:-64}
RAW_SECONDS=${RAW_SECONDS:-10}
BIN=${CAMPUS_BIN:-build/campus}
BENCH_BIN=${BENCH_BIN:-build/bench}
SQLITE3=${SQLITE3:-sqlite3}
export CAMPUS_LOCALE_DIR=${CAMPUS_LOCALE_DIR:-build/po}
# A request that enrols blocks its thread on the database and on its
# edition's batch (src/domain/enrol_queue.c): with one thread per core a
# process has only that many enrolments in flight and almost nothing to
# share a commit with. One thread per connection the storm opens to it.
export CAMPUS_THREADS=${CAMPUS_THREADS:-$(((CONNECTIONS + 1) / 2))}
unset CAMPUS_CONFIG CAMPUS_DB CAMPUS_LISTEN

die() { echo "bench-enrol: $*" >&2; exit 1; }
for n in LEARNERS SEATS CONNECTIONS RAW_SECONDS; do
	case ${!n} in '' | 0 | *[!0-9]*) die "$n must be a whole number >= 1, not '${!n}'" ;; esac
done
[ "$SEATS" -le "$LEARNERS" ] || die "SEATS ($SEATS) must not exceed LEARNERS ($LEARNERS)"
[ -x "$BIN" ] || die "no campus binary at $BIN (build first: make build)"
for b in enrol_prepare enrol_storm commit_rate; do
	[ -x "$BENCH_BIN/$b" ] || die "no $BENCH_BIN/$b (build first: make build; enrol_prepare needs src/domain/edition.c)"
done
command -v curl >/dev/null || die "curl not found"
command -v "$SQLITE3" >/dev/null || die "sqlite3 not found (apt-get install sqlite3)"

TMP=$(mktemp -d "${TMPDIR:-/tmp}/campus-bench-enrol.XXXXXX")
chmod 755 "$TMP" # the PostgreSQL cluster below belongs to postgres when run as root
PIDS=()
PG_DIR=
PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

alive() { # a running process, not a zombie waiting for us
	[ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}
stop_pid() { # stop_pid PID: SIGTERM, wait up to 5 s, then SIGKILL
	local pid=$1
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
stop_servers() {
	local pid
	for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
	PIDS=()
}
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	stop_servers
	if [ -n "$PG_DIR" ]; then
		as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1 || true
	fi
	if [ -n "${KEEP_TMP:-}" ]; then
		echo "bench-enrol: kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'echo "bench-enrol: interrupted" >&2; exit 130' INT
trap 'exit 143' TERM

port_in_use() {
	if command -v ss >/dev/null; then
		[ -n "$(ss -Htln "sport = :$1" 2>/dev/null)" ]
	else
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
	fi
}
TAKEN=" "
free_port() {
	local p
	for _ in $(seq 200); do
		p=$((20000 + RANDOM % 40000))
		case $TAKEN in *" $p "*) continue ;; esac
		port_in_use "$p" || { TAKEN="$TAKEN$p "; echo "$p"; return 0; }
	done
	die "no free port found"
}
wait_http() { # wait_http URL PID NAME LOG
	for _ in $(seq 150); do
		if curl -fsS -o /dev/null --max-time 1 "$1" 2>/dev/null; then return 0; fi
		alive "$2" || { sleep 0.5; cat "$4" >&2; die "$3 exited before it answered"; }
		sleep 0.1
	done
	cat "$4" >&2
	die "$3 did not answer $1 within 15 s"
}
# CPU time (clock ticks) of a process, with its reaped children and, for
# the PostgreSQL postmaster, its live children (backends, WAL writer...).
cpu_ticks() {
	local pid=$1 total=0 c
	[ -r "/proc/$pid/stat" ] || { echo 0; return 0; }
	total=$(awk '{ sub(/^.*\) /, ""); print $12 + $13 + $14 + $15 }' "/proc/$pid/stat")
	for c in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do
		total=$((total + $(awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$c/stat" 2>/dev/null || echo 0)))
	done
	echo "$total"
}
pg_postmaster() { # the cluster's postmaster pid, or nothing
	[ -n "$PG_DIR" ] && head -n 1 "$PG_DIR/data/postmaster.pid" 2>/dev/null || true
}
field() { # field NAME LINE -> the value of NAME=value in LINE
	sed -nE "s/.*(^| )$1=([^ ]*).*/\\2/p" <<<"$2"
}

# ---- PostgreSQL: durable defaults, in the temp dir ----
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
	# fsync, full_page_writes and synchronous_commit stay at their (durable)
	# defaults; room for the raw rate's connections plus both servers' pools.
	local stats=
	[ -z "${PG_STATS:-}" ] || stats="-c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_utility=on"
	as_pg "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
		-o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=$((CONNECTIONS + 100)) $stats" \
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

# Two `campus serve` on free ports: their URLs in BASES, pids in PIDS.
start_servers() { # start_servers NAME URL LOG-TAG
	local i p pid
	BASES=()
	for i in 1 2; do
		p=$(free_port)
		CAMPUS_TMP_DIR=$TMP "$BIN" --db "$2" serve --listen "127.0.0.1:$p" \
			>"$TMP/$1-$3-$i.log" 2>&1 &
		pid=$!
		PIDS+=("$pid")
		wait_http "http://127.0.0.1:$p/healthz" "$pid" "campus $i ($1)" "$TMP/$1-$3-$i.log"
		BASES+=("http://127.0.0.1:$p")
	done
}

FAILED=0
run_backend() { # run_backend NAME URL
	local name=$1 url=$2 out line
	# The raw rate before and after the storm (the disk is shared: the
	# higher of the two counts, which can only lower the ratio). Before the
	# preparation, so that the storm follows the log-ins within a minute.
	local raw_before
	raw_before=$("$BENCH_BIN/commit_rate" "$url" "$CONNECTIONS" "$RAW_SECONDS" FULL) ||
		die "$name: commit_rate failed"

	echo "bench-enrol: $name: preparing $LEARNERS learners, one edition of $SEATS seats"
	local t0=$SECONDS
	line=$("$BENCH_BIN/enrol_prepare" "$url" "$TMP/$name.sessions" "$LEARNERS" "$SEATS" \
		2>"$TMP/$name-prepare.log") || { cat "$TMP/$name-prepare.log" >&2; die "$name: enrol_prepare failed"; }
	local edition
	edition=$(field edition "$line")
	[ -n "$edition" ] || die "$name: enrol_prepare said '$line'"
	echo "bench-enrol: $name: prepared in $((SECONDS - t0)) s: $line"

	# Two servers on the same database.
	local bases=() pid pm db_cpu0=0 pg_stats=
	[ "$name" != postgres ] || [ -z "${PG_STATS:-}" ] || [ -z "$PG_DIR" ] || pg_stats=1
	if [ -n "$pg_stats" ]; then
		sql "$name" "$url" "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null
		sql "$name" "$url" "SELECT pg_stat_statements_reset()" >/dev/null
	fi
	pm=$(pg_postmaster)
	[ -z "$pm" ] || db_cpu0=$(cpu_ticks "$pm")
	start_servers "$name" "$url" serve
	bases=("${BASES[@]}")
	echo "bench-enrol: $name: servers pid ${PIDS[*]} at ${bases[*]} (threads ${CAMPUS_THREADS:-auto}); $(nproc) CPUs; load $(cut -d' ' -f1-3 /proc/loadavg)"

	# The storm, and the CPU it cost the servers (and the database server).
	local storm serve_cpu0=0 serve_cpu1=0 db_cpu1=0
	for pid in "${PIDS[@]}"; do serve_cpu0=$((serve_cpu0 + $(cpu_ticks "$pid"))); done
	storm=$("$BENCH_BIN/enrol_storm" "$TMP/$name.sessions" "/uitvoeringen/$edition/inschrijven" \
		"$TMP/$name-requests.tsv" "${bases[@]}" -c "$CONNECTIONS") || die "$name: enrol_storm failed"
	echo "bench-enrol: $name: $storm"
	for pid in "${PIDS[@]}"; do
		alive "$pid" || die "$name: a server died during the storm (logs in $TMP, KEEP_TMP=1)"
		serve_cpu1=$((serve_cpu1 + $(cpu_ticks "$pid")))
	done
	# The group commit, summed over both servers (GET /metrics).
	local batches
	batches=$(for b in "${bases[@]}"; do curl -fsS --max-time 5 "$b/metrics"; done | awk '
		$1 == "campus_enrol_batches_total" { n += $2 }
		$1 == "campus_enrol_batch_requests_total" { q += $2 }
		$1 == "campus_enrol_batch_cpu_seconds_total" { c += $2 }
		END { printf "batches=%d batch_mean=%.1f leader_cpu_ms=%.3f", n, n ? q / n : 0, q ? c * 1000 / q : 0 }')
	stop_servers
	[ -z "$pm" ] || { sleep 0.5; db_cpu1=$(cpu_ticks "$pm"); }
	if [ -n "$pg_stats" ]; then
		# Every statement the storm ran (the servers only: the reset came
		# after the preparation), per enrolment, busiest first.
		sql "$name" "$url" "SELECT round(calls::numeric / $LEARNERS, 3), calls,
			round(total_exec_time::numeric, 1), rows, regexp_replace(query, '\s+', ' ', 'g')
			FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'
			ORDER BY calls DESC, total_exec_time DESC" >"$TMP/postgres-statements.tsv"
		echo "enrol-statements: backend=$name $(sql "$name" "$url" "SELECT
			'per_enrolment=' || round(SUM(calls)::numeric / $LEARNERS, 2),
			'exec_ms_per_enrolment=' || round(SUM(total_exec_time)::numeric / $LEARNERS, 3),
			'begin=' || SUM(calls) FILTER (WHERE query ILIKE 'BEGIN%'),
			'commit=' || SUM(calls) FILTER (WHERE query ILIKE 'COMMIT%'),
			'set=' || COALESCE(SUM(calls) FILTER (WHERE query ILIKE 'SET%'), 0)
			FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat_statements%'" | tr '\t' ' ')" \
			"(all statements: $TMP/postgres-statements.tsv)"
	fi
	# The floor: the same requests on two fresh servers, each with a wrong
	# CSRF token. The connection, the session and the form every enrolment
	# goes through, refused (403) before it enrols anyone: an enrolment
	# cannot be answered faster than this.
	local floor floor_403
	awk '{ $2 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"; print }' "$TMP/$name.sessions" \
		>"$TMP/$name-floor.sessions"
	start_servers "$name" "$url" floor
	floor=$("$BENCH_BIN/enrol_storm" "$TMP/$name-floor.sessions" "/uitvoeringen/$edition/inschrijven" \
		"$TMP/$name-floor-requests.tsv" "${BASES[@]}" -c "$CONNECTIONS") || die "$name: enrol_storm (floor) failed"
	stop_servers
	floor_403=$(awk -F'\t' '$4 == 403' "$TMP/$name-floor-requests.tsv" | wc -l)
	echo "bench-enrol: $name: floor (wrong CSRF token, $floor_403 answered 403): $floor"
	[ "$floor_403" = "$LEARNERS" ] || echo "bench-enrol: $name: floor: $((LEARNERS - floor_403)) answers were not 403" >&2
	local hz serve_cpu_ms db_cpu_ms
	hz=$(getconf CLK_TCK)
	serve_cpu_ms=$(awk -v t=$((serve_cpu1 - serve_cpu0)) -v hz="$hz" -v n="$LEARNERS" \
		'BEGIN { printf "%.2f", t * 1000 / hz / n }')
	db_cpu_ms=$(awk -v t=$((db_cpu1 - db_cpu0)) -v hz="$hz" -v n="$LEARNERS" \
		'BEGIN { printf "%.2f", t * 1000 / hz / n }')

	# The raw durable commit rate of the same database, now that it is quiet.
	local raw1 raw_after
	raw1=$("$BENCH_BIN/commit_rate" "$url" 1 "$RAW_SECONDS" FULL) || die "$name: commit_rate failed"
	raw_after=$("$BENCH_BIN/commit_rate" "$url" "$CONNECTIONS" "$RAW_SECONDS" FULL) ||
		die "$name: commit_rate failed"
	echo "bench-enrol: $name: raw, $CONNECTIONS connections, before the storm: $raw_before"
	echo "bench-enrol: $name: raw, $CONNECTIONS connections, after the storm:  $raw_after"
	echo "bench-enrol: $name: raw, 1 connection, after the storm: $raw1"
	# For context: commits that all change the same row (an edition's seat
	# counter is one): each waits for the one before it, flush included.
	local raw_hot
	raw_hot=$("$BENCH_BIN/commit_rate" "$url" "$CONNECTIONS" "$RAW_SECONDS" FULL hot) ||
		die "$name: commit_rate failed"
	echo "bench-enrol: $name: raw, one hot row, $CONNECTIONS connections: $raw_hot"
	sql "$name" "$url" "DROP TABLE bench_commits" >/dev/null
	sql "$name" "$url" "DROP TABLE bench_hot" >/dev/null

	# The check: the server's answers next to what the database holds.
	sql "$name" "$url" "SELECT e.person_id, e.id, e.state, COALESCE(e.waitlist_pos, 0) FROM enrolments e
		WHERE e.edition_id = $edition" >"$TMP/$name-enrolments.tsv"
	local seats_taken touched
	seats_taken=$(sql "$name" "$url" "SELECT seats_taken FROM editions WHERE id = $edition")
	# Sessions touched during the storm would cost extra writes (they are
	# touched once a minute); the storm starts right after the log-ins.
	touched=$(sql "$name" "$url" "SELECT COUNT(*) FROM sessions WHERE last_seen_at > created_at")
	awk '{ printf "%d\t%s\n", NR - 1, $3 }' "$TMP/$name.sessions" >"$TMP/$name-learners.tsv"
	local V=$TMP/$name-verify.db
	"$SQLITE3" -batch "$V" <<EOF
CREATE TABLE req (line INTEGER PRIMARY KEY, conn INTEGER, seq INTEGER, status INTEGER,
  start_us INTEGER, end_us INTEGER, latency_us INTEGER, location TEXT);
CREATE TABLE learner (line INTEGER PRIMARY KEY, person_id INTEGER);
CREATE TABLE enr (person_id INTEGER, id INTEGER, state TEXT, pos INTEGER);
.mode tabs
.import $TMP/$name-requests.tsv req
.import $TMP/$name-learners.tsv learner
.import $TMP/$name-enrolments.tsv enr
CREATE INDEX enr_person ON enr (person_id);
-- rank: 0 for a seat, the waitlist position otherwise (NULL: another state).
CREATE TABLE r AS
  SELECT q.line, q.conn, q.seq, q.status, q.start_us, q.end_us, q.location, e.id AS enrolment,
         CASE e.state WHEN 'enrolled' THEN 0 WHEN 'waitlisted' THEN e.pos END AS rank
  FROM req q JOIN learner l USING (line) LEFT JOIN enr e ON e.person_id = l.person_id;
-- The highest place handed out among the requests answered by each moment.
CREATE TABLE answered AS
  SELECT end_us, MAX(rank) OVER (ORDER BY end_us, line ROWS UNBOUNDED PRECEDING) AS top FROM r;
CREATE INDEX answered_end ON answered (end_us);
EOF
	local check
	check=$("$SQLITE3" -batch "$V" "SELECT
		'enrolled=' || (SELECT COUNT(*) FROM enr WHERE state = 'enrolled'),
		'waitlisted=' || (SELECT COUNT(*) FROM enr WHERE state = 'waitlisted'),
		'other_states=' || (SELECT COUNT(*) FROM enr WHERE state NOT IN ('enrolled', 'waitlisted')),
		'enrolments=' || (SELECT COUNT(*) FROM enr),
		'learners_enrolled=' || (SELECT COUNT(DISTINCT person_id) FROM enr),
		'requests=' || (SELECT COUNT(*) FROM req),
		'not_303=' || (SELECT COUNT(*) FROM req WHERE status <> 303),
		'wrong_location=' || (SELECT COUNT(*) FROM r WHERE status = 303 AND (enrolment IS NULL
			OR location IS NOT '/mijn/leren?inschrijving=' || enrolment)),
		'positions_distinct=' || (SELECT COUNT(DISTINCT pos) FROM enr WHERE state = 'waitlisted'),
		'position_min=' || (SELECT COALESCE(MIN(pos), 0) FROM enr WHERE state = 'waitlisted'),
		'position_max=' || (SELECT COALESCE(MAX(pos), 0) FROM enr WHERE state = 'waitlisted'),
		'order_conn_violations=' || (SELECT COUNT(*) FROM (SELECT rank, MAX(rank) OVER (PARTITION BY conn
			ORDER BY seq ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS before FROM r)
			WHERE before > 0 AND before >= rank),
		'order_global_violations=' || (SELECT COUNT(*) FROM (SELECT rank, (SELECT top FROM answered a
			WHERE a.end_us < r.start_us ORDER BY a.end_us DESC LIMIT 1) AS before FROM r)
			WHERE before > 0 AND before >= rank)" | tr '|' ' ')
	echo "bench-enrol: $name: check: $check seats_taken=$seats_taken sessions_touched=$touched"

	local enrolled waitlisted errors rps raw1_rps raw_rps ratio ratio1 p99
	enrolled=$(field enrolled "$check")
	waitlisted=$(field waitlisted "$check")
	# An error: an answer other than 303, a wrong Location, or a learner
	# without an answer.
	errors=$(($(field not_303 "$check") + $(field wrong_location "$check") + LEARNERS - $(field requests "$check")))
	rps=$(field rps "$storm")
	raw1_rps=$(field rps "$raw1")
	raw_rps=$(awk -v a="$(field rps "$raw_before")" -v b="$(field rps "$raw_after")" \
		'BEGIN { print (a > b ? a : b) }')
	ratio=$(awk -v a="$rps" -v b="$raw_rps" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "0.00" }')
	ratio1=$(awk -v a="$rps" -v b="$raw1_rps" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "0.00" }')
	local floor_rps ratio_floor
	floor_rps=$(field rps "$floor")
	ratio_floor=$(awk -v a="$floor_rps" -v b="$raw_rps" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "0.00" }')
	local hot_rps ratio_hot
	hot_rps=$(field rps "$raw_hot")
	ratio_hot=$(awk -v a="$rps" -v b="$hot_rps" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "0.00" }')
	p99=$(field p99_ms "$storm")

	local bad=()
	[ "$enrolled" = "$SEATS" ] || bad+=("enrolled $enrolled, want $SEATS")
	[ "$waitlisted" = $((LEARNERS - SEATS)) ] || bad+=("waitlisted $waitlisted, want $((LEARNERS - SEATS))")
	[ "$errors" = 0 ] || bad+=("$errors errors")
	[ "$(field other_states "$check")" = 0 ] || bad+=("enrolments in other states")
	[ "$(field enrolments "$check")" = "$LEARNERS" ] || bad+=("$(field enrolments "$check") enrolments for $LEARNERS learners")
	[ "$(field learners_enrolled "$check")" = "$LEARNERS" ] || bad+=("a learner enrolled twice or not at all")
	[ "$(field positions_distinct "$check")" = "$waitlisted" ] || bad+=("waitlist positions not distinct")
	[ "$seats_taken" = "$SEATS" ] || bad+=("editions.seats_taken $seats_taken, want $SEATS")
	[ "$(field order_conn_violations "$check")" = 0 ] || bad+=("out of arrival order along a connection")
	[ "$(field order_global_violations "$check")" = 0 ] || bad+=("out of arrival order across connections")

	echo "enrol-detail: backend=$name connections=$CONNECTIONS connects=$(field connects "$storm")" \
		"seconds=$(field seconds "$storm") p50_ms=$(field p50_ms "$storm") max_ms=$(field max_ms "$storm")" \
		"raw_commit_before_rps=$(field rps "$raw_before") raw_commit_after_rps=$(field rps "$raw_after")" \
		"raw_commit_1_rps=$raw1_rps ratio_1=$ratio1 raw_hot_row_rps=$hot_rps ratio_hot_row=$ratio_hot" \
		"floor_rps=$floor_rps ratio_floor=$ratio_floor" \
		"seats_taken=$seats_taken" \
		"order_violations=$(($(field order_conn_violations "$check") + $(field order_global_violations "$check")))" \
		"sessions_touched=$touched threads=$CAMPUS_THREADS serve_cpu_ms=$serve_cpu_ms db_cpu_ms=$db_cpu_ms" \
		"$batches"
	echo "enrol: backend=$name enrolled=$enrolled waitlisted=$waitlisted errors=$errors rps=$rps" \
		"raw_commit_rps=$raw_rps ratio=$ratio p99_ms=$p99"
	if [ ${#bad[@]} -gt 0 ]; then
		local b
		for b in "${bad[@]}"; do echo "bench-enrol: $name: FAILED: $b" >&2; done
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
