// The review committee as new users meet it: a provider administrator places a
// module and offers it for review, the campus administrator checks that it is
// complete, the committee's chair assigns herself as reviewer, scores it and
// recognises it with points; the provider then sees "Erkend" with the points,
// and the public register lists it. Every page axe clean at laptop and phone
// width; the provider's part also once without JavaScript.
//
// The administrator and the chair log in with two steps (the demo secret);
// each keeps one browser context over the tests that are theirs, so a code is
// used once per person.
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { test, useCampus } from './common.mjs';
import { expectAxeClean } from './axe.mjs';
import { DESKTOP, PHONE, horizontalOverflow, openPage } from './browser.mjs';
import { DEMO_TOTP_SECRET, nextCode } from './totp.mjs';

const { state, withPage } = useCampus();
const PASSWORD = 'Campus-demo-2026';
const PROVIDER = 'aanbieder@go-opleidingen.demo';
const ADMIN = 'beheerder@campus.demo';
const CHAIR = 'commissie@campus.demo';
// A Dutch word form later finds it: "voorlezen" matches "Voorleesexpert".
const STAMP = `${Date.now()}`;
const TITLE = `Voorleesexpert: samen lezen met nieuwkomers ${STAMP}`;
const NOJS_TITLE = `Taalcafé organiseren ${STAMP}`;

let toetsingPath = null; // /b/go-opleidingen/modules/<id>/toetsing
let modulePath = null;   // /aanbod/<id>

async function checkPage(page, label) {
	await expectAxeClean(page, label);
	const overflow = await horizontalOverflow(page);
	assert.equal(overflow, null, `${label}: horizontal scrolling ${JSON.stringify(overflow)}`);
}

/** axe at laptop width and again at phone width, in the same context. */
async function checkBoth(page, label) {
	await page.setViewportSize(DESKTOP.viewport);
	await checkPage(page, `${label} (laptop)`);
	await page.setViewportSize(PHONE.viewport);
	await checkPage(page, `${label} (phone width)`);
	await page.setViewportSize(DESKTOP.viewport);
}

async function navigate(page, action) {
	const [res] = await Promise.all([page.waitForNavigation(), action()]);
	await page.waitForLoadState('load');
	return res;
}

async function logIn(page, email) {
	await page.goto('/inloggen');
	await page.getByLabel('E-mailadres').fill(email);
	await page.getByLabel('Wachtwoord').fill(PASSWORD);
	return navigate(page, () => page.getByRole('button', { name: 'Inloggen', exact: true }).click());
}

async function logInTwoSteps(page, email) {
	await logIn(page, email);
	assert.equal(new URL(page.url()).pathname, '/inloggen/code');
	await page.getByLabel('Code uit uw app').fill(await nextCode(DEMO_TOTP_SECRET, email));
	await navigate(page, () => page.getByRole('button', { name: 'Inloggen', exact: true }).click());
	assert.equal(new URL(page.url()).pathname, '/mijn');
}

async function status(page) {
	return (await page.getByRole('status').first().innerText()).trim();
}

/** Places a module through the form and opens its toetsing page from the module page. */
async function placeModule(page, title) {
	await navigate(page, () => page.getByRole('link', { name: 'Eigen aanbod (modules)' }).click());
	await navigate(page, () => page.getByRole('link', { name: 'Nieuwe module' }).click());
	await page.getByLabel('Titel', { exact: true }).fill(title);
	await page.getByLabel('Samenvatting').fill('Voorlezen en praten over boeken met mensen die Nederlands leren.');
	await page.getByLabel('Leerdoelen').fill('Je kiest een boek dat past bij het taalniveau\nJe leidt een gesprek');
	await page.getByLabel('Beschrijving').fill('## Opzet\n\nTwee bijeenkomsten met **oefeningen**.');
	await page.getByLabel('Niveau').selectOption('uitvoerend');
	await page.getByLabel('Studielast in uren').fill('4');
	await page.getByLabel('E-mailadres contactpersoon').fill('opleidingen@example.nl');
	await page.locator('input[name="domein"]').first().check();
	const res = await navigate(page, () => page.getByRole('button', { name: 'Opslaan' }).click());
	assert.equal(res.status(), 200);
	assert.match(new URL(page.url()).pathname, /^\/b\/go-opleidingen\/modules\/\d+$/);
	await navigate(page, () => page.getByRole('link', { name: 'toetsing', exact: true }).click());
	assert.match(new URL(page.url()).pathname, /^\/b\/go-opleidingen\/modules\/\d+\/toetsing$/);
}

