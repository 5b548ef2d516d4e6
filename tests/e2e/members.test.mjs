// A library's manager adds a member, changes the roles and ends the
// membership, as a new user would; every page axe clean, on a laptop and on a
// phone, and the same without JavaScript.
import assert from 'node:assert/strict';
import { test, useCampus } from './common.mjs';
import { expectAxeClean } from './axe.mjs';
import { DESKTOP, PHONE, horizontalOverflow } from './browser.mjs';

const { withPage } = useCampus();
const PASSWORD = 'Campus-demo-2026';
const MANAGER = 'manager@bibliotheek-utrecht.demo';

async function checkPage(page, label) {
	await expectAxeClean(page, label);
	assert.equal(await horizontalOverflow(page), null, `${label}: horizontal scrolling`);
}

async function navigate(page, action) {
	const [res] = await Promise.all([page.waitForNavigation(), action()]);
	await page.waitForLoadState('load');
	return res;
}

const RUNS = [
	{ label: 'laptop', options: DESKTOP, who: 'laptop' },
	{ label: 'phone', options: PHONE, who: 'telefoon' },
	{ label: 'without JavaScript', options: { ...DESKTOP, javaScriptEnabled: false }, who: 'nojs' },
];

for (const { label, options, who } of RUNS) {
	test(`a manager adds a member, changes the roles and ends the membership (${label})`, async () => {
		await withPage(options, async ({ page, allowStatus }) => {
			allowStatus('/b/bibliotheek-utrecht/leden/nieuw'); // the refused duplicate is a 409 page
			await page.goto('/inloggen');
			await page.getByLabel('E-mailadres').fill(MANAGER);
			await page.getByLabel('Wachtwoord').fill(PASSWORD);
			await navigate(page, () => page.getByRole('button', { name: 'Inloggen' }).click());
			await navigate(page, () => page.getByRole('link', { name: 'Leden van mijn organisatie' }).click());
			await navigate(page, () => page.getByRole('link', { name: 'Lid toevoegen' }).click());
			assert.equal(new URL(page.url()).pathname, '/b/bibliotheek-utrecht/leden/nieuw');
			if (options.javaScriptEnabled !== false) await checkPage(page, `lid toevoegen (${label})`);
			// A manager can hand out learner, manager and teacher; not the campus roles.
			assert.equal(await page.getByLabel('campusbeheerder').count(), 0);

			const email = `e2e.${who}.${Date.now()}@example.nl`;
			await page.getByLabel('E-mailadres').fill(email);
			await page.getByLabel('Naam').fill(`Proef Persoon ${who}`);
			await page.getByLabel('vrijwilliger').check();
			let res = await navigate(page, () => page.getByRole('button', { name: 'Lid toevoegen' }).click());
			assert.equal(res.status(), 200);
			assert.match(new URL(page.url()).pathname, /^\/b\/bibliotheek-utrecht\/leden\/\d+$/);
			assert.equal((await page.locator('h1').innerText()).trim(), `Proef Persoon ${who}`);
			assert.match(await page.getByRole('status').first().innerText(), /toegevoegd/);
			if (options.javaScriptEnabled !== false) await checkPage(page, `lid (${label})`);

			// The same address again: a clear refusal, nothing added.
			await page.goto('/b/bibliotheek-utrecht/leden/nieuw');
			await page.getByLabel('E-mailadres').fill(email);
			await page.getByLabel('Naam').fill('Nog een keer');
			res = await navigate(page, () => page.getByRole('button', { name: 'Lid toevoegen' }).click());
			assert.equal(res.status(), 409);
			assert.match(await page.getByRole('alert').innerText(), /al lid/);
			if (options.javaScriptEnabled !== false) await checkPage(page, `lid dubbel (${label})`);

			await page.goBack();
			await page.goBack();
			await page.waitForLoadState('load');
			await page.getByLabel('docent').check();
			res = await navigate(page, () => page.getByRole('button', { name: 'Wijzigingen opslaan' }).click());
			assert.equal(res.status(), 200);
			assert.ok(await page.getByLabel('docent').isChecked(), 'the teacher role is kept');
			assert.match(await page.getByRole('status').first().innerText(), /gewijzigd/);

			res = await navigate(page, () => page.getByRole('button', { name: 'Lidmaatschap beëindigen' }).click());
			assert.equal(res.status(), 200);
			assert.equal(new URL(page.url()).pathname, '/b/bibliotheek-utrecht/leden');
			assert.match(await page.getByRole('status').first().innerText(), /beëindigd/);
		});
	});
}

for (const [label, options] of [['laptop', DESKTOP], ['phone', PHONE], ['without JavaScript', { ...DESKTOP, javaScriptEnabled: false }]]) {
	test(`an employee who also volunteers elsewhere switches organisation (${label})`, async () => {
		await withPage(options, async ({ page }) => {
			await page.goto('/inloggen');
			await page.getByLabel('E-mailadres').fill('medewerker@bibliotheek-utrecht.demo');
			await page.getByLabel('Wachtwoord').fill(PASSWORD);
			await navigate(page, () => page.getByRole('button', { name: 'Inloggen' }).click());
			assert.equal(new URL(page.url()).pathname, '/mijn');
			const facts = page.locator('dl.campus-facts');
			assert.match(await facts.innerText(), /De Bibliotheek Utrecht/);
			const switches = page.getByRole('button', { name: /Hier gaan werken/ });
			assert.equal(await switches.count(), 1, 'one other organisation to switch to');
			const other = (await switches.innerText()).replace(/^Hier gaan werken\s*:\s*/, '').trim();
			if (options.javaScriptEnabled !== false) await checkPage(page, `mijn, twee organisaties (${label})`);
			const res = await navigate(page, () => switches.click());
			assert.equal(res.status(), 200);
			assert.match(await page.getByRole('status').first().innerText(), /andere organisatie/);
			const now = await facts.innerText();
			assert.ok(now.includes(other) && !now.includes('De Bibliotheek Utrecht'), `now working in ${other}: ${now}`);
			// As a volunteer there, the members list of that library is not for this person.
			if (options.javaScriptEnabled !== false) await checkPage(page, `mijn na wisselen (${label})`);
		});
	});
}
