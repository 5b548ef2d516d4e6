#!/bin/sh
# Install the Debian packages a target needs, only those that are missing.
#   scripts/deps.sh run    build and serve
#   scripts/deps.sh test   + test tools (PostgreSQL, Chromium, cmocka, clang for fuzzing)
#   scripts/deps.sh bench  + load tools (nginx, wrk; PostgreSQL and libcurl for bench-enrol)
set -eu

run_pkgs="gcc make meson ninja-build pkg-config gettext libmicrohttpd-dev libjansson-dev
libsqlite3-dev libpq-dev libsodium-dev zlib1g-dev liboath-dev libqrencode-dev libcsv-dev
libcmark-dev libstemmer-dev libical-dev libxlsxwriter-dev libcurl4-openssl-dev
libcairo2-dev libpango1.0-dev fonts-open-sans fonts-dejavu-core"
test_pkgs="libcmocka-dev libcurl4-openssl-dev postgresql clang libclang-rt-14-dev chromium sqlite3
curl poppler-utils"
bench_pkgs="nginx-light wrk curl sqlite3 postgresql libcurl4-openssl-dev"

case "${1:-run}" in
run) want="$run_pkgs" ;;
test) want="$run_pkgs $test_pkgs" ;;
bench) want="$run_pkgs $bench_pkgs" ;;
*) echo "usage: $0 run|test|bench" >&2; exit 2 ;;
esac
command -v node >/dev/null 2>&1 || want="$want nodejs npm"

missing=""
for p in $want; do
	status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case "$status" in
	*"install ok installed"*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "Missing Debian packages:$missing" >&2
	echo "Install them as root: apt-get install$missing" >&2
	exit 1
fi
echo "Installing Debian packages:$missing"
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
if ! apt-get install -y -q --no-install-recommends $missing >/dev/null; then
	apt-get update -q >/dev/null
	apt-get install -y -q --no-install-recommends $missing >/dev/null
fi
