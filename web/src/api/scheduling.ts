import { api } from './client';
import type { Appointment, Chair, Clinic } from './types';

export const listClinics = (signal?: AbortSignal) => api.get<Clinic[]>('/clinics', {}, signal);

export const listChairs = (clinicId?: number, signal?: AbortSignal) =>
  api.get<Chair[]>('/chairs', { clinic_id: clinicId }, signal);

export const listAppointments = (
  query: { date?: string; chair_id?: number; patient_id?: number; status?: string },
  signal?: AbortSignal,
) => api.get<Appointment[]>('/appointments', query, signal);
