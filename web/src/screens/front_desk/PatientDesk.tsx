// Front desk: one patient (?id=): the record, the courses, every appointment with rescheduling,
// cancellation and no-show, and booking the induction series on the dates the server proposes,
// on a chair and with a nurse, with each date's conflicts shown before anything is saved.
import { useEffect, useRef, useState } from 'preact/hooks';
import {
  appointments,
  availability,
  book,
  changeAppointment,
  chairs,
  clinicians,
  clinics,
  courses,
  idempotencyKey,
  patient,
  proposedDates,
} from '../../api/desk';
import type { Course, Proposal } from '../../api/desk';
import type { Appointment, Chair, Clinic } from '../../api/types';
import { ErrorSummary } from '../../components/ErrorSummary';
import type { FieldError } from '../../components/ErrorSummary';
import { TextField } from '../../components/Fields';
import { Empty, LoadError, Skeleton } from '../../components/Status';
import { DataTable, StatusTag } from '../../components/Table';
import { useResource } from '../../components/useResource';
import { dateIn, dateTimeIn, longDate, timeIn } from '../../format/time';
import { useLiveRefresh } from '../../live/events';
import { Link, useLocation } from '../../router';
import { InviteToPortal } from '../portal/InviteAction';
import { SelectField, errorsFrom, label } from './common';
import { isoWeekday, slotConflicts } from './conflicts';
import './desk.css';
import { nowMs } from '../../format/clock';

interface Ctx {
  clinic: Clinic | null;
  chairs: Chair[];
  staff: Array<{ id: number; username: string; role: string }>;
}

export default function PatientDesk() {
  const { search } = useLocation();
  const id = Number(search.get('id')) || 0;
  const data = useResource(
    async (signal) => {
      const [p, cs, appts, cl, ch, staff] = await Promise.all([
        patient(id, signal),
        courses(id, signal),
        appointments({ patient_id: id, limit: 500 }, signal),
        clinics(signal),
        chairs(undefined, signal),
        clinicians(signal),
      ]);
      return { p, courses: cs, appts: appts.sort((a, b) => a.starts_at.localeCompare(b.starts_at)), ctx: { clinic: cl[0] ?? null, chairs: ch, staff } as Ctx };
    },
    [id],
  );
  useLiveRefresh(data.reload, 30_000);
  const [changing, setChanging] = useState<{ a: Appointment; mode: Mode } | null>(null);
  if (!id) return <Empty>No patient chosen. <Link href="/desk/patients">Find a patient</Link>.</Empty>;
  if (data.status === 'error' && !data.data) return <LoadError error={data.error} retry={data.reload} />;
  if (!data.data) return <Skeleton label="the patient" rows={5} />;
  const { p, ctx } = data.data;
  const tz = ctx.clinic?.timezone ?? 'UTC';
  return (
    <>
      <div class="page-head">
        <h1>
          {p.family_name}, {p.given_name}
        </h1>
        <p class="subtitle">
          {p.mrn} · {label(p.status)} · times in {tz}
        </p>
      </div>
      {search.get('registered') && (
        <p class="notice" role="status">
          Patient registered{p.inquiry_id ? ': the inquiry is now marked scheduled' : ''}.
        </p>
      )}
      <dl class="desk-facts">
        <dt>Date of birth</dt>
        <dd>{p.date_of_birth}</dd>
        <dt>Reason for treatment</dt>
        <dd>{label(p.indication)}</dd>
        <dt>Phone</dt>
        <dd>{p.phone || '—'}</dd>
        <dt>Email</dt>
        <dd>{p.email || '—'}</dd>
      </dl>

      <InviteToPortal patientId={p.id} timezone={tz} />

      <section class="section" aria-labelledby="courses-title">
        <h2 id="courses-title">Treatment courses</h2>
        {data.data.courses.length === 0 ? (
          <Empty>No course yet: a physician approves the patient and starts a course before infusions are booked.</Empty>
        ) : (
          data.data.courses.map((c) => (
            <div class="card desk-panel" key={c.id}>
              <h3>
                {c.protocol_name || c.protocol_id} <StatusTag status={c.state} />
              </h3>
              <p>
                {c.total_infusions} infusions in all: {c.infusion_appointments.booked} booked, {c.infusion_appointments.completed} given,{' '}
                {c.infusion_appointments.no_show} missed.
              </p>
              {(c.state === 'planned' || c.state === 'induction') && ctx.clinic && (
                <BookSeries course={c} patientId={p.id} ctx={ctx} onBooked={data.reload} />
              )}
            </div>
          ))
        )}
      </section>

      <section class="section" aria-labelledby="appts-title">
        <h2 id="appts-title">Appointments</h2>
        {data.data.appts.length === 0 ? (
          <Empty>No appointments.</Empty>
        ) : (
          <div class="desk-stack">
          <DataTable caption="All appointments" head={['When', 'Kind', 'Chair', 'With', 'Status', 'Actions']}>
            {data.data.appts.map((a) => (
              <AppointmentRow key={a.id + ':' + a.version} a={a} ctx={ctx} tz={tz} onAction={(mode) => setChanging({ a, mode })} />
            ))}
          </DataTable>
          </div>
        )}
        {changing && (
          <ChangeAppointment
            key={changing.a.id + changing.mode}
            // The newest version (a live refetch may have brought one): its If-Match is current.
            a={data.data.appts.find((x) => x.id === changing.a.id) ?? changing.a}
            mode={changing.mode}
            ctx={ctx}
            tz={tz}
            onClose={() => setChanging(null)}
            onChanged={() => (setChanging(null), data.reload())}
          />
        )}
      </section>
    </>
  );
}

