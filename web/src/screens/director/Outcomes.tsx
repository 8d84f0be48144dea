// The director's outcomes screen (issue 12 §3): the clinic's outcomes per indication and protocol
// as plots first (responder and remission bars with 95 % Wilson intervals, Kaplan-Meier durability
// with its Greenwood band, change from baseline, response by infusion number, pain, MME, safety per
// 100 infusions), the numbers as tables on demand, filters and a CSV download. Aggregates only
// (GET /api/v1/analytics/outcomes); groups of fewer than 5 patients come back suppressed for
// directors and admins and are explained here (docs/adr/0026-director-role-and-small-cells.md).
import { useEffect, useMemo, useState } from 'preact/hooks';
import { clinicReportHref, outcomes, outcomesCsvHref } from '../../api/analytics';
import type { FilterQuery, InstrumentOutcomes, OutcomeAnalytics, OutcomeGroup, Proportion, Summary } from '../../api/analytics';
import { ApiError } from '../../api/client';
import { BarIntervalPlot } from '../../components/chart/BarIntervalPlot';
import type { BarSeries } from '../../components/chart/BarIntervalPlot';
import { KmPlot } from '../../components/chart/KmPlot';
import type { KmSeries } from '../../components/chart/KmPlot';
import { TrajectoryPlot } from '../../components/chart/TrajectoryPlot';
import { ErrorSummary, fieldId } from '../../components/ErrorSummary';
import type { FieldError } from '../../components/ErrorSummary';
import { TextField } from '../../components/Fields';
import { Empty, LoadError, Skeleton } from '../../components/Status';
import { DataTable } from '../../components/Table';
import { useResource } from '../../components/useResource';
import { NO_VALUE, formatNumber, formatQuantity } from '../../format/quantity';
import { longDate } from '../../format/time';
import './director.css';

const INDICATION_LABEL: Record<string, string> = {
  depression: 'Depression',
  ptsd: 'PTSD',
  ocd: 'OCD',
  chronic_pain: 'Chronic pain',
  other: 'Other',
};
const INSTRUMENT_LABEL: Record<string, string> = {
  phq9: 'PHQ-9',
  gad7: 'GAD-7',
  pcl5: 'PCL-5',
  madrs: 'MADRS',
  qids_sr16: 'QIDS-SR16',
  ybocs: 'Y-BOCS',
  nrs: 'Pain NRS',
  bpi_severity: 'BPI severity',
};
const PAIN = new Set(['nrs', 'bpi_severity']);
// Colour-blind-safe pair (Okabe-Ito blue and vermilion) with text labels in every legend.
const BLUE = '#0072b2';
const ORANGE = '#d55e00';
const GREY = '#6b6b6b';
const GREEN = '#009e73';
const BAND = ['rgba(0, 114, 178, 0.18)', 'rgba(213, 94, 0, 0.18)', 'rgba(0, 158, 115, 0.18)'];
const KM_COLORS = [BLUE, ORANGE, GREEN];
// Below this many evaluable courses a rate is a handful of people: said in words beside it.
const SMALL_SAMPLE = 10;

const instrumentName = (id: string) => INSTRUMENT_LABEL[id] ?? id.toUpperCase();
const indicationName = (id: string) => INDICATION_LABEL[id] ?? id;
const pct = (share: number | null | undefined) => (share === null || share === undefined ? NO_VALUE : formatQuantity(share * 100, '%'));

/** "4 of 5: 80% (95% CI 38% to 96%)" */
export function proportionText(p: Proportion): string {
  if (p.n === 0) return 'none to count';
  const ci = p.lower !== null && p.upper !== null ? ` (95% CI ${pct(p.lower)} to ${pct(p.upper)})` : '';
  return `${p.count} of ${p.n}: ${pct(p.share)}${ci}`;
}

const points = (v: number | null) => (v === null ? NO_VALUE : formatNumber(v, 1));
const days = (v: number | null) => (v === null ? NO_VALUE : `${formatNumber(v, 0)} days`);
const percentTick = (v: number) => `${formatNumber(v, 0)}%`;

