// The clinic's day for the chair side: the clinic (its time zone), its chairs, today's infusion
// and booster appointments on the clinic's calendar date, their patients and their sessions.
import { getPatient } from '../../api/patients';
import { chairAppointments, chairChairs, chairClinics, listPatientSessions } from '../../api/sessions';
import type { SessionSummary } from '../../api/sessions';
import type { Appointment, Chair, Clinic, Patient } from '../../api/types';
import { dateIn } from '../../format/time';

export interface ChairDay {
  clinic: Clinic | null;
  date: string;
  chairs: Chair[];
  infusions: Appointment[];
  patients: Map<number, Patient>;
  sessions: Map<number, SessionSummary[]>;
}

export async function loadChairDay(signal: AbortSignal): Promise<ChairDay> {
  const clinics = await chairClinics(signal);
  const clinic = clinics[0] ?? null;
  const date = dateIn(clinic?.timezone ?? 'UTC');
  const empty = { clinic, date, chairs: [], infusions: [], patients: new Map(), sessions: new Map() };
  if (!clinic) return empty;
  const [allChairs, appointments] = await Promise.all([chairChairs(signal), chairAppointments(date, signal)]);
  const chairs = allChairs.filter((c) => c.clinic_id === clinic.id);
  const infusions = appointments
    .filter((a) => chairs.some((c) => c.id === a.chair_id) && (a.kind === 'infusion' || a.kind === 'booster') && a.status !== 'cancelled')
    .sort((a, b) => a.starts_at.localeCompare(b.starts_at));
  const ids = [...new Set(infusions.map((a) => a.patient_id))];
  const patients = new Map<number, Patient>();
  const sessions = new Map<number, SessionSummary[]>();
  await Promise.all(
    ids.map(async (id) => {
      const [p, s] = await Promise.all([getPatient(id, signal), listPatientSessions(id, signal)]);
      patients.set(id, p);
      sessions.set(id, s);
    }),
  );
  return { clinic, date, chairs, infusions, patients, sessions };
}

export function patientName(p: Patient | undefined, id: number): string {
  return p ? `${p.family_name}, ${p.given_name}` : `Patient ${id}`;
}
