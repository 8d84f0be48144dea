// Front desk: the inquiry queue by status (new, contacted, scheduled, closed). Each inquiry is moved
// on with If-Match (a queue worked by two people never loses a change), and a new or contacted one
// is turned into a patient with the registration form prefilled from it.
import { useState } from 'preact/hooks';
import { inquiries, updateInquiry } from '../../api/desk';
import type { Inquiry, InquiryStatus } from '../../api/types';
import { ErrorSummary } from '../../components/ErrorSummary';
import type { FieldError } from '../../components/ErrorSummary';
import { Empty, LoadError, Skeleton } from '../../components/Status';
import { DataTable, StatusTag } from '../../components/Table';
import { useResource } from '../../components/useResource';
import { dateTimeIn } from '../../format/time';
import { useLiveRefresh } from '../../live/events';
import { Link } from '../../router';
import { REASONS } from '../public/inquiryRules';
import { clinics } from '../../api/desk';
import { cap, errorsFrom } from './common';
import './desk.css';

const STATUSES: InquiryStatus[] = ['new', 'contacted', 'scheduled', 'closed'];

export default function Inquiries() {
  const [status, setStatus] = useState<InquiryStatus>('new');
  const list = useResource(async (signal) => {
    const [rows, cl] = await Promise.all([inquiries(undefined, signal), clinics(signal)]);
    return { rows, tz: cl[0]?.timezone ?? 'UTC' };
  }, []);
  useLiveRefresh(list.reload, 30_000);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [focusKey, setFocusKey] = useState(0);
  const [done, setDone] = useState('');
  const [busy, setBusy] = useState(0);

  async function move(i: Inquiry, to: InquiryStatus) {
    setBusy(i.id);
    setErrors([]);
    setDone('');
    try {
      await updateInquiry(i, { status: to });
      setDone(`${i.name}: marked ${to}.`);
    } catch (e) {
      setErrors(errorsFrom(e, []));
      setFocusKey((k) => k + 1);
    } finally {
      setBusy(0);
      list.reload();
    }
  }

  const rows = list.data?.rows ?? [];
  const shown = rows.filter((i) => i.status === status);
  const tz = list.data?.tz ?? 'UTC';
  return (
    <>
      <div class="page-head">
        <h1>Inquiries</h1>
        <p class="subtitle">Times in the clinic's time zone ({tz}).</p>
      </div>
      <ErrorSummary errors={errors} focusKey={focusKey} />
      <p role="status" class={done ? 'notice' : 'visually-hidden'}>
        {done}
      </p>
      <div class="tabs" role="group" aria-label="Show inquiries by status">
        {STATUSES.map((s) => (
          <button
            type="button"
            key={s}
            class={'tab' + (s === status ? ' tab-current' : '')}
            aria-pressed={s === status}
            onClick={() => setStatus(s)}
          >
            {cap(s)} <span class="count-badge">{list.data ? rows.filter((i) => i.status === s).length : '–'}</span>
          </button>
        ))}
      </div>
      {list.status === 'error' && <LoadError error={list.error} retry={list.reload} />}
      {!list.data && list.status === 'loading' && <Skeleton label="inquiries" />}
      {list.data &&
        (shown.length === 0 ? (
          <Empty>No {status} inquiries.</Empty>
        ) : (
          <div class="desk-stack">
          <DataTable caption={`${cap(status)} inquiries`} head={['Received', 'Name', 'Contact', 'Reason', 'Message', 'Actions']}>
            {shown.map((i) => (
              <tr key={i.id}>
                <td data-label="Received" class="nowrap">{dateTimeIn(tz, i.created_at)}</td>
                <td data-label="Name">
                  {i.name} <StatusTag status={i.status} />
                </td>
                <td data-label="Contact" class="nowrap">{i.contact}</td>
                <td data-label="Reason">{REASONS.find((r) => r.value === i.reason)?.label ?? i.reason}</td>
                <td data-label="Message" class="message-cell">{i.message || <span class="muted">none</span>}</td>
                <td data-label="Actions">
                  <div class="desk-actions">
                    {(i.status === 'new' || i.status === 'contacted') && (
                      <Link class="button button-small" href={`/desk/register?inquiry=${i.id}`}>
                        Register patient<span class="visually-hidden"> from the inquiry of {i.name}</span>
                      </Link>
                    )}
                    {i.status === 'new' && (
                      <button type="button" class="button button-secondary button-small" disabled={busy === i.id} onClick={() => move(i, 'contacted')}>
                        Mark contacted<span class="visually-hidden">: {i.name}</span>
                      </button>
                    )}
                    {(i.status === 'new' || i.status === 'contacted') && (
                      <button type="button" class="button button-secondary button-small" disabled={busy === i.id} onClick={() => move(i, 'closed')}>
                        Close<span class="visually-hidden">: {i.name}</span>
                      </button>
                    )}
                    {i.status === 'closed' && (
                      <button type="button" class="button button-secondary button-small" disabled={busy === i.id} onClick={() => move(i, 'new')}>
                        Reopen<span class="visually-hidden">: {i.name}</span>
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </DataTable>
          </div>
        ))}
    </>
  );
}
