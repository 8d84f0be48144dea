import { describe, expect, it } from 'vitest';
import type { Availability } from '../../api/desk';
import type { Appointment } from '../../api/types';
import { isoWeekday, slotConflicts } from './conflicts';

const slot = {
  date: '2026-11-30',
  weekday: 1,
  start: '2026-11-30T09:00',
  end: '2026-11-30T10:45',
  starts_at: '2026-11-30T09:00:00-05:00',
  ends_at: '2026-11-30T10:45:00-05:00',
};
const names = { chair: (id: number) => `Chair ${id}`, staff: (id: number) => `nurse${id}` };
const appt = (over: Partial<Appointment>): Appointment =>
  ({
    id: 1, patient_id: 9, course_id: null, chair_id: 1, staff_user_id: null, kind: 'infusion', date: '2026-11-30',
    start: '2026-11-30T10:30', end: '2026-11-30T11:30', starts_at: '2026-11-30T10:30:00-05:00', ends_at: '2026-11-30T11:30:00-05:00',
    timezone: 'America/New_York', status: 'booked', status_reason: '', notes: '', version: 1, ...over,
  }) as Appointment;
const weekly: Availability = { id: 1, user_id: 5, clinic_id: null, weekday: 1, date: null, from: '08:00', to: '17:00', available: true };

describe('slotConflicts', () => {
  it('is free when nothing overlaps and the nurse works that weekday', () => {
    expect(slotConflicts(slot, 2, 5, [appt({})], [weekly], names)).toEqual([]);
  });
  it('names the chair booked over the slot, and only booked appointments count', () => {
    expect(slotConflicts(slot, 1, null, [appt({})], [], names)).toEqual(['Chair 1 is booked 10:30–11:30']);
    expect(slotConflicts(slot, 1, null, [appt({ status: 'cancelled' })], [], names)).toEqual([]);
  });
  it('an appointment ending when the slot starts is no conflict', () => {
    const before = appt({ start: '2026-11-30T08:00', end: '2026-11-30T09:00', starts_at: '2026-11-30T08:00:00-05:00', ends_at: '2026-11-30T09:00:00-05:00' });
    expect(slotConflicts(slot, 1, null, [before], [], names)).toEqual([]);
  });
  it('the nurse: busy elsewhere, outside their hours, or on time off', () => {
    expect(slotConflicts(slot, 2, 5, [appt({ staff_user_id: 5 })], [weekly], names)).toEqual(['nurse5 has another patient 10:30–11:30']);
    expect(slotConflicts(slot, 2, 5, [], [{ ...weekly, to: '10:00' }], names)).toEqual(['nurse5 is not available 09:00–10:45 that day']);
    const off: Availability = { ...weekly, id: 2, weekday: null, date: '2026-11-30', from: '10:00', to: '12:00', available: false };
    expect(slotConflicts(slot, 2, 5, [], [weekly, off], names)).toEqual(['nurse5 has time off 10:00–12:00']);
  });
  it('a dated window covers a day the weekly ones do not', () => {
    const dated: Availability = { ...weekly, weekday: null, date: '2026-11-30' };
    expect(slotConflicts({ ...slot, weekday: 3 }, 2, 5, [], [dated], names)).toEqual([]);
  });
});

describe('isoWeekday', () => {
  it('Monday is 1 and Sunday 7', () => {
    expect(isoWeekday('2026-11-30')).toBe(1);
    expect(isoWeekday('2026-11-29')).toBe(7);
  });
});
