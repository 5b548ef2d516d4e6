#!/bin/bash
# bench-people: the campus administrators' people search over the full demo
# sector (~30,000 people) on SQLite, logged in, with varied queries.
# Goal: p99 under 50 ms. Ends with one summary line "bench-people: ...".
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${CAMPUS_BIN:-build/campus}
DURATION=${DURATION:-10}
CONNECTIONS=${CONNECTIONS:-8}
TMP=$(mktemp -d)
PID=
cleanup() { [ -n "$PID" ] && kill "$PID" 2>/dev/null; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT INT TERM

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BIN" --db "sqlite:$TMP/campus.db" demo >"$TMP/demo.log" 2>&1
people=$(grep -oE '[0-9]+ people' "$TMP/demo.log" | grep -oE '[0-9]+')
"$BIN" --db "sqlite:$TMP/campus.db" serve --listen "127.0.0.1:$port" >"$TMP/serve.log" 2>&1 &
PID=$!
URL=http://127.0.0.1:$port
for _ in $(seq 100); do curl -sf "$URL/healthz" >/dev/null && break; sleep 0.1; done

# Log in as the campus administrator and keep the session cookie.
jar=$TMP/cookies
token=$(curl -sf -c "$jar" -b "$jar" "$URL/inloggen" | grep -oE 'name="csrf_token" value="[^"]+"' | head -1 | sed 's/.*value="//; s/"$//')
curl -sf -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" \
	--data-urlencode "email=beheerder@campus.demo" --data-urlencode "wachtwoord=Campus-demo-2026" "$URL/inloggen"
# The campus administrator logs in in two steps: the code from the demo's TOTP secret.
secret=$(grep -oE 'secret [A-Z2-7]+' "$TMP/demo.log" | head -1 | cut -d' ' -f2)
code=$(python3 - "$secret" <<'PY'
import base64, hashlib, hmac, struct, sys, time
key = base64.b32decode(sys.argv[1])
mac = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
o = mac[-1] & 15
print("%06d" % ((struct.unpack(">I", mac[o:o + 4])[0] & 0x7FFFFFFF) % 1000000))
PY
)
token=$(curl -sf -c "$jar" -b "$jar" "$URL/inloggen/code" | grep -oE 'name="csrf_token" value="[^"]+"' | head -1 | sed 's/.*value="//; s/"$//')
curl -sf -o /dev/null -c "$jar" -b "$jar" --data-urlencode "csrf_token=$token" \
	--data-urlencode "code=$code" "$URL/inloggen/code"
session=$(awk '$6 == "campus_sessie" { print $7 }' "$jar")
[ -n "$session" ] || { echo "bench-people: log-in failed" >&2; exit 1; }
status=$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: campus_sessie=$session" "$URL/beheer/personen?q=jan")
[ "$status" = 200 ] || { echo "bench-people: search answered $status" >&2; exit 1; }

cat >"$TMP/queries.lua" <<'LUA'
-- Three characters or more: shorter queries get a hint instead of a search.
local queries = {"jan", "de%20vries", "bakker", "van%20der", "mohamed", "sanne", "utrecht",
                 "jansen", "yilmaz", "lotte", "smit", "bibliotheek-gouda", "ahmed", "visser",
                 "xyzzy", "fatima"}
local i = 0
request = function()
  i = i + 1
  local path = "/beheer/personen?q=" .. queries[(i % #queries) + 1]
  if i % 5 == 0 then path = path .. "&pagina=2" end
  return wrk.format("GET", path)
end
LUA
wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s "$TMP/queries.lua" \
	-H "Cookie: campus_sessie=$session" "$URL/" >"$TMP/wrk.txt"
cat "$TMP/wrk.txt"
ms() { # wrk's "3.21ms" / "812.00us" / "1.02s" -> milliseconds
	awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n += 0; else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}
rps=$(awk '/^Requests\/sec/ { printf "%d", $2 }' "$TMP/wrk.txt")
p50=$(ms "$(awk '$1 == "50%" { print $2 }' "$TMP/wrk.txt")")
p99=$(ms "$(awk '$1 == "99%" { print $2 }' "$TMP/wrk.txt")")
errors=$(awk '/Non-2xx/ { print $5 } /Socket errors/ { print "socket" }' "$TMP/wrk.txt" | head -1)
goal=$(awk -v p="$p99" 'BEGIN { print (p < 50) ? "met" : "NOT met" }')
echo "people search over $people people, $CONNECTIONS connections: p99 $p99 ms (goal < 50 ms: $goal)"
echo "bench-people: people=$people rps=$rps p50_ms=$p50 p99_ms=$p99 connections=$CONNECTIONS non2xx=${errors:-0}"
