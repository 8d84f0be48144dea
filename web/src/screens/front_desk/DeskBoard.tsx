// Front desk: the day's chair board. Each chair: who is on it now (session state, elapsed and
// remaining infusion time on the clinic's clock, open alerts by count and severity, never their
// text), then who comes next; patients booked today whose chair is not (yet) active or known are
// listed as unassigned. Live: refetched on every change notice of GET /api/v1/events, polled while
// the stream is down; the clocks tick every 30 s in between.
import { useEffect, useState } from 'preact/hooks';
import { appointments, board, chairs, clinics, patient } from '../../api/desk';
import type { Board, BoardSession } from '../../api/desk';
import type { Appointment, Chair, Clinic, Patient } from '../../api/types';
import { Empty, LoadError, Skeleton } from '../../components/Status';
import { StatusTag } from '../../components/Table';
import { useResource } from '../../components/useResource';
import { formatQuantity } from '../../format/quantity';
import { dateIn, longDate, timeIn } from '../../format/time';
import { useLiveRefresh } from '../../live/events';
import { Link } from '../../router';
import { label } from './common';
import './desk.css';

interface Day {
  clinic: Clinic | null;
  date: string;
  chairs: Chair[];
  appts: Appointment[];
  board: Board;
  patients: Map<number, Patient>;
}

async function loadDay(signal: AbortSignal): Promise<Day> {
  const cl = await clinics(signal);
  const clinic = cl[0] ?? null;
  const date = dateIn(clinic?.timezone ?? 'UTC');
  const [ch, appts, b] = await Promise.all([chairs(clinic?.id, signal), appointments({ date, limit: 1000 }, signal), board(date, signal)]);
  const live = appts.filter((a) => a.status !== 'cancelled').sort((a, b2) => a.starts_at.localeCompare(b2.starts_at));
  const ids = [...new Set(live.map((a) => a.patient_id))];
  const ps = await Promise.all(ids.map((id) => patient(id, signal)));
  return { clinic, date, chairs: ch, appts: live, board: b, patients: new Map(ps.map((p) => [p.id, p])) };
}

/** Minutes, as "25 min" (formatQuantity: ISMP style, no trailing zero). */
const minutes = (m: number) => formatQuantity(Math.max(0, Math.round(m)), 'min');

