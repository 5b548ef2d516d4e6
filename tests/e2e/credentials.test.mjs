// Certificates as their users meet them. A new one is earned the way it
// happens for real: GO
// Opleidingen's administrator plans an edition of a recognised, published
// module (free, so Utrecht's policy asks no approval), the employee of De
// Bibliotheek Utrecht enrols from the edition's page, and the provider
// registers the result "afgerond", which records the completion and issues
// the certificate. Then the learner finds it under Mijn certificaten on a
// laptop, a phone and a phone without JavaScript: downloads the PDF and the
// Open Badge, follows the link to the public verification page (valid, the
// holder's name, the title), and a forged code gets the Dutch "unknown" message.
// Every page axe clean, nothing wider than the screen.
import assert from 'node:assert/strict';
import { test, useCampus } from './common.mjs';
import { checkPage, logIn, navigate } from './flows.mjs';
import { DESKTOP, PHONE } from './browser.mjs';

const { withPage, serverSql } = useCampus();
const PROVIDER = 'aanbieder@go-opleidingen.demo';
const EMPLOYEE = 'medewerker@bibliotheek-utrecht.demo';

// What the steps find out and the later ones use.
const it = { code: `E2E-cert-${Date.now()}`, title: null, editionId: null };

/** "YYYY-MM-DD" days from today. */
function day(days) {
	return new Date(Date.now() + days * 86400000).toISOString().slice(0, 10);
}

/** One value from the test server's database (read only: the truth to compare with). */
const sql = serverSql;

/** Opens the edit page of a module that is in the offering and recognised; its title. */
async function openRecognisedModule(page) {
	await navigate(page, () => page.goto('/b/go-opleidingen/modules'));
	const rows = page.locator('.utrecht-table__body tr');
	const n = await rows.count();
	for (let i = 0; i < n; i++) {
		const cells = rows.nth(i).locator('td');
		if ((await cells.nth(3).innerText()).trim() === 'ja' && /erkend/.test(await cells.nth(2).innerText())) {
			const title = (await cells.nth(0).innerText()).trim();
			// The demo's history may hold this module for the employee already
			// (then a completion this year earns no new certificate): take another.
			if (sql(`SELECT COUNT(*) FROM completions c JOIN people p ON p.id = c.person_id
				WHERE p.email = '${EMPLOYEE}' AND c.title = '${title.replaceAll("'", "''")}';`) !== '0') continue;
			await navigate(page, () => cells.nth(0).getByRole('link').click());
			return title;
		}
	}
	return assert.fail('GO Opleidingen has no recognised module in the offering');
}

test('a provider plans an edition of a recognised module', async () => {
	await withPage(DESKTOP, async ({ page }) => {
		await logIn(page, PROVIDER);
		it.title = await openRecognisedModule(page);
		await navigate(page, () => page.getByRole('link', { name: 'Nieuwe uitvoering', exact: true }).click());
		await page.getByLabel('Eigen kenmerk (optioneel)').fill(it.code);
		const always = page.getByLabel(/Altijd open/);
		if (await always.isChecked()) await always.uncheck();
		await page.getByLabel('Aantal plaatsen').fill('10');
		await page.locator('#prijs').fill('0');
		await page.locator('#datum1').fill(day(14));
		await page.locator('#begin1').fill('09:30');
		await page.locator('#einde1').fill('12:30');
		const res = await navigate(page, () => page.getByRole('button', { name: 'Uitvoering opslaan' }).click());
		assert.equal(res.status(), 200);
		const m = new URL(page.url()).pathname.match(/^\/b\/go-opleidingen\/uitvoeringen\/(\d+)$/);
		assert.ok(m, `after saving: ${page.url()}`);
		it.editionId = m[1];
	});
});

test('the employee enrols from the edition page', async () => {
	assert.ok(it.editionId, 'planned in the test before');
	await withPage(DESKTOP, async ({ page }) => {
		await logIn(page, EMPLOYEE);
		// Before: no certificate yet for this module.
		await navigate(page, () => page.getByRole('link', { name: 'Mijn certificaten' }).click());
		assert.equal(await page.locator('.campus-card', { hasText: it.title }).count(), 0);
		await navigate(page, () => page.goto(`/uitvoeringen/${it.editionId}`));
		await navigate(page, () => page.getByRole('button', { name: 'Inschrijven' }).click());
		assert.equal(new URL(page.url()).pathname, '/mijn/leren');
		await assert.doesNotReject(page.getByRole('status').getByText('Je bent ingeschreven.').waitFor());
	});
});

