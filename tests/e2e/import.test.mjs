// A library's manager imports members from a CSV file: upload, correct the
// proposed column mapping, preview with the report, confirm, and the same file
// again (nothing changes). Every page axe clean on a laptop and a phone, and
// the same flow without JavaScript.
import assert from 'node:assert/strict';
import { test, useCampus } from './common.mjs';
import { expectAxeClean } from './axe.mjs';
import { DESKTOP, PHONE, horizontalOverflow } from './browser.mjs';

const { withPage } = useCampus();
const PASSWORD = 'Campus-demo-2026';
const MANAGER = 'manager@bibliotheek-utrecht.demo';

async function checkPage(page, label) {
	await expectAxeClean(page, label);
	assert.equal(await horizontalOverflow(page), null, `${label}: horizontal scrolling`);
}

async function navigate(page, action) {
	const [res] = await Promise.all([page.waitForNavigation(), action()]);
	await page.waitForLoadState('load');
	return res;
}

const RUNS = [
	{ label: 'laptop', options: DESKTOP, who: 'laptop' },
	{ label: 'phone', options: PHONE, who: 'telefoon' },
	{ label: 'without JavaScript', options: { ...DESKTOP, javaScriptEnabled: false }, who: 'nojs' },
];

for (const { label, options, who } of RUNS) {
	test(`a manager imports members from a CSV file (${label})`, async () => {
		await withPage(options, async ({ page }) => {
			const axe = options.javaScriptEnabled !== false;
			await page.goto('/inloggen');
			await page.getByLabel('E-mailadres').fill(MANAGER);
			await page.getByLabel('Wachtwoord').fill(PASSWORD);
			await navigate(page, () => page.getByRole('button', { name: 'Inloggen' }).click());
			await navigate(page, () => page.getByRole('link', { name: 'Leden van mijn organisatie' }).click());
			await navigate(page, () => page.getByRole('link', { name: 'Leden importeren (CSV)' }).click());
			assert.equal(new URL(page.url()).pathname, '/b/bibliotheek-utrecht/leden/importeren');
			if (axe) await checkPage(page, `importeren (${label})`);

			// "Wie" is not a known column name: the manager maps it to Naam.
			const stamp = `${who}${Date.now()}`;
			const csv = '\uFEFFE-mailadres;Wie;Soort;Rollen\n' +
				`a.${stamp}@example.nl;"Jansen; Anna";medewerker;"lerende,docent"\n` +
				`b.${stamp}@example.nl;Bram Bakker;vrijwilliger;lerende\n`;
			await page.getByLabel('CSV-bestand').setInputFiles({
				name: 'leden.csv', mimeType: 'text/csv', buffer: Buffer.from(csv),
			});
			let res = await navigate(page, () => page.getByRole('button', { name: 'Bestand controleren' }).click());
			assert.equal(res.status(), 200);
			assert.equal(await page.getByLabel('Naam', { exact: true }).inputValue(), '-1');
			assert.match(await page.getByRole('status').first().innerText(), /2 nieuwe accounts/);
			if (axe) await checkPage(page, `voorbeeld (${label})`);

			await page.getByLabel('Naam', { exact: true }).selectOption({ label: '2. Wie' });
			res = await navigate(page, () => page.getByRole('button', { name: 'Opnieuw controleren' }).click());
			assert.equal(res.status(), 200);
			assert.equal(await page.getByLabel('Naam', { exact: true }).inputValue(), '1');
			assert.ok(await page.getByRole('cell', { name: 'Jansen; Anna' }).isVisible());
			assert.match(await page.getByRole('status').first().innerText(), /0 fouten/);
			if (axe) await checkPage(page, `voorbeeld na koppelen (${label})`);

			res = await navigate(page, () => page.getByRole('button', { name: 'Importeren', exact: true }).click());
			assert.equal(res.status(), 200);
			assert.match(await page.getByRole('status').first().innerText(), /Import voltooid\. 2 rijen: 2 nieuwe accounts/);
			if (axe) await checkPage(page, `resultaat (${label})`);

			// The same file again, with the mapping: nothing changes.
			await page.goto('/b/bibliotheek-utrecht/leden/importeren');
			await page.getByLabel('CSV-bestand').setInputFiles({
				name: 'leden.csv', mimeType: 'text/csv', buffer: Buffer.from(csv),
			});
			await navigate(page, () => page.getByRole('button', { name: 'Bestand controleren' }).click());
			await page.getByLabel('Naam', { exact: true }).selectOption({ label: '2. Wie' });
			await navigate(page, () => page.getByRole('button', { name: 'Opnieuw controleren' }).click());
			await navigate(page, () => page.getByRole('button', { name: 'Importeren', exact: true }).click());
			assert.match(await page.getByRole('status').first().innerText(), /0 nieuwe accounts, 0 toegevoegd, 0 gewijzigd, 2 ongewijzigd/);

			// A file with a broken row: the report, and no import button.
			await page.goto('/b/bibliotheek-utrecht/leden/importeren');
			await page.getByLabel('CSV-bestand').setInputFiles({
				name: 'fout.csv', mimeType: 'text/csv',
				buffer: Buffer.from(`email,naam,rollen\nc.${stamp}@example.nl,Carla,tovenaar\n`),
			});
			await navigate(page, () => page.getByRole('button', { name: 'Bestand controleren' }).click());
			assert.ok(await page.getByRole('cell', { name: /Onbekende rol/ }).isVisible());
			assert.equal(await page.getByRole('button', { name: 'Importeren', exact: true }).count(), 0);
			if (axe) await checkPage(page, `fouten (${label})`);
		});
	});
}
