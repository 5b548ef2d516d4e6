// Forgotten password in the browser, through real e-mail: the pages are
// accessible (axe, WCAG 2.2 AA) on a laptop and a phone, and the whole flow
// works: ask for a link, read it from the SMTP sink's directory, choose a new
// password, land logged in on Mijn Campus; a used link gets a clear page.
//
// The sink: CAMPUS_SMTP_URL and CAMPUS_MAIL_DIR when scripts/test.sh runs one;
// otherwise this file starts tests/smtp-sink.mjs itself.
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, useCampus } from './common.mjs';
import { expectAxeClean } from './axe.mjs';
import { PHONE, horizontalOverflow } from './browser.mjs';
import { freePort, repoRoot } from './server.mjs';
import { simpleParser } from 'mailparser';

const sink = { dir: process.env.CAMPUS_MAIL_DIR, child: null, tmp: null, seen: new Set() };

// At load time (top-level await), so the sink is there before the server starts.
{
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
	for (const f of listMail()) sink.seen.add(f); // earlier suites' mail
}
after(async () => {
	if (sink.child) {
		sink.child.kill('SIGTERM');
		await new Promise((r) => sink.child.once('exit', r));
	}
	if (sink.tmp) rmSync(sink.tmp, { recursive: true, force: true });
});

const campus = useCampus();
const { withPage } = campus;

function listMail() {
	try {
		return readdirSync(sink.dir).filter((f) => f.endsWith('.eml')).sort();
	} catch {
		return [];
	}
}

/** The text of a raw message (mailparser decodes it). */
async function bodyText(raw) {
	return (await simpleParser(Buffer.from(raw, 'latin1'))).text.replace(/\r\n/g, '\n');
}

/** The path of the reset link in the next new e-mail to `to`. */
async function resetLinkFor(to, timeoutMs = 15000, prefix = '/wachtwoord-herstellen/') {
	const end = Date.now() + timeoutMs;
	while (Date.now() < end) {
		for (const f of listMail()) {
			if (sink.seen.has(f)) continue;
			const raw = readFileSync(path.join(sink.dir, f), 'latin1');
			if (!raw.split('\r\n', 1)[0].includes(`"${to}"`)) continue;
			sink.seen.add(f);
			const m = (await bodyText(raw)).match(new RegExp(`https?://[^/\\s]+(${prefix}[A-Za-z0-9_-]{43})`));
			assert.ok(m, `no ${prefix} link in the e-mail to ${to}`);
			return m[1];
		}
		await new Promise((r) => setTimeout(r, 100));
	}
	throw new Error(`no e-mail to ${to} within ${timeoutMs} ms in ${sink.dir} (${listMail().join(", ")}); server: ${(campus.state.server?.log() || "").split("\n").filter((l) => /mail/.test(l)).join(" | ")}`);
}

async function requestLink(page, email) {
	await page.goto('/inloggen');
	await page.getByRole('link', { name: 'Wachtwoord vergeten?' }).click();
	await page.waitForURL('**/wachtwoord-vergeten');
	await page.getByLabel('E-mailadres').fill(email);
	await page.getByRole('button', { name: 'Stuur mij een link' }).click();
	await page.locator('#link-verstuurd').waitFor();
}

for (const [label, options] of [['laptop', {}], ['phone', PHONE]]) {
	test(`forgotten-password page on a ${label}: Dutch, axe clean`, async () => {
		await withPage(options, async ({ page }) => {
			const res = await page.goto('/wachtwoord-vergeten');
			assert.equal(res.status(), 200);
			assert.equal(await page.locator('html').getAttribute('lang'), 'nl');
			assert.equal((await page.locator('h1').innerText()).trim(), 'Wachtwoord vergeten');
			await expectAxeClean(page, `/wachtwoord-vergeten (${label})`);
			assert.equal(await horizontalOverflow(page), null, 'no horizontal scrolling');
		});
	});
}

