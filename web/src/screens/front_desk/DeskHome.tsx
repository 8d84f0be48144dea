// Front desk, today: the inquiry queue (new first) and today's appointments on the clinic's clock,
// with a patient search. Refreshed every 30 s while visible.
import { useState } from 'preact/hooks';
import { listInquiries } from '../../api/inquiries';
import { searchPatients } from '../../api/patients';
import type { Inquiry, InquiryStatus, PatientPage } from '../../api/types';
import { LoadError, Skeleton, Empty } from '../../components/Status';
import { DataTable, StatusTag } from '../../components/Table';
import { useResource } from '../../components/useResource';
import { dateTimeIn, longDate, timeIn } from '../../format/time';
import { usePolling } from '../../live/poll';
import { loadClinicDay, patientName } from '../common/clinicDay';
import { REASONS } from '../public/inquiryRules';

const STATUSES: InquiryStatus[] = ['new', 'contacted', 'scheduled', 'closed'];

export default function DeskHome() {
  const [status, setStatus] = useState<InquiryStatus>('new');
  const inquiries = useResource((signal) => listInquiries(undefined, signal), []);
  const day = useResource(loadClinicDay, []);
  usePolling(() => {
    inquiries.reload();
    day.reload();
  }, 30_000);
  const tz = day.data?.clinic?.timezone ?? 'UTC';
  const shown = (inquiries.data ?? []).filter((i) => i.status === status);

  return (
    <>
      <div class="page-head">
        <h1>Front desk</h1>
        {day.data && <p class="subtitle">{longDate(day.data.date)}{day.data.clinic ? ` · ${day.data.clinic.name} (${tz})` : ''}</p>}
      </div>

      <section aria-labelledby="queue-title" class="section">
        <h2 id="queue-title">Inquiry queue</h2>
        <div class="tabs" role="group" aria-label="Show inquiries by status">
          {STATUSES.map((s) => {
            const n = (inquiries.data ?? []).filter((i) => i.status === s).length;
            return (
              <button
                type="button"
                key={s}
                class={'tab' + (s === status ? ' tab-current' : '')}
                aria-pressed={s === status}
                onClick={() => setStatus(s)}
              >
                {cap(s)} <span class="count-badge">{inquiries.data ? n : '–'}</span>
              </button>
            );
          })}
        </div>
        {inquiries.status === 'error' && <LoadError error={inquiries.error} retry={inquiries.reload} />}
        {inquiries.data === undefined && inquiries.status === 'loading' && <Skeleton label="inquiries" />}
        {inquiries.data && (shown.length === 0 ? <Empty>No {status} inquiries.</Empty> : <InquiryTable rows={shown} tz={tz} />)}
      </section>

      <section aria-labelledby="today-title" class="section">
        <h2 id="today-title">Today's appointments</h2>
        {day.status === 'error' && <LoadError error={day.error} retry={day.reload} />}
        {day.data === undefined && day.status === 'loading' && <Skeleton label="today's appointments" />}
        {day.data && !day.data.clinic && <Empty>No clinic is set up yet: an administrator adds the clinic and its chairs.</Empty>}
        {day.data?.clinic &&
          (day.data.appointments.length === 0 ? (
            <Empty>No appointments today.</Empty>
          ) : (
            <DataTable caption="Appointments" head={['Time', 'Patient', 'Chair', 'Kind', 'Status']}>
              {day.data.appointments.map((a) => (
                <tr key={a.id}>
                  <td class="nowrap">
                    {timeIn(tz, a.starts_at)}–{timeIn(tz, a.ends_at)}
                  </td>
                  <td>{patientName(day.data!.patients.get(a.patient_id), a.patient_id)}</td>
                  <td>{day.data!.chairs.find((c) => c.id === a.chair_id)?.name ?? a.chair_id}</td>
                  <td>{a.kind}</td>
                  <td>
                    <StatusTag status={a.status} />
                  </td>
                </tr>
              ))}
            </DataTable>
          ))}
      </section>

      <PatientSearch />
    </>
  );
}

function InquiryTable({ rows, tz }: { rows: Inquiry[]; tz: string }) {
  return (
    <DataTable caption="Inquiries" head={['Received', 'Name', 'Contact', 'Reason', 'Message', 'Status']}>
      {rows.map((i) => (
        <tr key={i.id}>
          <td class="nowrap">{dateTimeIn(tz, i.created_at)}</td>
          <td class="name-cell">{i.name}</td>
          <td class="nowrap">{i.contact}</td>
          <td>{REASONS.find((r) => r.value === i.reason)?.label ?? i.reason}</td>
          <td class="message-cell">{i.message || <span class="muted">none</span>}</td>
          <td>
            <StatusTag status={i.status} />
          </td>
        </tr>
      ))}
    </DataTable>
  );
}

function PatientSearch() {
  const [q, setQ] = useState('');
  const [submitted, setSubmitted] = useState('');
  const result = useResource<PatientPage | null>(
    (signal) => (submitted ? searchPatients(submitted, signal) : Promise.resolve(null)),
    [submitted],
  );
  return (
    <section aria-labelledby="search-title" class="section">
      <h2 id="search-title">Find a patient</h2>
      <form
        class="search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          if (q.trim() === submitted) result.reload();
          setSubmitted(q.trim());
        }}
      >
        <label for="patient-q">Name or MRN</label>
        <div class="search-row">
          <input id="patient-q" class="input input-medium" value={q} onInput={(e) => setQ(e.currentTarget.value)} autocomplete="off" />
          <button type="submit" class="button">
            Search
          </button>
        </div>
      </form>
      {result.status === 'error' && <LoadError error={result.error} retry={result.reload} />}
      {result.status === 'ready' && result.data && (
        result.data.patients.length === 0 ? (
          <Empty>No patient matches “{submitted}”.</Empty>
        ) : (
          <DataTable caption="Patients found" head={['MRN', 'Name', 'Date of birth', 'Status']}>
            {result.data.patients.map((p) => (
              <tr key={p.id}>
                <td class="nowrap">{p.mrn}</td>
                <td>
                  {p.family_name}, {p.given_name}
                </td>
                <td class="nowrap">{p.date_of_birth}</td>
                <td>{p.status.replace(/_/g, ' ')}</td>
              </tr>
            ))}
          </DataTable>
        )
      )}
    </section>
  );
}

function cap(s: string) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