test('a provider places a module and offers it to the committee (laptop)', async () => {
	await withPage(DESKTOP, async ({ page }) => {
		await logIn(page, PROVIDER);
		await placeModule(page, TITLE);
		toetsingPath = new URL(page.url()).pathname;
		assert.match(await page.locator('main').innerText(), /nog niet ter toetsing aangeboden/);
		await checkPage(page, 'toetsing, not yet offered (laptop)');
		const res = await navigate(page, () => page.getByRole('button', { name: 'Ter toetsing aanbieden' }).click());
		assert.equal(res.status(), 200);
		assert.equal(new URL(page.url()).pathname, toetsingPath);
		assert.match(await status(page), /aangeboden aan de toetsingscommissie/);
		assert.match(await page.locator('dl.campus-facts').innerText(), /Aangeboden/);
		assert.equal(await page.getByRole('button', { name: 'Ter toetsing aanbieden' }).count(), 0);
		await checkPage(page, 'toetsing, offered (laptop)');
	});
});

test("the provider's offered module on a phone", async () => {
	await withPage(PHONE, async ({ page }) => {
		await logIn(page, PROVIDER);
		await page.goto(toetsingPath);
		assert.ok(await page.getByRole('button', { name: 'Terugtrekken' }).isVisible());
		await checkPage(page, 'toetsing, offered (phone)');
	});
});

test('without JavaScript a provider places a module, offers it and withdraws it', async () => {
	await withPage({ ...DESKTOP, javaScriptEnabled: false }, async ({ page }) => {
		await logIn(page, PROVIDER);
		await placeModule(page, NOJS_TITLE);
		await checkPage(page, 'toetsing without JavaScript');
		await navigate(page, () => page.getByRole('button', { name: 'Ter toetsing aanbieden' }).click());
		assert.match(await status(page), /aangeboden aan de toetsingscommissie/);
		await navigate(page, () => page.getByRole('button', { name: 'Terugtrekken' }).click());
		assert.match(await status(page), /teruggetrokken/);
		assert.match(await page.locator('table').innerText(), /Teruggetrokken/);
		assert.ok(await page.getByRole('button', { name: 'Ter toetsing aanbieden' }).isVisible());
		await checkPage(page, 'toetsing withdrawn without JavaScript');
	});
});

test('the campus administrator checks the module for completeness', async () => {
	await withPage(DESKTOP, async ({ page }) => {
		await logInTwoSteps(page, ADMIN);
		await navigate(page, () => page.getByRole('link', { name: 'Toetsingscommissie' }).click());
		assert.equal(new URL(page.url()).pathname, '/commissie');
		await checkBoth(page, 'committee inbox, administrator');
		// The withdrawn module is not waiting.
		assert.equal(await page.getByRole('link', { name: NOJS_TITLE }).count(), 0);
		await navigate(page, () => page.getByRole('link', { name: TITLE }).click());
		assert.match(new URL(page.url()).pathname, /^\/commissie\/toetsingen\/\d+$/);
		assert.ok(await page.getByLabel('Compleet: door naar de beoordelaars').isChecked());
		await checkBoth(page, 'review page, check form');
		await navigate(page, () => page.getByRole('button', { name: 'Controle vastleggen' }).click());
		assert.match(await status(page), /bijgewerkt/);
		assert.match(await page.locator('main').innerText(), /Compleet, wacht op beoordelaars/);
		assert.equal(await page.getByRole('button', { name: 'Controle vastleggen' }).count(), 0);
	});
});

// The chair's browser lives over the next three tests.
let chair = null;
after(async () => {
	await chair?.close();
});

test('the chair assigns herself as reviewer', async () => {
	chair = await openPage(state.browser, state.server.baseURL, DESKTOP);
	const { page } = chair;
	await logInTwoSteps(page, CHAIR);
	const name = (await page.locator('dl.campus-facts dd').first().innerText()).trim();
	await navigate(page, () => page.getByRole('link', { name: 'Toetsingscommissie' }).click());
	await checkBoth(page, 'committee inbox, chair');
	await navigate(page, () => page.getByRole('link', { name: TITLE }).click());
	await checkBoth(page, 'review page, assign form');
	await page.getByLabel(name, { exact: true }).check();
	await navigate(page, () => page.getByRole('button', { name: 'Toewijzen' }).click());
	assert.match(await status(page), /bijgewerkt/);
	assert.match(await page.locator('main').innerText(), /In beoordeling/);
	chair.assertClean();
});

test('the chair scores every criterion', async () => {
	const { page } = chair;
	const selects = page.locator('select[name^="score_"]');
	assert.ok((await selects.count()) >= 3, 'a score for each criterion');
	await checkBoth(page, 'review page, score form');
	for (let i = 0; i < (await selects.count()); i++) await selects.nth(i).selectOption('4');
	await page.locator('textarea[name^="toelichting_"]').first().fill('Sterke leerdoelen.');
	await navigate(page, () => page.getByRole('button', { name: 'Scores opslaan' }).click());
	assert.match(await status(page), /bijgewerkt/);
	assert.match(await page.locator('main').innerText(), /scores gegeven/);
	chair.assertClean();
});

