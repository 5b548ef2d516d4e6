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

// A large file: with JavaScript the confirmation runs in the background and a
// <progress> element follows it (static/import.js polls the progress); without
// JavaScript the same button posts the form and the result page follows.
function bigFile(stamp, rows) {
	let csv = 'E-mailadres;Naam;Soort\n';
	for (let i = 0; i < rows; i++) csv += `groot${i}.${stamp}@example.nl;Lid ${i};medewerker\n`;
	return Buffer.from(csv);
}

for (const js of [true, false]) {
	test(`a file of 5,000 rows is imported ${js ? 'with a progress bar' : 'without JavaScript'}`, async () => {
		await withPage(js ? DESKTOP : { ...DESKTOP, javaScriptEnabled: false }, async ({ page }) => {
			await page.goto('/inloggen');
			await page.getByLabel('E-mailadres').fill(MANAGER);
			await page.getByLabel('Wachtwoord').fill(PASSWORD);
			await navigate(page, () => page.getByRole('button', { name: 'Inloggen' }).click());
			await page.goto('/b/bibliotheek-utrecht/leden/importeren');
			const stamp = `${js ? 'js' : 'nojs'}${Date.now()}`;
			await page.getByLabel('CSV-bestand').setInputFiles({
				name: 'groot.csv', mimeType: 'text/csv', buffer: bigFile(stamp, 5000),
			});
			const res = await navigate(page, () => page.getByRole('button', { name: 'Bestand controleren' }).click());
			assert.equal(res.status(), 200);
			assert.match(await page.getByRole('status').first().innerText(), /5000 rijen: 5000 nieuwe accounts/);
			let polls = 0;
			if (js) {
				// The progress box is in the page, hidden until the import starts: check its markup.
				const box = page.locator('#import-voortgang');
				assert.equal(await box.isVisible(), false);
				assert.equal(await page.locator('#import-balk').getAttribute('max'), '5000');
				await page.evaluate(() => { document.getElementById('import-voortgang').hidden = false; });
				await checkPage(page, 'voortgang (zichtbaar gemaakt)');
				await page.evaluate(() => { document.getElementById('import-voortgang').hidden = true; });
				page.on('response', (r) => {
					if (r.url().includes('/leden/importeren/voortgang?upload=')) {
						assert.equal(r.status(), 200);
						polls++;
					}
				});
				await page.getByRole('button', { name: 'Importeren', exact: true }).click();
				await page.waitForURL('**/leden/importeren/resultaat?upload=*', { timeout: 25000 });
				await page.waitForLoadState('load');
				assert.ok(polls >= 1, 'the page never asked for the progress');
			} else {
				const done = await navigate(page, () => page.getByRole('button', { name: 'Importeren', exact: true }).click());
				assert.equal(done.status(), 200);
				assert.equal(new URL(page.url()).pathname, '/b/bibliotheek-utrecht/leden/importeren/bevestigen');
			}
			assert.match(await page.getByRole('status').first().innerText(), /Import voltooid\. 5000 rijen: 5000 nieuwe accounts/);
			await checkPage(page, `resultaat groot bestand (${js ? 'js' : 'zonder js'})`);
		});
	});
}
