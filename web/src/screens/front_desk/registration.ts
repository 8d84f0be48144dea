// The registration form's pure parts: the fields prefilled from an inquiry, and what the form can
// check before asking the server (which checks everything again).
import type { FieldError } from '../../components/ErrorSummary';
import type { Inquiry } from '../../api/types';

export type Form = { given_name: string; family_name: string; date_of_birth: string; sex: string; indication: string; email: string; phone: string };
export const FIELDS = ['given_name', 'family_name', 'date_of_birth', 'sex', 'indication', 'email', 'phone'];
export const LABEL: Record<string, string> = {
  given_name: 'Given name',
  family_name: 'Family name',
  date_of_birth: 'Date of birth',
  sex: 'Sex',
  indication: 'Reason for treatment',
  email: 'Email address',
  phone: 'Phone number',
};

export function fromInquiry(i: Inquiry | null): Form {
  const empty: Form = { given_name: '', family_name: '', date_of_birth: '', sex: '', indication: '', email: '', phone: '' };
  if (!i) return empty;
  const parts = i.name.trim().split(/\s+/);
  const family = parts.length > 1 ? parts.pop()! : '';
  return {
    ...empty,
    given_name: parts.join(' '),
    family_name: family,
    indication: i.reason,
    email: i.contact_kind === 'email' ? i.contact : '',
    phone: i.contact_kind === 'phone' ? i.contact : '',
  };
}

/** What the form itself can tell before asking the server. */
export function checkForm(f: Form): FieldError[] {
  const out: FieldError[] = [];
  if (!f.given_name.trim()) out.push({ field: 'given_name', message: 'Enter the given name' });
  if (!f.family_name.trim()) out.push({ field: 'family_name', message: 'Enter the family name' });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(f.date_of_birth)) out.push({ field: 'date_of_birth', message: 'Enter the date of birth as YYYY-MM-DD' });
  if (!f.sex) out.push({ field: 'sex', message: 'Choose the sex (used for dosing)' });
  if (!f.indication) out.push({ field: 'indication', message: 'Choose the reason for treatment' });
  return out;
}

