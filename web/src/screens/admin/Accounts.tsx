// Admin: staff accounts and roles. Create an account, disable or enable it (If-Match), and reset
// a password, which needs the admin's own password (docs/security.md "Passwords"): the reset ends
// the account's logins and its owner is told at next sign-in.
import { useEffect, useRef, useState } from 'preact/hooks';
import { createUser, resetPassword, setDisabled, users } from '../../api/admin';
import { idempotencyKey } from '../../api/desk';
import type { Account, Role } from '../../api/types';
import { ErrorSummary } from '../../components/ErrorSummary';
import type { FieldError } from '../../components/ErrorSummary';
import { TextField } from '../../components/Fields';
import { LoadError, Skeleton } from '../../components/Status';
import { DataTable, StatusTag } from '../../components/Table';
import { useResource } from '../../components/useResource';
import { dateTimeIn } from '../../format/time';
import { ROLE_LABEL } from '../../routes';
import { getSession } from '../../session';
import { SelectField, errorsFrom } from '../front_desk/common';
import '../front_desk/desk.css';

const STAFF_ROLES: Role[] = ['nurse', 'physician', 'front_desk', 'admin', 'director'];

export default function Accounts() {
  const list = useResource(users, []);
  const [notice, setNotice] = useState('');
  const me = getSession().user;
  const staff = (list.data ?? []).filter((a) => a.role !== 'patient');
  const [resetting, setResetting] = useState<Account | null>(null);
  return (
    <>
      <div class="page-head">
        <h1>Accounts</h1>
        <p class="subtitle">Staff accounts and roles. Patient accounts are listed under Staff.</p>
      </div>
      <p role="status" class={notice ? 'notice' : 'visually-hidden'}>
        {notice}
      </p>
      <CreateAccount
        onCreated={(a) => {
          setNotice(`Account ${a.username} (${ROLE_LABEL[a.role]}) created.`);
          list.reload();
        }}
      />
      <section class="section" aria-labelledby="accounts-title">
        <h2 id="accounts-title">Staff accounts</h2>
        {list.status === 'error' && <LoadError error={list.error} retry={list.reload} />}
        {!list.data && list.status === 'loading' && <Skeleton label="accounts" />}
        {list.data && (
          <div class="desk-stack">
<DataTable caption="Every staff account" head={['Username', 'Role', 'State', 'Created', 'Actions']}>
            {staff.map((a) => (
              <AccountRow key={a.id + ':' + a.version} a={a} self={me?.id === a.id} onReset={() => setResetting(a)} onChanged={(msg) => (setNotice(msg), list.reload())} />
            ))}
          </DataTable>
</div>
        )}
        {resetting && (
          <ResetPassword
            key={resetting.id}
            a={resetting}
            onClose={() => setResetting(null)}
            onDone={(msg) => (setResetting(null), setNotice(msg), list.reload())}
          />
        )}
      </section>
    </>
  );
}

