// Today's work in the clinic's own time zone: the clinic, its chairs and today's appointments
// with their patients. Shared by the front desk's and the nurses' screens.
import { listAppointments, listChairs, listClinics } from '../../api/scheduling';
import { patientsById } from '../../api/patients';
import type { Appointment, Chair, Clinic, Patient } from '../../api/types';
import { dateIn } from '../../format/time';

export interface ClinicDay {
  clinic: Clinic | null;
  date: string;
  chairs: Chair[];
  appointments: Appointment[];
  patients: Map<number, Patient>;
}

export async function loadClinicDay(signal: AbortSignal): Promise<ClinicDay> {
  const clinics = await listClinics(signal);
  const clinic = clinics[0] ?? null;
  const timezone = clinic?.timezone ?? 'UTC';
  const date = dateIn(timezone);
  if (!clinic) return { clinic, date, chairs: [], appointments: [], patients: new Map() };
  const [chairs, appointments] = await Promise.all([
    listChairs(clinic.id, signal),
    listAppointments({ date }, signal),
  ]);
  const todays = appointments
    .filter((a) => chairs.some((c) => c.id === a.chair_id))
    .sort((a, b) => a.starts_at.localeCompare(b.starts_at));
  const patients = await patientsById(
    todays.map((a) => a.patient_id),
    signal,
  );
  return { clinic, date, chairs, appointments: todays, patients };
}

export function patientName(p: Patient | undefined, id: number): string {
  return p ? `${p.family_name}, ${p.given_name}` : `Patient ${id}`;
}
