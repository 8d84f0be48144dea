// ED procedural sedation (docs/api-sedation.md): episodes, the server's dose preview, doses,
// monitoring, adverse events, end of the procedure, discharge, void and corrections. Every dose,
// running total, limit and time rule is the server's: the screens only show them.
import { api } from './client';
import type { ApiAnswer } from './client';
import type { Correction, EntryStatus, Gate } from './sessions';

export type EpisodeState = 'open' | 'sedated' | 'recovering' | 'discharged' | 'voided';
export type SedationRoute = 'iv' | 'im';

export interface Finding {
  rule: string;
  finding: string;
  severity: string;
  basis: string;
  source: string;
}

export interface SedationDose {
  id: number;
  route: SedationRoute;
  protocol: string;
  repeat: boolean;
  dose_mg: number;
  dose_mg_per_kg: number;
  concentration_mg_per_ml: number;
  volume_ml: number;
  running_total_mg: number;
  running_total_mg_per_kg: number;
  cumulative_hard_limit_mg_per_kg: number;
  limit_status: string;
  override_reason: string | null;
  ordered_by: string | null;
  given_by: number;
  at: string;
  status: EntryStatus;
  correction: Correction | null;
}

export interface Monitoring {
  id: number;
  spo2_percent: number | null;
  hr_bpm: number | null;
  sbp_mmhg: number | null;
  dbp_mmhg: number | null;
  rr_per_min: number | null;
  on_oxygen: boolean | null;
  sedation_observation: string;
  at: string;
  recorded_by: number;
  status: EntryStatus;
  amends_id: number | null;
  correction: Correction | null;
}

export interface SedationAdverseEvent {
  id: number;
  kind: string;
  severity: string;
  interventions: string[];
  description: string;
  at: string;
  recorded_by: number;
  status: EntryStatus;
  amends_id: number | null;
  correction: Correction | null;
}

export interface ChecklistItem {
  id: string;
  text: string;
  source: string;
}

export interface Readiness {
  ready: boolean;
  gates: Gate[];
  missing: string[];
  earliest_at: string | null;
  checklist: ChecklistItem[];
  instructions: string[];
}

export interface Episode {
  id: number;
  patient_id: number;
  patient: { id: number; mrn: string; given_name: string; family_name: string; date_of_birth: string; sex: string } | null;
  procedure: string;
  weight_kg: number;
  age_y: number;
  age_group: 'adult' | 'pediatric';
  state: EpisodeState;
  findings: { absolute: Finding[]; relative: Finding[] };
  opening_gates: Gate[];
  relative_review_reason: string | null;
  running_total_mg: number;
  running_total_mg_per_kg: number;
  cumulative_limit: { hard_mg_per_kg: number; source: string } | null;
  next_repeat: { route: SedationRoute; earliest_at: string; schedule: string; source: string } | null;
  doses: SedationDose[];
  monitoring: Monitoring[];
  adverse_events: SedationAdverseEvent[];
  discharge_readiness: Readiness;
  discharge: { criteria: Record<string, boolean>; reversal_agent_at: string | null } | null;
  procedure_ended_at: string | null;
  discharged_at: string | null;
  void_reason: string | null;
  opened_at: string;
  created_at: string;
  version: number;
}

export interface EpisodeSummary {
  id: number;
  patient_id: number;
  procedure: string;
  state: EpisodeState;
  weight_kg: number;
  age_y: number;
  created_at: string;
  version: number;
}

export interface DosePreview {
  protocol: string;
  repeat: boolean;
  route: SedationRoute;
  dose_mg: number;
  dose_mg_per_kg: number;
  volume_ml: number;
  concentration_mg_per_ml: number;
  previous_total_mg: number;
  running_total_mg: number;
  running_total_mg_per_kg: number;
  cumulative_limit: { hard_mg_per_kg: number; source: string; soft_mg_per_kg: number | null; soft_source: string | null };
  limit_status: 'within' | 'soft_limit_overridden' | 'soft_limit_exceeded' | 'hard_limit_exceeded';
  accepted: boolean;
  earliest_repeat_at: string | null;
  gates: Gate[];
}

const BASE = '/sedation/episodes';

export const getEpisode = (id: number, signal?: AbortSignal): Promise<ApiAnswer<Episode>> =>
  api.request<Episode>('GET', `${BASE}/${id}`, { signal });

export async function listEpisodes(state: EpisodeState | undefined, signal?: AbortSignal): Promise<EpisodeSummary[]> {
  const answer = await api.get<{ episodes: EpisodeSummary[] }>(BASE, { state, limit: 50 }, signal);
  return answer.episodes;
}

export const previewDose = (id: number, body: Record<string, unknown>) =>
  api.request<DosePreview>('POST', `${BASE}/${id}/dose-preview`, { body }).then((a) => a.data);

export const episodePath = (id: number, tail = '') => `${BASE}/${id}${tail}`;
