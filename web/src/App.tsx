// The app: public page, sign-in, and the signed-in shell (header, role navigation, the screen).
// Which screen shows is decided by routes.ts; who may see it by the route's roles (the server
// enforces the same rules: this only avoids showing screens that would answer 403).
import { useEffect, useRef } from 'preact/hooks';
import { currentSession, logout, serviceInfo } from './api/auth';
import type { SessionUser } from './api/types';
import { Lazy } from './components/Lazy';
import { Skeleton } from './components/Status';
import { HOME, ROLE_LABEL, navFor, safeNext, screenFor } from './routes';
import { Link, navigate, useLocation } from './router';
import { SignInForm } from './screens/signin/SignIn';
import InquiryPage from './screens/public/InquiryPage';
import { getSession, setSession, useSession } from './session';
import { followServerClock } from './format/clock';
import { dateTimeIn } from './format/time';
import type { ServiceInfo } from './api/types';

export function App() {
  const session = useSession();
  const { path, search } = useLocation();

  // The public pages (the inquiry page, the portal invitation) need no session: the check runs
  // once the app leaves them. What the server says about itself (demo, test clock) is read on
  // every page.
  const needsSession = path !== '/' && path !== '/invite';
  useEffect(() => {
    if (!needsSession || session.ready) return;
    Promise.all([serviceInfo().catch(() => null), currentSession().catch(() => null)]).then(([info, me]) => {
      followServerClock(info?.test_clock?.offset_minutes ?? 0);
      setSession({ ready: true, info, user: me?.user ?? null });
    });
  }, [needsSession]);
  useEffect(() => {
    if (needsSession || session.info) return;
    serviceInfo()
      .then((info) => {
        followServerClock(info.test_clock?.offset_minutes ?? 0);
        setSession({ info });
      })
      .catch(() => undefined);
  }, [needsSession]);

  useTitle(path);

  const banner = <TestClockBanner info={session.info} />;
  if (path === '/')
    return (
      <>
        {banner}
        <InquiryPage />
      </>
    );
  // The portal invitation link (public; screens/portal/InvitePage.tsx, its own chunk).
  if (path === '/invite' && !session.user) {
    return (
      <>
        {banner}
        <Lazy key="/invite" load={() => import('./screens/portal/InvitePage')} label="invitation" />
      </>
    );
  }
  if (!session.ready) return <Skeleton label="the clinic" />;

  if (path === '/signin') {
    if (session.user && !session.expired) return <Redirect to={safeNext(search.get('next')) ?? HOME[session.user.role]} />;
    return (
      <div class="signin-page">
        {banner}
        <main id="main" class="card signin-card">
          <p class="brand signin-brand">
            <span class="brand-mark" aria-hidden="true">K</span> KIT · clinic staff and patients
          </p>
          <SignInForm
            onSignedIn={(user) => {
              setSession({ user, expired: false, signins: getSession().signins + 1 });
              navigate(safeNext(search.get('next')) ?? HOME[user.role], { replace: true });
            }}
          />
          <p class="signin-back">
            <Link href="/">Back to the clinic's contact page</Link>
          </p>
        </main>
      </div>
    );
  }

  if (!session.user) return <Redirect to={'/signin?next=' + encodeURIComponent(path + window.location.search)} />;
  return <Shell user={session.user} expired={session.expired} path={path} demo={!!session.info?.demo} />;
}

