// Infusions today (nurse, physician): each infusion or booster appointment of the clinic's day with
// its session, and the way into it: "Open" for a planned or running session, "Plan" for one not
// planned yet (POST /patients/{id}/sessions: the server's gates, then its dose calculator).
import { useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import type { Appointment } from '../../api/types';
import { Dialog } from '../../components/chair/Dialog';
import { WirePreview, errorText } from '../../components/chair/common';
import { Empty, LoadError, Skeleton } from '../../components/Status';
import { useResource } from '../../components/useResource';
import { formatQuantity } from '../../format/quantity';
import { longDate, timeIn } from '../../format/time';
import { useLiveRefresh } from '../../live/events';
import { Link, navigate } from '../../router';
import { getSession } from '../../session';
import { loadChairDay, patientName } from './today';
import { newIdempotencyKey } from './outbox';
import { api } from '../../api/client';
import { STATE_LABEL } from './labels';
import './chair.css';

export default function ChairToday() {
  const day = useResource(loadChairDay, []);
  useLiveRefresh(day.reload, 15_000);
  const [planning, setPlanning] = useState<Appointment | null>(null);
  const d = day.data;
  const tz = d?.clinic?.timezone ?? 'UTC';
  return (
    <div class="chair-screen">
      <div class="page-head">
        <h1>Infusions today</h1>
        {d && (
          <p class="subtitle">
            {longDate(d.date)}
            {d.clinic ? ` · ${d.clinic.name} (${tz})` : ''}
          </p>
        )}
      </div>
      {day.status === 'error' && <LoadError error={day.error} retry={day.reload} />}
      {!d && day.status === 'loading' && <Skeleton label="today's infusions" rows={4} />}
      {d && !d.clinic && <Empty>No clinic is set up yet: an administrator adds the clinic and its chairs.</Empty>}
      {d && d.clinic && d.infusions.length === 0 && <Empty>No infusions are booked today.</Empty>}
      {d && d.infusions.length > 0 && (
        <ul class="today-list">
          {d.infusions.map((a) => {
            const sessions = (d.sessions.get(a.patient_id) ?? []).filter((x) => x.appointment_id === a.id && x.state !== 'voided');
            const live = sessions[0];
            const chair = d.chairs.find((c) => c.id === a.chair_id);
            return (
              <li key={a.id} class="card today-item">
                <div class="today-main">
                  <span class="slot-time nowrap">
                    {timeIn(tz, a.starts_at)}–{timeIn(tz, a.ends_at)}
                  </span>
                  <strong class="today-patient">{patientName(d.patients.get(a.patient_id), a.patient_id)}</strong>
                  <span>{chair?.name ?? `Chair ${a.chair_id}`}</span>
                  <span>{a.kind}</span>
                  {live ? <span class={`tag state-${live.state}`}>{STATE_LABEL[live.state] ?? live.state}</span> : <span class="tag tag-new">not planned</span>}
                </div>
                <div class="today-actions">
                  {live ? (
                    <Link class="button" href={`/chair/session?id=${live.id}`}>
                      Open infusion<span class="visually-hidden"> of {patientName(d.patients.get(a.patient_id), a.patient_id)}</span>
                    </Link>
                  ) : (
                    <button type="button" class="button" onClick={() => setPlanning(a)}>
                      Plan infusion…<span class="visually-hidden"> for {patientName(d.patients.get(a.patient_id), a.patient_id)}</span>
                    </button>
                  )}
                </div>
              </li>
            );
          })}
        </ul>
      )}
      {planning && d && <PlanDialog appointment={planning} name={patientName(d.patients.get(planning.patient_id), planning.patient_id)} onClose={() => setPlanning(null)} />}
    </div>
  );
}

function parsePositive(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,4}(\.\d{1,3})?$/.test(t)) return null;
  const v = Number(t);
  return v > 0 ? v : null;
}

function PlanDialog({ appointment, name, onClose }: { appointment: Appointment; name: string; onClose: () => void }) {
  const role = getSession().user?.role;
  const [concentration, setConcentration] = useState('');
  const [dose, setDose] = useState('');
  const [override, setOverride] = useState('');
  const [needsOverride, setNeedsOverride] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const conc = parsePositive(concentration);
  const doseValue = dose ? parsePositive(dose) : null;
  const body: Record<string, unknown> = {
    course_id: appointment.course_id,
    appointment_id: appointment.id,
    preparation: { concentration_mg_per_ml: conc },
  };
  if (doseValue !== null) body.dose_mg_per_kg = doseValue;
  if (override.trim()) body.override_reason = override.trim();
  const write = { method: 'POST' as const, path: `/patients/${appointment.patient_id}/sessions`, body };
  const problem = conc === null ? 'Type the concentration of the prepared bag in mg/mL' : dose && doseValue === null ? 'The dose is not a number' : null;
  async function confirm() {
    if (problem) return;
    setBusy(true);
    setError(null);
    try {
      const created = await api.request<{ id: number }>('POST', write.path, { body, headers: { 'Idempotency-Key': newIdempotencyKey() } });
      navigate(`/chair/session?id=${created.data.id}`);
    } catch (e) {
      if (e instanceof ApiError && e.field === 'override_reason') setNeedsOverride(e.message);
      else setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog title={`Plan the infusion: ${name}`} onClose={onClose} busy={busy}>
      <p>The server checks the gates (approval, consent, screening, course, today's appointment) and computes the dose and pump rate from the protocol.</p>
      <div class="field">
        <label for="plan-conc">Concentration of the prepared bag (mg/mL)</label>
        <input id="plan-conc" class="input input-medium" inputMode="decimal" autocomplete="off" value={concentration} aria-describedby="plan-conc-echo" onInput={(e) => setConcentration((e.currentTarget as HTMLInputElement).value)} />
        <p class="echo" id="plan-conc-echo">
          {concentration ? (conc === null ? 'not a concentration' : `You typed ${formatQuantity(conc, 'mg/mL')}`) : ''}
        </p>
      </div>
      <div class="field">
        <label for="plan-dose">Dose (mg/kg), if not the protocol's</label>
        <input id="plan-dose" class="input input-medium" inputMode="decimal" autocomplete="off" value={dose} aria-describedby="plan-dose-echo" onInput={(e) => setDose((e.currentTarget as HTMLInputElement).value)} />
        <p class="echo" id="plan-dose-echo">
          {dose ? (doseValue === null ? 'not a dose' : `You typed ${formatQuantity(doseValue, 'mg/kg')}`) : ''}
        </p>
      </div>
      {needsOverride && (
        <div class="notice notice-warn" role="alert">
          <p>
            <strong>Outside a soft limit.</strong> {needsOverride}
          </p>
          {role === 'physician' ? (
            <div class="field">
              <label for="plan-override">Reason for the override (physician)</label>
              <textarea id="plan-override" class="input textarea" rows={2} value={override} onInput={(e) => setOverride((e.currentTarget as HTMLTextAreaElement).value)} />
            </div>
          ) : (
            <p>Only a physician can approve this dose.</p>
          )}
        </div>
      )}
      <WirePreview write={write} />
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <div class="dialog-actions">
        <button type="button" class="button" disabled={busy || !!problem} onClick={confirm}>
          {busy ? 'Planning…' : 'Plan infusion'}
        </button>
        <button type="button" class="button button-secondary" disabled={busy} onClick={onClose}>
          Cancel
        </button>
      </div>
      {problem && <p class="hint">{problem}.</p>}
    </Dialog>
  );
}
