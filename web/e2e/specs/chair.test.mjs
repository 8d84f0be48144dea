// The chair side through the screens only (nurse on a tablet, physician beside her): plan today's
// infusion, baseline vitals, start (its answer lost once on the way back: the retry with the same
// Idempotency-Key records ONE start), vitals, a rate change, a mistyped vital corrected with a
// reason, an alert acknowledged by the physician (and gone from the nurse's screen by the live
// feed), stop, the observation timer, discharge, and the printed record. axe on every screen,
// screenshots at 375/768/1280 px into web/e2e/screenshots/. Run: node --test e2e/specs/chair.test.mjs
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SCREENSHOTS, WIDTHS, axeViolations, launch, openPage, screenshots } from '../fixtures/browser.mjs';
import { PASSWORD, seedChairDay, startKit } from '../fixtures/chair-clinic.mjs';
import { planInfusion } from '../pages/pages.mjs';

const SESSION_CHECK_401 = /status of 401/;
let server;
let browser;
let closeBrowser;
let world;

before(async () => {
  server = await startKit();
  world = await seedChairDay(server.baseURL);
  const b = await launch();
  browser = b.browser;
  closeBrowser = b.close;
});

after(async () => {
  await closeBrowser?.();
  await server?.stop();
});

async function signIn(username, width) {
  const p = await openPage(browser, server.baseURL, { width });
  p.allow(SESSION_CHECK_401);
  await p.page.goto('/chair');
  await p.page.waitForURL(/\/signin/);
  await p.page.getByLabel('Username').fill(username);
  await p.page.getByLabel('Password').fill(PASSWORD);
  await p.page.getByRole('button', { name: 'Sign in' }).click();
  await p.page.waitForURL(/\/chair$/);
  return p;
}

async function check(page, name) {
  assert.deepEqual(await axeViolations(page), [], `axe on ${name}`);
  if (await page.getByRole('dialog').count()) await dialogShots(page, name);
  else await screenshots(page, name);
}

/** A dialog is fixed over the screen: what the nurse sees is the viewport, at each width. */
async function dialogShots(page, name) {
  const original = page.viewportSize();
  for (const width of Object.values(WIDTHS)) {
    await page.setViewportSize({ width, height: 900 });
    await page.waitForTimeout(150);
    await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), animations: 'disabled' });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.equal(overflow, 0, `${name} at ${width} px scrolls sideways`);
  }
  await page.setViewportSize(original);
}

/** Fills the vitals form and records it; returns the server's action line. */
async function recordVitals(page, point, v) {
  await page.getByLabel('Reading taken at').selectOption(point);
  for (const [label, value] of Object.entries(v)) await page.getByRole('textbox', { name: new RegExp('^' + label + ' \\(') }).fill(String(value));
  const rows = page.getByRole('region', { name: 'Vitals recorded' }).locator('tbody tr');
  const before = await rows.count();
  await page.getByRole('button', { name: 'Record vitals' }).click();
  await page.waitForFunction((n) => document.querySelectorAll('[aria-label="Vitals recorded"] tbody tr').length === n + 1, before);
  const answer = page.locator('.vital-answer');
  await answer.waitFor();
  return answer;
}

