// The public inquiry page: validation as the NHS pattern asks (summary at the top, linked to the
// fields, nothing typed cleared), the confirmation, accessibility, the page's security headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations, screenshots } from '../fixtures/browser.mjs';
import { harness } from '../fixtures/harness.mjs';
import { InquiryPage } from '../pages/pages.mjs';

const h = harness();
const APP_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

test('the page is served with the app policy and runs without inline code', async () => {
  const { page, context, problems } = await h.open();
  const res = await page.goto('/');
  assert.equal(res.status(), 200);
  assert.equal(res.headers()['content-security-policy'], APP_CSP);
  assert.equal(res.headers()['cache-control'], 'no-cache');
  const html = await res.text();
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'an inline <script> would be blocked by the CSP');
  assert.doesNotMatch(html, /<style|\sstyle=/, 'inline styles would be blocked by the CSP');
  await page.getByRole('heading', { level: 1, name: 'Ask us about ketamine treatment' }).waitFor();
  const asset = html.match(/src="(\/assets\/[^"]+\.js)"/)[1];
  const js = await page.request.get(asset);
  assert.equal(js.headers()['cache-control'], 'public, max-age=31536000, immutable');
  assert.match(js.headers()['content-type'], /^text\/javascript/);
  const api404 = await page.request.get('/api/v1/no-such-route');
  assert.equal(api404.status(), 404);
  assert.equal((await api404.json()).error.code, 'not_found');
  assert.deepEqual(problems(), []);
  await context.close();
});

test('empty and wrong answers are named at the top, linked to their fields, and nothing typed is lost', async () => {
  const { page, context, problems } = await h.open({ width: 375 });
  const form = new InquiryPage(page);
  await form.open();
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'public-inquiry');

  await form.send();
  const summary = form.errorSummary();
  await summary.waitFor();
  assert.ok(await summary.evaluate((el) => el === document.activeElement), 'the summary takes focus');
  const links = summary.getByRole('link');
  assert.deepEqual(await links.allTextContents(), [
    'Enter your name',
    'Enter a phone number or an email address',
    'Select what you would like help with',
  ]);
  await links.nth(1).click();
  assert.ok(await page.getByLabel('Phone number or email address').evaluate((el) => el === document.activeElement));
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'public-inquiry-errors');

  await form.fill({ name: 'Sam Rivera', contact: '12345', message: 'Evenings are best.' });
  await form.send();
  await summary.getByRole('link', { name: /phone number with 7 to 15 digits/ }).waitFor();
  assert.equal(await links.count(), 2); // contact and reason
  assert.equal(await page.getByLabel('Your name').inputValue(), 'Sam Rivera');
  assert.equal(await page.getByLabel('Phone number or email address').inputValue(), '12345');
  assert.equal(await page.getByLabel('Message (optional)').inputValue(), 'Evenings are best.');
  const field = page.getByLabel('Phone number or email address');
  assert.equal(await field.getAttribute('aria-invalid'), 'true');
  assert.deepEqual(problems(), []);
  await context.close();
});

test('a complete inquiry is confirmed with its reference', async () => {
  const { page, context, problems } = await h.open();
  const form = new InquiryPage(page);
  await form.open();
  await form.fill({ name: 'Sam Rivera', contact: 'sam.rivera@example.org', reason: 'PTSD (post-traumatic stress disorder)', message: 'Evenings are best.' });
  await form.send();
  const done = page.getByRole('heading', { name: 'Thank you: we have your inquiry' });
  await done.waitFor();
  assert.match(await page.getByText(/^Reference/).textContent(), /Reference \d+/);
  assert.deepEqual(await axeViolations(page), []);
  await screenshots(page, 'public-inquiry-sent');
  assert.deepEqual(problems(), []);
  await context.close();
});
