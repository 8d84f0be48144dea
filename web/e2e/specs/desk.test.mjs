// The front desk through the screens: an inquiry from the public page becomes a patient (the form
// prefilled, the inquiry marked scheduled); after a physician approves and starts a course (API), the
// desk books the induction series on the proposed dates with a chair and a nurse, sees a conflict
// before saving, reschedules one appointment and marks one a no-show; the chair board shows the day
// and follows a change made elsewhere without a reload. axe on each screen, screenshots at
// 375/768/1280 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, screenshots } from '../fixtures/browser.mjs';
import { SESSION_CHECK_401, harness } from '../fixtures/harness.mjs';
import { DEMO_PASSWORD } from '../fixtures/server.mjs';
import { apiAs, clinicNow, readyForCourse, seedDesk } from '../fixtures/desk-clinic.mjs';
import { InquiryPage, SignInPage } from '../pages/pages.mjs';

const h = harness({ setup: seedDesk });

async function signedIn(username) {
  const s = await h.open();
  s.allow(SESSION_CHECK_401);
  const signin = new SignInPage(s.page);
  await signin.open();
  await signin.signIn(username, DEMO_PASSWORD);
  await s.page.getByRole('navigation', { name: 'Main' }).waitFor();
  return s;
}

const settled = (page) => page.waitForFunction(() => !document.querySelector('.skeleton'));

