// The offering as its users meet it: a provider administrator places a module
// through the form (a field error first, then corrected, with a domain, a
// competency and a picture), publishes it and opens the public page; a
// library's manager places a local module that the library's volunteer sees
// and a visitor without log-in does not; the campus administrator keeps the
// taxonomy. Every page axe clean on a laptop and a phone; the provider's flow
// also without JavaScript. Titles carry Date.now(), so no other test's data
// matters.
import assert from 'node:assert/strict';
import zlib from 'node:zlib';
import { test, useCampus } from './common.mjs';
import { checkPage, logIn, navigate } from './flows.mjs';
import { DESKTOP, PHONE } from './browser.mjs';

const { withPage } = useCampus();
const PROVIDER = 'aanbieder@go-opleidingen.demo';
const MANAGER = 'manager@bibliotheek-utrecht.demo';
const VOLUNTEER = 'vrijwilliger@bibliotheek-utrecht.demo';
const ADMIN = 'beheerder@campus.demo';

/** A small real PNG (8×8, one colour). */
function png() {
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
		const body = Buffer.concat([Buffer.from(type), data]);
		const sum = Buffer.alloc(4);
		sum.writeUInt32BE(crc(body));
		return Buffer.concat([len, body, sum]);
	};
	const ihdr = Buffer.alloc(13);
	ihdr.writeUInt32BE(8, 0);
	ihdr.writeUInt32BE(8, 4);
	ihdr[8] = 8; // bit depth
	ihdr[9] = 2; // RGB
	const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(8 * 3, 0x33)]);
	const raw = Buffer.concat(Array.from({ length: 8 }, () => row));
	return Buffer.concat([
		Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
		chunk('IHDR', ihdr),
		chunk('IDAT', zlib.deflateSync(raw)),
		chunk('IEND', Buffer.alloc(0)),
	]);
}

/** Fills the module form as a person would; load is the study load typed. */
async function fillModule(page, { title, load }) {
	await page.getByLabel('Titel', { exact: true }).fill(title);
	await page.getByLabel('Samenvatting').fill('Kinderen enthousiast maken voor boeken.');
	await page.getByLabel('Leerdoelen').fill('Je kiest een prentenboek.\nJe leest interactief voor.');
	await page.getByLabel('Beschrijving', { exact: true }).fill('Een **praktische** training.\n\n- voorlezen\n- vertellen');
	await page.getByLabel('Vorm').selectOption({ label: 'Online live' });
	await page.getByLabel('Studielast in uren').fill(load);
	await page.getByLabel('Prijs per deelnemer in euro').fill('45');
	// The profile: the first domain, and a competency inside the first role's <details>.
	const profile = page.getByRole('group', { name: 'Beroepsprofiel: domeinen, rollen en competenties' });
	await profile.locator('.campus-taxonomy-domain').first().getByRole('checkbox').first().check();
	const role = profile.locator('details.campus-taxonomy-role').first();
	if (!(await role.evaluate((d) => d.open))) await role.locator('summary').click();
	await role.locator('input[name="competentie"]').first().check();
	await page.getByLabel('Afbeelding (PNG of JPEG, hoogstens 1 MB)').setInputFiles({
		name: 'voorlezen.png', mimeType: 'image/png', buffer: png(),
	});
}

const RUNS = [
	{ label: 'laptop', options: DESKTOP, who: 'laptop' },
	{ label: 'phone', options: PHONE, who: 'telefoon' },
	{ label: 'without JavaScript', options: { ...DESKTOP, javaScriptEnabled: false }, who: 'nojs' },
];

