// The reminders outbox through the screens (docs/reminders.md): a patient with an address and an
// appointment tomorrow gets reminders planned into the outbox (no SMTP relay here: they wait
// queued); the front desk finds them under Reminders, filters by kind, opens a message with its
// text (no clinical content) and its empty delivery log, and a bad patient number is refused on
// the field. axe on each state, screenshots at 375/768/1280 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, screenshots } from '../fixtures/browser.mjs';
import { SESSION_CHECK_401, harness } from '../fixtures/harness.mjs';
import { DEMO_PASSWORD } from '../fixtures/server.mjs';
import { apiAs, clinicNow, seedDesk } from '../fixtures/desk-clinic.mjs';
import { SignInPage } from '../pages/pages.mjs';

// The planner looks every second in this server (process-local: each spec runs in its own process).
process.env.KIT_REMINDERS_EVERY_S = '1';

async function setup(baseURL) {
  const seeded = await seedDesk(baseURL);
  const desk = await apiAs(baseURL, 'frontdesk');
  const p = seeded.running.patient;
  const current = await desk.get(`/patients/${p.id}`);
  await desk.patch(`/patients/${p.id}`, { email: 'samuel.adeyemi@example.net' }, current.version);
  const first = await desk.get(`/appointments/${seeded.running.appointment.id}`);
  const { date } = clinicNow(seeded.tz);
  const tomorrow = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
  await desk.post('/appointments', { patient_id: p.id, chair_id: seeded.chair1.id, course_id: first.course_id, start: `${tomorrow}T10:00` });
  // Wait (bounded) for the planner.
  for (let i = 0; i < 100; i++) {
    const out = await desk.get(`/outbox?patient_id=${p.id}`);
    if (out.messages.some((m) => m.kind === 'appointment_upcoming')) return { ...seeded, tomorrow, patient: p };
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('no reminder planned within 20 s');
}

const h = harness({ setup });
const settled = (page) => page.waitForFunction(() => !document.querySelector('.skeleton'));

test('the front desk reads the reminders outbox, filters it and opens a message', async () => {
  const s = await h.open();
  s.allow(SESSION_CHECK_401);
  const page = s.page;
  await new SignInPage(page).open();
  await new SignInPage(page).signIn('frontdesk', DEMO_PASSWORD);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.getByRole('link', { name: 'Reminders' }).click();
  await page.getByRole('heading', { level: 1, name: 'Reminders outbox' }).waitFor();
  await settled(page);
  const table = page.getByRole('table', { name: /Outbox messages/ });
  await table.waitFor();
  const row = table.getByRole('row').filter({ hasText: 'Appointment' }).filter({ hasText: 'samuel.adeyemi@example.net' });
  await row.waitFor();
  assert.match(await row.innerText(), /queued/);
  assert.match(await page.getByLabel('Messages by state').innerText(), /queued [1-9]/);
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'reminders-outbox');

  // A bad patient number is refused on the field, nothing is asked of the server.
  await page.getByLabel('Patient number').fill('abc');
  await page.getByRole('button', { name: 'Show messages' }).click();
  const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
  await summary.waitFor();
  assert.match(await summary.textContent(), /digits only/);
  assert.deepEqual(await axeViolations(page), []);

  // Only appointments of this patient; open the message.
  await page.getByLabel('Patient number').fill(String(h.data.patient.id));
  await page.getByLabel('Kind').selectOption('appointment_upcoming');
  await page.getByRole('button', { name: 'Show messages' }).click();
  await settled(page);
  await page.getByRole('table', { name: 'Outbox messages, 1 in all' }).waitFor();
  const id = (await page.getByRole('table', { name: /Outbox messages/ }).getByRole('row').nth(1).getByRole('cell').first().innerText()).trim();
  await page.getByRole('button', { name: `Show message ${id}` }).click();
  const body = page.locator('.outbox-body');
  await body.waitFor();
  const text = await body.innerText();
  assert.match(text, new RegExp(`appointment at Riverside Clinic on ${h.data.tomorrow} at 10:00`));
  assert.match(text, /\/portal\n/);
  for (const word of ['ketamine', 'depress', 'phq', 'dose', 'infusion']) assert.doesNotMatch(text.toLowerCase(), new RegExp(word));
  await page.getByText(/No delivery try yet/).waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'reminders-outbox-message');
  assert.deepEqual(s.problems(), []);
  await s.context.close();
});
