import { api } from './client';
import type { Assessment } from './types';

export const listAssessments = (patientId: number, instrument?: string, signal?: AbortSignal) =>
  api.get<Assessment[]>(`/patients/${patientId}/assessments`, { instrument }, signal);

/** GET /instruments: the questionnaires the server scores (staff): items and answer range. */
export interface InstrumentInfo {
  id: string;
  name: string;
  items: number;
  item_min: number;
  item_max: number;
}
export const listInstruments = (signal?: AbortSignal) => api.get<{ instruments: InstrumentInfo[] }>('/instruments', {}, signal);
