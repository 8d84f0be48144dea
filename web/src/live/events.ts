// Live updates from the server's change stream (GET /api/v1/events, docs/api-chair.md "Live
// updates"): ONE EventSource per page, shared by every screen that subscribes. Each `change`
// notice carries only a sequence number (no patient data); a subscriber refetches what it shows.
// The stream closes after 5 minutes and the browser reconnects by itself; when it cannot be
// opened (the server's cap of open streams, an old proxy) the screens keep polling (live/poll.ts),
// which is why `useChangeEvents` is always used together with `usePolling`.
import { useEffect, useRef, useState } from 'preact/hooks';

export type StreamState = 'connecting' | 'open' | 'closed';

type Listener = () => void;
const listeners = new Set<Listener>();
const stateListeners = new Set<(s: StreamState) => void>();
let source: EventSource | null = null;
let lastSeq = -1;
let state: StreamState = 'closed';

function setState(s: StreamState) {
  state = s;
  stateListeners.forEach((l) => l(s));
}

/** The sequence of a change notice, or null when the data is not one. */
export function changeSeq(data: string): number | null {
  try {
    const seq = (JSON.parse(data) as { seq?: unknown }).seq;
    return typeof seq === 'number' && Number.isFinite(seq) ? seq : null;
  } catch {
    return null;
  }
}

function open() {
  if (source || typeof EventSource === 'undefined') return;
  setState('connecting');
  source = new EventSource('/api/v1/events');
  source.onopen = () => setState('open');
  source.onerror = () => {
    // The browser retries on its own while readyState is CONNECTING; CLOSED means it gave up
    // (e.g. 401 or 503): polling carries on, and the next subscriber tries again.
    if (source && source.readyState === EventSource.CLOSED) {
      source = null;
      setState('closed');
    } else setState('connecting');
  };
  source.addEventListener('change', (e) => {
    const seq = changeSeq((e as MessageEvent<string>).data);
    if (seq === null) return;
    // The first notice gives the current sequence: a (re)connection itself is not a change,
    // but after a reconnection a higher sequence means writes were missed, so refetch.
    const first = lastSeq < 0;
    const moved = seq > lastSeq;
    lastSeq = Math.max(lastSeq, seq);
    if (!first && moved) listeners.forEach((l) => l());
  });
}

function close() {
  source?.close();
  source = null;
  lastSeq = -1;
  setState('closed');
}

/** Calls `refresh` after every change the server reports while the screen is mounted. */
export function useChangeEvents(refresh: () => void): StreamState {
  const latest = useRef(refresh);
  latest.current = refresh;
  const [s, setS] = useState<StreamState>(state);
  useEffect(() => {
    const l = () => latest.current();
    listeners.add(l);
    stateListeners.add(setS);
    open();
    setS(state);
    return () => {
      listeners.delete(l);
      stateListeners.delete(setS);
      if (listeners.size === 0) close();
    };
  }, []);
  return s;
}

/**
 * Calls `refresh` after every change notice, and every `pollMs` while the stream is not open (not
 * supported, refused, or reconnecting), so a screen is never left stale. Returns whether the stream
 * is open.
 */
export function useLiveRefresh(refresh: () => void, pollMs = 10_000): boolean {
  const latest = useRef(refresh);
  latest.current = refresh;
  const s = useChangeEvents(() => latest.current());
  const streamOpen = useRef(s === 'open');
  streamOpen.current = s === 'open';
  useEffect(() => {
    const id = window.setInterval(() => {
      if (!streamOpen.current && document.visibilityState === 'visible') latest.current();
    }, pollMs);
    return () => window.clearInterval(id);
  }, [pollMs]);
  return s === 'open';
}
