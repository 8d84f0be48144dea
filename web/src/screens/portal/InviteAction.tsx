// "Invite to portal" on the staff patient screen: creates the patient's invitation
// (POST /patients/{id}/invitations) and shows its link ONCE (the server keeps only its hash), with
// the patient's portal language (editable: PUT /patients/{id}/preferences) and the invitations so
// far (never their tokens). A new invitation revokes the pending one.
import { useState } from 'preact/hooks';
import { createInvitation, getPreferences, listInvitations, setPreferredLanguage } from '../../api/portal';
import type { InvitationCreated } from '../../api/portal';
import { LoadError } from '../../components/Status';
import { useResource } from '../../components/useResource';
import { dateTimeIn } from '../../format/time';
import type { Language } from '../../i18n';
import './portal.css';

export function InviteToPortal({ patientId, timezone }: { patientId: number; timezone: string }) {
  const data = useResource(
    async (signal) => {
      const [list, prefs] = await Promise.all([listInvitations(patientId, signal), getPreferences(patientId, signal)]);
      return { list, prefs };
    },
    [patientId],
  );
  const [made, setMade] = useState<InvitationCreated | null>(null);
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  async function invite() {
    setBusy(true);
    setError('');
    try {
      setMade(await createInvitation(patientId));
      data.reload();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  async function language(l: Language) {
    await setPreferredLanguage(patientId, l);
    data.reload();
  }

  const link = made ? window.location.origin + made.link : '';
  const latest = data.data?.list[0];
  return (
    <section class="section" aria-labelledby="portal-title">
      <h2 id="portal-title">Patient portal</h2>
      {data.status === 'error' && <LoadError error={data.error!} retry={data.reload} />}
      {data.data && (
        <>
          <p>
            {latest ? `Last invitation: ${latest.status}, sent ${dateTimeIn(timezone, latest.created_at)}.` : 'Not invited to the portal yet.'}
          </p>
          <div class="field">
            <label for="portal-language">Portal language</label>
            <select
              id="portal-language"
              class="input portal-lang-select"
              value={data.data.prefs.language}
              onChange={(e) => language((e.target as HTMLSelectElement).value as Language)}
            >
              <option value="en">English</option>
              <option value="es">Spanish (Español)</option>
            </select>
          </div>
        </>
      )}
      <button type="button" class="button" disabled={busy} onClick={invite}>
        Invite to portal
      </button>
      {error && (
        <p class="field-error" role="alert">
          {error}
        </p>
      )}
      {made && (
        <div class="card" role="status">
          <p>
            <strong>Give this link to the patient now: it is shown only once.</strong> It works once, until{' '}
            {dateTimeIn(timezone, made.expires_at)}
            {made.revoked_previous > 0 ? ', and replaces the earlier invitation' : ''}. The patient chooses their own password; never send one.
          </p>
          <p class="portal-link-box" aria-label="Invitation link">
            {link}
          </p>
          <button type="button" class="button button-secondary button-small" onClick={() => navigator.clipboard?.writeText(link)}>
            Copy the link
          </button>
        </div>
      )}
    </section>
  );
}
