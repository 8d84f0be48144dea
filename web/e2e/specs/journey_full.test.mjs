// The whole journey through the screens only (issue 11 "Tests, in a real browser"): an inquiry
// from the public page; the front desk registers the patient from it; the nurse records weight,
// height, screening, consent and the baseline PHQ-9 from its paper form; the physician approves the
// intake and starts the induction series; the front desk books the series on the proposed dates;
// then SIX infusions at the chair, each on its booked day: the nurse's day-of check, baseline and
// interval vitals, the stop, the observation time, discharge vitals, discharge with the escort's
// printed instructions, and a PHQ-9 between infusions (and a GAD-7 from its paper form before the
// first and after the last). The first infusion also has a rate change,
// a mistyped vital corrected with a reason and a low SpO2 whose alert the physician acknowledges.
// The front desk marks the six appointments given; the physician's chart shows the PHQ-9
// trajectory and the six infusions with their vitals; the admin finds each of those writes in the
// audit log, by the role that made it, and the chain checks out. Only the clinic itself (its
// chair and the nurse's hours) is set up through the API, as an existing clinic would be.
// The infusions fall on six different days: the server runs on a test clock (`--test-clock`,
// docs/adr/0029-test-clock.md) that the spec moves to each booked day, and past each observation
// time, the way days pass in a clinic; every screen shows the TEST CLOCK banner.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SCREENSHOTS, axeViolations, screenshots } from '../fixtures/browser.mjs';
import { SESSION_CHECK_401, harness } from '../fixtures/harness.mjs';
import { DEMO_PASSWORD, apiAs } from '../fixtures/server.mjs';
import { clinicNow, workingZone } from '../fixtures/desk-clinic.mjs';
import { BeforeTreatmentPage, ChairSessionPage, InquiryPage, SignInPage, enterPaperSheet, enterPhq9, planInfusion } from '../pages/pages.mjs';

const PHONE = '+1 212 555 0134';
const h = harness({
  testClock: true,
  env: { KIT_DISCHARGE_PHONE: PHONE },
  setup: async (baseURL) => {
    const tz = workingZone();
    if (!tz) throw new Error('no listed time zone is in its working day now');
    const admin = await apiAs(baseURL, 'admin');
    const clinic = await admin.post('/clinics', { name: 'Riverside Clinic', timezone: tz, opens_at: '00:00', closes_at: '23:45', open_weekdays: '1234567', recovery_minutes: 60, observation_minutes: 1 });
    await admin.post('/chairs', { clinic_id: clinic.id, name: 'Chair 1', active: true });
    const nurse = (await admin.get('/users')).find((u) => u.username === 'nurse');
    for (let wd = 1; wd <= 7; wd++) {
      await admin.post('/staff-availability', { user_id: nurse.id, weekday: wd, from: '00:00', to: '23:45', available: true, clinic_id: clinic.id });
    }
    return { tz, clinic };
  },
});

async function signedIn(username, width = 1280) {
  const s = await h.open({ width });
  s.allow(SESSION_CHECK_401);
  const signin = new SignInPage(s.page);
  await signin.open();
  await signin.signIn(username, DEMO_PASSWORD);
  await s.page.getByRole('navigation', { name: 'Main' }).waitFor();
  return s;
}

const settled = (page) => page.waitForFunction(() => !document.querySelector('.skeleton'));
const nav = (page, name) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true }).click();

