#!/bin/bash
# HTTP throughput of Campus against nginx serving the very same bytes.
#
# Starts campus (fresh SQLite DB with demo data) and nginx on free loopback
# ports, copies campus's `/` and `/api/v1/status` into nginx's document root,
# checks the bytes with cmp, then runs wrk against both for each of them.
# Ends with one line:
#   bench-http: page_rps=N page_nginx_rps=N page_ratio=0.NN json_rps=N ...
# The goal is page_ratio >= 0.50; the script reports and does not fail on it.
#
# Run from anywhere after building:  bench/http.sh
# Env: DURATION (seconds per wrk run, default 10), WARMUP (seconds, default 1,
# 0 for none), REPEAT (alternating runs per pair, best kept; default 1),
# THREADS (wrk threads, 2), CONNECTIONS (64), CAMPUS_BIN (build/campus),
# CAMPUS_LOCALE_DIR (build/po), NGINX (/usr/sbin/nginx), KEEP_TMP=1 keeps the
# temp dir with the logs. CAMPUS_THREADS, CAMPUS_LOG_LEVEL and the other
# CAMPUS_* settings reach campus as usual.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-10}
WARMUP=${WARMUP:-1}
REPEAT=${REPEAT:-1}
THREADS=${THREADS:-2}
CONNECTIONS=${CONNECTIONS:-64}
BIN=${CAMPUS_BIN:-build/campus}
NGINX=${NGINX:-/usr/sbin/nginx}
WRK=${WRK:-wrk}
export CAMPUS_LOCALE_DIR=${CAMPUS_LOCALE_DIR:-build/po}
unset CAMPUS_CONFIG CAMPUS_DB CAMPUS_LISTEN

die() { echo "bench-http: $*" >&2; exit 1; }
[ -x "$BIN" ] || die "no campus binary at $BIN (build first: make build)"
[ -x "$NGINX" ] || die "nginx not found at $NGINX (apt-get install nginx-light)"
command -v "$WRK" >/dev/null || die "wrk not found (apt-get install wrk)"
command -v curl >/dev/null || die "curl not found"
case $DURATION in '' | *[!0-9]*) die "DURATION must be whole seconds, not '$DURATION'" ;; esac
case $REPEAT in '' | 0 | *[!0-9]*) die "REPEAT must be a whole number >= 1, not '$REPEAT'" ;; esac

TMP=$(mktemp -d "${TMPDIR:-/tmp}/campus-bench.XXXXXX")
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
		echo "bench-http: kept $TMP" >&2
	else
		rm -rf "$TMP"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'echo "bench-http: interrupted" >&2; exit 130' INT
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

# ---- campus ----
DB="sqlite:$TMP/campus.db"
"$BIN" --db "$DB" demo >"$TMP/demo.log" 2>&1 || { cat "$TMP/demo.log" >&2; die "campus demo failed"; }
CAMPUS_PORT=$(free_port)
# Both servers write an access-log line per request to a file, as in production
# (campus to stderr, nginx with access_log), so neither gets a free ride.
CAMPUS_TMP_DIR=$TMP "$BIN" --db "$DB" serve --listen "127.0.0.1:$CAMPUS_PORT" \
	>"$TMP/campus.log" 2>&1 &
CAMPUS_PID=$!
CAMPUS=http://127.0.0.1:$CAMPUS_PORT
wait_http "$CAMPUS/healthz" "$CAMPUS_PID" campus "$TMP/campus.log"

page_ct=$(fetch "$CAMPUS/" "$TMP/www/index.html" "$TMP/page.headers")
json_ct=$(fetch "$CAMPUS/api/v1/status" "$TMP/www/status.json" "$TMP/json.headers")
chmod 644 "$TMP/www/index.html" "$TMP/www/status.json"
chmod 755 "$TMP/www"

