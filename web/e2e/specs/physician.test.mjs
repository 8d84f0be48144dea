// The physician's screens against a real `kit serve`: approve an intake (If-Match and an
// Idempotency-Key, checked on the server's record), an alert arriving live through the event
// stream and acknowledged with a note, the patient list (not improving first) and a chart with a
// trajectory, response and remission lines and an infusion, and a PK what-if. Axe on every screen,
// screenshots at 375/768/1280 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, screenshots } from '../fixtures/browser.mjs';
import { SESSION_CHECK_401, harness } from '../fixtures/harness.mjs';
import { DEMO_PASSWORD, apiAs, seedClinic } from '../fixtures/server.mjs';
import { SignInPage } from '../pages/pages.mjs';

const CONDITIONS = [
  'schizophrenia', 'current_psychosis_or_mania', 'pregnant', 'breastfeeding', 'uncontrolled_hypertension',
  'poorly_controlled_cardiovascular_disease', 'significant_arrhythmia', 'unstable_cerebrovascular_disease',
  'coronary_artery_disease', 'heart_failure', 'hypertension', 'elevated_intracranial_pressure',
  'cns_mass_or_hydrocephalus', 'glaucoma_or_elevated_intraocular_pressure', 'acute_globe_injury',
  'airway_instability_or_tracheal_disease', 'active_pulmonary_infection', 'thyroid_disorder_or_medication',
  'active_substance_use_disorder',
];
const DOB = '1980-05-20';

function screening({ hypertension = false, preInfusion = false } = {}) {
  const conditions = Object.fromEntries(CONDITIONS.map((c) => [c, false]));
  conditions.hypertension = hypertension;
  conditions.hepatic_impairment = 'none';
  const now = new Date();
  const [y, m, d] = DOB.split('-').map(Number);
  const age = now.getUTCFullYear() - y - (now.getUTCMonth() + 1 < m || (now.getUTCMonth() + 1 === m && now.getUTCDate() < d) ? 1 : 0);
  const body = { indication: 'depression', age_years: age, conditions, medications: { benzodiazepine_lorazepam_eq_mg_per_day: 0 } };
  if (preInfusion) body.pre_infusion = { sbp_mmhg: 124, dbp_mmhg: 78, fasted_as_instructed: true, escort_home_confirmed: true };
  return body;
}
const daysAgo = (n) => new Date(Date.now() - n * 86400_000).toISOString().slice(0, 10);

