import { api } from './client';
import type { Alert } from './types';

export const listOpenAlerts = (signal?: AbortSignal) => api.get<Alert[]>('/alerts', {}, signal);
