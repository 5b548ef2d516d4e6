// Logging in as a new user would: the log-in form, Mijn Campus, a library's
// members (search, filter, page 2), log-out; a wrong password; the campus
// administrator's organisations; the whole log-in without JavaScript. Every
// page visited is checked with axe (WCAG 2.2 AA) and for sideways scrolling,
// on a laptop and on a phone (390x844).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { test, useCampus } from './common.mjs';
import { expectAxeClean } from './axe.mjs';
import { DESKTOP, PHONE, horizontalOverflow } from './browser.mjs';
import { repoRoot } from './server.mjs';
import { DEMO_TOTP_SECRET, nextCode } from './totp.mjs';

const execFileP = promisify(execFile);
const { withPage, state } = useCampus();

const PASSWORD = 'Campus-demo-2026';
const MANAGER = { email: 'manager@bibliotheek-utrecht.demo', name: 'Saskia Verbeek', org: 'De Bibliotheek Utrecht' };
const ADMIN = { email: 'beheerder@campus.demo', name: 'Karin Hoekstra', org: 'Campus Bibliotheekbranche' };
const DEMO_EMAILS = [
	'beheerder@campus.demo',
	'commissie@campus.demo',
	'manager@bibliotheek-utrecht.demo',
	'medewerker@bibliotheek-utrecht.demo',
	'vrijwilliger@bibliotheek-utrecht.demo',
	'aanbieder@go-opleidingen.demo',
	'docent@go-opleidingen.demo',
];
const VIEWPORTS = [
	{ label: 'laptop', options: DESKTOP },
	{ label: 'phone', options: PHONE },
];

async function h1(page) {
	return (await page.locator('h1').innerText()).trim();
}

/** axe clean and no sideways scrolling: on every page this file visits. */
async function checkPage(page, label) {
	await expectAxeClean(page, label);
	const overflow = await horizontalOverflow(page);
	assert.equal(overflow, null, `${label}: horizontal scrolling ${JSON.stringify(overflow)}`);
}

/** Clicks something that submits a form or follows a link; resolves with the document's response. */
async function navigate(page, action) {
	const [res] = await Promise.all([page.waitForNavigation(), action()]);
	await page.waitForLoadState('load');
	return res;
}

async function fillLogin(page, email, password) {
	await page.getByLabel('E-mailadres').fill(email);
	await page.getByLabel('Wachtwoord').fill(password);
	return navigate(page, () => page.getByRole('button', { name: 'Inloggen' }).click());
}

/** The rows of the members table: [{name, email, kind, roles}]. */
async function memberRows(page) {
	return page.locator('table.utrecht-table tbody tr').evaluateAll((trs) =>
		trs.map((tr) => {
			const td = [...tr.querySelectorAll('td')].map((c) => c.textContent.trim());
			return { name: td[0], email: td[1], kind: td[2], roles: td[3] };
		}));
}

async function foundCount(page) {
	const text = await page.getByRole('status').filter({ hasText: 'gevonden' }).innerText();
	const m = /(\d+)\s+\S+ gevonden/.exec(text);
	assert.ok(m, `a count of results: "${text}"`);
	return Number(m[1]);
}

test('the test server was filled by campus demo: the seven demo log-ins exist', async () => {
	// server.mjs runs `campus demo` on its database; run again, demo only lists them.
	const bin = path.resolve(repoRoot, process.env.CAMPUS_BIN || 'build/campus');
	const db = `sqlite:${path.join(state.server.dir, 'campus.db')}`;
	const env = { ...process.env, CAMPUS_LOCALE_DIR: path.resolve(repoRoot, process.env.CAMPUS_LOCALE_DIR || 'build/po') };
	delete env.CAMPUS_CONFIG;
	delete env.CAMPUS_DB;
	const { stdout } = await execFileP(bin, ['--db', db, 'demo'], { cwd: repoRoot, env, timeout: 30000 });
	assert.match(stdout, /already holds people/, 'the database had the demo sector before this run');
	assert.match(stdout, new RegExp(`Demo log-ins \\(password ${PASSWORD}\\)`));
	for (const email of DEMO_EMAILS) assert.ok(stdout.includes(`  ${email} `), `${email} is listed:\n${stdout}`);
	assert.ok(stdout.includes(`${MANAGER.name}, ${MANAGER.org}`), `${MANAGER.email} is ${MANAGER.name}`);
	assert.ok(stdout.includes(`${ADMIN.name}, ${ADMIN.org}`), `${ADMIN.email} is ${ADMIN.name}`);
});

