import { api } from './client';
import type { Appointment, Chair, Clinic } from './types';

export const listClinics = async (signal?: AbortSignal) =>
  (await api.get<{ clinics: Clinic[] }>('/clinics', {}, signal)).clinics;

export const listChairs = async (clinicId?: number, signal?: AbortSignal) =>
  (await api.get<{ chairs: Chair[] }>('/chairs', { clinic_id: clinicId }, signal)).chairs;

export const listAppointments = async (
  query: { date?: string; chair_id?: number; patient_id?: number; status?: string },
  signal?: AbortSignal,
) => (await api.get<{ appointments: Appointment[] }>('/appointments', query, signal)).appointments;
