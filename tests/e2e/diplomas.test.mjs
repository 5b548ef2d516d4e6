// The campus administrator keeps the diploma rules: finds them from Mijn
// Campus, sees the sector's rules, makes a new one (a minimum of 0 points
// refused first, with what was typed kept), and changes it (a new revision).
// On a laptop and a phone, with and without JavaScript; every page axe clean
// and without sideways scrolling. A learner cannot reach the pages.
import assert from 'node:assert/strict';
import { test, useCampus } from './common.mjs';
import { checkPage, logIn, navigate } from './flows.mjs';
import { DESKTOP, PHONE } from './browser.mjs';

const { withPage } = useCampus();

const variants = [
	['laptop', DESKTOP],
	['phone', PHONE],
	['phone, no JavaScript', { ...PHONE, javaScriptEnabled: false }],
];

for (const [label, options] of variants) {
	test(`the campus administrator makes a diploma rule (${label})`, async () => {
		await withPage(options, async ({ page, allowStatus }) => {
			await logIn(page, 'beheerder@campus.demo');
			await navigate(page, () => page.getByRole('link', { name: "Diploma's", exact: true }).click());
			assert.equal(new URL(page.url()).pathname, '/beheer/diplomas');
			const list = await page.locator('main').innerText();
			for (const name of ['Nascholing Bibliothecaris', 'Branche-opleiding Bibliothecaris',
				'Maatschappelijk-educatieve bibliothecaris', 'Community librarian',
				'Informatie-dienstverlenende bibliothecaris'])
				assert.match(list, new RegExp(name));
			await checkPage(page, `diploma rules (${label})`);

			await navigate(page, () => page.getByRole('link', { name: 'Nieuw diploma' }).click());
			const name = `Leesconsulent ${label} ${Date.now()}`;
			await page.getByLabel('Naam van het diploma').fill(name);
			await page.getByLabel('Beschrijving').fill('Voor wie op school leesbevordering doet.');
			await page.getByLabel('Minimaal aantal erkende punten').fill('0');
			await page.getByLabel('Periode in maanden').fill('24');
			await page.getByLabel('Medewerkers').check();
			await page.getByLabel('Maatschappelijk-educatieve bibliothecaris').fill('20');
			allowStatus('/beheer/diplomas/nieuw');
			const res = await navigate(page, () => page.getByRole('button', { name: 'Diploma opslaan' }).click());
			assert.equal(res.status(), 400);
			assert.match(await page.getByRole('alert').innerText(), /groter zijn dan 0/);
			assert.equal(await page.getByLabel('Naam van het diploma').inputValue(), name);
			assert.equal(await page.getByLabel('Maatschappelijk-educatieve bibliothecaris').inputValue(), '20');
			await checkPage(page, `new diploma rule, refused (${label})`);

			await page.getByLabel('Minimaal aantal erkende punten').fill('35,5');
			await navigate(page, () => page.getByRole('button', { name: 'Diploma opslaan' }).click());
			assert.match(new URL(page.url()).pathname, /^\/beheer\/diplomas\/\d+$/);
			assert.match(await page.getByRole('status').first().innerText(), /opgeslagen/);
			const main = await page.locator('main').innerText();
			assert.match(main, /Versie 1\./);
			assert.match(main, /Nog niemand heeft dit diploma/);
			assert.equal(await page.getByLabel('Minimaal aantal erkende punten').inputValue(), '35,5');
			await checkPage(page, `diploma rule (${label})`);
		});
	});

	test(`the campus administrator changes a sector rule (${label})`, async () => {
		await withPage(options, async ({ page }) => {
			await logIn(page, 'beheerder@campus.demo');
			await page.goto('/beheer/diplomas');
			await navigate(page, () => page.getByRole('link', { name: 'Community librarian' }).click());
			const version = Number((await page.locator('main').innerText()).match(/Versie (\d+)\./)[1]);
			const text = `Domeindiploma, gewijzigd (${label}, ${Date.now()}).`;
			await page.getByLabel('Beschrijving').fill(text);
			await navigate(page, () => page.getByRole('button', { name: 'Wijzigingen opslaan' }).click());
			assert.match(await page.locator('main').innerText(), new RegExp(`Versie ${version + 1}\\.`));
			assert.equal(await page.getByLabel('Beschrijving').inputValue(), text);
			await checkPage(page, `changed rule (${label})`);
		});
	});
}

test('a learner does not reach the diploma rules', async () => {
	await withPage(PHONE, async ({ page, allowStatus }) => {
		await logIn(page, 'medewerker@bibliotheek-utrecht.demo');
		allowStatus('/beheer/diplomas');
		assert.equal(await page.getByRole('link', { name: "Diploma's", exact: true }).count(), 0);
		const res = await page.goto('/beheer/diplomas');
		assert.equal(res.status(), 403);
		await checkPage(page, 'diploma rules, refused');
	});
});