async function setup(baseURL) {
  const base = await seedClinic(baseURL);
  const desk = await apiAs(baseURL, 'frontdesk');
  const nurse = await apiAs(baseURL, 'nurse');
  const physician = await apiAs(baseURL, 'physician');
  const person = (given, family, extra = {}) =>
    desk.post('/patients', { given_name: given, family_name: family, date_of_birth: DOB, sex: 'female', indication: 'depression', ...extra });

  // Awaiting approval: screened (one relative contraindication), consented. The markup in the
  // name must arrive as text.
  const intake = await person('Ines <b>', 'Ruiz', { weight_kg: 64, height_cm: 166 });
  await nurse.post(`/patients/${intake.id}/screening`, screening({ hypertension: true }));
  await nurse.post(`/patients/${intake.id}/consents`, { type: 'treatment', version: '2026-01' });
  // Awaiting approval but not screened yet: shown, and says why it cannot be approved.
  const ahn = await person('Tom', 'Ahn');

  // In treatment: approved, a course in induction, today's infusion given, PHQ-9 over two weeks
  // (20 -> 15 -> 12: a partial response), an opioid list that went down.
  const chen = await person('Li', 'Chen', { weight_kg: 70, height_cm: 170 });
  const p = `/patients/${chen.id}`;
  await nurse.post(p + '/screening', screening());
  await nurse.post(p + '/consents', { type: 'treatment', version: '2026-01' });
  await physician.post(p + '/approval', { decision: 'approved' });
  const course = await physician.post(p + '/courses', { protocol_id: 'depression-induction-series' });
  await physician.post(`/courses/${course.id}/transitions`, { to: 'induction', reason: 'series starts' });
  const today = new Date().toISOString().slice(0, 10);
  const admin = await apiAs(baseURL, 'admin');
  const chair = await admin.post('/chairs', { clinic_id: base.clinic.id, name: 'Chair 3', active: true });
  const appt = await desk.post('/appointments', {
    patient_id: chen.id, course_id: course.id, chair_id: chair.id, kind: 'infusion', start: `${today}T00:00`, end: `${today}T01:30`,
  });
  await nurse.post(p + '/screening', screening({ preInfusion: true }));
  const session = await nurse.post(p + '/sessions', {
    course_id: course.id, appointment_id: appt.id, preparation: { concentration_mg_per_ml: 1 }, dose_mg_per_kg: 0.5,
  });
  const s = `/sessions/${session.id}`;
  await nurse.post(s + '/vitals', { point: 'baseline', sbp_mmhg: 122, dbp_mmhg: 78, hr_bpm: 72, spo2_percent: 98, rr_per_min: 14 });
  const t0 = Math.max(Date.now(), Date.parse(session.created_at));
  await nurse.postIfMatch(s + '/events', { kind: 'start', at_ms: t0 }, session.version);
  const running = await nurse.get(s);
  await nurse.postIfMatch(s + '/events', { kind: 'stop', at_ms: t0 + 50_000 }, running.version);
  await nurse.post(s + '/adverse-events', { kind: 'nausea', severity: 'mild' });
  await nurse.post(s + '/dissociation', { answers: Array.from({ length: 23 }, (_, i) => (i % 4 === 0 ? 1 : 0)) });
  const phq = (answers, n) => physician.post(p + '/assessments', { instrument: 'phq9', answers, taken_on: daysAgo(n) });
  await phq([3, 3, 2, 2, 3, 2, 2, 3, 0], 14); // 20
  await phq([2, 2, 2, 2, 2, 2, 2, 1, 0], 7); // 15
  await phq([2, 1, 1, 1, 1, 2, 2, 2, 0], 0); // 12
  await nurse.post(p + '/medications', { as_of: daysAgo(20), medications: [{ drug: 'morphine', route: 'oral', dose_mg: 10, doses_per_day: 4 }] });
  await nurse.post(p + '/medications', { medications: [{ drug: 'morphine', route: 'oral', dose_mg: 10, doses_per_day: 2 }] });
  return { ...base, intake, ahn, chen, session };
}

const h = harness({ setup });

async function physicianAt(path) {
  const s = await h.open();
  s.allow(SESSION_CHECK_401);
  const signin = new SignInPage(s.page);
  await signin.open(path);
  await signin.signIn('physician', DEMO_PASSWORD);
  await s.page.waitForURL((u) => u.pathname === path.split('?')[0]);
  return s;
}

async function settled(page) {
  await page.waitForFunction(() => !document.querySelector('.skeleton'));
}

test('the physician approves an intake, with its screening and consent shown', async () => {
  const s = await physicianAt('/intake');
  const page = s.page;
  await page.getByRole('heading', { level: 1, name: 'Intake approvals' }).waitFor();
  await settled(page);
  const card = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: /Ruiz, Ines <b>/ }) });
  await card.waitFor();
  const text = await card.innerText();
  assert.match(text, /Eligible/);
  assert.match(text, /Relative contraindications[\s\S]*ypertension/i);
  assert.match(text, /treatment \(form 2026-01\)/);
  assert.equal(await card.locator('b').count(), 0, 'a name is text, never markup');
  const unscreened = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: /Ahn, Tom/ }) });
  assert.match(await unscreened.innerText(), /No screening on file/);
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'physician-intake');

  // Declining without a reason is stopped before the server, with the field named.
  await card.getByRole('radio', { name: 'Decline' }).check();
  await card.getByRole('button', { name: 'Record decision' }).click();
  await card.getByRole('alert').filter({ hasText: 'Enter why the patient is declined' }).waitFor();

  // Watch the request the screen sends.
  const sent = page.waitForRequest((r) => r.url().endsWith(`/api/v1/patients/${h.data.intake.id}/approval`));
  await card.getByRole('radio', { name: 'Approve for treatment' }).check();
  await card.getByRole('button', { name: 'Record decision' }).click();
  const req = await sent;
  assert.equal(req.headers()['if-match'], `"${h.data.intake.version}"`);
  assert.match(req.headers()['idempotency-key'] ?? '', /^[0-9a-f-]{32,36}$/);
  await page.getByRole('status').filter({ hasText: 'Ruiz, Ines <b>: approved.' }).waitFor();
  await page.getByRole('heading', { name: /Ruiz, Ines/ }).waitFor({ state: 'detached' });
  const physician = await apiAs(h.server.baseURL, 'physician');
  const record = await physician.get(`/patients/${h.data.intake.id}`);
  assert.equal(record.status, 'approved');
  const { approvals } = await physician.get(`/patients/${h.data.intake.id}/approvals`);
  assert.equal(approvals.length, 1);
  assert.deepEqual(s.problems(), []);
  await s.context.close();
});