# ---- nginx, serving the same bytes with the same content types ----
# The headers campus sends on every page (security policy, cache control...)
# are sent by nginx too, so both answers are about the same size on the wire.
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
cat >"$N/nginx.conf" <<EOF
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
    server {
        listen 127.0.0.1:$NGINX_PORT;
        root $TMP/www;
        location = / {
            default_type "$page_ct";
$(mirror_headers "$TMP/page.headers")
            try_files /index.html =404;
        }
        location = /api/v1/status {
            default_type "$json_ct";
$(mirror_headers "$TMP/json.headers")
            try_files /status.json =404;
        }
        location / {
            return 404;
        }
    }
}
EOF
"$NGINX" -t -q -p "$N/" -c "$N/nginx.conf" -e "$N/logs/error.log" 2>"$N/logs/test.log" ||
	{ cat "$N/logs/test.log" "$N/nginx.conf" >&2; die "nginx rejected its config"; }
"$NGINX" -p "$N/" -c "$N/nginx.conf" -e "$N/logs/error.log" >"$N/logs/stdout.log" 2>&1 &
NGINX_PID=$!
wait_http "$NGINX_URL/" "$NGINX_PID" nginx "$N/logs/error.log"

# ---- the same bytes? ----
check_same() { # NAME PATH FILE CT
	local ct
	ct=$(fetch "$NGINX_URL$2" "$TMP/check.body" "$TMP/check.headers")
	cmp -s "$3" "$TMP/check.body" || die "$1: nginx's body differs from campus's ($3)"
	[ "$ct" = "$4" ] || die "$1: content type '$ct' from nginx, '$4' from campus"
}
check_same page / "$TMP/www/index.html" "$page_ct"
check_same json /api/v1/status "$TMP/www/status.json" "$json_ct"
# Campus itself: the status JSON is the same on every request; the page differs
# only in its per-visitor CSRF token (same length).
fetch "$CAMPUS/api/v1/status" "$TMP/again.json" /dev/null >/dev/null
cmp -s "$TMP/www/status.json" "$TMP/again.json" || die "campus's /api/v1/status changes between requests"
fetch "$CAMPUS/" "$TMP/again.html" /dev/null >/dev/null
mask() { sed -E 's/name="csrf_token" value="[^"]*"/name="csrf_token" value="-"/' "$1"; }
if ! cmp -s <(mask "$TMP/www/index.html") <(mask "$TMP/again.html"); then
	echo "bench-http: note: campus's / differs between requests by more than the CSRF token" >&2
fi
[ "$(stat -c %s "$TMP/www/index.html")" = "$(stat -c %s "$TMP/again.html")" ] ||
	echo "bench-http: note: campus's / changes size between requests" >&2
hdr_size() { tr -d '\r' <"$1" | wc -c; }
page_bytes=$(stat -c %s "$TMP/www/index.html")
json_bytes=$(stat -c %s "$TMP/www/status.json")
curl -sS -H 'User-Agent:' -H 'Accept:' -D "$TMP/nginx-page.headers" -o /dev/null "$NGINX_URL/"
curl -sS -H 'User-Agent:' -H 'Accept:' -D "$TMP/nginx-json.headers" -o /dev/null "$NGINX_URL/api/v1/status"

echo "bench-http: bytes match (cmp): / $page_bytes bytes ($page_ct), /api/v1/status $json_bytes bytes ($json_ct)"
echo "bench-http: response headers: campus $(hdr_size "$TMP/page.headers")/$(hdr_size "$TMP/json.headers") bytes, nginx $(hdr_size "$TMP/nginx-page.headers")/$(hdr_size "$TMP/nginx-json.headers") bytes (page/json)"
echo "bench-http: wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency; campus pid $CAMPUS_PID on :$CAMPUS_PORT (threads ${CAMPUS_THREADS:-auto}, log_level ${CAMPUS_LOG_LEVEL:-info}), nginx pid $NGINX_PID on :$NGINX_PORT (worker_processes auto, access_log on); $(nproc) CPUs"

