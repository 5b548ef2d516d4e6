// An SMTP sink for the tests: accepts every message on loopback and writes it,
// as received, to DIR/<time>-<n>.eml (written to a temporary name first and
// renamed, so a reader never sees half a message). No authentication, no TLS.
//
//   node tests/smtp-sink.mjs PORT DIR
//
// Prints "listening PORT" on stdout when ready; stops on SIGTERM or SIGINT.
// PORT 0 takes a free port (the line says which).
//
// As a module: startSink({ port, dir }) runs one inside the calling process
// (tests/e2e/mailbox.mjs gives every browser-test file its own this way).
import { SMTPServer } from 'smtp-server';
import { mkdirSync, writeFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * A sink on 127.0.0.1:port (0: a free one) writing into dir.
 * @returns {Promise<{port: number, dir: string, server: SMTPServer, close: () => Promise<void>}>}
 */
export function startSink({ port = 0, dir }) {
	mkdirSync(dir, { recursive: true });
	let n = 0;
	const server = new SMTPServer({
		secure: false,
		authOptional: true,
		disabledCommands: ['AUTH', 'STARTTLS'],
		disableReverseLookup: true,
		logger: false,
		size: 10 * 1024 * 1024,
		onData(stream, session, callback) {
			const chunks = [];
			stream.on('data', (c) => chunks.push(c));
			stream.on('end', () => {
				const raw = Buffer.concat(chunks);
				const envelope = {
					from: session.envelope.mailFrom && session.envelope.mailFrom.address,
					to: session.envelope.rcptTo.map((r) => r.address),
				};
				const name = `${Date.now()}-${String(++n).padStart(4, '0')}`;
				const tmp = path.join(dir, `.${name}.tmp`);
				const head = `X-Sink-Envelope: ${JSON.stringify(envelope)}\r\n`;
				writeFileSync(tmp, Buffer.concat([Buffer.from(head), raw]));
				renameSync(tmp, path.join(dir, `${name}.eml`));
				callback();
			});
		},
	});
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, '127.0.0.1', () => {
			server.off('error', reject);
			resolve({
				port: server.server.address().port,
				dir,
				server,
				close: () => new Promise((r) => server.close(() => r())),
			});
		});
	});
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const [portArg, dir] = process.argv.slice(2);
	const port = Number(portArg);
	if (!Number.isInteger(port) || port < 0 || port > 65535 || !dir) {
		console.error('usage: node tests/smtp-sink.mjs PORT DIR');
		process.exit(2);
	}
	try {
		const sink = await startSink({ port, dir });
		sink.server.on('error', (e) => {
			console.error(`smtp-sink: ${e.message}`);
			process.exit(1);
		});
		console.log(`listening ${sink.port}`);
		const stop = () => sink.server.close(() => process.exit(0));
		process.on('SIGTERM', stop);
		process.on('SIGINT', stop);
	} catch (e) {
		console.error(`smtp-sink: ${e.message}`);
		process.exit(1);
	}
}
