// The patient portal on a 375 px phone (docs/web-portal.md): the front desk invites a patient and
// gets the link once; the patient opens it, chooses a password and lands in the portal; in Spanish
// they answer a due PHQ-9 one question per screen, leave and come back to the same question (the
// server-side draft), answer item 9 positively and see the crisis guidance at once, and send it
// (the physician's alert is raised by the server); the demo patient answers a PHQ-9 in English and
// sees their score trajectory and their access log. axe on every screen, screenshots at 375, 768
// and 1280 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, screenshots } from '../fixtures/browser.mjs';
import { harness } from '../fixtures/harness.mjs';
import { apiAs, DEMO_PASSWORD } from '../fixtures/server.mjs';
import { SignInPage } from '../pages/pages.mjs';

const CONDITIONS = [
  'schizophrenia', 'current_psychosis_or_mania', 'pregnant', 'breastfeeding', 'uncontrolled_hypertension',
  'poorly_controlled_cardiovascular_disease', 'significant_arrhythmia', 'unstable_cerebrovascular_disease',
  'coronary_artery_disease', 'heart_failure', 'hypertension', 'elevated_intracranial_pressure',
  'cns_mass_or_hydrocephalus', 'glaucoma_or_elevated_intraocular_pressure', 'acute_globe_injury',
  'airway_instability_or_tracheal_disease', 'active_pulmonary_infection', 'thyroid_disorder_or_medication',
  'active_substance_use_disorder',
];

/** A depression course in induction with its first infusion booked two days ahead: a PHQ-9 and a
 * GAD-7 are due now (the baseline, docs/clinical-rules/measurement-schedule.md). */
async function courseWithBaselineDue({ admin, desk, nurse, physician }, pid, chair, hhmm) {
  const conditions = Object.fromEntries(CONDITIONS.map((c) => [c, false]));
  conditions.hepatic_impairment = 'none';
  const patient = await desk.get(`/patients/${pid}`);
  const born = new Date(patient.date_of_birth + 'T00:00:00Z');
  const now = new Date();
  let age = now.getUTCFullYear() - born.getUTCFullYear();
  if (now.getUTCMonth() < born.getUTCMonth() || (now.getUTCMonth() === born.getUTCMonth() && now.getUTCDate() < born.getUTCDate())) age -= 1;
  await nurse.post(`/patients/${pid}/screening`, {
    indication: 'depression', age_years: age, conditions, medications: { benzodiazepine_lorazepam_eq_mg_per_day: 0 },
  });
  await nurse.post(`/patients/${pid}/consents`, { type: 'treatment', version: '2026-01' });
  await physician.post(`/patients/${pid}/approval`, { decision: 'approved' });
  const course = await physician.post(`/patients/${pid}/courses`, { protocol_id: 'depression-induction-series' });
  await physician.post(`/courses/${course.id}/transitions`, { to: 'induction', reason: 'series starts' });
  const day = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  await desk.post('/appointments', { patient_id: pid, chair_id: chair, course_id: course.id, start: `${day}T${hhmm}` });
  void admin;
}

const h = harness({
  async setup(baseURL) {
    const staff = {
      admin: await apiAs(baseURL, 'admin'),
      desk: await apiAs(baseURL, 'frontdesk'),
      nurse: await apiAs(baseURL, 'nurse'),
      physician: await apiAs(baseURL, 'physician'),
    };
    const clinic = await staff.admin.post('/clinics', {
      name: 'Riverside Clinic', timezone: 'UTC', opens_at: '06:00', closes_at: '22:00', open_weekdays: '1234567',
    });
    const chair = (await staff.admin.post('/chairs', { clinic_id: clinic.id, name: 'Chair 1', active: true })).id;
    const invited = await staff.desk.post('/patients', {
      given_name: 'Lucía', family_name: 'Herrera', date_of_birth: '1979-06-02', sex: 'female', indication: 'depression',
    });
    await courseWithBaselineDue(staff, invited.id, chair, '10:00');
    const demo = await (await apiAs(baseURL, 'patient')).get('/me/patient');
    await courseWithBaselineDue(staff, demo.id, chair, '14:00');
    return { invited, demo, staff };
  },
});

let inviteLink = '';
// No draft yet answers 404 (the portal then starts at question 1): expected, not a fault.
const NO_DRAFT_404 = /status of 404.*\/questionnaire-drafts\//;