test('inquiry to discharge and audit, through the screens only', { timeout: 300_000 }, async () => {
  const given = 'Mara';
  const family = `Lindgren${Date.now() % 1000}`;
  const full = `${given} ${family}`;
  const who = `${family}, ${given}`;
  const pages = [];
  const step = async (s, fn) => {
    pages.push(s);
    try {
      await fn(s.page);
    } catch (e) {
      await s.page.screenshot({ path: join(SCREENSHOTS, 'journey-failure.png'), fullPage: true }).catch(() => {});
      console.error(s.problems().join('\n'));
      throw e;
    }
    assert.deepEqual(s.problems().filter((p) => !/status of 4(09|12|22)/.test(p)), []);
    await s.context.close();
  };

  // 1. The public page.
  await step(await h.open(), async (page) => {
    const form = new InquiryPage(page);
    await form.open();
    await form.fill({ name: full, contact: 'mara@example.org', reason: 'Depression', message: 'Three medicines have not helped.' });
    await form.send();
    await page.getByRole('heading', { name: 'Thank you: we have your inquiry' }).waitFor();
  });

  // 2. The front desk registers the patient from the inquiry.
  let patientId;
  await step(await signedIn('frontdesk'), async (page) => {
    await nav(page, 'Inquiries');
    const row = page.getByRole('row').filter({ hasText: full });
    await row.getByRole('link', { name: /Register patient/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Register a patient' }).waitFor();
    await page.getByLabel('Date of birth').fill('1986-09-14');
    await page.getByRole('radio', { name: 'Female' }).check();
    await page.getByRole('button', { name: 'Register patient' }).click();
    await page.waitForURL(/\/desk\/patient\?id=\d+/);
    patientId = Number(new URL(page.url()).searchParams.get('id'));
  });

  // 3. The nurse: weight and height, screening, consent.
  await step(await signedIn('nurse', 768), async (page) => {
    const prep = new BeforeTreatmentPage(page);
    await prep.open(family);
    await page.getByRole('heading', { level: 1, name: new RegExp(who) }).waitFor();
    await prep.measurements('68', '170');
    assert.match(await prep.screening(), /eligible/);
    await prep.consent('2026-01');
    // The baseline PHQ-9, filled in on paper at the consultation 6 days ago.
    const sixDaysAgo = new Date(Date.now() - 6 * 86400_000).toISOString().slice(0, 10);
    assert.match(await enterPhq9(page, [3, 3, 2, 2, 2, 2, 2, 2, 0], sixDaysAgo), /total 18/);
    // And a GAD-7 from its paper form, item by item (the wording stays on the paper).
    assert.match(await enterPaperSheet(page, 'GAD-7', [2, 2, 2, 2, 1, 2, 2]), /GAD-7 recorded: total 13/);
    await settled(page);
    assert.deepEqual(await axeViolations(page), []);
    await screenshots(page, 'journey-before-treatment');
  });

  // 4. The physician approves the intake and starts the induction series.
  await step(await signedIn('physician'), async (page) => {
    await nav(page, 'Intake');
    await page.getByRole('heading', { level: 1, name: 'Intake approvals' }).waitFor();
    const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: new RegExp(who) }) });
    await card.getByRole('radio', { name: 'Approve for treatment' }).check();
    await card.getByRole('button', { name: 'Record decision' }).click();
    await page.getByRole('status').filter({ hasText: `${who}: approved.` }).waitFor();
    const prep = new BeforeTreatmentPage(page);
    await prep.open(family);
    const course = page.getByRole('region', { name: 'Course' });
    await course.getByRole('button', { name: /Plan the course: depression-induction-series/ }).click();
    await course.getByLabel('Reason to start the induction series').fill('Approved; series starts this week');
    await course.getByRole('button', { name: 'Start the induction series' }).click();
    await course.getByText('induction', { exact: true }).waitFor();
  });

  // 5. The front desk books the series from today on the proposed dates, with the nurse.
  await step(await signedIn('frontdesk'), async (page) => {
    await page.goto(`/desk/patient?id=${patientId}`);
    await settled(page);
    await page.getByLabel('Nurse').selectOption({ label: 'nurse (nurse)' });
    await page.getByRole('button', { name: 'Propose dates' }).click();
    const proposed = page.getByRole('table', { name: 'Proposed dates' });
    await proposed.waitFor();
    await page.getByRole('button', { name: /^Book 6 infusions/ }).click();
    await proposed.getByText('Booked').nth(5).waitFor();
  });
  const desk = await apiAs(h.server.baseURL, 'frontdesk');
  const booked = [...(await desk.get(`/appointments?patient_id=${patientId}`)).appointments].sort((a, b) => a.starts_at.localeCompare(b.starts_at));
  assert.equal(booked.length, 6);
  const today = clinicNow(h.data.tz).date;
  assert.equal(booked[0].date, today, 'the first infusion is today');
  // The server's clock is moved to each booked day (the same time of day), and a few minutes on
  // past each observation time; it never goes back.
  const dayOffset = (date) => Math.round((Date.parse(`${date}T00:00:00Z`) - Date.parse(`${today}T00:00:00Z`)) / 86_400_000);
  let clockMin = 0;
  const moveClock = (minutes) => {
    assert.ok(minutes > clockMin, 'the test clock only moves forward');
    clockMin = minutes;
    h.server.setClockOffsetMinutes(minutes);
  };

  const sessionIds = [];
  // PHQ-9 sheets between infusions: after each one, before the patient leaves (baseline 18).
  const phq9After = [
    [1, 1, 1, 1, 1, 1, 1, 1, 0],
    [1, 1, 1, 1, 1, 1, 1, 0, 0],
    [1, 1, 1, 1, 1, 1, 0, 0, 0],
    [1, 1, 1, 1, 1, 0, 0, 0, 0],
    [1, 1, 1, 1, 0, 0, 0, 0, 0],
    [1, 1, 0, 1, 0, 0, 0, 0, 0],
  ];
  const phq9Totals = phq9After.map((a) => a.reduce((x, y) => x + y, 0));

  /** One infusion day at the chair, by the nurse (768 px tablet): the day-of check, plan,
   * baseline vitals, start; `during(chair, page)` for what happens while the pump runs; stop;
   * `afterStop(page)`; past the observation time (the test clock, then a reload, as the tablet
   * would show it); discharge vitals, the escort's instructions, discharge; the day's PHQ-9. */
  async function infusionDay(k, { during, afterStop } = {}) {
    const nurse = await signedIn('nurse', 768);
    pages.push(nurse);
    const page = nurse.page;
    try {
      if (k > 0) await page.locator('.test-clock').waitFor();
      const prep = new BeforeTreatmentPage(page);
      await prep.open(family);
      assert.match(await prep.screening({ dayOf: { sbp: 126, dbp: 80 } }), /cleared to start today/);
      await nav(page, 'Infusions');
      await page.getByRole('heading', { level: 1, name: 'Infusions today' }).waitFor();
      const sessionId = await planInfusion(page, who);
      sessionIds.push(sessionId);
      const chair = new ChairSessionPage(page);
      assert.match(await chair.recordVitals('baseline', { 'Systolic BP': 124, 'Diastolic BP': 78, 'Heart rate': 70, SpO2: 98, 'Respiratory rate': 14 }), /Continue/);
      await chair.pump('Start infusion');
      await page.getByText('Running at').waitFor();
      assert.match(await chair.recordVitals('interval', { 'Systolic BP': 128 + k, 'Diastolic BP': 80, 'Heart rate': 74, SpO2: 97, 'Respiratory rate': 14 }), /Continue/);
      if (during) await during(chair, page);
      await chair.pump('Stop infusion');
      await page.getByRole('heading', { name: 'Before discharge' }).waitFor();
      if (afterStop) await afterStop(page);
      await page.waitForFunction(() => document.querySelectorAll('.alarm').length === 0, null, { timeout: 20_000 });
      assert.match(await chair.recordVitals('discharge', { 'Systolic BP': 120, 'Diastolic BP': 76, 'Heart rate': 70, SpO2: 98, 'Respiratory rate': 14 }), /Continue/);
      // The clinic's observation time (1 min) passes on the test clock.
      moveClock(clockMin + 3);
      await page.reload();
      await page.getByText('complete', { exact: true }).waitFor();
      // The escort's instructions, read with the escort before the discharge checklist says so.
      const escort = page.getByRole('region', { name: 'Instructions for the escort' });
      await escort.getByText('must not drive or operate machinery until the next day').waitFor();
      assert.match(await escort.innerText(), new RegExp(PHONE.replace(/\+/g, '\\+')));
      if (k === 0) {
        await screenshots(page, 'journey-escort');
        await page.evaluate(() => document.body.classList.add('print-escort'));
        await page.emulateMedia({ media: 'print' });
        await page.screenshot({ path: join(SCREENSHOTS, 'journey-escort-print.png'), fullPage: true });
        await page.emulateMedia({ media: 'screen' });
        await page.evaluate(() => document.body.classList.remove('print-escort'));
      }
      await page.getByRole('button', { name: 'Discharge…' }).click();
      const dis = page.getByRole('dialog', { name: 'Discharge: confirm' });
      for (const it of ['Activity', 'Respiration', 'Circulation', 'Consciousness', 'Oxygen saturation']) await dis.getByRole('radio', { name: `2 for ${it}` }).check();
      for (const label of ['Vital signs back to baseline', 'Walks at the pre-sedation level', 'Minimal nausea', 'Adequate analgesia', 'A responsible adult takes the patient home', 'Written discharge instructions given and understood']) await dis.getByLabel(label).check();
      await dis.getByRole('button', { name: 'Confirm discharge' }).click();
      await page.getByRole('heading', { name: 'Discharged' }).waitFor();
      if (k === 0) assert.deepEqual(await axeViolations(page), []);
      // Before leaving, the patient fills in the PHQ-9 on paper; the nurse enters it.
      await new BeforeTreatmentPage(page).open(family);
      assert.match(await enterPhq9(page, phq9After[k]), new RegExp(`total ${phq9Totals[k]}\\b`));
      if (k === 5) assert.match(await enterPaperSheet(page, 'GAD-7', [1, 1, 1, 1, 0, 1, 1]), /GAD-7 recorded: total 6/);
      assert.deepEqual(nurse.problems().filter((p) => !/status of 4(09|12|22)/.test(p)), []);
    } catch (e) {
      await page.screenshot({ path: join(SCREENSHOTS, 'journey-failure.png'), fullPage: true }).catch(() => {});
      console.error(`infusion ${k + 1}:`, nurse.problems().join('\n'));
      throw e;
    }
    await nurse.context.close();
  }

  // 6. Infusion 1, today: a rate change, a mistyped vital corrected with a reason, and a low SpO2
  //    whose alert the physician acknowledges from the alert inbox while the observation runs.
  await infusionDay(0, {
    during: async (chair, page) => {
      await chair.pump('Change rate', (d) => d.getByLabel('New rate (mL/h)').fill('40'));
      await page.waitForFunction(() => document.querySelector('.pump .rate-value')?.textContent?.replace(/\u00a0/g, ' ') === '40 mL/h');
      // A mistyped systolic (218 for 128), corrected with a reason; then a real low SpO2.
      assert.match(await chair.recordVitals('interval', { 'Systolic BP': 218, 'Diastolic BP': 80, 'Heart rate': 72, SpO2: 98, 'Respiratory rate': 14 }), /Pause the pump/);
      const row = page.locator('tr', { hasText: '218/80' });
      await row.getByRole('button', { name: /Correct/ }).click();
      const corr = page.getByRole('dialog', { name: /Correct vitals/ });
      await corr.getByLabel('A value was mistyped: amend it').check();
      await corr.getByLabel('Systolic BP (mmHg)').fill('128');
      await corr.getByLabel('Reason').fill('Typed 218 for 128');
      await corr.getByRole('button', { name: 'Confirm correction' }).click();
      await page.getByText('Amended: Typed 218 for 128', { exact: true }).waitFor();
      assert.match(await chair.recordVitals('interval', { SpO2: 90 }), /Pause the pump/);
      await page.locator('.alarm', { hasText: 'spo2' }).waitFor();
    },
    afterStop: async () => {
      // 7. The physician acknowledges the alert from the alert inbox (the nurse's screen hears of it).
      await step(await signedIn('physician'), async (doc) => {
        await nav(doc, 'Alerts');
        await doc.getByRole('heading', { level: 1, name: 'Alert inbox' }).waitFor();
        await settled(doc);
        const alert = doc.getByRole('listitem').filter({ hasText: who }).filter({ hasText: /spo2/i }).first();
        await alert.getByRole('button', { name: 'Acknowledge' }).click();
        await alert.getByLabel('Note (optional)').fill('Paused; oxygen 2 L/min; SpO2 back to 97 %');
        await alert.getByRole('button', { name: 'Confirm acknowledgement' }).click();
        await alert.waitFor({ state: 'detached' });
      });
    },
  });

  // 8. Infusions 2 to 6, each on its booked day.
  for (let k = 1; k < 6; k++) {
    moveClock(dayOffset(booked[k].date) * 1440);
    await infusionDay(k);
  }

  // 9. The front desk marks the six appointments given (the server checks each session is discharged).
  await step(await signedIn('frontdesk'), async (page) => {
    await page.goto(`/desk/patient?id=${patientId}`);
    await settled(page);
    const appts = page.getByRole('table', { name: 'All appointments' });
    for (let n = 1; n <= 6; n++) {
      await appts.getByRole('button', { name: /^Given/ }).first().click();
      await page.getByRole('button', { name: 'Mark given' }).click();
      await appts.getByText('completed').nth(n - 1).waitFor();
    }
    assert.equal(await appts.getByRole('button', { name: /^Given/ }).count(), 0);
  });

  // 10. The physician's chart shows the PHQ-9 trajectory and the six infusions with their vitals.
  await step(await signedIn('physician'), async (doc) => {
    await doc.goto(`/patients/chart?patient=${patientId}`);
    await settled(doc);
    await doc.getByRole('heading', { level: 1, name: new RegExp(who) }).waitFor();
    const main = doc.getByRole('main');
    const plot = main.getByRole('img', { name: /PHQ-9 scores over time/ });
    await plot.locator('canvas').waitFor();
    assert.match(await plot.getAttribute('aria-label'), new RegExp(`baseline 18[\\s\\S]*latest ${phq9Totals[5]}\\b`));
    const text = await main.innerText();
    assert.match(text, /6 of 6 infusions completed, 0 booked/);
    assert.match(await main.getByRole('img', { name: /GAD-7 scores over time/ }).getAttribute('aria-label'), /13[\s\S]*6\b/);
    for (let n = 1; n <= 6; n++) assert.match(text, new RegExp(`Vitals of infusion ${n} \\(`));
    assert.equal((text.match(/discharged/gi) ?? []).length >= 6, true, 'six discharged infusions');
    assert.deepEqual(await axeViolations(doc), []);
    await screenshots(doc, 'journey-chart');
  });

  // 11. The admin finds the patient's actions in the audit log, and the chain checks out.
  await step(await signedIn('admin'), async (adm) => {
    await nav(adm, 'Audit log');
    await adm.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    await adm.getByLabel('Patient number').fill(String(patientId));
    const entries = adm.getByRole('table', { name: 'Audit entries' });
    // Each write of the journey, by the role that made it (the log is newest first, reads too).
    for (const [action, user] of [
      ['POST /api/v1/patients', 'frontdesk'],
      ['PATCH /api/v1/patients/{id}', 'nurse'],
      ['POST /api/v1/patients/{id}/screening', 'nurse'],
      ['POST /api/v1/patients/{id}/consents', 'nurse'],
      ['POST /api/v1/patients/{id}/assessments', 'nurse'],
      ['POST /api/v1/patients/{id}/approval', 'physician'],
      ['POST /api/v1/patients/{id}/courses', 'physician'],
      ['POST /api/v1/appointments', 'frontdesk'],
      ['POST /api/v1/sessions/{id}/events', 'nurse'],
      ['POST /api/v1/sessions/{id}/vitals/{entry_id}/corrections', 'nurse'],
      ['POST /api/v1/alerts/{id}/acknowledge', 'physician'],
      ['GET /api/v1/sessions/{id}/escort-instructions', 'nurse'],
      ['POST /api/v1/sessions/{id}/discharge', 'nurse'],
      ['PATCH /api/v1/appointments/{id}', 'frontdesk'],
    ]) {
      await adm.getByLabel('Action').fill(action);
      await adm.getByRole('button', { name: 'Show entries' }).click();
      await adm.waitForFunction((a) => {
        const rows = [...document.querySelectorAll('table tbody tr')];
        return rows.length > 0 && rows.every((tr) => tr.textContent.includes(a));
      }, action);
      const row = entries.getByRole('row').filter({ hasText: action }).filter({ hasText: /allowed 20[01]/ }).first();
      assert.match(await row.innerText(), new RegExp(user), `${action} by ${user}`);
    }
    // Six discharges, one per infusion.
    await adm.getByLabel('Action').fill('POST /api/v1/sessions/{id}/discharge');
    await adm.getByRole('button', { name: 'Show entries' }).click();
    await adm.waitForFunction(() => [...document.querySelectorAll('table tbody tr')].filter((tr) => /allowed 201/.test(tr.textContent)).length === 6);
    await adm.getByRole('button', { name: 'Check the chain' }).click();
    await adm.getByRole('status').filter({ hasText: /The chain of [\d,]+ entries checks out/ }).waitFor();
    await screenshots(adm, 'journey-audit');
  });

  const nurseApi = await apiAs(h.server.baseURL, 'nurse');
  assert.equal(sessionIds.length, 6);
  const days = new Set();
  for (const [k, id] of sessionIds.entries()) {
    const s = await nurseApi.get(`/sessions/${id}`);
    assert.equal(s.state, 'discharged', `infusion ${k + 1}`);
    const kinds = s.events.filter((e) => e.status === 'active').map((e) => e.kind);
    assert.deepEqual(kinds, k === 0 ? ['start', 'rate_change', 'stop'] : ['start', 'stop'], `infusion ${k + 1}`);
    days.add(s.started_at.slice(0, 10));
  }
  assert.equal(days.size, 6, 'six infusions on six days');
});
