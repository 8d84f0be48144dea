// PK "what if": change the dose, the infusion time or the model and see the plasma and effect-site
// concentrations the published model predicts (POST /api/v1/pk/simulate, the same engine as
// `kit pk simulate`). Every number here is a MODEL PREDICTION in ng/mL, never a measured level;
// the model's cautions and warnings are shown with it. Opened from a chart (?patient=N), the
// patient's weight, age, height and sex fill the form.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import { getPatient } from '../../api/patients';
import { listPkModels, populationPk, simulatePk } from '../../api/physician';
import type { PkCurve, PkModel, PkPopulation } from '../../api/types';
import { interpolate } from '../../components/chart/interpolate';
import { CurvePlot } from '../../components/chart/CurvePlot';
import { ErrorSummary, fieldId, type FieldError } from '../../components/ErrorSummary';
import { TextField } from '../../components/Fields';
import { LoadError, Skeleton, describeError } from '../../components/Status';
import { DataTable } from '../../components/Table';
import { useResource } from '../../components/useResource';
import { formatQuantity } from '../../format/quantity';
import { Link, useLocation } from '../../router';
import { formFieldOf, populationRequest, validatePk, type PkForm } from './pkForm';
import { now as serverNow } from '../../format/clock';

const DEFAULTS: PkForm = {
  model: 'domino1982',
  weight_kg: '70',
  age_y: '40',
  height_cm: '',
  sex: '',
  dose_mg_per_kg: '0.5',
  duration_min: '40',
  end_min: '240',
};

function ageYears(dob: string): number {
  const [y, m, d] = dob.split('-').map(Number);
  const now = serverNow();
  let age = now.getUTCFullYear() - y!;
  if (now.getUTCMonth() + 1 < m! || (now.getUTCMonth() + 1 === m! && now.getUTCDate() < d!)) age -= 1;
  return age;
}

