// Admin and front desk: the reminders' outbox (docs/reminders.md). Filters by state, kind and
// patient; a count per state; each message with its state as a tag (symbol and text, never colour
// alone) and, on demand, its text and delivery log with the relay's replies. Times in UTC, as the
// audit log.
import { useState } from 'preact/hooks';
import { outbox, outboxAttempts } from '../../api/outbox';
import type { OutboxAttempt, OutboxQuery, OutboxState, ReminderKind } from '../../api/outbox';
import { ErrorSummary } from '../../components/ErrorSummary';
import type { FieldError } from '../../components/ErrorSummary';
import { TextField } from '../../components/Fields';
import { Empty, LoadError, Skeleton } from '../../components/Status';
import { DataTable, StatusTag } from '../../components/Table';
import { useResource } from '../../components/useResource';
import { dateTimeIn } from '../../format/time';
import '../front_desk/desk.css';
import './outbox.css';

const PAGE = 50;
const STATES: OutboxState[] = ['queued', 'sending', 'sent', 'failed', 'cancelled'];
const KIND_LABEL: Record<ReminderKind, string> = {
  questionnaire_due: 'Questionnaire due',
  appointment_upcoming: 'Appointment',
  book_reassessment: 'Book reassessment',
};
// The tag style of each state (board styles: planned = waiting, running = going, ok, failed).
const STATE_TAG: Record<OutboxState, string> = { queued: 'planned', sending: 'running', sent: 'ok', failed: 'failed', cancelled: 'cancelled' };

