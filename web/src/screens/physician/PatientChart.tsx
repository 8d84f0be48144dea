// A patient's chart for the physician: the course timeline; every infusion (planned and delivered
// dose in mg and mg/kg, the peak concentration the PK model predicts from what the pump actually
// delivered, vitals, adverse events, CADSS); score trajectories per instrument with the response
// and remission lines of the server's outcome rules; pain scores and the MME/day trend; the
// booster recommendation the outcome rules give. Every plot is followed by its data as a table.
import { InviteToPortal } from '../portal/InviteAction';
import { useMemo } from 'preact/hooks';
import { ApiError } from '../../api/client';
import { listAssessments } from '../../api/assessments';
import { getPatient } from '../../api/patients';
import {
  getMedications,
  getOutcome,
  getSession,
  listCourses,
  listPatientAlerts,
  listSessions,
  sessionPk,
} from '../../api/physician';
import { listClinics } from '../../api/scheduling';
import type { Alert, Course, MedicationTrend, Outcome, PkCurve, SessionDetail } from '../../api/types';
import { DatedSeries, dayLabel } from '../../components/chart/DatedSeries';
import { Empty, LoadError, Skeleton } from '../../components/Status';
import { DataTable, StatusTag } from '../../components/Table';
import { useResource } from '../../components/useResource';
import { formatQuantity } from '../../format/quantity';
import { dateIn, dateTimeIn, longDate, timeIn } from '../../format/time';
import { useChangeEvents } from '../../live/events';
import { usePolling } from '../../live/poll';
import { Link, useLocation } from '../../router';
import { PriorityTag, kindLabel } from './priority';
import { OutcomeTag } from './PatientList';
import { instrumentLabel, outcomeLines } from './outcomeView';
import { PaperQuestionnaire } from '../../components/PaperQuestionnaire';

const PAIN = new Set(['nrs', 'bpi']);

interface Infusion {
  session: SessionDetail;
  pk: PkCurve | null;
  pkError: string | null;
}

async function optional<T>(p: Promise<T>): Promise<T | null> {
  try {
    return await p;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 422 || e.status === 404)) return null;
    throw e;
  }
}

export default function PatientChart() {
  const { search } = useLocation();
  const id = Number(search.get('patient'));
  const valid = Number.isInteger(id) && id > 0;
  const chart = useResource(
    async (signal) => {
      if (!valid) return null;
      const [patient, clinics, courses, sessions, assessments, meds, alerts] = await Promise.all([
        getPatient(id, signal),
        listClinics(signal),
        listCourses(id, signal),
        listSessions(id, signal),
        listAssessments(id, undefined, signal),
        getMedications(id, signal),
        listPatientAlerts(id, signal),
      ]);
      const instruments = [...new Set(assessments.filter((a) => a.instrument !== 'cadss').map((a) => a.instrument))];
      const outcomes = (await Promise.all(instruments.map((i) => optional(getOutcome(id, i, signal))))).filter(
        (o): o is Outcome => o !== null,
      );
      const infusions: Infusion[] = await Promise.all(
        sessions
          .filter((s) => s.state !== 'voided')
          .map(async (s) => {
            const session = await getSession(s.id, signal);
            if (!(session.delivered.mg > 0)) return { session, pk: null, pkError: null };
            try {
              return { session, pk: await sessionPk(s.id, signal), pkError: null };
            } catch (e) {
              if (e instanceof ApiError && e.status === 422) return { session, pk: null, pkError: e.message };
              throw e;
            }
          }),
      );
      infusions.sort((a, b) => (a.session.started_at ?? a.session.created_at).localeCompare(b.session.started_at ?? b.session.created_at));
      return { patient, tz: clinics[0]?.timezone ?? 'UTC', courses, infusions, outcomes, meds, alerts };
    },
    [id],
  );
  useChangeEvents(chart.reload);
  usePolling(chart.reload, 120_000);
  const d = chart.data;
  const p = d?.patient;
  return (
    <>
      <div class="page-head">
        <h1>{p ? `${p.family_name}, ${p.given_name}` : 'Patient chart'}</h1>
        {p && (
          <p class="subtitle">
            {p.mrn} · born {longDate(p.date_of_birth)} · {p.indication.replace(/_/g, ' ')} · {p.status.replace(/_/g, ' ')}
            {p.weight_kg !== null && <> · {formatQuantity(p.weight_kg, 'kg')}</>}
          </p>
        )}
      </div>
      {!valid && (
        <p class="notice notice-error">
          No patient chosen. Open a chart from the <Link href="/patients">patient list</Link>.
        </p>
      )}
      {chart.status === 'error' && <LoadError error={chart.error} retry={chart.reload} />}
      {valid && !d && chart.status === 'loading' && <Skeleton label="the chart" rows={6} />}
      {d && (
        <>
          <p>
            <Link href={`/pk?patient=${d.patient.id}`} class="button button-secondary">
              PK what-if for this patient
            </Link>
          </p>
          <Alerts alerts={d.alerts} tz={d.tz} />
          <Courses courses={d.courses} tz={d.tz} />
          <Trajectories outcomes={d.outcomes.filter((o) => !PAIN.has(o.instrument))} title="Score trajectories" id="scores" />
          <Infusions infusions={d.infusions} tz={d.tz} />
          <Trajectories outcomes={d.outcomes.filter((o) => PAIN.has(o.instrument))} title="Pain scores" id="pain" />
          <Mme meds={d.meds} />
          <PaperQuestionnaire patientId={d.patient.id} onRecorded={chart.reload} />
          <InviteToPortal patientId={d.patient.id} timezone={d.tz} />
        </>
      )}
    </>
  );
}

