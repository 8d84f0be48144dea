// The clinic's outcome analytics (GET /api/v1/analytics/outcomes and .csv; director, physician,
// admin): aggregates per indication and protocol, never a patient's record
// (docs/clinical-rules/outcome-analytics.md §5-§6, docs/adr/0026-director-role-and-small-cells.md).
import { api } from './client';

export interface Proportion {
  count: number;
  n: number;
  share: number | null;
  lower: number | null;
  upper: number | null;
}

export interface Summary {
  n: number;
  min: number | null;
  q1: number | null;
  median: number | null;
  q3: number | null;
  max: number | null;
}

export interface KmStep {
  day: number;
  at_risk: number;
  events: number;
  censored: number;
  survival: number;
  std_error: number | null;
  lower: number | null;
  upper: number | null;
}

export interface KmCurve {
  subjects: number;
  events: number;
  censored: number;
  median_days: number | null;
  steps: KmStep[];
}

export interface InstrumentOutcomes {
  instrument: string;
  with_baseline: number;
  evaluable: number;
  responders: Proportion;
  remitters: Proportion;
  change: Summary;
  change_pct: Summary;
  latest_status: Record<string, number>;
  response_by_infusion: {
    cumulative: number[];
    by_6: Proportion;
    at_7_to_9: Proportion;
    at_10_to_12: Proportion;
    after_a_booster: number;
    never: number;
  };
  durability: KmCurve;
  reduction_moderate: Proportion | null;
  reduction_substantial: Proportion | null;
  change_histogram: Record<string, number>;
  /** Median change by week since the first induction infusion (week 0 = baseline). */
  change_trajectory: { week: number; change: Summary }[];
}

export interface RateCount {
  count: number;
  per_100_infusions: number | null;
}

export interface OutcomeGroup {
  indication: string;
  protocol: string;
  suppressed: boolean;
  patients: number | null;
  // Absent when suppressed.
  courses?: number;
  treated?: Proportion;
  completed_induction?: Proportion;
  instruments?: InstrumentOutcomes[];
  boosters?: {
    courses_followed: number;
    follow_up_days: number;
    patient_years: number;
    boosters: number;
    boosters_per_patient_year: number | null;
    days_between_boosters: Summary;
  };
  mme?: {
    on_opioids: number;
    with_follow_up: number;
    baseline_mme_per_day: Summary;
    latest_mme_per_day: Summary;
    change_mme_per_day: Summary;
    reduced: number;
    unchanged: number;
    increased: number;
    stopped: number;
  };
  safety?: {
    infusions: number;
    adverse_events: number;
    adverse_events_per_100_infusions: number | null;
    by_kind: Record<string, RateCount>;
    by_severity: Record<string, RateCount>;
    by_kind_and_severity: Record<string, Record<string, number>>;
    bp_alerts: number;
    bp_alerts_per_100_infusions: number | null;
    infusions_with_bp_alert: Proportion;
    cadss: Summary;
    stopped_early: Proportion;
  };
}

export interface OutcomeFilters {
  from: string;
  to: string;
  indication: string | null;
  protocol: string | null;
  clinic_id: number | null;
}

export interface OutcomeAnalytics {
  as_of: string;
  methods: Record<string, string>;
  groups: OutcomeGroup[];
  filters: OutcomeFilters;
  cohort: { courses: number; patients: number };
  small_cells: { min_patients: number; applied: boolean; rule: string };
  options: {
    clinics: { id: number; name: string }[];
    indications: string[];
    protocols: { id: string; name: string }[];
  };
}

export type FilterQuery = Partial<Record<'from' | 'to' | 'indication' | 'protocol' | 'clinic_id', string>>;

export const outcomes = (query: FilterQuery, signal?: AbortSignal) =>
  api.get<OutcomeAnalytics>('/analytics/outcomes', query, signal);

/** The same filters as a CSV download link (the session cookie goes with a same-origin GET). */
export function outcomesCsvHref(query: FilterQuery): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v) params.set(k, v);
  const q = params.toString();
  return '/api/v1/analytics/outcomes.csv' + (q ? '?' + q : '');
}

/** The printed clinic outcomes report (server/reports, docs/reports.md) for the date range the
 * answer covers; the report takes dates only (its groups are every indication and protocol). */
export function clinicReportHref(from: string, to: string, format: 'pdf' | 'html'): string {
  return '/api/v1/reports/clinic?' + new URLSearchParams({ from, to, format }).toString();
}
