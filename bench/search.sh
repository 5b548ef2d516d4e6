#!/bin/bash
# Catalogue search throughput: Campus answering realistic searches with facets
# (anonymous, over ~2,000 modules) against nginx serving the very same bytes.
#
# Builds a demo database (campus demo), adds the test catalogue from
# bench/search-modules.sql when the demo has fewer than MODULES published
# modules (until the demo catalogue lands), rebuilds the search index, fetches
# a handful of search URLs from campus, puts the exact bytes in nginx's root
# (one file per URL, chosen by a map on $request_uri), checks them with cmp,
# then runs wrk with a Lua script that cycles through the URLs against both.
# Ends with one line:
#   bench-search: rps=N nginx_rps=N ratio=0.NN p99_ms=N ...
# Goal: ratio >= 0.25 and p99 < 50 ms at 64 connections; the script reports
# and does not fail on it.
#
# Run from anywhere after building:  bench/search.sh   (or make bench-search)
# Env: DURATION (seconds per wrk run, default 10), WARMUP (1), REPEAT (1),
# THREADS (2), CONNECTIONS (64), MODULES (2000), CAMPUS_BIN (build/campus),
# CAMPUS_LOCALE_DIR (build/po), NGINX (/usr/sbin/nginx), SQLITE3 (sqlite3),
# KEEP_TMP=1 keeps the temp dir. CAMPUS_THREADS and the other CAMPUS_*
# settings reach campus as usual.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-1}
REPEAT=${REPEAT:-1}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
MODULES=${MODULES:-2000}
BIN=${CAMPUS_BIN:-build/campus}
NGINX=${NGINX:-/usr/sbin/nginx}
WRK=${WRK:-wrk}
SQLITE3=${SQLITE3:-sqlite3}
export CAMPUS_LOCALE_DIR=${CAMPUS_LOCALE_DIR:-build/po}
unset CAMPUS_CONFIG CAMPUS_DB CAMPUS_LISTEN

die() { echo "bench-search: $*" >&2; exit 1; }
[ -x "$BIN" ] || die "no campus binary at $BIN (build first: make build)"
[ -x "$NGINX" ] || die "nginx not found at $NGINX (apt-get install nginx-light)"
command -v "$WRK" >/dev/null || die "wrk not found (apt-get install wrk)"
command -v curl >/dev/null || die "curl not found"
command -v "$SQLITE3" >/dev/null || die "sqlite3 not found (apt-get install sqlite3)"
case $DURATION in '' | *[!0-9]*) die "DURATION must be whole seconds, not '$DURATION'" ;; esac
case $REPEAT in '' | 0 | *[!0-9]*) die "REPEAT must be a whole number >= 1, not '$REPEAT'" ;; esac
case $MODULES in '' | *[!0-9]*) die "MODULES must be a whole number, not '$MODULES'" ;; esac

TMP=$(mktemp -d "${TMPDIR:-/tmp}/campus-bench-search.XXXXXX")
# nginx's workers drop to an unprivileged user when run as root: let them read.
chmod 755 "$TMP"
mkdir -p "$TMP/www" "$TMP/nginx/logs" "$TMP/nginx/tmp"
CAMPUS_PID=
NGINX_PID=

