// Admin: clinics (name, IANA time zone, hours, open weekdays, recovery time) and their chairs
// (add, deactivate, reactivate with If-Match).
import { useState } from 'preact/hooks';
import { createChair, createClinic, setChairActive } from '../../api/admin';
import { chairs, clinics, idempotencyKey } from '../../api/desk';
import type { Chair, Clinic } from '../../api/types';
import { ErrorSummary } from '../../components/ErrorSummary';
import type { FieldError } from '../../components/ErrorSummary';
import { TextField } from '../../components/Fields';
import { Empty, LoadError, Skeleton } from '../../components/Status';
import { DataTable, StatusTag } from '../../components/Table';
import { useResource } from '../../components/useResource';
import { formatQuantity } from '../../format/quantity';
import { errorsFrom } from '../front_desk/common';
import '../front_desk/desk.css';

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

export default function Clinics() {
  const data = useResource(async (signal) => {
    const [cl, ch] = await Promise.all([clinics(signal), chairs(undefined, signal)]);
    return { clinics: cl, chairs: ch };
  }, []);
  const [notice, setNotice] = useState('');
  const done = (m: string) => (setNotice(m), data.reload());
  return (
    <>
      <div class="page-head">
        <h1>Clinics and chairs</h1>
      </div>
      <p role="status" class={notice ? 'notice' : 'visually-hidden'}>
        {notice}
      </p>
      {data.status === 'error' && <LoadError error={data.error} retry={data.reload} />}
      {!data.data && data.status === 'loading' && <Skeleton label="clinics" />}
      {data.data &&
        (data.data.clinics.length === 0 ? (
          <Empty>No clinic yet: create the first one below.</Empty>
        ) : (
          data.data.clinics.map((c) => <ClinicCard key={c.id} c={c} chairs={data.data!.chairs.filter((x) => x.clinic_id === c.id)} done={done} />)
        ))}
      <NewClinic done={done} />
    </>
  );
}

function ClinicCard({ c, chairs: list, done }: { c: Clinic; chairs: Chair[]; done: (m: string) => void }) {
  const [name, setName] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [focusKey, setFocusKey] = useState(0);
  const [key, setKey] = useState(() => idempotencyKey('chair'));
  const f = `clinic${c.id}_chair`;
  async function add(e: Event) {
    e.preventDefault();
    if (!name.trim()) {
      setErrors([{ field: f, message: 'Enter the chair’s name' }]);
      setFocusKey((k) => k + 1);
      return;
    }
    try {
      await createChair({ clinic_id: c.id, name: name.trim(), active: true }, key);
      setName('');
      setErrors([]);
      done(`${name.trim()} added to ${c.name}.`);
    } catch (ex) {
      setErrors(errorsFrom(ex, ['name']).map((x) => ({ ...x, field: x.field ? f : null })));
      setFocusKey((k) => k + 1);
    } finally {
      setKey(idempotencyKey('chair'));
    }
  }
  async function toggle(ch: Chair) {
    try {
      await setChairActive(ch, !ch.active);
      done(`${ch.name} ${ch.active ? 'deactivated' : 'active again'}.`);
    } catch (ex) {
      setErrors(errorsFrom(ex, []));
      setFocusKey((k) => k + 1);
    }
  }
  return (
    <section class="card desk-panel" aria-labelledby={`clinic-${c.id}`}>
      <h2 id={`clinic-${c.id}`}>{c.name}</h2>
      <dl class="desk-facts">
        <dt>Time zone</dt>
        <dd>{c.timezone}</dd>
        <dt>Hours</dt>
        <dd>
          {c.opens_at}–{c.closes_at}, {c.open_weekdays.split('').map((d) => WEEKDAYS[Number(d) - 1]).join(', ')}
        </dd>
        <dt>Recovery time</dt>
        <dd>{formatQuantity(c.recovery_minutes, 'min')}</dd>
      </dl>
      <ErrorSummary errors={errors} focusKey={focusKey} />
      {list.length === 0 ? (
        <Empty>No chairs yet.</Empty>
      ) : (
        <DataTable caption={`Chairs of ${c.name}`} head={['Chair', 'State', 'Actions']}>
          {list.map((ch) => (
            <tr key={ch.id}>
              <td>{ch.name}</td>
              <td>{ch.active ? <StatusTag status="active" label="in use" /> : <StatusTag status="disabled" label="inactive" />}</td>
              <td>
                <button type="button" class="button button-secondary button-small" onClick={() => toggle(ch)}>
                  {ch.active ? 'Deactivate' : 'Activate'}
                  <span class="visually-hidden"> {ch.name}</span>
                </button>
              </td>
            </tr>
          ))}
        </DataTable>
      )}
      <form onSubmit={add} noValidate class="desk-row">
        <TextField name={f} label="New chair" value={name} onInput={setName} width="medium" error={errors.find((x) => x.field === f)?.message} />
        <div class="field">
          <button type="submit" class="button button-secondary">
            Add chair
          </button>
        </div>
      </form>
    </section>
  );
}

