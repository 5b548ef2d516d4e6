#!/bin/bash
# Build the libFuzzer targets with clang and run each for FUZZ_SECONDS,
# starting from the seed corpus in tests/fuzz/corpus/<target>. TAP output.
set -u
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-8}
dir=build-fuzz
if [ ! -f $dir/build.ninja ]; then
	CC=clang meson setup $dir -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
		-Dbuildtype=debugoptimized >/dev/null || { echo "not ok 1 - fuzz build setup"; exit 1; }
fi
# Only the targets and the small library they link (campus_fuzz in
# meson.build), not the server and the translations, which this build does
# not use.
targets=$(ninja -C $dir -t targets all 2>/dev/null | sed -n 's|^\(tests/fuzz/fuzz_[a-z0-9_]*\): .*|\1|p')
[ -n "$targets" ] || { echo "not ok 1 - fuzz build: no fuzz targets in $dir"; exit 1; }
# shellcheck disable=SC2086
ninja -C $dir $targets >$dir/ninja.log 2>&1 || { echo "not ok 1 - fuzz build"; sed 's/^/# /' $dir/ninja.log | tail -30; exit 1; }
n=0
for t in $dir/tests/fuzz/fuzz_*; do
	[ -f "$t" ] && [ -x "$t" ] || continue
	name=$(basename "$t")
	n=$((n + 1))
	corpus=var/fuzz/$name
	mkdir -p "$corpus" var/fuzz/crashes
	seeds=tests/fuzz/corpus/$name
	[ -d "$seeds" ] || seeds=
	# The real catalogue is the best seed for the .mo reader.
	[ "$name" = fuzz_mo ] && [ -d build/po/en/LC_MESSAGES ] && seeds=build/po/en/LC_MESSAGES
	log=var/fuzz/$name.log
	if ASAN_OPTIONS=detect_leaks=1 "$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix=var/fuzz/crashes/"$name"- "$corpus" $seeds >"$log" 2>&1; then
		runs=$(grep -oE 'Done [0-9]+ runs' "$log" | grep -oE '[0-9]+' || echo '?')
		echo "ok $n - $name: $runs runs in ${secs}s, no crash"
	else
		echo "not ok $n - $name crashed (see $log and var/fuzz/crashes)"
		grep -E 'ERROR|SUMMARY' "$log" | head -5 | sed 's/^/# /'
	fi
done
echo "1..$n"
