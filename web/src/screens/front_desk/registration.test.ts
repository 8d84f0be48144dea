import { describe, expect, it } from 'vitest';
import type { Inquiry } from '../../api/types';
import { checkForm, fromInquiry } from './registration';

const inquiry = (over: Partial<Inquiry>): Inquiry => ({
  id: 1, name: 'Ana Lucia Moreno', contact: 'ana@example.org', contact_kind: 'email', reason: 'ptsd', message: '',
  status: 'new', note: '', created_at: '', updated_at: '', version: 1, ...over,
});

describe('fromInquiry', () => {
  it('splits the name (last word is the family name) and takes reason and contact', () => {
    expect(fromInquiry(inquiry({}))).toMatchObject({ given_name: 'Ana Lucia', family_name: 'Moreno', indication: 'ptsd', email: 'ana@example.org', phone: '' });
  });
  it('a phone contact goes to the phone field; a one-word name stays the given name', () => {
    expect(fromInquiry(inquiry({ name: 'Cher', contact: '+1 555 010 4477', contact_kind: 'phone' }))).toMatchObject({
      given_name: 'Cher', family_name: '', email: '', phone: '+1 555 010 4477',
    });
  });
  it('no inquiry: an empty form', () => {
    expect(fromInquiry(null).given_name).toBe('');
  });
});

describe('checkForm', () => {
  it('names each missing field', () => {
    const errs = checkForm({ ...fromInquiry(null), given_name: 'A' });
    expect(errs.map((e) => e.field)).toEqual(['family_name', 'date_of_birth', 'sex', 'indication']);
  });
  it('a complete form passes', () => {
    expect(checkForm({ ...fromInquiry(inquiry({})), date_of_birth: '1990-07-21', sex: 'female' })).toEqual([]);
  });
});
