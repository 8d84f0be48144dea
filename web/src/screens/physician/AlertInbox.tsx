// The alert inbox: open alerts, most severe then oldest first (the server's order), each with its
// patient, its priority by colour, symbol and text, and (for a physician) acknowledgement with a
// note. A suicidal-ideation alert (PHQ-9 item 9 and the like) is shown with crisis text at the top
// at once. Live: the server's change stream refetches the inbox on every write (live/events.ts);
// polling every 30 s stays as the fallback.
import { useState } from 'preact/hooks';
import { listOpenAlerts } from '../../api/alerts';
import { ApiError } from '../../api/client';
import { acknowledgeAlert, newIdempotencyKey } from '../../api/physician';
import { patientsById } from '../../api/patients';
import { listClinics } from '../../api/scheduling';
import type { Alert, Patient } from '../../api/types';
import { TextArea } from '../../components/Fields';
import { LoadError, Skeleton, Empty, describeError } from '../../components/Status';
import { useResource } from '../../components/useResource';
import { dateTimeIn } from '../../format/time';
import { useChangeEvents } from '../../live/events';
import { usePolling } from '../../live/poll';
import { Link } from '../../router';
import { useSession } from '../../session';
import { patientName } from '../common/clinicDay';
import { PriorityTag, kindLabel } from './priority';

const NOTE_MAX = 2000;

export default function AlertInbox() {
  const { user } = useSession();
  const inbox = useResource(async (signal) => {
    const [alerts, clinics] = await Promise.all([listOpenAlerts(signal), listClinics(signal)]);
    const patients = await patientsById(
      alerts.map((a) => a.patient_id),
      signal,
    );
    return { alerts, patients, tz: clinics[0]?.timezone ?? 'UTC' };
  }, []);
  const stream = useChangeEvents(inbox.reload);
  usePolling(inbox.reload, 30_000);
  const [done, setDone] = useState<string | null>(null);
  const d = inbox.data;
  // The core's safety flags (PHQ-9 item 9, QIDS item 12, MADRS item 10) name suicidal ideation.
  const suicidal = d?.alerts.filter((a) => a.kind === 'safety_flag' && a.message.includes('suicidal_ideation')) ?? [];
  return (
    <>
      <div class="page-head">
        <h1>Alert inbox</h1>
        <p class="subtitle">
          Open alerts, most urgent first.{' '}
          <span class="muted">{stream === 'open' ? 'Updates live.' : 'Refreshed every 30 seconds.'}</span>
        </p>
      </div>
      <p class="visually-hidden" role="status" aria-live="polite">
        {done ?? ''}
      </p>
      {suicidal.length > 0 && (
        <div class="notice notice-crisis" role="alert">
          <p class="notice-title">
            <span aria-hidden="true">‼ </span>
            {suicidal.length === 1 ? 'A questionnaire reports' : `${suicidal.length} questionnaires report`} thoughts of self-harm
          </p>
          <p>
            Review each one now: contact the patient, assess the risk directly and follow the clinic's crisis
            protocol.
          </p>
        </div>
      )}
      {inbox.status === 'error' && <LoadError error={inbox.error} retry={inbox.reload} />}
      {!d && inbox.status === 'loading' && <Skeleton label="alerts" />}
      {d &&
        (d.alerts.length === 0 ? (
          <Empty>No open alerts.</Empty>
        ) : (
          <ul class="alert-list" aria-label="Open alerts">
            {d.alerts.map((a) => (
              <AlertItem
                key={a.id}
                alert={a}
                patient={d.patients.get(a.patient_id)}
                tz={d.tz}
                canAcknowledge={user?.role === 'physician'}
                onAcknowledged={(msg) => {
                  setDone(msg);
                  inbox.reload();
                }}
              />
            ))}
          </ul>
        ))}
    </>
  );
}

function AlertItem({
  alert,
  patient,
  tz,
  canAcknowledge,
  onAcknowledged,
}: {
  alert: Alert;
  patient: Patient | undefined;
  tz: string;
  canAcknowledge: boolean;
  onAcknowledged: (message: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const [key, setKey] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const name = patientName(patient, alert.patient_id);
  const titleId = `alert-${alert.id}-title`;

  async function submit(e: Event) {
    e.preventDefault();
    if (note.length > NOTE_MAX) {
      setError(`The note is ${note.length - NOTE_MAX} characters too long.`);
      return;
    }
    // One key per confirmed acknowledgement; a retry after a failure sends the same one.
    const k = key ?? newIdempotencyKey();
    setKey(k);
    setBusy(true);
    setError(null);
    try {
      await acknowledgeAlert(alert, note, k);
      onAcknowledged(`Alert for ${name} acknowledged.`);
    } catch (err) {
      if (err instanceof ApiError && (err.status === 412 || err.status === 409)) {
        setError('This alert changed since it was shown (someone else may have acknowledged it). The inbox has been refreshed.');
        setKey(null);
        onAcknowledged('The inbox was refreshed.');
      } else setError(err instanceof Error ? describeError(err) : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <li class={`card alert-item alert-${alert.severity.replace(/[^a-z]/g, '')}`} aria-labelledby={titleId}>
      <div class="alert-head">
        <PriorityTag severity={alert.severity} />
        <h2 id={titleId} class="alert-title">
          {kindLabel(alert.kind)}:{' '}
          {canAcknowledge ? <Link href={`/patients/chart?patient=${alert.patient_id}`}>{name}</Link> : name}
        </h2>
      </div>
      <p class="alert-message">{alert.message}</p>
      <p class="muted">Raised {dateTimeIn(tz, alert.created_at)}</p>
      {canAcknowledge && !open && (
        <button type="button" class="button button-secondary" onClick={() => setOpen(true)} aria-describedby={titleId}>
          Acknowledge
        </button>
      )}
      {canAcknowledge && open && (
        <form class="ack-form" onSubmit={submit} aria-label={`Acknowledge alert for ${name}`} noValidate>
          {error && (
            <div class="notice notice-error" role="alert">
              <p>{error}</p>
            </div>
          )}
          <TextArea
            name={`ack-note-${alert.id}`}
            label="Note (optional)"
            hint="What you did or will do, e.g. called the patient."
            value={note}
            onInput={setNote}
            rows={3}
            maxLength={NOTE_MAX}
          />
          <div class="button-row">
            <button type="submit" class="button" disabled={busy}>
              {busy ? 'Acknowledging…' : 'Confirm acknowledgement'}
            </button>
            <button type="button" class="button button-secondary" onClick={() => setOpen(false)} disabled={busy}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </li>
  );
}
