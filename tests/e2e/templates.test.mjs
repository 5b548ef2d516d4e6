// Template preview (/sjablonen/voorbeeld): type or upload a Mustache template
// and JSON data, see the rendered output, escaped, or the error with its line.
import assert from 'node:assert/strict';
import { test, useCampus } from './common.mjs';
import { expectAxeClean } from './axe.mjs';

const { withPage } = useCampus();

const PATH = '/sjablonen/voorbeeld';

async function submit(page) {
	const [res] = await Promise.all([
		page.waitForResponse((r) => new URL(r.url()).pathname === PATH && r.request().method() === 'POST'),
		page.getByRole('button', { name: 'Voorbeeld tonen' }).click(),
	]);
	await page.waitForLoadState('load');
	return res;
}

async function output(page) {
	return page.locator('pre.campus-output').textContent();
}

test('the preview page offers a template, data and file fields with labels', async () => {
	await withPage(async ({ page }) => {
		const res = await page.goto(PATH);
		assert.equal(res.status(), 200);
		const form = page.locator('form.campus-form-grid');
		assert.equal(await form.getAttribute('enctype'), 'multipart/form-data');
		assert.equal(await page.getByLabel('Sjabloon', { exact: true }).inputValue(), 'Beste {{naam}},');
		assert.match(await page.getByLabel('Gegevens (JSON)').inputValue(), /"naam": "Fatima"/);
		assert.equal(await page.getByLabel('Of kies een sjabloonbestand').getAttribute('type'), 'file');
		assert.equal(await page.getByLabel('Of kies een JSON-bestand').getAttribute('type'), 'file');
		assert.equal(await page.locator('pre.campus-output').count(), 0, 'no output before a submit');
		await expectAxeClean(page, PATH);
	});
});

test('a typed template and JSON render with HTML escaped', async () => {
	await withPage(async ({ page }) => {
		await page.goto(PATH);
		await page.getByLabel('Sjabloon', { exact: true }).fill(
			'Beste {{naam}},\nwelkom bij {{bibliotheek}}.\nLetterlijk: {{{naam}}}\n{{#modules}}- {{titel}}\n{{/modules}}',
		);
		await page.getByLabel('Gegevens (JSON)').fill(JSON.stringify({
			naam: '<b>Fatima</b> & co',
			bibliotheek: 'Bibliotheek Delft',
			modules: [{ titel: 'Mediawijsheid' }, { titel: 'Digitale vaardigheden' }],
		}));
		const res = await submit(page);
		assert.equal(res.status(), 200);
		await page.getByRole('heading', { name: 'Resultaat' }).waitFor();
		// {{naam}} is HTML-escaped by the template; the page escapes the output once more,
		// so the visitor reads the entities, and no <b> element reaches the page.
		assert.equal(
			await output(page),
			'Beste &lt;b&gt;Fatima&lt;/b&gt; &amp; co,\nwelkom bij Bibliotheek Delft.\n' +
				'Letterlijk: <b>Fatima</b> & co\n- Mediawijsheid\n- Digitale vaardigheden\n',
		);
		assert.equal(await page.locator('pre.campus-output b').count(), 0, 'output is text, not markup');
		// The form keeps what was typed.
		assert.match(await page.getByLabel('Sjabloon', { exact: true }).inputValue(), /^Beste \{\{naam\}\},/);
		await expectAxeClean(page, `${PATH} with output`);
	});
});

test('an uploaded template file and JSON file render', async () => {
	await withPage(async ({ page }) => {
		await page.goto(PATH);
		await page.getByLabel('Of kies een sjabloonbestand').setInputFiles({
			name: 'certificaat.mustache',
			mimeType: 'text/plain',
			buffer: Buffer.from('Certificaat voor {{naam}}: {{module}} ({{punten}} punten)\n', 'utf8'),
		});
		await page.getByLabel('Of kies een JSON-bestand').setInputFiles({
			name: 'gegevens.json',
			mimeType: 'application/json',
			buffer: Buffer.from(JSON.stringify({ naam: 'Joëlle', module: 'Leesbevordering', punten: 4 }), 'utf8'),
		});
		const res = await submit(page);
		assert.equal(res.status(), 200);
		assert.equal(await output(page), 'Certificaat voor Joëlle: Leesbevordering (4 punten)\n');
		// The uploaded template is shown in the textarea for further editing.
		assert.match(await page.getByLabel('Sjabloon', { exact: true }).inputValue(), /^Certificaat voor \{\{naam\}\}/);
		await expectAxeClean(page, `${PATH} after an upload`);
	});
});

test('a broken template shows an error that names the line', async () => {
	await withPage(async ({ page, allowStatus }) => {
		allowStatus(PATH);
		await page.goto(PATH);
		await page.getByLabel('Sjabloon', { exact: true }).fill('Beste {{naam}},\n{{#modules}}\n- {{titel}}\n');
		const res = await submit(page);
		assert.equal(res.status(), 400);
		const alert = page.getByRole('alert');
		assert.equal(await alert.count(), 1);
		const text = await alert.innerText();
		assert.match(text, /Het sjabloon bevat een fout\./);
		// file:line (sjabloon:2) or "regel 2" / "line 2": the section opened on line 2 is not closed.
		assert.match(text, /sjabloon:\d+|regel \d+|line \d+/i, `the error names a line: ${text}`);
		assert.match(text, /sjabloon:2\b|regel 2\b|line 2\b/i, `the error points at line 2: ${text}`);
		assert.equal(await page.locator('pre.campus-output').count(), 0);
		// What was typed survives, so it can be fixed.
		assert.match(await page.getByLabel('Sjabloon', { exact: true }).inputValue(), /\{\{#modules\}\}/);
		await expectAxeClean(page, `${PATH} with a template error`);
	});
});

test('broken JSON data shows an error with line and column', async () => {
	await withPage(async ({ page, allowStatus }) => {
		allowStatus(PATH);
		await page.goto(PATH);
		await page.getByLabel('Gegevens (JSON)').fill('{\n  "naam": "Fatima",\n}');
		const res = await submit(page);
		assert.equal(res.status(), 400);
		const text = await page.getByRole('alert').innerText();
		assert.match(text, /gegevens, regel 3/);
		await expectAxeClean(page, `${PATH} with a JSON error`);
	});
});

test('template injection stays text: a script in the data does not run', async () => {
	await withPage(async ({ page }) => {
		await page.goto(PATH);
		await page.getByLabel('Sjabloon', { exact: true }).fill('{{{html}}}');
		await page.getByLabel('Gegevens (JSON)').fill(JSON.stringify({ html: '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">' }));
		const res = await submit(page);
		assert.equal(res.status(), 200);
		assert.equal(await output(page), '<script>window.pwned=1</script><img src=x onerror="window.pwned=2">');
		assert.equal(await page.evaluate(() => window.pwned), undefined);
		assert.equal(await page.locator('pre.campus-output img, pre.campus-output script').count(), 0);
	});
});