test('the chair recognises the module with points', async () => {
	const { page } = chair;
	await checkBoth(page, 'review page, decision form');
	assert.ok(await page.getByLabel('Erkennen').isChecked());
	await page.getByLabel('Punten (bij erkenning)').fill('2,5');
	await navigate(page, () => page.getByRole('button', { name: 'Besluit vastleggen' }).click());
	assert.match(await status(page), /bijgewerkt/);
	assert.match(await page.locator('dl.campus-facts').first().innerText(), /Erkend/);
	assert.equal(await page.getByRole('button', { name: 'Besluit vastleggen' }).count(), 0);
	await checkBoth(page, 'review page, decided');
	chair.assertClean();
	await chair.close();
	chair = null;
});

for (const [label, options] of [['laptop', DESKTOP], ['phone', PHONE], ['without JavaScript', { ...DESKTOP, javaScriptEnabled: false }]]) {
	test(`the provider sees the recognition and its points (${label})`, async () => {
		await withPage(options, async ({ page }) => {
			await logIn(page, PROVIDER);
			await page.goto(toetsingPath);
			const facts = await page.locator('dl.campus-facts').innerText();
			assert.match(facts, /Erkend/);
			assert.match(facts, /2,5 punten/);
			assert.match(await page.locator('main').innerText(), /Scores/);
			await checkPage(page, `toetsing, recognised (${label})`);
			modulePath = `/aanbod/${toetsingPath.split('/')[4]}`;
			await page.goto(modulePath);
			assert.match(await page.locator('main').innerText(), /Erkend door de toetsingscommissie: 2,5 studiepunten/);
		});
	});
}

for (const [label, options] of [['laptop', DESKTOP], ['phone', PHONE]]) {
	test(`the public register lists the module (${label})`, async () => {
		await withPage(options, async ({ page }) => {
			await page.goto('/');
			await navigate(page, () => page.getByRole('link', { name: 'Register van erkende modules' }).click());
			assert.equal(new URL(page.url()).pathname, '/register');
			await checkPage(page, `register (${label})`);
			// The demo's ~1,700 recognised modules fill many pages: search for this run's own.
			await page.getByLabel('Zoek op titel of aanbieder').fill(STAMP);
			await navigate(page, () => page.getByRole('button', { name: 'Zoeken' }).click());
			const row = page.getByRole('row').filter({ hasText: TITLE });
			assert.equal(await row.count(), 1);
			assert.match(await row.innerText(), /GO Opleidingen/);
			assert.match(await row.innerText(), /2,5/);
			assert.equal(await row.getByRole('link', { name: TITLE }).getAttribute('href'), modulePath);
			// Withdrawn, never recognised: not in the register.
			assert.equal(await page.getByRole('row').filter({ hasText: NOJS_TITLE }).count(), 0);
			await checkPage(page, `register, searched (${label})`);
		});
	});
}

// The whole path ends with a learner: a volunteer of a library finds
// the recognised module with another word form and a filter, sorted newest
// first, and opens it with its points. Without JavaScript and with htmx.
for (const [label, options] of [['without JavaScript', { ...DESKTOP, javaScriptEnabled: false }], ['phone', PHONE]]) {
	test(`a learner finds the recognised module by "voorlezen" and a filter (${label})`, async () => {
		await withPage(options, async ({ page }) => {
			await page.goto('/inloggen');
			await page.getByLabel('E-mailadres').fill('vrijwilliger@bibliotheek-utrecht.demo');
			await page.getByLabel('Wachtwoord').fill(PASSWORD);
			await navigate(page, () => page.getByRole('button', { name: 'Inloggen', exact: true }).click());
			await navigate(page, () => page.getByRole('link', { name: 'Aanbod', exact: true }).first().click());
			await page.getByLabel('Zoekwoorden').fill('voorlezen');
			await page.getByLabel('Sorteren op').selectOption('nieuw');
			await page.getByRole('checkbox', { name: /^Erkend \(/ }).check();
			if (options.javaScriptEnabled === false)
				await navigate(page, () => page.getByRole('button', { name: 'Zoeken' }).click());
			else
				await page.waitForURL(/erkend=ja/);
			await page.waitForFunction(() => /q=voorlezen/.test(location.search) && /erkend=ja/.test(location.search));
			const card = page.locator('.campus-result', { hasText: TITLE });
			await card.first().waitFor();
			assert.equal(await card.count(), 1);
			await checkPage(page, `search finds the module (${label})`);
			await navigate(page, () => card.getByRole('link', { name: TITLE }).click());
			assert.equal(new URL(page.url()).pathname, modulePath);
			assert.match(await page.locator('main').innerText(), /2,5 studiepunten/);
		});
	});
}
