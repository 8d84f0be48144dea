// The front desk's API calls: the inquiry queue, registering a patient, courses and their
// proposed induction dates, appointments (book, reschedule, cancel, no-show), staff availability
// and the day's chair board. Every confirmed POST/PATCH carries a fresh Idempotency-Key, so a
// retried click never books twice (docs/api-chair.md "Retries").
import { api } from './client';
import type { Account, Appointment, Chair, Clinic, Inquiry, InquiryStatus, Patient, PatientPage } from './types';

/** 128 random bits as hex (works outside secure contexts, unlike crypto.randomUUID). */
export function idempotencyKey(prefix = 'desk'): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return prefix + '-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

const keyed = (key?: string) => ({ 'Idempotency-Key': key ?? idempotencyKey() });

// --- inquiries ---
export const inquiries = (status?: InquiryStatus, signal?: AbortSignal) =>
  api.get<Inquiry[]>('/inquiries', { status }, signal);

export const getInquiry = (id: number, signal?: AbortSignal) => api.get<Inquiry>(`/inquiries/${id}`, {}, signal);

export async function updateInquiry(i: Inquiry, change: { status?: InquiryStatus; note?: string }): Promise<Inquiry> {
  return (await api.request<Inquiry>('PATCH', `/inquiries/${i.id}`, { body: change, ifMatch: i.version, headers: keyed() }))
    .data;
}

// --- patients ---
export interface NewPatient {
  given_name: string;
  family_name: string;
  date_of_birth: string;
  sex: string;
  indication: string;
  email?: string;
  phone?: string;
  inquiry_id?: number;
}

export async function registerPatient(body: NewPatient, key: string): Promise<Patient> {
  return (await api.request<Patient>('POST', '/patients', { body, headers: keyed(key) })).data;
}

export const findPatients = (q: string, signal?: AbortSignal) =>
  api.get<PatientPage>('/patients', { q, limit: 50 }, signal);

export const patient = (id: number, signal?: AbortSignal) => api.get<Patient>(`/patients/${id}`, {}, signal);

// --- courses ---
export interface Course {
  id: number;
  patient_id: number;
  protocol_id: string;
  protocol_name: string;
  schedule: string;
  state: string;
  planned_infusions: number;
  extension_infusions: number;
  total_infusions: number;
  infusion_appointments: { booked: number; completed: number; cancelled: number; no_show: number };
  version: number;
}

export const courses = async (patientId: number, signal?: AbortSignal) =>
  (await api.get<{ courses: Course[] }>(`/patients/${patientId}/courses`, {}, signal)).courses;

export interface ProposedDate {
  date: string;
  weekday: number;
  start: string;
  end: string;
  starts_at: string;
  ends_at: string;
  timezone: string;
  chair_id: number;
  clinic_id: number;
}

export interface Proposal {
  course_id: number;
  start: string;
  requested: number;
  already_held: number;
  dates: ProposedDate[];
  unscheduled: number;
  span_days: number;
  within_series_window: boolean;
  skipped: Array<{ date: string; why: string }>;
  rule: { source: string; chair_time: string };
}

export const proposedDates = (courseId: number, start: string, clinicId?: number, signal?: AbortSignal) =>
  api.get<Proposal>(`/courses/${courseId}/proposed-dates`, { start, clinic_id: clinicId }, signal);

// --- clinics, chairs, staff ---
export const clinics = async (signal?: AbortSignal) => (await api.get<{ clinics: Clinic[] }>('/clinics', {}, signal)).clinics;
export const chairs = async (clinicId?: number, signal?: AbortSignal) =>
  (await api.get<{ chairs: Chair[] }>('/chairs', { clinic_id: clinicId }, signal)).chairs;

/** Staff accounts (admin only); the front desk picks nurses from the availability list instead. */
export const accounts = (signal?: AbortSignal) => api.get<Account[]>('/users', {}, signal);

export interface Availability {
  id: number;
  user_id: number;
  clinic_id: number | null;
  weekday: number | null;
  date: string | null;
  from: string;
  to: string;
  available: boolean;
}

export const availability = async (userId?: number, signal?: AbortSignal) =>
  (await api.get<{ availability: Availability[] }>('/staff-availability', { user_id: userId }, signal)).availability;

// --- appointments ---
export const appointments = async (
  query: { date?: string; from?: string; to?: string; chair_id?: number; patient_id?: number; staff_user_id?: number; status?: string; limit?: number },
  signal?: AbortSignal,
) => (await api.get<{ appointments: Appointment[] }>('/appointments', query, signal)).appointments;

export interface NewAppointment {
  patient_id: number;
  chair_id: number;
  start: string;
  end?: string;
  course_id?: number;
  staff_user_id?: number;
  kind?: string;
  notes?: string;
}

export async function book(body: NewAppointment, key: string): Promise<Appointment> {
  return (await api.request<Appointment>('POST', '/appointments', { body, headers: keyed(key) })).data;
}

export async function changeAppointment(
  a: Appointment,
  change: { status?: 'cancelled' | 'no_show' | 'completed'; status_reason?: string; start?: string; end?: string; chair_id?: number; staff_user_id?: number | null; reason?: string },
  key: string,
): Promise<Appointment> {
  return (await api.request<Appointment>('PATCH', `/appointments/${a.id}`, { body: change, ifMatch: a.version, headers: keyed(key) }))
    .data;
}

// --- the day's chair board ---
export interface BoardSession {
  session_id: number;
  appointment_id: number;
  patient_id: number;
  chair_id: number | null;
  state: 'planned' | 'running' | 'paused' | 'stopped' | 'discharged';
  started_at: string | null;
  stopped_at: string | null;
  infused_minutes: number;
  planned_duration_min: number;
}

export interface Board {
  date: string;
  now: string;
  sessions: BoardSession[];
  open_alerts: Array<{ patient_id: number; open: number; highest_severity: string }>;
}

export const board = (date: string, signal?: AbortSignal) => api.get<Board>('/board', { date }, signal);

export interface Clinician {
  id: number;
  username: string;
  role: 'physician' | 'nurse';
}

export const clinicians = async (signal?: AbortSignal) =>
  (await api.get<{ clinicians: Clinician[] }>('/clinicians', {}, signal)).clinicians;
