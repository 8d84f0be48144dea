// A session that ends under a screen: sign-in appears above it, and after signing in again the
// screen is still there with what was typed, and its request goes through.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, screenshots } from '../fixtures/browser.mjs';
import { SESSION_CHECK_401, harness } from '../fixtures/harness.mjs';
import { DEMO_PASSWORD, apiAs } from '../fixtures/server.mjs';
import { SignInPage } from '../pages/pages.mjs';

const h = harness();

test('an expired session returns to sign-in without losing what was typed', async () => {
  const desk = await apiAs(h.server.baseURL, 'frontdesk');
  await desk.post('/patients', { given_name: 'Lena', family_name: 'Brandt', date_of_birth: '1979-07-01', sex: 'female', indication: 'ptsd' });
  const s = await h.open();
  s.allow(SESSION_CHECK_401);
  s.allow(/status of 401.*\/api\/v1\/patients/);
  const signin = new SignInPage(s.page);
  await signin.open();
  await signin.signIn('frontdesk', DEMO_PASSWORD);
  await s.page.getByRole('heading', { level: 1, name: 'Front desk' }).waitFor();

  await s.context.clearCookies(); // the login ends (as after the idle timeout)
  await s.page.getByLabel('Name or MRN').fill('Brandt');
  await s.page.getByRole('button', { name: 'Search' }).click();
  const dialog = s.page.getByRole('dialog', { name: 'Your session has ended' });
  await dialog.waitFor();
  assert.deepEqual(await axeViolations(s.page), []);
  await screenshots(s.page, 'session-expired');
  await signin.signIn('frontdesk', DEMO_PASSWORD, dialog);
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await s.page.getByLabel('Name or MRN').inputValue(), 'Brandt');
  try {
    await s.page.getByRole('region', { name: 'Patients found' }).getByText('Brandt, Lena').waitFor({ timeout: 10_000 });
  } finally {
    await screenshots(s.page, 'session-restored');
  }
  assert.deepEqual(s.problems(), []);
  await s.context.close();
});
