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