function chairName(ctx: Ctx, id: number) {
  return ctx.chairs.find((c) => c.id === id)?.name ?? `Chair ${id}`;
}
function staffName(ctx: Ctx, id: number | null) {
  if (id === null) return '—';
  return ctx.staff.find((s) => s.id === id)?.username ?? `Staff ${id}`;
}

type Mode = 'reschedule' | 'cancel' | 'no_show' | 'completed';

function AppointmentRow({ a, ctx, tz, onAction }: { a: Appointment; ctx: Ctx; tz: string; onAction: (m: Mode) => void }) {
  const when = `${longDate(a.date)} ${timeIn(tz, a.starts_at)}`;
  return (
    <tr>
      <td data-label="When" class="nowrap">{dateTimeIn(tz, a.starts_at)}–{timeIn(tz, a.ends_at)}</td>
      <td data-label="Kind">{a.kind}</td>
      <td data-label="Chair">{chairName(ctx, a.chair_id)}</td>
      <td data-label="With">{staffName(ctx, a.staff_user_id)}</td>
      <td data-label="Status">
        <StatusTag status={a.status} />
        {a.status_reason && <div class="muted">{a.status_reason}</div>}
      </td>
      <td data-label="Actions">
        {a.status === 'booked' && (
          <div class="desk-actions">
            <button type="button" class="button button-secondary button-small" onClick={() => onAction('reschedule')}>
              Reschedule<span class="visually-hidden"> {when}</span>
            </button>
            <button type="button" class="button button-secondary button-small" onClick={() => onAction('cancel')}>
              Cancel<span class="visually-hidden"> {when}</span>
            </button>
            <button type="button" class="button button-secondary button-small" onClick={() => onAction('no_show')}>
              No-show<span class="visually-hidden"> {when}</span>
            </button>
            {(a.kind === 'consult' ? Date.parse(a.starts_at) <= nowMs() : a.date <= dateIn(tz)) && (
              // An infusion counts as given once its session is discharged (the server checks).
              <button type="button" class="button button-secondary button-small" onClick={() => onAction('completed')}>
                Given<span class="visually-hidden"> {when}</span>
              </button>
            )}
          </div>
        )}
      </td>
    </tr>
  );
}