alive() { # a running process, not a zombie waiting for us
	[ -r "/proc/$1/status" ] && ! grep -q '^State:[[:space:]]*Z' "/proc/$1/status" 2>/dev/null
}
stop_pid() { # stop_pid PID SIGNAL: signal, wait up to 5 s, then SIGKILL
	local pid=$1 sig=$2
	[ -n "$pid" ] || return 0
	alive "$pid" || { wait "$pid" 2>/dev/null || true; return 0; }
	kill "-$sig" "$pid" 2>/dev/null || true
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
	stop_pid "$NGINX_PID" TERM
	stop_pid "$CAMPUS_PID" TERM
	if [ -n "${KEEP_TMP:-}" ]; then
		echo "bench-search: kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'echo "bench-search: interrupted" >&2; exit 130' INT
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
		[ "$p" = "${CAMPUS_PORT:-}" ] && continue
		port_in_use "$p" || { echo "$p"; return 0; }
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
# The request wrk sends: GET with a Host header and nothing else (no
# User-Agent, Accept, Accept-Language or cookies).
fetch() { # fetch URL OUT HEADERS -> prints the content type
	curl -sS --fail -H 'User-Agent:' -H 'Accept:' -D "$3" -o "$2" -w '%{content_type}' "$1"
}

# The searches: text with Dutch word forms, facets, sorting, paging, the API.
URLS=(
	"/aanbod?q=voorlezen"
	"/aanbod?domein=maatschappelijk-educatieve-bibliothecaris&vorm=klassikaal"
	"/aanbod?q=digitale+vaardigheden&erkend=ja&sortering=punten"
	"/aanbod?niveau=tactisch&taal=nl&pagina=2"
	"/aanbod?q=vrijwilligers&prijs=gratis&provincie=Utrecht&provincie=Gelderland"
	"/aanbod?competentie=leesbevordering&punten=2-5&punten=5-10&sortering=nieuw"
	"/api/v1/modules?q=leesbevordering&vorm=blended"
)

# ---- campus, with a catalogue ----
DB_FILE=$TMP/campus.db
DB="sqlite:$DB_FILE"
"$BIN" --db "$DB" demo >"$TMP/demo.log" 2>&1 || { cat "$TMP/demo.log" >&2; die "campus demo failed"; }
have=$("$SQLITE3" "$DB_FILE" "SELECT count(*) FROM modules WHERE published_version_id IS NOT NULL")
if [ "$have" -lt "$MODULES" ]; then
	{ echo "CREATE TEMP TABLE settings (value INTEGER); INSERT INTO settings VALUES ($((MODULES - have)));"
	  cat bench/search-modules.sql; } | "$SQLITE3" "$DB_FILE" || die "bench/search-modules.sql failed"
fi
"$BIN" --db "$DB" search reindex >"$TMP/reindex.log" 2>&1 || { cat "$TMP/reindex.log" >&2; die "search reindex failed"; }
modules=$("$SQLITE3" "$DB_FILE" "SELECT count(*) FROM modules WHERE published_version_id IS NOT NULL")
CAMPUS_PORT=$(free_port)
CAMPUS_TMP_DIR=$TMP "$BIN" --db "$DB" serve --listen "127.0.0.1:$CAMPUS_PORT" \
	>"$TMP/campus.log" 2>&1 &
CAMPUS_PID=$!
CAMPUS=http://127.0.0.1:$CAMPUS_PORT
wait_http "$CAMPUS/healthz" "$CAMPUS_PID" campus "$TMP/campus.log"

: >"$TMP/map.conf"
i=0
for u in "${URLS[@]}"; do
	fetch "$CAMPUS$u" "$TMP/www/$i.body" "$TMP/$i.headers" >"$TMP/$i.ct"
	chmod 644 "$TMP/www/$i.body"
	printf '        "%s" /%s.body;\n' "$u" "$i" >>"$TMP/map.conf"
	i=$((i + 1))
done
chmod 755 "$TMP/www"
last=$((${#URLS[@]} - 1))

# ---- nginx: the same bytes for the same URLs, with campus's headers ----
mirror_headers() { # HEADERS-FILE -> add_header lines
	tr -d '\r' <"$1" | tail -n +2 | while IFS= read -r line; do
		[ -n "$line" ] || continue
		name=${line%%:*}
		value=${line#*:}
		value=${value# }
		case ${name,,} in
		date | content-length | content-type | connection | keep-alive | transfer-encoding | server | set-cookie | x-request-id) continue ;;
		esac
		case $value in *'$'*) continue ;; esac
		value=${value//\\/\\\\}
		value=${value//\"/\\\"}
		printf '            add_header %s "%s";\n' "$name" "$value"
	done
}
NGINX_PORT=$(free_port)
NGINX_URL=http://127.0.0.1:$NGINX_PORT
N=$TMP/nginx
cat >"$N/nginx.conf" <<NGINX_CONF
daemon off;
worker_processes auto;
pid $N/nginx.pid;
error_log $N/logs/error.log warn;
events {
    worker_connections 4096;
}
http {
    access_log $N/logs/access.log;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    server_tokens off;
    client_body_temp_path $N/tmp/body;
    proxy_temp_path $N/tmp/proxy;
    fastcgi_temp_path $N/tmp/fastcgi;
    uwsgi_temp_path $N/tmp/uwsgi;
    scgi_temp_path $N/tmp/scgi;
    types {}
    map_hash_bucket_size 256;
    map \$request_uri \$body_file {
        default /missing;
$(cat "$TMP/map.conf")
    }
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $TMP/www;
        location = /aanbod {
            default_type "$(cat "$TMP/0.ct")";
$(mirror_headers "$TMP/0.headers")
            try_files \$body_file =404;
        }
        location = /api/v1/modules {
            default_type "$(cat "$TMP/$last.ct")";
$(mirror_headers "$TMP/$last.headers")
            try_files \$body_file =404;
        }
        location / {
            return 404;
        }
    }
}
NGINX_CONF
"$NGINX" -t -q -p "$N/" -c "$N/nginx.conf" -e "$N/logs/error.log" 2>"$N/logs/test.log" ||
	{ cat "$N/logs/test.log" "$N/nginx.conf" >&2; die "nginx rejected its config"; }
"$NGINX" -p "$N/" -c "$N/nginx.conf" -e "$N/logs/error.log" >"$N/logs/stdout.log" 2>&1 &
NGINX_PID=$!
wait_http "$NGINX_URL${URLS[0]}" "$NGINX_PID" nginx "$N/logs/error.log"

# ---- the same bytes? (campus's pages differ only in the CSRF token) ----
mask() { sed -E 's/name="csrf_token" value="[^"]*"/name="csrf_token" value="-"/' "$1"; }
i=0
total_bytes=0
for u in "${URLS[@]}"; do
	fetch "$NGINX_URL$u" "$TMP/check.body" /dev/null >/dev/null
	cmp -s "$TMP/www/$i.body" "$TMP/check.body" || die "$u: nginx's body differs from campus's"
	fetch "$CAMPUS$u" "$TMP/again.body" /dev/null >/dev/null
	cmp -s <(mask "$TMP/www/$i.body") <(mask "$TMP/again.body") ||
		die "$u: campus answers differently the second time"
	size=$(stat -c %s "$TMP/www/$i.body")
	total_bytes=$((total_bytes + size))
	found=$(grep -oE '[0-9]+ modules? gevonden|"total":[0-9]+' "$TMP/www/$i.body" | head -1 || true)
	echo "bench-search: $u  $size bytes  ${found:-?}"
	i=$((i + 1))
done
echo "bench-search: $modules published modules; ${#URLS[@]} URLs, $total_bytes bytes in all; bytes match (cmp)"

# wrk cycles through the URLs, one per request.
{
	echo "local paths = {"
	for u in "${URLS[@]}"; do printf '  "%s",\n' "$u"; done
	echo "}"
	echo "local i = 0"
	echo "request = function()"
	echo "  i = i % #paths + 1"
	echo "  return wrk.format(\"GET\", paths[i])"
	echo "end"
} >"$TMP/urls.lua"
echo "bench-search: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency -s urls.lua; campus pid $CAMPUS_PID (threads ${CAMPUS_THREADS:-auto}), nginx pid $NGINX_PID (worker_processes auto); $(nproc) CPUs"

to_ms() { # "1.23ms" / "456.78us" / "1.02s" -> milliseconds
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
		printf "%.3f", n }'
}
run() { # run NAME BASE -> sets RPS P50 P99 ERRS
	local out="$TMP/wrk-$1.txt"
	if [ "$WARMUP" -gt 0 ]; then
		"$WRK" -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" -s "$TMP/urls.lua" "$2" >/dev/null 2>&1 || true
	fi
	"$WRK" -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$TMP/urls.lua" "$2" >"$out" 2>&1 ||
		{ cat "$out" >&2; die "wrk failed against $2"; }
	RPS=$(awk '/^Requests\/sec:/ { printf "%d", $2 + 0.5 }' "$out")
	P50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
	P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
	ERRS=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(/[^0-9 ]/, " "); for (i = 1; i <= NF; i++) n += $i } END { print n + 0 }' "$out")
	[ -n "$RPS" ] || { cat "$out" >&2; die "could not read wrk's output for $2"; }
	if [ "$ERRS" != 0 ]; then
		echo "bench-search: warning: $1: $ERRS errors or non-2xx answers:" >&2
		grep -E 'Non-2xx|Socket errors' "$out" >&2 || true
	fi
}
declare -A R
for rep in $(seq "$REPEAT"); do
	for server in campus nginx; do
		base=$CAMPUS
		[ "$server" = nginx ] && base=$NGINX_URL
		run "$server-$rep" "$base"
		printf '  ran %-6s %8s req/s  p50 %s ms  p99 %s ms\n' "$server" "$RPS" "$P50" "$P99" >&2
		if [ "$RPS" -gt "${R[$server-rps]:--1}" ]; then
			R[$server-rps]=$RPS
			R[$server-p50]=$P50
			R[$server-p99]=$P99
			R[$server-errs]=$ERRS
		fi
	done
done
alive "$CAMPUS_PID" || die "campus died during the benchmark (log: $TMP/campus.log)"

ratio=$(awk -v a="${R[campus-rps]}" -v b="${R[nginx-rps]}" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "0.00" }')
fmt_ms() { awk -v v="$1" 'BEGIN { printf (v < 10 ? "%.2f" : "%.1f"), v }'; }
echo
printf '%-10s %12s %10s %10s %8s\n' "server" "requests/s" "p50 ms" "p99 ms" "errors"
for server in campus nginx; do
	printf '%-10s %12s %10s %10s %8s\n' "$server" "${R[$server-rps]}" "$(fmt_ms "${R[$server-p50]}")" \
		"$(fmt_ms "${R[$server-p99]}")" "${R[$server-errs]}"
done
goal=$(awk -v r="$ratio" -v p="${R[campus-p99]}" 'BEGIN { print (r >= 0.25 && p < 50 ? "met" : "NOT met") }')
echo "goal (ratio >= 0.25, p99 < 50 ms): $goal"
echo "bench-search: rps=${R[campus-rps]} nginx_rps=${R[nginx-rps]} ratio=$ratio p99_ms=$(fmt_ms "${R[campus-p99]}") p50_ms=$(fmt_ms "${R[campus-p50]}") modules=$modules"
