// Two-step log-in in the browser: the code page after the password, setting it
// up from Mijn Campus, and the log-in with a code without JavaScript. Every
// page is checked with axe (WCAG 2.2 AA) and for sideways scrolling, on a
// laptop and on a phone. Codes come from tests/e2e/totp.mjs (node:crypto).
import assert from 'node:assert/strict';
import { test, useCampus } from './common.mjs';
import { expectAxeClean } from './axe.mjs';
import { DESKTOP, PHONE, horizontalOverflow } from './browser.mjs';
import { DEMO_TOTP_SECRET, nextCode, totp } from './totp.mjs';

const { withPage } = useCampus();
const PASSWORD = 'Campus-demo-2026';
const ADMIN = { email: 'beheerder@campus.demo', name: 'Karin Hoekstra' };
const COMMITTEE = { email: 'commissie@campus.demo', name: 'Ruud van Ommeren' };
const VIEWPORTS = [
	{ label: 'laptop', options: DESKTOP, learner: 'medewerker@bibliotheek-utrecht.demo' },
	{ label: 'phone', options: PHONE, learner: 'vrijwilliger@bibliotheek-utrecht.demo' },
];

async function checkPage(page, label) {
	await expectAxeClean(page, label);
	const overflow = await horizontalOverflow(page);
	assert.equal(overflow, null, `${label}: horizontal scrolling ${JSON.stringify(overflow)}`);
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

async function sendCode(page, code, button = 'Inloggen', field = null) {
	await (field ? page.locator(field) : page.getByLabel('Code uit uw app')).fill(code);
	return navigate(page, () => page.getByRole('button', { name: button, exact: true }).click());
}

test('the node TOTP agrees with RFC 6238 (SHA-1)', () => {
	const rfc = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ'; // "12345678901234567890"
	assert.equal(totp(rfc, Math.floor(59 / 30)), '287082');
	assert.equal(totp(rfc, Math.floor(1111111109 / 30)), '081804');
	assert.equal(totp(rfc, Math.floor(2000000000 / 30)), '279037');
});

for (const { label, options, learner } of VIEWPORTS) {
	test(`the administrator's code page: nothing else opens, a wrong code, the right one (${label})`, async () => {
		await withPage(options, async ({ page, allowStatus }) => {
			allowStatus('/inloggen/code');
			await logIn(page, ADMIN.email);
			assert.equal(new URL(page.url()).pathname, '/inloggen/code');
			assert.equal((await page.locator('h1').innerText()).trim(), 'Code invullen');
			await checkPage(page, `/inloggen/code (${label})`);
			await page.goto('/beheer/organisaties');
			assert.equal(new URL(page.url()).pathname, '/inloggen/code', 'nothing else opens');
			const wrong = await sendCode(page, '000000');
			assert.equal(wrong.status(), 400);
			assert.match(await page.getByRole('alert').innerText(), /Die code klopt niet/);
			await checkPage(page, `/inloggen/code with a wrong code (${label})`);
			await sendCode(page, await nextCode(DEMO_TOTP_SECRET, ADMIN.email));
			assert.equal(new URL(page.url()).pathname, '/mijn');
			assert.match(await page.locator('main').innerText(), new RegExp(ADMIN.name));
			await navigate(page, () => page.getByRole('link', { name: 'Inloggen in twee stappen beheren' }).click());
			assert.equal(new URL(page.url()).pathname, '/mijn/tweestaps');
			assert.match(await page.locator('main').innerText(), /verplicht/);
			await checkPage(page, `/mijn/tweestaps as administrator (${label})`);
		});
	});

	test(`a learner sets up two-step log-in and logs in with a code (${label})`, async () => {
		await withPage(options, async ({ page, context, allowStatus }) => {
			allowStatus('/mijn/tweestaps');
			await logIn(page, learner);
			assert.equal(new URL(page.url()).pathname, '/mijn');
			await navigate(page, () => page.getByRole('link', { name: 'Inloggen in twee stappen instellen' }).click());
			assert.equal(new URL(page.url()).pathname, '/mijn/tweestaps');
			const qr = page.getByRole('img', { name: 'QR-code om Campus aan uw app toe te voegen' });
			assert.ok(await qr.isVisible(), 'the QR code is shown');
			const secret = (await page.locator('.campus-secret').innerText()).replace(/\s/g, '');
			assert.match(secret, /^[A-Z2-7]{32}$/);
			await checkPage(page, `/mijn/tweestaps enrolment (${label})`);
			// (The browser itself refuses fewer than six digits: pattern and maxlength.)
			const bad = await sendCode(page, '000000', 'Inloggen in twee stappen aanzetten');
			assert.equal(bad.status(), 400);
			assert.match(await page.getByRole('alert').innerText(), /Die code klopt niet/);
			await checkPage(page, `/mijn/tweestaps with an error (${label})`);
			await sendCode(page, await nextCode(secret), 'Inloggen in twee stappen aanzetten');
			// The recovery codes, shown once.
			assert.equal(new URL(page.url()).pathname, '/mijn/tweestaps');
			assert.equal((await page.locator('h1').innerText()).trim(), 'Uw herstelcodes');
			assert.equal((await page.getByRole('status').innerText()).trim(), 'Inloggen in twee stappen staat nu aan.');
			const codes = await page.locator('#herstelcodes li').allInnerTexts();
			assert.equal(codes.length, 10);
			for (const c of codes) assert.match(c.trim(), /^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
			await checkPage(page, `recovery codes (${label})`);
			// A fresh browser: the password, then the code.
			await context.clearCookies();
			await logIn(page, learner);
			assert.equal(new URL(page.url()).pathname, '/inloggen/code');
			await sendCode(page, await nextCode(secret));
			assert.equal(new URL(page.url()).pathname, '/mijn');
			// Another fresh browser: a recovery code instead of the app's.
			await context.clearCookies();
			await logIn(page, learner);
			await page.getByLabel('Herstelcode').fill(codes[0].trim());
			await navigate(page, () => page.getByRole('button', { name: 'Inloggen met herstelcode' }).click());
			assert.equal(new URL(page.url()).pathname, '/mijn');
			// And off again, with a code.
			await page.goto('/mijn/tweestaps');
			assert.match(await page.locator('#herstelcodes-over').innerText(), /Ongebruikte herstelcodes: 9\./);
			await checkPage(page, `/mijn/tweestaps switched on (${label})`);
			await sendCode(page, await nextCode(secret), 'Inloggen in twee stappen uitzetten', '#code');
			assert.equal(new URL(page.url()).pathname, '/mijn');
			assert.equal((await page.getByRole('status').innerText()).trim(), 'Inloggen in twee stappen staat nu uit.');
		});
	});

	test(`logging in with a code works without JavaScript (${label})`, async () => {
		await withPage({ ...options, javaScriptEnabled: false }, async ({ page, context }) => {
			await page.goto('/mijn');
			assert.equal(new URL(page.url()).pathname, '/inloggen');
			await page.getByLabel('E-mailadres').fill(COMMITTEE.email);
			await page.getByLabel('Wachtwoord').fill(PASSWORD);
			await navigate(page, () => page.getByRole('button', { name: 'Inloggen', exact: true }).click());
			assert.equal(new URL(page.url()).pathname, '/inloggen/code');
			assert.equal(new URL(page.url()).searchParams.get('terug'), '/mijn');
			await checkPage(page, `/inloggen/code without JavaScript (${label})`);
			const res = await sendCode(page, await nextCode(DEMO_TOTP_SECRET, COMMITTEE.email));
			assert.equal(res.status(), 200);
			assert.equal(new URL(page.url()).pathname, '/mijn');
			assert.match(await page.locator('main').innerText(), new RegExp(COMMITTEE.name));
			assert.ok((await context.cookies()).some((c) => c.name === 'campus_sessie'));
		});
	});
}

// Last: it resets the committee member, whom the cases above log in with the demo secret.
test('an administrator resets a committee member\'s two-step log-in (with a reason); pages axe clean', async () => {
	await withPage(async ({ page }) => {
		await logIn(page, ADMIN.email);
		await sendCode(page, await nextCode(DEMO_TOTP_SECRET, ADMIN.email));
		await page.goto('/beheer/personen?q=commissie');
		await checkPage(page, '/beheer/personen with the two-step column');
		const row = page.getByRole('row', { name: new RegExp(COMMITTEE.name) });
		await navigate(page, () => row.getByRole('link', { name: /Herstellen/ }).click());
		assert.match(new URL(page.url()).pathname, /^\/beheer\/personen\/\d+\/tweestaps$/);
		assert.equal((await page.locator('h1').innerText()).trim(), 'Inloggen in twee stappen herstellen');
		await checkPage(page, 'reset confirmation page');
		await page.getByLabel('Reden', { exact: true }).fill('Telefoon kwijt, teruggebeld');
		await navigate(page, () => page.getByRole('button', { name: 'Ja, inloggen in twee stappen herstellen' }).click());
		assert.equal(new URL(page.url()).pathname, '/beheer/personen');
		assert.match(await page.locator('.campus-flash').innerText(), /is hersteld/);
		await checkPage(page, '/beheer/personen after the reset');
		// The committee member must set it up again at the next log-in.
		await page.context().clearCookies();
		await logIn(page, COMMITTEE.email);
		assert.equal(new URL(page.url()).pathname, '/mijn/tweestaps');
	});
});
