// The public pages as a new visitor meets them: Dutch by default, accessible
// (axe, WCAG 2.2 AA) on a laptop and on a phone, usable with the keyboard.
import assert from 'node:assert/strict';
import { test, useCampus } from './common.mjs';
import { expectAxeClean, gradientContrastFailures } from './axe.mjs';
import { PHONE, horizontalOverflow } from './browser.mjs';

const { withPage } = useCampus();

const PAGES = [
	{ path: '/', status: 200, h1: 'Welkom bij Campus' },
	{ path: '/toegankelijkheid', status: 200, h1: 'Toegankelijkheidsverklaring' },
	{ path: '/sjablonen/voorbeeld', status: 200, h1: 'Sjablonen testen' },
	{ path: '/bestaat-niet', status: 404, h1: 'Pagina niet gevonden' },
];

test('home page in Dutch', async () => {
	await withPage(async ({ page }) => {
		const res = await page.goto('/');
		assert.equal(res.status(), 200);
		assert.match(res.headers()['content-type'], /^text\/html/);
		assert.equal(await page.locator('html').getAttribute('lang'), 'nl');
		await assert.doesNotReject(page.getByRole('heading', { level: 1, name: 'Welkom bij Campus' }).waitFor());
		assert.match(await page.title(), /Welkom/);
		// The four audiences, each a section named by its heading.
		assert.equal(await page.locator('main section[aria-labelledby]').count(), 4);
		assert.equal(await page.getByRole('button', { name: 'English' }).count(), 1);
		assert.ok(res.headers()['content-security-policy'], 'a Content-Security-Policy header');
		await expectAxeClean(page, '/ (desktop)');
		assert.equal(await horizontalOverflow(page), null, 'no horizontal scrolling');
	});
});

for (const p of PAGES) {
	test(`${p.path} on a laptop: Dutch, status ${p.status}, axe clean`, async () => {
		await withPage(async ({ page, allowStatus }) => {
			if (p.status >= 400) allowStatus(p.path);
			const res = await page.goto(p.path);
			assert.equal(res.status(), p.status);
			assert.equal(await page.locator('html').getAttribute('lang'), 'nl');
			assert.equal((await page.locator('h1').innerText()).trim(), p.h1);
			await expectAxeClean(page, `${p.path} (desktop)`);
			assert.equal(await horizontalOverflow(page), null, 'no horizontal scrolling');
		});
	});

	test(`${p.path} on a phone (390x844): axe clean, no horizontal scrolling`, async () => {
		await withPage(PHONE, async ({ page, allowStatus }) => {
			if (p.status >= 400) allowStatus(p.path);
			const res = await page.goto(p.path);
			assert.equal(res.status(), p.status);
			assert.equal((await page.locator('h1').innerText()).trim(), p.h1);
			await expectAxeClean(page, `${p.path} (phone)`);
			const overflow = await horizontalOverflow(page);
			assert.equal(overflow, null, `no horizontal scrolling at 390 px: ${JSON.stringify(overflow)}`);
			// The language switch stays reachable and large enough to tap (WCAG 2.5.8: 24x24 px).
			const box = await page.locator('.campus-lang-switch button').boundingBox();
			assert.ok(box && box.width >= 24 && box.height >= 24, `switch target ${JSON.stringify(box)}`);
			assert.ok(box.x >= 0 && box.x + box.width <= 390, `switch inside the viewport: ${JSON.stringify(box)}`);
		});
	});
}

test('text over background gradients has enough contrast (axe leaves it for review)', async () => {
	await withPage(async ({ page, allowStatus }) => {
		const failures = [];
		for (const p of PAGES) {
			if (p.status >= 400) allowStatus(p.path);
			await page.goto(p.path);
			for (const f of await gradientContrastFailures(page)) failures.push(`${p.path}: ${f}`);
		}
		assert.deepEqual(failures, [], `text with too little contrast against a gradient:\n${failures.join('\n')}`);
	});
});

