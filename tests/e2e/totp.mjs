// TOTP codes (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps) with node:crypto,
// for logging in the demo accounts whose role requires two-step log-in.
import crypto from 'node:crypto';

/** The demo administrator's and committee member's secret (src/domain/totp.h). */
export const DEMO_TOTP_SECRET = 'CAMPUSDEMOTWEESTAPSINLOGGENCODES';
const STEP = 30;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function base32Decode(text) {
	const bytes = [];
	let buffer = 0;
	let bits = 0;
	for (const ch of text.toUpperCase().replace(/[\s=-]/g, '')) {
		const v = ALPHABET.indexOf(ch);
		if (v < 0) throw new Error(`not base32: ${ch}`);
		buffer = (buffer << 5) | v;
		bits += 5;
		if (bits >= 8) {
			bytes.push((buffer >> (bits - 8)) & 0xff);
			bits -= 8;
		}
	}
	return Buffer.from(bytes);
}

/** The code of a base32 secret for a time step. */
export function totp(secret, step) {
	const counter = Buffer.alloc(8);
	counter.writeBigUInt64BE(BigInt(step));
	const h = crypto.createHmac('sha1', base32Decode(secret)).update(counter).digest();
	const o = h[h.length - 1] & 15;
	return String((h.readUInt32BE(o) & 0x7fffffff) % 1000000).padStart(6, '0');
}

const used = new Map();

// A code of the step before now is accepted only until the current step
// ends; this close to that end it is skipped, so the server, a moment later,
// never finds it out of its window.
const MARGIN_S = 5;

/**
 * A code the server accepts now: each step is accepted once per person, so
 * this takes the person's next step not used yet in this process (from now-1 on) and
 * waits when that one is not yet within the server's window of ±1 step.
 */
export async function nextCode(secret, person = secret) {
	const key = `${person} ${secret}`;
	for (;;) {
		const t = Date.now() / 1000;
		const now = Math.floor(t / STEP);
		const oldest = (now + 1) * STEP - t < MARGIN_S ? now : now - 1;
		const step = Math.max(oldest, (used.get(key) ?? -Infinity) + 1);
		if (step <= now + 1) {
			used.set(key, step);
			return totp(secret, step);
		}
		await new Promise((resolve) => setTimeout(resolve, 1000));
	}
}
