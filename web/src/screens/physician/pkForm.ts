// The PK what-if form's rules: pure, tested (pkForm.test.ts). Bounds are the engine's request
// bounds (docs/cli-pk.md "Bounds"), checked here only to name the field before the server would;
// the server checks them again, and each model's own weight and age ranges are the server's.
import type { PkSimulateRequest } from '../../api/types';

export interface PkForm {
  model: string;
  weight_kg: string;
  age_y: string;
  height_cm: string;
  sex: '' | 'male' | 'female';
  dose_mg_per_kg: string;
  duration_min: string;
  end_min: string;
}

export interface PkFormError {
  field: keyof PkForm;
  message: string;
}

function num(text: string): number | null {
  const t = text.trim();
  if (!/^\d+(\.\d+)?$/.test(t)) return null;
  return Number(t);
}

export function validatePk(f: PkForm, enantiomer: 'racemic' | 'S' = 'racemic'): { request?: PkSimulateRequest; errors: PkFormError[] } {
  const errors: PkFormError[] = [];
  const weight = num(f.weight_kg);
  if (weight === null || weight < 0.2 || weight > 400) errors.push({ field: 'weight_kg', message: 'Enter the weight in kg, 0.2 to 400' });
  const age = f.age_y.trim() ? num(f.age_y) : undefined;
  if (age === null || (age !== undefined && age > 120)) errors.push({ field: 'age_y', message: 'Enter the age in whole years, 0 to 120' });
  const height = f.height_cm.trim() ? num(f.height_cm) : undefined;
  if (height === null || (height !== undefined && (height < 20 || height > 260)))
    errors.push({ field: 'height_cm', message: 'Enter the height in cm, 20 to 260' });
  const dose = num(f.dose_mg_per_kg);
  if (dose === null || dose <= 0 || dose > 20) errors.push({ field: 'dose_mg_per_kg', message: 'Enter the dose in mg/kg, above 0 and at most 20' });
  const duration = num(f.duration_min);
  if (duration === null || duration > 86400) errors.push({ field: 'duration_min', message: 'Enter the infusion time in minutes (0 for a bolus)' });
  const end = num(f.end_min);
  if (end === null || end <= 0 || end > 2880) errors.push({ field: 'end_min', message: 'Enter how long to predict, 1 to 2,880 minutes' });
  else if (duration !== null && end < duration) errors.push({ field: 'end_min', message: 'Predict at least until the infusion ends' });
  if (!f.model) errors.push({ field: 'model', message: 'Choose a model' });
  if (errors.length) return { errors };
  const patient: PkSimulateRequest['patient'] = { weight_kg: weight! };
  if (age !== undefined) patient.age_y = age!;
  if (height !== undefined) patient.height_cm = height!;
  if (f.sex) patient.sex = f.sex;
  // About 600 points whatever the window: smooth enough, small enough.
  const step = Math.max(0.1, Math.round((end! / 600) * 10) / 10);
  return {
    errors,
    request: {
      model: f.model,
      patient,
      doses: [{ start_min: 0, duration_min: duration!, amount_mg_per_kg: dose! }],
      end_min: end!,
      step_min: step,
      ...(enantiomer === 'S' ? { enantiomer: 'S' as const } : {}),
    },
  };
}

/** The server's error field ("patient.weight_kg", "doses[0].amount_mg_per_kg") as a form field. */
export function formFieldOf(serverField: string | undefined): keyof PkForm | null {
  if (!serverField) return null;
  if (serverField.startsWith('patient.weight_kg')) return 'weight_kg';
  if (serverField.startsWith('patient.age_y')) return 'age_y';
  if (serverField.startsWith('patient.height_cm')) return 'height_cm';
  if (serverField.includes('amount')) return 'dose_mg_per_kg';
  if (serverField.includes('duration_min')) return 'duration_min';
  if (serverField === 'end_min' || serverField === 'step_min') return 'end_min';
  if (serverField === 'model' || serverField === 'enantiomer') return 'model';
  return null;
}

/** The population request for the band: the same regimen and covariates (height is not a
 * population covariate), 500 simulated patients, a fixed seed (the same band each time), and the
 * clinician's stated variability when the model publishes none. Errors name cv_CL / cv_V1. */
export function populationRequest(
  simulate: PkSimulateRequest,
  cv: { CL: string; V1: string } | null,
): { request: Record<string, unknown> } | { errors: Array<{ field: string; message: string }> } {
  const { height_cm: _height, ...patient } = simulate.patient;
  const request: Record<string, unknown> = {
    model: simulate.model,
    n: 500,
    seed: 1,
    patient,
    doses: simulate.doses,
    end_min: simulate.end_min,
    step_min: simulate.step_min,
    ...(simulate.enantiomer ? { enantiomer: simulate.enantiomer } : {}),
  };
  if (cv) {
    const errors: Array<{ field: string; message: string }> = [];
    const iiv: Record<string, number> = {};
    for (const [key, label] of [['CL', 'clearance'], ['V1', 'central volume']] as const) {
      const v = num(cv[key]);
      if (v === null || v <= 0 || v > 300) errors.push({ field: `cv_${key}`, message: `Enter the ${label} CV in %, above 0 and at most 300` });
      else iiv[key] = v / 100;
    }
    if (errors.length) return { errors };
    request.iiv_cv = iiv;
  }
  return { request };
}