/** Below the table, not in a cell: room for the fields and their errors at every width. */
function ChangeAppointment({ a, mode, ctx, tz, onClose, onChanged }: { a: Appointment; mode: Mode; ctx: Ctx; tz: string; onClose: () => void; onChanged: () => void }) {
  const [date, setDate] = useState(a.date);
  const [time, setTime] = useState(a.start.slice(11, 16));
  const [chair, setChair] = useState(String(a.chair_id));
  const [reason, setReason] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [focusKey, setFocusKey] = useState(0);
  const [busy, setBusy] = useState(false);
  const [key, setKey] = useState(() => idempotencyKey('appt'));
  const head = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    head.current?.focus();
    head.current?.scrollIntoView({ block: 'start' });
  }, []);
  const fid = (f: string) => `a${a.id}_${f}`;
  const when = `${longDate(a.date)}, ${timeIn(tz, a.starts_at)}–${timeIn(tz, a.ends_at)}`;
  const title = mode === 'reschedule' ? 'Reschedule' : mode === 'cancel' ? 'Cancel' : mode === 'completed' ? 'Mark as given' : 'Mark as no-show';

  async function save(e: Event) {
    e.preventDefault();
    setBusy(true);
    try {
      if (mode === 'reschedule') {
        await changeAppointment(a, { start: `${date}T${time}`, chair_id: Number(chair) }, key);
      } else {
        await changeAppointment(a, { status: mode === 'cancel' ? 'cancelled' : mode === 'completed' ? 'completed' : 'no_show', status_reason: reason }, key);
      }
      onChanged();
    } catch (ex) {
      const known: Record<string, string> = { start: fid('date'), chair_id: fid('chair'), status_reason: fid('reason'), reason: fid('reason') };
      setErrors(errorsFrom(ex, Object.keys(known)).map((x) => ({ ...x, field: x.field ? (known[x.field] ?? null) : null })));
      setFocusKey((k) => k + 1);
      setKey(idempotencyKey('appt')); // a refused write is not kept: the next try is a new request
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card desk-panel desk-form" onSubmit={save} noValidate aria-labelledby={fid('title')}>
      <h3 id={fid('title')} tabIndex={-1} ref={head}>
        {title}: {a.kind} on {when}
      </h3>
      <ErrorSummary errors={errors} focusKey={focusKey} />
      {mode === 'reschedule' ? (
        <>
          <div class="desk-grid">
            <TextField name={fid('date')} label="New date" hint="YYYY-MM-DD" value={date} onInput={setDate} error={errors.find((x) => x.field === fid('date'))?.message} />
            <TextField name={fid('time')} label="New start time" hint={`HH:MM, clinic time (${tz})`} value={time} onInput={setTime} />
          </div>
          <SelectField
            name={fid('chair')}
            label="Chair"
            value={chair}
            options={ctx.chairs.filter((c) => c.active).map((c) => ({ value: String(c.id), label: c.name }))}
            onChange={setChair}
            error={errors.find((x) => x.field === fid('chair'))?.message}
          />
        </>
      ) : (
        <TextField
          name={fid('reason')}
          label={mode === 'cancel' ? 'Why is it cancelled?' : mode === 'completed' ? 'Note (optional)' : 'Note on the no-show (optional)'}
          value={reason}
          onInput={setReason}
          error={errors.find((x) => x.field === fid('reason'))?.message}
        />
      )}
      <div class="desk-actions">
        <button type="submit" class="button" disabled={busy}>
          {mode === 'reschedule' ? 'Save new time' : mode === 'cancel' ? 'Cancel appointment' : mode === 'completed' ? 'Mark given' : 'Mark no-show'}
        </button>
        <button type="button" class="button button-secondary" onClick={onClose}>
          Back
        </button>
      </div>
    </form>
  );
}

type RowResult = { state: 'booked' | 'failed'; message: string };

