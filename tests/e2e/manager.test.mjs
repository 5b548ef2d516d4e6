// Manager approval with budget, as a new user would try it: the Utrecht
// manager sets "approval when it costs" and a budget of € 500; a new
// volunteer of the library asks for a seat in a € 350 edition; the manager
// approves it in the inbox; the budget page shows € 350 reserved and € 150 left; a second
// request above what is left goes to approval and is refused with a reason.
// Every manager page axe clean on a laptop and on a phone.
//
// GO Opleidingen's administrator plans the two editions on the planning
// pages (a published module of theirs, price € 350, for employees and
// volunteers, one meeting each two weeks ahead, in one calendar year: the
// year whose budget pays). The volunteer is made with `campus user add`, so
// whatever the demo holds for its own people (requests, budgets) does not
// count. The volunteer asks for the seat on the learner's edition page.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test, useCampus } from './common.mjs';
import { DESKTOP, PHONE } from './browser.mjs';
import { DEMO_PASSWORD, checkPage, logIn, navigate } from './flows.mjs';
import { repoRoot } from './server.mjs';

const { state, withPage } = useCampus();
const PROVIDER = 'aanbieder@go-opleidingen.demo';
const MANAGER = 'manager@bibliotheek-utrecht.demo';
const VOLUNTEER = `e2e.budget.${Date.now()}@example.nl`;
const VOLUNTEER_NAME = 'Vera Budgetproef';
const LIB = '/b/bibliotheek-utrecht';

/** The calendar year and the date ("YYYY-MM-DD") in Amsterdam of an instant (epoch seconds). */
const yearOf = (t) => Number(new Intl.DateTimeFormat('en', { timeZone: 'Europe/Amsterdam', year: 'numeric' }).format(new Date(t * 1000)));
const dateOf = (t) => new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Amsterdam' }).format(new Date(t * 1000));

/** Opens the edit page of GO Opleidingen's first module that is in the offering. */
async function openPublishedModule(page) {
	await navigate(page, () => page.goto('/b/go-opleidingen/modules'));
	const rows = page.locator('.utrecht-table__body tr');
	const n = await rows.count();
	for (let i = 0; i < n; i++) {
		const cells = rows.nth(i).locator('td');
		if ((await cells.nth(3).innerText()).trim() === 'ja') {
			await navigate(page, () => cells.nth(0).getByRole('link').click());
			return;
		}
	}
	assert.fail('GO Opleidingen has no published module');
}

/** Plans a € 350 edition for everyone with one meeting on `day`; its id. */
async function planEdition(page, form, code, day) {
	await navigate(page, () => page.goto(form));
	await page.getByLabel('Eigen kenmerk (optioneel)').fill(code);
	const always = page.getByLabel(/Altijd open/);
	if (await always.isChecked()) await always.uncheck();
	await page.getByLabel('Aantal plaatsen').fill('20');
	await page.getByLabel('Prijs in euro (optioneel)').fill('350');
	await page.getByLabel('Doelgroep', { exact: true }).selectOption('both');
	await page.locator('#datum1').fill(day);
	await page.locator('#begin1').fill('09:30');
	await page.locator('#einde1').fill('12:30');
	await page.locator('#plaats1').fill('Utrecht, Oudegracht 167');
	const res = await navigate(page, () => page.getByRole('button', { name: 'Uitvoering opslaan' }).click());
	assert.equal(res.status(), 200, `planning ${code}`);
	const m = new URL(page.url()).pathname.match(/^\/b\/go-opleidingen\/uitvoeringen\/(\d+)$/);
	assert.ok(m, `after planning ${code}: ${page.url()}`);
	return m[1];
}

/** A new volunteer of the library who can log in with the demo password. */
function addVolunteer() {
	const bin = path.resolve(repoRoot, process.env.CAMPUS_BIN || 'build/campus');
	execFileSync(bin, ['--db', `sqlite:${path.join(state.server.dir, 'campus.db')}`, 'user', 'add', VOLUNTEER,
		VOLUNTEER_NAME, '--org', 'bibliotheek-utrecht', '--kind', 'volunteer', '--roles', 'learner',
		'--password-stdin'], { cwd: repoRoot, input: `${DEMO_PASSWORD}\n`, timeout: 30000 });
}

