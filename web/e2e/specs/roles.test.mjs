// Each role signs in and lands on its own screen, which shows real data from the API: the nurse
// the day's chairs, the physician the alert inbox, the admin the staff, the patient their record.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, screenshots } from '../fixtures/browser.mjs';
import { SESSION_CHECK_401, harness } from '../fixtures/harness.mjs';
import { DEMO_PASSWORD, seedClinic } from '../fixtures/server.mjs';
import { SignInPage, Shell } from '../pages/pages.mjs';

const h = harness({ setup: seedClinic });

async function signedIn(username) {
  const s = await h.open();
  s.allow(SESSION_CHECK_401);
  const signin = new SignInPage(s.page);
  await signin.open();
  await signin.signIn(username, DEMO_PASSWORD);
  return s;
}

test('sign-in page marks demo mode and passes axe', async () => {
  const s = await h.open();
  s.allow(SESSION_CHECK_401);
  const signin = new SignInPage(s.page);
  await signin.open();
  const demo = s.page.getByRole('note', { name: 'Demo mode' });
  assert.match(await demo.textContent(), /synthetic data only/);
  assert.match(await demo.textContent(), /frontdesk/);
  assert.deepEqual(await axeViolations(s.page), []);
  await screenshots(s.page, 'signin');
  await signin.signIn('nurse', 'wrong-password-123');
  await s.page.getByRole('alert').filter({ hasText: 'The username or password is not right.' }).waitFor();
  assert.equal(await s.page.getByLabel('Username').inputValue(), 'nurse');
  s.allow(/status of 401.*\/api\/v1\/auth\/login/);
  assert.deepEqual(s.problems(), []);
  await s.context.close();
});

const ROLES = [
  { user: 'frontdesk', path: '/desk', heading: 'Front desk', expect: /Okafor, Maria/, nav: ['Today', 'Inquiries', 'Patients', 'Chair board', 'Reminders'] },
  { user: 'nurse', path: '/chairs', heading: 'Chairs today', expect: /Chair 1[\s\S]*Okafor, Maria[\s\S]*1 open alert/, nav: ['Chairs today', 'Alerts', 'Infusions', 'Before treatment', 'ED sedation'] },
  { user: 'physician', path: '/alerts', heading: 'Alert inbox', expect: /Safety flag: Okafor, Maria[\s\S]*suicidal_ideation/, nav: ['Chairs today', 'Alerts', 'Intake', 'Patients', 'PK what-if', 'Infusions', 'Before treatment', 'Outcomes', 'ED sedation'] },
  { user: 'admin', path: '/admin/staff', heading: 'Staff accounts', expect: /physician[\s\S]*Riverside Clinic[\s\S]*Chair 1, Chair 2/, nav: ['Today', 'Staff', 'Accounts', 'Clinics', 'Availability', 'Reminders', 'Audit log', 'Outcomes'] },
  { user: 'director', path: '/outcomes', heading: 'Clinic outcomes', expect: /\d+ courses of \d+ patients started from/, nav: ['Outcomes'] },
  // The patient lands in the portal (docs/web-portal.md); /me stays in the navigation.
  { user: 'patient', path: '/portal', heading: /^Hello, /, expect: /My scores over time[\s\S]*PHQ-9[\s\S]*\t17[\s\S]*\t8/, nav: ['My portal', 'My treatment'],
    chart: /PHQ-9 scores over time, questionnaires: 2/ },
];

for (const r of ROLES) {
  test(`${r.user} lands on ${r.path} with real data`, async () => {
    const s = await signedIn(r.user);
    await s.page.waitForURL(new RegExp(r.path.replace(/\//g, '\\/') + '$'));
    await s.page.getByRole('heading', { level: 1, name: r.heading }).waitFor();
    await s.page.getByRole('main').getByText(r.expect instanceof RegExp ? /./ : r.expect).first().waitFor();
    await s.page.waitForFunction(() => !document.querySelector('.skeleton'));
    const shell = new Shell(s.page);
    assert.deepEqual(await shell.nav().getByRole('link').allTextContents(), r.nav);
    assert.match(await s.page.getByRole('main').innerText(), r.expect);
    if (r.chart) {
      const chart = s.page.getByRole('img', { name: r.chart });
      await chart.locator('canvas').waitFor();
    }
    assert.deepEqual(await axeViolations(s.page), []);
    await screenshots(s.page, `${r.user}-home`);
    await shell.signOut();
    assert.deepEqual(s.problems(), []);
    await s.context.close();
  });
}

test('a screen for another role says so instead of failing', async () => {
  const s = await signedIn('nurse');
  await s.page.waitForURL(/\/chairs$/);
  await s.page.goto('/admin/staff');
  await s.page.getByRole('heading', { level: 1, name: 'Not available to your role' }).waitFor();
  await s.page.getByRole('link', { name: 'Go to your start page' }).click();
  await s.page.waitForURL(/\/chairs$/);
  // Moving to another screen puts the keyboard focus on its content.
  assert.equal(await s.page.evaluate(() => document.activeElement?.id), 'main');
  assert.deepEqual(s.problems(), []);
  await s.context.close();
});
