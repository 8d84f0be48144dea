// Infusion sessions at the chair (docs/api-chair.md "Infusion sessions"): the session view, pump
// events, vitals, adverse events, CADSS, discharge, corrections, the PK curves and the alerts of a
// session. Writes that a nurse confirms carry an Idempotency-Key (see screens/chair/outbox.ts).
import { api } from './client';
import type { ApiAnswer } from './client';
import type { Alert, Appointment, Chair, Clinic } from './types';

export type SessionState = 'planned' | 'running' | 'paused' | 'stopped' | 'discharged' | 'voided';
export type PumpEventKind = 'start' | 'pause' | 'resume' | 'rate_change' | 'stop';
export type EntryStatus = 'active' | 'entered_in_error' | 'amended';

export interface Gate {
  gate: string;
  passed: boolean;
  reason: string;
  source: string;
}

export interface Correction {
  id?: number;
  action: 'entered_in_error' | 'amend';
  reason: string;
  by: number;
  at: string;
  replacement_id?: number | null;
}

export interface PumpEvent {
  id: number;
  kind: PumpEventKind;
  rate_ml_per_h: number | null;
  override_reason: string | null;
  gate_override_reason: string | null;
  note: string;
  status: EntryStatus;
  correction: Correction | null;
  recorded_by: number;
  at: string;
  recorded_at: string;
}

export interface VitalReason {
  vital: string;
  value: number;
  comparison: string;
  limit: number;
  action: string;
  anchor?: string;
}

export type VitalPoint = 'baseline' | 'interval' | 'end_of_infusion' | 'recovery' | 'discharge';
export type Consciousness = 'fully_awake' | 'arousable_on_calling' | 'not_responding';

export interface Vital {
  id: number;
  point: VitalPoint;
  sbp_mmhg: number | null;
  dbp_mmhg: number | null;
  hr_bpm: number | null;
  spo2_percent: number | null;
  rr_per_min: number | null;
  consciousness: Consciousness | null;
  action: string;
  reasons: VitalReason[];
  alert_id: number | null;
  status: EntryStatus;
  amends_id: number | null;
  correction: Correction | null;
  recorded_by: number;
  at: string;
}

export interface AdverseEvent {
  id: number;
  kind: string;
  severity: 'mild' | 'moderate' | 'severe' | 'life_threatening';
  description: string;
  action_taken: string;
  alert_id: number | null;
  status: EntryStatus;
  amends_id: number | null;
  correction: Correction | null;
  at: string;
}

export interface Dissociation {
  id: number;
  total: number;
  status: EntryStatus;
  amends_id: number | null;
  correction: Correction | null;
  at: string;
}

export interface DeliveredInterval {
  from: string;
  to: string;
  minutes: number;
  rate_ml_per_h: number;
  ml: number;
  mg: number;
  still_running: boolean;
}

export interface InfusionSession {
  id: number;
  patient_id: number;
  course_id: number | null;
  appointment_id: number | null;
  chair_id: number | null;
  protocol: string;
  lot_id: number | null;
  plan: Record<string, unknown>;
  concentration_mg_per_ml: number;
  dosing_weight_kg: number;
  planned_dose_mg: number;
  planned_rate_ml_per_h: number;
  planned_duration_min: number;
  pump_step_ml_per_h: number;
  override: { reason: string; physician_user_id: number } | null;
  state: SessionState;
  stop_pump: boolean;
  delivered_mg: number;
  delivered: {
    mg: number;
    ml: number;
    mg_per_kg: number;
    hard_limit_mg: number | null;
    hard_limit_source: string;
    soft_limit_mg: number | null;
    soft_limit_source: string;
    status: string;
    infused_min: number;
    current_rate_ml_per_h: number | null;
    as_of: string;
    intervals: DeliveredInterval[];
  };
  gates: Gate[];
  started_at: string | null;
  stopped_at: string | null;
  void_reason: string | null;
  events: PumpEvent[];
  vitals: Vital[];
  vitals_schedule: { due_minutes_from_start: Array<number | string>; interval_min: number; basis: string };
  adverse_events: AdverseEvent[];
  dissociation: Dissociation[];
  discharge: {
    result: Record<string, unknown>;
    gates: Gate[];
    aldrete_score: number;
    ready: boolean;
    override_reason: string | null;
    at: string;
  } | null;
  created_at: string;
  version: number;
}

/** GET /patients/{id}/sessions item */
export interface SessionSummary {
  id: number;
  course_id: number | null;
  appointment_id: number | null;
  protocol: string;
  state: SessionState;
  planned_dose_mg: number;
  delivered_mg: number;
  started_at: string | null;
  stopped_at: string | null;
  version: number;
}

export interface PkCurve {
  model: string;
  times_min: number[];
  plasma_ng_per_ml: number[];
  effect_ng_per_ml: number[] | null;
  cmax_ng_per_ml?: number;
  time_zero?: string;
  cautions?: string[];
}