function summaryText(s: Summary, unit: (v: number | null) => string): string {
  if (s.n === 0) return 'no data';
  return `median ${unit(s.median)} (IQR ${unit(s.q1)} to ${unit(s.q3)}), n = ${s.n}`;
}

function shareSeries(label: string, color: string, list: (Proportion | null)[]): BarSeries {
  return {
    label,
    color,
    values: list.map((p) => (p && p.share !== null ? p.share * 100 : null)),
    lower: list.map((p) => (p && p.lower !== null ? p.lower * 100 : null)),
    upper: list.map((p) => (p && p.upper !== null ? p.upper * 100 : null)),
  };
}

function Figure({ id, title, children, note }: { id: string; title: string; children: preact.ComponentChildren; note?: preact.ComponentChildren }) {
  return (
    <figure class="director-figure" aria-labelledby={id}>
      <figcaption id={id} class="director-figure-title">
        {title}
      </figcaption>
      {children}
      {note && <p class="hint director-figure-note">{note}</p>}
    </figure>
  );
}

function GroupSection({ g, index, protocolName }: { g: OutcomeGroup; index: number; protocolName: string }) {
  const title = `${indicationName(g.indication)}: ${protocolName}`;
  const head = `group-${index}`;
  if (g.suppressed) {
    return (
      <section class="section director-group" aria-labelledby={head}>
        <h2 id={head}>{title}</h2>
        <p class="notice" role="note">
          Fewer than 5 patients in this group: its figures are not shown, so that no number points to one person. A physician can
          review these patients' records.
        </p>
      </section>
    );
  }
  const instruments = g.instruments ?? [];
  const names = instruments.map((o) => instrumentName(o.instrument));
  const safety = g.safety!;
  const kinds = Object.keys(safety.by_kind).sort();
  const pain = instruments.filter((o) => PAIN.has(o.instrument));
  const km: KmSeries[] = instruments
    .filter((o) => o.durability.subjects > 0)
    .map((o, i) => ({ label: instrumentName(o.instrument), color: KM_COLORS[i % 3]!, band: BAND[i % 3]!, curve: o.durability }));
  const evaluable = instruments.reduce((m, o) => Math.max(m, o.evaluable), 0);
  return (
    <section class="section director-group" aria-labelledby={head}>
      <h2 id={head}>{title}</h2>
      <p class="subtitle">
        {g.patients} patients, {g.courses} courses. Treated: {proportionText(g.treated!)}. Completed the induction series:{' '}
        {proportionText(g.completed_induction!)}.
      </p>
      {evaluable < SMALL_SAMPLE && (
        <p class="notice" role="note">
          Small sample: {evaluable === 0 ? 'no course has a baseline and a later score yet' : `at most ${evaluable} courses can be evaluated`}. The
          intervals are wide; read the rates as a few patients, not as the clinic's expected result.
        </p>
      )}
      <div class="director-grid">
        {instruments.length > 0 ? (
          <Figure
            id={`${head}-resp`}
            title="Responders and remitters, % of evaluable courses (bars: 95% Wilson interval)"
            note={instruments.map((o) => `${instrumentName(o.instrument)}: responders ${proportionText(o.responders)}; remitters ${proportionText(o.remitters)}.`).join(' ')}
          >
            <BarIntervalPlot
              label={`Responder and remission rates per instrument for ${title}`}
              categories={names}
              series={[shareSeries('Responders', BLUE, instruments.map((o) => o.responders)), shareSeries('Remitters', ORANGE, instruments.map((o) => o.remitters))]}
              yLabel="% of evaluable courses"
              yRange={[0, 100]}
              yTick={percentTick}
            />
          </Figure>
        ) : (
          <p class="director-figure">No questionnaire scores for this group yet: response and remission cannot be shown.</p>
        )}
        <Figure
          id={`${head}-km`}
          title="Durability: share still without a confirmed relapse after the first response (band: 95%)"
          note={
            km.length === 0
              ? 'No course has responded yet, so there is no durability to show.'
              : instruments
                  .filter((o) => o.durability.subjects > 0)
                  .map(
                    (o) =>
                      `${instrumentName(o.instrument)}: ${o.durability.subjects} responders, ${o.durability.events} confirmed relapses, ${o.durability.censored} still followed; median ${o.durability.median_days === null ? 'not reached' : days(o.durability.median_days)}.`,
                  )
                  .join(' ')
          }
        >
          {km.length > 0 && <KmPlot label={`Kaplan-Meier durability of response for ${title}`} series={km} />}
        </Figure>
        {instruments.length > 0 && (
          <Figure
            id={`${head}-change`}
            title="Change from baseline, points (bar: median; whisker: interquartile range; below 0 = better)"
            note={instruments.map((o) => `${instrumentName(o.instrument)}: ${summaryText(o.change, points)}.`).join(' ')}
          >
            <BarIntervalPlot
              label={`Median change from baseline per instrument for ${title}`}
              categories={names}
              series={[{ label: 'Median change', color: GREY, values: instruments.map((o) => o.change.median), lower: instruments.map((o) => o.change.q1), upper: instruments.map((o) => o.change.q3) }]}
              yLabel="Points"
            />
          </Figure>
        )}
        {instruments.some((o) => o.change_trajectory.length > 1) && (
          <Figure
            id={`${head}-traj`}
            title="Change from baseline over time: median by week since the first infusion (band: middle half of courses)"
            note={instruments
              .filter((o) => o.change_trajectory.length > 1)
              .map((o) => {
                const last = o.change_trajectory[o.change_trajectory.length - 1]!;
                return `${instrumentName(o.instrument)}: week ${last.week}, ${summaryText(last.change, points)}.`;
              })
              .join(' ')}
          >
            <TrajectoryPlot
              label={`Median change from baseline by week for ${title}`}
              series={instruments
                .filter((o) => o.change_trajectory.length > 1)
                .map((o, i) => ({ label: instrumentName(o.instrument), color: KM_COLORS[i % 3]!, band: BAND[i % 3]!, points: o.change_trajectory }))}
            />
          </Figure>
        )}
        {instruments.map((o) => (
          <ResponseByInfusion key={o.instrument} o={o} head={`${head}-rbi-${o.instrument}`} />
        ))}
        {pain.length > 0 && (
          <Figure
            id={`${head}-pain`}
            title="Pain: courses with at least 30% and 50% less pain at the latest score (95% Wilson interval)"
            note={pain.map((o) => `${instrumentName(o.instrument)}: at least 30% ${o.reduction_moderate ? proportionText(o.reduction_moderate) : NO_VALUE}; at least 50% ${o.reduction_substantial ? proportionText(o.reduction_substantial) : NO_VALUE}.`).join(' ')}
          >
            <BarIntervalPlot
              label={`Pain reduction tiers for ${title}`}
              categories={pain.map((o) => instrumentName(o.instrument))}
              series={[shareSeries('At least 30% less', BLUE, pain.map((o) => o.reduction_moderate)), shareSeries('At least 50% less', ORANGE, pain.map((o) => o.reduction_substantial))]}
              yLabel="% of evaluable courses"
              yRange={[0, 100]}
              yTick={percentTick}
            />
          </Figure>
        )}
        {g.mme && g.mme.on_opioids > 0 && (
          <Figure
            id={`${head}-mme`}
            title="Opioids: daily morphine milligram equivalents after treatment, courses on opioids at baseline"
            note={`${g.mme.on_opioids} on opioids at baseline, ${g.mme.with_follow_up} with a later list (stopped ones are also counted as reduced); change ${summaryText(g.mme.change_mme_per_day, (v) => formatQuantity(v, 'MME/day'))}.`}
          >
            <BarIntervalPlot
              label={`Change in daily MME for ${title}`}
              categories={['Reduced', 'Stopped', 'Unchanged', 'Increased']}
              series={[{ label: 'Courses', color: BLUE, values: [g.mme.reduced, g.mme.stopped, g.mme.unchanged, g.mme.increased] }]}
              yLabel="Courses"
            />
          </Figure>
        )}
        <Figure
          id={`${head}-safety`}
          title={`Safety: adverse events per 100 infusions, by kind (${safety.infusions} infusions)`}
          note={`${safety.adverse_events} adverse ${safety.adverse_events === 1 ? 'event' : 'events'} (${safety.adverse_events_per_100_infusions === null ? NO_VALUE : formatNumber(safety.adverse_events_per_100_infusions, 1)} per 100 infusions); ${safety.bp_alerts} blood-pressure ${safety.bp_alerts === 1 ? 'alert' : 'alerts'}; stopped before the planned dose: ${proportionText(safety.stopped_early)}. No interval: one patient's infusions are not independent.`}
        >
          {kinds.length > 0 ? (
            <BarIntervalPlot
              label={`Adverse events per 100 infusions by kind for ${title}`}
              categories={kinds.map((k) => k.replace(/_/g, ' '))}
              series={[{ label: 'Per 100 infusions', color: ORANGE, values: kinds.map((k) => safety.by_kind[k]!.per_100_infusions) }]}
              yLabel="Per 100 infusions"
            />
          ) : (
            <p>No adverse event recorded in these infusions.</p>
          )}
        </Figure>
      </div>
      <details class="director-tables">
        <summary>Show the numbers as tables</summary>
        <GroupTables g={g} title={title} />
      </details>
    </section>
  );
}

