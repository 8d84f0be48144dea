import { describe, expect, it } from 'vitest';
import { formFieldOf, validatePk, type PkForm } from './pkForm';

const good: PkForm = {
  model: 'domino1982',
  weight_kg: '70',
  age_y: '40',
  height_cm: '',
  sex: '',
  dose_mg_per_kg: '0.5',
  duration_min: '40',
  end_min: '240',
};

describe('validatePk', () => {
  it('builds the simulate request from good input', () => {
    const { request, errors } = validatePk(good);
    expect(errors).toEqual([]);
    expect(request).toEqual({
      model: 'domino1982',
      patient: { weight_kg: 70, age_y: 40 },
      doses: [{ start_min: 0, duration_min: 40, amount_mg_per_kg: 0.5 }],
      end_min: 240,
      step_min: 0.4,
    });
  });
  it('names each bad field, never guessing a number from a slip', () => {
    const { request, errors } = validatePk({ ...good, weight_kg: '7O', dose_mg_per_kg: '.5.', end_min: '20' });
    expect(request).toBeUndefined();
    expect(errors.map((e) => e.field)).toEqual(['weight_kg', 'dose_mg_per_kg', 'end_min']);
  });
  it('refuses a dose above the engine bound of 20 mg/kg', () => {
    expect(validatePk({ ...good, dose_mg_per_kg: '25' }).errors.map((e) => e.field)).toEqual(['dose_mg_per_kg']);
  });
  it('asks for the S enantiomer on an S-ketamine model', () => {
    expect(validatePk(good, 'S').request?.enantiomer).toBe('S');
  });
});

describe('formFieldOf', () => {
  it('maps the server fields to the form', () => {
    expect(formFieldOf('patient.age_y')).toBe('age_y');
    expect(formFieldOf('doses[0].amount_mg_per_kg')).toBe('dose_mg_per_kg');
    expect(formFieldOf('model')).toBe('model');
    expect(formFieldOf(undefined)).toBeNull();
  });
});

import { populationRequest } from './pkForm';

describe('populationRequest', () => {
  const sim = validatePk({ ...good, height_cm: '170' }).request!;
  it('keeps the regimen, drops height and uses the published variability when none is stated', () => {
    const r = populationRequest(sim, null);
    expect('request' in r && r.request).toMatchObject({ model: 'domino1982', n: 500, seed: 1, patient: { weight_kg: 70, age_y: 40 } });
    expect('request' in r && 'iiv_cv' in r.request).toBe(false);
    expect('request' in r && (r.request.patient as Record<string, unknown>).height_cm).toBeUndefined();
  });
  it('turns stated CV % into fractions and names a bad one', () => {
    const ok = populationRequest(sim, { CL: '30', V1: '25.5' });
    expect('request' in ok && ok.request.iiv_cv).toEqual({ CL: 0.3, V1: 0.255 });
    const bad = populationRequest(sim, { CL: '', V1: '400' });
    expect('errors' in bad && bad.errors.map((e) => e.field)).toEqual(['cv_CL', 'cv_V1']);
  });
});