# ---- wrk ----
to_ms() { # "1.23ms" / "456.78us" / "1.02s" -> milliseconds
	awk -v v="$1" 'BEGIN {
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
		printf "%.3f", n }'
}
# run NAME URL -> sets RPS P50 P99 ERRS
run() {
	local out="$TMP/wrk-$1.txt"
	if [ "$WARMUP" -gt 0 ]; then
		"$WRK" -t"$THREADS" -c"$CONNECTIONS" -d"${WARMUP}s" "$2" >/dev/null 2>&1 || true
	fi
	"$WRK" -t"$THREADS" -c"$CONNECTIONS" -d"${DURATION}s" --latency "$2" >"$out" 2>&1 ||
		{ cat "$out" >&2; die "wrk failed against $2"; }
	RPS=$(awk '/^Requests\/sec:/ { printf "%d", $2 + 0.5 }' "$out")
	P50=$(to_ms "$(awk '$1 == "50%" { print $2 }' "$out")")
	P99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$out")")
	ERRS=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { gsub(/[^0-9 ]/, " "); for (i = 1; i <= NF; i++) n += $i } END { print n + 0 }' "$out")
	[ -n "$RPS" ] || { cat "$out" >&2; die "could not read wrk's output for $2"; }
	if [ "$ERRS" != 0 ]; then
		echo "bench-http: warning: $1: $ERRS errors or non-2xx answers:" >&2
		grep -E 'Non-2xx|Socket errors' "$out" >&2 || true
	fi
}
# With REPEAT=N the pairs alternate N times and each keeps its best run, which
# evens out a busy machine.
declare -A R
for target in page json; do
	path=/
	[ "$target" = json ] && path=/api/v1/status
	for rep in $(seq "$REPEAT"); do
		for server in campus nginx; do
			base=$CAMPUS
			[ "$server" = nginx ] && base=$NGINX_URL
			run "$target-$server-$rep" "$base$path"
			printf '  ran %-5s %-6s %8s req/s  p50 %s ms  p99 %s ms\n' "$target" "$server" "$RPS" "$P50" "$P99" >&2
			if [ "$RPS" -gt "${R[$target-$server-rps]:--1}" ]; then
				R[$target-$server-rps]=$RPS
				R[$target-$server-p50]=$P50
				R[$target-$server-p99]=$P99
				R[$target-$server-errs]=$ERRS
			fi
		done
	done
done
alive "$CAMPUS_PID" || die "campus died during the benchmark (log: $TMP/campus.log)"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "0.00" }'; }
round() { awk -v v="$1" 'BEGIN { printf "%d", v + 0.5 }'; }
fmt_ms() { awk -v v="$1" 'BEGIN { printf (v < 10 ? "%.2f" : "%.1f"), v }'; }
page_ratio=$(ratio "${R[page-campus-rps]}" "${R[page-nginx-rps]}")
json_ratio=$(ratio "${R[json-campus-rps]}" "${R[json-nginx-rps]}")

echo
printf '%-24s %12s %10s %10s %8s\n' "target" "requests/s" "p50 ms" "p99 ms" "errors"
printf '%-24s %12s %10s %10s %8s\n' "------" "----------" "------" "------" "------"
for target in page json; do
	label=/
	[ "$target" = json ] && label=/api/v1/status
	for server in campus nginx; do
		printf '%-24s %12s %10s %10s %8s\n' "$server $label" "${R[$target-$server-rps]}" \
			"$(fmt_ms "${R[$target-$server-p50]}")" "$(fmt_ms "${R[$target-$server-p99]}")" "${R[$target-$server-errs]}"
	done
done
echo
echo "campus/nginx: page $page_ratio (goal >= 0.50), json $json_ratio"
goal=$(awk -v r="$page_ratio" 'BEGIN { print (r >= 0.5 ? "met" : "NOT met") }')
echo "page goal $goal"
echo "bench-http: page_rps=${R[page-campus-rps]} page_nginx_rps=${R[page-nginx-rps]} page_ratio=$page_ratio" \
	"json_rps=${R[json-campus-rps]} json_nginx_rps=${R[json-nginx-rps]} json_ratio=$json_ratio" \
	"page_p50_ms=$(fmt_ms "${R[page-campus-p50]}") page_p99_ms=$(fmt_ms "${R[page-campus-p99]}")" \
	"json_p50_ms=$(fmt_ms "${R[json-campus-p50]}") json_p99_ms=$(fmt_ms "${R[json-campus-p99]}")"