for (const { label, options, who } of RUNS) {
	test(`a provider places, corrects and publishes a module (${label})`, async () => {
		await withPage(options, async ({ page, allowStatus }) => {
			const axe = options.javaScriptEnabled !== false;
			allowStatus('/b/go-opleidingen/modules/nieuw'); // the form with errors is a 400 page
			await logIn(page, PROVIDER);
			await navigate(page, () => page.getByRole('link', { name: 'Eigen aanbod (modules)' }).click());
			assert.equal(new URL(page.url()).pathname, '/b/go-opleidingen/modules');
			if (axe) await checkPage(page, `eigen aanbod (${label})`);
			await navigate(page, () => page.getByRole('link', { name: 'Nieuwe module' }).click());
			assert.equal(new URL(page.url()).pathname, '/b/go-opleidingen/modules/nieuw');
			if (axe) await checkPage(page, `nieuwe module, leeg (${label})`);

			const title = `Voorlezen met plezier ${who} ${Date.now()}`;
			await fillModule(page, { title, load: 'abc' });
			let res = await navigate(page, () => page.getByRole('button', { name: 'Opslaan' }).click());
			assert.equal(res.status(), 400);
			assert.match(await page.getByRole('alert').innerText(), /De module is niet opgeslagen/);
			const load = page.getByLabel('Studielast in uren');
			assert.equal(await load.getAttribute('aria-invalid'), 'true');
			assert.equal(await load.inputValue(), 'abc', 'what was typed stays');
			const described = await load.getAttribute('aria-describedby');
			assert.match(await page.locator(`#${described}`).innerText(), /Schrijf de studielast in uren/);
			assert.equal(await page.getByLabel('Titel', { exact: true }).inputValue(), title);
			// The ticked competency stays ticked and in view.
			const ticked = page.locator('input[name="competentie"]:checked');
			assert.equal(await ticked.count(), 1);
			assert.ok(await ticked.isVisible(), 'the ticked competency is hidden in a closed <details>');
			if (axe) await checkPage(page, `nieuwe module met fouten (${label})`);

			await load.fill('2,5');
			await page.getByLabel('Afbeelding (PNG of JPEG, hoogstens 1 MB)').setInputFiles({
				name: 'voorlezen.png', mimeType: 'image/png', buffer: png(),
			});
			res = await navigate(page, () => page.getByRole('button', { name: 'Opslaan' }).click());
			assert.equal(res.status(), 200);
			assert.match(new URL(page.url()).pathname, /^\/b\/go-opleidingen\/modules\/\d+$/);
			assert.match(await page.getByRole('status').first().innerText(), /opgeslagen als concept/);
			assert.equal((await page.locator('h1').innerText()).trim(), title);
			if (axe) await checkPage(page, `module bewerken (${label})`);

			res = await navigate(page, () => page.getByRole('button', { name: 'Deze versie publiceren' }).click());
			assert.equal(res.status(), 200);
			await navigate(page, () => page.getByRole('link', { name: 'bekijk de gepubliceerde module' }).click());
			assert.match(new URL(page.url()).pathname, /^\/aanbod\/\d+$/);
			assert.equal((await page.locator('h1').innerText()).trim(), title);
			assert.equal(await page.locator('.campus-prose strong').innerText(), 'praktische');
			assert.equal(await page.locator('.campus-prose li').count(), 2);
			assert.equal(await page.locator('.campus-recognition').count(), 0);
			const image = page.locator('img.campus-module-image');
			assert.ok(await image.evaluate((img) => img.complete && img.naturalWidth === 8), 'the picture does not load');
			assert.match(await page.locator('.campus-module-facts').innerText(), /2,5 uur/);
			if (axe) await checkPage(page, `module (${label})`);
			if (who === 'laptop') {
				// Facts beside the text on a laptop.
				const [text, facts] = await Promise.all([
					page.locator('.campus-module-layout > div').first().boundingBox(),
					page.locator('.campus-module-facts').boundingBox(),
				]);
				assert.ok(facts.x > text.x + text.width - 1, 'the facts are not beside the text on a laptop');
			} else if (who === 'telefoon') {
				const [text, facts] = await Promise.all([
					page.locator('.campus-module-layout > div').first().boundingBox(),
					page.locator('.campus-module-facts').boundingBox(),
				]);
				assert.ok(facts.y >= text.y + text.height - 1, 'the facts are not below the text on a phone');
			}
		});
	});
}

