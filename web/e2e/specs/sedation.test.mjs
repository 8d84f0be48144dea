// ED procedural sedation through the screens only (docs/api-sedation.md): a physician at the
// bedside opens an episode for a child (an infant under 3 months is refused first, and nothing is
// stored), the server's first IV dose and volume, a repeat refused for coming too soon, a repeat
// given with the running total held to the limit, an over-limit dose refused, monitoring with a
// mistyped SpO2 amended, adverse events, the end of the procedure, discharge refused until the
// checklist is met, then discharged. A nurse is refused a relative contraindication (a physician
// must review it) and must name the ordering physician; when a physician records a dose on another
// tablet, her preview on the old total is withdrawn and her next dose is a repeat, refused as too soon. Times are typed on the clinic's clock
// (Europe/Berlin, not the browser's UTC) to chart what already happened, so the discharge interval
// of the protocol (50 min after the last IV dose) has passed without waiting.
// axe on every screen; screenshots at 375/768/1280 px into web/e2e/screenshots/ed-*.png.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SCREENSHOTS, WIDTHS, axeViolations, screenshots } from '../fixtures/browser.mjs';
import { SESSION_CHECK_401, harness } from '../fixtures/harness.mjs';
import { DEMO_PASSWORD, apiAs } from '../fixtures/server.mjs';
import { SignInPage } from '../pages/pages.mjs';

const TZ = 'Europe/Berlin';
const h = harness({
  setup: async (baseURL) => {
    const admin = await apiAs(baseURL, 'admin');
    await admin.post('/clinics', { name: 'City Hospital ED', timezone: TZ, opens_at: '00:00', closes_at: '23:45', open_weekdays: '1234567', recovery_minutes: 60 });
    return { physician: await apiAs(baseURL, 'physician') };
  },
});