function ResponseByInfusion({ o, head }: { o: InstrumentOutcomes; head: string }) {
  const r = o.response_by_infusion;
  if (o.evaluable === 0) return null;
  const cumulative = r.cumulative.map((c) => (c / o.evaluable) * 100);
  return (
    <Figure
      id={head}
      title={`${instrumentName(o.instrument)}: responded by infusion number (cumulative % of ${o.evaluable} evaluable courses)`}
      note={`By infusion 6: ${proportionText(r.by_6)}; only at 7 to 9: ${proportionText(r.at_7_to_9)}; only at 10 to 12: ${proportionText(r.at_10_to_12)}; after a booster: ${r.after_a_booster}; never: ${r.never}.`}
    >
      <BarIntervalPlot
        label={`Cumulative response by infusion number, ${instrumentName(o.instrument)}`}
        categories={cumulative.map((_, k) => String(k + 1))}
        series={[{ label: 'Responded by this infusion', color: BLUE, values: cumulative }]}
        yLabel="% responded"
        yRange={[0, 100]}
        yTick={percentTick}
        height={200}
      />
    </Figure>
  );
}

function GroupTables({ g, title }: { g: OutcomeGroup; title: string }) {
  const instruments = g.instruments ?? [];
  const safety = g.safety!;
  return (
    <>
      <h3>Per instrument</h3>
      <DataTable caption={`${title}: outcomes per instrument`} head={['Instrument', 'With baseline', 'Evaluable', 'Responders', 'Remitters', 'Change (points)', 'Change (%)']}>
        {instruments.map((o) => (
          <tr key={o.instrument}>
            <th scope="row">{instrumentName(o.instrument)}</th>
            <td>{o.with_baseline}</td>
            <td>{o.evaluable}</td>
            <td>{proportionText(o.responders)}</td>
            <td>{proportionText(o.remitters)}</td>
            <td>{summaryText(o.change, points)}</td>
            <td>{summaryText(o.change_pct, (v) => (v === null ? NO_VALUE : formatQuantity(v, '%')))}</td>
          </tr>
        ))}
      </DataTable>
      <h3>Durability (Kaplan-Meier)</h3>
      {instruments.every((o) => o.durability.steps.length === 0) ? (
        <p>No responder to follow yet.</p>
      ) : (
        <DataTable caption={`${title}: Kaplan-Meier steps`} head={['Instrument', 'Day', 'At risk', 'Relapses', 'Censored', 'Without relapse', '95% band']}>
          {instruments.flatMap((o) =>
            o.durability.steps.map((s) => (
              <tr key={`${o.instrument}-${s.day}`}>
                <th scope="row">{instrumentName(o.instrument)}</th>
                <td>{s.day}</td>
                <td>{s.at_risk}</td>
                <td>{s.events}</td>
                <td>{s.censored}</td>
                <td>{pct(s.survival)}</td>
                <td>{s.lower === null || s.upper === null ? NO_VALUE : `${pct(s.lower)} to ${pct(s.upper)}`}</td>
              </tr>
            )),
          )}
        </DataTable>
      )}
      <h3>Boosters</h3>
      <p>
        {g.boosters!.boosters} boosters over {formatNumber(g.boosters!.patient_years, 2)} patient-years of follow-up after the induction series (
        {g.boosters!.boosters_per_patient_year === null ? NO_VALUE : formatNumber(g.boosters!.boosters_per_patient_year, 1)} per patient-year); days between
        boosters: {summaryText(g.boosters!.days_between_boosters, days)}.
      </p>
      <h3>Safety</h3>
      <DataTable caption={`${title}: adverse events by kind`} head={['Kind', 'Events', 'Per 100 infusions']}>
        {Object.entries(safety.by_kind).map(([k, v]) => (
          <tr key={k}>
            <th scope="row">{k.replace(/_/g, ' ')}</th>
            <td>{v.count}</td>
            <td>{v.per_100_infusions === null ? NO_VALUE : formatNumber(v.per_100_infusions, 1)}</td>
          </tr>
        ))}
        <tr>
          <th scope="row">Blood-pressure alerts</th>
          <td>{safety.bp_alerts}</td>
          <td>{safety.bp_alerts_per_100_infusions === null ? NO_VALUE : formatNumber(safety.bp_alerts_per_100_infusions, 1)}</td>
        </tr>
      </DataTable>
      <p>
        Infusions with a blood-pressure alert: {proportionText(safety.infusions_with_bp_alert)}. Stopped before the planned dose: {proportionText(safety.stopped_early)}.
        Highest CADSS per session: {summaryText(safety.cadss, points)}.
      </p>
    </>
  );
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export default function Outcomes() {
  const [form, setForm] = useState({ from: '', to: '', indication: '', protocol: '', clinic_id: '' });
  const [query, setQuery] = useState<FilterQuery>({});
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [focusKey, setFocusKey] = useState(0);
  const res = useResource((signal) => outcomes(query, signal), [JSON.stringify(query)]);
  const data: OutcomeAnalytics | undefined = res.data;
  // The first answer fills the dates the server chose (the last year to today).
  useEffect(() => {
    if (data && !form.from && !form.to) setForm((f) => ({ ...f, from: data.filters.from, to: data.filters.to }));
  }, [data]);
  // A filter the server refused is shown on its field.
  useEffect(() => {
    if (res.status === 'error' && res.error instanceof ApiError && res.error.status === 400) {
      setErrors([{ field: res.error.field ?? null, message: res.error.message }]);
      setFocusKey((n) => n + 1);
    }
  }, [res.status, res.error]);
  const set = (k: keyof typeof form) => (v: string) => setForm({ ...form, [k]: v });
  const err = (k: string) => errors.find((e) => e.field === k)?.message;

  function apply(e: Event) {
    e.preventDefault();
    const local: FieldError[] = [];
    for (const k of ['from', 'to'] as const) if (form[k] && !DATE.test(form[k].trim())) local.push({ field: k, message: 'Enter the date as YYYY-MM-DD' });
    setErrors(local);
    if (local.length) {
      setFocusKey((n) => n + 1);
      return;
    }
    const q: FilterQuery = {};
    for (const k of ['from', 'to', 'indication', 'protocol', 'clinic_id'] as const) if (form[k].trim()) q[k] = form[k].trim();
    setQuery(q);
  }

  const protocolName = useMemo(() => {
    const m = new Map((data?.options.protocols ?? []).map((p) => [p.id, p.name] as const));
    return (id: string) => m.get(id) ?? id;
  }, [data]);

  const select = (name: 'indication' | 'protocol' | 'clinic_id', label: string, options: { value: string; label: string }[]) => (
    <div class={'field' + (err(name) ? ' field-has-error' : '')}>
      <label for={fieldId(name)}>{label}</label>
      {err(name) && (
        <p class="field-error" id={`${fieldId(name)}-error`}>
          <span class="visually-hidden">Error: </span>
          {err(name)}
        </p>
      )}
      <select id={fieldId(name)} name={name} class="input" value={form[name]} onChange={(e) => set(name)((e.currentTarget as HTMLSelectElement).value)}>
        <option value="">All</option>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );

  const shown = data?.groups ?? [];
  const suppressed = shown.filter((g) => g.suppressed).length;
  return (
    <>
      <div class="page-head">
        <h1>Clinic outcomes</h1>
        <p class="subtitle">
          How the clinic's courses turn out, per indication and protocol: aggregated, never one patient's record. How each number is
          computed is at the end of the page.
        </p>
      </div>

      <section class="section" aria-labelledby="filters-title">
        <h2 id="filters-title">Which courses</h2>
        <form onSubmit={apply} noValidate class="director-filters">
          <ErrorSummary errors={errors} focusKey={focusKey} />
          <div class="director-filter-grid">
            <TextField name="from" label="Started from" hint="YYYY-MM-DD, clinic date" value={form.from} onInput={set('from')} error={err('from')} width="medium" />
            <TextField name="to" label="Started up to" hint="YYYY-MM-DD; followed until then" value={form.to} onInput={set('to')} error={err('to')} width="medium" />
            {select('indication', 'Indication', (data?.options.indications ?? []).map((i) => ({ value: i, label: indicationName(i) })))}
            {select('protocol', 'Protocol', (data?.options.protocols ?? []).map((p) => ({ value: p.id, label: p.name })))}
            {select('clinic_id', 'Clinic', (data?.options.clinics ?? []).map((c) => ({ value: String(c.id), label: c.name })))}
          </div>
          <div class="desk-actions director-actions">
            <button type="submit" class="button">
              Show outcomes
            </button>
            <a class="button button-secondary" href={outcomesCsvHref(query)} download>
              Download the numbers (CSV)
            </a>
            {data && (
              <a class="button button-secondary" href={clinicReportHref(data.filters.from, data.filters.to, 'pdf')} download>
                Clinic report (PDF)
              </a>
            )}
          </div>
        </form>
      </section>

      {res.status === 'error' && !(res.error instanceof ApiError && res.error.status === 400) && <LoadError error={res.error} retry={res.reload} />}
      {!data && res.status === 'loading' && <Skeleton label="outcomes" />}
      {data && (
        <div aria-live="polite">
          <p class="director-cohort" data-testid="cohort">
            {data.cohort.courses} courses of {data.cohort.patients} patients started from {longDate(data.filters.from)} to {longDate(data.filters.to)}, followed
            until {longDate(data.as_of)}.
          </p>
          {suppressed > 0 && data.small_cells.applied && (
            <p class="notice" role="note">
              {suppressed === 1 ? 'One group has' : `${suppressed} groups have`} fewer than {data.small_cells.min_patients} patients and {suppressed === 1 ? 'is' : 'are'} not shown, so
              that no figure can point to one person.
            </p>
          )}
          {shown.length === 0 ? (
            <Empty>
              No course started in these dates matches the filters. Widen the dates or clear a filter. (Outcomes need treated courses with questionnaire scores
              before and after the infusions.)
            </Empty>
          ) : (
            shown.map((g, i) => <GroupSection key={`${g.indication}-${g.protocol}`} g={g} index={i} protocolName={protocolName(g.protocol)} />)
          )}
          <section class="section" aria-labelledby="methods-title">
            <h2 id="methods-title">How these numbers are computed</h2>
            <ul>
              <li>
                A responder met the questionnaire's response rule at any score after the baseline (the last score on or before the first infusion);
                a remitter its remission rule. Rules and sources per questionnaire: the clinic's outcome rules.
              </li>
              {Object.entries(data.methods).map(([k, v]) => (
                <li key={k}>
                  {k === 'definitions' ? `Definitions: ${v}` : v}
                </li>
              ))}
            </ul>
          </section>
        </div>
      )}
    </>
  );
}