function Alerts({ alerts, tz }: { alerts: Alert[]; tz: string }) {
  const open = alerts.filter((a) => a.status === 'open');
  return (
    <section class="section" aria-labelledby="alerts-title">
      <h2 id="alerts-title">Open alerts</h2>
      {open.length === 0 ? (
        <Empty>No open alerts.</Empty>
      ) : (
        <ul class="findings">
          {open.map((a) => (
            <li key={a.id}>
              <PriorityTag severity={a.severity} /> {kindLabel(a.kind)}: {a.message}{' '}
              <span class="muted nowrap">{dateTimeIn(tz, a.created_at)}</span>
            </li>
          ))}
        </ul>
      )}
      {open.length > 0 && (
        <p>
          <Link href="/alerts">Acknowledge in the alert inbox</Link>
        </p>
      )}
    </section>
  );
}

function Courses({ courses, tz }: { courses: Course[]; tz: string }) {
  return (
    <section class="section" aria-labelledby="courses-title">
      <h2 id="courses-title">Courses</h2>
      {courses.length === 0 && <Empty>No course yet.</Empty>}
      {courses.map((c) => (
        <div class="card course" key={c.id}>
          <h3>
            {c.protocol_name || c.protocol_id} <StatusTag status={c.state} />
          </h3>
          <p>
            {c.infusion_appointments.completed} of {c.total_infusions} infusions completed
            {c.extension_infusions > 0 && <> (extended by {c.extension_infusions})</>}, {c.infusion_appointments.booked} booked.
          </p>
          <ol class="timeline" aria-label={`Course ${c.id} timeline`}>
            {c.events.map((e) => (
              <li key={e.id}>
                <span class="nowrap timeline-time">{dateTimeIn(tz, e.at)}</span>{' '}
                {e.event === 'created' ? 'Created' : e.event === 'extended' ? `Extended by ${e.infusions_added}` : `${e.from ?? '—'} → ${e.to}`}
                {e.reason && <span class="muted">: {e.reason}</span>}
              </li>
            ))}
          </ol>
        </div>
      ))}
    </section>
  );
}

function Trajectories({ outcomes, title, id }: { outcomes: Outcome[]; title: string; id: string }) {
  return (
    <section class="section" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{title}</h2>
      {outcomes.length === 0 && <Empty>No scores recorded.</Empty>}
      {outcomes.map((o) => (
        <Trajectory key={o.instrument} o={o} />
      ))}
    </section>
  );
}

