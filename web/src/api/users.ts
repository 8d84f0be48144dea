import { api } from './client';
import type { Account } from './types';

export const listAccounts = (signal?: AbortSignal) => api.get<Account[]>('/users', {}, signal);