export default function PkWhatIf() {
  const { search } = useLocation();
  const patientId = Number(search.get('patient')) || null;
  const setup = useResource(
    async (signal) => {
      const [models, patient] = await Promise.all([listPkModels(signal), patientId ? getPatient(patientId, signal) : Promise.resolve(null)]);
      return { models, patient };
    },
    [patientId],
  );
  const [form, setForm] = useState<PkForm>(DEFAULTS);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [focusKey, setFocusKey] = useState(0);
  const [result, setResult] = useState<Run | null>(null);
  const [previous, setPrevious] = useState<Run | null>(null);
  const [band, setBand] = useState(false);
  const [cv, setCv] = useState({ CL: '', V1: '' });
  const [busy, setBusy] = useState(false);

  // The patient's own covariates, once loaded.
  useEffect(() => {
    const p = setup.data?.patient;
    if (!p) return;
    setForm((f) => ({
      ...f,
      weight_kg: p.weight_kg !== null ? String(p.weight_kg) : f.weight_kg,
      height_cm: p.height_cm !== null ? String(p.height_cm) : f.height_cm,
      age_y: String(ageYears(p.date_of_birth)),
      sex: p.sex === 'male' || p.sex === 'female' ? p.sex : f.sex,
    }));
  }, [setup.data?.patient]);

  const models = setup.data?.models ?? [];
  const model = models.find((m) => m.id === form.model);
  const set = (k: keyof PkForm) => (v: string) => setForm((f) => ({ ...f, [k]: v }));

  async function run(e?: Event) {
    e?.preventDefault();
    const { request, errors: errs } = validatePk(form, model?.enantiomer ?? 'racemic');
    if (!request) {
      setErrors(errs);
      setFocusKey((k) => k + 1);
      return;
    }
    const needsCv = band && (model?.iiv.length ?? 0) === 0;
    const pop = band ? populationRequest(request, needsCv ? cv : null) : null;
    if (pop && 'errors' in pop) {
      setErrors(pop.errors);
      setFocusKey((k) => k + 1);
      return;
    }
    setBusy(true);
    setErrors([]);
    try {
      const [curve, population] = await Promise.all([simulatePk(request), pop ? populationPk(pop.request) : Promise.resolve(null)]);
      // "Before" is the last different regimen, not the same one run again.
      if (result && JSON.stringify(result.form) !== JSON.stringify(form)) setPrevious(result);
      setResult({ curve, population, form: { ...form } });
    } catch (err) {
      const field = err instanceof ApiError ? (err.field?.startsWith('iiv_cv') ? 'cv_CL' : formFieldOf(err.field)) : null;
      setErrors([{ field, message: err instanceof Error ? describeError(err) : String(err) }]);
      setFocusKey((k) => k + 1);
    } finally {
      setBusy(false);
    }
  }
  const errorOf = (f: string) => errors.find((x) => x.field === f)?.message;
  const published = model?.iiv ?? [];

  return (
    <>
      <div class="page-head">
        <h1>PK what-if</h1>
        <p class="subtitle">
          Predicted ketamine concentrations for a regimen: <strong>model predictions, not measured levels</strong>.
        </p>
      </div>
      {setup.status === 'error' && <LoadError error={setup.error} retry={setup.reload} />}
      {!setup.data && setup.status === 'loading' && <Skeleton label="the PK models" />}
      {setup.data && (
        <div class="pk-layout">
          <form class="card pk-form" onSubmit={run} noValidate aria-label="Regimen and patient">
            <ErrorSummary errors={errors} focusKey={focusKey} />
            {setup.data.patient && (
              <p class="hint">
                Covariates of{' '}
                <Link href={`/patients/chart?patient=${setup.data.patient.id}`}>
                  {setup.data.patient.family_name}, {setup.data.patient.given_name}
                </Link>
                .
              </p>
            )}
            <div class={'field' + (errorOf('model') ? ' field-has-error' : '')}>
              <label for={fieldId('model')}>Model</label>
              {errorOf('model') && <p class="field-error">{errorOf('model')}</p>}
              <select id={fieldId('model')} class="input" value={form.model} onChange={(e) => set('model')((e.currentTarget as HTMLSelectElement).value)}>
                {models.map((m) => (
                  <option key={m.id} value={m.id}>
                    {modelLabel(m)}
                  </option>
                ))}
              </select>
            </div>
            <div class="pk-grid">
              <TextField name="dose_mg_per_kg" label="Dose (mg/kg)" inputMode="decimal" value={form.dose_mg_per_kg} onInput={set('dose_mg_per_kg')} error={errorOf('dose_mg_per_kg')} />
              <TextField name="duration_min" label="Infusion time (min, 0 = bolus)" inputMode="decimal" value={form.duration_min} onInput={set('duration_min')} error={errorOf('duration_min')} />
              <TextField name="end_min" label="Predict until (min)" inputMode="numeric" value={form.end_min} onInput={set('end_min')} error={errorOf('end_min')} />
              <TextField name="weight_kg" label="Weight (kg)" inputMode="decimal" value={form.weight_kg} onInput={set('weight_kg')} error={errorOf('weight_kg')} />
              <TextField name="age_y" label="Age (years)" inputMode="numeric" value={form.age_y} onInput={set('age_y')} error={errorOf('age_y')} />
              <TextField name="height_cm" label="Height (cm, optional)" inputMode="numeric" value={form.height_cm} onInput={set('height_cm')} error={errorOf('height_cm')} />
            </div>
            <div class="field">
              <label for={fieldId('sex')}>Sex (if the model uses it)</label>
              <select id={fieldId('sex')} class="input" value={form.sex} onChange={(e) => set('sex')((e.currentTarget as HTMLSelectElement).value)}>
                <option value="">Not given</option>
                <option value="female">Female</option>
                <option value="male">Male</option>
              </select>
            </div>
            <fieldset class="field">
              <legend>Population</legend>
              <div class="checkbox">
                <input type="checkbox" id={fieldId('band')} checked={band} onChange={(e) => setBand((e.currentTarget as HTMLInputElement).checked)} />
                <label for={fieldId('band')}>Show the 5–95 % band (500 simulated patients like this one)</label>
              </div>
              {band &&
                (published.length > 0 ? (
                  <p class="hint">
                    Variability: the model's published values ({published.map((p) => `${p.param} ${Math.round(p.cv * 100)}%`).join(', ')}).
                  </p>
                ) : (
                  <>
                    <p class="hint">This model has no published variability: state the one to assume (CV, %).</p>
                    <div class="pk-grid">
                      <TextField name="cv_CL" label="Clearance CV (%)" inputMode="decimal" value={cv.CL} onInput={(v) => setCv((c) => ({ ...c, CL: v }))} error={errorOf('cv_CL')} />
                      <TextField name="cv_V1" label="Central volume CV (%)" inputMode="decimal" value={cv.V1} onInput={(v) => setCv((c) => ({ ...c, V1: v }))} error={errorOf('cv_V1')} />
                    </div>
                  </>
                ))}
            </fieldset>
            <button type="submit" class="button" disabled={busy}>
              {busy ? 'Predicting…' : 'Show prediction'}
            </button>
          </form>
          <div class="pk-result">
            {model && <ModelNotes model={model} />}
            <div aria-live="polite">
              {result ? (
                <Result current={result} previous={previous} />
              ) : (
                <p class="empty">Set a regimen and choose “Show prediction”.</p>
              )}
            </div>
          </div>
        </div>
      )}
    </>
  );
}

