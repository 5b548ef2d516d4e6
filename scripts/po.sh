#!/bin/bash
# Dutch msgids from C (_(), N_(), req_tr()) and templates ({{#_}}...{{/_}}).
#   scripts/po.sh [BUILD]          merge them into po/en.po (then translate)
#   scripts/po.sh --check [BUILD]  fail when a msgid has no English translation
set -eu
cd "$(dirname "$0")/.."
check=
if [ "${1:-}" = --check ]; then check=1; shift; fi
BUILD=${1:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
find src -name '*.c' | sort | xargs xgettext --from-code=UTF-8 --language=C \
	--keyword=_ --keyword=N_ --keyword=req_tr:2 --add-location=file -o "$tmp/c.pot"
"$BUILD/campus" template msgids templates >"$tmp/t-dup.pot"
msguniq -o "$tmp/t.pot" "$tmp/t-dup.pot"
msgcat -o "$tmp/campus.pot" "$tmp/c.pot" "$tmp/t.pot"
if [ -n "$check" ]; then
	msgcmp po/en.po "$tmp/campus.pot"
else
	msgmerge -q --update --backup=none --no-fuzzy-matching po/en.po "$tmp/campus.pot"
	echo "po/en.po updated. Translate the new entries by hand, or list Dutch/English line"
	echo "pairs in a file and run: scripts/po-fill.py PAIRS"
	echo "Untranslated:"
	msgattrib --untranslated --no-obsolete po/en.po | grep -c '^msgid' || true
fi
