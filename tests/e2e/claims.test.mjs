// Self-reported learning and EVC, as a new user would try it: a new
// employee of Utrecht reports a study day with a real PDF certificate (made
// here by the browser's own "print to PDF"); a PNG renamed to .pdf is refused
// first with a clear reason; the Utrecht manager finds it under "Scholing"
// and approves it with the hours as points; the learner reads the outcome on
// a phone without JavaScript and asks for EVC there; the committee refuses
// that request with a reason. Every page axe clean, on a laptop and on a
// phone, with and without JavaScript.
//
// The employee is made with `campus user add`, so the demo's own people do
// not count.

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test, useCampus } from './common.mjs';
import { DESKTOP, PHONE } from './browser.mjs';
import { DEMO_PASSWORD, checkPage, logIn, navigate } from './flows.mjs';
import { repoRoot } from './server.mjs';

const { state, withPage } = useCampus();
const MANAGER = 'manager@bibliotheek-utrecht.demo';
const COMMITTEE = 'commissie@campus.demo';
const LEARNER = `e2e.scholing.${Date.now()}@example.nl`;
const LIB = '/b/bibliotheek-utrecht';
const TITLE = 'Studiedag Digitale inclusie';
const EVC_TITLE = 'Leesbevordering in het basisonderwijs';
const NO_JS_PHONE = { ...PHONE, javaScriptEnabled: false };

// A 1x1 PNG: what a photo renamed to .pdf looks like to the server.
const PNG = Buffer.from(
	'89504E470D0A1A0A0000000D49484452000000010000000108060000001F15C4890000000D4944415478' +
		'9C63F8CFC0F01F0005000101FF89993D1D0000000049454E44AE426082',
	'hex',
);

let claimPath = '';
let pdfBytes = null;

/** A real PDF certificate, printed by Chromium itself. */
async function makePdf() {
	const context = await state.browser.newContext();
	const page = await context.newPage();
	await page.setContent('<h1>Certificaat</h1><p>Studiedag Digitale inclusie, 6 uur, Probiblio.</p>');
	const bytes = await page.pdf({ format: 'A4' });
	await context.close();
	assert.equal(bytes.subarray(0, 5).toString('latin1'), '%PDF-');
	return bytes;
}

/** Fills the claim form (on /mijn/scholing/nieuw) and submits it; the response. */
async function fillAndSubmit(page, { title, hours, date, description, file }) {
	await page.getByLabel('Titel').fill(title);
	await page.getByLabel('Aanbieder of opleiding (niet verplicht)').fill('Probiblio');
	if (description) await page.getByLabel('Wat heb je geleerd? (verplicht bij EVC)').fill(description);
	await page.getByLabel('Aantal uren').fill(hours);
	await page.getByLabel('Gevolgd tot en met').fill(date);
	await page.getByLabel('Bewijsstukken').setInputFiles(file);
	return navigate(page, () => page.getByRole('button', { name: 'Indienen' }).click());
}

test('a new employee joins the library', async () => {
	const bin = path.resolve(repoRoot, process.env.CAMPUS_BIN || 'build/campus');
	execFileSync(bin, ['--db', `sqlite:${path.join(state.server.dir, 'campus.db')}`, 'user', 'add', LEARNER,
		'Sanne Scholing', '--org', 'bibliotheek-utrecht', '--kind', 'employee', '--roles', 'learner',
		'--password-stdin'], { cwd: repoRoot, input: `${DEMO_PASSWORD}\n`, timeout: 30000 });
	pdfBytes = await makePdf();
});

test('the employee reports a study day with a real PDF; a renamed PNG is refused first (laptop)', async () => {
	await withPage(DESKTOP, async ({ page, allowStatus }) => {
		await logIn(page, LEARNER);
		await navigate(page, () => page.getByRole('link', { name: 'Scholing melden' }).click());
		assert.equal(new URL(page.url()).pathname, '/mijn/scholing');
		await checkPage(page, 'scholing (laptop)');
		await navigate(page, () => page.getByRole('link', { name: 'Externe scholing melden' }).click());
		await checkPage(page, 'scholing melden (laptop)');

		allowStatus('/mijn/scholing/nieuw'); // the forged file: 422
		let res = await fillAndSubmit(page, {
			title: TITLE, hours: '6', date: '2025-11-20',
			file: { name: 'certificaat.pdf', mimeType: 'application/pdf', buffer: PNG },
		});
		assert.equal(res.status(), 422);
		const alert = page.getByRole('alert');
		await assert.doesNotReject(alert.getByText(/is een afbeelding/).waitFor());
		await assert.doesNotReject(alert.getByText('Er is niets ingediend.').waitFor());
		await checkPage(page, 'scholing melden, vals bestand (laptop)');
		// The fields are kept; the file must be chosen again.
		assert.equal(await page.getByLabel('Titel').inputValue(), TITLE);

		res = await fillAndSubmit(page, {
			title: TITLE, hours: '6', date: '2025-11-20',
			file: { name: 'certificaat.pdf', mimeType: 'application/pdf', buffer: pdfBytes },
		});
		assert.equal(res.status(), 200);
		claimPath = new URL(page.url()).pathname;
		assert.match(claimPath, /^\/mijn\/scholing\/\d+$/);
		await assert.doesNotReject(page.getByText('Je melding is ingediend.', { exact: false }).waitFor());
		await assert.doesNotReject(page.getByText('ingediend, wacht op besluit').waitFor());
		await checkPage(page, 'melding (laptop)');

		// The certificate comes back as it went up, as a PDF attachment.
		const href = await page.getByRole('link', { name: 'certificaat.pdf' }).getAttribute('href');
		const file = await page.request.get(href);
		assert.equal(file.status(), 200);
		assert.equal(file.headers()['content-type'], 'application/pdf');
		assert.match(file.headers()['content-disposition'], /^attachment; filename="certificaat\.pdf"$/);
		assert.ok(Buffer.from(await file.body()).equals(pdfBytes), 'the PDF changed on the way');
	});
});

