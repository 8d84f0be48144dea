// The signed-in user, shared by the shell and every screen. `expired` is set when the server
// answers 401 to a signed-in user (the login ended or timed out): the shell then shows sign-in
// above the current screen, which stays mounted, so nothing typed is lost.
import { useEffect, useState } from 'preact/hooks';
import { api } from './api/client';
import type { ServiceInfo, SessionUser } from './api/types';

export interface SessionState {
  ready: boolean;
  user: SessionUser | null;
  expired: boolean;
  info: ServiceInfo | null;
  /** Counts sign-ins: screens reload their data after a session is restored. */
  signins: number;
}

let state: SessionState = { ready: false, user: null, expired: false, info: null, signins: 0 };
const listeners = new Set<() => void>();

export function getSession(): SessionState {
  return state;
}

export function setSession(patch: Partial<SessionState>) {
  state = { ...state, ...patch };
  listeners.forEach((l) => l());
}

export function useSession(): SessionState {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((t) => t + 1);
    listeners.add(l);
    return () => {
      listeners.delete(l);
    };
  }, []);
  return state;
}

api.onUnauthenticated(() => {
  if (state.user && !state.expired) setSession({ expired: true });
});
