// Starts a Campus server of its own for one test file: a fresh SQLite
// database in a temporary directory (filled with `campus demo`), a free
// loopback port, and a wait for /healthz. stop() ends it with SIGTERM.
//
// Env: CAMPUS_BIN (default build/campus), CAMPUS_LOCALE_DIR (default build/po),
// both relative to the repository root, which is also the server's working
// directory (it finds templates/ and static/ there). E2E_DEMO_DB: a SQLite
// file `campus demo` filled already (run.mjs makes one per run); the server
// gets a copy of it instead of a demo of its own, the same database in a
// fraction of the time. E2E_PG_TEMPLATE: a PostgreSQL database `campus demo`
// filled (postgres://postgres@127.0.0.1:PORT/NAME); the server then runs on a
// database of its own made from it (CREATE DATABASE ... TEMPLATE, with psql),
// dropped when it stops. For the files that read nothing from the server's
// SQLite file themselves (`dir`/campus.db is not there then).
import { spawn, execFile } from 'node:child_process';
import { mkdtemp, rm, access, copyFile } from 'node:fs/promises';
import { constants as fsc } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

function fromRoot(p) {
	return path.isAbsolute(p) ? p : path.join(repoRoot, p);
}

/** A port nobody listens on right now (the kernel picks it). */
export function freePort() {
	return new Promise((resolve, reject) => {
		const srv = net.createServer();
		srv.unref();
		srv.on('error', reject);
		srv.listen(0, '127.0.0.1', () => {
			const { port } = srv.address();
			srv.close(() => resolve(port));
		});
	});
}

/** A copy of a finished SQLite database (and its WAL, should one be left). */
async function copyDemo(from, to) {
	await copyFile(from, to);
	try {
		await copyFile(`${from}-wal`, `${to}-wal`);
	} catch (e) {
		if (e.code !== 'ENOENT') throw e;
	}
}

/**
 * `campus --db sqlite:FILE demo` into a fresh file, for E2E_DEMO_DB.
 * Env as startServer.
 */
export async function makeDemoDb(file) {
	const bin = fromRoot(process.env.CAMPUS_BIN || 'build/campus');
	const env = { ...process.env, CAMPUS_LOCALE_DIR: fromRoot(process.env.CAMPUS_LOCALE_DIR || 'build/po') };
	delete env.CAMPUS_CONFIG;
	delete env.CAMPUS_DB;
	for (const f of [file, `${file}-wal`, `${file}-shm`]) await rm(f, { force: true });
	await execFileP(bin, ['--db', `sqlite:${file}`, 'demo'], { cwd: repoRoot, env, timeout: 120000 });
}

/** psql's commands on the database of url (a postgres:// URL). */
function psql(url, ...commands) {
	return execFileP('psql', ['-q', '-v', 'ON_ERROR_STOP=1', '-d', url, ...commands.flatMap((c) => ['-c', c])], {
		timeout: 120000,
	});
}

let pgCopies = 0;

/** A database of the server's own from the template; its URL and how to drop it. */
async function pgCopy(template) {
	const url = new URL(template);
	const from = url.pathname.slice(1);
	if (!/^[a-z_][a-z0-9_]*$/.test(from)) throw new Error(`E2E_PG_TEMPLATE: not a database name: ${from}`);
	const name = `e2e_${process.pid}_${++pgCopies}`;
	const admin = new URL(template);
	admin.pathname = '/postgres';
	await psql(admin.href, 'SET client_min_messages = warning', `DROP DATABASE IF EXISTS ${name}`,
		`CREATE DATABASE ${name} TEMPLATE ${from}`);
	url.pathname = `/${name}`;
	return { url: url.href, drop: () => psql(admin.href, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @returns {Promise<{baseURL: string, port: number, dir: string, log: () => string, stop: () => Promise<void>}>}
 */
export async function startServer({ timeoutMs = 15000 } = {}) {
	const bin = fromRoot(process.env.CAMPUS_BIN || 'build/campus');
	const localeDir = fromRoot(process.env.CAMPUS_LOCALE_DIR || 'build/po');
	try {
		await access(bin, fsc.X_OK);
	} catch {
		throw new Error(`campus binary not found or not executable: ${bin} (build it first, or set CAMPUS_BIN)`);
	}
	const dir = await mkdtemp(path.join(os.tmpdir(), 'campus-e2e-'));
	let db = `sqlite:${path.join(dir, 'campus.db')}`;
	let dropDb = null;
	const env = {
		...process.env,
		CAMPUS_LOCALE_DIR: localeDir,
		CAMPUS_TMP_DIR: dir,
	};
	// Settings from a developer's own config must not leak into the tests.
	delete env.CAMPUS_CONFIG;
	delete env.CAMPUS_DB;
	delete env.CAMPUS_LISTEN;

	try {
		if (process.env.E2E_PG_TEMPLATE) ({ url: db, drop: dropDb } = await pgCopy(process.env.E2E_PG_TEMPLATE));
		else if (process.env.E2E_DEMO_DB) await copyDemo(process.env.E2E_DEMO_DB, path.join(dir, 'campus.db'));
		else await execFileP(bin, ['--db', db, 'demo'], { cwd: repoRoot, env, timeout: 30000 });
	} catch (e) {
		await rm(dir, { recursive: true, force: true });
		if (process.env.E2E_PG_TEMPLATE) throw new Error(`a database from E2E_PG_TEMPLATE: ${e.message}\n${e.stderr || ''}`);
		throw new Error(`campus demo failed (exit ${e.code}):\n${e.stdout || ''}${e.stderr || ''}`);
	}

	const port = await freePort();
	const baseURL = `http://127.0.0.1:${port}`;
	const child = spawn(bin, ['--db', db, 'serve', '--listen', `127.0.0.1:${port}`], {
		cwd: repoRoot,
		env,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	let output = '';
	const keep = (chunk) => {
		output += chunk.toString();
		if (output.length > 200000) output = output.slice(-100000);
	};
	child.stdout.on('data', keep);
	child.stderr.on('data', keep);
	let exited = null;
	const exitPromise = new Promise((resolve) => {
		child.on('exit', (code, signal) => {
			exited = { code, signal };
			resolve(exited);
		});
	});

	const stop = async () => {
		if (!exited) {
			child.kill('SIGTERM');
			const t = setTimeout(() => child.kill('SIGKILL'), 5000);
			await exitPromise;
			clearTimeout(t);
		}
		await dropDb?.().catch(() => {});
		await rm(dir, { recursive: true, force: true });
	};

	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (exited) {
			await stop();
			throw new Error(`campus serve exited early (${JSON.stringify(exited)}):\n${output}`);
		}
		try {
			const res = await fetch(`${baseURL}/healthz`, { signal: AbortSignal.timeout(1000) });
			if (res.status === 200) break;
		} catch {
			// not listening yet
		}
		if (Date.now() > deadline) {
			await stop();
			throw new Error(`campus serve did not answer /healthz within ${timeoutMs} ms:\n${output}`);
		}
		await sleep(50);
	}
	return { baseURL, port, dir, log: () => output, stop };
}