export interface VitalThreshold {
  vital: string;
  comparison: string;
  limit: number;
  unit: string;
  action: string;
  anchor: string;
}

export interface Course {
  id: number;
  patient_id: number;
  protocol_id: string;
  state: string;
}

export const getSession = (id: number, signal?: AbortSignal): Promise<ApiAnswer<InfusionSession>> =>
  api.request<InfusionSession>('GET', `/sessions/${id}`, { signal });

export const listPatientSessions = (patientId: number, signal?: AbortSignal) =>
  api.get<SessionSummary[]>(`/patients/${patientId}/sessions`, {}, signal);

export const listCourses = (patientId: number, signal?: AbortSignal) =>
  api.get<Course[]>(`/patients/${patientId}/courses`, {}, signal);

export const sessionPk = (id: number, signal?: AbortSignal) =>
  api.get<PkCurve>(`/sessions/${id}/pk`, { step_min: 1 }, signal);

export const simulatePk = (body: unknown, signal?: AbortSignal) =>
  api.request<PkCurve>('POST', '/pk/simulate', { body, signal }).then((a) => a.data);

/** GET /sessions/{id}/escort-instructions (after the stop): sourced statements, the clinic's
 * phone number and own text (docs/web-chair.md, Escort instructions). */
export interface EscortInstructions {
  session_id: number;
  patient: { given_name: string; family_name: string; age_years: number };
  discharged_at: string | null;
  statements: { id: string; text: string; source: string }[];
  phone: string | null;
  clinic_text: string | null;
}

export const escortInstructions = (id: number, signal?: AbortSignal) =>
  api.get<EscortInstructions>(`/sessions/${id}/escort-instructions`, {}, signal);

export const vitalThresholds = (signal?: AbortSignal) =>
  api.get<{ policy: string; thresholds: VitalThreshold[] }>('/vitals/thresholds', {}, signal);

export const sessionAlerts = (patientId: number, signal?: AbortSignal) =>
  api.get<Alert[]>('/alerts', { patient_id: patientId, all: true }, signal);

/** Acknowledges an alert (physician), with If-Match on its version. */
export const acknowledgeAlert = (alert: Alert, note: string, key: string) =>
  api.request<Alert>('POST', `/alerts/${alert.id}/acknowledge`, {
    body: note ? { note } : {},
    ifMatch: alert.version,
    headers: { 'Idempotency-Key': key },
  });

/** One write of the chair side, as the outbox sends it (and re-sends it on a retry). */
export interface ChairWrite {
  method: 'POST';
  path: string;
  body: Record<string, unknown>;
  ifMatch?: number;
}

export function sendWrite<T>(write: ChairWrite, key: string): Promise<ApiAnswer<T>> {
  return api.request<T>(write.method, write.path, {
    body: write.body,
    ifMatch: write.ifMatch,
    headers: { 'Idempotency-Key': key },
  });
}

// Lists the chair side reads. The server answers some lists wrapped in an object
// ({"clinics": [...]}, {"chairs": [...]}, {"appointments": [...]}) and others as arrays; these
// accept both, so the chair screens do not depend on which.
function listOf<T>(answer: unknown, key: string): T[] {
  if (Array.isArray(answer)) return answer as T[];
  const inner = (answer as Record<string, unknown> | null)?.[key];
  return Array.isArray(inner) ? (inner as T[]) : [];
}

export const chairClinics = async (signal?: AbortSignal) => listOf<Clinic>(await api.get<unknown>('/clinics', {}, signal), 'clinics');
export const chairChairs = async (signal?: AbortSignal) => listOf<Chair>(await api.get<unknown>('/chairs', {}, signal), 'chairs');
export const chairAppointments = async (date: string, signal?: AbortSignal) =>
  listOf<Appointment>(await api.get<unknown>('/appointments', { date }, signal), 'appointments');

/** GET /stock/lots item (the fields the chair side reads) */
export interface StockLot {
  id: number;
  drug: string;
  concentration_mg_per_ml: number;
  vial_volume_ml: number;
  lot_number: string;
  expiry_date: string;
  expired: boolean;
  balance_mg: number;
  active: boolean;
}

export interface StockMovement {
  id: number;
  kind: string;
  mg: number;
  ml: number;
  session_id: number | null;
  witness_user_id: number | null;
  reason: string;
  at: string;
}

export const activeLots = async (signal?: AbortSignal) => listOf<StockLot>(await api.get<unknown>('/stock/lots', { active: true }, signal), 'lots');

/** This session's draws and wastes, from the ledgers of the active lots. */
export async function sessionMovements(sessionId: number, lots: StockLot[], signal?: AbortSignal) {
  const ledgers = await Promise.all(lots.map((l) => api.get<{ movements: StockMovement[] }>(`/stock/lots/${l.id}/ledger`, {}, signal)));
  return ledgers.flatMap((l, i) => l.movements.filter((m) => m.session_id === sessionId).map((m) => ({ ...m, lot: lots[i]! })));
}
