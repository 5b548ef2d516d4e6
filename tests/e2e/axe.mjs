// axe-core on the current page with the WCAG 2.0/2.1/2.2 A and AA rules.
// expectAxeClean() fails with every violation spelled out: the rule, its
// impact, the help page, and for each element its selector, HTML and why.
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import { optionsOf } from './browser.mjs';

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export function formatViolations(violations) {
	const lines = [];
	for (const v of violations) {
		lines.push(`[${v.impact}] ${v.id}: ${v.help}`);
		lines.push(`    ${v.helpUrl}`);
		for (const n of v.nodes) {
			lines.push(`    at ${n.target.join(' ')}`);
			lines.push(`       ${n.html.replace(/\s+/g, ' ').slice(0, 300)}`);
			const why = (n.failureSummary || '').split('\n').map((s) => s.trim()).filter(Boolean);
			for (const w of why) lines.push(`       ${w}`);
		}
	}
	return lines.join('\n');
}

function analyze(page) {
	return new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
}

// axe needs JavaScript in the page (timers, promises). For a page opened
// without it, axe runs on a copy: the same DOM, served at the same URL with the
// same context options but JavaScript on, in a context of its own.
async function analyzeCopy(page) {
	const { javaScriptEnabled, ...options } = optionsOf(page);
	const html = await page.content();
	const url = page.url().replace(/#.*$/, '');
	const context = await page.context().browser().newContext(options);
	try {
		const copy = await context.newPage();
		await copy.route(url, (route) =>
			route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }));
		await copy.goto(url);
		return await analyze(copy);
	} finally {
		await context.close();
	}
}

/** Runs axe on `page`; throws an AssertionError listing every violation. */
export async function expectAxeClean(page, label = page.url()) {
	const noScript = optionsOf(page).javaScriptEnabled === false;
	const results = noScript ? await analyzeCopy(page) : await analyze(page);
	const v = results.violations;
	if (v.length > 0) {
		const msg = `axe: ${v.length} WCAG violation(s) on ${label}\n${formatViolations(v)}`;
		// Also on stderr, so it shows plainly in the log and not only inside TAP YAML.
		console.error(msg);
		assert.fail(msg);
	}
	return results;
}

/**
 * Text over a background gradient: axe leaves it "incomplete" (for review)
 * because it cannot tell which colour lies behind each letter, so this checks
 * the text colour against every colour stop of the gradient and the
 * background colour under it (WCAG 1.4.3: 4.5:1, large text 3:1).
 * Returns the failures as readable lines.
 */
export async function gradientContrastFailures(page) {
	return page.evaluate(() => {
		const parse = (s) => {
			const m = /rgba?\(([^)]*)\)/.exec(s);
			if (!m) return null;
			const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
			return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
		};
		const lin = (c) => {
			c /= 255;
			return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
		};
		const lum = (c) => 0.2126 * lin(c[0]) + 0.7152 * lin(c[1]) + 0.0722 * lin(c[2]);
		const ratio = (a, b) => {
			const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
			return (x + 0.05) / (y + 0.05);
		};
		const hex = (c) => '#' + c.slice(0, 3).map((v) => v.toString(16).padStart(2, '0')).join('');
		const out = [];
		for (const el of document.body.querySelectorAll('*')) {
			const text = [...el.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join('').trim();
			if (!text) continue;
			const r = el.getBoundingClientRect();
			const cs = getComputedStyle(el);
			if (r.width <= 1 || r.height <= 1 || cs.visibility === 'hidden') continue;
			const fg = parse(cs.color);
			let stops = [];
			let gradient = false;
			for (let n = el; n; n = n.parentElement) {
				const ns = getComputedStyle(n);
				if (ns.backgroundImage && ns.backgroundImage !== 'none') {
					const colors = ns.backgroundImage.match(/rgba?\([^)]*\)/g) || [];
					if (colors.length) gradient = true;
					stops.push(...colors.map(parse));
				}
				const bg = parse(ns.backgroundColor);
				if (bg && bg[3] > 0) {
					stops.push(bg);
					break;
				}
			}
			if (!gradient) continue; // solid backgrounds are axe's job
			stops = stops.filter((c) => c && c[3] > 0);
			const px = parseFloat(cs.fontSize);
			const large = px >= 24 || (px >= 18.66 && Number(cs.fontWeight) >= 700);
			const need = large ? 3 : 4.5;
			const worst = Math.min(...stops.map((c) => ratio(fg, c)));
			if (worst < need) {
				const where = el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).trim().split(/\s+/).join('.') : '');
				out.push(`${where} "${text.slice(0, 60)}": ${hex(fg)} on ${stops.map(hex).join('/')} = ${worst.toFixed(2)}:1, needs ${need}:1`);
			}
		}
		return out;
	});
}
