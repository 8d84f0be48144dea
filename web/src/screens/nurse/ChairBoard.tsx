// Today's chairs: each chair with its appointments on the clinic's clock, and the open alerts.
// Refreshed every 30 s while visible (the event stream replaces polling when it lands).
import { listOpenAlerts } from '../../api/alerts';
import { ApiError } from '../../api/client';
import { LoadError, Skeleton, Empty } from '../../components/Status';
import { StatusTag } from '../../components/Table';
import { useResource } from '../../components/useResource';
import { longDate, timeIn } from '../../format/time';
import { usePolling } from '../../live/poll';
import { getSession } from '../../session';
import { loadClinicDay, patientName } from '../common/clinicDay';

export default function ChairBoard() {
  const day = useResource(loadClinicDay, []);
  const role = getSession().user?.role;
  // Alerts are for clinicians (the front desk sees the board without them).
  const alerts = useResource(
    (signal) => (role === 'nurse' || role === 'physician' ? listOpenAlerts(signal) : Promise.resolve(null)),
    [role],
  );
  usePolling(() => {
    day.reload();
    alerts.reload();
  }, 30_000);
  const tz = day.data?.clinic?.timezone ?? 'UTC';
  const openByPatient = new Map<number, number>();
  for (const a of alerts.data ?? []) openByPatient.set(a.patient_id, (openByPatient.get(a.patient_id) ?? 0) + 1);

  return (
    <>
      <div class="page-head">
        <h1>Chairs today</h1>
        {day.data && <p class="subtitle">{longDate(day.data.date)}{day.data.clinic ? ` · ${day.data.clinic.name} (${tz})` : ''}</p>}
      </div>
      {alerts.status === 'error' && !(alerts.error instanceof ApiError && alerts.error.status === 403) && (
        <LoadError error={alerts.error} retry={alerts.reload} />
      )}
      {day.status === 'error' && <LoadError error={day.error} retry={day.reload} />}
      {day.data === undefined && day.status === 'loading' && <Skeleton label="the chairs" rows={4} />}
      {day.data && !day.data.clinic && <Empty>No clinic is set up yet: an administrator adds the clinic and its chairs.</Empty>}
      {day.data?.clinic && day.data.chairs.length === 0 && <Empty>This clinic has no chairs yet.</Empty>}
      {day.data?.clinic && day.data.chairs.length > 0 && (
        <ul class="chair-list">
          {day.data.chairs.map((chair) => {
            const mine = day.data!.appointments.filter((a) => a.chair_id === chair.id && a.status !== 'cancelled');
            return (
              <li key={chair.id} class="card chair">
                <h2 class="chair-name">
                  {chair.name} {!chair.active && <span class="tag tag-closed">inactive</span>}
                </h2>
                {mine.length === 0 ? (
                  <p class="muted">Free all day</p>
                ) : (
                  <ol class="slots">
                    {mine.map((a) => {
                      const n = openByPatient.get(a.patient_id) ?? 0;
                      return (
                        <li key={a.id} class="slot">
                          <span class="slot-time nowrap">
                            {timeIn(tz, a.starts_at)}–{timeIn(tz, a.ends_at)}
                          </span>
                          <span class="slot-patient">{patientName(day.data!.patients.get(a.patient_id), a.patient_id)}</span>
                          <span class="slot-kind">{a.kind}</span>
                          <StatusTag status={a.status} />
                          {n > 0 && (
                            <span class="tag tag-open">
                              <span aria-hidden="true">!</span> {n} open alert{n > 1 ? 's' : ''}
                            </span>
                          )}
                        </li>
                      );
                    })}
                  </ol>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
