// Through the screens only: someone sends an inquiry from the public page; the front desk signs
// in and finds it in the queue.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, screenshots } from '../fixtures/browser.mjs';
import { SESSION_CHECK_401, harness } from '../fixtures/harness.mjs';
import { DEMO_PASSWORD } from '../fixtures/server.mjs';
import { InquiryPage, SignInPage, Shell } from '../pages/pages.mjs';

const h = harness();

test('an inquiry from the public page appears in the front desk queue', async () => {
  const name = `Jordan Ellis ${Date.now() % 100000}`;
  const visitor = await h.open();
  const form = new InquiryPage(visitor.page);
  await form.open();
  await form.fill({ name, contact: '+1 (555) 010-4477', reason: 'Chronic pain', message: 'Back pain for six years. <b>not bold</b>' });
  await form.send();
  await visitor.page.getByRole('heading', { name: 'Thank you: we have your inquiry' }).waitFor();
  assert.deepEqual(visitor.problems(), []);
  await visitor.context.close();

  const desk = await h.open();
  desk.allow(SESSION_CHECK_401);
  await desk.page.goto('/desk');
  // Not signed in: sent to sign-in, then back to where they were going.
  await desk.page.waitForURL(/\/signin\?next=%2Fdesk/);
  const signin = new SignInPage(desk.page);
  await desk.page.getByRole('note', { name: 'Demo mode' }).waitFor();
  await signin.signIn('frontdesk', DEMO_PASSWORD);
  await desk.page.waitForURL(/\/desk$/);
  await desk.page.getByRole('heading', { level: 1, name: 'Front desk' }).waitFor();
  const queue = desk.page.getByRole('region', { name: 'Inquiries' });
  const row = queue.getByRole('row').filter({ hasText: name });
  await row.waitFor();
  assert.match(await row.textContent(), /Chronic pain/);
  assert.match(await row.textContent(), /\+1 \(555\) 010-4477/);
  // What the public typed is shown as text, never as markup.
  assert.match(await row.textContent(), /<b>not bold<\/b>/);
  assert.equal(await row.locator('b').count(), 0);
  assert.deepEqual(await axeViolations(desk.page), []);
  await screenshots(desk.page, 'desk-home');
  await new Shell(desk.page).signOut();
  assert.deepEqual(desk.problems(), []);
  await desk.context.close();
});