/** "YYYY-MM-DDTHH:MM" on the clinic's wall clock, `minutesAgo` before now. */
function clinicWall(minutesAgo) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: TZ, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(Date.now() - minutesAgo * 60_000));
  const get = (t) => parts.find((p) => p.type === t).value;
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`;
}

/** The screen's text with no-break spaces as spaces. */
const text = async (loc) => (await loc.textContent()).replace(/\u00a0/g, ' ');

async function signIn(username, width) {
  const s = await h.open({ width });
  s.allow(SESSION_CHECK_401);
  const signin = new SignInPage(s.page);
  await signin.open();
  await signin.signIn(username, DEMO_PASSWORD);
  await s.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'ED sedation' }).click();
  await s.page.getByRole('heading', { level: 1, name: 'ED procedural sedation' }).waitFor();
  return s;
}

async function check(page, name) {
  assert.deepEqual(await axeViolations(page), [], `axe on ${name}`);
  if (await page.getByRole('dialog').count()) {
    const original = page.viewportSize();
    for (const width of Object.values(WIDTHS)) {
      await page.setViewportSize({ width, height: 900 });
      await page.waitForTimeout(150);
      await page.screenshot({ path: join(SCREENSHOTS, `${name}-${width}.png`), animations: 'disabled' });
    }
    await page.setViewportSize(original);
  } else {
    await screenshots(page, name);
  }
}

async function fillOpening(page, { given, family, dob, weight, procedure, present = [], startedAt, review }) {
  await page.getByLabel('Given name').fill(given);
  await page.getByLabel('Family name').fill(family);
  await page.getByLabel('Date of birth').fill(dob);
  await page.getByRole('radio', { name: 'Female' }).check();
  await page.getByLabel('Weight measured today (kg)').fill(weight);
  await page.getByLabel('Procedure', { exact: true }).fill(procedure);
  await page.getByRole('group', { name: /posterior pharynx/ }).getByRole('radio', { name: 'No' }).check();
  for (const c of present) await page.getByLabel(c).check();
  await page.getByLabel('I asked about every condition above').check();
  await page.getByRole('group', { name: 'Hepatic impairment' }).getByRole('radio', { name: 'None' }).check();
  if (startedAt) await page.getByLabel('Sedation care began at').fill(startedAt);
  if (review) await page.getByLabel(/review of relative contraindications/).fill(review);
}

/** Fills the dose form and asks the server; returns the preview box. */
async function calculate(page, { route, conc, perKg = '', at, orderedBy }) {
  const form = page.getByRole('region', { name: /First dose|Repeat dose/ });
  await form.getByRole('radio', { name: route }).check();
  await form.getByLabel('Concentration of the syringe (mg/mL)').fill(conc);
  await form.getByLabel('Dose (mg/kg), optional').fill(perKg);
  if (orderedBy !== undefined) await form.getByLabel('Ordered by (physician’s name)').fill(orderedBy);
  if (at) await form.getByLabel('Given at').fill(at);
  await form.getByRole('button', { name: 'Calculate the dose' }).click();
  const preview = page.locator('.ed-preview');
  await preview.waitFor();
  return preview;
}

async function recordDose(page) {
  const before = await page.locator('[aria-label="Doses recorded"] tbody tr').count();
  await page.getByRole('button', { name: 'Record this dose as given…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Dose given: confirm' });
  await dialog.getByRole('button', { name: 'Confirm dose given' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.waitForFunction((n) => document.querySelectorAll('[aria-label="Doses recorded"] tbody tr').length === n + 1, before);
}

test('a child sedated in the ED, from the age gate to discharge, through the screens', { timeout: 240_000 }, async () => {
  const doc = await signIn('physician', 768);
  const page = doc.page;
  try {
    await page.getByText('No sedation in progress.').waitFor();
    await check(page, 'ed-home');

    // An infant of 2 months: refused by the age gate (ACEP: 3 months), and nothing is stored.
    const infant = new Date(Date.now() - 61 * 86400_000).toISOString().slice(0, 10);
    await fillOpening(page, { given: 'Noah', family: 'Klein', dob: infant, weight: '5', procedure: 'laceration repair' });
    await page.getByRole('button', { name: 'Check and open the sedation record' }).click();
    const refusal = page.locator('.refusal');
    await refusal.waitFor();
    assert.match(await text(refusal), /Refused: Age at least 3 months/);
    assert.match(await text(refusal), /Nothing was stored/);
    await check(page, 'ed-refused-age');
    assert.deepEqual((await h.data.physician.get('/sedation/episodes')).episodes, [], 'a refusal stores nothing');
    doc.allow(/status of 422/);

    // A 7-year-old, 20 kg, sedation care since 80 minutes ago (charted now, on the clinic's clock).
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'ED procedural sedation' }).waitFor();
    await fillOpening(page, { given: 'Ada', family: 'Lindqvist', dob: '2019-05-02', weight: '20', procedure: 'forearm fracture reduction', startedAt: clinicWall(80) });
    await page.getByRole('button', { name: 'Check and open the sedation record' }).click();
    await page.waitForURL(/\/ed\/episode\?id=\d+/);
    const id = Number(new URL(page.url()).searchParams.get('id'));
    await page.getByRole('heading', { level: 1, name: /Lindqvist, Ada/ }).waitFor();
    assert.match(await text(page.locator('.subtitle')), /20 kg · age 7 years \(paediatric protocols\)/);
    await page.getByText('No dose given yet.').waitFor();

    // The first dose: IV push of 10 mg/mL, given 70 minutes ago. The screen shows the server's dose.
    let preview = await calculate(page, { route: 'IV push', conc: '10', at: clinicWall(70) });
    const server = await h.data.physician.post(`/sedation/episodes/${id}/dose-preview`, { route: 'iv', concentration_mg_per_ml: 10 });
    assert.equal(server.repeat, false);
    const big = await text(preview.locator('.ed-dose-big'));
    assert.equal(big.replace(/\s+/g, ' ').trim(), `${server.dose_mg} mg = ${server.volume_ml} mL`);
    assert.match(await text(preview), new RegExp(`${server.protocol}`));
    assert.match(await text(preview), /Dose and running total within the protocol’s limits/);
    await check(page, 'ed-first-dose-preview');
    await recordDose(page);
    const first = server.dose_mg;
    await page.waitForFunction((mg) => document.querySelector('.ed-total .rate-value')?.textContent?.replace(/\u00a0/g, ' ') === `${mg} mg`, first);
    await page.getByRole('heading', { name: 'Repeat dose' }).waitFor();

    // A repeat only 2 minutes later: the protocol's repeat interval refuses it.
    preview = await calculate(page, { route: 'IV push', conc: '10', at: clinicWall(68) });
    assert.match(await text(preview.getByRole('alert')), /The server refuses this dose:[\s\S]*Repeat interval of the protocol[\s\S]*Not passed/);
    assert.equal(await page.getByRole('button', { name: 'Record this dose as given…' }).isDisabled(), true);
    await check(page, 'ed-repeat-refused');

    // A dose above the hard limits (4 mg/kg at once): refused, the running total is unchanged.
    preview = await calculate(page, { route: 'IV push', conc: '10', perKg: '4', at: clinicWall(62) });
    assert.match(await text(preview), /Above a hard limit: refused|The server refuses this dose/);
    assert.equal(await page.getByRole('button', { name: 'Record this dose as given…' }).isDisabled(), true);

    // The repeat 10 minutes after the first: given; the running total is the server's sum.
    preview = await calculate(page, { route: 'IV push', conc: '10', at: clinicWall(60) });
    assert.match(await text(preview), /Repeat dose, IV push/);
    await recordDose(page);
    let e = await h.data.physician.get(`/sedation/episodes/${id}`);
    assert.equal(e.doses.length, 2);
    assert.equal(e.running_total_mg, e.doses[0].dose_mg + e.doses[1].dose_mg);
    await page.waitForFunction((mg) => document.querySelector('.ed-total .rate-value')?.textContent?.replace(/\u00a0/g, ' ') === `${mg} mg`, e.running_total_mg);
    assert.match(await text(page.locator('.ed-total')), new RegExp(`Hard limit for this episode: ${e.cumulative_limit.hard_mg_per_kg} mg/kg`));

    // Monitoring, with an SpO2 mistyped (9 for 95) and amended with a reason.
    const mon = page.getByRole('region', { name: 'Monitoring' });
    await mon.getByLabel('SpO2 (%)').fill('97');
    await mon.getByLabel('Heart rate (bpm)').fill('112');
    await mon.getByLabel('Respiratory rate (breaths/min)').fill('22');
    await mon.getByRole('radio', { name: 'No' }).check();
    await mon.getByLabel('Observation (optional)').fill('Dissociated, airway patent');
    await mon.getByLabel('Taken at').fill(clinicWall(59));
    await mon.getByRole('button', { name: 'Record monitoring' }).click();
    await page.getByRole('cell', { name: 'Dissociated, airway patent' }).waitFor();
    await mon.getByLabel('SpO2 (%)').fill('9');
    await mon.getByLabel('Heart rate (bpm)').fill('108');
    await mon.getByLabel('Taken at').fill(clinicWall(57));
    await mon.getByRole('button', { name: 'Record monitoring' }).click();
    const wrong = page.locator('tr', { hasText: '9%' }).filter({ hasText: '108' });
    await wrong.waitFor();
    await wrong.getByRole('button', { name: /Correct/ }).click();
    const corr = page.getByRole('dialog', { name: /Correct monitoring/ });
    await corr.getByLabel('A value was mistyped: amend it').check();
    await corr.getByLabel('SpO2 (%)').fill('95');
    await corr.getByLabel('Reason').fill('Typed 9 for 95');
    await check(page, 'ed-correction-dialog');
    await corr.getByRole('button', { name: 'Confirm correction' }).click();
    await corr.waitFor({ state: 'detached' });
    await page.getByText('Amended: Typed 9 for 95').waitFor();
    await page.locator('tr', { hasText: '95%' }).filter({ hasText: '108' }).waitFor();

    // Adverse events: emesis (suction) and a brief laryngospasm (airway repositioning, oxygen).
    const ae = page.getByRole('region', { name: 'Adverse events' });
    await ae.getByLabel('What happened').selectOption('emesis');
    await ae.getByRole('radio', { name: 'Mild' }).check();
    await ae.getByLabel('Suction').check();
    await ae.getByLabel('Happened at').fill(clinicWall(58));
    await ae.getByRole('button', { name: 'Record adverse event' }).click();
    await ae.getByText(/Emesis \(mild\): suction/).waitFor();
    await ae.getByLabel('What happened').selectOption('laryngospasm');
    await ae.getByRole('radio', { name: 'Moderate' }).check();
    await ae.getByLabel('Airway repositioning').check();
    await ae.getByLabel('Supplemental oxygen').check();
    await ae.getByLabel('Happened at').fill(clinicWall(56));
    await ae.getByRole('button', { name: 'Record adverse event' }).click();
    await ae.getByText(/Laryngospasm \(moderate\): airway repositioning, supplemental oxygen/).waitFor();
    await check(page, 'ed-sedated-record');

    // The procedure is over 52 minutes ago; recovery and discharge readiness.
    await page.getByRole('button', { name: 'Procedure over…' }).click();
    const end = page.getByRole('dialog', { name: 'End of the procedure: confirm' });
    await end.getByLabel('Procedure ended at').fill(clinicWall(52));
    await end.getByRole('button', { name: 'Confirm: procedure over' }).click();
    await end.waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'Before discharge' }).waitFor();
    assert.equal(await page.getByRole('region', { name: /Repeat dose/ }).count(), 0, 'no dose after the end of the procedure');
    await page.getByText(/Time rules met since/).waitFor();

    // Discharge with a criterion not met: refused, naming the checklist; nothing stored.
    const dis = page.getByRole('region', { name: 'Before discharge' });
    const criteria = dis.getByRole('group', { name: /Discharge checklist/ }).getByRole('checkbox');
    const n = await criteria.count();
    assert.ok(n >= 6, 'the RCEM checklist for a child');
    for (let i = 0; i < n - 1; i++) await criteria.nth(i).check();
    await dis.getByRole('button', { name: 'Discharge' }).click();
    await dis.locator('.refusal').waitFor();
    assert.match(await text(dis.locator('.refusal')), /Refused: Discharge checklist met/);
    await check(page, 'ed-discharge-refused');
    assert.equal((await h.data.physician.get(`/sedation/episodes/${id}`)).state, 'recovering');
    await criteria.nth(n - 1).check();
    await dis.getByRole('button', { name: 'Discharge' }).click();
    await page.getByRole('heading', { name: 'Discharged' }).waitFor();
    await page.getByText(/no food or drink/i).first().waitFor();
    await check(page, 'ed-discharged');

    e = await h.data.physician.get(`/sedation/episodes/${id}`);
    assert.equal(e.state, 'discharged');
    assert.equal(e.doses.filter((d) => d.status === 'active').length, 2);
    assert.deepEqual(e.adverse_events.map((a) => a.kind), ['emesis', 'laryngospasm']);
    const amended = e.monitoring.find((m) => m.status === 'amended');
    assert.equal(amended.spo2_percent, 9);
    assert.equal(amended.correction.reason, 'Typed 9 for 95');
    assert.ok(e.monitoring.some((m) => m.amends_id === amended.id && m.spo2_percent === 95));
    assert.deepEqual(doc.problems().filter((p) => !/status of 422/.test(p)), []);
  } catch (err) {
    await page.screenshot({ path: join(SCREENSHOTS, 'ed-failure.png'), fullPage: true }).catch(() => {});
    console.error(doc.problems().join('\n'));
    throw err;
  }
  await doc.context.close();
});

test('a nurse on a phone: a relative contraindication needs a physician; a dose names who ordered it', { timeout: 120_000 }, async () => {
  const nurse = await signIn('nurse', 375);
  const page = nurse.page;
  nurse.allow(/status of 422/);
  await fillOpening(page, { given: 'Liam', family: 'Berg', dob: '2016-01-20', weight: '20.5', procedure: 'shoulder reduction', present: ['Active pulmonary infection, including an upper respiratory infection'] });
  await page.getByRole('button', { name: 'Check and open the sedation record' }).click();
  const refusal = page.locator('.refusal');
  await refusal.waitFor();
  assert.match(await text(refusal), /Refused: Relative contraindications reviewed by a physician/);
  await check(page, 'ed-nurse-relative-refused');

  // Without the URI the nurse may open it; the dose needs the ordering physician's name.
  await page.getByLabel('Active pulmonary infection, including an upper respiratory infection').uncheck();
  await page.getByRole('button', { name: 'Check and open the sedation record' }).click();
  await page.waitForURL(/\/ed\/episode\?id=\d+/);
  const form = page.getByRole('region', { name: 'First dose' });
  await form.getByRole('radio', { name: 'IM' }).check();
  await form.getByLabel('Concentration of the syringe (mg/mL)').fill('50');
  await form.getByRole('button', { name: 'Calculate the dose' }).click();
  await form.getByText('Name the physician who ordered the dose').waitFor();
  // 4 mg/kg IM of 50 mg/mL is more than 1 mL in one site: a soft limit only a physician may pass.
  let preview = await calculate(page, { route: 'IM', conc: '50', orderedBy: 'Dr Ana Ruiz' });
  assert.match(await text(preview), /First dose, IM/);
  assert.match(await text(preview.getByRole('alert')), /Soft limits of the dose[\s\S]*Not passed/);
  assert.equal(await page.getByRole('button', { name: 'Record this dose as given…' }).isDisabled(), true);
  await check(page, 'ed-nurse-soft-limit');
  // The 100 mg/mL vial keeps the volume within one IM site.
  preview = await calculate(page, { route: 'IM', conc: '100' });
  assert.match(await text(preview), /Dose and running total within the protocol’s limits/);
  const rate = preview.locator('.rate-value').first();
  // The dose never wraps or truncates on a phone.
  const fits = await rate.evaluate((el) => el.scrollWidth <= el.clientWidth + 1 && el.getBoundingClientRect().right <= window.innerWidth);
  assert.ok(fits, 'the dose fits at 375 px');
  await check(page, 'ed-nurse-im-preview');

  // Meanwhile a physician on another tablet records a dose on the same episode. The nurse's screen
  // follows (live feed, or the 10 s poll): her preview, computed on the old total, is withdrawn, the
  // running total shows the physician's dose, and her next calculation is a repeat dose, refused
  // as too soon. One dose is recorded, never two on a stale total.
  const id = Number(new URL(page.url()).searchParams.get('id'));
  const seen = await h.data.physician.get(`/sedation/episodes/${id}`);
  await h.data.physician.postIfMatch(`/sedation/episodes/${id}/doses`, { route: 'im', concentration_mg_per_ml: 100 }, seen.version);
  await page.getByRole('heading', { name: 'Repeat dose' }).waitFor({ timeout: 20_000 });
  assert.equal(await page.getByRole('button', { name: 'Record this dose as given…' }).count(), 0, 'the stale preview is withdrawn');
  const e = await h.data.physician.get(`/sedation/episodes/${id}`);
  assert.equal(e.doses.length, 1);
  await page.waitForFunction((mg) => document.querySelector('.ed-total .rate-value')?.textContent?.replace(/\u00a0/g, ' ') === `${mg} mg`, e.running_total_mg);
  await page.waitForFunction(() => document.querySelectorAll('[aria-label="Doses recorded"] tbody tr').length === 1);
  preview = await calculate(page, { route: 'IM', conc: '100', orderedBy: 'Dr Ana Ruiz' });
  assert.match(await text(preview.getByRole('alert')), /Repeat interval of the protocol[\s\S]*Not passed/);
  await check(page, 'ed-nurse-after-other-dose');
  assert.equal((await h.data.physician.get(`/sedation/episodes/${id}`)).doses.length, 1, 'one dose recorded, not two');
  assert.deepEqual(nurse.problems().filter((p) => !/status of 4(12|22)/.test(p)), []);
  await nurse.context.close();
});
