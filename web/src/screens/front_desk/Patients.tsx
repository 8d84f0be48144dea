// Front desk: find a patient by name or MRN, open their record to book or change appointments.
import { useState } from 'preact/hooks';
import { findPatients } from '../../api/desk';
import { Empty, LoadError } from '../../components/Status';
import { DataTable } from '../../components/Table';
import { useResource } from '../../components/useResource';
import { Link, navigate, useLocation } from '../../router';
import { label } from './common';
import './desk.css';

export default function Patients() {
  const { search } = useLocation();
  const submitted = search.get('q') ?? '';
  const [q, setQ] = useState(submitted);
  const result = useResource((signal) => (submitted ? findPatients(submitted, signal) : Promise.resolve(null)), [submitted]);
  return (
    <>
      <div class="page-head">
        <h1>Patients</h1>
        <p class="subtitle">
          Find a patient, or <Link href="/desk/register">register a new one</Link>.
        </p>
      </div>
      <form
        class="search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const next = q.trim();
          if (next === submitted) result.reload();
          else navigate(`/desk/patients?q=${encodeURIComponent(next)}`, { replace: true });
        }}
      >
        <label for="find-q">Name or MRN</label>
        <div class="search-row">
          <input id="find-q" class="input input-medium" type="search" value={q} onInput={(e) => setQ(e.currentTarget.value)} autocomplete="off" />
          <button type="submit" class="button">
            Search
          </button>
        </div>
      </form>
      {result.status === 'error' && <LoadError error={result.error} retry={result.reload} />}
      {result.data &&
        (result.data.patients.length === 0 ? (
          <Empty>No patient matches “{submitted}”.</Empty>
        ) : (
          <DataTable caption="Patients found" head={['Name', 'MRN', 'Date of birth', 'Status']}>
            {result.data.patients.map((p) => (
              <tr key={p.id}>
                <td>
                  <Link href={`/desk/patient?id=${p.id}`}>
                    {p.family_name}, {p.given_name}
                  </Link>
                </td>
                <td class="nowrap">{p.mrn}</td>
                <td class="nowrap">{p.date_of_birth}</td>
                <td>{label(p.status)}</td>
              </tr>
            ))}
          </DataTable>
        ))}
    </>
  );
}
