// The alert inbox: open alerts, most severe then oldest first (the server's order), each with its
// patient. Refreshed every 30 s while visible.
import { listOpenAlerts } from '../../api/alerts';
import { patientsById } from '../../api/patients';
import { LoadError, Skeleton, Empty } from '../../components/Status';
import { DataTable } from '../../components/Table';
import { useResource } from '../../components/useResource';
import { dateTimeIn } from '../../format/time';
import { usePolling } from '../../live/poll';
import { listClinics } from '../../api/scheduling';
import { patientName } from '../common/clinicDay';

export default function AlertInbox() {
  const inbox = useResource(async (signal) => {
    const [alerts, clinics] = await Promise.all([listOpenAlerts(signal), listClinics(signal)]);
    const patients = await patientsById(
      alerts.map((a) => a.patient_id),
      signal,
    );
    return { alerts, patients, tz: clinics[0]?.timezone ?? 'UTC' };
  }, []);
  usePolling(inbox.reload, 30_000);
  const d = inbox.data;
  return (
    <>
      <div class="page-head">
        <h1>Alert inbox</h1>
        <p class="subtitle">Open alerts, most urgent first.</p>
      </div>
      {inbox.status === 'error' && <LoadError error={inbox.error} retry={inbox.reload} />}
      {!d && inbox.status === 'loading' && <Skeleton label="alerts" />}
      {d &&
        (d.alerts.length === 0 ? (
          <Empty>No open alerts.</Empty>
        ) : (
          <DataTable caption="Open alerts" head={['Priority', 'Patient', 'Alert', 'Raised']}>
            {d.alerts.map((a) => (
              <tr key={a.id}>
                <td>
                  <span class={`tag tag-sev-${a.severity.replace(/[^a-z]/g, '')}`}>
                    <span aria-hidden="true">{a.severity === 'high' || a.severity === 'critical' ? '▲' : '■'}</span> {a.severity}
                  </span>
                </td>
                <td>{patientName(d.patients.get(a.patient_id), a.patient_id)}</td>
                <td>{a.message}</td>
                <td class="nowrap">{dateTimeIn(d.tz, a.created_at)}</td>
              </tr>
            ))}
          </DataTable>
        ))}
    </>
  );
}
