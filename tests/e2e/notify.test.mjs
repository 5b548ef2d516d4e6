// Notifications and the personal calendar feed in the browser: the unread
// count in the header, /mijn/meldingen (marking one and all read, also
// without JavaScript), /mijn/agenda (making the secret address, the feed
// behind it). Every page is checked with axe (WCAG 2.2 AA) and for sideways
// scrolling, on a laptop and on a phone. People and notifications of their
// own are inserted with sqlite3 into the server's database.
import assert from 'node:assert/strict';
import { test, useCampus } from './common.mjs';
import { DESKTOP, PHONE } from './browser.mjs';
import { checkPage, logIn, navigate } from './flows.mjs';

const { state, withPage, serverSql } = useCampus();

const VIEWPORTS = [
	{ label: 'laptop', options: DESKTOP },
	{ label: 'phone', options: PHONE },
	{ label: 'no JavaScript', options: { ...DESKTOP, javaScriptEnabled: false } },
];
const emailOf = (label) => `melding.${label.replace(/\W+/g, '-').toLowerCase()}@e2e.test`;
// A long word must not make the phone scroll sideways.
const LONG = 'Bijscholingsbijeenkomstaankondigingsbericht'.repeat(2);

let seeded = false;
function seed() {
	if (seeded) return;
	seeded = true;
	const now = Math.floor(Date.now() / 1000);
	let sql = '';
	for (const { label } of VIEWPORTS) {
		const email = emailOf(label);
		sql += `INSERT INTO people (email, name, lang, password_hash, created_at, updated_at)
			SELECT '${email}', 'Mel Ding', 'nl', password_hash, 1, 1 FROM people
			WHERE email = 'medewerker@bibliotheek-utrecht.demo';
			INSERT INTO notifications (person_id, kind, title, body, link, created_at)
			SELECT id, 'test', 'U bent ingeschreven voor Voorlezen aan peuters', 'De eerste bijeenkomst is op 3 maart.', '/mijn', ${now - 120}
			FROM people WHERE email = '${email}';
			INSERT INTO notifications (person_id, kind, title, body, link, created_at)
			SELECT id, 'test', 'Er is een plaats vrij: ${LONG}', 'Reageer binnen 24 uur.', '', ${now - 60}
			FROM people WHERE email = '${email}';\n`;
	}
	serverSql(sql);
}

const accountNav = (page) => page.getByRole('navigation', { name: 'Account' });

for (const { label, options } of VIEWPORTS) {
	test(`notifications: the count in the header, marking read (${label})`, async () => {
		seed();
		await withPage(options, async ({ page }) => {
			await logIn(page, emailOf(label));
			const link = accountNav(page).getByRole('link', { name: /^Meldingen/ });
			assert.match(await link.innerText(), /2/);
			await checkPage(page, `/mijn with unread notifications (${label})`);
			await navigate(page, () => link.click());
			assert.equal(new URL(page.url()).pathname, '/mijn/meldingen');
			const items = page.locator('main li.campus-notification');
			assert.equal(await items.count(), 2);
			assert.match(await items.nth(0).innerText(), /Er is een plaats vrij/, 'newest first');
			assert.equal(await page.locator('main .campus-notification--unread').count(), 2);
			await checkPage(page, `/mijn/meldingen (${label})`);

			await navigate(page, () =>
				items.nth(1).getByRole('button', { name: /Markeren als gelezen/ }).click());
			assert.equal(new URL(page.url()).pathname, '/mijn/meldingen');
			assert.equal(await page.locator('main .campus-notification--unread').count(), 1);
			assert.match(await accountNav(page).getByRole('link', { name: /^Meldingen/ }).innerText(), /1/);

			await navigate(page, () => page.getByRole('button', { name: 'Alles als gelezen markeren' }).click());
			assert.equal(await page.locator('main .campus-notification--unread').count(), 0);
			assert.doesNotMatch(await accountNav(page).getByRole('link', { name: /^Meldingen/ }).innerText(), /\d/);
			await checkPage(page, `/mijn/meldingen, all read (${label})`);
			// The link of a notification leads where it says.
			await navigate(page, () => page.getByRole('link', { name: /Voorlezen aan peuters/ }).click());
			assert.equal(new URL(page.url()).pathname, '/mijn');
		});
	});

	test(`the calendar feed: the secret address, shown once (${label})`, async () => {
		seed();
		await withPage(options, async ({ page }) => {
			await logIn(page, emailOf(label));
			await navigate(page, () =>
				page.getByRole('link', { name: 'Mijn bijeenkomsten in mijn eigen agenda' }).click());
			assert.equal(new URL(page.url()).pathname, '/mijn/agenda');
			await checkPage(page, `/mijn/agenda (${label})`);
			await navigate(page, () => page.getByRole('button', { name: /agenda-adres maken/i }).click());
			const address = (await page.locator('#agenda-adres').innerText()).trim();
			assert.match(address, /\/agenda\/[A-Za-z0-9_-]{43}$/);
			await checkPage(page, `/mijn/agenda with the address (${label})`);
			// The feed answers without a log-in (a calendar app has none).
			const feed = await fetch(`${state.server.baseURL}${new URL(address).pathname}`);
			assert.equal(feed.status, 200);
			assert.match(feed.headers.get('content-type'), /^text\/calendar/);
			assert.match(await feed.text(), /^BEGIN:VCALENDAR\r\n/);
			// Shown once: the page does not show it again.
			await page.goto('/mijn/agenda');
			assert.equal(await page.locator('#agenda-adres').count(), 0);
			assert.ok(await page.getByRole('button', { name: 'Nieuw agenda-adres maken' }).isVisible());
		});
	});
}