export default function DeskBoard() {
  const day = useResource(loadDay, []);
  const streamOpen = useLiveRefresh(day.reload, 15_000);
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const t = window.setInterval(() => setNow(Date.now()), 30_000);
    return () => window.clearInterval(t);
  }, []);

  if (day.status === 'error' && !day.data) return <LoadError error={day.error} retry={day.reload} />;
  if (!day.data) return <Skeleton label="the chair board" rows={4} />;
  const d = day.data;
  const tz = d.clinic?.timezone ?? 'UTC';
  const serverSkew = new Date(d.board.now).getTime() - Date.now();
  const sessionOf = new Map<number, BoardSession>(d.board.sessions.map((s) => [s.appointment_id, s]));
  const alertsOf = new Map(d.board.open_alerts.map((a) => [a.patient_id, a]));
  const name = (id: number) => {
    const p = d.patients.get(id);
    return p ? `${p.family_name}, ${p.given_name}` : `Patient ${id}`;
  };
  const activeChairs = d.chairs.filter((c) => c.active);
  const unassigned = d.appts.filter((a) => !activeChairs.some((c) => c.id === a.chair_id));

  return (
    <>
      <div class="page-head">
        <h1>Chair board</h1>
        <p class="subtitle">
          {longDate(d.date)}
          {d.clinic ? ` · ${d.clinic.name} · clinic time ${timeIn(tz, new Date(now + serverSkew).toISOString())} (${tz})` : ''}
        </p>
        <p class={'desk-live' + (streamOpen ? ' desk-live-on' : '')}>
          <span class="desk-live-dot" aria-hidden="true" />
          {streamOpen ? 'Live: updates as they happen' : 'Updating every 15 seconds'}
        </p>
      </div>
      {day.status === 'error' && <LoadError error={day.error} retry={day.reload} />}
      {!d.clinic && <Empty>No clinic is set up yet: an administrator adds the clinic and its chairs.</Empty>}
      {d.clinic && (
        <ul class="board" aria-label="Chairs">
          {activeChairs.map((chair) => {
            const mine = d.appts.filter((a) => a.chair_id === chair.id);
            const current =
              mine.find((a) => ['running', 'paused', 'stopped', 'planned'].includes(sessionOf.get(a.id)?.state ?? '')) ??
              mine.find((a) => a.status === 'booked' && new Date(a.starts_at).getTime() <= now + serverSkew && new Date(a.ends_at).getTime() > now + serverSkew);
            const rest = mine.filter((a) => a !== current);
            return (
              <li key={chair.id} class="card board-chair">
                <h2>{chair.name}</h2>
                {current ? (
                  <NowOnChair a={current} s={sessionOf.get(current.id)} alerts={alertsOf.get(current.patient_id)} name={name(current.patient_id)} tz={tz} now={now + serverSkew} fetchedAt={new Date(d.board.now).getTime()} />
                ) : (
                  <p class="muted">Free now</p>
                )}
                {rest.length > 0 && (
                  <>
                    <h3 class="visually-hidden">Rest of the day on {chair.name}</h3>
                    <ol class="board-next">
                      {rest.map((a) => (
                        <li key={a.id}>
                          <span class="nowrap">
                            {timeIn(tz, a.starts_at)}–{timeIn(tz, a.ends_at)}
                          </span>
                          <Link href={`/desk/patient?id=${a.patient_id}`}>{name(a.patient_id)}</Link>
                          <span class="muted">{a.kind}</span>
                          <StatusTag status={sessionOf.get(a.id)?.state ?? a.status} label={label(sessionOf.get(a.id)?.state ?? a.status)} />
                        </li>
                      ))}
                    </ol>
                  </>
                )}
              </li>
            );
          })}
          <li class="card board-chair">
            <h2>Unassigned</h2>
            {unassigned.length === 0 ? (
              <p class="muted">Every patient today has a chair.</p>
            ) : (
              <ol class="board-next">
                {unassigned.map((a) => (
                  <li key={a.id}>
                    <span class="nowrap">
                      {timeIn(tz, a.starts_at)}–{timeIn(tz, a.ends_at)}
                    </span>
                    <Link href={`/desk/patient?id=${a.patient_id}`}>{name(a.patient_id)}</Link>
                    <span class="muted">booked on an inactive chair</span>
                  </li>
                ))}
              </ol>
            )}
          </li>
        </ul>
      )}
    </>
  );
}

function NowOnChair({ a, s, alerts, name, tz, now, fetchedAt }: { a: Appointment; s?: BoardSession; alerts?: { open: number; highest_severity: string }; name: string; tz: string; now: number; fetchedAt: number }) {
  const state = s?.state ?? (a.status === 'booked' ? 'waiting' : a.status);
  // Elapsed: the infused time the server reported, plus the time since it answered while running.
  let clock = `Booked ${timeIn(tz, a.starts_at)}–${timeIn(tz, a.ends_at)}`;
  if (s && s.started_at) {
    // While the pump runs, the time since the server answered is infused time too.
    const elapsed = s.infused_minutes + (s.state === 'running' ? Math.max(0, now - fetchedAt) / 60000 : 0);
    const remaining = s.planned_duration_min - elapsed;
    clock =
      s.state === 'stopped' || s.state === 'discharged'
        ? `Infusion ended ${s.stopped_at ? timeIn(tz, s.stopped_at) : ''} after ${minutes(elapsed)}; in recovery until ${timeIn(tz, a.ends_at)}`
        : `Started ${timeIn(tz, s.started_at)} · ${minutes(elapsed)} elapsed · ${minutes(remaining)} remaining`;
  } else if (s) {
    clock = `Planned ${minutes(s.planned_duration_min)} · booked ${timeIn(tz, a.starts_at)}–${timeIn(tz, a.ends_at)}`;
  }
  return (
    <div class="board-now">
      <Link class="board-now-name" href={`/desk/patient?id=${a.patient_id}`}>
        {name}
      </Link>
      <StatusTag status={state} label={label(state)} /> <span class="muted">{a.kind}</span>
      <p class="board-clock">{clock}</p>
      {alerts && alerts.open > 0 && (
        <StatusTag status={`sev-${alerts.highest_severity}`} label={`${alerts.open} open alert${alerts.open > 1 ? 's' : ''} (${alerts.highest_severity})`} />
      )}
    </div>
  );
}
