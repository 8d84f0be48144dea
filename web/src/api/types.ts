// The API's shapes as this app uses them, in ONE place. They are written by hand from the route
// code until the OpenAPI-generated types (tools/openapi/generated/kit-api.d.ts, from
// GET /api/v1/openapi.json) land; then each alias below becomes a `components['schemas'][...]`
// of the generated file and the compiler points at every use that drifted
// (docs/adr/0012-web-application.md).

export type Role = 'admin' | 'physician' | 'nurse' | 'front_desk' | 'patient';

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
