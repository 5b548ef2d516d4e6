// The language switch in the header: a small POST form with a CSRF token, so
// it must work with JavaScript on and off, keep the visitor on the same page,
// show a flash once, and be remembered.
import assert from 'node:assert/strict';
import { test, useCampus } from './common.mjs';
import { expectAxeClean } from './axe.mjs';
import { en } from './po.mjs';

const { withPage } = useCampus();

const NL = {
	h1: 'Welkom bij Campus',
	flash: 'De taal is gewijzigd.',
};
const EN = {
	h1: en(NL.h1),
	flash: en(NL.flash),
	notFound: en('Pagina niet gevonden'),
	accessibility: en('Toegankelijkheidsverklaring'),
};

async function h1(page) {
	return (await page.locator('h1').innerText()).trim();
}

async function checkEnglishHome(page) {
	assert.equal(await page.locator('html').getAttribute('lang'), 'en');
	const heading = await h1(page);
	if (EN.h1) assert.equal(heading, EN.h1);
	else assert.notEqual(heading, NL.h1, 'the English heading differs from the Dutch one');
}

for (const javaScriptEnabled of [true, false]) {
	const js = javaScriptEnabled ? 'with JavaScript' : 'without JavaScript';

	test(`the language switch turns the page English and back (${js})`, async () => {
		await withPage({ javaScriptEnabled }, async ({ page, context }) => {
			await page.goto('/');
			assert.equal(await h1(page), NL.h1);
			const form = page.locator('form.campus-lang-switch');
			assert.equal(await form.getAttribute('method'), 'post');
			const token = await form.locator('input[name="csrf_token"]').inputValue();
			assert.ok(token.length >= 32, 'the form carries a CSRF token');

			const button = page.getByRole('button', { name: 'English' });
			assert.equal(await button.getAttribute('lang'), 'en', 'the button names its own language');
			const [res] = await Promise.all([
				page.waitForResponse((r) => new URL(r.url()).pathname === '/taal' && r.request().method() === 'POST'),
				button.click(),
			]);
			assert.equal(res.status(), 303, 'POST /taal redirects (post/redirect/get)');
			await page.waitForLoadState('load');
			assert.equal(new URL(page.url()).pathname, '/');
			await checkEnglishHome(page);

			const flash = page.getByRole('status');
			assert.equal(await flash.count(), 1, 'a flash message confirms the change');
			const flashText = (await flash.innerText()).trim();
			if (EN.flash) assert.equal(flashText, EN.flash);
			else assert.notEqual(flashText, '');
			await expectAxeClean(page, `/ in English with flash (${js})`);

			// The choice is remembered; the flash is shown only once.
			const cookies = await context.cookies();
			const taal = cookies.find((c) => c.name === 'taal');
			assert.ok(taal && taal.value === 'en', 'a "taal" cookie remembers English');
			assert.ok(taal.httpOnly, 'the language cookie is HttpOnly');
			await page.reload();
			await checkEnglishHome(page);
			assert.equal(await page.getByRole('status').count(), 0, 'the flash is gone after a reload');

			// And back to Dutch.
			await Promise.all([
				page.waitForResponse((r) => new URL(r.url()).pathname === '/taal'),
				page.getByRole('button', { name: 'Nederlands' }).click(),
			]);
			await page.waitForLoadState('load');
			assert.equal(await page.locator('html').getAttribute('lang'), 'nl');
			assert.equal(await h1(page), NL.h1);
			assert.equal((await page.getByRole('status').innerText()).trim(), NL.flash);
			await expectAxeClean(page, `/ back in Dutch with flash (${js})`);
		});
	});
}

test('the switch keeps the visitor on the page where it was pressed', async () => {
	await withPage({ javaScriptEnabled: false }, async ({ page }) => {
		await page.goto('/toegankelijkheid');
		await Promise.all([
			page.waitForResponse((r) => new URL(r.url()).pathname === '/taal'),
			page.getByRole('button', { name: 'English' }).click(),
		]);
		await page.waitForLoadState('load');
		assert.equal(new URL(page.url()).pathname, '/toegankelijkheid');
		assert.equal(await page.locator('html').getAttribute('lang'), 'en');
		if (EN.accessibility) assert.equal(await h1(page), EN.accessibility);
		else assert.notEqual(await h1(page), 'Toegankelijkheidsverklaring');
		await expectAxeClean(page, '/toegankelijkheid in English');
	});
});

test('the 404 page comes in the language the visitor chose', async () => {
	await withPage(async ({ page, allowStatus }) => {
		allowStatus('/bestaat-niet');
		await page.goto('/');
		await Promise.all([
			page.waitForResponse((r) => new URL(r.url()).pathname === '/taal'),
			page.getByRole('button', { name: 'English' }).click(),
		]);
		await page.waitForLoadState('load');
		const res = await page.goto('/bestaat-niet');
		assert.equal(res.status(), 404);
		assert.equal(await page.locator('html').getAttribute('lang'), 'en');
		if (EN.notFound) assert.equal(await h1(page), EN.notFound);
		else assert.notEqual(await h1(page), 'Pagina niet gevonden');
		await expectAxeClean(page, '/bestaat-niet in English');
	});
});

test('a browser that prefers English gets English without pressing anything', async () => {
	await withPage({ locale: 'en-GB' }, async ({ page }) => {
		await page.goto('/');
		await checkEnglishHome(page);
		assert.equal(await page.getByRole('button', { name: 'Nederlands' }).count(), 1);
		await expectAxeClean(page, '/ for an English browser');
	});
});

test('the switch refuses a form whose CSRF token does not match', async () => {
	await withPage(async ({ page, allowStatus }) => {
		allowStatus('/taal');
		await page.goto('/');
		// A forged form, as a cross-site page would send it: the token is not the cookie's.
		await page.locator('form.campus-lang-switch input[name="csrf_token"]').evaluate((el) => {
			el.value = 'x'.repeat(43);
		});
		const [res] = await Promise.all([
			page.waitForResponse((r) => new URL(r.url()).pathname === '/taal'),
			page.getByRole('button', { name: 'English' }).click(),
		]);
		assert.equal(res.status(), 403);
		await page.waitForLoadState('load');
		assert.equal(await page.locator('html').getAttribute('lang'), 'nl', 'still Dutch');
		assert.match(await page.locator('main').innerText(), /Foutcode 403/);
		await expectAxeClean(page, 'POST /taal with a wrong token (403 page)');
	});
});

test('the switch on an error page after a refused form still works', async () => {
	await withPage(async ({ page, allowStatus }) => {
		allowStatus('/taal');
		await page.goto('/');
		await page.locator('form.campus-lang-switch input[name="csrf_token"]').evaluate((el) => {
			el.value = 'x'.repeat(43);
		});
		await Promise.all([
			page.waitForResponse((r) => new URL(r.url()).pathname === '/taal'),
			page.getByRole('button', { name: 'English' }).click(),
		]);
		await page.waitForLoadState('load');
		// The 403 page's own switch (with a valid token) must land on a page, not on GET /taal.
		const terug = await page.locator('form.campus-lang-switch input[name="terug"]').inputValue();
		const [res] = await Promise.all([
			page.waitForNavigation(),
			page.getByRole('button', { name: 'English' }).click(),
		]);
		assert.equal(res.status(), 200, `switching on the 403 page (terug=${terug}) ends on ${page.url()} with ${res.status()}`);
		assert.equal(await page.locator('html').getAttribute('lang'), 'en');
	});
});
