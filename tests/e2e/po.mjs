// The English catalogue (po/en.po) as a map, so the tests expect the very
// text the translators wrote. en(msgid) is null for a missing or fuzzy entry.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './server.mjs';

function unquote(s) {
	return JSON.parse(s.replace(/\\([^"\\nt])/g, '$1'));
}

export function loadPo(file) {
	let text;
	try {
		text = readFileSync(file, 'utf8');
	} catch {
		return new Map();
	}
	const map = new Map();
	for (const block of text.split(/\n\s*\n/)) {
		const fuzzy = /^#,.*\bfuzzy\b/m.test(block);
		let key = null;
		const parts = { msgid: '', msgstr: '' };
		for (const line of block.split('\n')) {
			const m = /^(msgid|msgstr|msgctxt|msgid_plural|msgstr\[\d+\])\s+(".*")\s*$/.exec(line);
			if (m) {
				key = m[1] === 'msgstr[0]' ? 'msgstr' : m[1];
				if (key in parts) parts[key] = unquote(m[2]);
				else key = null;
			} else if (key && /^\s*".*"\s*$/.test(line)) {
				parts[key] += unquote(line.trim());
			}
		}
		if (parts.msgid && parts.msgstr && !fuzzy) map.set(parts.msgid, parts.msgstr);
	}
	return map;
}

const english = loadPo(path.join(repoRoot, 'po', 'en.po'));

export function en(msgid) {
	return english.get(msgid) ?? null;
}
