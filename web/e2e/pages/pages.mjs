// Page objects: what a person does on each screen, by role-based locators (labels, roles, names).
export class InquiryPage {
  constructor(page) {
    this.page = page;
  }
  async open() {
    await this.page.goto('/');
    await this.page.getByRole('heading', { level: 1, name: 'Ask us about ketamine treatment' }).waitFor();
  }
  async fill({ name, contact, reason, message }) {
    if (name !== undefined) await this.page.getByLabel('Your name').fill(name);
    if (contact !== undefined) await this.page.getByLabel('Phone number or email address').fill(contact);
    if (reason !== undefined) await this.page.getByRole('radio', { name: reason }).check();
    if (message !== undefined) await this.page.getByLabel('Message (optional)').fill(message);
  }
  async send() {
    await this.page.getByRole('button', { name: 'Send inquiry' }).click();
  }
  errorSummary() {
    return this.page.getByRole('alert').filter({ hasText: 'There is a problem' });
  }
}

export class SignInPage {
  constructor(page) {
    this.page = page;
  }
  async open(next) {
    await this.page.goto(next ? `/signin?next=${encodeURIComponent(next)}` : '/signin');
    await this.page.getByRole('heading', { name: 'Sign in' }).waitFor();
  }
  async signIn(username, password, scope = this.page) {
    await scope.getByLabel('Username').fill(username);
    await scope.getByLabel('Password').fill(password);
    await scope.getByRole('button', { name: 'Sign in' }).click();
  }
}

export class Shell {
  constructor(page) {
    this.page = page;
  }
  nav() {
    return this.page.getByRole('navigation', { name: 'Main' });
  }
  async signOut() {
    await this.page.getByRole('button', { name: 'Sign out' }).click();
    await this.page.getByRole('heading', { name: 'Sign in' }).waitFor();
  }
}

/** Before treatment (/prepare): weight and height, screening, consent, course, day-of check. */
export class BeforeTreatmentPage {
  constructor(page) {
    this.page = page;
  }
  async open(patientName) {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Before treatment' }).click();
    await this.page.getByRole('heading', { level: 1, name: 'Before treatment' }).waitFor();
    await this.page.getByLabel('Find a patient (name or MRN)').fill(patientName);
    await this.page.getByRole('button', { name: 'Search' }).click();
    await this.page.getByRole('link', { name: new RegExp(patientName) }).click();
    await this.page.waitForURL(/\/prepare\?patient=\d+/);
  }
  async measurements(weight, height) {
    const s = this.page.getByRole('region', { name: 'Weight and height' });
    await s.getByLabel('Weight (kg)').fill(weight);
    await s.getByLabel('Height (cm)').fill(height);
    await s.getByRole('button', { name: 'Save weight and height' }).click();
    await s.getByText(`On record: ${weight} kg, ${height} cm.`.replace(/ kg/, '\u00a0kg').replace(/ cm\./, '\u00a0cm.')).waitFor();
  }
  /** The screening with nothing present; `dayOf` {sbp, dbp} adds the day-of check. */
  async screening({ dayOf } = {}) {
    const s = this.page.getByRole('region', { name: 'Screening' });
    await s.getByLabel('I asked about every condition above').check();
    await s.getByRole('radio', { name: 'None' }).check();
    await s.getByLabel('Benzodiazepines per day, as lorazepam (mg)').fill('0');
    if (dayOf) {
      await s.getByLabel('This is the day-of check before today’s infusion').check();
      await s.getByLabel('Systolic BP at rest (mmHg)').fill(String(dayOf.sbp));
      await s.getByLabel('Diastolic BP at rest (mmHg)').fill(String(dayOf.dbp));
      await s.getByRole('group', { name: 'Fasted as the clinic instructed' }).getByRole('radio', { name: 'Yes' }).check();
      await s.getByRole('group', { name: 'An escort home is confirmed' }).getByRole('radio', { name: 'Yes' }).check();
    }
    await s.getByRole('button', { name: 'Record screening' }).click();
    const answer = s.getByRole('status').filter({ hasText: 'Screening recorded' });
    await answer.waitFor();
    return (await answer.textContent()) ?? '';
  }
  async consent(version) {
    const s = this.page.getByRole('region', { name: 'Treatment consent' });
    await s.getByLabel('Consent form version').fill(version);
    await s.getByLabel('The patient signed the treatment consent form').check();
    await s.getByRole('button', { name: 'Record consent' }).click();
    await s.getByText(`form ${version}`).waitFor();
  }
}

