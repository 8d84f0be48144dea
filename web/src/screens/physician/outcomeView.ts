// How the physician's screens read the server's outcome answers (GET /patients/{id}/outcome):
// pure functions, tested (outcomeView.test.ts). The lines drawn are the server's own thresholds
// (`thresholds.response_reduction_pct`, `thresholds.remission_max_total`, from the core's outcome
// rules, docs/clinical-rules/instruments.md §2), never numbers of this app.
import type { Outcome } from '../../api/types';
import type { Threshold } from '../../components/chart/Plot';

export const INSTRUMENT_LABEL: Record<string, string> = {
  phq9: 'PHQ-9',
  gad7: 'GAD-7',
  pcl5: 'PCL-5',
  ybocs: 'Y-BOCS',
  madrs: 'MADRS',
  qids_sr16: 'QIDS-SR16',
  nrs: 'Pain (NRS)',
  bpi: 'Pain (BPI)',
  cadss: 'CADSS',
};

export const instrumentLabel = (id: string) => INSTRUMENT_LABEL[id] ?? id.toUpperCase();

/** The instrument that tracks a patient's indication (the first one the list sorts by). */
export const PRIMARY_INSTRUMENT: Record<string, string> = {
  depression: 'phq9',
  ptsd: 'pcl5',
  ocd: 'ybocs',
  chronic_pain: 'nrs',
};

/** The response line (baseline reduced by the response threshold) and the remission line. */
export function outcomeLines(o: Outcome): Threshold[] {
  const lines: Threshold[] = [];
  const pct = o.thresholds?.response_reduction_pct?.value;
  if (typeof pct === 'number' && Number.isFinite(o.baseline)) {
    lines.push({
      value: Math.round(o.baseline * (1 - pct / 100) * 100) / 100,
      label: `Response: ${pct}% below baseline`,
      color: '#1e6b3a',
    });
  }
  const rem = o.thresholds?.remission_max_total?.value;
  if (typeof rem === 'number') lines.push({ value: rem, label: `Remission: ${rem} or less`, color: '#6b2fa3' });
  return lines;
}

/** Order of concern for the patient list: not improving first (AIMS Center registry practice). */
const CONCERN: Record<string, number> = {
  relapse: 0,
  loss_of_response_unconfirmed: 1,
  no_response: 2,
  partial_response: 3,
  response: 4,
  remission: 5,
};

export function concernRank(status: string | null | undefined): number {
  if (!status) return 6; // no scores yet: after everyone with a status
  return CONCERN[status] ?? 6;
}

export const statusLabel = (status: string) => status.replace(/_/g, ' ');
