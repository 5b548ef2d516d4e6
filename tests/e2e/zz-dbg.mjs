import { launchBrowser, PHONE, DESKTOP } from './browser.mjs';
import { readFileSync } from 'node:fs';
const css = readFileSync('static/campus.css', 'utf8') + process.argv[2];
const b = await launchBrowser();
try {
  for (const [name, opts] of [['desktop', DESKTOP], ['phone', PHONE], ['phone320', {...PHONE, viewport: {width: 320, height: 640}}]]) {
    for (const path of ['/', '/toegankelijkheid', '/sjablonen/voorbeeld', '/bestaat-niet']) {
      const ctx = await b.newContext({ ...opts, baseURL: 'http://127.0.0.1:38111' });
      const page = await ctx.newPage();
      await page.route('**/static/campus.css', r => r.fulfill({ status: 200, contentType: 'text/css', body: css }));
      await page.goto(path);
      const r = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth, document.querySelector('.campus-page').getBoundingClientRect().width]);
      console.log(name, path, r);
      if (name === 'phone' && path === '/toegankelijkheid') await page.screenshot({ path: '/tmp/e2e-shots/phone-toeg-fixed.png' });
      if (name === 'desktop' && path === '/toegankelijkheid') await page.screenshot({ path: '/tmp/e2e-shots/desk-toeg-fixed.png' });
      await ctx.close();
    }
  }
} finally { await b.close(); }