test('an alert arrives live and is acknowledged with a note', async () => {
  const s = await physicianAt('/alerts');
  const page = s.page;
  await page.getByRole('heading', { level: 1, name: 'Alert inbox' }).waitFor();
  await settled(page);
  await page.getByText('Updates live.').waitFor();
  // A PHQ-9 with item 9 = 3 for Tom Ahn, written while the inbox is open: it must appear through
  // the event stream, well before the 30-second poll.
  const physician = await apiAs(h.server.baseURL, 'physician');
  const started = Date.now();
  await physician.post(`/patients/${h.data.ahn.id}/assessments`, { instrument: 'phq9', answers: [1, 1, 1, 1, 1, 1, 1, 1, 3] });
  const item = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: /Safety flag: Ahn, Tom/ }) });
  await item.waitFor({ timeout: 15_000 });
  assert.ok(Date.now() - started < 15_000);
  // Priority by symbol and text as well as colour; crisis text at the top.
  assert.match(await item.innerText(), /‼\s*Critical[\s\S]*suicidal_ideation/);
  assert.match(await page.getByRole('alert').first().innerText(), /thoughts of self-harm/);
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'physician-alerts');

  await item.getByRole('button', { name: 'Acknowledge' }).click();
  await item.getByLabel('Note (optional)').fill('Called the patient; safety plan reviewed <i>today</i>.');
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'physician-alerts-acknowledge');
  const sent = page.waitForRequest((r) => /\/api\/v1\/alerts\/\d+\/acknowledge$/.test(r.url()));
  await item.getByRole('button', { name: 'Confirm acknowledgement' }).click();
  const req = await sent;
  assert.ok(req.headers()['if-match']);
  assert.ok(req.headers()['idempotency-key']);
  await item.waitFor({ state: 'detached' });
  const all = await physician.get(`/alerts?patient_id=${h.data.ahn.id}&all=true`);
  const acked = all.find((a) => a.kind === 'safety_flag');
  assert.equal(acked.status, 'acknowledged');
  assert.equal(acked.acknowledge_note, 'Called the patient; safety plan reviewed <i>today</i>.');
  assert.deepEqual(s.problems(), []);
  await s.context.close();
});

test("the patient list puts those not improving first; the chart shows the trajectory and the infusion", async () => {
  const s = await physicianAt('/patients');
  const page = s.page;
  await page.getByRole('heading', { level: 1, name: 'Patients' }).waitFor();
  await settled(page);
  const rows = await page.getByRole('row').allInnerTexts();
  const chen = rows.findIndex((r) => r.includes('Chen, Li'));
  const ruiz = rows.findIndex((r) => r.includes('Ruiz, Ines'));
  assert.ok(chen > 0, rows.join('\n'));
  assert.match(rows[chen], /partial response/);
  assert.ok(ruiz < 0 || ruiz > chen, 'a patient without scores comes after one with a status');
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'physician-patients');

  await page.getByRole('link', { name: 'Chen, Li' }).click();
  await page.waitForURL(/\/patients\/chart\?patient=\d+$/);
  await page.getByRole('heading', { level: 1, name: 'Chen, Li' }).waitFor();
  await settled(page);
  const main = page.getByRole('main');
  const plot = main.getByRole('img', { name: /PHQ-9 scores over time/ });
  await plot.locator('canvas').waitFor();
  const label = await plot.getAttribute('aria-label');
  assert.match(label, /baseline 20[\s\S]*latest 12[\s\S]*40% lower[\s\S]*Response: 50% below baseline \(line at 10\)[\s\S]*Remission: 4 or less \(line at 4\)/);
  const text = await main.innerText();
  assert.match(text, /PHQ-9\s*◐?\s*partial response/);
  assert.match(text, /Ketamine|induction/i);
  // The infusion: planned and delivered dose, mg/kg, a predicted peak, vitals, adverse event, CADSS.
  const infusion = main.getByRole('region', { name: 'Infusions table' }).getByRole('row').nth(1);
  const cells = await infusion.getByRole('cell').allInnerTexts();
  assert.equal(cells[0], '1');
  assert.match(cells[3], /^35\u00a0mg$/);
  assert.match(cells[4], /^\d+(\.\d+)?\u00a0mg$/);
  assert.match(cells[5], /^0\.\d+\u00a0mg\/kg$/);
  assert.match(cells[6], /\d+\u00a0ng\/mL at \d+\u00a0min/);
  assert.match(cells[7], /1 readings?/);
  assert.match(cells[8], /nausea \(mild\)/);
  assert.match(cells[9], /^\d+$/);
  assert.match(text, /Opioids \(MME\/day\)[\s\S]*40\u00a0MME\/day[\s\S]*20\u00a0MME\/day[\s\S]*-20\u00a0MME\/day/);
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'physician-chart');
  assert.deepEqual(s.problems(), []);
  await s.context.close();
});

