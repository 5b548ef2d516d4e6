// A diploma from rule to inbox, through the web pages only, on a phone. The
// employee of De Bibliotheek Utrecht is enrolled on a recognised module of GO
// Opleidingen that they have not followed yet (found on Mijn leren); the
// campus administrator makes a diploma rule that asks for that module and as
// many points as it gives, within the last month, for employees: so the
// employee reaches it with this one completion, and the rule's evaluation of
// everyone (a rule change re-evaluates the 30,000 demo people, and every
// diploma sends an e-mail) finds only the few who completed that module in
// the last month. GO Opleidingen's administrator registers the result
// "afgerond"; the server's job runner (every 5 s in `campus serve`) issues
// the diploma and e-mails it: the test waits for that e-mail in the file's
// SMTP sink, checks its subject and text and that it carries the diploma's
// PDF with the diploma's code. The employee then finds the diploma under
// Mijn certificaten and in the dossier, downloads it (the same bytes as the
// attachment), and a visitor who types the code on /verify reads that it is
// valid. The administrator sees it among the rule's issued diplomas. Every
// page axe clean and nothing wider than the screen.
//
// The sink: CAMPUS_SMTP_URL and CAMPUS_MAIL_DIR from mailbox.mjs (run.mjs);
// under plain `node --test` this file starts one of its own. The file reads
// nothing from the server's database, so it runs on PostgreSQL as well
// (E2E_PG_TEMPLATE, server.mjs).
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, useCampus } from './common.mjs';
import { checkPage, logIn, navigate } from './flows.mjs';
import { PHONE } from './browser.mjs';
import { simpleParser } from 'mailparser';
import { startSink } from '../smtp-sink.mjs';

if (!process.env.CAMPUS_SMTP_URL || !process.env.CAMPUS_MAIL_DIR) {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'campus-e2e-mail-'));
	const sink = await startSink({ port: 0, dir });
	process.env.CAMPUS_SMTP_URL = `smtp://127.0.0.1:${sink.port}`;
	process.env.CAMPUS_MAIL_DIR = dir;
	after(async () => {
		await sink.close();
		rmSync(dir, { recursive: true, force: true });
	});
}
const MAIL_DIR = process.env.CAMPUS_MAIL_DIR;

const { state, withPage } = useCampus();
const ADMIN = 'beheerder@campus.demo';
const PROVIDER = 'aanbieder@go-opleidingen.demo';
const EMPLOYEE = 'medewerker@bibliotheek-utrecht.demo';

// What the steps find out and the later ones use.
const it = {
	rule: `Leesconsulent één module ${Date.now()}`, // not ASCII: an encoded Subject
	learner: null, // the employee's name
	editionId: null,
	moduleId: null,
	title: null,
	points: null, // as the module page writes them: "6,5"
	ruleId: null,
	registered: null, // when the provider saved the result (ms)
	code: null, // the diploma's code, from the e-mail's PDF
	pdf: null, // the attachment's bytes
};

// ---- the e-mail

/** The first message to `to` with that subject (parsed), waiting up to ms for it. */
async function mailTo(to, subject, ms) {
	const end = Date.now() + ms;
	const seen = [];
	for (;;) {
		let files = [];
		try {
			files = readdirSync(MAIL_DIR).filter((f) => f.endsWith('.eml')).sort();
		} catch {
			// not there until the first message
		}
		seen.length = 0;
		for (const f of files) {
			const raw = readFileSync(path.join(MAIL_DIR, f));
			if (!raw.toString('latin1').split('\r\n', 1)[0].includes(`"${to}"`)) continue;
			const mail = await simpleParser(raw);
			seen.push(mail.subject);
			if (mail.subject === subject) return mail;
		}
		if (Date.now() > end) break;
		await new Promise((r) => setTimeout(r, 200));
	}
	const log = (state.server?.log() || '').split('\n').filter((l) => /job|mail|diploma/.test(l)).slice(-20);
	return assert.fail(`no e-mail to ${to} with subject ${subject} within ${ms} ms; to them: ${JSON.stringify(seen)}; server: ${log.join(' | ')}`);
}

