// Admin: every account with its role and whether it is active; the clinics and their chairs.
import { listAccounts } from '../../api/users';
import { listChairs, listClinics } from '../../api/scheduling';
import { LoadError, Skeleton, Empty } from '../../components/Status';
import { DataTable, StatusTag } from '../../components/Table';
import { useResource } from '../../components/useResource';
import { ROLE_LABEL } from '../../routes';

export default function StaffList() {
  const accounts = useResource(listAccounts, []);
  const clinics = useResource(async (signal) => {
    const [cl, chairs] = await Promise.all([listClinics(signal), listChairs(undefined, signal)]);
    return { clinics: cl, chairs };
  }, []);
  const staff = (accounts.data ?? []).filter((a) => a.role !== 'patient');
  const patients = (accounts.data ?? []).filter((a) => a.role === 'patient').length;
  return (
    <>
      <div class="page-head">
        <h1>Staff accounts</h1>
        {accounts.data && (
          <p class="subtitle">
            {staff.length} staff account{staff.length === 1 ? '' : 's'}, {patients} patient account{patients === 1 ? '' : 's'}
          </p>
        )}
      </div>
      {accounts.status === 'error' && <LoadError error={accounts.error} retry={accounts.reload} />}
      {!accounts.data && accounts.status === 'loading' && <Skeleton label="accounts" />}
      {accounts.data && (
        <DataTable caption="Staff accounts" head={['Username', 'Role', 'State', 'Created']}>
          {staff.map((a) => (
            <tr key={a.id}>
              <td>{a.username}</td>
              <td>{ROLE_LABEL[a.role]}</td>
              <td>{a.disabled ? <StatusTag status="closed" label="disabled" /> : <StatusTag status="completed" label="active" />}</td>
              <td class="nowrap">{a.created_at.slice(0, 10)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      <section class="section" aria-labelledby="clinics-title">
        <h2 id="clinics-title">Clinics and chairs</h2>
        {clinics.status === 'error' && <LoadError error={clinics.error} retry={clinics.reload} />}
        {!clinics.data && clinics.status === 'loading' && <Skeleton label="clinics" />}
        {clinics.data &&
          (clinics.data.clinics.length === 0 ? (
            <Empty>No clinic yet.</Empty>
          ) : (
            <DataTable caption="Clinics" head={['Clinic', 'Time zone', 'Hours', 'Chairs']}>
              {clinics.data.clinics.map((c) => {
                const chairs = clinics.data!.chairs.filter((ch) => ch.clinic_id === c.id);
                return (
                  <tr key={c.id}>
                    <td>{c.name}</td>
                    <td>{c.timezone}</td>
                    <td class="nowrap">
                      {c.opens_at}–{c.closes_at}
                    </td>
                    <td>{chairs.map((ch) => ch.name + (ch.active ? '' : ' (inactive)')).join(', ') || 'none'}</td>
                  </tr>
                );
              })}
            </DataTable>
          ))}
      </section>
    </>
  );
}