test('a library places a local module: its volunteer sees it, a visitor gets 404', async () => {
	await withPage(DESKTOP, async ({ page, allowStatus }) => {
		await logIn(page, MANAGER);
		await navigate(page, () => page.getByRole('link', { name: 'Eigen aanbod (modules)' }).click());
		assert.equal(new URL(page.url()).pathname, '/b/bibliotheek-utrecht/modules');
		assert.match(await page.locator('main').innerText(), /lokaal aanbod/);
		await navigate(page, () => page.getByRole('link', { name: 'Nieuwe module' }).click());
		const title = `Leesclub begeleiden ${Date.now()}`;
		await fillModule(page, { title, load: '3' });
		await navigate(page, () => page.getByRole('button', { name: 'Opslaan' }).click());
		await navigate(page, () => page.getByRole('button', { name: 'Deze versie publiceren' }).click());
		await navigate(page, () => page.getByRole('link', { name: 'bekijk de gepubliceerde module' }).click());
		const path = new URL(page.url()).pathname;
		assert.match(await page.locator('.campus-module-facts').innerText(), /Lokaal aanbod van\s+De Bibliotheek Utrecht/);
		await page.context().clearCookies();

		await logIn(page, VOLUNTEER);
		let res = await page.goto(path);
		assert.equal(res.status(), 200);
		assert.equal((await page.locator('h1').innerText()).trim(), title);
		await checkPage(page, 'lokale module, vrijwilliger');
		await page.context().clearCookies();

		allowStatus(path);
		res = await page.goto(path);
		assert.equal(res.status(), 404);
		assert.doesNotMatch(await page.locator('main').innerText(), new RegExp(title));
		await checkPage(page, 'lokale module, bezoeker (404)');
	});
});

for (const { label, options } of RUNS.slice(0, 2)) {
	test(`the campus administrator keeps the taxonomy (${label})`, async () => {
		await withPage(options, async ({ page }) => {
			await logIn(page, ADMIN);
			await navigate(page, () => page.getByRole('link', { name: 'Beroepsprofiel beheren' }).click());
			assert.equal(new URL(page.url()).pathname, '/beheer/taxonomie');
			await checkPage(page, `taxonomie (${label})`);

			// A new role in the first domain, with two competencies.
			const stamp = Date.now();
			const role = `Rol ${label} ${stamp}`;
			const domain = page.locator('section.campus-tax-domain').first();
			const domainName = (await domain.locator('h2').innerText()).trim();
			await domain.getByLabel(`Nieuwe rol in ${domainName}`).fill(role);
			await navigate(page, () => domain.getByRole('button', { name: 'Rol toevoegen' }).click());
			assert.match(await page.getByRole('status').first().innerText(), /bijgewerkt/);
			assert.ok(await page.getByRole('heading', { name: role, level: 3 }).isVisible());
			for (const c of ['Eerste', 'Tweede']) {
				await page.getByLabel(`Nieuwe competentie bij ${role}`).fill(`${c} ${stamp}`);
				await navigate(page, () =>
					page.locator('li', { has: page.getByRole('heading', { name: role }) })
						.getByRole('button', { name: 'Competentie toevoegen' }).click());
			}
			const entries = () => page.locator('li', { has: page.getByRole('heading', { name: role }) })
				.locator('ul.campus-tax-list > li > span').allInnerTexts();
			assert.deepEqual(await entries(), [`Eerste ${stamp}`, `Tweede ${stamp}`]);

			// Each change through the entry's "Wijzigen" panel.
			const panel = (name) => page.locator('details.campus-tax-actions', {
				has: page.locator('summary', { hasText: name }),
			});
			const act = async (name, button) => {
				const p = panel(name);
				if (!(await p.evaluate((d) => d.open))) await p.locator('summary').click();
				await navigate(page, () => p.getByRole('button', { name: button, exact: true }).click());
			};
			const renamed = `Tweede hernoemd ${stamp}`;
			let p = panel(`Tweede ${stamp}`);
			await p.locator('summary').click();
			await p.getByLabel('Nieuwe naam').fill(renamed);
			await navigate(page, () => p.getByRole('button', { name: 'Hernoemen' }).click());
			assert.deepEqual(await entries(), [`Eerste ${stamp}`, renamed]);

			await act(renamed, 'Omhoog');
			assert.deepEqual(await entries(), [renamed, `Eerste ${stamp}`]);

			await act(renamed, 'Intrekken');
			const item = page.locator('li', { has: page.locator('span', { hasText: renamed }) }).last();
			assert.match(await item.innerText(), /ingetrokken/);
			await act(renamed, 'Terugzetten');
			assert.doesNotMatch(await page.locator('li', { has: page.locator('span', { hasText: renamed }) }).last().innerText(), /ingetrokken/);
			p = panel(renamed);
			await p.locator('summary').click();
			await checkPage(page, `taxonomie na wijzigen (${label})`);
		});
	});
}