function Trajectory({ o }: { o: Outcome }) {
  const name = instrumentLabel(o.instrument);
  const lines = useMemo(() => outcomeLines(o), [o]);
  const points = useMemo(() => o.series.map((s) => ({ date: s.date, value: s.total })), [o]);
  const reduction = o.reduction_pct === null || o.reduction_pct === undefined ? null : Math.round(o.reduction_pct);
  const summary =
    `${name}: baseline ${o.baseline} on ${o.baseline_date}, latest ${o.latest} on ${o.latest_date}` +
    (reduction !== null ? `, ${reduction >= 0 ? `${reduction}% lower` : `${-reduction}% higher`}` : '') +
    `; status ${o.status.replace(/_/g, ' ')}. ` +
    lines.map((l) => `${l.label} (line at ${l.value})`).join('; ');
  return (
    <div class="card trajectory">
      <h3>
        {name} <OutcomeTag status={o.status} />
      </h3>
      <p>{o.reason}</p>
      {o.booster_recommended && (
        <p class="notice">
          <strong>Booster recommended</strong> by the outcome rules for {name}.
        </p>
      )}
      {o.reassess_sooner && <p class="notice notice-crisis">Reassess sooner: the latest reading needs confirming.</p>}
      <p class="hint">Lower is better. Dashed lines: the response and remission thresholds of the outcome rules.</p>
      <DatedSeries label={`${name} scores over time. ${summary}`} points={points} yLabel={`${name} total`} thresholds={lines} />
      <p class="visually-hidden">{summary}</p>
      <DataTable caption={`${name} scores`} head={['Date', 'Total']}>
        {o.series.map((s) => (
          <tr key={s.date}>
            <td class="nowrap">{dayLabel(s.date)} ({s.date})</td>
            <td>{s.total}</td>
          </tr>
        ))}
      </DataTable>
      <p class="hint">
        {Object.entries(o.thresholds)
          .filter(([k, t]) => (k === 'response_reduction_pct' || k === 'remission_max_total') && t.value !== null)
          .map(([k, t]) => `${k === 'response_reduction_pct' ? 'Response' : 'Remission'}: ${t.value} ${t.unit}${t.policy ? ' (clinic policy)' : ''} — ${t.source}`)
          .join(' · ')}
      </p>
    </div>
  );
}

function vitalsText(s: SessionDetail): string {
  const valid = s.vitals.filter((v) => v.status !== 'entered_in_error');
  if (valid.length === 0) return 'none recorded';
  const flagged = valid.filter((v) => v.action !== 'continue').length;
  return `${valid.length} ${valid.length === 1 ? 'reading' : 'readings'}${flagged ? `, ${flagged} needing action` : ''}`;
}

