// The chair side's outbox: every confirmed write (a pump event, vitals, an adverse event, a
// correction, a discharge) gets ONE fresh Idempotency-Key when the nurse confirms it, and keeps it
// for every retry of that same write. Over flaky Wi-Fi a write whose answer was lost is sent again
// with the same key, and the server answers with the first answer instead of recording it twice
// (docs/api-chair.md "Retries"). Until the server has answered, the entry is shown as pending.
import { useCallback, useRef, useState } from 'preact/hooks';
import { ApiError, NetworkError } from '../../api/client';
import type { ApiAnswer } from '../../api/client';
import { sendWrite } from '../../api/sessions';
import type { ChairWrite } from '../../api/sessions';

export interface PendingWrite {
  key: string;
  label: string;
  attempts: number;
  /** sending: on the wire; waiting: no answer, sent again soon; refused: the server said no. */
  state: 'sending' | 'waiting' | 'refused';
  lastError: string | null;
}

export interface SendOptions {
  /** Called once, when the first attempt got no answer and the write is being retried. */
  onRetrying?: () => void;
}

/** 128 random bits as hex: works outside secure contexts too (crypto.randomUUID does not). */
export function newIdempotencyKey(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return 'chair-' + Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Whether a failure may have left the write unrecorded but can be sent again as is. */
export function retryable(e: unknown): boolean {
  if (e instanceof NetworkError) return true;
  if (e instanceof ApiError) {
    // Another copy of this write is being recorded right now (same key): ask again.
    if (e.status === 409 && e.code === 'idempotency_key_in_use') return true;
    return e.status === 502 || e.status === 503 || e.status === 504;
  }
  return false;
}

const BACKOFF_MS = [1000, 2000, 4000, 8000];

export function useOutbox() {
  const [pending, setPending] = useState<PendingWrite[]>([]);
  const wakers = useRef(new Map<string, () => void>());

  const update = (key: string, patch: Partial<PendingWrite>) =>
    setPending((list) => list.map((p) => (p.key === key ? { ...p, ...patch } : p)));

  /** Sends `write` until the server answers (retrying with the same key); throws a refusal. */
  const send = useCallback(async <T,>(label: string, write: ChairWrite, options: SendOptions = {}): Promise<ApiAnswer<T>> => {
    const key = newIdempotencyKey();
    setPending((list) => [...list, { key, label, attempts: 0, state: 'sending', lastError: null }]);
    let retried = false;
    let refused = false;
    try {
      for (let attempt = 1; ; attempt++) {
        update(key, { attempts: attempt, state: 'sending' });
        try {
          return await sendWrite<T>(write, key);
        } catch (e) {
          if (!retryable(e)) {
            // A refusal after the screen let go of the write stays listed until dismissed.
            if (retried) {
              refused = true;
              update(key, { state: 'refused', lastError: e instanceof Error ? e.message : String(e) });
            }
            throw e;
          }
          if (!retried) {
            retried = true;
            options.onRetrying?.();
          }
          update(key, { state: 'waiting', lastError: e instanceof Error ? e.message : String(e) });
          const wait = BACKOFF_MS[Math.min(attempt - 1, BACKOFF_MS.length - 1)]!;
          await new Promise<void>((resolve) => {
            const timer = window.setTimeout(done, wait);
            const online = () => done();
            function done() {
              window.clearTimeout(timer);
              window.removeEventListener('online', online);
              wakers.current.delete(key);
              resolve();
            }
            window.addEventListener('online', online);
            wakers.current.set(key, done);
          });
        }
      }
    } finally {
      if (!refused) setPending((list) => list.filter((p) => p.key !== key));
    }
  }, []);

  const dismiss = useCallback((key: string) => setPending((list) => list.filter((p) => p.key !== key)), []);

  /** "Send now": skips the wait before the next attempt. */
  const retryNow = useCallback((key: string) => wakers.current.get(key)?.(), []);

  return { pending, send, retryNow, dismiss };
}