function modelLabel(m: PkModel): string {
  const who = m.citation.split(/[.,(]/)[0]?.trim() ?? m.id;
  return `${who} (${m.id}, ${m.population}${m.enantiomer === 'S' ? ', S-ketamine' : ''})`;
}

function ModelNotes({ model }: { model: PkModel }) {
  const notes = [model.special_population, ...(model.cautions ?? [])].filter((t): t is string => !!t);
  return (
    <div class="card pk-model">
      <p class="hint">Model: {model.citation}</p>
      {!model.has_effect_site && <p class="hint">This model has no effect site: plasma only.</p>}
      {notes.length > 0 && (
        <ul class="findings">
          {notes.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      )}
    </div>
  );
}

function describeRegimen(f: PkForm) {
  return `${formatQuantity(Number(f.dose_mg_per_kg), 'mg/kg')} over ${formatQuantity(Number(f.duration_min), 'min')}, ${f.model}, ${formatQuantity(Number(f.weight_kg), 'kg')}`;
}

interface Run {
  curve: PkCurve;
  population: PkPopulation | null;
  form: PkForm;
}

function Result({ current, previous }: { current: Run; previous: Run | null }) {
  const c = current.curve;
  const pop = current.population;
  const curve = useMemo(
    () => ({
      times_min: c.times_min,
      plasma: c.plasma_ng_per_ml,
      effect: c.effect_ng_per_ml,
      band: pop
        ? {
            p5: interpolate(pop.curve_times_min, pop.curve_p5_ng_per_ml, c.times_min),
            p95: interpolate(pop.curve_times_min, pop.curve_p95_ng_per_ml, c.times_min),
          }
        : null,
    }),
    [c, pop],
  );
  const peakEffect = c.effect_ng_per_ml ? Math.max(...c.effect_ng_per_ml) : null;
  const summary =
    `Predicted for ${describeRegimen(current.form)}: total ${formatQuantity(c.total_dose_mg, 'mg')}; ` +
    `plasma peak ${formatQuantity(c.cmax_ng_per_ml, 'ng/mL')} at ${formatQuantity(c.tmax_min, 'min')}` +
    (peakEffect !== null ? `; effect-site peak ${formatQuantity(peakEffect, 'ng/mL')}` : '') +
    '.' +
    (pop
      ? ` Population of ${pop.n.toLocaleString('en-US')} (${pop.iiv_origin === 'model' ? 'published' : 'stated'} variability): plasma peak ` +
        `5th to 95th percentile ${formatQuantity(pop.cmax_ng_per_ml.p5, 'ng/mL')} to ${formatQuantity(pop.cmax_ng_per_ml.p95, 'ng/mL')}, ` +
        `median ${formatQuantity(pop.cmax_ng_per_ml.p50, 'ng/mL')}.`
      : '');
  // A few rows for the table: every 30 minutes (and the peak), not 600 samples.
  const rows = useMemo(() => {
    const out: number[] = [];
    let next = 0;
    c.times_min.forEach((t, i) => {
      if (t >= next - 1e-9) {
        out.push(i);
        next = t + 30;
      }
    });
    return out;
  }, [c]);
  return (
    <section class="card" aria-labelledby="pk-result-title">
      <h2 id="pk-result-title">Model prediction</h2>
      <p>{summary}</p>
      {previous && (
        <p class="muted">
          Before: {describeRegimen(previous.form)}: plasma peak {formatQuantity(previous.curve.cmax_ng_per_ml, 'ng/mL')} at{' '}
          {formatQuantity(previous.curve.tmax_min, 'min')}.
        </p>
      )}
      {c.extrapolation && <p class="notice notice-crisis">Outside the model's studied range: {c.extrapolation}</p>}
      {c.warnings.length > 0 && (
        <ul class="notice notice-crisis findings" aria-label="Model warnings">
          {c.warnings.map((w, i) => (
            <li key={i}>{w}</li>
          ))}
        </ul>
      )}
      <CurvePlot label={`Predicted ketamine concentration over time (model prediction). ${summary}`} curve={curve} />
      <details>
        <summary>Predicted concentrations as a table</summary>
        <DataTable
          caption="Predicted concentrations (model prediction)"
          head={pop ? ['Minute', 'Plasma', 'Effect site', 'Population 5th–95th'] : ['Minute', 'Plasma', 'Effect site']}
        >
          {rows.map((i) => (
            <tr key={i}>
              <td>{formatQuantity(c.times_min[i]!, 'min')}</td>
              <td class="nowrap">{formatQuantity(c.plasma_ng_per_ml[i]!, 'ng/mL')}</td>
              <td class="nowrap">{c.effect_ng_per_ml ? formatQuantity(c.effect_ng_per_ml[i]!, 'ng/mL') : '—'}</td>
              {pop && (
                <td class="nowrap">
                  {formatQuantity(curve.band!.p5[i] ?? NaN, 'ng/mL')} to {formatQuantity(curve.band!.p95[i] ?? NaN, 'ng/mL')}
                </td>
              )}
            </tr>
          ))}
        </DataTable>
      </details>
    </section>
  );
}
