// The patient portal's routes (server/resources/portal_routes.cpp, docs/web-portal.md).
import { ApiError, api } from './client';
import type { Assessment } from './types';
import type { Language } from '../i18n';

export interface Invitation {
  id: number;
  patient_id: number;
  created_by: number;
  created_at: string;
  expires_at: string;
  status: 'pending' | 'expired' | 'accepted' | 'revoked';
  ended_at: string | null;
  user_id: number | null;
}
export interface InvitationCreated extends Invitation {
  token: string;
  link: string;
  revoked_previous: number;
  account_exists: boolean;
}
export interface InvitationCheck {
  valid: true;
  clinic_name: string;
  expires_at: string;
  username: string | null;
}
export interface QuestionnaireOption {
  value: number;
  label: string;
}
export interface QuestionnaireText {
  instrument: string;
  language: Language;
  requested_language: Language;
  translated: boolean;
  title: string;
  instructions: string;
  options?: QuestionnaireOption[];
  items: Array<{ text: string; options?: QuestionnaireOption[] }>;
  attribution: string;
  source: string;
}
export interface Draft {
  patient_id: number;
  instrument: string;
  answers: Array<number | null>;
  position: number;
  language: Language;
  updated_at: string;
  version: number;
}
export interface Occasion {
  instrument: string;
  moment: string;
  infusion_number: number | null;
  opens_at: string;
  closes_at: string;
  status: 'upcoming' | 'due' | 'done' | 'missed';
  assessment_id: number | null;
}
export interface PortalInfo {
  clinic_name: string;
  clinic_phone: string | null;
  monitored_around_the_clock: false;
}
export interface AccessRow {
  id: number;
  at: string;
  username: string;
  role: string;
  action: string;
  outcome: string;
}
export interface SubmittedAssessment extends Assessment {
  alerts: Array<{ id: number; flag: string; severity: string }>;
}

export const createInvitation = (patientId: number) =>
  api.request<InvitationCreated>('POST', `/patients/${patientId}/invitations`, { body: {} }).then((a) => a.data);
export const listInvitations = (patientId: number, signal?: AbortSignal) =>
  api.get<Invitation[]>(`/patients/${patientId}/invitations`, {}, signal);
export const checkInvitation = (token: string) =>
  api.request<InvitationCheck>('GET', `/invitations/${encodeURIComponent(token)}`, { public: true }).then((a) => a.data);
export const acceptInvitation = (token: string, password: string, username?: string) =>
  api
    .request<{ accepted: true; username: string }>('POST', `/invitations/${encodeURIComponent(token)}/accept`, {
      body: username ? { username, password } : { password },
      public: true,
    })
    .then((a) => a.data);

export const questionnaireList = (signal?: AbortSignal) =>
  api.get<Array<{ instrument: string; title: string; languages: Language[] }>>('/questionnaires', {}, signal);
export const portalInfo = (signal?: AbortSignal) => api.get<PortalInfo>('/portal/info', {}, signal);
export const questionnaireText = (instrument: string, language: Language, signal?: AbortSignal) =>
  api.get<QuestionnaireText>(`/questionnaires/${instrument}`, { language }, signal);

export async function measurements(patientId: number, signal?: AbortSignal): Promise<Occasion[]> {
  // No course yet: nothing is due (asked first, so the schedule's 404 is never a console error).
  const { courses } = await api.get<{ courses: unknown[] }>(`/patients/${patientId}/courses`, {}, signal);
  if (courses.length === 0) return [];
  try {
    return (await api.get<{ occasions: Occasion[] }>(`/patients/${patientId}/measurements`, {}, signal)).occasions;
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return []; // no course yet: nothing is due
    throw e;
  }
}

export async function getDraft(patientId: number, instrument: string, signal?: AbortSignal): Promise<Draft | null> {
  try {
    return await api.get<Draft>(`/patients/${patientId}/questionnaire-drafts/${instrument}`, {}, signal);
  } catch (e) {
    if (e instanceof ApiError && e.status === 404) return null;
    throw e;
  }
}
export const saveDraft = (patientId: number, instrument: string, body: { answers: Array<number | null>; position: number; language: Language }) =>
  api.request<Draft>('PUT', `/patients/${patientId}/questionnaire-drafts/${instrument}`, { body }).then((a) => a.data);
export async function discardDraft(patientId: number, instrument: string): Promise<void> {
  try {
    await api.request('DELETE', `/patients/${patientId}/questionnaire-drafts/${instrument}`);
  } catch (e) {
    if (!(e instanceof ApiError && e.status === 404)) throw e;
  }
}
export const submitAssessment = (patientId: number, instrument: string, answers: number[]) =>
  api
    .request<SubmittedAssessment>('POST', `/patients/${patientId}/assessments`, { body: { instrument, answers } })
    .then((a) => a.data);

export const getPreferences = (patientId: number, signal?: AbortSignal) =>
  api.get<{ language: Language }>(`/patients/${patientId}/preferences`, {}, signal);
export const setPreferredLanguage = (patientId: number, language: Language) =>
  api.request<{ language: Language }>('PUT', `/patients/${patientId}/preferences`, { body: { language } }).then((a) => a.data);
export const accessLog = (patientId: number, signal?: AbortSignal) =>
  api.get<AccessRow[]>(`/patients/${patientId}/access-log`, { limit: 200 }, signal);
