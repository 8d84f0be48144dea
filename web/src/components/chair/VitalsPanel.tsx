// Vital signs at the chair: when the next reading is due (the session's vitals_schedule), the
// entry form (nothing pre-filled: never last time's numbers), the server's action shown at once,
// the history with corrections, and plots with the threshold lines the server applies
// (GET /vitals/thresholds).
import { useEffect, useMemo, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import type { ChairWrite, Vital, VitalPoint, VitalReason, VitalThreshold } from '../../api/sessions';
import { formatQuantity } from '../../format/quantity';
import { timeIn } from '../../format/time';
import { ACTION_LABEL, POINT_LABEL, words } from '../../screens/chair/labels';
import { Plot } from '../chart/Plot';
import type { Threshold } from '../chart/Plot';
import { CorrectButton, CorrectionNote } from './Corrections';
import { drawThresholds } from './thresholdLines';
import { Section, errorText, parseReading, useNow } from './common';
import type { ChairContext } from './common';

const FIELDS = [
  { key: 'sbp_mmhg', label: 'Systolic BP', unit: 'mmHg' as const },
  { key: 'dbp_mmhg', label: 'Diastolic BP', unit: 'mmHg' as const },
  { key: 'hr_bpm', label: 'Heart rate', unit: 'bpm' as const },
  { key: 'spo2_percent', label: 'SpO2', unit: '%' as const },
  { key: 'rr_per_min', label: 'Respiratory rate', unit: 'breaths/min' as const },
];


export interface Due {
  text: string;
  overdue: boolean;
}

/** The next reading due from the session's schedule (minutes from start, plus fixed points). */
export function nextDue(ctx: ChairContext, now: number): Due | null {
  const s = ctx.session;
  const active = s.vitals.filter((v) => v.status === 'active');
  if (s.state === 'planned') {
    return active.some((v) => v.point === 'baseline') ? null : { text: 'Baseline vitals are due before the start.', overdue: true };
  }
  if (s.state === 'stopped') {
    return active.some((v) => v.point === 'discharge') ? null : { text: 'Discharge vitals are due before discharge.', overdue: false };
  }
  if (!s.started_at || (s.state !== 'running' && s.state !== 'paused')) return null;
  const start = Date.parse(s.started_at);
  const points = s.vitals_schedule.due_minutes_from_start.filter((p): p is number => typeof p === 'number');
  const during = active.filter((v) => v.point !== 'baseline').map((v) => Date.parse(v.at));
  const elapsedMin = (now - start) / 60_000;
  // A point counts as taken by any reading within half an interval before it, or after it.
  const slack = s.vitals_schedule.interval_min / 2;
  for (const p of points) {
    const taken = during.some((t) => t >= start + (p - slack) * 60_000);
    if (taken) continue;
    const dueAt = start + p * 60_000;
    if (p <= elapsedMin) {
      return { text: `Vitals overdue: the ${p}-minute reading was due at ${timeIn(ctx.tz, new Date(dueAt).toISOString())}.`, overdue: true };
    }
    return { text: `Next vitals due at ${timeIn(ctx.tz, new Date(dueAt).toISOString())} (${p} minutes after the start, in ${Math.ceil(p - elapsedMin)} min).`, overdue: false };
  }
  return null;
}

function suggestedPoint(state: string): VitalPoint {
  if (state === 'planned') return 'baseline';
  if (state === 'stopped') return 'recovery';
  return 'interval';
}

export function VitalsPanel({ ctx, thresholds }: { ctx: ChairContext; thresholds: VitalThreshold[] | null }) {
  const s = ctx.session;
  const now = useNow(15_000);
  const due = nextDue(ctx, now);
  const [values, setValues] = useState<Record<string, string>>({});
  const [point, setPoint] = useState<VitalPoint>(suggestedPoint(s.state));
  // The point follows the infusion (baseline -> during -> recovery) unless the nurse picks one.
  useEffect(() => setPoint(suggestedPoint(s.state)), [s.state]);
  const [consciousness, setConsciousness] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [answer, setAnswer] = useState<{ action: string; reasons: VitalReason[]; alert: { severity: string } | null } | null>(null);
  const open = s.state !== 'discharged' && s.state !== 'voided';

  const parsed: Record<string, number> = {};
  const bad: string[] = [];
  for (const f of FIELDS) {
    const t = values[f.key] ?? '';
    if (!t) continue;
    const v = parseReading(t);
    if (v === null) bad.push(f.key);
    else parsed[f.key] = v;
  }
  const body: Record<string, unknown> = { point, ...parsed };
  if (consciousness) body.consciousness = consciousness;
  const empty = Object.keys(parsed).length === 0 && !consciousness;

  async function submit(e: Event) {
    e.preventDefault();
    if (bad.length || empty) {
      setError(empty ? 'Enter at least one reading.' : 'Some readings are not numbers: check the fields marked.');
      return;
    }
    setBusy(true);
    setError(null);
    setAnswer(null);
    const write: ChairWrite = { method: 'POST', path: `/sessions/${s.id}/vitals`, body };
    try {
      const a = await ctx.send<{ action: string; reasons: VitalReason[]; alert: { severity: string } | null }>(`Vitals (${words(point)})`, write);
      setAnswer(a.data);
      setValues({});
      setConsciousness('');
      ctx.reload();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Section id="vitals-title" title="Vital signs">
      {due && (
        <p class={'due ' + (due.overdue ? 'due-overdue' : '')} role="status">
          <span aria-hidden="true">{due.overdue ? '⚠ ' : '◷ '}</span>
          {due.text}
        </p>
      )}
      {answer && open && (
        <div class={'vital-answer action-' + answer.action} role="alert">
          <p class="vital-answer-action">
            <span aria-hidden="true">{answer.action === 'continue' ? '✓ ' : '▲ '}</span>
            Server's action: <strong>{ACTION_LABEL[answer.action] ?? words(answer.action)}</strong>
          </p>
          {answer.reasons.length > 0 && (
            <ul>
              {answer.reasons.map((r, i) => (
                <li key={i}>
                  {words(r.vital)} {r.value} is {words(r.comparison)} {r.limit} → {words(r.action)}
                </li>
              ))}
            </ul>
          )}
          {answer.alert && <p>An alert ({answer.alert.severity}) was raised for the physician.</p>}
        </div>
      )}
      {open && (
        <form class="vitals-form" onSubmit={submit} noValidate>
          <div class="field">
            <label for="field-point">Reading taken at</label>
            <select id="field-point" class="input input-medium" value={point} onChange={(e) => setPoint((e.currentTarget as HTMLSelectElement).value as VitalPoint)}>
              {Object.entries(POINT_LABEL).map(([k, l]) => (
                <option key={k} value={k}>
                  {l}
                </option>
              ))}
            </select>
          </div>
          <div class="vitals-grid">
            {FIELDS.map((f) => {
              const t = values[f.key] ?? '';
              const isBad = bad.includes(f.key);
              return (
                <div class={'field' + (isBad ? ' field-has-error' : '')} key={f.key}>
                  <label for={`field-${f.key}`}>
                    {f.label} <span class="unit">({f.unit})</span>
                  </label>
                  <input
                    id={`field-${f.key}`}
                    class="input input-vital"
                    inputMode="decimal"
                    autocomplete="off"
                    value={t}
                    aria-invalid={isBad ? 'true' : undefined}
                    aria-describedby={`field-${f.key}-echo`}
                    onInput={(e) => setValues({ ...values, [f.key]: (e.currentTarget as HTMLInputElement).value })}
                  />
                  <span class="echo" id={`field-${f.key}-echo`}>
                    {t ? (isBad ? 'not a number' : formatQuantity(parsed[f.key], f.unit)) : ''}
                  </span>
                </div>
              );
            })}
            <div class="field">
              <label for="field-consciousness">Consciousness</label>
              <select id="field-consciousness" class="input" value={consciousness} onChange={(e) => setConsciousness((e.currentTarget as HTMLSelectElement).value)}>
                <option value="">Not assessed</option>
                <option value="fully_awake">Fully awake</option>
                <option value="arousable_on_calling">Arousable on calling</option>
                <option value="not_responding">Not responding</option>
              </select>
            </div>
          </div>
          {error && (
            <p class="notice notice-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" class="button" disabled={busy}>
            {busy ? 'Recording…' : 'Record vitals'}
          </button>
        </form>
      )}
      <VitalsHistory ctx={ctx} />
      <VitalsPlots vitals={s.vitals} thresholds={thresholds} tz={ctx.tz} />
    </Section>
  );
}

function VitalsHistory({ ctx }: { ctx: ChairContext }) {
  const s = ctx.session;
  if (!s.vitals.length) return <p class="muted">No vitals recorded yet.</p>;
  return (
    <div class="table-wrap" role="region" aria-label="Vitals recorded" tabIndex={0}>
      <table class="table table-vitals">
        <caption class="visually-hidden">Vitals recorded</caption>
        <thead>
          <tr>
            <th scope="col">Time, point</th>
            <th scope="col">BP (mmHg)</th>
            <th scope="col">HR (bpm)</th>
            <th scope="col">SpO2 (%)</th>
            <th scope="col">RR (/min)</th>
            <th scope="col">Action</th>
            <th scope="col">
              <span class="visually-hidden">Correction</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {s.vitals.map((v) => (
            <VitalRow key={v.id} v={v} ctx={ctx} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function VitalRow({ v, ctx }: { v: Vital; ctx: ChairContext }) {
  const struck = v.status !== 'active';
  const cell = (x: string) => (struck ? <del>{x}</del> : x);
  const n = (x: number | null) => (x === null ? '—' : String(x));
  return (
    <tr class={struck ? 'row-corrected' : ''}>
      <td>
        <span class="nowrap">{cell(timeIn(ctx.tz, v.at))}</span> <span class="vital-point">{cell(words(v.point))}</span>
        {v.amends_id && <span class="tag tag-amend">amends #{v.amends_id}</span>}
      </td>
      <td class="nowrap">{cell(`${n(v.sbp_mmhg)}/${n(v.dbp_mmhg)}`)}</td>
      <td>{cell(n(v.hr_bpm))}</td>
      <td>{cell(n(v.spo2_percent))}</td>
      <td>{cell(n(v.rr_per_min))}</td>
      <td>
        {cell(words(v.action))}
        {struck && <CorrectionNote status={v.status} correction={v.correction} />}
      </td>
      <td>
        {!struck && (
          <CorrectButton
            ctx={ctx}
            collection="vitals"
            entryId={v.id}
            what={`vitals of ${timeIn(ctx.tz, v.at)}`}
            amendFields={FIELDS.map((f) => ({ key: f.key, label: `${f.label} (${f.unit})`, value: v[f.key as keyof Vital] as number | null }))}
            amendBase={{ point: v.point, ...(v.consciousness ? { consciousness: v.consciousness } : {}) }}
          />
        )}
      </td>
    </tr>
  );
}

const ACTION_COLOR: Record<string, string> = {
  slow: '#8a6d00',
  pause: '#b35c00',
  stop: '#b3261e',
  call_physician: '#7a0b0b',
};

function linesFor(thresholds: VitalThreshold[] | null, vitals: string[], short: Record<string, string>): Array<Threshold & { words: string }> {
  if (!thresholds) return [];
  return thresholds
    .filter((t) => vitals.includes(t.vital))
    .map((t) => ({
      value: t.limit,
      label: `${short[t.vital]} ${t.comparison.includes('above') ? '>' : '<'}${t.comparison.startsWith('at_') ? '=' : ''} ${t.limit}: ${words(t.action)}`,
      words: `${short[t.vital]} ${words(t.comparison)} ${t.limit} ${t.unit}: ${words(t.action)}`,
      color: ACTION_COLOR[t.action] ?? '#4a5560',
    }));
}

function VitalsPlots({ vitals, thresholds, tz }: { vitals: Vital[]; thresholds: VitalThreshold[] | null; tz: string }) {
  const active = vitals.filter((v) => v.status === 'active');
  const xs = active.map((v) => Date.parse(v.at) / 1000);
  const bpLines = useMemo(() => linesFor(thresholds, ['sbp_mmhg', 'dbp_mmhg'], { sbp_mmhg: 'SBP', dbp_mmhg: 'DBP' }), [thresholds]);
  const hrLines = useMemo(() => linesFor(thresholds, ['hr_bpm'], { hr_bpm: 'HR' }), [thresholds]);
  const spo2Lines = useMemo(() => linesFor(thresholds, ['spo2_percent'], { spo2_percent: 'SpO2' }), [thresholds]);
  const bp = useMemo(() => options('mmHg', [{ label: 'Systolic', stroke: '#1d4f6e' }, { label: 'Diastolic', stroke: '#6b2fa3', dash: [4, 3] }], bpLines, tz), [bpLines, tz]);
  const hr = useMemo(() => options('bpm', [{ label: 'Heart rate', stroke: '#1e6b3a' }], hrLines, tz), [hrLines, tz]);
  const sp = useMemo(() => options('%', [{ label: 'SpO2', stroke: '#1d4f6e' }], spo2Lines, tz), [spo2Lines, tz]);
  if (active.length === 0) return null;
  const col = (k: keyof Vital) => active.map((v) => (v[k] as number | null) ?? null);
  return (
    <div class="plots">
      <figure class="plot-figure">
        <figcaption>Blood pressure (mmHg) with the server's threshold lines</figcaption>
        <Plot label="Blood pressure over time; values are in the table above" options={bp} data={[xs, col('sbp_mmhg'), col('dbp_mmhg')] as uPlot.AlignedData} height={220} />
        <LineList lines={bpLines} />
      </figure>
      <figure class="plot-figure">
        <figcaption>Heart rate (bpm)</figcaption>
        <Plot label="Heart rate over time; values are in the table above" options={hr} data={[xs, col('hr_bpm')] as uPlot.AlignedData} height={180} />
        <LineList lines={hrLines} />
      </figure>
      <figure class="plot-figure">
        <figcaption>SpO2 (%)</figcaption>
        <Plot label="Oxygen saturation over time; values are in the table above" options={sp} data={[xs, col('spo2_percent')] as uPlot.AlignedData} height={180} />
        <LineList lines={spo2Lines} />
      </figure>
    </div>
  );
}

function LineList({ lines }: { lines: Array<{ words: string }> }) {
  if (!lines.length) return null;
  return <p class="line-list">Lines (the server's vitals policy): {lines.map((l) => l.words).join('; ')}.</p>;
}

function options(unit: string, series: Array<{ label: string; stroke: string; dash?: number[] }>, lines: Threshold[], tz: string): Omit<uPlot.Options, 'width' | 'height'> {
  return {
    tzDate: (ts: number) => tzDate(ts, tz),
    legend: { show: true, live: false },
    hooks: { draw: [drawThresholds(lines)] },
    scales: {
      x: { time: true },
      y: {
        range: (_u: uPlot, min: number, max: number) => {
          const all = [min, max, ...lines.map((l) => l.value)].filter((v) => Number.isFinite(v));
          const lo = Math.min(...all);
          const hi = Math.max(...all);
          const pad = Math.max(5, (hi - lo) * 0.08);
          return [Math.floor(lo - pad), Math.ceil(hi + pad)];
        },
      },
    },
    axes: [{ values: (_u: uPlot, splits: number[]) => clockLabels(splits, tz) }, { label: unit, size: 56 }],
    series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, dash: s.dash, points: { show: true, size: 7 }, spanGaps: true }))],
  };
}

/** Axis labels on the clinic's clock: HH:MM, with seconds when the splits are under a minute apart. */
function clockLabels(splits: number[], tz: string): string[] {
  const step = splits.length > 1 ? Math.abs(splits[1]! - splits[0]!) : 60;
  const f = new Intl.DateTimeFormat('en-GB', { timeZone: tz, hour: '2-digit', minute: '2-digit', second: step < 60 ? '2-digit' : undefined, hourCycle: 'h23' });
  return splits.map((v) => f.format(new Date(v * 1000)));
}

/** A Date whose local fields read as the clinic's wall clock (uPlot formats local fields). */
export function tzDate(ts: number, tz: string): Date {
  const d = new Date(ts * 1000);
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(d);
  const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
  return new Date(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
}