test('the provider registers the result "afgerond"', async () => {
	assert.ok(it.editionId, 'planned in the first test');
	await withPage(DESKTOP, async ({ page }) => {
		await logIn(page, PROVIDER);
		await navigate(page, () => page.goto(`/b/go-opleidingen/uitvoeringen/${it.editionId}`));
		await navigate(page, () => page.getByRole('navigation', { name: 'Deze uitvoering' })
			.getByRole('link', { name: 'Resultaten' }).click());
		assert.equal(new URL(page.url()).pathname, `/b/go-opleidingen/uitvoeringen/${it.editionId}/resultaten`);
		await checkPage(page, 'resultaten (laptop)');
		// The only participant: the employee of De Bibliotheek Utrecht.
		const rows = page.locator('.utrecht-table__body tr');
		assert.equal(await rows.count(), 1);
		await rows.first().getByLabel('afgerond', { exact: true }).check();
		await navigate(page, () => page.getByRole('button', { name: 'Resultaten opslaan' }).click());
		assert.equal(await page.getByRole('alert').count(), 0, 'no error after saving');
		assert.ok(await page.locator('.utrecht-table__body tr').first().getByLabel('afgerond', { exact: true }).isChecked(),
			'the result is kept');
		await checkPage(page, 'resultaten opgeslagen (laptop)');
	});
	// The certificate exists now (the database as the truth, read only).
	assert.equal(sql(`SELECT COUNT(*) FROM credentials c JOIN people p ON p.id = c.person_id
		WHERE p.email = '${EMPLOYEE}' AND c.kind = 'certificate' AND c.revoked_at IS NULL
		AND c.title = '${it.title.replaceAll("'", "''")}';`), '1');
});

const RUNS = [
	{ label: 'laptop', options: DESKTOP },
	{ label: 'phone', options: PHONE },
	{ label: 'phone, no JavaScript', options: { ...PHONE, javaScriptEnabled: false } },
];

for (const { label, options } of RUNS) {
	test(`the learner downloads and checks the certificate (${label})`, async () => {
		assert.ok(it.title, 'earned in the tests before');
		const holder = sql(`SELECT name FROM people WHERE email = '${EMPLOYEE}';`);
		assert.ok(holder, 'the employee has a name');
		await withPage(options, async ({ page, allowStatus }) => {
			await logIn(page, EMPLOYEE);
			await navigate(page, () => page.getByRole('link', { name: 'Mijn certificaten' }).click());
			assert.equal(new URL(page.url()).pathname, '/mijn/certificaten');
			const card = page.locator('.campus-card', { hasText: it.title });
			assert.equal(await card.count(), 1, 'one certificate for the module');
			assert.match(await card.getByRole('heading').innerText(), /^Certificaat: /);
			const shown = (await card.locator('code').innerText()).trim();
			assert.match(shown, /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/);
			await checkPage(page, `mijn certificaten (${label})`);

			// The PDF and the badge, from the links on the card (with the learner's session).
			const pdfHref = await card.getByRole('link', { name: /^Download als PDF/ }).getAttribute('href');
			let res = await page.request.get(pdfHref);
			assert.equal(res.status(), 200);
			assert.match(res.headers()['content-type'], /^application\/pdf/);
			const pdf = await res.body();
			assert.equal(pdf.subarray(0, 5).toString('latin1'), '%PDF-');
			assert.ok(pdf.length > 5000, `a whole certificate, not ${pdf.length} bytes`);
			const badgeHref = await card.getByRole('link', { name: /^Download als Open Badge/ }).getAttribute('href');
			res = await page.request.get(badgeHref);
			assert.equal(res.status(), 200);
			assert.match(res.headers()['content-type'], /^application\/jwt/);
			const parts = (await res.text()).trim().split('.');
			assert.equal(parts.length, 3, 'a compact JWS');
			const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString());
			assert.equal(header.alg, 'EdDSA');
			assert.match(Buffer.from(parts[1], 'base64url').toString(), new RegExp(shown.replaceAll('-', '-?')));

			// The verification page, as anyone who got the link sees it.
			await navigate(page, () => card.getByRole('link', { name: /^Controlepagina/ }).click());
			assert.match(new URL(page.url()).pathname, /^\/verify\//);
			const status = page.getByRole('status').filter({ hasText: 'Geldig.' });
			assert.equal(await status.count(), 1, 'the page says the certificate is valid');
			const facts = await page.locator('main dl').innerText();
			assert.ok(facts.includes(holder), `the holder's name on the page: ${facts}`);
			assert.ok(facts.includes(it.title), `the title on the page: ${facts}`);
			assert.ok(facts.includes(shown), 'the code on the page');
			await checkPage(page, `verificatie, geldig (${label})`);

			// A forged code: one character changed.
			const last = shown.at(-1) === 'X' ? 'Y' : 'X';
			const forged = shown.slice(0, -1) + last;
			allowStatus(`/verify/${forged}`);
			res = await navigate(page, () => page.goto(`/verify/${forged}`));
			assert.equal(res.status(), 404);
			assert.match(await page.getByRole('alert').innerText(), /Onbekende code\./);
			assert.equal(await page.locator('main dl').count(), 0, 'nothing about any certificate');
			await checkPage(page, `verificatie, onbekende code (${label})`);

			// The form on the page checks another code (a GET form: works without JavaScript).
			await page.getByLabel(/^Code \(16 tekens/).fill(shown.toLowerCase());
			res = await navigate(page, () => page.getByRole('button', { name: 'Controleren' }).click());
			assert.equal(res.status(), 200);
			assert.equal(await page.getByRole('status').filter({ hasText: 'Geldig.' }).count(), 1);
		});
	});
}
