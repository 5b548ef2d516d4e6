#!/bin/bash
# Static house rules, as TAP. $1: the build directory (for the campus binary).
set -u
cd "$(dirname "$0")/.."
BUILD=${1:-build}
n=0
check() { # check DESCRIPTION COMMAND... (passes when the command succeeds)
	n=$((n + 1))
	local out
	if out=$("${@:2}" 2>&1); then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		printf '%s\n' "$out" | sed 's/^/# /'
	fi
}
none() { ! grep -rnE "$@"; }

check "src/domain includes no HTTP or SQL-driver header" \
	none '#include *[<"](microhttpd|sqlite3|libpq-fe)\.h' src/domain
check "no banned functions (sprintf strcpy strcat atoi strtok system alloca gets)" \
	none '(^|[^a-z_.>])(sprintf|strcpy|strcat|atoi|strtok|system|alloca|gets) *\(' src tests/unit tests/http tests/fuzz
check "layers point down: core includes nothing above it" \
	none '#include "(db|view|http|domain|web)/' src/core
check "layers point down: db includes only core" \
	none '#include "(view|http|domain|web)/' src/db
# view/pdf.h is the one exception: credentials, diplomas and the dossier are
# documents the domain itself renders (contract of issue 6).
check "layers point down: domain does not include http, view or web" \
	none -e '#include "(http|web)/' -e '#include "view/([^p]|p[^d])' src/domain
check "every template compiles" "$BUILD/campus" template check templates
check "every Dutch text has an English translation" scripts/po.sh --check "$BUILD"
echo "1..$n"
