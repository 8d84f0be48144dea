// The physician's areas of the API: the intake queue and decisions, a patient's chart (courses,
// sessions, outcomes, pain medications), alert acknowledgement and the PK engine. Screens call
// these, never fetch (docs/adr/0012-web-application.md). Writes that change clinical records take
// If-Match (the record's version) and an Idempotency-Key (docs/api-chair.md "Retries").
import { api } from './client';
import type {
  Alert,
  Approval,
  Consent,
  Course,
  MedicationTrend,
  Outcome,
  PatientPage,
  PkCurve,
  PkModel,
  PkPopulation,
  PkSimulateRequest,
  Screening,
  SessionDetail,
  SessionSummary,
} from './types';

/** A fresh key for one confirmed action; a retry of the same action sends the same key. */
export function newIdempotencyKey(): string {
  const c: Crypto = globalThis.crypto;
  // randomUUID needs a secure context (https or localhost); getRandomValues does not.
  if (typeof c.randomUUID === 'function' && globalThis.isSecureContext) return c.randomUUID();
  const bytes = new Uint8Array(16);
  c.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export const patientsWithStatus = (status: string, signal?: AbortSignal) =>
  api.get<PatientPage>('/patients', { status, limit: 200 }, signal);

export const listScreenings = async (patientId: number, signal?: AbortSignal) =>
  (await api.get<{ screenings: Screening[] }>(`/patients/${patientId}/screenings`, {}, signal)).screenings;

export const listConsents = async (patientId: number, signal?: AbortSignal) =>
  (await api.get<{ consents: Consent[] }>(`/patients/${patientId}/consents`, {}, signal)).consents;

export const listApprovals = async (patientId: number, signal?: AbortSignal) =>
  (await api.get<{ approvals: Approval[] }>(`/patients/${patientId}/approvals`, {}, signal)).approvals;

export interface Decision {
  decision: 'approved' | 'declined';
  reason?: string;
  override_reason?: string;
}

/** POST /patients/{id}/approval, guarded by the patient record's version (If-Match). */
export const decideIntake = async (patientId: number, version: number, body: Decision, idempotencyKey: string) =>
  (
    await api.request<Approval>('POST', `/patients/${patientId}/approval`, {
      body,
      ifMatch: version,
      idempotencyKey,
    })
  ).data;

export const acknowledgeAlert = async (alert: Alert, note: string, idempotencyKey: string) =>
  (
    await api.request<Alert>('POST', `/alerts/${alert.id}/acknowledge`, {
      body: note.trim() ? { note: note.trim() } : {},
      ifMatch: alert.version,
      idempotencyKey,
    })
  ).data;

export const listPatientAlerts = (patientId: number, signal?: AbortSignal) =>
  api.get<Alert[]>('/alerts', { patient_id: patientId, all: true }, signal);

export const listCourses = async (patientId: number, signal?: AbortSignal) =>
  (await api.get<{ courses: Course[] }>(`/patients/${patientId}/courses`, {}, signal)).courses;

export const listSessions = (patientId: number, signal?: AbortSignal) =>
  api.get<SessionSummary[]>(`/patients/${patientId}/sessions`, {}, signal);

export const getSession = (id: number, signal?: AbortSignal) => api.get<SessionDetail>(`/sessions/${id}`, {}, signal);

/** The predicted curve of what a session actually delivered (the pump intervals). */
export const sessionPk = (id: number, signal?: AbortSignal) =>
  api.get<PkCurve>(`/sessions/${id}/pk`, { step_min: 1 }, signal);

export const getOutcome = (patientId: number, instrument: string, signal?: AbortSignal) =>
  api.get<Outcome>(`/patients/${patientId}/outcome`, { instrument }, signal);

export const getMedications = (patientId: number, signal?: AbortSignal) =>
  api.get<MedicationTrend>(`/patients/${patientId}/medications`, {}, signal);

export const listPkModels = (signal?: AbortSignal) => api.get<PkModel[]>('/pk/models', {}, signal);

export const simulatePk = async (request: PkSimulateRequest, signal?: AbortSignal) =>
  (await api.request<PkCurve>('POST', '/pk/simulate', { body: request, signal })).data;

/** The 5-95 % band (POST /pk/population, bounded over HTTP: n <= 1000, one thread). */
export const populationPk = async (request: unknown, signal?: AbortSignal) =>
  (await api.request<PkPopulation>('POST', '/pk/population', { body: request, signal })).data;
