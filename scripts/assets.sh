#!/bin/sh
# Browser assets from npm into static/vendor (NL Design System CSS, htmx).
# With "dev" the test tools (playwright-core, axe-core) are installed too.
set -eu
cd "$(dirname "$0")/.."
mode=${1:-prod}
stamp=node_modules/.campus-stamp-$mode
fresh() { [ -f "$1" ] && [ ! package-lock.json -nt "$1" ]; }
# A dev install satisfies prod as well; never let prod strip the test tools.
if fresh "$stamp" || { [ "$mode" = prod ] && fresh node_modules/.campus-stamp-dev; }; then
	:
else
	rm -f node_modules/.campus-stamp-*
	if [ "$mode" = dev ]; then
		npm ci --no-audit --no-fund --loglevel=error
	else
		npm ci --omit=dev --no-audit --no-fund --loglevel=error
	fi
	touch "$stamp"
fi
mkdir -p static/vendor
cp node_modules/@utrecht/component-library-css/dist/index.css static/vendor/utrecht.css
cp node_modules/@utrecht/design-tokens/dist/theme.css static/vendor/utrecht-tokens.css
cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js
