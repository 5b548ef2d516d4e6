// Enrolment as learners meet it: a volunteer finds an edition with one seat
// on the module page and enrols; a second learner (on a phone) finds it full
// and joins the waiting list; the first cancels after the confirmation step;
// the second has the seat on Mijn leren and an e-mail saying so. Every page
// axe clean, at laptop and phone width; the second learner's part also runs
// without JavaScript.
//
// The learners belong to a library of this run (`campus org add`, no
// enrolment policy, so no approval step). The edition is planned in the
// database, as search.test.mjs seeds its data: the provider's planning
// pages are another engineer's and are tested there. The SMTP sink:
// CAMPUS_SMTP_URL and CAMPUS_MAIL_DIR when scripts/test.sh runs one,
// otherwise this file starts tests/smtp-sink.mjs itself (as mail.test.mjs).
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, useCampus } from './common.mjs';
import { checkPage, logIn, navigate, DEMO_PASSWORD } from './flows.mjs';
import { DESKTOP, PHONE } from './browser.mjs';
import { freePort, repoRoot } from './server.mjs';
import { simpleParser } from 'mailparser';

const sink = { dir: process.env.CAMPUS_MAIL_DIR, child: null, tmp: null };
// At load time, so the sink listens before the server starts.
if (!process.env.CAMPUS_SMTP_URL || !sink.dir) {
	const port = await freePort();
	sink.tmp = mkdtempSync(path.join(os.tmpdir(), 'campus-mail-'));
	sink.dir = sink.tmp;
	sink.child = spawn(process.execPath, ['tests/smtp-sink.mjs', String(port), sink.dir], {
		cwd: repoRoot,
		stdio: ['ignore', 'pipe', 'inherit'],
	});
	await new Promise((resolve, reject) => {
		sink.child.stdout.on('data', (d) => /listening/.test(String(d)) && resolve());
		sink.child.on('exit', (code) => reject(new Error(`smtp-sink exited ${code}`)));
	});
	process.env.CAMPUS_SMTP_URL = `smtp://127.0.0.1:${port}`;
}
after(async () => {
	if (sink.child) {
		sink.child.kill('SIGTERM');
		await new Promise((r) => sink.child.once('exit', r));
	}
	if (sink.tmp) rmSync(sink.tmp, { recursive: true, force: true });
});

const { state, withPage, serverSql } = useCampus();

/** The text of a raw message (mailparser decodes it). */
async function bodyText(raw) {
	return (await simpleParser(Buffer.from(raw, 'latin1'))).text.replace(/\r\n/g, '\n');
}

