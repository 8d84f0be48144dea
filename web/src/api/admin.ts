// The administrator's API calls: accounts (create, disable, reset a password with the admin's own
// password), clinics and chairs, staff availability and time off, and the audit log with its chain
// check. Confirmed POST/PATCH calls carry an Idempotency-Key.
import { api } from './client';
import type { Account, Chair, Clinic, Role } from './types';
import { idempotencyKey } from './desk';
import type { Availability } from './desk';

const keyed = (key?: string) => ({ 'Idempotency-Key': key ?? idempotencyKey('admin') });

export const users = (signal?: AbortSignal) => api.get<Account[]>('/users', {}, signal);

export async function createUser(body: { username: string; password: string; role: Role }, key: string): Promise<Account> {
  return (await api.request<Account>('POST', '/users', { body, headers: keyed(key) })).data;
}

export async function setDisabled(a: Account, disabled: boolean): Promise<Account> {
  return (await api.request<Account>('PATCH', `/users/${a.id}`, { body: { disabled }, ifMatch: a.version, headers: keyed() })).data;
}

export async function resetPassword(id: number, password: string, adminPassword: string): Promise<Account> {
  return (await api.request<Account>('POST', `/users/${id}/password`, { body: { password, admin_password: adminPassword }, headers: keyed() })).data;
}

export async function createClinic(
  body: { name: string; timezone: string; opens_at: string; closes_at: string; open_weekdays: string; recovery_minutes: number },
  key: string,
): Promise<Clinic> {
  return (await api.request<Clinic>('POST', '/clinics', { body, headers: keyed(key) })).data;
}

export async function createChair(body: { clinic_id: number; name: string; active: boolean }, key: string): Promise<Chair> {
  return (await api.request<Chair>('POST', '/chairs', { body, headers: keyed(key) })).data;
}

export async function setChairActive(c: Chair, active: boolean): Promise<Chair> {
  return (await api.request<Chair>('PATCH', `/chairs/${c.id}`, { body: { active }, ifMatch: c.version, headers: keyed() })).data;
}

export async function addAvailability(
  body: { user_id: number; weekday?: number; date?: string; from: string; to: string; available: boolean; clinic_id?: number },
  key: string,
): Promise<Availability> {
  return (await api.request<Availability>('POST', '/staff-availability', { body, headers: keyed(key) })).data;
}

export async function removeAvailability(id: number): Promise<void> {
  await api.request('DELETE', `/staff-availability/${id}`);
}

export interface AuditRow {
  id: number;
  seq: number;
  at: string;
  user_id: number | null;
  username: string;
  role: string;
  action: string;
  patient_id: number | null;
  remote_address: string;
  outcome: string;
  status: number;
  hash: string;
}

export interface AuditQuery {
  user?: string;
  patient_id?: number;
  action?: string;
  from?: string;
  to?: string;
  before_id?: number;
  limit?: number;
}

export const audit = (q: AuditQuery, signal?: AbortSignal) => api.get<AuditRow[]>('/audit', { ...q }, signal);

/** ok: the whole chain (and, where the server has them, its anchored heads) checks out. */
export interface ChainCheck {
  ok: boolean;
  rows: number;
  first_bad_id: number | null;
  chain_ok?: boolean;
  head_seq?: number;
  anchors?: { checked: boolean; reason?: string; ok?: boolean };
}

export const verifyAudit = (signal?: AbortSignal) => api.get<ChainCheck>('/audit/verify', {}, signal);