test('an infusion from plan to discharge, through the chair-side screens', { timeout: 300_000 }, async () => {
  const nurse = await signIn('nurse', 768);
  const page = nurse.page;
  try {
    await journey(nurse);
  } catch (e) {
    // What the screen showed when it failed, and what the browser logged.
    await page.screenshot({ path: join(SCREENSHOTS, 'chair-failure.png'), fullPage: true }).catch(() => {});
    console.error(nurse.problems().join('\n'));
    const wide = await page.evaluate(() =>
      [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
        .slice(0, 8)
        .map((el) => `${el.tagName}.${el.className} right=${Math.round(el.getBoundingClientRect().right)}`),
    ).catch(() => []);
    if (wide.length) console.error('wider than the viewport:\n' + wide.join('\n'));
    throw e;
  }
});

async function journey(nurse) {
  const page = nurse.page;
  // Infusions today: the booked appointment, not planned yet.
  await page.getByRole('heading', { level: 1, name: 'Infusions today' }).waitFor();
  await page.getByText('Okafor, Maria', { exact: true }).waitFor();
  await check(page, 'chair-today');

  // Plan: the concentration is typed (nothing pre-filled) and echoed with its unit.
  await page.getByRole('button', { name: /Plan infusion/ }).click();
  const plan = page.getByRole('dialog', { name: /Plan the infusion/ });
  await plan.getByLabel('Concentration of the prepared bag (mg/mL)').fill('1');
  await plan.getByText('You typed 1 mg/mL').waitFor();
  await check(page, 'chair-plan-dialog');
  await plan.getByRole('button', { name: 'Plan infusion' }).click();
  await page.waitForURL(/\/chair\/session\?id=\d+/);
  const sessionId = Number(new URL(page.url()).searchParams.get('id'));
  await page.getByRole('heading', { level: 2, name: 'Before the start' }).waitFor();
  // 70 kg, 0.5 mg/kg over 40 min of 1 mg/mL: 35 mg at 52.5 mL/h (the server's plan).
  const rate = page.locator('.pump .rate-value');
  assert.equal((await rate.textContent()).replace(/\u00a0/g, ' '), '52.5 mL/h');
  const checklist = page.getByRole('region', { name: 'Before the start' });
  assert.equal(await checklist.locator('.check-failed').count(), 0, 'every gate passes for a ready patient');
  await page.getByText('Baseline vitals are due before the start.').waitFor();
  await check(page, 'chair-session-planned');

  // The rate never wraps or truncates: one line, fully inside its box, at every width.
  for (const width of [375, 768, 1280]) {
    await page.setViewportSize({ width, height: 900 });
    const fits = await rate.evaluate((el) => {
      const r = el.getBoundingClientRect();
      const box = el.parentElement.getBoundingClientRect();
      const line = parseFloat(getComputedStyle(el).lineHeight);
      return el.scrollWidth <= el.clientWidth + 1 && r.right <= box.right + 1 && r.height < line * 1.5;
    });
    assert.ok(fits, `the rate fits on one line at ${width} px`);
  }
  await page.setViewportSize({ width: 768, height: 900 });

  // Baseline vitals: the server's action is shown at once.
  let answer = await recordVitals(page, 'baseline', { 'Systolic BP': 122, 'Diastolic BP': 78, 'Heart rate': 72, SpO2: 98, 'Respiratory rate': 14 });
  assert.match(await answer.textContent(), /Continue at the current rate/);

  // Start, with the first answer lost on the way back (flaky Wi-Fi): the app retries with the same
  // key and the server replays its answer instead of recording a second start.
  const keys = [];
  let dropped = false;
  let release;
  const held = new Promise((r) => (release = r));
  await page.route(`**/api/v1/sessions/${sessionId}/events`, async (route) => {
    keys.push(route.request().headers()['idempotency-key']);
    if (!dropped) {
      dropped = true;
      await route.fetch(); // the server records the start...
      await route.abort('connectionreset'); // ...and the answer never reaches the tablet
      return;
    }
    await held; // the retry waits on the wire until the pending state is on record
    await route.continue();
  });
  nurse.allow(/ERR_CONNECTION_RESET|request failed: POST .*\/events/);
  await page.getByRole('button', { name: 'Start infusion…' }).click();
  const startDialog = page.getByRole('dialog', { name: 'Start: confirm' });
  await startDialog.getByText('Exactly what is sent to the server').click();
  assert.match(await startDialog.locator('.wire-body').textContent(), /"kind": "start"/);
  await check(page, 'chair-start-dialog');
  await startDialog.getByRole('button', { name: 'Confirm start' }).click();
  await page.getByRole('heading', { name: 'Not yet recorded by the server' }).waitFor();
  await page.getByText(/Start at 52\.5\smL\/h: (no answer yet|sending \(attempt 2\))/).waitFor();
  await check(page, 'chair-pending-retry');
  release();
  await page.getByText('Running at').waitFor({ timeout: 20_000 });
  await page.unroute(`**/api/v1/sessions/${sessionId}/events`);
  assert.equal(keys.length, 2, 'one retry');
  assert.ok(keys[0] && keys[0] === keys[1], 'the retry carries the same Idempotency-Key');
  let s = await world.api.nurse.get(`/sessions/${sessionId}`);
  assert.deepEqual(s.events.map((e) => e.kind), ['start'], 'one start, not two');
  await page.locator('.timer-value').first().waitFor();
  await check(page, 'chair-session-running');

  // Vitals during the infusion, with the plot and threshold lines.
  answer = await recordVitals(page, 'interval', { 'Systolic BP': 128, 'Diastolic BP': 80, 'Heart rate': 76, SpO2: 97, 'Respiratory rate': 14 });
  assert.match(await answer.textContent(), /Continue/);
  await page.locator('.plot canvas').first().waitFor();

  // A rate change: typed, echoed, confirmed; the big rate follows.
  await page.getByRole('button', { name: 'Change rate…' }).click();
  const rc = page.getByRole('dialog', { name: 'Rate change: confirm' });
  await rc.getByLabel('New rate (mL/h)').fill('26.2');
  await rc.getByText('You typed 26.2 mL/h').waitFor();
  await check(page, 'chair-rate-dialog');
  await rc.getByRole('button', { name: 'Confirm rate change' }).click();
  await rc.waitFor({ state: 'detached' });
  await page.waitForFunction(() => document.querySelector('.pump .rate-value')?.textContent?.replace(/\u00a0/g, ' ') === '26.2 mL/h');

  // A mistyped vital: 212 typed for 122. The server asks to pause and raises an alert...
  answer = await recordVitals(page, 'interval', { 'Systolic BP': 212, 'Diastolic BP': 80, 'Heart rate': 74, SpO2: 98, 'Respiratory rate': 14 });
  assert.match(await answer.textContent(), /Pause the pump/);
  await page.locator('.alarm').first().waitFor();
  // ...and an SpO2 of 91 % that is real: pause, an alert for the physician.
  answer = await recordVitals(page, 'interval', { SpO2: 91 });
  assert.match(await answer.textContent(), /Pause the pump/);
  await page.waitForFunction(() => document.querySelectorAll('.alarm').length === 2);
  assert.match(await page.locator('.alarm').first().textContent(), /Medium priority/);
  assert.match(await page.locator('.alarm').first().textContent(), /Stays until a physician acknowledges it/);
  await check(page, 'chair-alerts-nurse');

  // The correction: amend the mistyped reading with a reason. The original stays, struck through,
  // and the alert it raised is retracted.
  const row = page.locator('tr', { hasText: '212/80' });
  await row.getByRole('button', { name: /Correct/ }).click();
  const corr = page.getByRole('dialog', { name: /Correct vitals/ });
  await corr.getByLabel('A value was mistyped: amend it').check();
  await corr.getByLabel('Systolic BP (mmHg)').fill('122');
  await corr.getByLabel('Reason').fill('Typed 212 for 122');
  await check(page, 'chair-correction-dialog');
  await corr.getByRole('button', { name: 'Confirm correction' }).click();
  await corr.waitFor({ state: 'detached' });
  await page.locator('tr.row-corrected', { hasText: '212/80' }).locator('del').first().waitFor();
  await page.getByText('Amended: Typed 212 for 122', { exact: true }).waitFor();
  await page.waitForFunction(() => document.querySelectorAll('.alarm').length === 1);

  // The physician acknowledges the SpO2 alert, with a note; the nurse's screen drops it live.
  const doctor = await signIn('physician', 1280);
  await doctor.page.goto(`/chair/session?id=${sessionId}`);
  const alarm = doctor.page.locator('.alarm', { hasText: 'spo2' });
  await alarm.getByRole('button', { name: 'Acknowledge…' }).click();
  const ack = doctor.page.getByRole('dialog', { name: 'Acknowledge the alert' });
  await ack.getByLabel('What was done (note)').fill('Paused, oxygen 2 L/min, SpO2 back to 97 %');
  await check(doctor.page, 'chair-alert-ack-dialog');
  await ack.getByRole('button', { name: 'Acknowledge' }).click();
  await ack.waitFor({ state: 'detached' });
  await doctor.page.waitForFunction(() => document.querySelectorAll('.alarm').length === 0);
  await page.waitForFunction(() => document.querySelectorAll('.alarm').length === 0, null, { timeout: 15_000 });
  assert.deepEqual(doctor.problems(), []);
  await doctor.context.close();

  // Stop: an unmissable dialog; then the discharge checklist and the observation timer.
  await page.getByRole('button', { name: 'Stop infusion…' }).click();
  const stop = page.getByRole('dialog', { name: 'Stop: confirm' });
  await stop.getByRole('button', { name: 'Confirm stop' }).click();
  await stop.waitFor({ state: 'detached' });
  await page.getByRole('heading', { name: 'Before discharge' }).waitFor();
  await page.getByText(/Observation since the stop/).waitFor();
  await check(page, 'chair-discharge-waiting');
  answer = await recordVitals(page, 'discharge', { 'Systolic BP': 120, 'Diastolic BP': 76, 'Heart rate': 70, SpO2: 98, 'Respiratory rate': 14 });
  assert.match(await answer.textContent(), /Continue/);
  // The clinic observes 1 min after the stop (the fixture's policy).
  await page.getByText('complete', { exact: true }).waitFor({ timeout: 90_000 });
  await page.getByRole('button', { name: 'Discharge…' }).click();
  const dis = page.getByRole('dialog', { name: 'Discharge: confirm' });
  for (const item of ['Activity', 'Respiration', 'Circulation', 'Consciousness', 'Oxygen saturation']) {
    await dis.getByRole('radio', { name: `2 for ${item}` }).check();
  }
  for (const label of ['Vital signs back to baseline', 'Walks at the pre-sedation level', 'Minimal nausea', 'Adequate analgesia', 'A responsible adult takes the patient home', 'Written discharge instructions given and understood']) {
    await dis.getByLabel(label).check();
  }
  await check(page, 'chair-discharge-dialog');
  await dis.getByRole('button', { name: 'Confirm discharge' }).click();
  await dis.waitFor({ state: 'detached' });
  await page.getByRole('heading', { name: 'Discharged' }).waitFor();
  await check(page, 'chair-discharged');
  await page.emulateMedia({ media: 'print' });
  await page.screenshot({ path: join(SCREENSHOTS, 'chair-print-record.png'), fullPage: true });
  await page.emulateMedia({ media: 'screen' });

  // What the server recorded: one start, the rate change, the stop; the amended vital kept.
  s = await world.api.nurse.get(`/sessions/${sessionId}`);
  assert.equal(s.state, 'discharged');
  assert.deepEqual(s.events.filter((e) => e.status === 'active').map((e) => e.kind), ['start', 'rate_change', 'stop']);
  const amended = s.vitals.find((v) => v.status === 'amended');
  assert.equal(amended.sbp_mmhg, 212);
  assert.equal(amended.correction.reason, 'Typed 212 for 122');
  assert.ok(s.vitals.some((v) => v.amends_id === amended.id && v.sbp_mmhg === 122));
  const alerts = await world.api.physician.get(`/alerts?patient_id=${world.patient.id}&all=true`);
  assert.ok(alerts.some((a) => a.status === 'acknowledged' && /oxygen 2 L\/min/.test(a.acknowledge_note)));
  assert.ok(alerts.some((a) => a.status === 'retracted'));
  assert.deepEqual(nurse.problems(), []);
  await nurse.context.close();
}

test('a rate above the soft limit: refused for the nurse, a physician overrides with a reason', { timeout: 180_000 }, async () => {
  const other = await world.ready('Jonas', 'Brandt', 'Chair 4');
  const nurse = await signIn('nurse', 768);
  const page = nurse.page;
  try {
    const sessionId = await planInfusion(page, 'Brandt, Jonas');
    await page.getByRole('button', { name: 'Start infusion…' }).click();
    await page.getByRole('dialog', { name: 'Start: confirm' }).getByRole('button', { name: 'Confirm start' }).click();
    await page.getByText('Running at').waitFor();

    // The drug for it: drawn from a lot received into stock, the remainder wasted with the
    // physician as witness (staff number and password, checked by the server).
    const lot = await world.api.nurse.post('/stock/lots', {
      concentration_mg_per_ml: 10, vial_volume_ml: 5, lot_number: 'KET-E2E-01', expiry_date: '2030-12-31', vials_received: 10,
    });
    await page.reload();
    await page.getByLabel('Lot', { exact: true }).selectOption(String(lot.id));
    await page.getByLabel('Drawn (mg)').fill('50');
    await page.getByText('You typed 50 mg').waitFor();
    await page.getByRole('button', { name: 'Record the draw' }).click();
    await page.getByText(/draw 50\smg \(5\smL\) from lot KET-E2E-01/).waitFor();
    const me = await world.api.physician.get('/auth/me');
    await page.getByLabel('Wasted (mg)').fill('10');
    await page.getByLabel('Witness staff number').fill(String(me.user.id));
    await page.getByLabel('Witness password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Record the witnessed waste' }).click();
    await page.getByText(/waste 10\smg \(1\smL\) from lot KET-E2E-01, witnessed by staff/).waitFor();
    await check(page, 'chair-stock');

    // 80 mL/h x 40 min of 1 mg/mL = 53.3 mg: above the soft limit (52.5 mg), below the hard (70 mg).
    await page.getByRole('button', { name: 'Change rate…' }).click();
    let rc = page.getByRole('dialog', { name: 'Rate change: confirm' });
    await rc.getByLabel('New rate (mL/h)').fill('80');
    await rc.getByRole('button', { name: 'Confirm rate change' }).click();
    await rc.getByText('Outside a soft limit.').waitFor();
    await rc.getByText('Only a physician can approve this rate.').waitFor();
    await check(page, 'chair-soft-limit-nurse');
    await rc.getByRole('button', { name: 'Cancel' }).click();
    assert.deepEqual(nurse.problems().filter((p) => !/422/.test(p)), []);
    await nurse.context.close();

    const doctor = await signIn('physician', 1280);
    await doctor.page.goto(`/chair/session?id=${sessionId}`);
    await doctor.page.getByRole('button', { name: 'Change rate…' }).click();
    rc = doctor.page.getByRole('dialog', { name: 'Rate change: confirm' });
    await rc.getByLabel('New rate (mL/h)').fill('80');
    await rc.getByRole('button', { name: 'Confirm rate change' }).click();
    await rc.getByLabel('Reason for the override (physician)').fill('Tolerated 0.75 mg/kg before; response needs the higher dose');
    await check(doctor.page, 'chair-soft-limit-physician');
    await rc.getByRole('button', { name: 'Confirm rate change' }).click();
    await rc.waitFor({ state: 'detached' });
    await doctor.page.waitForFunction(() => document.querySelector('.pump .rate-value')?.textContent?.replace(/\u00a0/g, ' ') === '80 mL/h');
    await doctor.page.getByText(/Physician override: Tolerated 0.75 mg\/kg/).waitFor();
    const s = await world.api.physician.get(`/sessions/${sessionId}`);
    const change = s.events.find((e) => e.kind === 'rate_change');
    assert.equal(change.rate_ml_per_h, 80);
    assert.match(change.override_reason, /Tolerated/);
    assert.equal(s.events.filter((e) => e.kind === 'rate_change').length, 1, 'the refused attempts recorded nothing');
    assert.deepEqual(doctor.problems().filter((p) => !/422/.test(p)), []);

    // `stop_pump: true` comes after the hard limit (70 mg here: 40 minutes of pumping at the
    // least). To see how the screen shows it without waiting, the server's real answer is passed
    // through with only that field set, as it would be at the limit.
    await doctor.page.route(`**/api/v1/sessions/${sessionId}`, async (route) => {
      const real = await route.fetch();
      const body = await real.json();
      await route.fulfill({ response: real, json: { ...body, stop_pump: true } });
    });
    await doctor.page.reload();
    const banner = doctor.page.getByRole('alert').filter({ hasText: 'STOP THE PUMP NOW' });
    await banner.waitFor();
    await check(doctor.page, 'chair-stop-pump');
    await doctor.page.unroute(`**/api/v1/sessions/${sessionId}`);
    await doctor.context.close();
    assert.equal(other.patient.family_name, 'Brandt');
  } catch (e) {
    await page.screenshot({ path: join(SCREENSHOTS, 'chair-failure-override.png'), fullPage: true }).catch(() => {});
    for (const p of browser.contexts().flatMap((c) => c.pages())) {
      const wide = await p.evaluate(() =>
        [...document.querySelectorAll('body *')]
          .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
          .slice(0, 8)
          .map((el) => `${el.tagName}.${el.className} right=${Math.round(el.getBoundingClientRect().right)}`),
      ).catch(() => []);
      if (wide.length) console.error('wider than the viewport:\n' + wide.join('\n'));
    }
    throw e;
  }
});
