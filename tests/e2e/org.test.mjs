// A library's own environment: its front page in its colours and with its
// logo, and the manager's settings page; axe clean on a laptop and a phone.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { test, useCampus } from './common.mjs';
import { expectAxeClean } from './axe.mjs';
import { DESKTOP, PHONE, horizontalOverflow } from './browser.mjs';

const { withPage } = useCampus();

/** A small, real PNG (16x16, one colour), written by hand with zlib. */
function pngFile() {
	const crcTable = Array.from({ length: 256 }, (_, n) => {
		let c = n;
		for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
		return c >>> 0;
	});
	const crc = (buf) => {
		let c = 0xffffffff;
		for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
		return (c ^ 0xffffffff) >>> 0;
	};
	const chunk = (type, data) => {
		const len = Buffer.alloc(4);
		len.writeUInt32BE(data.length);
		const td = Buffer.concat([Buffer.from(type), data]);
		const c = Buffer.alloc(4);
		c.writeUInt32BE(crc(td));
		return Buffer.concat([len, td, c]);
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(16, 0);
	ihdr.writeUInt32BE(16, 4);
	ihdr.set([8, 2, 0, 0, 0], 8);
	const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(16).fill([0x12, 0x34, 0x56]).flat())]);
	const idat = zlib.deflateSync(Buffer.concat(Array(16).fill(row)));
	const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'campus-logo-')), 'logo.png');
	fs.writeFileSync(file, Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', Buffer.alloc(0))]));
	return file;
}

for (const [label, options] of [['laptop', DESKTOP], ['phone', PHONE]]) {
	test(`a manager gives the library its colour and logo (${label})`, async () => {
		await withPage(options, async ({ page, allowStatus }) => {
			allowStatus('/b/bibliotheek-utrecht/instellingen'); // the refused colour is a 400 page
			await page.goto('/b/bibliotheek-utrecht');
			assert.equal((await page.locator('h1').innerText()).trim(), 'De Bibliotheek Utrecht');
			await expectAxeClean(page, `/b/bibliotheek-utrecht (${label})`);
			await page.goto('/inloggen');
			await page.getByLabel('E-mailadres').fill('manager@bibliotheek-utrecht.demo');
			await page.getByLabel('Wachtwoord').fill('Campus-demo-2026');
			await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Inloggen' }).click()]);
			await page.goto('/b/bibliotheek-utrecht/instellingen');
			await expectAxeClean(page, `instellingen (${label})`);
			assert.equal(await horizontalOverflow(page), null);
			// Not a colour: refused, with the reason.
			await page.getByLabel('Huisstijlkleur').fill('rood');
			let [res] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Opslaan' }).click()]);
			assert.equal(res.status(), 400);
			assert.match(await page.getByRole('alert').innerText(), /#00689e/);
			await expectAxeClean(page, `instellingen met fout (${label})`);
			await page.getByLabel('Huisstijlkleur').fill('#123456');
			await page.getByLabel(/Logo/).setInputFiles(pngFile());
			[res] = await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Opslaan' }).click()]);
			assert.equal(res.status(), 200);
			await page.goto('/b/bibliotheek-utrecht');
			const logo = page.locator('img.campus-org-logo');
			assert.equal(await logo.count(), 1);
			assert.ok(await logo.evaluate((img) => img.complete && img.naturalWidth === 16), 'the logo loads');
			const brand = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--campus-brand-color').trim());
			assert.equal(brand, '#123456');
			await expectAxeClean(page, `/b/bibliotheek-utrecht met logo (${label})`);
		});
	});
}
