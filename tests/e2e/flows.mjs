// What the browser tests do again and again: check a page (axe, no sideways
// scrolling), follow a navigation, log in as a demo account (with the demo's
// authenticator code when the account has two-step log-in).
import assert from 'node:assert/strict';
import { expectAxeClean } from './axe.mjs';
import { horizontalOverflow } from './browser.mjs';
import { DEMO_TOTP_SECRET, nextCode } from './totp.mjs';

export const DEMO_PASSWORD = 'Campus-demo-2026';

export async function checkPage(page, label) {
	await expectAxeClean(page, label);
	assert.equal(await horizontalOverflow(page), null, `${label}: horizontal scrolling`);
}

/** Runs action and waits for the navigation it starts; the response. */
export async function navigate(page, action) {
	const [res] = await Promise.all([page.waitForNavigation(), action()]);
	await page.waitForLoadState('load');
	return res;
}

/** Logs a demo account in and lands on /mijn. */
export async function logIn(page, email, password = DEMO_PASSWORD) {
	await page.goto('/inloggen');
	await page.getByLabel('E-mailadres').fill(email);
	await page.getByLabel('Wachtwoord').fill(password);
	await navigate(page, () => page.getByRole('button', { name: 'Inloggen' }).click());
	if (new URL(page.url()).pathname === '/inloggen/code') {
		await page.getByLabel('Code uit uw app').fill(await nextCode(DEMO_TOTP_SECRET, email));
		await navigate(page, () => page.getByRole('button', { name: 'Inloggen', exact: true }).click());
	}
	assert.equal(new URL(page.url()).pathname, '/mijn');
}
