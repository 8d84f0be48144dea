// The patient's own page: their record, their appointments, and their questionnaire scores over
// time (PHQ-9 when there is one). The patient portal (outcomes issue) grows from here.
import { useMemo } from 'preact/hooks';
import type uPlot from 'uplot';
import { listAssessments } from '../../api/assessments';
import { myPatientRecord } from '../../api/patients';
import { listAppointments } from '../../api/scheduling';
import type { Assessment } from '../../api/types';
import { Plot } from '../../components/chart/Plot';
import { LoadError, Skeleton, Empty } from '../../components/Status';
import { DataTable, StatusTag } from '../../components/Table';
import { useResource } from '../../components/useResource';
import { dateTimeIn } from '../../format/time';

export default function PatientHome() {
  const page = useResource(async (signal) => {
    const me = await myPatientRecord(signal);
    // Each appointment carries its clinic's time zone (the clinic list is for staff).
    const [appointments, assessments] = await Promise.all([
      listAppointments({ patient_id: me.id }, signal),
      listAssessments(me.id, undefined, signal),
    ]);
    return { me, appointments, assessments };
  }, []);
  const d = page.data;
  return (
    <>
      <div class="page-head">
        <h1>{d ? `Hello, ${d.me.given_name}` : 'My treatment'}</h1>
      </div>
      {page.status === 'error' && <LoadError error={page.error} retry={page.reload} />}
      {!d && page.status === 'loading' && <Skeleton label="your record" />}
      {d && (
        <>
          <section class="section" aria-labelledby="appts-title">
            <h2 id="appts-title">My appointments</h2>
            {d.appointments.length === 0 ? (
              <Empty>You have no appointments booked.</Empty>
            ) : (
              <DataTable caption="My appointments" head={['When', 'Kind', 'Status']}>
                {d.appointments.map((a) => (
                  <tr key={a.id}>
                    <td class="nowrap">{dateTimeIn(a.timezone, a.starts_at)}</td>
                    <td>{a.kind}</td>
                    <td>
                      <StatusTag status={a.status} />
                    </td>
                  </tr>
                ))}
              </DataTable>
            )}
          </section>
          <Scores assessments={d.assessments} />
        </>
      )}
    </>
  );
}

function Scores({ assessments }: { assessments: Assessment[] }) {
  const phq9 = useMemo(
    () =>
      assessments
        .filter((a) => a.instrument === 'phq9' && a.status !== 'entered_in_error')
        .sort((a, b) => a.taken_on.localeCompare(b.taken_on) || a.at.localeCompare(b.at)),
    [assessments],
  );
  const data = useMemo<uPlot.AlignedData>(
    () => [phq9.map((a) => Date.parse(a.taken_on + 'T12:00:00Z') / 1000), phq9.map((a) => a.total)],
    [phq9],
  );
  const options = useMemo<Omit<uPlot.Options, 'width' | 'height'>>(
    () => ({
      scales: { x: { time: true }, y: { range: [0, 27] } },
      axes: [
        {
          // Whole days only, written "20 Nov" (the sheets are dated, not timed).
          incrs: [86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400],
          values: (_u: uPlot, splits: number[]) =>
            splits.map((s) =>
              new Intl.DateTimeFormat('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'short' }).format(new Date(s * 1000)),
            ),
        },
        { label: 'PHQ-9 score' },
      ],
      series: [{}, { label: 'PHQ-9', stroke: '#1d4f6e', width: 2, points: { size: 7 } }],
      legend: { show: false },
    }),
    [],
  );
  return (
    <section class="section" aria-labelledby="scores-title">
      <h2 id="scores-title">My questionnaire scores</h2>
      {phq9.length === 0 ? (
        <Empty>No PHQ-9 questionnaires yet.</Empty>
      ) : (
        <>
          <p class="hint">PHQ-9 (0 to 27): lower is better.</p>
          <Plot label={`PHQ-9 scores over time, ${phq9.length} questionnaires`} options={options} data={data} />
          <DataTable caption="PHQ-9 scores" head={['Date', 'Score', 'Band']}>
            {phq9.map((a) => (
              <tr key={a.id}>
                <td class="nowrap">{a.taken_on}</td>
                <td>{a.total}</td>
                <td>{a.band?.replace(/_/g, ' ') ?? ''}</td>
              </tr>
            ))}
          </DataTable>
        </>
      )}
    </section>
  );
}
