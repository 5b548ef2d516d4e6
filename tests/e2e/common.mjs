// One server and one browser per test file; a fresh context per test.
import { before, after, test as nodeTest } from 'node:test';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startServer } from './server.mjs';
import { launchBrowser, openPage } from './browser.mjs';

// No single test may hang the suite: each gets 90 s. (A step takes a few
// seconds; the longest flows, through several forms with axe on every page,
// take 8-10 s on a quiet machine and took up to 51 s inside make test with
// three browser-test files at a time beside the other suites on two cores;
// make test now runs four.)
export const TEST_TIMEOUT_MS = 90000;

/** node:test's test() with the suite's time limit. */
export function test(name, fn) {
	return nodeTest(name, { timeout: TEST_TIMEOUT_MS }, fn);
}

/**
 * Registers before/after hooks for the file and returns `withPage`, which
 * runs fn({page, context, allowStatus, ...}) in a new context and then fails
 * the test on console errors or CSP violations.
 */
export function useCampus() {
	const state = { server: null, browser: null };
	before(async () => {
		state.server = await startServer();
		state.browser = await launchBrowser();
	}, { timeout: TEST_TIMEOUT_MS });
	after(async () => {
		await state.browser?.close();
		await state.server?.stop();
	}, { timeout: TEST_TIMEOUT_MS });
	async function withPage(options, fn) {
		if (typeof options === 'function') [options, fn] = [{}, options];
		const w = await openPage(state.browser, state.server.baseURL, options);
		try {
			await fn(w);
			w.assertClean();
		} catch (e) {
			if (process.env.E2E_SCREENSHOTS) {
				const file = `${process.env.E2E_SCREENSHOTS}/${Date.now()}.png`;
				await w.page.screenshot({ path: file, fullPage: true }).catch(() => {});
				e.message += `\n(screenshot: ${file})`;
			}
			throw e;
		} finally {
			await w.close();
		}
	}
	/** Runs SQL on the test server's database with sqlite3 (its output, trimmed). The
	 * server writes meanwhile (the job ticker, enrol_tick): wait for its lock up to 10 s
	 * instead of failing at once with "database is locked". */
	function serverSql(text) {
		const db = path.join(state.server.dir, 'campus.db');
		return execFileSync('sqlite3', ['-cmd', '.timeout 10000', db], { input: text, timeout: 30000 })
			.toString().trim();
	}
	return { state, withPage, serverSql, baseURL: () => state.server.baseURL };
}