test('the front desk invites the patient and sees the link once', async () => {
  const s = await h.open();
  await new SignInPage(s.page).open();
  s.allow(/status of 401.*\/api\/v1\/auth\/me/);
  await new SignInPage(s.page).signIn('frontdesk', DEMO_PASSWORD);
  await s.page.waitForURL(/\/desk$/);
  await s.page.goto(`/desk/patient?id=${h.data.invited.id}`);
  await s.page.getByRole('heading', { level: 2, name: 'Patient portal' }).waitFor();
  await s.page.getByText('Not invited to the portal yet.').waitFor();
  await s.page.getByRole('button', { name: 'Invite to portal' }).click();
  const box = s.page.getByLabel('Invitation link');
  await box.waitFor();
  inviteLink = (await box.textContent()).trim();
  assert.match(inviteLink, /\/invite\?token=[A-Za-z0-9_-]{40,}$/);
  await s.page.getByText(/Last invitation: pending/).waitFor();
  assert.deepEqual(await axeViolations(s.page), []);
  await screenshots(s.page, 'portal-staff-invite');
  // Shown once: the staff list never shows a token again.
  await s.page.reload();
  await s.page.getByText(/Last invitation: pending/).waitFor();
  assert.equal(await s.page.getByLabel('Invitation link').count(), 0);
  assert.deepEqual(s.problems(), []);
  await s.context.close();
});

test('the patient accepts the invitation on a phone and answers a PHQ-9 in Spanish, resuming a draft', async () => {
  assert.ok(inviteLink, 'the invitation test ran first');
  const s = await h.open({ width: 375 });
  s.allow(NO_DRAFT_404);
  await s.page.goto(inviteLink);
  await s.page.getByRole('heading', { level: 1, name: 'Set up your portal account' }).waitFor();
  await s.page.getByText(/Riverside Clinic invited you/).waitFor();
  assert.deepEqual(await axeViolations(s.page), []);
  await screenshots(s.page, 'portal-invite');
  // The page in Spanish, then the account.
  await s.page.getByLabel('Español').check();
  await s.page.getByRole('heading', { level: 1, name: 'Cree su cuenta del portal' }).waitFor();
  await s.page.getByLabel('Nombre de usuario').fill('lucia.herrera');
  await s.page.getByLabel('Contraseña nueva').fill('mi-clave-segura-2026');
  await s.page.getByLabel('Escriba la contraseña otra vez').fill('mi-clave-segura-2026');
  assert.deepEqual(await axeViolations(s.page), []);
  await screenshots(s.page, 'portal-invite-es');
  await s.page.getByRole('button', { name: 'Abrir mi cuenta' }).click();
  await s.page.waitForURL(/\/portal$/);

  // The portal, in English until the patient chooses: then Spanish, kept on the server.
  await s.page.getByRole('heading', { level: 1, name: 'Hello, Lucía' }).waitFor();
  await s.page.getByText('This portal is not monitored around the clock.', { exact: false }).waitFor();
  await s.page.getByLabel('Español').check();
  await s.page.getByRole('heading', { level: 1, name: 'Hola, Lucía' }).waitFor();
  await s.page.getByText('Idioma guardado.').waitFor();
  await s.page.getByRole('heading', { level: 2, name: 'Cuestionarios por responder' }).waitFor();
  assert.deepEqual(await axeViolations(s.page), []);
  await screenshots(s.page, 'portal-home-es');

  await s.page.getByRole('link', { name: 'Empezar PHQ-9' }).click();
  await s.page.waitForURL(/\/portal\/questionnaire\/phq9$/);
  await s.page.getByText('Pregunta 1 de 9').waitFor();
  await s.page.getByText('1. Poco interés o placer en hacer cosas').waitFor();
  assert.deepEqual(await axeViolations(s.page), []);
  await screenshots(s.page, 'portal-question-es');
  // Next without an answer: told to choose one.
  await s.page.getByRole('button', { name: 'Siguiente' }).click();
  await s.page.getByRole('alert').filter({ hasText: 'Elija una respuesta para seguir.' }).waitFor();
  const answers = ['Varios días', 'Más de la mitad de los días', 'Varios días'];
  for (const a of answers) {
    await s.page.getByLabel(a).check();
    await s.page.getByText('Guardado.', { exact: false }).waitFor();
    await s.page.getByRole('button', { name: 'Siguiente' }).click();
  }
  await s.page.getByText('Pregunta 4 de 9').waitFor();
  await s.page.getByText('Guardado.', { exact: false }).waitFor();

  // Leave and come back: the draft brings the patient back to question 4 with the answers kept.
  await s.page.goto('/portal');
  await s.page.getByRole('link', { name: 'Empezar PHQ-9' }).click();
  await s.page.getByText('Pregunta 4 de 9').waitFor();
  await s.page.getByRole('button', { name: 'Atrás' }).click();
  await s.page.getByText('Pregunta 3 de 9').waitFor();
  assert.ok(await s.page.getByLabel('Varios días').isChecked());
  await s.page.getByRole('button', { name: 'Siguiente' }).click();

  for (let n = 4; n <= 8; n++) {
    await s.page.getByText(`Pregunta ${n} de 9`).waitFor();
    await s.page.getByLabel('Ningún día').check();
    await s.page.getByRole('button', { name: 'Siguiente' }).click();
  }
  await s.page.getByText('9. Pensamientos de que estaría mejor muerto(a) o de lastimarse de alguna manera').waitFor();
  assert.equal(await s.page.getByRole('heading', { name: '¿Está a salvo en este momento?' }).count(), 0);
  // Item 9 answered above "not at all": the crisis guidance at once, before anything is sent.
  await s.page.getByLabel('Varios días').check();
  const crisis = s.page.getByRole('alert').filter({ hasText: '¿Está a salvo en este momento?' });
  await crisis.waitFor();
  const text = await crisis.innerText();
  assert.match(text, /911/);
  assert.match(text, /988/);
  assert.match(text, /\(555\) 555-0100/);
  assert.match(text, /no se vigila las 24 horas/);
  assert.deepEqual(await axeViolations(s.page), []);
  await screenshots(s.page, 'portal-crisis-es');

  await s.page.getByRole('button', { name: 'Revisar mis respuestas' }).click();
  await s.page.getByRole('heading', { level: 2, name: 'Revise sus respuestas' }).waitFor();
  assert.deepEqual(await axeViolations(s.page), []);
  await screenshots(s.page, 'portal-review-es');
  await s.page.getByRole('button', { name: 'Enviar mis respuestas' }).click();
  await s.page.getByRole('heading', { level: 1, name: 'Gracias' }).waitFor();
  await s.page.getByRole('alert').filter({ hasText: '988' }).waitFor(); // still shown after sending

  // The server scored it and raised the physician's alert; the draft is gone.
  const physician = h.data.staff.physician;
  const sheets = await physician.get(`/patients/${h.data.invited.id}/assessments`);
  assert.deepEqual(sheets.map((a) => [a.instrument, a.total, a.self_report]), [['phq9', 5, true]]);
  const alerts = await physician.get(`/alerts?patient_id=${h.data.invited.id}`);
  assert.ok(alerts.some((a) => a.kind === 'safety_flag'), JSON.stringify(alerts));
  assert.deepEqual(s.problems(), []);
  await s.context.close();
});

