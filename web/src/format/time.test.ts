import { describe, expect, it } from 'vitest';
import { dateIn, dateTimeIn, longDate, timeIn } from './time';

describe('clinic wall-clock formatting', () => {
  // 2026-11-26T03:30Z is still the 25th in New York and already the 26th in Berlin.
  const instant = new Date('2026-11-26T03:30:00Z');
  it.each([
    ['America/New_York', '2026-11-25'],
    ['Europe/Berlin', '2026-11-26'],
    ['UTC', '2026-11-26'],
  ])('dateIn %s', (tz, expected) => {
    expect(dateIn(tz, instant)).toBe(expected);
  });

  it.each([
    ['America/New_York', '2026-11-26T14:00:00Z', '09:00'],
    ['Europe/Berlin', '2026-11-26T14:00:00Z', '15:00'],
    // after the spring change, 09:00 local is 13:00Z
    ['America/New_York', '2026-03-09T13:00:00Z', '09:00'],
    ['UTC', 'not a date', '—'],
  ])('timeIn %s %s', (tz, iso, expected) => {
    expect(timeIn(tz, iso)).toBe(expected);
  });

  it('dateTimeIn and longDate', () => {
    expect(dateTimeIn('Europe/Berlin', '2026-11-26T14:05:00Z')).toBe('Thu, 26 Nov 2026, 15:05');
    expect(longDate('2026-11-26')).toBe('Thursday, 26 November 2026');
  });
});