function BookSeries({ course, patientId, ctx, onBooked }: { course: Course; patientId: number; ctx: Ctx; onBooked: () => void }) {
  const tz = ctx.clinic!.timezone;
  const [start, setStart] = useState(dateIn(tz));
  const [chair, setChair] = useState('');
  const [nurse, setNurse] = useState('');
  const [asked, setAsked] = useState<{ start: string; n: number } | null>(null);
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [focusKey, setFocusKey] = useState(0);
  const [results, setResults] = useState<Record<string, RowResult>>({});
  const [keys] = useState(() => new Map<string, string>());
  const [saving, setSaving] = useState(false);
  const f = (n: string) => `c${course.id}_${n}`;

  const plan = useResource(
    async (signal) => {
      if (!asked) return null;
      const proposal: Proposal = await proposedDates(course.id, asked.start, ctx.clinic!.id, signal);
      const days = [...new Set(proposal.dates.map((d) => d.date))];
      const [dayAppts, avail] = await Promise.all([
        Promise.all(days.map((d) => appointments({ date: d, limit: 1000 }, signal))),
        availability(undefined, signal),
      ]);
      return { proposal, appts: dayAppts.flat(), avail };
    },
    [asked?.n],
  );

  const chosenChair = (proposed: number) => (chair ? Number(chair) : proposed);
  const nurseId = nurse ? Number(nurse) : null;
  const names = { chair: (id: number) => chairName(ctx, id), staff: (id: number) => staffName(ctx, id) };
  const rows = (plan.data?.proposal.dates ?? []).map((d) => ({
    d,
    chairId: chosenChair(d.chair_id),
    conflicts: slotConflicts({ ...d, weekday: d.weekday || isoWeekday(d.date) }, chosenChair(d.chair_id), nurseId, plan.data!.appts, plan.data!.avail, names, patientId),
  }));
  const free = rows.filter((r) => r.conflicts.length === 0 && results[r.d.date]?.state !== 'booked');

  function propose(e: Event) {
    e.preventDefault();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(start)) {
      setErrors([{ field: f('start'), message: 'Enter the first day to look from as YYYY-MM-DD' }]);
      setFocusKey((k) => k + 1);
      return;
    }
    setErrors([]);
    setResults({});
    setAsked({ start, n: (asked?.n ?? 0) + 1 });
  }

  async function bookAll() {
    if (!nurseId) {
      setErrors([{ field: f('nurse'), message: 'Choose the nurse who gives the infusions' }]);
      setFocusKey((k) => k + 1);
      return;
    }
    setErrors([]);
    setSaving(true);
    const out: Record<string, RowResult> = { ...results };
    for (const r of free) {
      const id = `${r.d.date}|${r.d.start}|${r.chairId}|${nurseId}`;
      if (!keys.has(id)) keys.set(id, idempotencyKey('series'));
      try {
        await book({ patient_id: patientId, course_id: course.id, chair_id: r.chairId, staff_user_id: nurseId, start: r.d.start, kind: 'infusion' }, keys.get(id)!);
        out[r.d.date] = { state: 'booked', message: 'Booked' };
      } catch (ex) {
        out[r.d.date] = { state: 'failed', message: errorsFrom(ex, [])[0]?.message ?? 'not booked' };
      }
      setResults({ ...out });
    }
    setSaving(false);
    const failed = Object.values(out).filter((x) => x.state === 'failed').length;
    if (failed) {
      setErrors([{ field: null, message: `${failed} date${failed > 1 ? 's were' : ' was'} not booked: see the table.` }]);
      setFocusKey((k) => k + 1);
    }
    onBooked();
  }

  const nurses = ctx.staff.filter((s) => s.role === 'nurse' || s.role === 'physician');
  return (
    <div>
      <h4 class="visually-hidden">Book the induction series</h4>
      <form onSubmit={propose} noValidate aria-label={`Book the induction series of ${course.protocol_name || course.protocol_id}`}>
        <ErrorSummary errors={errors} focusKey={focusKey} />
        <div class="desk-row">
          <TextField name={f('start')} label="Look for dates from" hint="YYYY-MM-DD" value={start} onInput={setStart} width="medium" />
          <SelectField
            name={f('chair')}
            label="Chair"
            value={chair}
            placeholder="As proposed"
            options={ctx.chairs.filter((c) => c.active).map((c) => ({ value: String(c.id), label: c.name }))}
            onChange={setChair}
          />
          <SelectField
            name={f('nurse')}
            label="Nurse"
            value={nurse}
            placeholder="Choose…"
            options={nurses.map((s) => ({ value: String(s.id), label: `${s.username} (${s.role})` }))}
            onChange={setNurse}
          />
        </div>
        <button type="submit" class="button button-secondary">
          Propose dates
        </button>
      </form>
      {plan.status === 'error' && <LoadError error={plan.error} retry={plan.reload} />}
      {asked && plan.status === 'loading' && <Skeleton label="proposed dates" />}
      {plan.data && (
        <div class="section">
          <p>
            {plan.data.proposal.dates.length} of {plan.data.proposal.requested} infusions proposed over {plan.data.proposal.span_days} days
            {plan.data.proposal.within_series_window ? ' (within the series window)' : ' (longer than the series window)'}. Rule: {plan.data.proposal.rule.source}.
          </p>
          {plan.data.proposal.dates.length === 0 ? (
            <Empty>No date found: every infusion of the series is booked, or no chair is free.</Empty>
          ) : (
            <div class="desk-stack">
<DataTable caption="Proposed dates" head={['Date', 'Time', 'Chair', 'Check', 'Result']}>
              {rows.map((r) => (
                <tr key={r.d.date}>
                  <td data-label="Date" class="nowrap">{longDate(r.d.date)}</td>
                  <td data-label="Time" class="nowrap">
                    {timeIn(tz, r.d.starts_at)}–{timeIn(tz, r.d.ends_at)}
                  </td>
                  <td data-label="Chair">{chairName(ctx, r.chairId)}</td>
                  <td data-label="Check">
                    {r.conflicts.length === 0 ? (
                      <StatusTag status="ok" label={nurseId ? 'free' : 'chair free'} />
                    ) : (
                      <>
                        <StatusTag status="conflict" label="conflict" />
                        <ul>
                          {r.conflicts.map((c) => (
                            <li key={c}>{c}</li>
                          ))}
                        </ul>
                      </>
                    )}
                  </td>
                  <td data-label="Result">{results[r.d.date] ? <StatusTag status={results[r.d.date]!.state} label={results[r.d.date]!.message} /> : '—'}</td>
                </tr>
              ))}
            </DataTable>
</div>
          )}
          {plan.data.proposal.skipped.length > 0 && (
            <p class="muted">Skipped: {plan.data.proposal.skipped.map((s) => `${s.date} (${s.why})`).join('; ')}.</p>
          )}
          {rows.length > 0 && (
            <button type="button" class="button" disabled={saving || free.length === 0} onClick={bookAll}>
              {saving ? 'Booking…' : `Book ${free.length} infusion${free.length === 1 ? '' : 's'} without conflicts`}
            </button>
          )}
        </div>
      )}
    </div>
  );
}
