// The study dossier as a learner and their manager would open it: the
// Utrecht employee goes from Mijn Campus to "Mijn dossier", reads the summary,
// opens "Waarom heb ik deze punten?" for a year when there are points, and
// downloads the JSON export and the PDF; the Utrecht manager opens a team member's
// dossier from the team page. Every page axe clean and without sideways
// scrolling, on a laptop and on a phone, with and without JavaScript.

import assert from 'node:assert/strict';
import { test, useCampus } from './common.mjs';
import { DESKTOP, PHONE } from './browser.mjs';
import { checkPage, logIn, navigate } from './flows.mjs';

const { withPage } = useCampus();
const EMPLOYEE = 'medewerker@bibliotheek-utrecht.demo';
const MANAGER = 'manager@bibliotheek-utrecht.demo';

const variants = [
	{ label: 'laptop', options: DESKTOP },
	{ label: 'phone', options: PHONE },
	{ label: 'laptop, no JavaScript', options: { ...DESKTOP, javaScriptEnabled: false } },
	{ label: 'phone, no JavaScript', options: { ...PHONE, javaScriptEnabled: false } },
];

for (const { label, options } of variants) {
	test(`my dossier (${label})`, async () => {
		await withPage(options, async ({ page }) => {
			await logIn(page, EMPLOYEE);
			await navigate(page, () => page.getByRole('link', { name: /Mijn dossier/ }).click());
			assert.equal(new URL(page.url()).pathname, '/mijn/dossier');
			await assert.doesNotReject(page.getByRole('heading', { level: 1, name: 'Mijn studiedossier' }).waitFor());
			// The summary comes first: this year's points and the total.
			const figures = page.locator('.campus-dossier-figures');
			assert.match(await figures.innerText(), /Punten dit jaar[\s\S]*Punten in totaal/);
			for (const name of ['Punten per jaar', 'Gevolgde modules', "Certificaten en diploma's", 'Op weg naar een diploma', 'Wat kan ik hierna volgen?'])
				await page.getByRole('heading', { level: 2, name }).waitFor();
			await checkPage(page, `my dossier, ${label}`);
			// Every row of a year behind "why": open the first year's.
			const why = page.locator('details.campus-dossier-why').first();
			if (await why.count()) {
				await why.locator('summary').click();
				assert.ok(await why.evaluate((d) => d.open), 'the rows open');
				assert.ok(await why.locator('.campus-dossier-row').count() > 0, 'a year with points shows its rows');
				await checkPage(page, `my dossier with the rows open, ${label}`);
			}
		});
	});
}

test('the export is complete JSON, the PDF a PDF', async () => {
	await withPage(DESKTOP, async ({ page }) => {
		await logIn(page, EMPLOYEE);
		await page.goto('/mijn/dossier');
		const href = await page.getByRole('link', { name: /als JSON/ }).getAttribute('href');
		const res = await page.request.get(href);
		assert.equal(res.status(), 200);
		assert.match(res.headers()['content-type'], /application\/json/);
		const d = await res.json();
		assert.equal(d.version, 1);
		assert.equal(d.person.email, EMPLOYEE);
		for (const key of ['totals', 'years', 'domains', 'completions', 'ledger', 'credentials', 'diploma_progress', 'norms'])
			assert.ok(key in d, `the export has ${key}`);
		for (const c of d.completions) {
			assert.ok('module' in c && 'provider' in c && 'domains' in c && c.completed_at && c.source, 'a complete completion');
		}
		for (const c of d.credentials) assert.match(c.verification_url, /\/verify\/[0-9A-Z]{16}$/);
		// The schema it names is served.
		const schema = await page.request.get(new URL(d.$schema).pathname);
		assert.equal(schema.status(), 200);
		const pdfHref = await page.getByRole('link', { name: /als PDF/ }).getAttribute('href');
		const pdf = await page.request.get(pdfHref);
		assert.equal(pdf.status(), 200);
		assert.equal(pdf.headers()['content-type'], 'application/pdf');
		assert.equal((await pdf.body()).subarray(0, 5).toString('latin1'), '%PDF-');
	});
});

for (const { label, options } of [variants[0], variants[3]]) {
	test(`a manager opens a team member's dossier (${label})`, async () => {
		await withPage(options, async ({ page }) => {
			await logIn(page, MANAGER);
			await page.goto('/b/bibliotheek-utrecht/team');
			await checkPage(page, `the team page with its dossier links, ${label}`);
			const link = page.getByRole('link', { name: /^Dossier/ }).first();
			await navigate(page, () => link.click());
			assert.match(new URL(page.url()).pathname, /^\/b\/bibliotheek-utrecht\/team\/\d+\/dossier$/);
			await page.getByRole('heading', { level: 1, name: /^Studiedossier van / }).waitFor();
			// Whatever the person learned elsewhere is theirs: the page says so, and offers no export.
			assert.equal(await page.getByRole('link', { name: /als JSON/ }).count(), 0);
			await checkPage(page, `a team member's dossier, ${label}`);
		});
	});
}