test('the skip link is the first Tab stop and moves focus to main', async () => {
	await withPage(async ({ page }) => {
		await page.goto('/');
		await page.keyboard.press('Tab');
		const first = await page.evaluate(() => {
			const a = document.activeElement;
			const r = a.getBoundingClientRect();
			return {
				tag: a.tagName,
				href: a.getAttribute('href'),
				text: a.textContent.trim(),
				visible: r.width > 1 && r.height > 1 && r.bottom > 0 && r.right > 0 &&
					r.top < innerHeight && r.left < innerWidth,
			};
		});
		assert.deepEqual(first, { tag: 'A', href: '#inhoud', text: 'Naar de hoofdinhoud', visible: true });
		await page.keyboard.press('Enter');
		await page.waitForFunction(() => document.activeElement && document.activeElement.id === 'inhoud');
		assert.equal(await page.evaluate(() => document.activeElement.tagName), 'MAIN');
		assert.match(page.url(), /#inhoud$/);
		// The next Tab continues inside main, not back at the top of the page.
		await page.keyboard.press('Tab');
		const inMain = await page.evaluate(() => {
			const a = document.activeElement;
			return !!a.closest('main') || !!a.closest('footer');
		});
		assert.ok(inMain, 'Tab after the skip link lands after the header');
	});
});

test('the skip link is hidden until it has focus', async () => {
	await withPage(async ({ page }) => {
		await page.goto('/');
		const box = await page.locator('.utrecht-skip-link').boundingBox();
		const hidden = !box || box.width <= 1 || box.height <= 1 || box.y + box.height <= 0;
		assert.ok(hidden, `skip link visible before focus: ${JSON.stringify(box)}`);
	});
});

test('the accessibility statement has a breadcrumb back home', async () => {
	await withPage(async ({ page }) => {
		await page.goto('/');
		await page.getByRole('link', { name: 'Toegankelijkheid' }).click();
		await page.waitForURL('**/toegankelijkheid');
		assert.equal((await page.locator('h1').innerText()).trim(), 'Toegankelijkheidsverklaring');
		const nav = page.getByRole('navigation', { name: 'Kruimelpad' });
		assert.equal(await nav.count(), 1);
		const home = nav.getByRole('link', { name: 'Startpagina' });
		assert.equal(await home.getAttribute('href'), '/');
		await expectAxeClean(page, '/toegankelijkheid');
		await home.click();
		await page.waitForURL((u) => u.pathname === '/');
		assert.equal((await page.locator('h1').innerText()).trim(), 'Welkom bij Campus');
	});
});

test('an unknown address gives the 404 page in Dutch with a way home', async () => {
	await withPage(async ({ page, allowStatus }) => {
		allowStatus('/bestaat-niet');
		const res = await page.goto('/bestaat-niet');
		assert.equal(res.status(), 404);
		assert.match(res.headers()['content-type'], /^text\/html/);
		assert.equal(await page.locator('html').getAttribute('lang'), 'nl');
		assert.equal((await page.locator('h1').innerText()).trim(), 'Pagina niet gevonden');
		assert.match(await page.locator('main').innerText(), /Foutcode 404/);
		await expectAxeClean(page, '/bestaat-niet');
		await page.getByRole('link', { name: 'Naar de startpagina' }).click();
		await page.waitForURL((u) => u.pathname === '/');
	});
});

test('the site has a favicon, so browsers log no 404 for it', async () => {
	await withPage(async ({ page }) => {
		await page.goto('/');
		const link = page.locator('link[rel~="icon"]');
		const declared = (await link.count()) > 0 ? await link.first().getAttribute('href') : null;
		const href = declared || '/favicon.ico';
		const res = await page.request.get(href);
		assert.equal(res.status(), 200, `GET ${href} (${declared ? 'declared by <link rel="icon">' : 'no <link rel="icon">, so the browser asks for /favicon.ico'})`);
		assert.match(res.headers()['content-type'] || '', /^image\//);
	});
});

test('status endpoints answer JSON', async () => {
	await withPage(async ({ page }) => {
		const health = await page.request.get('/healthz');
		assert.equal(health.status(), 200);
		assert.deepEqual(await health.json(), { status: 'ok', database: 'ok' });
		const status = await page.request.get('/api/v1/status');
		assert.equal(status.status(), 200);
		assert.match(status.headers()['content-type'], /^application\/json/);
		const body = await status.json();
		assert.equal(body.service, 'campus');
		assert.equal(body.api, 'v1');
		assert.equal(typeof body.version, 'string');
	});
});
