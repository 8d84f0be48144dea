// Live updates from the server's change feed (docs/api-chair.md "Live updates"): ONE EventSource
// on /api/v1/events for the whole app; every `change` notice (no patient data, just a sequence)
// makes the subscribed screens refetch. While the stream is not open (not supported, refused with
// 503, or reconnecting), subscribers are polled instead, so a screen is never left stale.
import { useEffect, useRef, useState } from 'preact/hooks';

type Listener = () => void;

const listeners = new Set<Listener>();
const statusListeners = new Set<(open: boolean) => void>();
let source: EventSource | null = null;
let open = false;
let lastSeq = -1;
let retryTimer: number | undefined;

function setOpen(next: boolean) {
  if (open === next) return;
  open = next;
  statusListeners.forEach((l) => l(open));
}

function connect() {
  if (source || typeof EventSource === 'undefined') return;
  source = new EventSource('/api/v1/events', { withCredentials: true });
  source.onopen = () => setOpen(true);
  source.addEventListener('change', (ev) => {
    setOpen(true);
    let seq = -1;
    try {
      seq = Number((JSON.parse((ev as MessageEvent<string>).data) as { seq: number }).seq);
    } catch {
      seq = -1;
    }
    // The first notice gives the current sequence: refetch anyway (something may have changed
    // while the stream was down), then only on a higher sequence.
    if (seq !== -1 && seq === lastSeq) return;
    lastSeq = seq;
    listeners.forEach((l) => l());
  });
  source.onerror = () => {
    setOpen(false);
    // The browser reconnects by itself unless the stream was refused (503, 401): then try again
    // later; polling covers the gap.
    if (source && source.readyState === EventSource.CLOSED) {
      source = null;
      window.clearTimeout(retryTimer);
      retryTimer = window.setTimeout(() => listeners.size && connect(), 15_000);
    }
  };
}

function disconnect() {
  source?.close();
  source = null;
  lastSeq = -1;
  setOpen(false);
}

/** Calls `refresh` on every change notice, or every `pollMs` while the stream is not open. */
export function useLiveRefresh(refresh: () => void, pollMs = 10_000): boolean {
  const latest = useRef(refresh);
  latest.current = refresh;
  const [streamOpen, setStreamOpen] = useState(open);
  useEffect(() => {
    const l = () => latest.current();
    listeners.add(l);
    statusListeners.add(setStreamOpen);
    connect();
    const id = window.setInterval(() => {
      if (!open && document.visibilityState === 'visible') latest.current();
    }, pollMs);
    return () => {
      window.clearInterval(id);
      listeners.delete(l);
      statusListeners.delete(setStreamOpen);
      if (listeners.size === 0) disconnect();
    };
  }, [pollMs]);
  return streamOpen;
}
