// The reminders' outbox (docs/reminders.md): GET /api/v1/outbox and /api/v1/outbox/{id}/attempts,
// for the admin and the front desk.
import { api } from './client';

export type OutboxState = 'queued' | 'sending' | 'sent' | 'failed' | 'cancelled';
export type ReminderKind = 'questionnaire_due' | 'appointment_upcoming' | 'book_reassessment';

export interface OutboxMessage {
  id: number;
  kind: ReminderKind;
  patient_id: number;
  due_key: string;
  reminder_number: number;
  recipient: string;
  language: string;
  subject: string;
  body: string;
  message_id: string;
  state: OutboxState;
  attempts: number;
  planned_at: string;
  next_attempt_at: string | null;
  sent_at: string | null;
  last_error: string | null;
  cancel_reason: string | null;
  updated_at: string;
}

export interface OutboxList {
  messages: OutboxMessage[];
  total: number;
  limit: number;
  offset: number;
  counts: Record<OutboxState, number>;
}

export interface OutboxAttempt {
  attempt: number;
  started_at: string;
  finished_at: string | null;
  outcome: 'sending' | 'sent' | 'failed' | 'interrupted';
  smtp_code: number | null;
  smtp_reply: string;
  claimed_by: string;
}

export interface OutboxQuery {
  state?: OutboxState;
  kind?: ReminderKind;
  patient_id?: number;
  limit?: number;
  offset?: number;
}

export const outbox = (q: OutboxQuery, signal?: AbortSignal) => api.get<OutboxList>('/outbox', { ...q }, signal);

export const outboxAttempts = (id: number, signal?: AbortSignal) =>
  api.get<{ message: OutboxMessage; attempts: OutboxAttempt[] }>(`/outbox/${id}/attempts`, {}, signal);
