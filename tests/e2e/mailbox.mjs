// Loaded with `node --import` into every browser-test file's process (run.mjs
// does that): gives the file an SMTP sink of its own, inside its process, on
// a free port, writing to a fresh temporary directory, and points
// CAMPUS_SMTP_URL and CAMPUS_MAIL_DIR at it before the test file is loaded.
// The server the file starts (server.mjs) inherits them. So files that run
// at the same time (node --test --test-concurrency) never see each other's
// mail, although their demo databases share the same addresses.
//
// The sink does not keep the process alive (unref) and its directory goes
// when the process exits.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startSink } from '../smtp-sink.mjs';

// Not in the runner (node --test itself): only in the processes of the files.
if (!process.execArgv.includes('--test')) {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'campus-e2e-mail-'));
	const sink = await startSink({ port: 0, dir });
	sink.server.server.unref();
	process.env.CAMPUS_SMTP_URL = `smtp://127.0.0.1:${sink.port}`;
	process.env.CAMPUS_MAIL_DIR = dir;
	process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
}
