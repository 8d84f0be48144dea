// The public invitation page (/invite?token=...): the link the clinic gave the patient. It checks
// the invitation (GET /invitations/{token}: usable or not, the clinic's name), asks for a username
// (new accounts) and a password twice, sets it (POST /invitations/{token}/accept: the server's
// password rules, counted like a login), then signs the patient in and opens the portal. No
// password is ever sent to the patient; the token is never stored by the browser.
import { useEffect, useState } from 'preact/hooks';
import { login } from '../../api/auth';
import { ApiError } from '../../api/client';
import { acceptInvitation, checkInvitation } from '../../api/portal';
import type { InvitationCheck } from '../../api/portal';
import { TextField } from '../../components/Fields';
import { LANGUAGES, setLanguage, t, useLanguage } from '../../i18n';
import { navigate, useLocation } from '../../router';
import { getSession, setSession } from '../../session';
import { when } from './common';

export default function InvitePage() {
  const { search } = useLocation();
  const token = search.get('token') ?? '';
  const lang = useLanguage();
  const [check, setCheck] = useState<{ state: 'loading' | 'ok' | 'invalid' | 'error'; data?: InvitationCheck; message?: string }>({ state: 'loading' });
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [confirm, setConfirm] = useState('');
  const [errors, setErrors] = useState<Array<{ field: string | null; message: string }>>([]);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  useEffect(() => {
    document.title = t('invite.title') + ' — KIT';
  }, [lang]);
  useEffect(() => {
    if (!token) {
      setCheck({ state: 'invalid' });
      return;
    }
    checkInvitation(token)
      .then((data) => setCheck({ state: 'ok', data }))
      .catch((e) => setCheck(e instanceof ApiError && e.status === 404 ? { state: 'invalid' } : { state: 'error', message: (e as Error).message }));
  }, [token]);

  async function submit(ev: Event) {
    ev.preventDefault();
    const found: Array<{ field: string | null; message: string }> = [];
    const existing = check.data?.username ?? null;
    if (password !== confirm) found.push({ field: 'confirm', message: t('invite.mismatch') });
    if (found.length) {
      setErrors(found);
      return;
    }
    setBusy(true);
    setErrors([]);
    try {
      const answer = await acceptInvitation(token, password, existing ? undefined : username.trim());
      setDone(true);
      const signed = await login(answer.username, password);
      setSession({ ready: true, user: signed.user, expired: false, signins: getSession().signins + 1 });
      navigate('/portal', { replace: true });
    } catch (e) {
      if (e instanceof ApiError) {
        if (e.code === 'invitation_invalid') setCheck({ state: 'invalid' });
        else setErrors([{ field: e.field ?? null, message: e.message }]);
      } else {
        setErrors([{ field: null, message: t('common.error', { message: (e as Error).message }) }]);
      }
    } finally {
      setBusy(false);
    }
  }

  const fieldError = (name: string) => errors.find((e) => e.field === name)?.message;
  return (
    <div class="signin-page" lang={lang}>
      <main id="main" class="card portal-invite">
        <p class="brand signin-brand">
          <span class="brand-mark" aria-hidden="true">
            K
          </span>{' '}
          KIT
        </p>
        <fieldset class="portal-lang">
          <legend>{t('portal.language')}</legend>
          {LANGUAGES.map((l) => (
            <label key={l} lang={l}>
              <input type="radio" name="invite-language" value={l} checked={lang === l} onChange={() => setLanguage(l)} /> {t(`lang.${l}`)}
            </label>
          ))}
        </fieldset>
        {check.state === 'loading' && <p role="status">{t('invite.checking')}</p>}
        {check.state === 'error' && <p role="alert">{t('common.error', { message: check.message ?? '' })}</p>}
        {check.state === 'invalid' && (
          <>
            <h1>{t('invite.invalid.title')}</h1>
            <p>{t('invite.invalid.body')}</p>
          </>
        )}
        {check.state === 'ok' && check.data && (
          <form onSubmit={submit} noValidate>
            <h1>{t('invite.title')}</h1>
            <p>{t('invite.intro', { clinic: check.data.clinic_name })}</p>
            <p class="hint">{t('invite.expires', { when: when(check.data.expires_at, lang) })}</p>
            {errors.length > 0 && (
              <div class="error-summary" role="alert" aria-labelledby="invite-errors">
                <h2 id="invite-errors">{t('common.errorSummary')}</h2>
                <ul>
                  {errors.map((e) => (
                    <li key={e.message}>{e.message}</li>
                  ))}
                </ul>
              </div>
            )}
            {check.data.username ? (
              <p>{t('invite.username.existing', { username: check.data.username })}</p>
            ) : (
              <TextField
                name="username"
                label={t('invite.username')}
                hint={t('invite.username.hint')}
                value={username}
                onInput={setUsername}
                autocomplete="username"
                spellcheck={false}
                error={fieldError('username')}
              />
            )}
            <TextField
              name="password"
              type="password"
              label={t('invite.password')}
              hint={t('invite.password.hint')}
              value={password}
              onInput={setPassword}
              autocomplete="new-password"
              error={fieldError('password')}
            />
            <TextField name="confirm" type="password" label={t('invite.confirm')} value={confirm} onInput={setConfirm} autocomplete="new-password" error={fieldError('confirm')} />
            <button type="submit" class="button" disabled={busy || done}>
              {t('invite.submit')}
            </button>
            <p role="status" class="portal-status">
              {done ? t('invite.done') : ''}
            </p>
          </form>
        )}
      </main>
    </div>
  );
}
