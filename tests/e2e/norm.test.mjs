// The annual PE norm, as a new user would try it: the campus administrator
// sets this year's sector default for employees (20 points, at most 5 of
// them study points, mandatory) and reads the report per library; the
// Utrecht manager finds "PE-norm" on /mijn, tries an own norm below the
// sector's (refused with the reason), sets 24,5 and removes it again; then
// filters who is behind, sorts by points earned and downloads the CSV. On
// a laptop and a phone, with and without JavaScript; every page axe clean.
import assert from 'node:assert/strict';
import { test, useCampus } from './common.mjs';
import { DESKTOP, PHONE } from './browser.mjs';
import { checkPage, logIn, navigate } from './flows.mjs';

const { withPage } = useCampus();
const MANAGER = 'manager@bibliotheek-utrecht.demo';
const ADMIN = 'beheerder@campus.demo';

test('the campus administrator sets the sector default and reads the report', async () => {
	await withPage(DESKTOP, async ({ page }) => {
		await logIn(page, ADMIN);
		await navigate(page, () => page.getByRole('link', { name: 'PE-norm van de sector' }).click());
		assert.equal(new URL(page.url()).pathname, '/beheer/pe-norm');
		await checkPage(page, 'sector norm');
		await page.locator('#punten-medewerkers').fill('20');
		await page.locator('#studie-medewerkers').fill('5');
		await page.locator('#verplicht-medewerkers').check();
		const res = await navigate(page, () => page.locator('form:has(#punten-medewerkers)').getByRole('button').click());
		assert.equal(res.status(), 200);
		assert.match(await page.getByRole('status').first().innerText(), /De norm van de sector is opgeslagen/);
		assert.equal(await page.locator('#punten-medewerkers').inputValue(), '20');
		assert.ok(await page.locator('#verplicht-medewerkers').isChecked());
		await checkPage(page, 'sector norm saved');
		await navigate(page, () => page.getByRole('link', { name: 'Rapport per bibliotheek' }).click());
		await checkPage(page, 'sector report');
		const row = page.getByRole('row').filter({ hasText: 'Bibliotheek Utrecht' });
		const cells = await row.getByRole('cell').allInnerTexts();
		assert.ok(Number(cells[0]) > 0, `Utrecht has members: ${cells}`);
		assert.equal(Number(cells[1]) + Number(cells[2]) + Number(cells[3]) <= Number(cells[0]), true);
	});
});

for (const [label, options] of [['laptop', DESKTOP], ['phone', PHONE]]) {
	for (const js of [true, false]) {
		const how = `${label}, ${js ? 'with' : 'without'} JavaScript`;
		test(`a library manager's own norm: refused below the sector's, saved above, removed (${how})`, async () => {
			await withPage({ ...options, javaScriptEnabled: js }, async ({ page, allowStatus }) => {
				await logIn(page, MANAGER);
				await navigate(page, () => page.getByRole('link', { name: 'PE-norm', exact: true }).click());
				assert.equal(new URL(page.url()).pathname, '/b/bibliotheek-utrecht/pe-norm');
				await checkPage(page, `library norm (${how})`);
				assert.match(await page.locator('main').innerText(), /Norm van de sector\s*20 punten/);

				// Below the sector's: refused (422), with the reason at the field.
				allowStatus('/b/bibliotheek-utrecht/pe-norm');
				await page.locator('#punten-medewerkers').fill('15');
				let res = await navigate(page, () => page.locator('form:has(#punten-medewerkers)').getByRole('button').click());
				assert.equal(res.status(), 422);
				assert.match(await page.locator('#fout-medewerkers').innerText(), /niet lager zijn dan de norm van de sector/);
				assert.equal(await page.locator('#punten-medewerkers').getAttribute('aria-invalid'), 'true');
				await checkPage(page, `library norm refused (${how})`);

				// Above: saved, and it applies.
				await page.locator('#punten-medewerkers').fill('24,5');
				await page.locator('#studie-medewerkers').fill('5');
				await page.locator('#verplicht-medewerkers').check();
				res = await navigate(page, () => page.locator('form:has(#punten-medewerkers)').getByRole('button').click());
				assert.equal(res.status(), 200);
				assert.match(await page.getByRole('status').first().innerText(), /De eigen norm is opgeslagen/);
				assert.match(await page.locator('main').innerText(), /Geldt bij u\s*24,5 punten/);

				// Removed again: the sector's norm applies.
				res = await navigate(page, () => page.getByRole('button', { name: /Eigen norm verwijderen.*Medewerkers/ }).click());
				assert.equal(res.status(), 200);
				assert.match(await page.getByRole('status').first().innerText(), /de norm van de sector geldt/);
				assert.match(await page.locator('main').innerText(), /Geldt bij u\s*20 punten/);
			});
		});

		test(`a library manager sees who is behind, sorts and downloads the CSV (${how})`, async () => {
			await withPage({ ...options, javaScriptEnabled: js }, async ({ page }) => {
				await logIn(page, MANAGER);
				await page.goto('/b/bibliotheek-utrecht/pe-norm');
				await page.getByLabel('Stand', { exact: true }).selectOption('achter');
				await navigate(page, () => page.getByRole('button', { name: 'Filteren' }).click());
				const states = await page.locator('tbody .campus-badge').allInnerTexts();
				assert.ok(states.length > 0, 'someone is behind in December');
				assert.deepEqual([...new Set(states)], ['Achter']);
				// Most points first: the header once for ascending, again for descending.
				await navigate(page, () => page.getByRole('link', { name: 'Behaald' }).click());
				await navigate(page, () => page.getByRole('link', { name: 'Behaald' }).click());
				assert.match(page.url(), /sorteer=behaald&richting=af/);
				assert.equal(await page.getByRole('columnheader', { name: 'Behaald' }).getAttribute('aria-sort'), 'descending');
				await checkPage(page, `who is behind (${how})`);

				const href = await page.getByRole('link', { name: 'Download als CSV' }).getAttribute('href');
				const csv = await page.request.get(href);
				assert.equal(csv.status(), 200);
				assert.match(csv.headers()['content-type'], /^text\/csv/);
				const lines = (await csv.text()).trim().split('\r\n');
				assert.equal(lines[0], '"Naam";"Soort";"Maanden";"Vereist (naar rato)";"Behaald";"Stand"');
				// The CSV has everyone the filter keeps, the page 50 at a time.
				if (states.length < 50) assert.equal(lines.length - 1, states.length);
				else assert.ok(lines.length - 1 >= states.length);
				assert.ok(lines.slice(1).every((l) => l.endsWith('"Achter"')));
			});
		});
	}
}
