// The infusion at the chair (nurse on a tablet; physician too): /chair/session?id=N. Alerts first,
// then the pump program with its controls and timers, the checklist of the next step, vitals,
// predicted concentrations, pump events, adverse events, CADSS and discharge. Live: the server's
// change feed refetches the session and its alerts (polling while the feed is down).
import { useCallback, useState } from 'preact/hooks';
import { getPatient } from '../../api/patients';
import { chairChairs, chairClinics, getSession, sessionAlerts, vitalThresholds } from '../../api/sessions';
import type { InfusionSession } from '../../api/sessions';
import { AlertsPanel } from '../../components/chair/AlertsPanel';
import { DischargePanel } from '../../components/chair/DischargePanel';
import { EscortPanel } from '../../components/chair/EscortPanel';
import { AdversePanel, CadssPanel, EventHistory } from '../../components/chair/EntriesPanel';
import { PkPanel } from '../../components/chair/PkPanel';
import { PumpPanel } from '../../components/chair/PumpPanel';
import { StockPanel } from '../../components/chair/StockPanel';
import { VitalsPanel } from '../../components/chair/VitalsPanel';
import { Checklist } from '../../components/chair/common';
import type { ChairContext } from '../../components/chair/common';
import { LoadError, Skeleton } from '../../components/Status';
import { useResource } from '../../components/useResource';
import { formatQuantity } from '../../format/quantity';
import { dateTimeIn, longDate, dateIn } from '../../format/time';
import { useLiveRefresh } from '../../live/events';
import { Link, useLocation } from '../../router';
import { getSession as currentUser } from '../../session';
import { STATE_LABEL } from './labels';
import { useOutbox } from './outbox';
import './chair.css';
import { now } from '../../format/clock';