/** The text of a PDF (poppler's pdftotext, as the unit tests read them). */
function pdfText(bytes) {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'campus-e2e-pdf-'));
	try {
		const file = path.join(dir, 'diploma.pdf');
		writeFileSync(file, bytes);
		return execFileSync('pdftotext', [file, '-'], { timeout: 20000 }).toString();
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

// ---- the steps

test('the employee is enrolled on a recognised module not followed yet', async () => {
	await withPage(PHONE, async ({ page }) => {
		await logIn(page, EMPLOYEE);
		it.learner = (await page.locator('main dl dd').first().innerText()).trim();
		assert.ok(it.learner, 'Mijn Campus shows the name');
		await navigate(page, () => page.getByRole('link', { name: 'Mijn certificaten' }).click());
		assert.equal(await page.locator('.campus-card', { hasText: it.rule }).count(), 0, 'no diploma yet');
		const held = await page.locator('main').innerText();
		await navigate(page, () => page.goto('/mijn/leren'));
		await checkPage(page, 'mijn leren');
		const bookings = page.locator('#inschrijvingen ~ ul > li', { hasText: 'Ingeschreven' });
		const editions = [];
		for (const href of await bookings.locator('h3 a').evaluateAll((as) => as.map((a) => a.getAttribute('href'))))
			editions.push(href.match(/^\/uitvoeringen\/(\d+)$/)[1]);
		for (const id of editions) {
			await navigate(page, () => page.goto(`/uitvoeringen/${id}`));
			if (!/Aanbieder\s+GO Opleidingen/.test(await page.locator('main').innerText())) continue;
			const title = (await page.getByRole('heading', { level: 1 }).innerText()).trim();
			if (held.includes(title)) continue; // followed before: no new certificate
			await checkPage(page, 'the edition');
			await navigate(page, () => page.getByRole('link', { name: 'Meer over deze module' }).click());
			const m = (await page.locator('main').innerText()).match(/Erkend door de toetsingscommissie\s*:\s*([\d,]+) studiepunten/);
			if (!m) continue;
			await checkPage(page, 'the module');
			Object.assign(it, {
				editionId: id,
				moduleId: new URL(page.url()).pathname.match(/^\/aanbod\/(\d+)$/)[1],
				title,
				points: m[1],
			});
			return;
		}
		assert.fail(`the employee is enrolled on no recognised module of GO Opleidingen not followed yet (editions ${editions})`);
	});
});

test('the campus administrator makes a diploma rule the employee is one module short of', async () => {
	assert.ok(it.moduleId, 'found in the test before');
	await withPage(PHONE, async ({ page }) => {
		await logIn(page, ADMIN);
		await navigate(page, () => page.getByRole('link', { name: "Diploma's", exact: true }).click());
		await navigate(page, () => page.getByRole('link', { name: 'Nieuw diploma' }).click());
		await checkPage(page, 'new diploma rule');
		await page.getByLabel('Naam van het diploma').fill(it.rule);
		await page.getByLabel('Beschrijving').fill(`Wie deze maand ${it.title} heeft gevolgd.`);
		await page.getByLabel('Minimaal aantal erkende punten').fill(it.points);
		await page.getByLabel('Periode in maanden').fill('1');
		await page.getByLabel('Medewerkers').check();
		await page.getByLabel('Verplichte modules').fill(it.moduleId);
		const active = page.getByLabel(/^Actief/);
		if (!(await active.isChecked())) await active.check();
		await navigate(page, () => page.getByRole('button', { name: 'Diploma opslaan' }).click());
		const m = new URL(page.url()).pathname.match(/^\/beheer\/diplomas\/(\d+)$/);
		assert.ok(m, `after saving: ${page.url()}`);
		it.ruleId = m[1];
		assert.match(await page.getByRole('status').first().innerText(), /opgeslagen/);
		assert.equal(await page.getByLabel('Verplichte modules').inputValue(), it.moduleId);
		// The number typed is the module meant: the form names it.
		const chosen = page.getByRole('list', { name: 'Nu verplicht:' }).getByRole('link');
		assert.deepEqual(await chosen.allInnerTexts(), [it.title]);
		assert.equal(await chosen.getAttribute('href'), `/aanbod/${it.moduleId}`);
		await checkPage(page, 'the new diploma rule');
	});
});

test('the provider registers the result "afgerond"', async () => {
	assert.ok(it.ruleId, 'the rule of the test before');
	await withPage(PHONE, async ({ page }) => {
		await logIn(page, PROVIDER);
		await navigate(page, () => page.goto(`/b/go-opleidingen/uitvoeringen/${it.editionId}`));
		await navigate(page, () => page.getByRole('navigation', { name: 'Deze uitvoering' })
			.getByRole('link', { name: 'Resultaten' }).click());
		assert.equal(new URL(page.url()).pathname, `/b/go-opleidingen/uitvoeringen/${it.editionId}/resultaten`);
		await checkPage(page, 'resultaten');
		const row = () => page.locator('.utrecht-table__body tr').filter({ has: page.locator('th', { hasText: it.learner }) });
		assert.equal(await row().count(), 1, `${it.learner} is a participant`);
		await row().getByLabel('afgerond', { exact: true }).check();
		it.registered = Date.now();
		await navigate(page, () => page.getByRole('button', { name: 'Resultaten opslaan' }).click());
		assert.equal(await page.getByRole('alert').count(), 0, 'no error after saving');
		assert.ok(await row().getByLabel('afgerond', { exact: true }).isChecked(), 'the result is kept');
		await checkPage(page, 'resultaten opgeslagen');
	});
});

test('the diploma arrives by e-mail with its PDF', async (t) => {
	assert.ok(it.registered, 'registered in the test before');
	// The evaluation job, the e-mail job and the sender: each within a few
	// seconds of the one before (ticks of 5 s and 1 s).
	const mail = await mailTo(EMPLOYEE, `Gefeliciteerd: je diploma ${it.rule}`, 40000);
	t.diagnostic(`the e-mail came ${Date.now() - it.registered} ms after the registration`);
	const body = mail.text.replace(/\r\n/g, '\n');
	assert.ok(body.includes(`Je hebt alles gedaan wat het diploma ${it.rule} vraagt.`), body);
	assert.match(body, /https?:\/\/[^\s]+\/mijn\/certificaten$/m);
	assert.equal(mail.attachments.length, 1, 'one attachment');
	const [file] = mail.attachments;
	assert.equal(file.contentType, 'application/pdf');
	const name = file.filename.match(/^diploma-([0-9A-Z]{16})\.pdf$/);
	assert.ok(name, `the attachment is named after the code: ${file.filename}`);
	it.pdf = file.content;
	assert.equal(it.pdf.subarray(0, 5).toString('latin1'), '%PDF-');
	const shown = name[1].match(/.{4}/g).join('-');
	const words = pdfText(it.pdf);
	assert.ok(words.includes(it.rule), `the PDF names the diploma: ${words}`);
	assert.ok(words.includes(it.learner), `the PDF names the holder: ${words}`);
	assert.ok(words.includes(it.title), `the PDF lists the module: ${words}`);
	assert.ok(words.includes(shown), `the PDF holds the code ${shown}: ${words}`);
	it.code = shown;
});

test('the employee finds the diploma, downloads it, and the code checks out', async () => {
	assert.ok(it.code, 'the e-mail of the test before');
	await withPage(PHONE, async ({ page }) => {
		await logIn(page, EMPLOYEE);
		await navigate(page, () => page.getByRole('link', { name: 'Mijn certificaten' }).click());
		const card = page.locator('.campus-card', { hasText: it.rule });
		assert.equal(await card.count(), 1, 'one diploma of the rule');
		assert.equal((await card.getByRole('heading').innerText()).trim(), `Diploma: ${it.rule}`);
		assert.equal((await card.locator('code').innerText()).trim(), it.code);
		await checkPage(page, 'mijn certificaten');
		const href = await card.getByRole('link', { name: /^Download als PDF/ }).getAttribute('href');
		const res = await page.request.get(href);
		assert.equal(res.status(), 200);
		assert.match(res.headers()['content-type'], /^application\/pdf/);
		assert.ok((await res.body()).equals(it.pdf), 'the download is the PDF the e-mail carried');

		await navigate(page, () => page.goto('/mijn/dossier'));
		const held = page.locator('#certificaten ~ ul > li', { hasText: it.rule });
		assert.equal(await held.count(), 1, 'the dossier lists the diploma');
		assert.ok((await held.innerText()).includes(it.code), 'with its code');
		const progress = page.locator('#diplomas ~ ul > li', { has: page.getByRole('heading', { name: it.rule }) });
		const toward = await progress.innerText();
		assert.match(toward, /Behaald/);
		assert.ok(toward.includes(`${it.title}: gevolgd`), `the module counted: ${toward}`);
		await checkPage(page, 'mijn dossier');
	});

	// A visitor who was told the code types it on the verification page.
	await withPage(PHONE, async ({ page }) => {
		await navigate(page, () => page.goto('/verify'));
		await checkPage(page, 'verificatie');
		await page.getByLabel(/^Code \(16 tekens/).fill(it.code);
		const res = await navigate(page, () => page.getByRole('button', { name: 'Controleren' }).click());
		assert.equal(res.status(), 200);
		assert.equal(await page.getByRole('status').filter({ hasText: 'Geldig.' }).count(), 1, 'valid');
		const facts = await page.locator('main dl').innerText();
		assert.match(facts, /Soort\s+Diploma/);
		assert.ok(facts.includes(it.learner), `the holder on the page: ${facts}`);
		assert.ok(facts.includes(it.rule), `the title on the page: ${facts}`);
		assert.ok(facts.includes(it.code), 'the code on the page');
		await checkPage(page, 'verificatie, geldig diploma');
	});
});

test('the administrator sees the diploma among the few the rule issued', async () => {
	assert.ok(it.code, 'issued in the tests before');
	await withPage(PHONE, async ({ page }) => {
		await logIn(page, ADMIN);
		await navigate(page, () => page.goto(`/beheer/diplomas/${it.ruleId}`));
		const n = Number((await page.locator('#uitgereikt').innerText()).match(/\((\d+)\)/)[1]);
		// Only employees who completed the module in the last month: a handful
		// (each diploma is an e-mail with a PDF: the rule stays cheap to run).
		assert.ok(n >= 1 && n <= 25, `${n} diplomas issued`);
		const issued = page.locator('main li', { hasText: it.code });
		assert.equal(await issued.count(), 1, 'the diploma is listed');
		assert.ok((await issued.innerText()).includes(it.learner), 'with its holder');
		await checkPage(page, 'the rule with its diplomas');
	});
});