function Shell({ user, expired, path, demo }: { user: SessionUser; expired: boolean; path: string; demo: boolean }) {
  const screen = screenFor(path);
  const nav = navFor(user.role);
  const mainRef = useRef<HTMLElement>(null);
  // After moving to another screen, focus goes to its content (screen readers start there, and
  // the next Tab does not begin from a link that is gone).
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    mainRef.current?.focus();
  }, [path]);

  async function signOut() {
    await logout().catch(() => undefined);
    setSession({ user: null, expired: false });
    navigate('/signin', { replace: true });
  }

  let content;
  if (!screen) {
    content = (
      <div class="page-head">
        <h1>Page not found</h1>
        <p>
          There is no page at this address. <Link href={HOME[user.role]}>Go to your start page</Link>.
        </p>
      </div>
    );
  } else if (!screen.roles.includes(user.role)) {
    content = (
      <div class="page-head">
        <h1>Not available to your role</h1>
        <p>
          {screen.title} is for {screen.roles.map((r) => ROLE_LABEL[r].toLowerCase()).join(', ')} accounts.{' '}
          <Link href={HOME[user.role]}>Go to your start page</Link>.
        </p>
      </div>
    );
  } else {
    content = <Lazy key={screen.path} load={screen.load} label={screen.title} />;
  }

  return (
    <div class="shell">
      <a href="#main" class="skip-link">
        Skip to content
      </a>
      <div inert={expired} aria-hidden={expired ? 'true' : undefined} class="shell-body">
        <TestClockBanner info={getSession().info} />
        <header class="topbar">
          <div class="topbar-inner">
            <Link href={HOME[user.role]} class="brand">
              <span class="brand-mark" aria-hidden="true">K</span> KIT
            </Link>
            {demo && (
              <span class="badge badge-demo" title="Demo clinic: synthetic data">
                DEMO
              </span>
            )}
            <nav aria-label="Main" class="mainnav">
              <ul>
                {nav.map((s) => (
                  <li key={s.path}>
                    <Link href={s.path} aria-current={s.path === path ? 'page' : undefined}>
                      {s.nav}
                    </Link>
                  </li>
                ))}
              </ul>
            </nav>
            <div class="whoami">
              <span>
                <span class="visually-hidden">Signed in as </span>
                <strong>{user.username}</strong> <span class="role">{ROLE_LABEL[user.role]}</span>
              </span>
              <button type="button" class="button button-secondary button-small" onClick={signOut}>
                Sign out
              </button>
            </div>
          </div>
        </header>
        <main id="main" class="main" ref={mainRef} tabIndex={-1}>
          {content}
        </main>
      </div>
      {expired && <ExpiredDialog user={user} />}
    </div>
  );
}

// The session ended under the screen: sign in again here; the screen (and what was typed in it)
// stays where it was. Signing in as someone else goes to their start page instead.
function ExpiredDialog({ user }: { user: SessionUser }) {
  return (
    <div class="overlay">
      <div class="card dialog" role="dialog" aria-modal="true" aria-labelledby="signin-title">
        <SignInForm
          headingLevel={2}
          title="Your session has ended"
          intro="Sign in again to carry on. What you typed on this page is kept."
          onSignedIn={(next) => {
            setSession({ user: next, expired: false, signins: getSession().signins + 1 });
            if (next.id !== user.id) navigate(HOME[next.role], { replace: true });
          }}
        />
      </div>
    </div>
  );
}

/** Replaces the current history entry once rendered (never navigates during a render). */
function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}

function useTitle(path: string) {
  useEffect(() => {
    const screen = screenFor(path);
    document.title =
      path === '/'
        ? 'Contact the clinic — Ketamine Infusion Clinic'
        : path === '/signin'
          ? 'Sign in — KIT'
          : (screen?.title ?? 'KIT') + ' — KIT';
  }, [path]);
}

/** A demo server whose clock a browser test moves (ADR 0029): said on every screen, never missed. */
function TestClockBanner({ info }: { info: ServiceInfo | null }) {
  const clock = info?.test_clock;
  if (!clock) return null;
  const days = Math.floor(clock.offset_minutes / 1440);
  const hours = Math.floor((clock.offset_minutes % 1440) / 60);
  const minutes = clock.offset_minutes % 60;
  const ahead = [days && `${days} d`, hours && `${hours} h`, minutes && `${minutes} min`].filter(Boolean).join(' ') || '0 min';
  return (
    <section class="test-clock" aria-label="Test clock">
      <strong>TEST CLOCK</strong> This demo server's clock runs {ahead} ahead of the real time (server time{' '}
      {dateTimeIn('UTC', clock.now)} UTC when this page loaded). Never use it for patients.
    </section>
  );
}
