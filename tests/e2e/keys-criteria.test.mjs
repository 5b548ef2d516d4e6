// A provider makes an API key and revokes it; the campus administrator adds a
// review criterion, sees it published, and retires it again. Every page axe
// clean on a laptop and a phone.
import assert from 'node:assert/strict';
import { test, useCampus } from './common.mjs';
import { checkPage, logIn, navigate } from './flows.mjs';
import { DESKTOP, PHONE } from './browser.mjs';

const { withPage } = useCampus();

for (const [label, options] of [['laptop', DESKTOP], ['phone', PHONE]]) {
	test(`a provider makes an API key, sees it once, and revokes it (${label})`, async () => {
		await withPage(options, async ({ page }) => {
			await logIn(page, 'aanbieder@go-opleidingen.demo');
			await navigate(page, () => page.getByRole('link', { name: 'Eigen aanbod (modules)' }).click());
			await navigate(page, () => page.getByRole('link', { name: 'API-sleutels voor uw eigen systemen' }).click());
			await checkPage(page, `API keys (${label})`);
			const name = `Planner ${label} ${Date.now()}`;
			await page.getByLabel('Naam (bijvoorbeeld het systeem dat hem gebruikt)').fill(name);
			await page.getByLabel('Modules plaatsen, wijzigen en publiceren').check();
			const res = await navigate(page, () => page.getByRole('button', { name: 'Sleutel maken' }).click());
			assert.equal(res.status(), 201);
			const key = (await page.locator('#nieuwe-sleutel').innerText()).trim();
			assert.match(key, /^campus_[A-Za-z0-9_-]{43}$/);
			await checkPage(page, `API key made (${label})`);
			// The key works, once shown; the page does not show it again.
			const api = await page.request.get('/api/v1/provider/modules', { headers: { Authorization: `Bearer ${key}` } });
			assert.equal(api.status(), 200);
			await page.goto(new URL(page.url()).pathname);
			assert.equal(await page.locator('#nieuwe-sleutel').count(), 0);
			const row = page.getByRole('row').filter({ hasText: name });
			await navigate(page, () => row.getByRole('button', { name: /Intrekken/ }).click());
			assert.match(await page.getByRole('row').filter({ hasText: name }).innerText(), /ingetrokken/);
			const after = await page.request.get('/api/v1/provider/modules', { headers: { Authorization: `Bearer ${key}` } });
			assert.equal(after.status(), 401);
		});
	});
}

test('the campus administrator adds a review criterion, it is published, then retired', async () => {
	await withPage(DESKTOP, async ({ page }) => {
		await logIn(page, 'beheerder@campus.demo');
		await navigate(page, () => page.getByRole('link', { name: 'Toetsingscriteria beheren' }).click());
		await checkPage(page, 'criteria administration');
		const name = `Toegankelijkheid ${Date.now()}`;
		await page.getByLabel('Naam').last().fill(name);
		await page.getByLabel('Waar let de commissie op?').last().fill('Materiaal en werkvormen zijn toegankelijk.');
		await navigate(page, () => page.getByRole('button', { name: 'Toevoegen' }).click());
		assert.match(await page.getByRole('status').first().innerText(), /bijgewerkt/);
		await checkPage(page, 'criteria administration, added');
		await page.goto('/toetsingscriteria');
		assert.match(await page.locator('main').innerText(), new RegExp(name));
		await page.goto('/beheer/toetsingscriteria');
		const section = page.locator('section', { has: page.getByRole('heading', { name }) });
		await navigate(page, () => section.getByRole('button', { name: 'Intrekken' }).click());
		await page.goto('/toetsingscriteria');
		assert.doesNotMatch(await page.locator('main').innerText(), new RegExp(name));
	});
});

for (const [label, options] of [['laptop', DESKTOP], ['phone', PHONE]]) {
	test(`the published criteria, from the register (${label})`, async () => {
		await withPage(options, async ({ page }) => {
			await page.goto('/register');
			await navigate(page, () => page.getByRole('link', { name: 'Waarop de commissie toetst' }).click());
			assert.equal(new URL(page.url()).pathname, '/toetsingscriteria');
			assert.match(await page.locator('main').innerText(), /Leerdoelen/);
			await checkPage(page, `criteria (${label})`);
		});
	});
}
