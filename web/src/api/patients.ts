import { api } from './client';
import type { Patient, PatientPage } from './types';

export const searchPatients = (q: string, signal?: AbortSignal) =>
  api.get<PatientPage>('/patients', { q, limit: 20 }, signal);

export const getPatient = (id: number, signal?: AbortSignal) =>
  api.get<Patient>(`/patients/${id}`, {}, signal);

export const myPatientRecord = (signal?: AbortSignal) => api.get<Patient>('/me/patient', {}, signal);

/** Patients by id (for lists that carry only patient_id), fetched once each. */
export async function patientsById(ids: number[], signal?: AbortSignal): Promise<Map<number, Patient>> {
  const unique = [...new Set(ids)];
  const found = await Promise.all(unique.map((id) => getPatient(id, signal)));
  return new Map(found.map((p) => [p.id, p]));
}
