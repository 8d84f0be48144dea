// Alerts that cannot be missed: each open alert of the session by priority (IEC 60601-1-8 style:
// colour AND symbol AND words), announced by aria-live, never dismissed by a timer and without a
// close button; only a physician acknowledges, with a note. Acknowledged and retracted alerts stay
// listed below.
import { useState } from 'preact/hooks';
import { acknowledgeAlert } from '../../api/sessions';
import type { Alert } from '../../api/types';
import { dateTimeIn, timeIn } from '../../format/time';
import { priorityOf, words } from '../../screens/chair/labels';
import { newIdempotencyKey, retryable } from '../../screens/chair/outbox';
import { Dialog } from './Dialog';
import { errorText } from './common';

const RANK: Record<string, number> = { high: 0, medium: 1, low: 2 };

export function AlertsPanel({ alerts, role, tz, reload }: { alerts: Alert[]; role: string; tz: string; reload: () => void }) {
  const open = alerts
    .filter((a) => a.status === 'open')
    .sort((a, b) => RANK[priorityOf(a.severity).level]! - RANK[priorityOf(b.severity).level]! || a.created_at.localeCompare(b.created_at));
  const closed = alerts.filter((a) => a.status !== 'open');
  const [acking, setAcking] = useState<Alert | null>(null);
  return (
    <section class="alerts-panel" aria-labelledby="alerts-title">
      <h2 id="alerts-title" class={open.length ? '' : 'visually-hidden'}>
        Open alerts ({open.length})
      </h2>
      <div aria-live="assertive" aria-atomic="false" class="alert-list">
        {open.map((a) => {
          const p = priorityOf(a.severity);
          return (
            <div key={a.id} class={`alarm alarm-${p.level}`} role="group" aria-label={`${p.label} alert`}>
              <span class="alarm-symbol" aria-hidden="true">
                {p.symbol}
              </span>
              <div class="alarm-body">
                <p class="alarm-priority">
                  {p.label} <span class="alarm-severity">({a.severity}, {words(a.kind)})</span>
                </p>
                <p class="alarm-message">{a.message}</p>
                <p class="alarm-time">Raised {timeIn(tz, a.created_at)}</p>
              </div>
              <div class="alarm-actions">
                {role === 'physician' ? (
                  <button type="button" class="button button-small" onClick={() => setAcking(a)}>
                    Acknowledge…
                  </button>
                ) : (
                  <p class="alarm-who">Stays until a physician acknowledges it.</p>
                )}
              </div>
            </div>
          );
        })}
      </div>
      {closed.length > 0 && (
        <details class="alerts-closed">
          <summary>Earlier alerts ({closed.length})</summary>
          <ul>
            {closed.map((a) => (
              <li key={a.id}>
                <span class="tag tag-acknowledged">{a.status}</span> {a.message}{' '}
                <span class="muted">
                  ({dateTimeIn(tz, a.created_at)}
                  {a.acknowledge_note ? `; note: ${a.acknowledge_note}` : ''}
                  {a.retraction_reason ? `; ${a.retraction_reason}` : ''})
                </span>
              </li>
            ))}
          </ul>
        </details>
      )}
      {closed.length > 0 && (
        <div class="print-only">
          <h3>Alerts of this infusion</h3>
          <ul>
            {closed.map((a) => (
              <li key={a.id}>
                {dateTimeIn(tz, a.created_at)} {a.severity}: {a.message} — {a.status}
                {a.acknowledge_note ? ` (${a.acknowledge_note})` : ''}
                {a.retraction_reason ? ` (${a.retraction_reason})` : ''}
              </li>
            ))}
          </ul>
        </div>
      )}
      {acking && <AckDialog alert={acking} onClose={() => setAcking(null)} onDone={reload} />}
    </section>
  );
}

function AckDialog({ alert, onClose, onDone }: { alert: Alert; onClose: () => void; onDone: () => void }) {
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const p = priorityOf(alert.severity);
  async function confirm() {
    if (!note.trim()) return;
    setBusy(true);
    setError(null);
    const key = newIdempotencyKey();
    try {
      for (let attempt = 0; ; attempt++) {
        try {
          await acknowledgeAlert(alert, note.trim(), key);
          break;
        } catch (e) {
          if (!retryable(e) || attempt >= 5) throw e;
          await new Promise((r) => setTimeout(r, 1000 * (attempt + 1)));
        }
      }
      onDone();
      onClose();
    } catch (e) {
      setError(errorText(e));
      onDone();
    } finally {
      setBusy(false);
    }
  }
  return (
    <Dialog title="Acknowledge the alert" onClose={onClose} busy={busy}>
      <p>
        <strong>
          {p.label} ({alert.severity}):
        </strong>{' '}
        {alert.message}
      </p>
      <div class="field">
        <label for="ack-note">What was done (note)</label>
        <textarea id="ack-note" class="input textarea" rows={3} value={note} onInput={(e) => setNote((e.currentTarget as HTMLTextAreaElement).value)} />
      </div>
      {error && (
        <p class="notice notice-error" role="alert">
          {error}
        </p>
      )}
      <div class="dialog-actions">
        <button type="button" class="button" disabled={busy || !note.trim()} onClick={confirm}>
          {busy ? 'Sending…' : 'Acknowledge'}
        </button>
        <button type="button" class="button button-secondary" disabled={busy} onClick={onClose}>
          Cancel
        </button>
      </div>
    </Dialog>
  );
}