for (const { label, options } of VIEWPORTS) {
	test(`a manager logs in, searches the members, turns the page and logs out (${label})`, async () => {
		await withPage(options, async ({ page, context }) => {
			await page.goto('/');
			await checkPage(page, `/ (${label})`);
			const account = page.getByRole('navigation', { name: 'Account' });
			await navigate(page, () => account.getByRole('link', { name: 'Inloggen' }).click());
			assert.equal(new URL(page.url()).pathname, '/inloggen');
			assert.equal(await h1(page), 'Inloggen');
			assert.equal(await page.getByLabel('Wachtwoord').getAttribute('type'), 'password');
			await checkPage(page, `/inloggen (${label})`);

			const res = await fillLogin(page, MANAGER.email, PASSWORD);
			assert.equal(res.status(), 200);
			assert.equal(new URL(page.url()).pathname, '/mijn');
			assert.equal(await h1(page), 'Mijn Campus');
			const main = page.locator('main');
			assert.match(await main.innerText(), new RegExp(MANAGER.name));
			assert.match(await main.innerText(), new RegExp(MANAGER.org));
			// Logged in: the header names her and offers log-out instead of log-in.
			assert.equal((await account.locator('.campus-user-name').innerText()).trim(), MANAGER.name);
			assert.equal(await account.getByRole('link', { name: 'Inloggen' }).count(), 0);
			const session = (await context.cookies()).find((c) => c.name === 'campus_sessie');
			assert.ok(session && session.httpOnly && session.sameSite === 'Lax', `session cookie ${JSON.stringify(session)}`);
			await checkPage(page, `/mijn (${label})`);

			await navigate(page, () => page.getByRole('link', { name: 'Leden van mijn organisatie' }).click());
			assert.equal(new URL(page.url()).pathname, '/b/bibliotheek-utrecht/leden');
			assert.equal(await h1(page), `Leden van ${MANAGER.org}`);
			const total = await foundCount(page);
			const firstPage = await memberRows(page);
			assert.equal(firstPage.length, 50, '50 members a page');
			assert.ok(total > 50, `${total} members`);
			await checkPage(page, `/b/bibliotheek-utrecht/leden (${label})`);

			// Search for a member seen on the first page, by the last part of her name.
			const wanted = firstPage[3];
			const part = wanted.name.split(' ').pop();
			await page.getByLabel('Zoek op naam of e-mailadres').fill(part);
			await navigate(page, () => page.getByRole('button', { name: 'Zoeken' }).click());
			assert.equal(new URL(page.url()).searchParams.get('q'), part);
			const hits = await memberRows(page);
			assert.ok(hits.some((m) => m.email === wanted.email), `${wanted.name} is found by "${part}"`);
			for (const m of hits) {
				assert.ok(`${m.name} ${m.email}`.toLowerCase().includes(part.toLowerCase()), `${m.name} matches "${part}"`);
			}
			assert.ok((await foundCount(page)) < total, 'the search narrows the list');
			assert.equal(await page.getByLabel('Zoek op naam of e-mailadres').inputValue(), part);
			await checkPage(page, `members, q=${part} (${label})`);

			// Volunteers only, then page 2: the filter stays.
			await page.getByLabel('Zoek op naam of e-mailadres').fill('');
			await page.getByLabel('Soort').selectOption('vrijwilliger');
			await navigate(page, () => page.getByRole('button', { name: 'Zoeken' }).click());
			const volunteers = await foundCount(page);
			assert.ok(volunteers > 50 && volunteers < total, `${volunteers} volunteers of ${total}`);
			const pager = page.getByRole('navigation', { name: 'Paginering' });
			assert.match(await pager.innerText(), /Pagina 1 van/);
			await navigate(page, () => pager.getByRole('link', { name: 'Volgende pagina' }).click());
			const url = new URL(page.url());
			assert.equal(url.searchParams.get('pagina'), '2');
			assert.equal(url.searchParams.get('soort'), 'vrijwilliger');
			assert.match(await page.getByRole('navigation', { name: 'Paginering' }).innerText(), /Pagina 2 van/);
			assert.equal(await page.getByLabel('Soort').inputValue(), 'vrijwilliger');
			assert.equal(await foundCount(page), volunteers);
			const second = await memberRows(page);
			assert.ok(second.length > 0 && second.every((m) => m.kind === 'vrijwilliger'), 'page 2 lists volunteers');
			await checkPage(page, `members, volunteers, page 2 (${label})`);

			// Log out: home, a message, no session.
			await navigate(page, () => account.getByRole('button', { name: 'Uitloggen' }).click());
			assert.equal(new URL(page.url()).pathname, '/');
			assert.equal((await page.getByRole('status').innerText()).trim(), 'U bent uitgelogd.');
			assert.equal(await account.getByRole('link', { name: 'Inloggen' }).count(), 1);
			assert.equal((await context.cookies()).find((c) => c.name === 'campus_sessie'), undefined);
			await checkPage(page, `/ after log-out (${label})`);
			await page.goto('/mijn');
			assert.equal(new URL(page.url()).pathname, '/inloggen', 'Mijn Campus asks for a log-in again');
			assert.equal(new URL(page.url()).searchParams.get('terug'), '/mijn');
		});
	});

	test(`a wrong password shows the error next to the form (${label})`, async () => {
		await withPage(options, async ({ page, allowStatus, context }) => {
			allowStatus('/inloggen');
			await page.goto('/inloggen');
			const res = await fillLogin(page, MANAGER.email, 'Niet-het-goede-wachtwoord');
			assert.equal(res.status(), 400);
			assert.equal(new URL(page.url()).pathname, '/inloggen');
			const alert = page.getByRole('alert');
			assert.equal((await alert.innerText()).trim(), 'Het e-mailadres of het wachtwoord klopt niet.');
			assert.equal(await page.getByLabel('E-mailadres').inputValue(), MANAGER.email, 'the address is kept');
			assert.equal(await page.getByLabel('Wachtwoord').inputValue(), '', 'the password is not');
			assert.equal((await context.cookies()).find((c) => c.name === 'campus_sessie'), undefined);
			await checkPage(page, `/inloggen with a wrong password (${label})`);
		});
	});

	test(`the campus administrator views the organisations (${label})`, async () => {
		await withPage(options, async ({ page }) => {
			await page.goto('/inloggen');
			await fillLogin(page, `  ${ADMIN.email.toUpperCase()} `, PASSWORD);
			// Two-step log-in is required for administrators: the demo's secret gives the code.
			assert.equal(new URL(page.url()).pathname, '/inloggen/code');
			await page.getByLabel('Code uit uw app').fill(await nextCode(DEMO_TOTP_SECRET, ADMIN.email));
			await navigate(page, () => page.getByRole('button', { name: 'Inloggen', exact: true }).click());
			assert.equal(new URL(page.url()).pathname, '/mijn');
			assert.match(await page.locator('main').innerText(), new RegExp(ADMIN.name));
			await checkPage(page, `/mijn as administrator (${label})`);
			await navigate(page, () => page.getByRole('link', { name: 'Organisaties beheren' }).click());
			assert.equal(new URL(page.url()).pathname, '/beheer/organisaties');
			assert.equal(await h1(page), 'Organisaties');
			const count = await foundCount(page);
			assert.ok(count >= 150, `${count} organisations`);
			const rows = page.locator('table.utrecht-table tbody tr');
			assert.equal(await rows.count(), 50);
			await checkPage(page, `/beheer/organisaties (${label})`);
			// A library's members, which the administrator may see too.
			const library = rows.filter({ has: page.locator('td', { hasText: /^bibliotheek$/ }) }).first();
			const name = (await library.locator('a').innerText()).trim();
			await navigate(page, () => library.locator('a').click());
			assert.match(new URL(page.url()).pathname, /^\/b\/[a-z0-9-]+\/leden$/);
			assert.equal(await h1(page), `Leden van ${name}`);
			await checkPage(page, `members of ${name} as administrator (${label})`);
		});
	});
}