function Attempts({ id }: { id: number }) {
  const log = useResource((signal) => outboxAttempts(id, signal), [id]);
  if (log.status === 'error') return <LoadError error={log.error} retry={log.reload} />;
  if (!log.data) return <Skeleton label="delivery log" />;
  const { message, attempts } = log.data;
  return (
    <div class="outbox-detail">
      <p>
        <strong>Subject:</strong> {message.subject}
      </p>
      <pre class="outbox-body">{message.body}</pre>
      {message.cancel_reason && <p class="muted">Cancelled: {message.cancel_reason}</p>}
      {attempts.length === 0 ? (
        <p class="muted">No delivery try yet{message.next_attempt_at ? `; the first is due ${dateTimeIn('UTC', message.next_attempt_at)} UTC` : ''}.</p>
      ) : (
        <DataTable caption={`Delivery log of message ${message.id}`} head={['Try', 'Started (UTC)', 'Outcome', 'SMTP reply']}>
          {attempts.map((a: OutboxAttempt) => (
            <tr key={a.attempt}>
              <td>{a.attempt}</td>
              <td class="nowrap">{dateTimeIn('UTC', a.started_at)}</td>
              <td>
                <StatusTag status={a.outcome === 'sent' ? 'ok' : a.outcome === 'sending' ? 'running' : 'failed'} label={a.outcome} />
              </td>
              <td class="mono">{a.smtp_code ? `${a.smtp_code} ` : ''}{a.smtp_reply}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </div>
  );
}

export default function Outbox() {
  const [v, setV] = useState({ state: '', kind: '', patient_id: '' });
  const [query, setQuery] = useState<OutboxQuery>({ limit: PAGE });
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [focusKey, setFocusKey] = useState(0);
  const [open, setOpen] = useState<number | null>(null);
  const rows = useResource((signal) => outbox(query, signal), [JSON.stringify(query)]);
  const err = (k: string) => errors.find((e) => e.field === k)?.message;

  function apply(e: Event) {
    e.preventDefault();
    const local: FieldError[] = [];
    if (v.patient_id && !/^\d+$/.test(v.patient_id.trim())) local.push({ field: 'patient_id', message: 'Enter the patient’s number (digits only)' });
    setErrors(local);
    if (local.length) {
      setFocusKey((n) => n + 1);
      return;
    }
    setOpen(null);
    setQuery({
      limit: PAGE,
      ...(v.state ? { state: v.state as OutboxState } : {}),
      ...(v.kind ? { kind: v.kind as ReminderKind } : {}),
      ...(v.patient_id.trim() ? { patient_id: Number(v.patient_id.trim()) } : {}),
    });
  }

  const data = rows.data;
  const page = query.offset ?? 0;
  return (
    <>
      <div class="page-head">
        <h1>Reminders outbox</h1>
        <p class="subtitle">E-mail reminders to patients: questionnaires due, coming appointments and reassessments. Messages carry no clinical content. Times in UTC.</p>
      </div>

      <section class="section" aria-labelledby="filter-title">
        <h2 id="filter-title">Find messages</h2>
        <form onSubmit={apply} noValidate>
          <ErrorSummary errors={errors} focusKey={focusKey} />
          <div class="desk-grid">
            <div class="field">
              <label for="outbox-state">State</label>
              <select class="input input-medium" id="outbox-state" name="state" value={v.state} onChange={(e) => setV({ ...v, state: (e.target as HTMLSelectElement).value })}>
                <option value="">Any state</option>
                {STATES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </select>
            </div>
            <div class="field">
              <label for="outbox-kind">Kind</label>
              <select class="input input-medium" id="outbox-kind" name="kind" value={v.kind} onChange={(e) => setV({ ...v, kind: (e.target as HTMLSelectElement).value })}>
                <option value="">Any kind</option>
                {(Object.keys(KIND_LABEL) as ReminderKind[]).map((k) => (
                  <option key={k} value={k}>
                    {KIND_LABEL[k]}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <TextField name="patient_id" label="Patient number" inputMode="numeric" value={v.patient_id} onInput={(x) => setV({ ...v, patient_id: x })} error={err('patient_id')} />
          <button type="submit" class="button">
            Show messages
          </button>
        </form>
      </section>

      <section class="section" aria-labelledby="messages-title">
        <h2 id="messages-title">Messages</h2>
        {rows.status === 'error' && <LoadError error={rows.error} retry={rows.reload} />}
        {!data && rows.status === 'loading' && <Skeleton label="outbox messages" />}
        {data && (
          <>
            <p class="outbox-counts" aria-label="Messages by state">
              {STATES.map((s) => (
                <span key={s}>
                  <StatusTag status={STATE_TAG[s]} label={`${s} ${data.counts[s]}`} />{' '}
                </span>
              ))}
            </p>
            {data.messages.length === 0 ? (
              <Empty>No message matches.</Empty>
            ) : (
              <>
                <DataTable caption={`Outbox messages, ${data.total} in all`} head={['#', 'Planned (UTC)', 'Kind', 'Patient', 'To', 'State', 'Tries', 'Next or sent (UTC)', 'Message']}>
                  {data.messages.map((m) => (
                      <tr key={m.id}>
                        <td>{m.id}</td>
                        <td class="nowrap">{dateTimeIn('UTC', m.planned_at)}</td>
                        <td>
                          {KIND_LABEL[m.kind]} <span class="muted">#{m.reminder_number}, {m.language}</span>
                        </td>
                        <td>{m.patient_id}</td>
                        <td class="mono outbox-to">{m.recipient}</td>
                        <td>
                          <StatusTag status={STATE_TAG[m.state]} label={m.state} />
                          {m.last_error && m.state !== 'sent' && <div class="muted mono">{m.last_error}</div>}
                        </td>
                        <td>{m.attempts}</td>
                        <td class="nowrap">{m.sent_at ? dateTimeIn('UTC', m.sent_at) : m.next_attempt_at ? dateTimeIn('UTC', m.next_attempt_at) : '—'}</td>
                        <td>
                          <button type="button" class="button button-secondary" aria-expanded={open === m.id} onClick={() => setOpen(open === m.id ? null : m.id)}>
                            {open === m.id ? 'Hide' : 'Show'} message {m.id}
                          </button>
                        </td>
                      </tr>
                  ))}
                </DataTable>
                {open !== null && (
                  <section class="section outbox-open" aria-labelledby="open-title">
                    <h3 id="open-title">Message {open}</h3>
                    <Attempts id={open} />
                  </section>
                )}
                <div class="desk-actions">
                  {page > 0 && (
                    <button type="button" class="button button-secondary" onClick={() => setQuery({ ...query, offset: Math.max(0, page - PAGE) })}>
                      Newer messages
                    </button>
                  )}
                  {page + PAGE < data.total && (
                    <button type="button" class="button button-secondary" onClick={() => setQuery({ ...query, offset: page + PAGE })}>
                      Older messages
                    </button>
                  )}
                </div>
              </>
            )}
          </>
        )}
      </section>
    </>
  );
}