/** A PHQ-9 completed on paper, entered on the Before treatment screen; the server's answer. */
export async function enterPhq9(page, answers, takenOn) {
  const s = page.getByRole('region', { name: 'PHQ-9 from the paper form' });
  const labels = ['Not at all', 'Several days', 'More than half the days', 'Nearly every day'];
  for (let i = 0; i < answers.length; i++) {
    await s.getByRole('group', { name: new RegExp(`^${i + 1}\\. `) }).getByRole('radio', { name: labels[answers[i]] }).check();
  }
  if (takenOn) await s.getByLabel('Date the form was filled in (optional)').fill(takenOn);
  await s.getByRole('button', { name: 'Record PHQ-9' }).click();
  const answer = s.getByRole('status').filter({ hasText: 'PHQ-9 recorded' });
  await answer.waitFor();
  return (await answer.textContent()) ?? '';
}

/** The infusion at the chair (/chair/session): vitals with the server's answer. */
export class ChairSessionPage {
  constructor(page) {
    this.page = page;
  }
  async recordVitals(point, v) {
    const page = this.page;
    await page.getByLabel('Reading taken at').selectOption(point);
    for (const [label, value] of Object.entries(v)) await page.getByRole('textbox', { name: new RegExp('^' + label + ' \\(') }).fill(String(value));
    const before = await page.getByRole('region', { name: 'Vitals recorded' }).locator('tbody tr').count();
    await page.getByRole('button', { name: 'Record vitals' }).click();
    await page.waitForFunction((n) => document.querySelectorAll('[aria-label="Vitals recorded"] tbody tr').length === n + 1, before);
    const answer = page.locator('.vital-answer');
    await answer.waitFor();
    return (await answer.textContent()) ?? '';
  }
  async pump(action, fill) {
    const page = this.page;
    await page.getByRole('button', { name: `${action}…` }).click();
    const kind = action.replace(/ infusion$/, '').replace(/^Change rate$/, 'Rate change');
    const dialog = page.getByRole('dialog', { name: `${kind}: confirm` });
    if (fill) await fill(dialog);
    await dialog.getByRole('button', { name: `Confirm ${kind.toLowerCase()}` }).click();
    await dialog.waitFor({ state: 'detached' });
  }
}

/** Another questionnaire from a paper form (GAD-7, pain NRS, ...): the answers item by item
 * (null: left blank), on the Before treatment screen or the chart; the server's answer. */
export async function enterPaperSheet(page, name, answers) {
  const s = page.getByRole('region', { name: 'Another questionnaire from a paper form' });
  await s.getByLabel('Questionnaire').selectOption({ label: name });
  for (let i = 0; i < answers.length; i++) {
    if (answers[i] !== null) await s.getByLabel(`Item ${i + 1}`, { exact: true }).fill(String(answers[i]));
  }
  await s.getByRole('button', { name: 'Record questionnaire' }).click();
  const answer = s.getByRole('status').filter({ hasText: 'recorded' });
  await answer.waitFor();
  return (await answer.textContent()) ?? '';
}

/** "Infusions today" (/chair): plans the infusion of `who` from a 1 mg/mL bag; the session's id. */
export async function planInfusion(page, who) {
  const item = page.locator('.today-item', { hasText: who });
  await item.getByRole('button', { name: /Plan infusion/ }).click();
  const plan = page.getByRole('dialog', { name: /Plan the infusion/ });
  await plan.getByLabel('Concentration of the prepared bag (mg/mL)').fill('1');
  await plan.getByRole('button', { name: 'Plan infusion' }).click();
  await page.waitForURL(/\/chair\/session\?id=\d+/);
  return Number(new URL(page.url()).searchParams.get('id'));
}
