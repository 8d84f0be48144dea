// GET / : the clinic's public "contact us" page (no sign-in). The form is checked on submit only;
// problems are summarised at the top and linked to their fields; nothing typed is ever cleared.
import { useState } from 'preact/hooks';
import { ApiError, NetworkError } from '../../api/client';
import { submitInquiry } from '../../api/inquiries';
import type { InquiryReceipt } from '../../api/types';
import { ErrorSummary, type FieldError } from '../../components/ErrorSummary';
import { RadioGroup, TextArea, TextField } from '../../components/Fields';
import { formatQuantity } from '../../format/quantity';
import { Link } from '../../router';
import { MESSAGE_MAX, REASONS, checkInquiry, toRequest, type InquiryDraft } from './inquiryRules';

const EMPTY: InquiryDraft = { name: '', contact: '', reason: '', message: '' };

export default function InquiryPage() {
  const [draft, setDraft] = useState<InquiryDraft>(EMPTY);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [attempt, setAttempt] = useState(0);
  const [sending, setSending] = useState(false);
  const [receipt, setReceipt] = useState<InquiryReceipt | null>(null);

  const set = <K extends keyof InquiryDraft>(key: K) => (v: InquiryDraft[K]) => setDraft((d) => ({ ...d, [key]: v }));
  const errorOf = (field: string) => errors.find((e) => e.field === field)?.message;

  async function onSubmit(e: Event) {
    e.preventDefault();
    if (sending) return;
    const found = checkInquiry(draft);
    setAttempt((a) => a + 1);
    setErrors(found);
    if (found.length) return;
    setSending(true);
    try {
      setReceipt(await submitInquiry(toRequest(draft)));
      setErrors([]);
    } catch (err) {
      setErrors([serverError(err)]);
      setAttempt((a) => a + 1);
    } finally {
      setSending(false);
    }
  }

  return (
    <div class="public">
      <header class="public-header">
        <div class="public-header-inner">
          <span class="brand">
            <span class="brand-mark" aria-hidden="true">K</span> Ketamine Infusion Clinic
          </span>
          <Link href="/signin" class="public-signin">
            Staff and patient sign-in
          </Link>
        </div>
      </header>
      <main id="main" class="public-main">
        <div class="public-grid">
          <div class="public-intro">
            <h1>Ask us about ketamine treatment</h1>
            <p class="lead">
              Tell us a little about yourself and how to reach you. Our front desk will contact you to talk about
              whether ketamine treatment could be right for you.
            </p>
            <div class="notice notice-crisis">
              <h2 class="notice-title">If you need help now</h2>
              <p>
                This form is not watched around the clock. If you are thinking about harming yourself or are in
                danger, call your local emergency number now.
              </p>
            </div>
          </div>
          <section class="public-facts" aria-labelledby="about-title">
            <h2 id="about-title">What the treatment involves</h2>
            <ul class="facts">
              {/* §3.1: 0.5 mg/kg over 40 min is the dose of the trials (Zarate 2006, Murrough 2013). */}
              <li>
                Ketamine is given slowly into a vein (an infusion). In the studies clinics follow, the usual dose is{' '}
                {formatQuantity(0.5, 'mg/kg')} of body weight over 40 minutes.
              </li>
              {/* §3.2 Shiroma 2014 (Mon-Wed-Fri over 12 days), §3.3 Feder 2021 (six over two weeks). */}
              <li>A first course is often six infusions over about two weeks, three a week.</li>
              {/* §4.1 Riva-Posse 2018 (BP every 10 min), Szarmach 2020 (back to baseline within 1.5 h). */}
              <li>
                A nurse stays with you and checks your blood pressure regularly (every 10 minutes in the studies). It often rises a little
                during the infusion and returns to your usual level within about an hour and a half.
              </li>
              {/* §1.9 Krystal 1994: dissociation during 0.5 mg/kg over 40 min. */}
              <li>You may feel detached or dreamlike during the infusion. This is expected with this dose.</li>
              {/* §3.5 Cohen 2018 consensus: poorly controlled cardiovascular disease or psychosis. */}
              <li>
                Before any treatment a physician checks that it is safe for you: some conditions, such as poorly
                controlled heart disease or psychosis, rule it out.
              </li>
              {/* §5: validated questionnaires track the outcome. */}
              <li>Not everyone improves. We follow how you feel with short questionnaires at each step.</li>
            </ul>
          </section>

          <section class="card public-form" aria-labelledby="form-title">
            {receipt ? (
              <Confirmation
                receipt={receipt}
                contactKind={draft.contact.includes('@') ? 'email' : 'phone'}
                onAnother={() => {
                  setReceipt(null);
                  setDraft(EMPTY);
                  setErrors([]);
                }}
              />
            ) : (
              <form onSubmit={onSubmit} noValidate>
                <h2 id="form-title">Contact the clinic</h2>
                <ErrorSummary errors={errors} focusKey={attempt} />
                <TextField
                  name="name"
                  label="Your name"
                  autocomplete="name"
                  spellcheck={false}
                  value={draft.name}
                  onInput={set('name')}
                  error={errorOf('name')}
                />
                <TextField
                  name="contact"
                  label="Phone number or email address"
                  hint="We only use it to reply to you."
                  autocomplete="email"
                  spellcheck={false}
                  value={draft.contact}
                  onInput={set('contact')}
                  error={errorOf('contact')}
                />
                <RadioGroup
                  name="reason"
                  label="What would you like help with?"
                  options={REASONS}
                  value={draft.reason}
                  onChange={set('reason')}
                  error={errorOf('reason')}
                />
                <TextArea
                  name="message"
                  label="Message (optional)"
                  hint="Anything you would like us to know, for example the best time to call."
                  value={draft.message}
                  onInput={set('message')}
                  maxLength={MESSAGE_MAX}
                  error={errorOf('message')}
                />
                <button type="submit" class="button" disabled={sending} aria-disabled={sending}>
                  {sending ? 'Sending…' : 'Send inquiry'}
                </button>
              </form>
            )}
          </section>
        </div>
      </main>
      <footer class="public-footer">
        <p>KIT is research software, not a certified medical device.</p>
      </footer>
    </div>
  );
}

function Confirmation(props: { receipt: InquiryReceipt; contactKind: 'email' | 'phone'; onAnother: () => void }) {
  return (
    <div class="confirmation" role="status" aria-live="polite">
      <h2 id="form-title">Thank you: we have your inquiry</h2>
      <p class="confirmation-ref">
        Reference <strong>{props.receipt.id}</strong>
      </p>
      <p>
        Our front desk will contact you by {props.contactKind === 'email' ? 'email' : 'phone'} to talk about the next
        steps. You do not need to do anything else.
      </p>
      <button type="button" class="button button-secondary" onClick={props.onAnother}>
        Send another inquiry
      </button>
    </div>
  );
}

function serverError(err: unknown): FieldError {
  if (err instanceof ApiError) {
    if (err.status === 429)
      return { field: null, message: 'We have received several inquiries from your connection. Please try again in an hour, or call us.' };
    if (err.status === 400 && err.field && ['name', 'contact', 'reason', 'message'].includes(err.field))
      return { field: err.field, message: capitalise(err.field) + ' ' + err.message };
    return { field: null, message: 'Your inquiry could not be sent: ' + err.message };
  }
  if (err instanceof NetworkError) return { field: null, message: 'Your inquiry could not be sent: the clinic cannot be reached. Please try again.' };
  return { field: null, message: 'Your inquiry could not be sent. Please try again.' };
}

function capitalise(s: string) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