export default function SessionScreen() {
  const { search } = useLocation();
  const id = Number(search.get('id'));
  const role = currentUser().user?.role ?? 'nurse';
  const valid = Number.isInteger(id) && id > 0;

  const session = useResource(async (signal) => (valid ? getSession(id, signal) : Promise.reject(new Error('No session was given in the address.'))), [id]);
  const s: InfusionSession | undefined = session.data?.data;
  const context = useResource(
    async (signal) => {
      if (!s) return null;
      const [patient, clinics, chairs, thresholds] = await Promise.all([
        getPatient(s.patient_id, signal),
        chairClinics(signal),
        chairChairs(signal),
        vitalThresholds(signal).catch(() => null),
      ]);
      const chair = chairs.find((c) => c.id === s.chair_id) ?? null;
      const clinic = clinics.find((c) => c.id === chair?.clinic_id) ?? clinics[0] ?? null;
      return { patient, chair, clinic, thresholds: thresholds?.thresholds ?? null };
    },
    [s?.id, s?.patient_id],
  );
  const alerts = useResource(async (signal) => (s ? (await sessionAlerts(s.patient_id, signal)).filter((a) => a.session_id === s.id || a.session_id === null) : []), [s?.id, s?.patient_id]);
  const reloadAll = useCallback(() => {
    session.reload();
    alerts.reload();
  }, []);
  const live = useLiveRefresh(reloadAll, 10_000);
  const outbox = useOutbox();
  const [pkKey, setPkKey] = useState(0);

  if (!valid) return <LoadError error={new Error('No session was given in the address: open one from the infusions list.')} />;
  if (!s) {
    return session.status === 'error' ? <LoadError error={session.error} retry={session.reload} /> : <Skeleton label="the infusion" rows={5} />;
  }
  const tz = context.data?.clinic?.timezone ?? 'UTC';
  const patient = context.data?.patient ?? null;
  const ctx: ChairContext = {
    session: s,
    patient,
    role,
    tz,
    observationMin: context.data?.clinic?.observation_minutes ?? null,
    send: outbox.send,
    reload: () => {
      reloadAll();
      setPkKey((k) => k + 1);
    },
  };
  const name = patient ? `${patient.family_name}, ${patient.given_name}` : `Patient ${s.patient_id}`;

  return (
    <div class="chair-screen">
      <div class="page-head chair-head">
        <p class="breadcrumb no-print">
          <Link href="/chair">Infusions today</Link>
        </p>
        <h1>
          {name} <span class="visually-hidden">: infusion</span>
        </h1>
        <p class="subtitle">
          <span class={`tag state-${s.state}`}>{STATE_LABEL[s.state] ?? s.state}</span> {s.protocol}
          {context.data?.chair ? ` · ${context.data.chair.name}` : ''}
          {patient ? ` · MRN ${patient.mrn}` : ''} · {longDate(dateIn(tz))} ({tz})
        </p>
        <p class={'live-status ' + (live ? 'live-on' : 'live-off')} role="status">
          <span aria-hidden="true">{live ? '● ' : '○ '}</span>
          {live ? 'Live: updates as they happen' : 'Checking for updates every 10 s'}
        </p>
      </div>

      {s.stop_pump && (
        <div class="stop-pump" role="alert">
          <span class="stop-pump-symbol" aria-hidden="true">
            ■
          </span>
          <div>
            <p class="stop-pump-title">STOP THE PUMP NOW</p>
            <p>
              The hard dose limit is reached: {formatQuantity(s.delivered.mg, 'mg')} delivered, limit {formatQuantity(s.delivered.hard_limit_mg, 'mg')}. Stop the pump, then record the stop below.
            </p>
          </div>
        </div>
      )}

      <AlertsPanel alerts={alerts.data ?? []} role={role} tz={tz} reload={alerts.reload} />
      {session.status === 'error' && <LoadError error={session.error} retry={session.reload} />}

      {outbox.pending.length > 0 && (
        <section class="card pending" aria-labelledby="pending-title">
          <h2 id="pending-title">Not yet recorded by the server</h2>
          <p class="hint">Each entry is sent again with the same key until the server answers: it is recorded once, never twice.</p>
          <ul aria-live="polite">
            {outbox.pending.map((p) => (
              <li key={p.key} class="pending-item">
                <span class="tag tag-pending">
                  <span aria-hidden="true">◌</span> pending
                </span>{' '}
                {p.label}:{' '}
                {p.state === 'sending'
                  ? `sending (attempt ${p.attempts})`
                  : p.state === 'waiting'
                    ? `no answer yet, trying again with the same key (attempt ${p.attempts})`
                    : `refused by the server: ${p.lastError ?? ''}`}
                {p.state === 'refused' && (
                  <button type="button" class="button button-secondary button-small" onClick={() => outbox.dismiss(p.key)}>
                    Dismiss
                  </button>
                )}
                {p.state === 'waiting' && (
                  <button type="button" class="button button-secondary button-small" onClick={() => outbox.retryNow(p.key)}>
                    Try now
                  </button>
                )}
              </li>
            ))}
          </ul>
        </section>
      )}

      <div class="chair-grid">
        <div class="chair-col">
          <PumpPanel {...ctx} />
          {s.state === 'planned' && <Checklist gates={s.gates} title="Before the start" />}
          <DischargePanel ctx={ctx} />
          <EscortPanel ctx={ctx} />
          <EventHistory ctx={ctx} />
        </div>
        <div class="chair-col">
          <VitalsPanel ctx={ctx} thresholds={context.data?.thresholds ?? null} />
          <PkPanel session={s} patient={patient} refreshKey={`${s.version}-${pkKey}`} />
          <AdversePanel ctx={ctx} />
          <CadssPanel ctx={ctx} />
          <StockPanel ctx={ctx} />
        </div>
      </div>
      <p class="muted print-only">
        Printed {dateTimeIn(tz, now().toISOString())}. Session {s.id}, version {s.version}.
      </p>
    </div>
  );
}
