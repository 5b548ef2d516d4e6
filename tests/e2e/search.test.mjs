// The offering (/aanbod): a learner searches with a Dutch word form and
// filters, without JavaScript (GET form, submit button) and with htmx (the
// search area swaps in place and the URL follows); axe clean on a laptop and a
// phone. Modules come from bench/search-modules.sql, indexed with
// `campus search reindex` while the server runs (it notices the new generation).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test, useCampus } from './common.mjs';
import { expectAxeClean } from './axe.mjs';
import { DESKTOP, PHONE, horizontalOverflow } from './browser.mjs';
import { repoRoot } from './server.mjs';

const { state, withPage, serverSql } = useCampus();

// Once per file, when the server is up (the hooks of useCampus start it).
let seeded = false;
function seed() {
	if (seeded) return;
	seeded = true;
	const file = path.join(state.server.dir, 'campus.db');
	const sql = 'CREATE TEMP TABLE settings (value INTEGER); INSERT INTO settings VALUES (300);\n' +
		fs.readFileSync(path.join(repoRoot, 'bench/search-modules.sql'), 'utf8');
	serverSql(sql);
	const bin = path.resolve(repoRoot, process.env.CAMPUS_BIN || 'build/campus');
	execFileSync(bin, ['--db', `sqlite:${file}`, 'search', 'reindex'], { cwd: repoRoot, timeout: 30000 });
}

const count = async (page) => (await page.locator('#zoeken [role="status"]').innerText()).trim();

test('search and filter without JavaScript', async () => {
	seed();
	await withPage({ ...DESKTOP, javaScriptEnabled: false }, async ({ page }) => {
		await page.goto('/aanbod');
		await expectAxeClean(page, '/aanbod (no JavaScript)');
		await page.getByLabel('Zoekwoorden').fill('voorlezen');
		await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Zoeken' }).click()]);
		assert.match(page.url(), /\/aanbod\?q=voorlezen/);
		const all = await count(page);
		assert.match(all, /^\d+ modules gevonden/);
		// "voorlezen" finds the VoorleesExpress modules by its stem.
		assert.ok(await page.locator('.campus-result h3', { hasText: /voorleesexpress/i }).count() > 0);
		await page.getByRole('checkbox', { name: /^Klassikaal/ }).check();
		await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Zoeken' }).click()]);
		assert.match(page.url(), /vorm=klassikaal/);
		assert.notEqual(await count(page), all);
		assert.equal(await page.getByRole('checkbox', { name: /^Klassikaal/ }).isChecked(), true);
		// Every card's heading links to the module page.
		const href = await page.locator('.campus-result h3 a').first().getAttribute('href');
		assert.match(href, /^\/aanbod\/\d+$/);
		await expectAxeClean(page, '/aanbod filtered (no JavaScript)');
	});
});

for (const [label, options] of [['laptop', DESKTOP], ['phone', PHONE]]) {
	test(`htmx swaps the results and keeps the URL shareable (${label})`, async () => {
		seed();
		await withPage(options, async ({ page }) => {
			await page.goto('/aanbod?q=vrijwilligers');
			await page.evaluate(() => { window.campusMarker = 'same page'; });
			const before = await count(page);
			await Promise.all([
				page.waitForResponse((r) => r.url().includes('prijs=gratis') && r.request().headers()['hx-request'] === 'true'),
				page.getByRole('checkbox', { name: /^Gratis/ }).check(),
			]);
			await page.waitForURL(/prijs=gratis/);
			assert.equal(await page.evaluate(() => window.campusMarker), 'same page'); // no reload
			await page.waitForFunction((b) => document.querySelector('#zoeken [role="status"]').textContent.trim() !== b, before);
			assert.equal(await page.getByRole('checkbox', { name: /^Gratis/ }).isChecked(), true);
			assert.equal(await horizontalOverflow(page), null);
			await expectAxeClean(page, `/aanbod after htmx (${label})`);
			// The URL alone gives the same search.
			const url = page.url();
			await page.goto(url);
			assert.equal(await page.getByRole('checkbox', { name: /^Gratis/ }).isChecked(), true);
		});
	});
}