test('a manager is refused the administrators\' pages with a readable page', async () => {
	await withPage(async ({ page, allowStatus }) => {
		allowStatus('/beheer/organisaties');
		await page.goto('/inloggen');
		await fillLogin(page, MANAGER.email, PASSWORD);
		const res = await page.goto('/beheer/organisaties');
		assert.equal(res.status(), 403);
		assert.equal(await h1(page), 'Geen toegang');
		assert.match(await page.locator('main').innerText(), /Foutcode 403/);
		await checkPage(page, '/beheer/organisaties as a manager (403)');
	});
});

for (const { label, options } of VIEWPORTS) {
	test(`logging in and out works without JavaScript (${label})`, async () => {
		await withPage({ ...options, javaScriptEnabled: false }, async ({ page, context }) => {
			// Straight to a page behind the log-in: the form, then back to that page.
			await page.goto('/mijn');
			assert.equal(new URL(page.url()).pathname, '/inloggen');
			assert.equal(new URL(page.url()).searchParams.get('terug'), '/mijn');
			await checkPage(page, `/inloggen?terug=/mijn without JavaScript (${label})`);
			const res = await fillLogin(page, MANAGER.email, PASSWORD);
			assert.equal(res.status(), 200);
			assert.equal(new URL(page.url()).pathname, '/mijn');
			assert.equal(await h1(page), 'Mijn Campus');
			assert.match(await page.locator('main').innerText(), new RegExp(MANAGER.name));
			assert.ok((await context.cookies()).some((c) => c.name === 'campus_sessie'));
			await checkPage(page, `/mijn without JavaScript (${label})`);
			const account = page.getByRole('navigation', { name: 'Account' });
			await navigate(page, () => account.getByRole('button', { name: 'Uitloggen' }).click());
			assert.equal(new URL(page.url()).pathname, '/');
			assert.equal((await page.getByRole('status').innerText()).trim(), 'U bent uitgelogd.');
			assert.equal((await context.cookies()).find((c) => c.name === 'campus_sessie'), undefined);
			await checkPage(page, `/ after log-out without JavaScript (${label})`);
		});
	});
}
