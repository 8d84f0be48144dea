import { ApiError, api } from './client';
import type { LoginAnswer, Me, ServiceInfo } from './types';

export async function serviceInfo(): Promise<ServiceInfo> {
  return (await api.request<ServiceInfo>('GET', '/info', { public: true })).data;
}

export async function login(username: string, password: string): Promise<LoginAnswer> {
  const answer = (
    await api.request<LoginAnswer>('POST', '/auth/login', { body: { username, password }, public: true })
  ).data;
  api.setCsrfToken(answer.csrf_token);
  return answer;
}

/** The current session, or null when there is none (a 401 here is not an "expired" event). */
export async function currentSession(): Promise<Me | null> {
  try {
    const me = (await api.request<Me>('GET', '/auth/me', { public: true })).data;
    api.setCsrfToken(me.csrf_token);
    return me;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export async function logout(): Promise<void> {
  try {
    await api.request('POST', '/auth/logout', { public: true });
  } finally {
    api.setCsrfToken(null);
  }
}
