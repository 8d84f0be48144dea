// The inquiry form's checks, the same as the server's (server/resources/inquiry_routes.cpp,
// docs/security.md "Public inquiry form"), so people see every problem at once before sending.
// The server stays the authority: its answer (400 naming the field) is shown the same way.
import type { FieldError } from '../../components/ErrorSummary';
import type { InquiryReason, InquiryRequest } from '../../api/types';

export interface InquiryDraft {
  name: string;
  contact: string;
  reason: InquiryReason | '';
  message: string;
}

export const MESSAGE_MAX = 5000;
export const NAME_MAX = 200;

export const REASONS: Array<{ value: InquiryReason; label: string }> = [
  { value: 'depression', label: 'Depression' },
  { value: 'ptsd', label: 'PTSD (post-traumatic stress disorder)' },
  { value: 'ocd', label: 'OCD (obsessive-compulsive disorder)' },
  { value: 'chronic_pain', label: 'Chronic pain' },
  { value: 'other', label: 'Something else' },
];

export function isEmail(s: string): boolean {
  if (s.length > 254) return false;
  const at = s.indexOf('@');
  if (at <= 0 || s.indexOf('@', at + 1) !== -1) return false;
  const domain = s.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  if (dot <= 0 || dot + 2 > domain.length) return false;
  if (/[\u0000-\u0020\u007f<>,;"]/.test(s)) return false;
  return !domain.includes('..');
}

export function isPhone(s: string): boolean {
  if (s.length > 32) return false;
  if (!/^\+?[0-9 \-().]*$/.test(s)) return false;
  const digits = s.replace(/[^0-9]/g, '').length;
  return digits >= 7 && digits <= 15;
}

export function checkInquiry(d: InquiryDraft): FieldError[] {
  const errors: FieldError[] = [];
  const name = d.name.trim();
  if (!name) errors.push({ field: 'name', message: 'Enter your name' });
  else if ([...name].length > NAME_MAX) errors.push({ field: 'name', message: `Your name must be ${NAME_MAX} characters or fewer` });
  else if (/[\r\n]/.test(name)) errors.push({ field: 'name', message: 'Your name must be on one line' });
  const contact = d.contact.trim();
  if (!contact) errors.push({ field: 'contact', message: 'Enter a phone number or an email address' });
  else if (contact.includes('@') ? !isEmail(contact) : !isPhone(contact))
    errors.push({
      field: 'contact',
      message: contact.includes('@')
        ? 'Enter an email address in the right format, like name@example.com'
        : 'Enter a phone number with 7 to 15 digits, like 555 123 4567, or an email address',
    });
  if (!d.reason) errors.push({ field: 'reason', message: 'Select what you would like help with' });
  if ([...d.message].length > MESSAGE_MAX)
    errors.push({ field: 'message', message: `Your message must be ${MESSAGE_MAX.toLocaleString('en-US')} characters or fewer` });
  return errors;
}

export function toRequest(d: InquiryDraft): InquiryRequest {
  const body: InquiryRequest = { name: d.name.trim(), contact: d.contact.trim(), reason: d.reason as InquiryReason };
  if (d.message.trim()) body.message = d.message;
  return body;
}
