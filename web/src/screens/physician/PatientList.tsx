// The physician's patients under treatment, those NOT improving first (AIMS Center registry
// practice): each with the status the server's outcome rules give on the instrument of their
// indication (relapse, no response, partial response, response, remission), baseline and latest.
import { listAssessments } from '../../api/assessments';
import { ApiError } from '../../api/client';
import { getOutcome, patientsWithStatus } from '../../api/physician';
import type { Outcome, Patient } from '../../api/types';
import { Empty, LoadError, Skeleton } from '../../components/Status';
import { DataTable } from '../../components/Table';
import { useResource } from '../../components/useResource';
import { useChangeEvents } from '../../live/events';
import { usePolling } from '../../live/poll';
import { Link } from '../../router';
import { PRIMARY_INSTRUMENT, concernRank, instrumentLabel, statusLabel } from './outcomeView';

const STATUSES = ['in_treatment', 'maintenance', 'approved'];

interface Row {
  patient: Patient;
  instrument: string;
  outcome: Outcome | null;
}

export default function PatientList() {
  const list = useResource(async (signal) => {
    const pages = await Promise.all(STATUSES.map((s) => patientsWithStatus(s, signal)));
    const patients = pages.flatMap((p) => p.patients);
    const rows: Row[] = await Promise.all(
      patients.map(async (patient) => {
        const instrument = PRIMARY_INSTRUMENT[patient.indication] ?? 'phq9';
        // The outcome route answers 422 without scores: ask only when there are some.
        const sheets = await listAssessments(patient.id, instrument, signal);
        if (!sheets.some((a) => a.status !== 'entered_in_error')) return { patient, instrument, outcome: null };
        try {
          return { patient, instrument, outcome: await getOutcome(patient.id, instrument, signal) };
        } catch (e) {
          if (e instanceof ApiError && e.status === 422) return { patient, instrument, outcome: null };
          throw e;
        }
      }),
    );
    rows.sort(
      (a, b) =>
        concernRank(a.outcome?.status) - concernRank(b.outcome?.status) ||
        a.patient.family_name.localeCompare(b.patient.family_name),
    );
    return rows;
  }, []);
  useChangeEvents(list.reload);
  usePolling(list.reload, 120_000);
  return (
    <>
      <div class="page-head">
        <h1>Patients</h1>
        <p class="subtitle">Patients in treatment, those not improving first.</p>
      </div>
      {list.status === 'error' && <LoadError error={list.error} retry={list.reload} />}
      {!list.data && list.status === 'loading' && <Skeleton label="patients" />}
      {list.data &&
        (list.data.length === 0 ? (
          <Empty>No patients are approved or in treatment.</Empty>
        ) : (
          <DataTable caption="Patients in treatment" head={['Patient', 'Status', 'Measure', 'Baseline', 'Latest', 'Booster']}>
            {list.data.map((r) => (
              <tr key={r.patient.id}>
                <td class="name-cell">
                  <Link href={`/patients/chart?patient=${r.patient.id}`}>
                    {r.patient.family_name}, {r.patient.given_name}
                  </Link>{' '}
                  <span class="muted nowrap">{r.patient.status.replace(/_/g, ' ')}</span>
                </td>
                <td>
                  {r.outcome ? <OutcomeTag status={r.outcome.status} /> : <span class="muted">no scores yet</span>}
                </td>
                <td class="nowrap">{instrumentLabel(r.instrument)}</td>
                <td>{r.outcome ? `${r.outcome.baseline} (${r.outcome.baseline_date})` : '—'}</td>
                <td>{r.outcome ? `${r.outcome.latest} (${r.outcome.latest_date})` : '—'}</td>
                <td>{r.outcome?.booster_recommended ? 'Recommended' : '—'}</td>
              </tr>
            ))}
          </DataTable>
        ))}
    </>
  );
}

const OUTCOME_SYMBOL: Record<string, string> = {
  relapse: '▼',
  loss_of_response_unconfirmed: '▽',
  no_response: '✕',
  partial_response: '◐',
  response: '✓',
  remission: '★',
};

/** An outcome status by symbol, colour and text. */
export function OutcomeTag({ status }: { status: string }) {
  const rank = concernRank(status);
  const tone = rank <= 2 ? 'outcome-bad' : rank === 3 ? 'outcome-mid' : 'outcome-good';
  return (
    <span class={`tag ${tone}`}>
      <span aria-hidden="true">{OUTCOME_SYMBOL[status] ?? '•'}</span> {statusLabel(status)}
    </span>
  );
}