test('reset in the browser: e-mail, new password, logged in; pages axe clean', async () => {
	const email = 'medewerker@bibliotheek-utrecht.demo';
	await withPage(async ({ page, allowStatus }) => {
		await requestLink(page, email);
		await expectAxeClean(page, 'link requested (desktop)');
		const link = await resetLinkFor(email);
		const res = await page.goto(link);
		assert.equal(res.status(), 200);
		assert.equal((await page.locator('h1').innerText()).trim(), 'Nieuw wachtwoord kiezen');
		await expectAxeClean(page, 'reset page (desktop)');
		// Two different passwords: a clear message, still on the form.
		await page.getByLabel('Nieuw wachtwoord', { exact: true }).fill('Een heel nieuw wachtwoord');
		await page.getByLabel('Nieuw wachtwoord nogmaals').fill('Iets heel anders dan dat');
		allowStatus(link); // the form answers 400 with the message, later 410
		await page.getByRole('button', { name: 'Wachtwoord opslaan en inloggen' }).click();
		await page.locator('#herstel-fout').waitFor();
		assert.match(await page.locator('#herstel-fout').innerText(), /niet gelijk/);
		await expectAxeClean(page, 'reset page with an error (desktop)');
		await page.getByLabel('Nieuw wachtwoord', { exact: true }).fill('Een heel nieuw wachtwoord');
		await page.getByLabel('Nieuw wachtwoord nogmaals').fill('Een heel nieuw wachtwoord');
		await page.getByRole('button', { name: 'Wachtwoord opslaan en inloggen' }).click();
		await page.waitForURL('**/mijn');
		assert.equal((await page.locator('h1').innerText()).trim(), 'Mijn Campus');
		assert.match(await page.locator('.campus-flash').innerText(), /wachtwoord is gewijzigd/);
		// The link once more: used.
		const again = await page.goto(link);
		assert.equal(again.status(), 410);
		assert.equal((await page.locator('h1').innerText()).trim(), 'Deze link werkt niet');
		await expectAxeClean(page, 'used link (desktop)');
	});
});

test('reset page on a phone (390x844): axe clean, no horizontal scrolling', async () => {
	const email = 'vrijwilliger@bibliotheek-utrecht.demo';
	await withPage(PHONE, async ({ page }) => {
		await requestLink(page, email);
		await expectAxeClean(page, 'link requested (phone)');
		const link = await resetLinkFor(email);
		const res = await page.goto(link);
		assert.equal(res.status(), 200);
		await expectAxeClean(page, 'reset page (phone)');
		const overflow = await horizontalOverflow(page);
		assert.equal(overflow, null, `no horizontal scrolling at 390 px: ${JSON.stringify(overflow)}`);
	});
});

test('changing one\'s e-mail address: link to the new address, confirm page; pages axe clean', async () => {
	const old = 'aanbieder@go-opleidingen.demo';
	const fresh = `aanbieder-nieuw-${Date.now()}@example.org`;
	await withPage(async ({ page, allowStatus }) => {
		await page.goto('/inloggen');
		await page.getByLabel('E-mailadres').fill(old);
		await page.getByLabel('Wachtwoord').fill('Campus-demo-2026');
		await page.getByRole('button', { name: 'Inloggen' }).click();
		await page.waitForURL('**/mijn');
		// A wrong password: a clear message, nothing sent.
		allowStatus('/mijn/emailadres');
		await page.getByLabel('Nieuw e-mailadres', { exact: true }).fill(fresh);
		await page.getByLabel('Uw wachtwoord', { exact: true }).fill('niet mijn wachtwoord');
		await page.getByRole('button', { name: 'Bevestigingslink sturen' }).click();
		await page.locator('#email-fout').waitFor();
		assert.match(await page.locator('#email-fout').innerText(), /wachtwoord klopt niet/);
		await expectAxeClean(page, '/mijn with an e-mail error');
		await page.getByLabel('Uw wachtwoord', { exact: true }).fill('Campus-demo-2026');
		await page.getByRole('button', { name: 'Bevestigingslink sturen' }).click();
		await page.waitForURL('**/mijn');
		assert.match(await page.locator('.campus-flash').innerText(), /bevestigingslink/);
		await expectAxeClean(page, '/mijn after the request');
		// Nothing changed yet: /mijn still shows the old address.
		assert.ok(await page.getByText(old, { exact: true }).isVisible());
		const link = await resetLinkFor(fresh, 15000, '/emailadres-bevestigen/');
		const res = await page.goto(link);
		assert.equal(res.status(), 200);
		assert.equal((await page.locator('h1').innerText()).trim(), 'Nieuw e-mailadres bevestigen');
		await expectAxeClean(page, 'e-mail confirm page');
		await page.getByRole('button', { name: 'E-mailadres wijzigen' }).click();
		await page.waitForURL('**/mijn');
		assert.match(await page.locator('.campus-flash').innerText(), /e-mailadres is gewijzigd/);
		assert.ok(await page.getByText(fresh, { exact: true }).isVisible());
		// The link again: used, a clear page.
		allowStatus(link);
		const again = await page.goto(link);
		assert.equal(again.status(), 410);
		assert.equal((await page.locator('h1').innerText()).trim(), 'Deze link werkt niet');
		await expectAxeClean(page, 'used e-mail link');
	});
});