/** Waits for an e-mail to `to` whose text contains `phrase`. */
async function mailTo(to, phrase, timeoutMs = 15000) {
	const end = Date.now() + timeoutMs;
	while (Date.now() < end) {
		let files = [];
		try {
			files = readdirSync(sink.dir).filter((f) => f.endsWith('.eml'));
		} catch {
			// not there yet
		}
		for (const f of files) {
			const raw = readFileSync(path.join(sink.dir, f), 'latin1');
			if (raw.split('\r\n', 1)[0].includes(`"${to}"`) && (await bodyText(raw)).includes(phrase)) return raw;
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`no e-mail to ${to} with "${phrase}" within ${timeoutMs} ms in ${sink.dir}`);
}
const bin = path.resolve(repoRoot, process.env.CAMPUS_BIN || 'build/campus');
const DAY = 24 * 3600;

function dbFile() {
	return path.join(state.server.dir, 'campus.db');
}

const sql = serverSql;

function campus(args, input) {
	execFileSync(bin, ['--db', `sqlite:${dbFile()}`, ...args], { cwd: repoRoot, input, timeout: 30000 });
}

/** A library of this run with n volunteers; their e-mail addresses. */
function library(tag, n) {
	const slug = `e2e-leren-${tag}`;
	campus(['org', 'add', slug, `Bibliotheek E2E ${tag}`, '--kind', 'library']);
	const emails = [];
	for (let i = 0; i < n; i++) {
		const email = `leerling${i}-${tag}@example.nl`;
		campus(['user', 'add', email, `Leerling ${i} ${tag}`, '--org', slug, '--kind', 'volunteer',
			'--roles', 'learner', '--password-stdin'], `${DEMO_PASSWORD}\n`);
		emails.push(email);
	}
	return emails;
}

/** A national classroom module of the demo, and a new edition of it with
 * `seats` seats, two meetings from a week on; { moduleId, editionId, code }. */
function planEdition(tag, seats) {
	const moduleId = Number(sql(
		"SELECT m.id FROM modules m JOIN module_versions v ON v.id = m.published_version_id " +
		"WHERE m.local_org_id IS NULL AND v.audience = 'both' AND v.format = 'classroom' ORDER BY m.id LIMIT 1;"));
	assert.ok(moduleId > 0, 'no national classroom module in the demo');
	const now = Math.floor(Date.now() / 1000);
	const start = now + 7 * DAY;
	const code = `E2E-${tag}`;
	const editionId = Number(sql(`
		INSERT INTO editions (module_id, provider_id, code, capacity, place, starts_at, ends_at, created_at, updated_at)
		SELECT id, provider_id, '${code}', ${seats}, 'Bibliotheek Utrecht, Oudegracht 167', ${start}, ${start + 7 * DAY + 3 * 3600}, ${now}, ${now}
		FROM modules WHERE id = ${moduleId};
		SELECT last_insert_rowid();`));
	sql(`INSERT INTO edition_meetings (edition_id, starts_at, ends_at) VALUES
		(${editionId}, ${start}, ${start + 3 * 3600}),
		(${editionId}, ${start + 7 * DAY}, ${start + 7 * DAY + 3 * 3600});`);
	return { moduleId, editionId, code };
}

function stateOf(editionId, email) {
	return sql(`SELECT e.state FROM enrolments e JOIN people p ON p.id = e.person_id
		WHERE e.edition_id = ${editionId} AND p.email = '${email}' ORDER BY e.id DESC LIMIT 1;`);
}

const RUNS = [
	{ label: 'with JavaScript', second: PHONE, secondLabel: 'phone' },
	{ label: 'without JavaScript', second: { ...PHONE, javaScriptEnabled: false }, secondLabel: 'phone, no JavaScript' },
];

// Each step is a test of its own (each within the suite's time limit); the
// steps of a run share its library and edition.
for (const run of RUNS) {
	const it = {};
	test(`one seat: a volunteer enrols from the module page (${run.label})`, async () => {
		it.tag = `${Date.now().toString(36)}${run.second.javaScriptEnabled === false ? 'n' : 'j'}`;
		[it.first, it.second] = library(it.tag, 2);
		Object.assign(it, planEdition(it.tag, 1));
		const { moduleId, editionId, code } = it;
		await withPage(DESKTOP, async ({ page }) => {
			await logIn(page, it.first);
			await page.goto(`/aanbod/${moduleId}`);
			const editions = page.getByRole('region', { name: 'Uitvoeringen' });
			const card = editions.getByRole('listitem').filter({ hasText: code });
			await assert.doesNotReject(card.getByText('Nog 1 plaats').waitFor(), 'the module page shows the seat');
			await checkPage(page, 'module page with editions (laptop)');
			await navigate(page, () => card.getByRole('link').click());
			assert.equal(new URL(page.url()).pathname, `/uitvoeringen/${editionId}`);
			await checkPage(page, 'edition page (laptop)');
			await navigate(page, () => page.getByRole('button', { name: 'Inschrijven' }).click());
			const url = new URL(page.url());
			assert.equal(url.pathname, '/mijn/leren');
			assert.match(url.search, /^\?inschrijving=\d+$/);
			await assert.doesNotReject(page.getByRole('status').getByText('Je bent ingeschreven.').waitFor());
			await checkPage(page, 'Mijn leren after enrolling (laptop)');
		});
		assert.equal(stateOf(editionId, it.first), 'enrolled');
	});

	test(`one seat: the next learner finds it full and joins the waiting list (${run.label})`, async () => {
		assert.ok(it.editionId, 'the first step did not plan the edition');
		await withPage(run.second, async ({ page }) => {
			await logIn(page, it.second);
			await page.goto(`/uitvoeringen/${it.editionId}`);
			await assert.doesNotReject(page.getByText('Vol: wachtlijst').waitFor());
			await checkPage(page, `full edition (${run.secondLabel})`);
			await navigate(page, () => page.getByRole('button', { name: 'Op de wachtlijst' }).click());
			await assert.doesNotReject(page.getByRole('status').getByText(/op plaats 1\./).waitFor());
			await checkPage(page, `Mijn leren on the waiting list (${run.secondLabel})`);
		});
		assert.equal(stateOf(it.editionId, it.second), 'waitlisted');
	});

	test(`one seat: the first cancels after confirming (${run.label})`, async () => {
		assert.ok(it.editionId, 'the first step did not plan the edition');
		await withPage(DESKTOP, async ({ page }) => {
			await logIn(page, it.first);
			await navigate(page, () => page.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Mijn leren' }).click());
			await checkPage(page, 'Mijn leren with a booking (laptop)');
			await navigate(page, () => page.getByRole('link', { name: /^Annuleren/ }).click());
			await assert.doesNotReject(page.getByRole('heading', { name: 'Weet je het zeker?' }).waitFor());
			await checkPage(page, 'cancel confirmation (laptop)');
			await page.getByLabel('Reden (niet verplicht)').fill('Ik ben die week op vakantie.');
			await navigate(page, () => page.getByRole('button', { name: 'Ja, annuleren' }).click());
			assert.equal(new URL(page.url()).pathname, '/mijn/leren');
			await assert.doesNotReject(page.getByText('Je inschrijving is geannuleerd.').waitFor());
			await checkPage(page, 'Mijn leren after cancelling (laptop)');
		});
		assert.equal(stateOf(it.editionId, it.first), 'cancelled');
		assert.equal(stateOf(it.editionId, it.second), 'enrolled', 'the seat went to the first on the waiting list');
	});

	test(`one seat: the waiting learner has the seat on Mijn leren (${run.label})`, async () => {
		assert.ok(it.editionId, 'the first step did not plan the edition');
		await withPage(run.second, async ({ page }) => {
			await logIn(page, it.second);
			await page.goto('/mijn/leren');
			const bookings = page.getByRole('region', { name: 'Mijn inschrijvingen' });
			await assert.doesNotReject(bookings.getByRole('link', { name: /^Annuleren/ }).waitFor());
			assert.equal(await page.getByRole('region', { name: 'Op de wachtlijst' }).count(), 0);
			await checkPage(page, `Mijn leren with the seat (${run.secondLabel})`);
		});
		// And the e-mail that says so, with the meetings for the calendar.
		const raw = await mailTo(it.second, 'Je bent ingeschreven voor');
		assert.match(raw, /text\/calendar/, 'no iCalendar attachment');
	});
}