function CreateAccount({ onCreated }: { onCreated: (a: Account) => void }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role | ''>('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [focusKey, setFocusKey] = useState(0);
  const [key, setKey] = useState(() => idempotencyKey('user'));
  const [busy, setBusy] = useState(false);
  const err = (f: string) => errors.find((e) => e.field === f)?.message;
  async function submit(e: Event) {
    e.preventDefault();
    const local: FieldError[] = [];
    if (!username.trim()) local.push({ field: 'username', message: 'Enter a username' });
    if (password.length < 12) local.push({ field: 'password', message: 'Enter a password of at least 12 characters' });
    if (!role) local.push({ field: 'role', message: 'Choose the role' });
    if (local.length) {
      setErrors(local);
      setFocusKey((k) => k + 1);
      return;
    }
    setBusy(true);
    try {
      const a = await createUser({ username: username.trim(), password, role: role as Role }, key);
      setErrors([]);
      setUsername('');
      setPassword('');
      setRole('');
      setKey(idempotencyKey('user'));
      onCreated(a);
    } catch (ex) {
      setErrors(errorsFrom(ex, ['username', 'password', 'role']));
      setFocusKey((k) => k + 1);
      setKey(idempotencyKey('user'));
    } finally {
      setBusy(false);
    }
  }
  return (
    <section class="section card desk-panel" aria-labelledby="create-title">
      <h2 id="create-title">Create a staff account</h2>
      <form onSubmit={submit} noValidate class="desk-form">
        <ErrorSummary errors={errors} focusKey={focusKey} />
        <TextField name="username" label="Username" hint="3 to 64 of a-z, 0-9, . _ - @" value={username} onInput={setUsername} error={err('username')} autocomplete="off" spellcheck={false} width="medium" />
        <TextField name="password" label="First password" hint="At least 12 characters; the owner changes it at first sign-in." type="password" value={password} onInput={setPassword} error={err('password')} autocomplete="new-password" width="medium" />
        <SelectField name="role" label="Role" value={role} placeholder="Choose…" options={STAFF_ROLES.map((r) => ({ value: r, label: ROLE_LABEL[r] }))} onChange={setRole} error={err('role')} />
        <button type="submit" class="button" disabled={busy}>
          Create account
        </button>
      </form>
    </section>
  );
}

function AccountRow({ a, self, onChanged, onReset }: { a: Account; self: boolean; onChanged: (msg: string) => void; onReset: () => void }) {
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [focusKey, setFocusKey] = useState(0);
  const [busy, setBusy] = useState(false);
  async function toggle() {
    setBusy(true);
    try {
      await setDisabled(a, !a.disabled);
      onChanged(`${a.username} ${a.disabled ? 'enabled' : 'disabled: their logins have ended'}.`);
    } catch (ex) {
      setErrors(errorsFrom(ex, []));
      setFocusKey((k) => k + 1);
    } finally {
      setBusy(false);
    }
  }
  return (
    <tr>
      <td data-label="Username">{a.username}</td>
      <td data-label="Role">{ROLE_LABEL[a.role]}</td>
      <td data-label="State">{a.disabled ? <StatusTag status="disabled" label="disabled" /> : <StatusTag status="active" label="active" />}</td>
      <td data-label="Created" class="nowrap">{dateTimeIn('UTC', a.created_at)} UTC</td>
      <td data-label="Actions">
        <ErrorSummary errors={errors} focusKey={focusKey} />
        <div class="desk-actions">
          {!self && (
            <button type="button" class="button button-secondary button-small" disabled={busy} onClick={toggle}>
              {a.disabled ? 'Enable' : 'Disable'}
              <span class="visually-hidden"> {a.username}</span>
            </button>
          )}
          <button type="button" class="button button-secondary button-small" onClick={onReset}>
            Reset password<span class="visually-hidden"> of {a.username}</span>
          </button>
        </div>
      </td>
    </tr>
  );
}

/** Below the table, not in a cell: room for the fields and their errors at every width. */
function ResetPassword({ a, onClose, onDone }: { a: Account; onClose: () => void; onDone: (msg: string) => void }) {
  const [pw, setPw] = useState('');
  const [mine, setMine] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [focusKey, setFocusKey] = useState(0);
  const [busy, setBusy] = useState(false);
  const head = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    head.current?.focus();
    head.current?.scrollIntoView({ block: 'start' });
  }, []);
  const f = (n: string) => `u${a.id}_${n}`;
  async function reset(e: Event) {
    e.preventDefault();
    setBusy(true);
    try {
      await resetPassword(a.id, pw, mine);
      onDone(`Password of ${a.username} reset: their logins have ended, and they are told at next sign-in.`);
    } catch (ex) {
      const map: Record<string, string> = { password: f('pw'), admin_password: f('mine') };
      setErrors(
        errorsFrom(ex, Object.keys(map), (x) => (x === 'admin_password' ? 'your own password' : 'new password')).map((x) => ({
          ...x,
          field: x.field ? (map[x.field] ?? null) : null,
        })),
      );
      setFocusKey((k) => k + 1);
    } finally {
      setBusy(false);
    }
  }
  return (
    <form class="card desk-panel desk-form" onSubmit={reset} noValidate aria-labelledby={f('title')}>
      <h3 id={f('title')} tabIndex={-1} ref={head}>
        Reset the password of {a.username}
      </h3>
      <ErrorSummary errors={errors} focusKey={focusKey} />
      <TextField name={f('pw')} label={`New password for ${a.username}`} hint="At least 12 characters." type="password" autocomplete="new-password" value={pw} onInput={setPw} error={errors.find((x) => x.field === f('pw'))?.message} width="medium" />
      <TextField name={f('mine')} label="Your own password" hint="A reset is confirmed with your password." type="password" autocomplete="current-password" value={mine} onInput={setMine} error={errors.find((x) => x.field === f('mine'))?.message} width="medium" />
      <div class="desk-actions">
        <button type="submit" class="button" disabled={busy}>
          Reset password
        </button>
        <button type="button" class="button button-secondary" onClick={onClose}>
          Back
        </button>
      </div>
    </form>
  );
}
