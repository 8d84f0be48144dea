import { describe, expect, it } from 'vitest';
import { checkInquiry, isEmail, isPhone, type InquiryDraft } from './inquiryRules';

const ok: InquiryDraft = { name: 'Ada Lovelace', contact: 'ada@example.com', reason: 'depression', message: '' };

describe('inquiry checks (same rules as the server)', () => {
  it.each([
    ['ada@example.com', true],
    ['a@b.co', true],
    ['@example.com', false],
    ['ada@example', false],
    ['ada@@example.com', false],
    ['ada @example.com', false],
    ['ada@example..com', false],
  ])('isEmail(%s) = %s', (s, want) => expect(isEmail(s)).toBe(want));

  it.each([
    ['555 123 4567', true],
    ['+49 (30) 123-4567', true],
    ['123456', false],
    ['1234567890123456', false],
    ['555-CALL-NOW', false],
    ['12+3456789', false],
  ])('isPhone(%s) = %s', (s, want) => expect(isPhone(s)).toBe(want));

  it('names every missing field at once', () => {
    const errors = checkInquiry({ name: ' ', contact: '', reason: '', message: '' });
    expect(errors.map((e) => e.field)).toEqual(['name', 'contact', 'reason']);
  });

  it('accepts a complete inquiry and refuses a long message', () => {
    expect(checkInquiry(ok)).toEqual([]);
    expect(checkInquiry({ ...ok, message: 'x'.repeat(5001) }).map((e) => e.field)).toEqual(['message']);
    expect(checkInquiry({ ...ok, contact: '12345' }).map((e) => e.field)).toEqual(['contact']);
  });
});