function Infusions({ infusions, tz }: { infusions: Infusion[]; tz: string }) {
  return (
    <section class="section" aria-labelledby="infusions-title">
      <h2 id="infusions-title">Infusions</h2>
      {infusions.length === 0 ? (
        <Empty>No infusions yet.</Empty>
      ) : (
        <>
          <p class="hint">
            Peak concentration: a model prediction (Domino 1982 by default) from the doses the pump delivered, not a
            measured level.
          </p>
          <DataTable
            caption="Infusions"
            head={['#', 'Date', 'State', 'Planned', 'Delivered', 'Delivered per kg', 'Peak predicted plasma', 'Vitals', 'Adverse events', 'CADSS']}
          >
            {infusions.map(({ session: s, pk, pkError }, i) => {
              const aes = s.adverse_events.filter((a) => a.status !== 'entered_in_error');
              const cadss = s.dissociation.filter((c) => c.status !== 'entered_in_error');
              const when = s.started_at ?? s.created_at;
              return (
                <tr key={s.id}>
                  <td>{i + 1}</td>
                  <td class="nowrap">
                    {dateIn(tz, new Date(when))} {timeIn(tz, when)}
                  </td>
                  <td>
                    <StatusTag status={s.state} />
                  </td>
                  <td class="nowrap">{formatQuantity(s.planned_dose_mg, 'mg')}</td>
                  <td class="nowrap">{formatQuantity(s.delivered.mg, 'mg')}</td>
                  <td class="nowrap">{formatQuantity(s.delivered.mg_per_kg, 'mg/kg')}</td>
                  <td class="nowrap">
                    {pk ? (
                      <>
                        {formatQuantity(pk.cmax_ng_per_ml, 'ng/mL')} at {formatQuantity(pk.tmax_min, 'min')}
                      </>
                    ) : (
                      <span class="muted">{pkError ? 'model does not fit' : 'not started'}</span>
                    )}
                  </td>
                  <td>{vitalsText(s)}</td>
                  <td>
                    {aes.length === 0
                      ? 'none'
                      : aes.map((a) => `${a.kind.replace(/_/g, ' ')} (${a.severity.replace(/_/g, ' ')})`).join(', ')}
                  </td>
                  <td>{cadss.length === 0 ? '—' : cadss.map((c) => c.total).join(', ')}</td>
                </tr>
              );
            })}
          </DataTable>
          {infusions.map(({ session: s }, i) =>
            s.vitals.length === 0 ? (
              <p key={s.id} class="empty vitals-none">
                Infusion {i + 1}: no vitals recorded
                {s.state === 'planned'
                  ? ' yet: it is planned and has not started (baseline vitals come before the start).'
                  : s.state === 'voided'
                    ? ': it was voided before it started.'
                    : '.'}
              </p>
            ) : (
              <details key={s.id} class="vitals-details">
                <summary>
                  Vitals of infusion {i + 1} ({dateIn(tz, new Date(s.started_at ?? s.created_at))}): {vitalsText(s)}
                </summary>
                <DataTable caption={`Vitals of infusion ${i + 1}`} head={['Time', 'Point', 'BP', 'Heart rate', 'SpO2', 'Resp. rate', 'Action']}>
                  {s.vitals.map((v) => (
                    <tr key={v.id} class={v.status === 'entered_in_error' ? 'struck' : undefined}>
                      <td class="nowrap">{timeIn(tz, v.at)}</td>
                      <td>{v.point.replace(/_/g, ' ')}</td>
                      <td class="nowrap">
                        {v.sbp_mmhg !== null && v.dbp_mmhg !== null ? `${v.sbp_mmhg}/${v.dbp_mmhg} mmHg` : '—'}
                      </td>
                      <td class="nowrap">{formatQuantity(v.hr_bpm, 'bpm')}</td>
                      <td class="nowrap">{formatQuantity(v.spo2_percent, '%')}</td>
                      <td class="nowrap">{formatQuantity(v.rr_per_min, 'breaths/min')}</td>
                      <td>
                        {v.action.replace(/_/g, ' ')}
                        {v.status === 'entered_in_error' && ' (entered in error)'}
                      </td>
                    </tr>
                  ))}
                </DataTable>
              </details>
            ),
          )}
        </>
      )}
    </section>
  );
}

function Mme({ meds }: { meds: MedicationTrend }) {
  const points = useMemo(() => meds.trend.map((t) => ({ date: t.as_of, value: t.total_mme_per_day })), [meds]);
  return (
    <section class="section" aria-labelledby="mme-title">
      <h2 id="mme-title">Opioids (MME/day)</h2>
      {points.length === 0 ? (
        <Empty>No medication lists recorded.</Empty>
      ) : (
        <>
          <DatedSeries
            label={`Total morphine milligram equivalents per day over time, ${points.length} lists, latest ${formatQuantity(points[points.length - 1]!.value, 'MME/day')}`}
            points={points}
            yLabel="MME/day"
            color="#a0522d"
          />
          <DataTable caption="MME/day by medication list" head={['As of', 'Total', 'Change']}>
            {meds.trend.map((t) => (
              <tr key={t.list_id}>
                <td class="nowrap">{t.as_of}</td>
                <td class="nowrap">{formatQuantity(t.total_mme_per_day, 'MME/day')}</td>
                <td class="nowrap">
                  {t.change_mme_per_day === null ? '—' : `${t.change_mme_per_day > 0 ? '+' : ''}${formatQuantity(t.change_mme_per_day, 'MME/day')}`}
                </td>
              </tr>
            ))}
          </DataTable>
        </>
      )}
    </section>
  );
}