function NewClinic({ done }: { done: (m: string) => void }) {
  const [v, setV] = useState({ name: '', timezone: '', opens_at: '08:00', closes_at: '18:00', open_weekdays: '12345', recovery_minutes: '60' });
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [focusKey, setFocusKey] = useState(0);
  const [key, setKey] = useState(() => idempotencyKey('clinic'));
  const set = (k: keyof typeof v) => (x: string) => setV({ ...v, [k]: x });
  const err = (k: string) => errors.find((e) => e.field === k)?.message;
  async function submit(e: Event) {
    e.preventDefault();
    const local: FieldError[] = [];
    if (!v.name.trim()) local.push({ field: 'name', message: 'Enter the clinic’s name' });
    if (!v.timezone.trim()) local.push({ field: 'timezone', message: 'Enter the time zone, for example America/New_York' });
    if (!/^\d+$/.test(v.recovery_minutes)) local.push({ field: 'recovery_minutes', message: 'Enter the recovery time in whole minutes' });
    if (local.length) {
      setErrors(local);
      setFocusKey((k) => k + 1);
      return;
    }
    try {
      await createClinic({ ...v, name: v.name.trim(), timezone: v.timezone.trim(), recovery_minutes: Number(v.recovery_minutes) }, key);
      setErrors([]);
      done(`Clinic ${v.name.trim()} created.`);
      setV({ ...v, name: '' });
    } catch (ex) {
      setErrors(errorsFrom(ex, ['name', 'timezone', 'opens_at', 'closes_at', 'open_weekdays', 'recovery_minutes']));
      setFocusKey((k) => k + 1);
    } finally {
      setKey(idempotencyKey('clinic'));
    }
  }
  return (
    <section class="card desk-panel" aria-labelledby="new-clinic">
      <h2 id="new-clinic">Create a clinic</h2>
      <form onSubmit={submit} noValidate class="desk-form">
        <ErrorSummary errors={errors} focusKey={focusKey} />
        <TextField name="name" label="Name" value={v.name} onInput={set('name')} error={err('name')} />
        <TextField name="timezone" label="Time zone" hint="IANA name, for example America/New_York or Europe/Berlin" value={v.timezone} onInput={set('timezone')} error={err('timezone')} width="medium" />
        <div class="desk-grid">
          <TextField name="opens_at" label="Opens at" hint="HH:MM" value={v.opens_at} onInput={set('opens_at')} error={err('opens_at')} />
          <TextField name="closes_at" label="Closes at" hint="HH:MM" value={v.closes_at} onInput={set('closes_at')} error={err('closes_at')} />
        </div>
        <TextField name="open_weekdays" label="Open weekdays" hint="Digits, 1 = Monday … 7 = Sunday; 12345 is Monday to Friday" value={v.open_weekdays} onInput={set('open_weekdays')} error={err('open_weekdays')} width="medium" />
        <TextField name="recovery_minutes" label="Recovery time after an infusion (min)" hint="Clinic policy; default 60" value={v.recovery_minutes} onInput={set('recovery_minutes')} error={err('recovery_minutes')} inputMode="numeric" width="medium" />
        <button type="submit" class="button">
          Create clinic
        </button>
      </form>
    </section>
  );
}
