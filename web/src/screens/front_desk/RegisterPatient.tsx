// Front desk: register a patient, prefilled from an inquiry (?inquiry=ID). Saving links the inquiry
// and the server marks it scheduled. Errors are summarised at the top and linked to their fields;
// nothing typed is cleared. The key of this registration stays the same across retries, so a
// double click or a lost answer never creates two patients.
import { useEffect, useState } from 'preact/hooks';
import { getInquiry, idempotencyKey, registerPatient } from '../../api/desk';
import type { NewPatient } from '../../api/desk';
import { ErrorSummary } from '../../components/ErrorSummary';
import type { FieldError } from '../../components/ErrorSummary';
import { RadioGroup, TextField } from '../../components/Fields';
import { LoadError, Skeleton } from '../../components/Status';
import { useResource } from '../../components/useResource';
import { Link, navigate, useLocation } from '../../router';
import { INDICATIONS, SelectField, errorsFrom } from './common';
import { FIELDS, LABEL, checkForm, fromInquiry } from './registration';
import type { Form } from './registration';
import './desk.css';

export default function RegisterPatient() {
  const { search } = useLocation();
  const inquiryId = Number(search.get('inquiry')) || 0;
  const inquiry = useResource((signal) => (inquiryId ? getInquiry(inquiryId, signal) : Promise.resolve(null)), [inquiryId]);
  const [form, setForm] = useState<Form | null>(null);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [focusKey, setFocusKey] = useState(0);
  const [saving, setSaving] = useState(false);
  const [key] = useState(() => idempotencyKey('register'));

  useEffect(() => {
    if (inquiry.status === 'ready' && form === null) setForm(fromInquiry(inquiry.data));
  }, [inquiry.status]);

  if (inquiry.status === 'error') return <LoadError error={inquiry.error} retry={inquiry.reload} />;
  if (!form) return <Skeleton label="the registration form" />;

  const set = (k: keyof Form) => (v: string) => setForm({ ...form, [k]: v });
  const err = (k: string) => errors.find((e) => e.field === k)?.message;

  async function submit(e: Event) {
    e.preventDefault();
    const local = checkForm(form!);
    if (local.length) {
      setErrors(local);
      setFocusKey((n) => n + 1);
      return;
    }
    setSaving(true);
    try {
      const body: NewPatient = {
        given_name: form!.given_name.trim(),
        family_name: form!.family_name.trim(),
        date_of_birth: form!.date_of_birth,
        sex: form!.sex,
        indication: form!.indication,
        ...(form!.email.trim() ? { email: form!.email.trim() } : {}),
        ...(form!.phone.trim() ? { phone: form!.phone.trim() } : {}),
        ...(inquiryId ? { inquiry_id: inquiryId } : {}),
      };
      const p = await registerPatient(body, key);
      navigate(`/desk/patient?id=${p.id}&registered=1`);
    } catch (ex) {
      setErrors(errorsFrom(ex, FIELDS, (f) => LABEL[f] ?? f));
      setFocusKey((n) => n + 1);
    } finally {
      setSaving(false);
    }
  }

  return (
    <>
      <div class="page-head">
        <h1>Register a patient</h1>
        {inquiry.data ? (
          <p class="subtitle">
            From the inquiry of {inquiry.data.name} ({inquiry.data.contact}). Saving marks the inquiry scheduled.
          </p>
        ) : (
          <p class="subtitle">A new patient record.</p>
        )}
      </div>
      <form class="desk-form" noValidate onSubmit={submit}>
        <ErrorSummary errors={errors} focusKey={focusKey} />
        <div class="desk-grid">
          <TextField name="given_name" label="Given name" value={form.given_name} onInput={set('given_name')} error={err('given_name')} autocomplete="off" />
          <TextField name="family_name" label="Family name" value={form.family_name} onInput={set('family_name')} error={err('family_name')} autocomplete="off" />
        </div>
        <TextField
          name="date_of_birth"
          label="Date of birth"
          hint="For example 1984-03-12"
          value={form.date_of_birth}
          onInput={set('date_of_birth')}
          error={err('date_of_birth')}
          width="medium"
          inputMode="numeric"
          autocomplete="off"
        />
        <RadioGroup
          name="sex"
          label="Sex"
          hint="Used by the dose calculator."
          value={form.sex}
          options={[
            { value: 'female', label: 'Female' },
            { value: 'male', label: 'Male' },
          ]}
          onChange={set('sex')}
          error={err('sex')}
        />
        <SelectField
          name="indication"
          label="Reason for treatment"
          value={form.indication}
          options={INDICATIONS.map((i) => ({ value: i.value, label: i.label }))}
          onChange={set('indication')}
          error={err('indication')}
          placeholder="Choose…"
        />
        <div class="desk-grid">
          <TextField name="email" label="Email address (optional)" type="email" value={form.email} onInput={set('email')} error={err('email')} autocomplete="off" />
          <TextField name="phone" label="Phone number (optional)" type="tel" value={form.phone} onInput={set('phone')} error={err('phone')} autocomplete="off" />
        </div>
        <div class="desk-actions">
          <button type="submit" class="button" disabled={saving}>
            {saving ? 'Saving…' : 'Register patient'}
          </button>
          <Link href="/desk/inquiries" class="button button-secondary">
            Back to inquiries
          </Link>
        </div>
      </form>
    </>
  );
}
