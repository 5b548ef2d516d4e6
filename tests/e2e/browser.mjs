// Debian's Chromium through playwright-core, a fresh context per test, and a
// watcher that fails a test on console errors, uncaught page errors, CSP
// violations and failed sub-resources.
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export function launchBrowser() {
	return chromium.launch({
		executablePath: CHROMIUM,
		args: [
			'--headless=new',
			'--no-sandbox',
			'--disable-gpu',
			'--disable-quic',
			'--no-first-run',
			'--disable-background-networking',
			'--disable-component-update',
			'--disable-sync',
		],
	});
}

// A new user of a Dutch public library: a Dutch browser on a laptop.
export const DESKTOP = {
	locale: 'nl-NL',
	viewport: { width: 1280, height: 800 },
};

// The same user on a phone.
export const PHONE = {
	locale: 'nl-NL',
	viewport: { width: 390, height: 844 },
	deviceScaleFactor: 3,
	isMobile: true,
	hasTouch: true,
	userAgent:
		'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) ' +
		'Chrome/126.0.0.0 Mobile Safari/537.36',
};

/**
 * A new context and page with a watcher. Use allowStatus(url) for a document
 * that is meant to answer with an error status (the 404 page, a rejected
 * template), since Chromium logs those as "Failed to load resource".
 */
const pageOptions = new WeakMap();

/** The context options a page was opened with (viewport, javaScriptEnabled...). */
export function optionsOf(page) {
	return pageOptions.get(page) || {};
}

export async function openPage(browser, baseURL, options = {}) {
	const contextOptions = { ...DESKTOP, baseURL, ...options };
	const context = await browser.newContext(contextOptions);
	context.setDefaultTimeout(10000);
	context.setDefaultNavigationTimeout(10000);
	const page = await context.newPage();
	pageOptions.set(page, contextOptions);
	const problems = [];
	const allowed = new Set();
	const origin = new URL(baseURL).origin;

	page.on('console', (msg) => {
		if (msg.type() !== 'error' && msg.type() !== 'warning') return;
		const text = msg.text();
		const where = msg.location()?.url || '';
		if (/Failed to load resource/.test(text) && allowed.has(stripHash(where))) return;
		// The browser asks for /favicon.ico by itself; favicon.test.mjs checks that one.
		if (/Failed to load resource/.test(text) && where === `${origin}/favicon.ico`) return;
		// Warnings count only when they are about the Content Security Policy.
		if (msg.type() === 'warning' && !/Content Security Policy|CSP/i.test(text)) return;
		problems.push(`console.${msg.type()}: ${text}${where ? ` (${where})` : ''}`);
	});
	page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
	page.on('requestfailed', (req) => {
		// Requests cut off by a navigation (a form submitted while the icon loads) are fine.
		if (req.failure()?.errorText === 'net::ERR_ABORTED') return;
		problems.push(`request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText || ''}`);
	});
	page.on('response', (res) => {
		const req = res.request();
		if (res.status() >= 400 && req.resourceType() !== 'document' && res.url().startsWith(origin)) {
			problems.push(`sub-resource ${req.resourceType()} ${res.url()} answered ${res.status()}`);
		}
	});

	return {
		context,
		page,
		problems,
		/** Accept an error status for this document URL (path or absolute). */
		allowStatus(url) {
			allowed.add(stripHash(new URL(url, baseURL).href));
		},
		/** Fails when anything was logged; call at the end of every test. */
		assertClean() {
			assert.deepEqual(problems, [], `console errors, CSP violations or failed requests:\n${problems.join('\n')}`);
		},
		close: () => context.close(),
	};
}

function stripHash(u) {
	const i = u.indexOf('#');
	return i < 0 ? u : u.slice(0, i);
}

/** True when the page scrolls sideways (content wider than the viewport). */
export async function horizontalOverflow(page) {
	return page.evaluate(() => {
		const de = document.documentElement;
		const widest = Math.max(de.scrollWidth, document.body ? document.body.scrollWidth : 0);
		return widest > de.clientWidth ? { scrollWidth: widest, clientWidth: de.clientWidth } : null;
	});
}