test('the manager finds it under "Scholing" and approves it with the hours as points (laptop)', async () => {
	await withPage(DESKTOP, async ({ page }) => {
		await logIn(page, MANAGER);
		await navigate(page, () => page.getByRole('link', { name: 'Scholing', exact: true }).click());
		assert.equal(new URL(page.url()).pathname, `${LIB}/scholing`);
		await checkPage(page, 'gemelde scholing (laptop)');
		await navigate(page, () => page.getByRole('link', { name: TITLE }).first().click());
		await checkPage(page, 'besluit (laptop)');
		assert.equal(await page.getByLabel('Studiepunten bij goedkeuren').inputValue(), '6');
		await navigate(page, () => page.getByRole('button', { name: 'Goedkeuren' }).click());
		assert.equal(new URL(page.url()).pathname, `${LIB}/scholing`);
		await assert.doesNotReject(page.getByText('Het besluit is opgeslagen', { exact: false }).waitFor());
		await checkPage(page, 'gemelde scholing na besluit (laptop)');
	});
});

test('the employee reads the outcome on a phone without JavaScript', async () => {
	await withPage(NO_JS_PHONE, async ({ page }) => {
		await logIn(page, LEARNER);
		await page.goto('/mijn/scholing');
		await checkPage(page, 'scholing (telefoon, zonder JavaScript)');
		await navigate(page, () => page.getByRole('link', { name: TITLE }).click());
		assert.equal(new URL(page.url()).pathname, claimPath);
		await assert.doesNotReject(page.getByText('goedgekeurd', { exact: true }).waitFor());
		await checkPage(page, 'melding goedgekeurd (telefoon, zonder JavaScript)');
	});
});

// Each step its own test: on a loaded machine one long test could pass the suite's 30 s.
test('the employee asks for EVC on a phone without JavaScript', async () => {
	await withPage(NO_JS_PHONE, async ({ page }) => {
		await logIn(page, LEARNER);
		await page.goto('/mijn/scholing');
		await navigate(page, () => page.getByRole('link', { name: 'EVC aanvragen' }).click());
		await checkPage(page, 'EVC aanvragen (telefoon, zonder JavaScript)');
		const res = await fillAndSubmit(page, {
			title: EVC_TITLE, hours: '120', date: '2024-06-30',
			description: 'Acht jaar leesconsulent op basisscholen in Utrecht.',
			file: { name: 'portfolio.pdf', mimeType: 'application/pdf', buffer: pdfBytes },
		});
		assert.equal(res.status(), 200);
		await assert.doesNotReject(page.getByText('EVC: erkenning van eerder verworven competenties').waitFor());
		await checkPage(page, 'EVC-aanvraag (telefoon, zonder JavaScript)');
	});
});

test('the committee refuses the EVC request with a reason (phone)', async () => {
	await withPage(PHONE, async ({ page, allowStatus }) => {
		await logIn(page, COMMITTEE);
		await page.goto('/commissie');
		await navigate(page, () => page.getByRole('link', { name: 'EVC', exact: true }).click());
		assert.equal(new URL(page.url()).pathname, '/commissie/evc');
		await checkPage(page, 'EVC-aanvragen (telefoon)');
		await navigate(page, () => page.getByRole('link', { name: EVC_TITLE }).first().click());
		await checkPage(page, 'EVC-besluit (telefoon)');
		const form = new URL(page.url()).pathname;
		allowStatus(form); // refused without a reason: 422
		let res = await navigate(page, () => page.getByRole('button', { name: 'Afwijzen' }).click());
		assert.equal(res.status(), 422);
		await assert.doesNotReject(page.getByRole('alert').getByText(/Geef een reden/).waitFor());
		await checkPage(page, 'EVC-besluit zonder reden (telefoon)');
		await page.getByLabel('Reden (nodig bij afwijzen)').fill('Het portfolio laat geen resultaten op niveau zien.');
		res = await navigate(page, () => page.getByRole('button', { name: 'Afwijzen' }).click());
		assert.equal(new URL(page.url()).pathname, '/commissie/evc');
	});
});

test('the employee reads the refusal and its reason (laptop, no JavaScript)', async () => {
	await withPage({ ...DESKTOP, javaScriptEnabled: false }, async ({ page }) => {
		await logIn(page, LEARNER);
		await page.goto('/mijn/scholing');
		await navigate(page, () => page.getByRole('link', { name: EVC_TITLE }).click());
		await assert.doesNotReject(page.getByText('Het portfolio laat geen resultaten op niveau zien.').waitFor());
		await checkPage(page, 'EVC afgewezen (laptop, zonder JavaScript)');
	});
});