/** The volunteer asks for a seat from the edition's page; lands on /mijn/leren. */
async function requestSeat(page, editionId) {
	await page.goto(`/uitvoeringen/${editionId}`);
	const res = await navigate(page, () =>
		page.locator(`form[action="/uitvoeringen/${editionId}/inschrijven"] button[type="submit"]`).click());
	assert.equal(res.status(), 200);
	assert.equal(new URL(page.url()).pathname, '/mijn/leren');
}

/** The inbox card of the volunteer's request for the edition with this code. */
function card(page, code) {
	return page.locator('.campus-decision')
		.filter({ has: page.getByRole('heading', { name: VOLUNTEER_NAME }) })
		.filter({ hasText: `(${code})` });
}

// The steps share the editions and the volunteer's name, in order.
let plan;

test('the provider plans two € 350 editions; a new volunteer joins the library', async () => {
	const now = Math.floor(Date.now() / 1000);
	let a = now + 14 * 86400;
	const b = a + 86400;
	if (yearOf(a) !== yearOf(b)) a = b + 86400;
	addVolunteer();
	await withPage(DESKTOP, async ({ page }) => {
		await logIn(page, PROVIDER);
		await openPublishedModule(page);
		const title = await page.locator('#titel').inputValue();
		const form = await page.getByRole('link', { name: 'Nieuwe uitvoering', exact: true }).getAttribute('href');
		const first = await planEdition(page, form, 'E2E-350-A', dateOf(a));
		const second = await planEdition(page, form, 'E2E-350-B', dateOf(b));
		plan = { first, second, title, year: yearOf(b) };
	});
});

test('the manager sets "approval when it costs" and a budget of € 500', async () => {
	assert.ok(plan, 'planned in the test before');
	await withPage(DESKTOP, async ({ page }) => {
		await logIn(page, MANAGER);
		await navigate(page, () => page.getByRole('link', { name: 'Budgetten' }).click());
		assert.equal(new URL(page.url()).pathname, `${LIB}/budgetten`);
		await checkPage(page, 'budgetten (laptop)');

		// Policy: approval when it costs, budgets on.
		await page.getByLabel('Als de uitvoering geld kost').check();
		await page.getByLabel('Opleidingsbudgetten gebruiken').check();
		await page.getByLabel(/^Tweede beoordelaar/).selectOption('0');
		await navigate(page, () => page.getByRole('button', { name: 'Beleid opslaan' }).click());
		assert.match(await page.getByRole('status').first().innerText(), /beleid is opgeslagen/);
		assert.ok(await page.getByLabel('Als de uitvoering geld kost').isChecked());

		// A budget of € 500 for everyone of the library, in the year the editions start.
		await page.getByLabel('Jaar', { exact: true }).selectOption(String(plan.year));
		await navigate(page, () => page.getByRole('button', { name: 'Jaar tonen' }).click());
		await page.getByLabel('Medewerkers (euro)').fill('500');
		await page.getByLabel('Vrijwilligers (euro)').fill('500');
		await navigate(page, () => page.getByRole('button', { name: 'Standaardbudgetten opslaan' }).click());
		assert.match(await page.getByRole('status').first().innerText(), /standaardbudgetten zijn opgeslagen/);
		assert.equal(await page.getByLabel('Vrijwilligers (euro)').inputValue(), '500,00');
	});
});

test('a volunteer requests a € 350 edition; the manager approves it; € 350 reserved, € 150 left', async () => {
	const { first, title } = plan;
	await withPage(DESKTOP, async ({ page }) => {
		await logIn(page, VOLUNTEER);
		await requestSeat(page, first);
	});

	await withPage(DESKTOP, async ({ page }) => {
		await logIn(page, MANAGER);
		await navigate(page, () => page.getByRole('link', { name: /^Goedkeuringen \(\d+\)$/ }).click());
		assert.equal(new URL(page.url()).pathname, `${LIB}/goedkeuringen`);
		await checkPage(page, 'goedkeuringen (laptop)');
		const request = card(page, 'E2E-350-A');
		assert.equal(await request.count(), 1, 'the request is in the inbox');
		const text = await request.innerText();
		assert.ok(text.includes(title), 'the module is named');
		assert.match(text, /€ 350/);
		assert.match(text, /€ 500/); // the budget left before approval
		await navigate(page, () => request.getByRole('button', { name: /^Goedkeuren/ }).click());
		assert.match(await page.getByRole('status').first().innerText(), /goedgekeurd/);
		assert.equal(await card(page, 'E2E-350-A').count(), 0);

		// The budget page: € 350 reserved, € 150 left for the volunteer.
		await navigate(page, () => page.getByRole('link', { name: 'Budgetten' }).first().click());
		await page.getByLabel('Jaar', { exact: true }).selectOption(String(plan.year));
		await navigate(page, () => page.getByRole('button', { name: 'Jaar tonen' }).click());
		await page.getByLabel('Zoek op naam').fill(VOLUNTEER_NAME);
		await navigate(page, () => page.getByRole('button', { name: 'Zoeken' }).click());
		const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: VOLUNTEER_NAME }) });
		const cells = await row.getByRole('cell').allInnerTexts();
		assert.equal(cells[1].trim(), '€ 500', `budget: ${cells}`);
		assert.equal(cells[2].trim(), '€ 350', `reserved: ${cells}`);
		assert.equal(cells[4].trim(), '€ 150', `left: ${cells}`);
		await checkPage(page, 'budgetten met reservering (laptop)');
	});
});

