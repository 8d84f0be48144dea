// The API's shapes as this app uses them, in ONE place. They are written by hand from the route
// code until the OpenAPI-generated types (tools/openapi/generated/kit-api.d.ts, from
// GET /api/v1/openapi.json) land; then each alias below becomes a `components['schemas'][...]`
// of the generated file and the compiler points at every use that drifted
// (docs/adr/0012-web-application.md).

export type Role = 'admin' | 'physician' | 'nurse' | 'front_desk' | 'patient' | 'director';

/** {"error":{"code","message","field"}} */
export interface ApiErrorBody {
  error: { code: string; message: string; field?: string };
}

/** GET /api/v1/info (public) */
export interface ServiceInfo {
  service: string;
  api: string;
  demo: boolean;
  demo_accounts: string[];
}

export interface SessionUser {
  id: number;
  username: string;
  role: Role;
  patient_id: number | null;
}

/** POST /api/v1/auth/login */
export interface LoginAnswer {
  token: string;
  csrf_token: string;
  expires_at: string;
  user: SessionUser;
}

/** GET /api/v1/auth/me */
export interface Me {
  user: SessionUser;
  csrf_token: string;
  via_cookie: boolean;
  password_reset_by_admin: boolean;
}

export type InquiryReason = 'depression' | 'ptsd' | 'ocd' | 'chronic_pain' | 'other';
export type InquiryStatus = 'new' | 'contacted' | 'scheduled' | 'closed';

/** POST /api/v1/inquiries body (public) */
export interface InquiryRequest {
  name: string;
  contact: string;
  reason: InquiryReason;
  message?: string;
}

/** POST /api/v1/inquiries answer */
export interface InquiryReceipt {
  id: number;
  status: InquiryStatus;
  received_at: string;
}

/** GET /api/v1/inquiries item */
export interface Inquiry {
  id: number;
  name: string;
  contact: string;
  contact_kind: 'email' | 'phone';
  reason: InquiryReason;
  message: string;
  status: InquiryStatus;
  note: string;
  created_at: string;
  updated_at: string;
  version: number;
}

export interface Patient {
  id: number;
  mrn: string;
  given_name: string;
  family_name: string;
  date_of_birth: string;
  sex: string;
  weight_kg: number | null;
  height_cm: number | null;
  email: string | null;
  phone: string | null;
  indication: string;
  status: string;
  inquiry_id: number | null;
  created_at: string;
  updated_at: string;
  version: number;
}

/** GET /api/v1/patients */
export interface PatientPage {
  patients: Patient[];
  limit: number;
  offset: number;
}

export interface Clinic {
  id: number;
  name: string;
  timezone: string;
  opens_at: string;
  closes_at: string;
  open_weekdays: string;
  recovery_minutes: number;
  observation_minutes: number;
  version: number;
}

export interface Chair {
  id: number;
  clinic_id: number;
  name: string;
  active: boolean;
  version: number;
}

export type AppointmentStatus = 'booked' | 'completed' | 'cancelled' | 'no_show';

export interface Appointment {
  id: number;
  patient_id: number;
  course_id: number | null;
  chair_id: number;
  staff_user_id: number | null;
  kind: 'infusion' | 'booster' | 'consult';
  date: string;
  start: string;
  end: string;
  starts_at: string;
  ends_at: string;
  timezone: string;
  status: AppointmentStatus;
  status_reason: string;
  notes: string;
  version: number;
}

export interface Alert {
  id: number;
  patient_id: number;
  session_id: number | null;
  assessment_id: number | null;
  kind: string;
  message: string;
  severity: string;
  created_at: string;
  acknowledged_by: number | null;
  acknowledged_at: string | null;
  acknowledge_note: string;
  status: string;
  retraction_reason: string | null;
  version: number;
}

/** GET /api/v1/users item */
export interface Account {
  id: number;
  username: string;
  role: Role;
  patient_id: number | null;
  disabled: boolean;
  created_at: string;
  updated_at: string;
  version: number;
}

/** GET /api/v1/patients/{id}/assessments item (the fields this app reads) */
export interface Assessment {
  id: number;
  patient_id: number;
  course_id: number | null;
  instrument: string;
  total: number;
  band: string | null;
  self_report: boolean;
  taken_on: string;
  at: string;
  status?: string;
}

// ---- Physician screens (intake approvals, chart, PK what-if) ----

/** A contraindication or action found by the core's screening rules (docs/screening-schema.md). */
export interface ScreeningFinding {
  rule?: string;
  code?: string;
  finding?: string;
  text?: string;
  basis: string;
  source: string;
}

/** GET /api/v1/patients/{id}/screenings item */
export interface Screening {
  id: number;
  patient_id: number;
  eligible: boolean;
  result: {
    indication: string;
    setting: string;
    eligible: boolean;
    absolute: ScreeningFinding[];
    relative: ScreeningFinding[];
    actions: ScreeningFinding[];
    cleared_to_start?: boolean;
  };
  screened_by: number;
  screened_at: string;
}

