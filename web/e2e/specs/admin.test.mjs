// The administrator through the screens: creates a nurse (a refused first try keeps what was
// typed), disables and re-enables the account, resets its password (a wrong own password is
// refused, the right one works and the nurse signs in with the new one), adds the nurse's working
// hours and a chair, finds these actions in the audit log by action and by user, and checks the
// hash chain. axe on each screen, screenshots at 375/768/1280 px.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, screenshots } from '../fixtures/browser.mjs';
import { SESSION_CHECK_401, harness } from '../fixtures/harness.mjs';
import { DEMO_PASSWORD } from '../fixtures/server.mjs';
import { apiAs, seedDesk } from '../fixtures/desk-clinic.mjs';
import { SignInPage } from '../pages/pages.mjs';

const h = harness({ setup: seedDesk });
const settled = (page) => page.waitForFunction(() => !document.querySelector('.skeleton'));

test('the admin creates a nurse, manages the account, and finds it all in a verified audit log', async () => {
  const s = await h.open();
  s.allow(SESSION_CHECK_401);
  const page = s.page;
  await new SignInPage(page).open();
  await new SignInPage(page).signIn('admin', DEMO_PASSWORD);
  const nav = page.getByRole('navigation', { name: 'Main' });
  await nav.waitFor();
  assert.deepEqual(await nav.getByRole('link').allTextContents(), ['Today', 'Staff', 'Accounts', 'Clinics', 'Availability', 'Reminders', 'Audit log', 'Outcomes']);

  // Accounts: a short password is refused at the top, linked, and nothing typed is cleared.
  await nav.getByRole('link', { name: 'Accounts' }).click();
  await page.getByRole('heading', { level: 1, name: 'Accounts' }).waitFor();
  await settled(page);
  await page.getByLabel('Username').fill('nurse.kim');
  await page.getByLabel('First password').fill('short');
  await page.getByLabel('Role').selectOption('nurse');
  await page.getByRole('button', { name: 'Create account' }).click();
  const summary = page.getByRole('alert').filter({ hasText: 'There is a problem' });
  await summary.waitFor();
  assert.match(await summary.textContent(), /at least 12 characters/);
  assert.equal(await page.getByLabel('Username').inputValue(), 'nurse.kim');
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'admin-accounts-errors');
  // The server's own rule (five distinct characters) comes back the same way, on the field.
  s.allow(/status of 400.*\/api\/v1\/users$/);
  await page.getByLabel('First password').fill('abababababab');
  await page.getByRole('button', { name: 'Create account' }).click();
  await summary.getByRole('link', { name: /password/i }).waitFor();
  await page.getByLabel('First password').fill('Kim-first-pass-2026');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.getByRole('status').filter({ hasText: 'Account nurse.kim (Nurse) created.' }).waitFor();
  const row = page.getByRole('row').filter({ hasText: 'nurse.kim' });
  await row.waitFor();

  // Disable, then enable again.
  await row.getByRole('button', { name: 'Disable nurse.kim' }).click();
  await row.getByText('disabled').waitFor();
  const admin = await apiAs(h.server.baseURL, 'admin');
  assert.equal((await admin.get('/users')).find((u) => u.username === 'nurse.kim').disabled, true);
  await page.getByRole('row').filter({ hasText: 'nurse.kim' }).getByRole('button', { name: 'Enable nurse.kim' }).click();
  await page.getByRole('row').filter({ hasText: 'nurse.kim' }).getByText('active').waitFor();

  // Reset the password: the admin's own password is asked; a wrong one is refused.
  await page.getByRole('row').filter({ hasText: 'nurse.kim' }).getByRole('button', { name: 'Reset password of nurse.kim' }).click();
  await page.getByLabel('New password for nurse.kim').fill('Kim-reset-pass-2026');
  await page.getByLabel('Your own password').fill('not-my-password-123');
  s.allow(/status of 403.*\/api\/v1\/users\/\d+\/password/);
  await page.getByRole('button', { name: 'Reset password', exact: true }).click();
  const resetSummary = page.getByRole('form', { name: 'Reset the password of nurse.kim' }).getByRole('alert').filter({ hasText: 'There is a problem' });
  await resetSummary.waitFor();
  assert.match(await resetSummary.textContent(), /own password/i);
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'admin-accounts-reset');
  await page.getByLabel('Your own password').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Reset password', exact: true }).click();
  await page.getByRole('status').filter({ hasText: 'Password of nurse.kim reset' }).waitFor();
  await apiAs(h.server.baseURL, 'nurse.kim', 'Kim-reset-pass-2026');

  // Working hours for the new nurse.
  await nav.getByRole('link', { name: 'Availability' }).click();
  await page.getByRole('heading', { level: 1, name: 'Staff availability' }).waitFor();
  await settled(page);
  await page.getByLabel('Physician or nurse').selectOption({ label: 'nurse.kim (nurse)' });
  await page.getByLabel('Weekday').selectOption({ label: 'Tuesday' });
  await page.getByRole('button', { name: 'Add', exact: true }).click();
  await page.getByRole('row').filter({ hasText: 'nurse.kim' }).filter({ hasText: 'Every Tuesday' }).waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'admin-availability');

  // A chair.
  await nav.getByRole('link', { name: 'Clinics' }).click();
  await page.getByRole('heading', { level: 1, name: 'Clinics and chairs' }).waitFor();
  await settled(page);
  await page.getByLabel('New chair').fill('Chair 3');
  await page.getByRole('button', { name: 'Add chair' }).click();
  await page.getByRole('row').filter({ hasText: 'Chair 3' }).waitFor();
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'admin-clinics');

  // The audit log: the account actions by action, then everything by the nurse's own sign-in.
  await nav.getByRole('link', { name: 'Audit log' }).click();
  await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
  await settled(page);
  await page.getByLabel('Action').fill('POST /api/v1/users');
  await page.getByRole('button', { name: 'Show entries' }).click();
  const entries = page.getByRole('table', { name: 'Audit entries' });
  await entries.getByRole('row').filter({ hasText: 'POST /api/v1/users' }).first().waitFor();
  await page.waitForFunction(() => [...document.querySelectorAll('table tbody tr')].every((tr) => tr.textContent.includes('POST /api/v1/users')));
  assert.equal(await entries.getByRole('row').filter({ hasText: 'allowed 201' }).count(), 1);
  assert.ok((await entries.getByRole('row').filter({ hasText: 'denied 400' }).count()) >= 1);
  await page.getByLabel('Action').fill('POST /api/v1/users/{id}/password');
  await page.getByRole('button', { name: 'Show entries' }).click();
  await entries.getByRole('row').filter({ hasText: 'denied 403' }).waitFor();
  await entries.getByRole('row').filter({ hasText: 'allowed 200' }).waitFor();
  await page.getByRole('button', { name: 'Check the chain' }).click();
  const verdict = page.getByRole('status').filter({ hasText: 'The chain of' });
  await verdict.waitFor();
  assert.match(await verdict.textContent(), /intact[\s\S]*The chain of [\d,]+ entries checks out\./);
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'admin-audit');
  assert.deepEqual(s.problems(), []);
  await s.context.close();
});
