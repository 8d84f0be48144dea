// Conflicts of a booking, worked out before it is saved (the server checks the same rules again
// when it books: docs/api-journey.md "Booking rules"). Pure functions, unit-tested.
import type { Availability } from '../../api/desk';
import type { Appointment } from '../../api/types';

export interface Slot {
  date: string; // clinic-local YYYY-MM-DD
  weekday: number; // ISO 1 = Monday
  start: string; // clinic-local YYYY-MM-DDTHH:MM
  end: string;
  starts_at: string; // instants with offset
  ends_at: string;
}

const hhmm = (local: string) => local.slice(11, 16);
const overlaps = (a0: number, a1: number, b0: number, b1: number) => a0 < b1 && b0 < a1;
const ms = (iso: string) => new Date(iso).getTime();

/** Each reason this slot cannot be booked on `chairId` with `staffId`; empty: free. */
export function slotConflicts(
  slot: Slot,
  chairId: number,
  staffId: number | null,
  appointments: Appointment[],
  availability: Availability[],
  names: { chair: (id: number) => string; staff: (id: number) => string },
  patientId?: number,
): string[] {
  const out: string[] = [];
  const s0 = ms(slot.starts_at);
  const s1 = ms(slot.ends_at);
  for (const a of appointments) {
    if (a.status !== 'booked') continue;
    if (!overlaps(s0, s1, ms(a.starts_at), ms(a.ends_at))) continue;
    if (a.chair_id === chairId) out.push(`${names.chair(chairId)} is booked ${hhmm(a.start)}–${hhmm(a.end)}`);
    if (staffId !== null && a.staff_user_id === staffId) out.push(`${names.staff(staffId)} has another patient ${hhmm(a.start)}–${hhmm(a.end)}`);
    if (patientId !== undefined && a.patient_id === patientId) out.push(`the patient already has an appointment ${hhmm(a.start)}–${hhmm(a.end)}`);
  }
  if (staffId !== null) {
    const mine = availability.filter((w) => w.user_id === staffId);
    const from = hhmm(slot.start);
    const to = hhmm(slot.end);
    const covers = mine.some(
      (w) => w.available && (w.weekday === slot.weekday || w.date === slot.date) && w.from <= from && w.to >= to,
    );
    if (!covers) out.push(`${names.staff(staffId)} is not available ${from}–${to} that day`);
    const off = mine.find((w) => !w.available && w.date === slot.date && w.from < to && from < w.to);
    if (off) out.push(`${names.staff(staffId)} has time off ${off.from}–${off.to}`);
  }
  return [...new Set(out)];
}

/** ISO weekday (1 = Monday) of a YYYY-MM-DD calendar date. */
export function isoWeekday(date: string): number {
  const [y = 0, m = 1, d = 1] = date.split('-').map(Number);
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return wd === 0 ? 7 : wd;
}
