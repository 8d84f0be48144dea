// Admin: when each physician and nurse works (weekly windows by ISO weekday, or one date) and their
// dated time off. Bookings with a nurse are checked against these (docs/api-journey.md).
import { useState } from 'preact/hooks';
import { addAvailability, removeAvailability } from '../../api/admin';
import { availability, clinicians, idempotencyKey } from '../../api/desk';
import type { Availability as Window } from '../../api/desk';
import { ErrorSummary } from '../../components/ErrorSummary';
import type { FieldError } from '../../components/ErrorSummary';
import { RadioGroup, TextField } from '../../components/Fields';
import { Empty, LoadError, Skeleton } from '../../components/Status';
import { DataTable, StatusTag } from '../../components/Table';
import { useResource } from '../../components/useResource';
import { SelectField, errorsFrom } from '../front_desk/common';
import '../front_desk/desk.css';

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];

export default function Availability() {
  const data = useResource(async (signal) => {
    const [staff, rows] = await Promise.all([clinicians(signal), availability(undefined, signal)]);
    return { staff, rows };
  }, []);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [focusKey, setFocusKey] = useState(0);
  const [notice, setNotice] = useState('');
  const [v, setV] = useState({ user: '', kind: 'weekly' as 'weekly' | 'date' | 'off', weekday: '1', date: '', from: '08:00', to: '17:00' });
  const [key, setKey] = useState(() => idempotencyKey('avail'));
  const set = (k: keyof typeof v) => (x: string) => setV({ ...v, [k]: x });
  const err = (k: string) => errors.find((e) => e.field === k)?.message;
  const name = (id: number) => data.data?.staff.find((s) => s.id === id)?.username ?? `user ${id}`;

  async function submit(e: Event) {
    e.preventDefault();
    const local: FieldError[] = [];
    if (!v.user) local.push({ field: 'user_id', message: 'Choose the physician or nurse' });
    if (v.kind !== 'weekly' && !/^\d{4}-\d{2}-\d{2}$/.test(v.date)) local.push({ field: 'date', message: 'Enter the date as YYYY-MM-DD' });
    if (local.length) {
      setErrors(local);
      setFocusKey((k) => k + 1);
      return;
    }
    try {
      await addAvailability(
        {
          user_id: Number(v.user),
          ...(v.kind === 'weekly' ? { weekday: Number(v.weekday) } : { date: v.date }),
          from: v.from,
          to: v.to,
          available: v.kind !== 'off',
        },
        key,
      );
      setErrors([]);
      setNotice(`${v.kind === 'off' ? 'Time off' : 'Working hours'} added for ${name(Number(v.user))}.`);
      data.reload();
    } catch (ex) {
      setErrors(errorsFrom(ex, ['user_id', 'weekday', 'date', 'from', 'to']));
      setFocusKey((k) => k + 1);
    } finally {
      setKey(idempotencyKey('avail'));
    }
  }
  async function remove(w: Window) {
    try {
      await removeAvailability(w.id);
      setNotice(`Removed ${describe(w)} of ${name(w.user_id)}.`);
      data.reload();
    } catch (ex) {
      setErrors(errorsFrom(ex, []));
      setFocusKey((k) => k + 1);
    }
  }

  return (
    <>
      <div class="page-head">
        <h1>Staff availability</h1>
        <p class="subtitle">Hours are the clinic's wall clock.</p>
      </div>
      <p role="status" class={notice ? 'notice' : 'visually-hidden'}>
        {notice}
      </p>
      {data.status === 'error' && <LoadError error={data.error} retry={data.reload} />}
      {!data.data && data.status === 'loading' && <Skeleton label="availability" />}
      {data.data &&
        (data.data.rows.length === 0 ? (
          <Empty>No working hours entered yet.</Empty>
        ) : (
          <div class="desk-stack">
<DataTable caption="Working hours and time off" head={['Who', 'When', 'Hours', 'Kind', 'Actions']}>
            {[...data.data.rows]
              .sort((a, b) => name(a.user_id).localeCompare(name(b.user_id)) || (a.weekday ?? 8) - (b.weekday ?? 8) || (a.date ?? '').localeCompare(b.date ?? ''))
              .map((w) => (
                <tr key={w.id}>
                  <td data-label="Who">{name(w.user_id)}</td>
                  <td data-label="When">{w.weekday ? `Every ${DAYS[w.weekday - 1]}` : w.date}</td>
                  <td data-label="Hours" class="nowrap">
                    {w.from}–{w.to}
                  </td>
                  <td data-label="Kind">{w.available ? <StatusTag status="active" label="working" /> : <StatusTag status="disabled" label="time off" />}</td>
                  <td data-label="Actions">
                    <button type="button" class="button button-secondary button-small" onClick={() => remove(w)}>
                      Remove<span class="visually-hidden"> {describe(w)} of {name(w.user_id)}</span>
                    </button>
                  </td>
                </tr>
              ))}
          </DataTable>
</div>
        ))}
      <section class="card desk-panel" aria-labelledby="add-hours">
        <h2 id="add-hours">Add working hours or time off</h2>
        <form onSubmit={submit} noValidate class="desk-form">
          <ErrorSummary errors={errors} focusKey={focusKey} />
          <SelectField
            name="user_id"
            label="Physician or nurse"
            value={v.user}
            placeholder="Choose…"
            options={(data.data?.staff ?? []).map((s) => ({ value: String(s.id), label: `${s.username} (${s.role})` }))}
            onChange={set('user')}
            error={err('user_id')}
          />
          <RadioGroup
            name="kind"
            label="Kind"
            value={v.kind}
            options={[
              { value: 'weekly', label: 'Working hours every week' },
              { value: 'date', label: 'Working hours on one date' },
              { value: 'off', label: 'Time off on one date' },
            ]}
            onChange={(x) => setV({ ...v, kind: x })}
          />
          {v.kind === 'weekly' ? (
            <SelectField name="weekday" label="Weekday" value={v.weekday} options={DAYS.map((d, i) => ({ value: String(i + 1), label: d }))} onChange={set('weekday')} error={err('weekday')} />
          ) : (
            <TextField name="date" label="Date" hint="YYYY-MM-DD" value={v.date} onInput={set('date')} error={err('date')} width="medium" />
          )}
          <div class="desk-grid">
            <TextField name="from" label="From" hint="HH:MM" value={v.from} onInput={set('from')} error={err('from')} />
            <TextField name="to" label="To" hint="HH:MM" value={v.to} onInput={set('to')} error={err('to')} />
          </div>
          <button type="submit" class="button">
            Add
          </button>
        </form>
      </section>
    </>
  );
}

function describe(w: Window) {
  return `${w.weekday ? DAYS[w.weekday - 1] : w.date} ${w.from}–${w.to}`;
}