test('the demo patient answers a PHQ-9 in English and sees the trajectory and the access log', async () => {
  const s = await h.open({ width: 375 });
  s.allow(NO_DRAFT_404);
  const signin = new SignInPage(s.page);
  await signin.open();
  s.allow(/status of 401.*\/api\/v1\/auth\/me/);
  await signin.signIn('patient', DEMO_PASSWORD);
  await s.page.waitForURL(/\/portal$/);
  await s.page.getByRole('heading', { level: 2, name: 'Questionnaires to fill in' }).waitFor();
  await s.page.getByRole('link', { name: 'Start PHQ-9' }).click();
  await s.page.getByText('Question 1 of 9').waitFor();
  await s.page.getByText('1. Little interest or pleasure in doing things').waitFor();
  for (let n = 1; n <= 9; n++) {
    await s.page.getByText(`Question ${n} of 9`).waitFor();
    await s.page.getByLabel(n <= 2 ? 'Several days' : 'Not at all').check();
    await s.page.getByRole('button', { name: n === 9 ? 'Review my answers' : 'Next' }).click();
  }
  assert.equal(await s.page.getByRole('heading', { name: 'Are you safe right now?' }).count(), 0);
  await s.page.getByRole('heading', { level: 2, name: 'Check your answers' }).waitFor();
  await s.page.getByRole('button', { name: 'Send my answers' }).click();
  await s.page.getByRole('heading', { level: 1, name: 'Thank you' }).waitFor();
  await s.page.getByRole('link', { name: 'Back to my portal' }).click();
  await s.page.waitForURL(/\/portal$/);
  // The PHQ-9 is no longer due; the GAD-7 still is; the trajectory shows the sheet just sent.
  await s.page.getByRole('link', { name: 'Start GAD-7' }).waitFor();
  assert.equal(await s.page.getByRole('link', { name: 'Start PHQ-9' }).count(), 0);
  const chart = s.page.getByRole('img', { name: 'PHQ-9 scores over time, questionnaires: 1' });
  await chart.locator('canvas').waitFor();
  await s.page.getByRole('heading', { level: 2, name: 'Who opened my record' }).waitFor();
  const main = await s.page.getByRole('main').innerText();
  assert.match(main, /Who opened my record(?=[\s\S]*nurse \(nurse\))(?=[\s\S]*physician \(physician\))/);
  assert.deepEqual(await axeViolations(s.page), []);
  await screenshots(s.page, 'portal-home-en');
  assert.deepEqual(s.problems(), []);
  await s.context.close();
});
