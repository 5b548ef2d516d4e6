#!/usr/bin/env python3
"""Fill the empty msgstr of po/en.po from a file of pairs (one line Dutch,
the next English), in place; multi-line msgids are matched whole.
   scripts/po-fill.py PAIRS"""
import sys,re
pairs=[l.rstrip('\n') for l in open(sys.argv[1]) if l.strip()]
tr=dict(zip(pairs[0::2],pairs[1::2]))
po=open('po/en.po').read()
def q(s): return '"' + s.replace('\\','\\\\').replace('"','\\"') + '"'
def unq(block): return ''.join(re.findall(r'"((?:[^"\\]|\\.)*)"', block)).replace('\\"','"').replace('\\\\','\\')
out=[];n=0
for entry in po.split('\n\n'):
    m=re.search(r'^msgid ((?:".*"\n?)+)msgstr ""\s*$', entry, re.M)
    if m and not entry.lstrip().startswith('#~'):
        mid=unq(m.group(1))
        if mid and mid in tr:
            entry=entry[:m.start()]+'msgid '+m.group(1).rstrip('\n')+'\nmsgstr '+q(tr[mid])
            n+=1
    out.append(entry)
open('po/en.po','w').write('\n\n'.join(out))
print(n,'filled')