test('an inquiry becomes a patient whose induction series is booked, changed and shown on the board', async () => {
  const base = h.server.baseURL;
  const name = "Ana Lucia Moreno"; // a fresh database per spec file
  const visitor = await h.open();
  const form = new InquiryPage(visitor.page);
  await form.open();
  await form.fill({ name, contact: 'ana.moreno@example.org', reason: 'Depression', message: 'Two antidepressants did not help. <script>x</script>' });
  await form.send();
  await visitor.page.getByRole('heading', { name: 'Thank you: we have your inquiry' }).waitFor();
  await visitor.context.close();

  const s = await signedIn('frontdesk');
  const page = s.page;
  // The queue: the inquiry is new; what the public typed is text, never markup.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inquiries' }).click();
  await page.getByRole('heading', { level: 1, name: 'Inquiries' }).waitFor();
  const row = page.getByRole('row').filter({ hasText: name });
  await row.waitFor();
  assert.match(await row.textContent(), /<script>x<\/script>/);
  assert.equal(await page.locator('td script').count(), 0);
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'desk-inquiries');

  // Register from the inquiry: prefilled; an empty date of birth is refused at the top, linked.
  await row.getByRole('link', { name: /Register patient/ }).click();
  await page.getByRole('heading', { level: 1, name: 'Register a patient' }).waitFor();
  assert.equal(await page.getByLabel('Given name').inputValue(), 'Ana Lucia');
  assert.equal(await page.getByLabel('Family name').inputValue(), name.split(' ').pop());
  assert.equal(await page.getByLabel('Email address (optional)').inputValue(), 'ana.moreno@example.org');
  assert.equal(await page.getByLabel('Reason for treatment').inputValue(), 'depression');
  await page.getByRole('button', { name: 'Register patient' }).click();
  const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
  await summary.waitFor();
  assert.match(await summary.textContent(), /date of birth/);
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'desk-register-errors');
  await summary.getByRole('link', { name: /date of birth/ }).click();
  assert.equal(await page.evaluate(() => document.activeElement?.id), 'field-date_of_birth');
  await page.getByLabel('Date of birth').fill('1990-07-21');
  await page.getByRole('radio', { name: 'Female' }).check();
  // What was typed stays after the refusal.
  assert.equal(await page.getByLabel('Given name').inputValue(), 'Ana Lucia');
  await page.getByRole('button', { name: 'Register patient' }).click();
  await page.waitForURL(/\/desk\/patient\?id=\d+/);
  await page.getByRole('status').filter({ hasText: 'the inquiry is now marked scheduled' }).waitFor();
  const patientId = Number(new URL(page.url()).searchParams.get('id'));
  const desk = await apiAs(base, 'frontdesk');
  const inquiry = (await desk.get('/inquiries')).find((i) => i.name === name);
  assert.equal(inquiry.status, 'scheduled');

  // A physician approves and starts a course (their screens are another branch's): API.
  const course = await readyForCourse(base, patientId, '1990-07-21');
  await page.reload();
  await settled(page);
  await page.getByRole('button', { name: 'Propose dates' }).waitFor();

  // Propose dates, with the nurse. Then the nurse takes time off on the last proposed date: after
  // proposing again, that date shows the conflict before anything is saved.
  await page.getByLabel('Nurse').selectOption({ label: 'nurse (nurse)' });
  await page.getByRole('button', { name: 'Propose dates' }).click();
  const proposed = page.getByRole('table', { name: 'Proposed dates' });
  await proposed.waitFor();
  const proposal = await desk.get(`/courses/${course.id}/proposed-dates?start=${clinicNow(h.data.tz).date}`);
  assert.equal(proposal.dates.length, 6, JSON.stringify(proposal));
  const last = proposal.dates[5];
  const admin = await apiAs(base, 'admin');
  await admin.post('/staff-availability', { user_id: h.data.nurseId, date: last.date, from: '00:00', to: '23:45', available: false });
  await page.getByRole('button', { name: 'Propose dates' }).click();
  await proposed.getByText('has time off 00:00–23:45').waitFor();
  assert.equal(await proposed.locator('.tag-conflict').count(), 1);
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'desk-book-series');
  await page.getByRole('button', { name: 'Book 5 infusions without conflicts' }).click();
  await proposed.getByText('Booked').nth(4).waitFor();
  const booked = (await desk.get(`/appointments?patient_id=${patientId}`)).appointments;
  assert.equal(booked.length, 5);
  assert.ok(booked.every((a) => a.staff_user_id === h.data.nurseId && a.course_id === course.id && a.kind === 'infusion'));
  assert.deepEqual(booked.map((a) => a.date).sort(), proposal.dates.slice(0, 5).map((d) => d.date));

  // Reschedule the second to 10:00 on its day; mark the first a no-show.
  const appts = page.getByRole('table', { name: 'All appointments' });
  await appts.getByRole('row').nth(5).waitFor();
  const second = [...booked].sort((a, b) => a.starts_at.localeCompare(b.starts_at))[1];
  const newTime = second.start.slice(11, 16) === '10:00' ? '12:00' : '10:00';
  await appts.getByRole('button', { name: /^Reschedule/ }).nth(1).click();
  await page.getByLabel('New start time').fill(newTime);
  await page.getByRole('button', { name: 'Save new time' }).click();
  await page.getByRole('button', { name: 'Save new time' }).waitFor({ state: 'detached' });
  await settled(page);
  const moved = await desk.get(`/appointments/${second.id}`);
  assert.equal(moved.start, `${second.date}T${newTime}`);
  await appts.getByRole('button', { name: /^No-show/ }).first().click();
  await page.getByLabel('Note on the no-show (optional)').fill('Did not come, phone off');
  await page.getByRole('button', { name: 'Mark no-show' }).click();
  await appts.getByText('no show').waitFor();
  assert.equal((await desk.get(`/appointments?patient_id=${patientId}&status=no_show`)).appointments.length, 1);
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'desk-patient');

  // The board: the running infusion on Chair 2 with its clock; then the nurse pauses it elsewhere
  // and the board follows without a reload.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Chair board' }).click();
  await page.getByRole('heading', { level: 1, name: 'Chair board' }).waitFor();
  await settled(page);
  const chair2 = page.getByRole('listitem').filter({ has: page.getByRole('heading', { name: 'Chair 2' }) });
  await chair2.getByText('Adeyemi, Samuel').waitFor();
  await chair2.getByText('Running').waitFor();
  assert.match(await chair2.innerText(), /elapsed[\s\S]*remaining/);
  assert.match(await page.getByRole('heading', { name: 'Unassigned' }).textContent(), /Unassigned/);
  const nurse = await apiAs(base, 'nurse');
  const sid = h.data.running.session.id;
  const cur = await nurse.get(`/sessions/${sid}`);
  await nurse.post(`/sessions/${sid}/events`, { kind: 'pause' }, cur.version);
  await chair2.getByText('Paused').waitFor({ timeout: 20_000 });
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'desk-board');

  // Patient search.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Patients' }).click();
  await page.getByLabel('Name or MRN').fill('Moreno');
  await page.getByRole('button', { name: 'Search' }).click();
  await page.getByRole('link', { name: 'Moreno, Ana Lucia' }).waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'desk-patients');
  assert.deepEqual(s.problems(), []);
  await s.context.close();
});

