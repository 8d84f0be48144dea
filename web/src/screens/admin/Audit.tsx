// Admin: the audit log, filtered by user, patient, action and date (clinic-neutral: the log is kept
// in UTC and shown in UTC), newest first in pages, and the hash chain's check shown plainly.
import { useState } from 'preact/hooks';
import { audit, verifyAudit } from '../../api/admin';
import type { AuditQuery, ChainCheck } from '../../api/admin';
import { ErrorSummary } from '../../components/ErrorSummary';
import type { FieldError } from '../../components/ErrorSummary';
import { TextField } from '../../components/Fields';
import { Empty, LoadError, Skeleton } from '../../components/Status';
import { DataTable, StatusTag } from '../../components/Table';
import { useResource } from '../../components/useResource';
import { dateTimeIn } from '../../format/time';
import { errorsFrom } from '../front_desk/common';
import '../front_desk/desk.css';

const PAGE = 50;

export default function Audit() {
  const [v, setV] = useState({ user: '', patient_id: '', action: '', from: '', to: '' });
  const [query, setQuery] = useState<AuditQuery>({ limit: PAGE });
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [focusKey, setFocusKey] = useState(0);
  const rows = useResource((signal) => audit(query, signal), [JSON.stringify(query)]);
  const [check, setCheck] = useState<ChainCheck | null>(null);
  const [checkError, setCheckError] = useState<FieldError[]>([]);
  const [checking, setChecking] = useState(false);
  const set = (k: keyof typeof v) => (x: string) => setV({ ...v, [k]: x });
  const err = (k: string) => errors.find((e) => e.field === k)?.message;

  function apply(e: Event) {
    e.preventDefault();
    const local: FieldError[] = [];
    if (v.patient_id && !/^\d+$/.test(v.patient_id.trim())) local.push({ field: 'patient_id', message: 'Enter the patient’s number (digits only)' });
    for (const k of ['from', 'to'] as const) if (v[k] && !/^\d{4}-\d{2}-\d{2}$/.test(v[k].trim())) local.push({ field: k, message: 'Enter the date as YYYY-MM-DD' });
    setErrors(local);
    if (local.length) {
      setFocusKey((n) => n + 1);
      return;
    }
    // "to" is a whole day: up to the start of the next one.
    const next = (d: string) => new Date(Date.parse(d + 'T00:00:00Z') + 86400_000).toISOString().slice(0, 10);
    setQuery({
      limit: PAGE,
      ...(v.user.trim() ? { user: v.user.trim() } : {}),
      ...(v.patient_id.trim() ? { patient_id: Number(v.patient_id.trim()) } : {}),
      ...(v.action.trim() ? { action: v.action.trim() } : {}),
      ...(v.from.trim() ? { from: v.from.trim() } : {}),
      ...(v.to.trim() ? { to: next(v.to.trim()) } : {}),
    });
  }

  async function verify() {
    setChecking(true);
    setCheckError([]);
    try {
      setCheck(await verifyAudit());
    } catch (ex) {
      setCheckError(errorsFrom(ex, []));
    } finally {
      setChecking(false);
    }
  }

  const list = rows.data ?? [];
  return (
    <>
      <div class="page-head">
        <h1>Audit log</h1>
        <p class="subtitle">Every read and change of patient data and every account action, newest first. Times in UTC.</p>
      </div>

      <section class="section" aria-labelledby="chain-title">
        <h2 id="chain-title">Is the log intact?</h2>
        <p>Each entry is chained to the one before by a hash: an edited, removed or reordered entry breaks the chain.</p>
        {check && (
          <div class={'verify ' + (check.ok ? 'verify-ok' : 'verify-bad')} role="status">
            <p class="verify-title">
              {check.ok ? <StatusTag status="ok" label="intact" /> : <StatusTag status="conflict" label="broken" />}{' '}
              {check.ok ? `The chain of ${check.rows.toLocaleString('en-US')} entries checks out.` : `The chain is broken${check.first_bad_id ? ` at entry ${check.first_bad_id}` : ''}.`}
            </p>
            {!check.ok && <p>Entries from there on may have been changed or removed. Keep the database as it is and tell the security officer.</p>}
            {check.anchors && <p class="muted">Anchored heads: {check.anchors.checked ? (check.anchors.ok ? 'match' : 'do not match') : check.anchors.reason ?? 'not checked'}.</p>}
          </div>
        )}
        <ErrorSummary errors={checkError} focusKey={0} />
        <button type="button" class="button" onClick={verify} disabled={checking}>
          {checking ? 'Checking…' : 'Check the chain'}
        </button>
      </section>

      <section class="section" aria-labelledby="find-title">
        <h2 id="find-title">Find entries</h2>
        <form onSubmit={apply} noValidate>
          <ErrorSummary errors={errors} focusKey={focusKey} />
          <div class="desk-grid">
            <TextField name="user" label="Username" value={v.user} onInput={set('user')} error={err('user')} autocomplete="off" spellcheck={false} />
            <TextField name="patient_id" label="Patient number" inputMode="numeric" value={v.patient_id} onInput={set('patient_id')} error={err('patient_id')} />
          </div>
          <TextField name="action" label="Action" hint="Method and route, for example POST /api/v1/users" value={v.action} onInput={set('action')} error={err('action')} spellcheck={false} />
          <div class="desk-grid">
            <TextField name="from" label="From date" hint="YYYY-MM-DD (UTC)" value={v.from} onInput={set('from')} error={err('from')} />
            <TextField name="to" label="To date" hint="YYYY-MM-DD, included" value={v.to} onInput={set('to')} error={err('to')} />
          </div>
          <button type="submit" class="button">
            Show entries
          </button>
        </form>
      </section>

      <section class="section" aria-labelledby="entries-title">
        <h2 id="entries-title">Entries</h2>
        {rows.status === 'error' && <LoadError error={rows.error} retry={rows.reload} />}
        {!rows.data && rows.status === 'loading' && <Skeleton label="audit entries" />}
        {rows.data &&
          (list.length === 0 ? (
            <Empty>No entry matches.</Empty>
          ) : (
            <>
              <DataTable caption="Audit entries" head={['#', 'When (UTC)', 'Who', 'Action', 'Patient', 'Outcome', 'From']}>
                {list.map((r) => (
                  <tr key={r.id}>
                    <td>{r.seq}</td>
                    <td class="nowrap">{dateTimeIn('UTC', r.at)}</td>
                    <td>
                      {r.username || <span class="muted">anonymous</span>} {r.role && <span class="muted">({r.role.replace(/_/g, ' ')})</span>}
                    </td>
                    <td class="mono">{r.action}</td>
                    <td>{r.patient_id ?? '—'}</td>
                    <td>
                      <StatusTag status={r.outcome === 'allowed' ? 'ok' : 'conflict'} label={`${r.outcome} ${r.status}`} />
                    </td>
                    <td class="mono">{r.remote_address}</td>
                  </tr>
                ))}
              </DataTable>
              <div class="desk-actions">
                {query.before_id && (
                  <button type="button" class="button button-secondary" onClick={() => setQuery({ ...query, before_id: undefined })}>
                    Newest entries
                  </button>
                )}
                {list.length === PAGE && (
                  <button type="button" class="button button-secondary" onClick={() => setQuery({ ...query, before_id: list[list.length - 1]!.id })}>
                    Older entries
                  </button>
                )}
              </div>
            </>
          ))}
      </section>
    </>
  );
}