/** GET /api/v1/patients/{id}/consents item */
export interface Consent {
  id: number;
  patient_id: number;
  type: string;
  version: string;
  signed_at: string;
  recorded_at: string;
  note: string;
  withdrawn_at: string | null;
  withdrawal_reason: string | null;
}

/** GET /api/v1/patients/{id}/approvals item; POST .../approval answer (+ patient) */
export interface Approval {
  id: number;
  patient_id: number;
  decision: 'approved' | 'declined';
  reason: string;
  override_reason: string | null;
  screening_id: number | null;
  physician_user_id: number;
  decided_at: string;
  patient?: Patient;
}

/** GET /api/v1/patients/{id}/courses item, GET /courses/{id} */
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
  notes: string;
  events: Array<{ id: number; event: string; from: string | null; to: string; infusions_added: number; reason: string; at: string }>;
  version: number;
}

/** GET /api/v1/patients/{id}/sessions item */
export interface SessionSummary {
  id: number;
  course_id: number | null;
  appointment_id: number | null;
  protocol: string;
  state: string;
  planned_dose_mg: number;
  delivered_mg: number;
  started_at: string | null;
  stopped_at: string | null;
  created_at: string;
  version: number;
}

export interface SessionVital {
  id: number;
  point: string;
  sbp_mmhg: number | null;
  dbp_mmhg: number | null;
  hr_bpm: number | null;
  spo2_percent: number | null;
  rr_per_min: number | null;
  action: string;
  status: string;
  at: string;
}

/** GET /api/v1/sessions/{id} (the fields the chart reads) */
export interface SessionDetail {
  id: number;
  patient_id: number;
  course_id: number | null;
  protocol: string;
  state: string;
  dosing_weight_kg: number;
  planned_dose_mg: number;
  planned_duration_min: number;
  delivered: { mg: number; ml: number; mg_per_kg: number; infused_min: number; status: string };
  started_at: string | null;
  stopped_at: string | null;
  vitals: SessionVital[];
  adverse_events: Array<{ id: number; kind: string; severity: string; description: string; status: string; at: string }>;
  dissociation: Array<{ id: number; total: number; status: string; at: string }>;
  created_at: string;
}

/** GET /api/v1/sessions/{id}/pk and POST /api/v1/pk/simulate answers */
export interface PkCurve {
  model: string;
  times_min: number[];
  plasma_ng_per_ml: number[];
  effect_ng_per_ml: number[] | null;
  cmax_ng_per_ml: number;
  tmax_min: number;
  auc_ng_min_per_ml: number;
  total_dose_mg: number;
  ke0_provenance: string | null;
  extrapolation: string | null;
  warnings: string[];
}

/** GET /api/v1/pk/models item (the fields the panel reads) */
export interface PkModel {
  id: string;
  citation: string;
  population: string;
  enantiomer: 'racemic' | 'S';
  has_effect_site: boolean;
  weight_kg: { min: number | null; max: number | null };
  age_y: { min: number | null; max: number | null };
  tci_refused: string | null;
  iiv: Array<{ param: string; cv: number; source: string }>;
  special_population: string | null;
  cautions: string[];
}

/** POST /api/v1/pk/simulate body */
export interface PkSimulateRequest {
  model: string;
  patient: { weight_kg: number; age_y?: number; height_cm?: number; sex?: string };
  doses: Array<{ start_min: number; duration_min: number; amount_mg_per_kg?: number; amount_mg?: number }>;
  end_min: number;
  step_min: number;
  enantiomer?: 'racemic' | 'S';
}

export interface OutcomeThreshold {
  value: number | null;
  source: string;
  policy: boolean;
  unit: string;
}

/** GET /api/v1/patients/{id}/outcome?instrument= */
export interface Outcome {
  instrument: string;
  baseline: number;
  baseline_date: string;
  latest: number;
  latest_date: string;
  change_pct: number | null;
  reduction_pct: number | null;
  status: string;
  reason: string;
  booster_recommended: boolean;
  reassess_sooner: boolean;
  series: Array<{ date: string; total: number }>;
  thresholds: Record<string, OutcomeThreshold>;
}

/** GET /api/v1/patients/{id}/medications */
export interface MedicationTrend {
  patient_id: number;
  trend: Array<{ as_of: string; list_id: number; total_mme_per_day: number; change_mme_per_day: number | null }>;
}

/** POST /api/v1/pk/population answer (the fields the what-if band reads) */
export interface PkPopulation {
  model: string;
  n: number;
  cmax_ng_per_ml: { p5: number; p50: number; p95: number };
  curve_times_min: number[];
  curve_p5_ng_per_ml: number[];
  curve_p50_ng_per_ml: number[];
  curve_p95_ng_per_ml: number[];
  iiv: Array<{ param: string; cv: number; source?: string }>;
  iiv_origin: 'model' | 'request';
  warnings?: string[];
}
