// Campus browser tests (end-to-end): the runner scripts/test.sh uses.
//
//   npm ci                                   # playwright-core, @axe-core/playwright
//   scripts/assets.sh dev && ninja -C build  # static/vendor and build/campus
//   node tests/e2e/run.mjs [--tap] [--jobs N] [FILE...]
//
// Runs every tests/e2e/*.test.mjs (or the FILEs given), each in a node
// process of its own, N at a time (--jobs or E2E_JOBS, default 2), the files
// that took longest last time first. Each process has its own Campus server
// and database (server.mjs via common.mjs), its own Chromium, and its own
// SMTP sink (mailbox.mjs, loaded with --import), so files running at the same
// time share nothing. Their servers start on copies of one database that
// `campus demo` filled at the start of the run (E2E_DEMO_DB). A file's output is printed whole, in the order the files
// were started, as soon as it and those before it are done, so the log reads
// as if they ran one after another; --tap gives TAP (for scripts/test.sh),
// otherwise node's spec reporter. A file whose process fails without a
// failing test (a crash, a hook that threw) adds a "not ok" line of its own.
// Exit status 1 when anything failed.
//
// `node --test tests/e2e/` still works too (one file at a time, one sink
// shared by the files unless CAMPUS_MAIL_DIR is unset: mail.test.mjs then
// starts its own).
//
// Env: CAMPUS_BIN (default build/campus) and CAMPUS_LOCALE_DIR (default
// build/po), relative to the repository root; CHROMIUM_PATH (default
// /usr/bin/chromium, Debian's package `chromium`); E2E_SCREENSHOTS=DIR keeps a
// full-page screenshot of every failing test; E2E_PG_TEMPLATE=postgres://...
// runs the servers on PostgreSQL instead, each on a copy of that database
// (filled by `campus demo`; see server.mjs), for the files that do not read
// the server's SQLite file themselves.
//
// The files:
//   pages.test.mjs      Dutch pages on a laptop and a phone, axe (WCAG 2.2 AA),
//                       no sideways scrolling, contrast over gradients (which
//                       axe leaves for review), skip link, breadcrumb, 404,
//                       favicon, /healthz and /api/v1/status
//   language.test.mjs   the language switch with and without JavaScript,
//                       flash, remembered choice, Accept-Language, CSRF,
//                       the switch on an error page
//   review.test.mjs     the review committee: offer, check, assign, score,
//                       recognise, the provider's page and the register
//   templates.test.mjs  template preview: typed and uploaded templates,
//                       escaping, template and JSON errors
//   ... and every other *.test.mjs here.
// Helpers: server.mjs (own campus on a free port, fresh SQLite DB with demo
// data), browser.mjs (Chromium, console/CSP watcher), axe.mjs (axe; for a
// page without JavaScript axe runs on a copy of its DOM), po.mjs (expected
// English from po/en.po), common.mjs (hooks, 90 s per test), mailbox.mjs (the
// file's SMTP sink), flows.mjs (log-in and checks the files share). Every test
// fails on console errors, page errors, CSP violations and failed
// sub-resources.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { makeDemoDb } from './server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
// How long each file took, for the order of the next run.
const timesFile = path.join(repoRoot, 'var', 'test', 'e2e-times.json');

function parseArgs(argv) {
	const opts = { tap: false, jobs: Number(process.env.E2E_JOBS) || 2, files: [] };
	for (let i = 0; i < argv.length; i++) {
		const a = argv[i];
		if (a === '--tap') opts.tap = true;
		else if (a === '--jobs') opts.jobs = Number(argv[++i]);
		else if (a.startsWith('--jobs=')) opts.jobs = Number(a.slice(7));
		else opts.files.push(path.resolve(a));
	}
	if (!Number.isInteger(opts.jobs) || opts.jobs < 1) throw new Error('--jobs wants a number from 1');
	return opts;
}

function readTimes() {
	try {
		return JSON.parse(readFileSync(timesFile, 'utf8'));
	} catch {
		return {};
	}
}

