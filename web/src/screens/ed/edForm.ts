// The ED sedation screens' pure pieces: the contraindication questions (keys and wording of
// docs/screening-schema.md; the server classifies them), the opening form's checks, and times typed
// on the clinic's wall clock turned into instants (`at_ms`) for charting what already happened.
// Doses are never computed here: the server's dose-preview answers them.
import { nowMs } from '../../format/clock';

export const CONDITIONS: Array<{ key: string; label: string }> = [
  { key: 'schizophrenia', label: 'Known or suspected schizophrenia, even if stable' },
  { key: 'ketamine_hypersensitivity', label: 'Hypersensitivity to ketamine' },
  { key: 'airway_instability_or_tracheal_disease', label: 'Airway instability, tracheal surgery or stenosis' },
  { key: 'active_pulmonary_infection', label: 'Active pulmonary infection, including an upper respiratory infection' },
  { key: 'active_asthma', label: 'Active asthma' },
  { key: 'coronary_artery_disease', label: 'Coronary artery disease' },
  { key: 'heart_failure', label: 'Congestive heart failure' },
  { key: 'hypertension', label: 'Hypertension (controlled)' },
  { key: 'uncontrolled_hypertension', label: 'Hypertension not controlled on treatment' },
  { key: 'poorly_controlled_cardiovascular_disease', label: 'Poorly controlled cardiovascular disease' },
  { key: 'significant_arrhythmia', label: 'Significant arrhythmia' },
  { key: 'unstable_cerebrovascular_disease', label: 'Unstable cerebrovascular disease' },
  { key: 'previous_cerebrovascular_insult', label: 'Previous stroke or other cerebrovascular insult' },
  { key: 'elevated_intracranial_pressure', label: 'Raised intracranial pressure' },
  { key: 'cns_mass_or_hydrocephalus', label: 'CNS mass or hydrocephalus' },
  { key: 'glaucoma_or_elevated_intraocular_pressure', label: 'Glaucoma or raised intraocular pressure' },
  { key: 'acute_globe_injury', label: 'Acute globe injury' },
  { key: 'thyroid_disorder_or_medication', label: 'Thyroid disorder or thyroid medication' },
  { key: 'untreated_hyperthyroidism', label: 'Untreated or insufficiently treated hyperthyroidism' },
  { key: 'current_psychosis_or_mania', label: 'Current or poorly controlled psychosis or mania' },
  { key: 'history_of_psychosis_or_mania', label: 'Psychosis or mania in the past' },
  { key: 'active_substance_use_disorder', label: 'Active substance use disorder' },
  { key: 'history_of_ketamine_or_pcp_misuse', label: 'Past misuse of ketamine or phencyclidine' },
  { key: 'pregnant', label: 'Pregnant' },
  { key: 'pre_eclampsia_or_eclampsia', label: 'Pre-eclampsia or eclampsia' },
  { key: 'breastfeeding', label: 'Breastfeeding' },
];

export const HEPATIC = ['none', 'mild', 'moderate', 'severe'] as const;

export interface OpeningForm {
  given_name: string;
  family_name: string;
  date_of_birth: string;
  sex: '' | 'female' | 'male';
  mrn: string;
  weight_kg: string;
  procedure: string;
  posterior_pharynx: '' | 'yes' | 'no';
  present: Record<string, boolean>;
  /** The clinician asked about every condition: the unticked ones are absent. */
  all_asked: boolean;
  hepatic: '' | (typeof HEPATIC)[number];
  review_reason: string;
  started_at: string; // "YYYY-MM-DDTHH:MM" on the clinic's clock, or '' for now
}

export const EMPTY_OPENING: OpeningForm = {
  given_name: '',
  family_name: '',
  date_of_birth: '',
  sex: '',
  mrn: '',
  weight_kg: '',
  procedure: '',
  posterior_pharynx: '',
  present: {},
  all_asked: false,
  hepatic: '',
  review_reason: '',
  started_at: '',
};

/** A positive decimal as typed ("20", "20.5", "0.5"; never ".5" or "20."), or null. */
export function parseDecimal(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,4}(\.\d{1,3})?$/.test(t)) return null;
  const v = Number(t);
  return Number.isFinite(v) ? v : null;
}

export interface FormError {
  field: string;
  message: string;
}

