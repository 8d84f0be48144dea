// Sign-in. Used as the /signin page and, when a session ends under a screen, as a dialog above
// that screen (which stays mounted, so what was typed there survives).
import { useState } from 'preact/hooks';
import { ApiError, NetworkError } from '../../api/client';
import { login } from '../../api/auth';
import type { SessionUser } from '../../api/types';
import { ErrorSummary, type FieldError } from '../../components/ErrorSummary';
import { TextField } from '../../components/Fields';
import { useSession } from '../../session';

export function SignInForm(props: { onSignedIn: (user: SessionUser) => void; headingLevel?: 1 | 2; title?: string; intro?: string }) {
  const { info } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldError[]>([]);
  const [attempt, setAttempt] = useState(0);
  const [busy, setBusy] = useState(false);
  const Heading = props.headingLevel === 2 ? 'h2' : 'h1';

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    const found: FieldError[] = [];
    if (!username.trim()) found.push({ field: 'username', message: 'Enter your username' });
    if (!password) found.push({ field: 'password', message: 'Enter your password' });
    setErrors(found);
    setAttempt((a) => a + 1);
    if (found.length) return;
    setBusy(true);
    try {
      const answer = await login(username.trim(), password);
      setPassword('');
      props.onSignedIn(answer.user);
    } catch (err) {
      setErrors([{ field: null, message: signInError(err) }]);
      setAttempt((a) => a + 1);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate class="signin-form">
      <Heading id="signin-title">{props.title ?? 'Sign in'}</Heading>
      {props.intro && <p>{props.intro}</p>}
      {info?.demo && (
        <div class="notice notice-demo" role="note" aria-label="Demo mode">
          <p class="notice-title">
            <span class="badge badge-demo">DEMO</span> Demo clinic: synthetic data only
          </p>
          <p>
            Sign in as <DemoNames names={info.demo_accounts} />. The password is printed in the log of{' '}
            <code>kit serve</code>.
          </p>
        </div>
      )}
      <ErrorSummary errors={errors} focusKey={attempt} />
      <TextField
        name="username"
        label="Username"
        autocomplete="username"
        spellcheck={false}
        value={username}
        onInput={setUsername}
        error={errors.find((e) => e.field === 'username')?.message}
      />
      <TextField
        name="password"
        label="Password"
        type="password"
        autocomplete="current-password"
        value={password}
        onInput={setPassword}
        error={errors.find((e) => e.field === 'password')?.message}
      />
      <button type="submit" class="button" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}

function DemoNames({ names }: { names: string[] }) {
  return (
    <>
      {names.map((n, i) => (
        <span key={n}>
          {i > 0 && (i === names.length - 1 ? ' or ' : ', ')}
          <code>{n}</code>
        </span>
      ))}
    </>
  );
}

function signInError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 401) return 'The username or password is not right.';
    if (err.status === 429) return 'Too many wrong passwords: this username is locked for a while. Try again later or ask an administrator.';
    if (err.status === 503) return 'The server is busy. Try again in a moment.';
    return err.message;
  }
  if (err instanceof NetworkError) return err.message;
  return 'Signing in failed. Try again.';
}
