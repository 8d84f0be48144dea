// The clinic director on the demo clinic (kit serve --demo, the whole clinic seeded): signs in and
// lands on the outcomes, with nothing else in the navigation; the depression group is drawn
// (responder and remission bars, the Kaplan-Meier durability curve, change from baseline, response
// by infusion number, safety), the OCD group (4 patients) is suppressed and said so in words;
// the numbers open as tables; a filter changes what is shown; the CSV downloads with the same
// filters; a patient's record stays closed. axe on each state, screenshots at 375/768/1280 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { axeViolations, screenshots } from '../fixtures/browser.mjs';
import { SESSION_CHECK_401, harness } from '../fixtures/harness.mjs';
import { DEMO_PASSWORD } from '../fixtures/server.mjs';
import { SignInPage } from '../pages/pages.mjs';

const h = harness({ demoClinic: true });
const settled = (page) => page.waitForFunction(() => !document.querySelector('.skeleton'));

test('the director sees the demo clinic as plots, filters it, opens the tables and downloads the CSV', async () => {
  const s = await h.open();
  s.allow(SESSION_CHECK_401);
  const page = s.page;
  await new SignInPage(page).open();
  await new SignInPage(page).signIn('director', DEMO_PASSWORD);
  await page.getByRole('heading', { level: 1, name: 'Clinic outcomes' }).waitFor();
  const nav = page.getByRole('navigation', { name: 'Main' });
  assert.deepEqual(await nav.getByRole('link').allTextContents(), ['Outcomes']);
  await settled(page);

  // Depression: plots drawn (uPlot canvases with content), their captions and summaries in words.
  const depression = page.locator('section.director-group').filter({ has: page.getByRole('heading', { level: 2, name: /^Depression:/ }) });
  await depression.waitFor();
  for (const caption of [/Responders and remitters/, /Durability/, /Change from baseline, points/, /Change from baseline over time/, /responded by infusion number/, /Safety: adverse events per 100 infusions/]) {
    await depression.locator('figcaption').filter({ hasText: caption }).first().waitFor();
  }
  const canvases = depression.locator('canvas');
  assert.ok((await canvases.count()) >= 4, 'the depression group draws its plots');
  const painted = await canvases.first().evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
    return false;
  });
  assert.ok(painted, 'the first plot has pixels');
  const km = depression.locator('figure').filter({ hasText: 'Durability' });
  assert.match(await km.textContent(), /PHQ-9: \d+ responders, \d+ confirmed relapses/);
  assert.equal(await km.locator('canvas').count() > 0, true, 'the Kaplan-Meier curve is drawn');
  const resp = depression.locator('figure').filter({ hasText: 'Responders and remitters' });
  assert.match(await resp.textContent(), /PHQ-9: responders \d+ of \d+: \d+% \(95% CI \d+% to \d+%\)/);

  // OCD: 4 patients in the demo, fewer than 5: suppressed, and said so.
  const ocd = page.locator('section.director-group').filter({ has: page.getByRole('heading', { level: 2, name: /^OCD:/ }) });
  await ocd.getByText(/Fewer than 5 patients in this group/).waitFor();
  assert.equal(await ocd.locator('canvas').count(), 0);

  const cohort = page.getByTestId('cohort');
  const allText = await cohort.textContent();
  assert.match(allText, /^\d+ courses of \d+ patients started from /);
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'director-outcomes');

  // The numbers as tables, on demand.
  await depression.getByText('Show the numbers as tables').click();
  const perInstrument = depression.getByRole('region', { name: /outcomes per instrument table/ });
  await perInstrument.waitFor();
  const row = perInstrument.getByRole('row').filter({ hasText: 'PHQ-9' });
  assert.match(await row.textContent(), /\d+ of \d+/);
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'director-outcomes-tables');

  // A filter changes the numbers: PTSD only.
  await page.getByLabel('Indication').selectOption('ptsd');
  await page.getByRole('button', { name: 'Show outcomes' }).click();
  await page.getByRole('heading', { level: 2, name: /^PTSD:/ }).waitFor();
  await page.waitForFunction((before) => document.querySelector('[data-testid="cohort"]')?.textContent !== before, allText);
  assert.equal(await page.getByRole('heading', { level: 2, name: /^Depression:/ }).count(), 0);
  assert.notEqual(await cohort.textContent(), allText);
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'director-outcomes-ptsd');

  // The CSV carries the same filter.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: /Download the numbers/ }).click()]);
  assert.match(download.suggestedFilename(), /^kit-outcomes-.*\.csv$/);
  const csv = readFileSync(await download.path(), 'utf8').split('\r\n');
  assert.equal(csv[0], 'section,indication,protocol,instrument,measure,key,count,n,share,lower,upper,value');
  assert.ok(csv.slice(1).filter(Boolean).every((line) => line.split(',')[1] === 'ptsd'), 'only PTSD rows');
  assert.ok(csv.some((line) => line.startsWith('group,ptsd,ptsd-induction-series,,courses,')));

  // The printed clinic report for the same dates downloads as a PDF (docs/reports.md).
  const [report] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.getByRole('link', { name: 'Clinic report (PDF)' }).click()]);
  assert.match(report.suggestedFilename(), /\.pdf$/);
  assert.equal(readFileSync(await report.path()).subarray(0, 5).toString('latin1'), '%PDF-');

  // A bad date is refused on its field, nothing else changes.
  await page.getByLabel('Started from').fill('2026-02-30x');
  await page.getByRole('button', { name: 'Show outcomes' }).click();
  await page.getByRole('alert').filter({ hasText: 'There is a problem' }).waitFor();
  assert.deepEqual(await axeViolations(page), []);

  // A patient's record is not the director's to open.
  s.allow(/status of 403/);
  const status = await page.evaluate(async () => (await fetch('/api/v1/patients', { credentials: 'same-origin' })).status);
  assert.equal(status, 403);
  assert.deepEqual(s.problems(), []);
});