/** Longest first: last run's seconds, else (a new file, a clean clone) its size. */
function ordered(files, times) {
	const weight = (f) => {
		const t = times[path.basename(f)];
		return typeof t === 'number' ? t * 1e6 : statSync(f).size;
	};
	const known = files.filter((f) => typeof times[path.basename(f)] === 'number');
	const fresh = files.filter((f) => typeof times[path.basename(f)] !== 'number');
	// New files first (unknown: maybe long), then the known ones by time.
	return [...fresh.sort((a, b) => weight(b) - weight(a)), ...known.sort((a, b) => weight(b) - weight(a))];
}

function runFile(file, tap) {
	const started = Date.now();
	const child = spawn(
		process.execPath,
		['--import', pathToFileURL(path.join(here, 'mailbox.mjs')).href, `--test-reporter=${tap ? 'tap' : 'spec'}`, file],
		{ cwd: repoRoot, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
	);
	const out = [];
	child.stdout.on('data', (c) => out.push(c));
	child.stderr.on('data', (c) => out.push(c));
	return new Promise((resolve) => {
		child.on('close', (code, signal) => {
			resolve({ file, code, signal, seconds: (Date.now() - started) / 1000, output: Buffer.concat(out).toString() });
		});
	});
}

async function main() {
	const opts = parseArgs(process.argv.slice(2));
	let files = opts.files;
	if (files.length === 0) {
		files = readdirSync(here)
			.filter((f) => f.endsWith('.test.mjs'))
			.map((f) => path.join(here, f));
	}
	const times = readTimes();
	files = ordered(files, times);

	// One `campus demo` for the run; every file's server starts on a copy.
	let demoDir = null;
	if (!process.env.E2E_DEMO_DB && !process.env.E2E_PG_TEMPLATE) {
		demoDir = mkdtempSync(path.join(os.tmpdir(), 'campus-e2e-demo-'));
		const file = path.join(demoDir, 'campus.db');
		try {
			await makeDemoDb(file);
		} catch (e) {
			rmSync(demoDir, { recursive: true, force: true });
			const why = `${e.message}\n${e.stdout || ''}${e.stderr || ''}`.trim().replace(/\n/g, '\n# ');
			process.stdout.write(`not ok 1 - campus demo for the browser tests failed\n# ${why}\n`);
			process.exit(1);
		}
		process.env.E2E_DEMO_DB = file;
	}

	const results = new Array(files.length);
	let printed = 0;
	let failed = false;
	const flush = () => {
		while (printed < files.length && results[printed]) {
			const r = results[printed];
			const rel = path.relative(repoRoot, r.file);
			let text = r.output;
			if (text && !text.endsWith('\n')) text += '\n';
			const bad = r.code !== 0 || r.signal;
			if (bad) failed = true;
			if (bad && !/^\s*not ok \d+/m.test(text)) {
				// Counted by scripts/test.sh like a failing test.
				text += `not ok 1 - ${rel}: the process ended with ${r.signal || `exit ${r.code}`} without a failing test\n`;
			}
			if (opts.tap) process.stdout.write(`# ${rel} (${r.seconds.toFixed(1)} s)\n${text}`);
			else process.stdout.write(`\n=== ${rel} (${r.seconds.toFixed(1)} s)\n${text}`);
			printed++;
		}
	};

	let next = 0;
	const lane = async () => {
		while (next < files.length) {
			const i = next++;
			results[i] = await runFile(files[i], opts.tap);
			times[path.basename(files[i])] = Math.round(results[i].seconds * 10) / 10;
			flush();
		}
	};
	await Promise.all(Array.from({ length: Math.min(opts.jobs, files.length) }, lane));
	flush();
	if (demoDir) rmSync(demoDir, { recursive: true, force: true });
	try {
		mkdirSync(path.dirname(timesFile), { recursive: true });
		writeFileSync(timesFile, `${JSON.stringify(times, null, '\t')}\n`);
	} catch {
		// only an order hint
	}
	process.exit(failed ? 1 : 0);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	main().catch((e) => {
		console.error(e);
		process.exit(1);
	});
}
