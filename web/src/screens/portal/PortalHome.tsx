// The patient portal (/portal), phone first: crisis and "not monitored" note, the questionnaires
// due now (from the course's measurement schedule), upcoming appointments, the patient's own
// score trajectory, and who opened their record. Language: the patient's preference, changeable
// here (PUT /patients/{id}/preferences). Every string through the message catalogue.
import { useEffect, useMemo, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import { listAssessments } from '../../api/assessments';
import { myPatientRecord } from '../../api/patients';
import { accessLog, getPreferences, measurements, portalInfo, questionnaireList, setPreferredLanguage } from '../../api/portal';
import type { Occasion } from '../../api/portal';
import { listAppointments } from '../../api/scheduling';
import type { Assessment } from '../../api/types';
import { Plot } from '../../components/chart/Plot';
import { LoadError, Skeleton } from '../../components/Status';
import { useResource } from '../../components/useResource';
import { isLanguage, setLanguage, t, useLanguage } from '../../i18n';
import type { Language } from '../../i18n';
import { Link } from '../../router';
import { INSTRUMENTS, LanguageChoice, NotMonitored, day, instrumentName, when } from './common';

export default function PortalHome() {
  const lang = useLanguage();
  const page = useResource(async (signal) => {
    const me = await myPatientRecord(signal);
    const [prefs, info, occasions, appointments, assessments, log, wordings] = await Promise.all([
      getPreferences(me.id, signal),
      portalInfo(signal),
      measurements(me.id, signal),
      listAppointments({ patient_id: me.id }, signal),
      listAssessments(me.id, undefined, signal),
      accessLog(me.id, signal),
      questionnaireList(signal),
    ]);
    // The instruments whose wording this server may show (the clinic's licensed ones included).
    const offered = new Set(wordings.map((w) => w.instrument));
    return { me, prefs, info, occasions, appointments, assessments, log, offered };
  }, []);
  const d = page.data;
  useEffect(() => {
    if (d && isLanguage(d.prefs.language)) setLanguage(d.prefs.language);
  }, [d?.prefs.language]);
  const [saved, setSaved] = useState(false);

  async function choose(l: Language) {
    if (!d) return;
    setLanguage(l);
    await setPreferredLanguage(d.me.id, l);
    setSaved(true);
  }

  return (
    <div class="portal" lang={lang}>
      <div class="page-head">
        <h1>{d ? t('portal.hello', { name: d.me.given_name }) : t('portal.title')}</h1>
      </div>
      {page.status === 'error' && <LoadError error={page.error} retry={page.reload} />}
      {!d && page.status === 'loading' && <Skeleton label={t('portal.title')} />}
      {d && (
        <>
          <NotMonitored />
          <LanguageChoice value={lang} onChange={choose} />
          <p class="portal-status" role="status">
            {saved ? t('portal.languageSaved') : ''}
          </p>
          <Due occasions={d.occasions} offered={d.offered} lang={lang} />
          <Upcoming appointments={d.appointments} lang={lang} />
          <Scores assessments={d.assessments} lang={lang} />
          <Access rows={d.log} lang={lang} />
          {d.info.clinic_phone && <p class="hint">{d.info.clinic_name}: {d.info.clinic_phone}</p>}
        </>
      )}
    </div>
  );
}

function Due({ occasions, offered, lang }: { occasions: Occasion[]; offered: Set<string>; lang: Language }) {
  // One entry per instrument due now (the one closing first).
  const due = useMemo(() => {
    const by = new Map<string, Occasion>();
    for (const o of occasions) {
      if (o.status !== 'due') continue;
      const seen = by.get(o.instrument);
      if (!seen || o.closes_at < seen.closes_at) by.set(o.instrument, o);
    }
    return [...by.values()].sort((a, b) => a.closes_at.localeCompare(b.closes_at));
  }, [occasions]);
  return (
    <section class="section" aria-labelledby="due-title">
      <h2 id="due-title">{t('portal.due.title')}</h2>
      {due.length === 0 ? (
        <p>{t('portal.due.none')}</p>
      ) : (
        <ul class="portal-due">
          {due.map((o) => (
            <li key={o.instrument}>
              <strong>{instrumentName(o.instrument)}</strong>
              <br />
              <span class="hint">{t('portal.due.closes', { when: when(o.closes_at, lang) })}</span>
              {offered.has(o.instrument) ? (
                <Link class="button" href={`/portal/questionnaire/${o.instrument}`}>
                  {t('portal.due.start', { name: instrumentName(o.instrument) })}
                </Link>
              ) : (
                <p>{t('portal.due.unavailable', { name: instrumentName(o.instrument) })}</p>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Upcoming({ appointments, lang }: { appointments: Array<{ id: number; starts_at: string; timezone: string; kind: string; status: string }>; lang: Language }) {
  const now = new Date().toISOString();
  const next = appointments.filter((a) => a.status === 'booked' && a.starts_at >= now).sort((a, b) => a.starts_at.localeCompare(b.starts_at));
  return (
    <section class="section" aria-labelledby="appts-title">
      <h2 id="appts-title">{t('portal.appointments.title')}</h2>
      {next.length === 0 ? (
        <p>{t('portal.appointments.none')}</p>
      ) : (
        <ul>
          {next.map((a) => (
            <li key={a.id}>
              {when(a.starts_at, lang, a.timezone)} · {a.kind}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Scores({ assessments, lang }: { assessments: Assessment[]; lang: Language }) {
  const series = useMemo(() => {
    const by = new Map<string, Assessment[]>();
    for (const a of assessments) {
      if (a.status === 'entered_in_error' || !INSTRUMENTS[a.instrument]) continue;
      by.set(a.instrument, [...(by.get(a.instrument) ?? []), a]);
    }
    for (const list of by.values()) list.sort((a, b) => a.taken_on.localeCompare(b.taken_on) || a.at.localeCompare(b.at));
    return [...by.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [assessments]);
  return (
    <section class="section" aria-labelledby="scores-title">
      <h2 id="scores-title">{t('portal.scores.title')}</h2>
      {series.length === 0 ? <p>{t('portal.scores.none')}</p> : series.map(([id, list]) => <Trajectory key={id} id={id} list={list} lang={lang} />)}
    </section>
  );
}

function Trajectory({ id, list, lang }: { id: string; list: Assessment[]; lang: Language }) {
  const range = INSTRUMENTS[id]!;
  const name = instrumentName(id);
  const data = useMemo<uPlot.AlignedData>(
    () => [list.map((a) => Date.parse(a.taken_on + 'T12:00:00Z') / 1000), list.map((a) => a.total)],
    [list],
  );
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      scales: { x: { time: true }, y: { range: [range.min, range.max] } },
      axes: [
        {
          incrs: [86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400],
          values: (_u: uPlot, splits: number[]) =>
            splits.map((s) => new Intl.DateTimeFormat(lang === 'es' ? 'es-US' : 'en-US', { timeZone: 'UTC', day: 'numeric', month: 'short' }).format(new Date(s * 1000))),
        },
        { label: name },
      ],
      series: [{}, { label: name, stroke: '#1d4f6e', width: 2, points: { size: 7 } }],
      legend: { show: false },
    }),
    [lang, id],
  );
  return (
    <div class="section">
      <h3>{name}</h3>
      <p class="hint">{t('portal.scores.lowerBetter', { name, min: range.min, max: range.max })}</p>
      <Plot label={t('portal.scores.chart', { name, count: list.length })} options={options} data={data} />
      <table class="table">
        <caption class="visually-hidden">{name}</caption>
        <thead>
          <tr>
            <th scope="col">{t('portal.scores.date')}</th>
            <th scope="col">{t('portal.scores.score')}</th>
          </tr>
        </thead>
        <tbody>
          {list.map((a) => (
            <tr key={a.id}>
              <td>{day(a.taken_on, lang)}</td>
              <td>{a.total}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Access({ rows: all, lang }: { rows: Array<{ id: number; at: string; username: string; role: string; action: string }>; lang: Language }) {
  // The staff's reads and writes, newest first (the patient's own saves would drown them).
  const rows = all.filter((r) => r.role !== 'patient').slice(0, 20);
  return (
    <section class="section" aria-labelledby="access-title">
      <h2 id="access-title">{t('portal.access.title')}</h2>
      <p class="hint">{t('portal.access.ownHidden')}</p>
      {rows.length === 0 ? (
        <p>{t('portal.access.none')}</p>
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th scope="col">{t('portal.access.when')}</th>
              <th scope="col">{t('portal.access.who')}</th>
              <th scope="col">{t('portal.access.what')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.id}>
                <td>{when(r.at, lang)}</td>
                <td>{`${r.username} (${r.role.replace('_', ' ')})`}</td>
                <td>{r.action.startsWith('GET ') ? t('portal.access.read') : t('portal.access.wrote')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
