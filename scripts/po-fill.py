#!/usr/bin/env python3
"""Write translations given as a msgid -> msgstr table (stdin, one pair per
two lines: Dutch, then English) into a .po fragment for msgcat --use-first."""
import sys
lines = [l.rstrip('\n') for l in sys.stdin if l.strip()]
def q(s): return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'
print('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n')
for nl, en in zip(lines[0::2], lines[1::2]):
    print('msgid %s\nmsgstr %s\n' % (q(nl), q(en)))
