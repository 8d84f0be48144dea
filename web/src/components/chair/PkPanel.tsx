// Predicted plasma and effect-site concentration of what the pump actually gave
// (GET /sessions/{id}/pk, from the recorded pump events), beside the planned curve (POST
// /pk/simulate with the plan: the planned dose over the planned duration). Both are MODEL
// PREDICTIONS in ng/mL, never measurements.
import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import { ApiError } from '../../api/client';
import { sessionPk, simulatePk } from '../../api/sessions';
import type { InfusionSession, PkCurve } from '../../api/sessions';
import type { Patient } from '../../api/types';
import { formatQuantity } from '../../format/quantity';
import { Plot } from '../chart/Plot';
import { useResource } from '../useResource';
import { Section, useNow } from './common';
import { now as serverNow } from '../../format/clock';

function ageYears(dob: string, now = serverNow()): number {
  const [y, m, d] = dob.split('-').map(Number);
  let age = now.getUTCFullYear() - (y ?? 0);
  if (now.getUTCMonth() + 1 < (m ?? 1) || (now.getUTCMonth() + 1 === m && now.getUTCDate() < (d ?? 1))) age--;
  return age;
}

export function PkPanel({ session, patient, refreshKey }: { session: InfusionSession; patient: Patient | null; refreshKey: string }) {
  const s = session;
  const hasRun = s.delivered.intervals.length > 0;
  // While the pump runs the curve of what was given grows: refetched every minute.
  const minute = Math.floor(useNow(60_000) / 60_000);
  const tick = s.state === 'running' ? minute : 0;
  const actual = useResource<PkCurve | null>(async (signal) => (hasRun ? sessionPk(s.id, signal) : null), [s.id, hasRun, refreshKey, tick]);
  const endMin = Math.ceil(Math.max(s.planned_duration_min + 120, actual.data ? actual.data.times_min[actual.data.times_min.length - 1] ?? 0 : 0));
  const planned = useResource<PkCurve | null>(
    async (signal) => {
      if (!patient || patient.weight_kg === null) return null;
      const p: Record<string, unknown> = { weight_kg: patient.weight_kg, age_y: ageYears(patient.date_of_birth) };
      if (patient.height_cm !== null) p.height_cm = patient.height_cm;
      if (patient.sex === 'male' || patient.sex === 'female') p.sex = patient.sex;
      return simulatePk(
        {
          model: actual.data?.model ?? 'domino1982',
          patient: p,
          doses: [{ start_min: 0, duration_min: s.planned_duration_min, amount_mg: s.planned_dose_mg }],
          end_min: endMin,
          step_min: 1,
        },
        signal,
      );
    },
    [s.id, patient?.id, endMin, actual.data?.model],
  );

  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      legend: { show: true, live: false },
      scales: { x: { time: false } },
      axes: [{ label: 'minutes from the start', size: 44 }, { label: 'ng/mL (predicted)', size: 60 }],
      series: [
        { label: 'min' },
        { label: 'Plasma, given (predicted)', stroke: '#1d4f6e', width: 2 },
        { label: 'Effect site, given (predicted)', stroke: '#6b2fa3', width: 2 },
        { label: 'Plasma, as planned (predicted)', stroke: '#4a5560', width: 2, dash: [6, 4] },
      ],
    }),
    [],
  );
  const data = useMemo(() => {
    const a = actual.data;
    const pl = planned.data;
    const n = Math.max(a?.times_min.length ?? 0, pl?.times_min.length ?? 0);
    const xs = Array.from({ length: n }, (_, i) => (a?.times_min[i] ?? pl?.times_min[i] ?? i) as number);
    const at = (arr: number[] | null | undefined, i: number) => (arr && i < arr.length ? arr[i]! : null);
    return [xs, xs.map((_, i) => at(a?.plasma_ng_per_ml, i)), xs.map((_, i) => at(a?.effect_ng_per_ml, i)), xs.map((_, i) => at(pl?.plasma_ng_per_ml, i))] as uPlot.AlignedData;
  }, [actual.data, planned.data]);

  const refused = actual.error instanceof ApiError ? actual.error.message : null;
  return (
    <Section id="pk-title" title="Predicted concentration (model)">
      <p class="hint">
        Model predictions ({actual.data?.model ?? planned.data?.model ?? 'domino1982'}), not measured levels: plasma and effect site from the pump events as recorded, and the planned infusion for comparison, in ng/mL.
      </p>
      {!hasRun && <p class="muted">The curve of what was given appears once the pump has run. The dashed line is the plan.</p>}
      {refused && <p class="notice notice-warn">{refused}</p>}
      {(actual.data || planned.data) && <Plot label="Predicted ketamine concentration in ng/mL over minutes from the start: given and planned" options={options} data={data} height={240} />}
      {(actual.data?.cmax_ng_per_ml !== undefined || planned.data?.cmax_ng_per_ml !== undefined) && (
        <p>
          Predicted peak (plasma): given <span class="nowrap">{formatQuantity(actual.data?.cmax_ng_per_ml ?? null, 'ng/mL')}</span>, planned{' '}
          <span class="nowrap">{formatQuantity(planned.data?.cmax_ng_per_ml ?? null, 'ng/mL')}</span>.
        </p>
      )}
    </Section>
  );
}
