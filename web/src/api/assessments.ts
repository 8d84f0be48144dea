import { api } from './client';
import type { Assessment } from './types';

export const listAssessments = (patientId: number, instrument?: string, signal?: AbortSignal) =>
  api.get<Assessment[]>(`/patients/${patientId}/assessments`, { instrument }, signal);