/** The opening form's errors, in the order of the form (the server checks everything again). */
export function checkOpening(f: OpeningForm, tz: string, nowMs: number): FormError[] {
  const errors: FormError[] = [];
  if (!f.given_name.trim()) errors.push({ field: 'given_name', message: 'Enter the given name' });
  if (!f.family_name.trim()) errors.push({ field: 'family_name', message: 'Enter the family name' });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(f.date_of_birth)) errors.push({ field: 'date_of_birth', message: 'Enter the date of birth as YYYY-MM-DD' });
  if (!f.sex) errors.push({ field: 'sex', message: 'Choose the sex' });
  const w = parseDecimal(f.weight_kg);
  if (w === null || w <= 0 || w > 400) errors.push({ field: 'weight_kg', message: 'Enter the measured weight in kg (for example 20 or 20.5), at most 400' });
  if (!f.procedure.trim()) errors.push({ field: 'procedure', message: 'Enter the procedure' });
  if (!f.posterior_pharynx) errors.push({ field: 'posterior_pharynx', message: 'Answer whether the procedure stimulates the posterior pharynx' });
  if (!f.all_asked) errors.push({ field: 'all_asked', message: 'Confirm that every condition was asked about' });
  if (!f.hepatic) errors.push({ field: 'hepatic', message: 'Choose the hepatic impairment grade' });
  if (f.started_at) {
    const at = wallToInstant(tz, f.started_at);
    if (at === null) errors.push({ field: 'started_at', message: 'Enter the time as a date and time' });
    else if (at > nowMs + 60_000) errors.push({ field: 'started_at', message: 'The start of sedation care cannot be in the future' });
  }
  return errors;
}

/** The request body of POST /sedation/episodes from the form (after checkOpening passed). */
export function openingBody(f: OpeningForm, tz: string): Record<string, unknown> {
  const conditions: Record<string, unknown> = Object.fromEntries(CONDITIONS.map((c) => [c.key, !!f.present[c.key]]));
  conditions.hepatic_impairment = f.hepatic;
  const patient: Record<string, unknown> = {
    given_name: f.given_name.trim(),
    family_name: f.family_name.trim(),
    date_of_birth: f.date_of_birth,
    sex: f.sex,
  };
  if (f.mrn.trim()) patient.mrn = f.mrn.trim();
  const body: Record<string, unknown> = {
    patient,
    weight_kg: parseDecimal(f.weight_kg),
    procedure: f.procedure.trim(),
    major_posterior_pharynx_procedure: f.posterior_pharynx === 'yes',
    conditions,
  };
  if (f.review_reason.trim()) body.relative_contraindication_review_reason = f.review_reason.trim();
  if (f.started_at) body.at_ms = wallToInstant(tz, f.started_at);
  return body;
}

/** The offset of `timeZone` from UTC at `instantMs`, in ms (positive east of Greenwich). */
function offsetMs(timeZone: string, instantMs: number): number {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(instantMs));
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

/** "YYYY-MM-DDTHH:MM" on the wall clock of `timeZone` -> ms since the epoch, or null. In a DST
 * gap the time is read with the offset before the change; in an overlap, the earlier instant. */
export function wallToInstant(timeZone: string, wall: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(wall);
  if (!m) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return null;
  const naive = Date.UTC(y, mo - 1, d, h, mi);
  if (new Date(naive).getUTCDate() !== d) return null;
  // Two passes settle the offset (it can differ between the naive guess and the answer).
  let guess = naive - offsetMs(timeZone, naive);
  guess = naive - offsetMs(timeZone, guess);
  const earlier = naive - offsetMs(timeZone, guess - 3_600_000);
  if (earlier !== guess && wallOf(timeZone, earlier) === wall) return Math.min(earlier, guess);
  return guess;
}

/** ms since the epoch -> "YYYY-MM-DDTHH:MM" on the wall clock of `timeZone`. */
export function wallOf(timeZone: string, instantMs: number): string {
  const naive = instantMs + offsetMs(timeZone, instantMs);
  return new Date(naive).toISOString().slice(0, 16);
}

/** An optional "given at" time for a write: `{at_ms}` or nothing (the server's clock). */
export function atField(tz: string, wall: string): { at_ms?: number } | { error: string } {
  if (!wall) return {};
  const at = wallToInstant(tz, wall);
  if (at === null) return { error: 'Enter the time as a date and time' };
  if (at > nowMs() + 60_000) return { error: 'The time cannot be in the future' };
  return { at_ms: at };
}