test('a second request above what is left goes to approval and is refused with a reason', async () => {
	const { second } = plan;
	await withPage(DESKTOP, async ({ page }) => {
		await logIn(page, VOLUNTEER);
		await requestSeat(page, second);
	});

	await withPage(DESKTOP, async ({ page, allowStatus }) => {
		await logIn(page, MANAGER);
		await page.goto(`${LIB}/goedkeuringen`);
		const request = card(page, 'E2E-350-B');
		allowStatus(await request.locator('form').getAttribute('action')); // refused without a reason: 422
		assert.match(await request.innerText(), /hoger dan het budget dat over is/);
		assert.match(await request.innerText(), /€ 150/);
		// Refusing without a reason: a clear message, nothing decided.
		let res = await navigate(page, () => request.getByRole('button', { name: /^Afwijzen/ }).click());
		assert.equal(res.status(), 422);
		assert.match(await page.getByRole('alert').first().innerText(), /Geef een reden op/);
		await checkPage(page, 'goedkeuringen, afwijzen zonder reden (laptop)');
		assert.equal(await card(page, 'E2E-350-B').count(), 1);
		await card(page, 'E2E-350-B').getByLabel('Reden (nodig bij afwijzen)').fill('Het budget voor dit jaar is bijna op.');
		res = await navigate(page, () => card(page, 'E2E-350-B').getByRole('button', { name: /^Afwijzen/ }).click());
		assert.equal(res.status(), 200);
		assert.match(await page.getByRole('status').first().innerText(), /afgewezen/);
		assert.equal(await card(page, 'E2E-350-B').count(), 0);

		// The team page shows the refusal with its reason on the booking.
		await navigate(page, () => page.getByRole('link', { name: 'Team', exact: true }).first().click());
		await page.getByLabel('Zoek op naam').fill(VOLUNTEER_NAME);
		await page.getByLabel('Stand').selectOption('refused');
		await navigate(page, () => page.getByRole('button', { name: 'Tonen' }).click());
		await navigate(page, () => page.getByRole('link', { name: new RegExp(`^Bekijken\\s*:\\s*${VOLUNTEER_NAME}`) }).first().click());
		assert.match(await page.locator('main').innerText(), /Het budget voor dit jaar is bijna op\./);
		await checkPage(page, 'inschrijving (laptop)');
	});
});

test('every manager page on a phone', async () => {
	const { first } = plan;
	await withPage(PHONE, async ({ page }) => {
		await logIn(page, MANAGER);
		await checkPage(page, '/mijn (telefoon)');
		for (const [label, url] of [
			['team', `${LIB}/team`],
			['goedkeuringen', `${LIB}/goedkeuringen`],
			['budgetten', `${LIB}/budgetten`],
			['lid inschrijven', `${LIB}/team/inschrijven?uitvoering=${first}`],
			['reserveren', `${LIB}/uitvoeringen/${first}/reserveren`],
		]) {
			const res = await page.goto(url);
			assert.equal(res.status(), 200, label);
			await checkPage(page, `${label} (telefoon)`);
		}
		await page.goto(`${LIB}/team?staat=refused`);
		await navigate(page, () => page.locator(`a[href^="${LIB}/inschrijvingen/"]`).first().click());
		await checkPage(page, 'inschrijving (telefoon)');
	});
});
