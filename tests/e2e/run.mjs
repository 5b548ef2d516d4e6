// Campus browser tests (end-to-end). This file runs no test itself: it marks
// the suite as present for scripts/test.sh and says how it is run.
//
//   npm ci                                   # playwright-core, @axe-core/playwright
//   scripts/assets.sh dev && ninja -C build  # static/vendor and build/campus
//   node --test --test-reporter=tap tests/e2e/
//
// Env: CAMPUS_BIN (default build/campus) and CAMPUS_LOCALE_DIR (default
// build/po), relative to the repository root; CHROMIUM_PATH (default
// /usr/bin/chromium, Debian's package `chromium`); E2E_SCREENSHOTS=DIR keeps a
// full-page screenshot of every failing test.
//
// node --test picks up the *.test.mjs files here:
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
// Helpers: server.mjs (own campus on a free port, fresh SQLite DB with demo
// data), browser.mjs (Chromium, console/CSP watcher), axe.mjs (axe; for a
// page without JavaScript axe runs on a copy of its DOM), po.mjs (expected
// English from po/en.po), common.mjs (hooks, 30 s per test). Every test fails
// on console errors, page errors, CSP violations and failed sub-resources.
//
// Running this file directly (`node tests/e2e/run.mjs`) runs the suite.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
	const r = spawnSync(process.execPath, ['--test', '--test-reporter=spec', here], {
		cwd: path.resolve(here, '..', '..'),
		stdio: 'inherit',
	});
	process.exit(r.status ?? 1);
}
