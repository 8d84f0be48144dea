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