test('the PK what-if panel predicts a curve and compares it with the last', async () => {
  const s = await physicianAt(`/pk?patient=${h.data.chen.id}`);
  const page = s.page;
  await page.getByRole('heading', { level: 1, name: 'PK what-if' }).waitFor();
  await settled(page);
  // The patient's covariates fill the form.
  await page.waitForFunction(() => document.querySelector('#field-weight_kg')?.value === '70');
  assert.match(await page.getByLabel('Age (years)').inputValue(), /^\d+$/);
  await page.getByRole('button', { name: 'Show prediction' }).click();
  const result = page.getByRole('region', { name: 'Model prediction' });
  await result.getByText(/plasma peak \d+\u00a0ng\/mL/).waitFor();
  await result.getByRole('img', { name: /Predicted ketamine concentration over time \(model prediction\)/ }).locator('canvas').waitFor();
  const first = await result.innerText();
  assert.match(first, /0\.5\u00a0mg\/kg over 40\u00a0min, domino1982/);
  // What if: a higher dose over a longer time.
  await page.getByLabel('Dose (mg/kg)').fill('0.75');
  await page.getByLabel('Infusion time (min, 0 = bolus)').fill('60');
  await page.getByRole('button', { name: 'Show prediction' }).click();
  await result.getByText(/0\.75\u00a0mg\/kg over 60\u00a0min/).first().waitFor();
  assert.match(await result.innerText(), /Before: 0\.5\u00a0mg\/kg over 40\u00a0min/);
  // A slip is refused naming the field, nothing guessed.
  await page.getByLabel('Dose (mg/kg)').fill('.75');
  await page.getByRole('button', { name: 'Show prediction' }).click();
  await page.getByRole('alert').filter({ hasText: 'Enter the dose in mg/kg' }).waitFor();
  await page.getByLabel('Dose (mg/kg)').fill('0.75');
  await page.getByRole('button', { name: 'Show prediction' }).click();
  await page.getByRole('alert').waitFor({ state: 'detached' });
  // Running the same regimen again keeps the last different one as "Before".
  assert.match(await result.innerText(), /Before: 0\.5\u00a0mg\/kg over 40\u00a0min/);
  // The population band: Domino publishes no variability, so the clinician states it.
  await page.getByLabel(/Show the 5–95 % band/).check();
  await page.getByRole('button', { name: 'Show prediction' }).click();
  await page.getByRole('alert').filter({ hasText: 'Enter the clearance CV in %' }).waitFor();
  await page.getByLabel('Clearance CV (%)').fill('30');
  await page.getByLabel('Central volume CV (%)').fill('30');
  const popSent = page.waitForRequest((r) => r.url().endsWith('/api/v1/pk/population'));
  await page.getByRole('button', { name: 'Show prediction' }).click();
  assert.deepEqual(JSON.parse((await popSent).postData()).iiv_cv, { CL: 0.3, V1: 0.3 });
  await result.getByText(/Population of 500 \(stated variability\): plasma peak 5th to 95th percentile \d+\u00a0ng\/mL to \d+\u00a0ng\/mL/).waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'physician-pk');
  assert.deepEqual(s.problems(), []);
  await s.context.close();
});
