// Loads data for a screen: loading -> ready | error, with reload(). A reload keeps the data on
// screen while it runs (no flash of empty tables on each refresh).
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { useSession } from '../session';

export type Resource<T> =
  | { status: 'loading'; data: T | undefined; error: undefined; reload: () => void }
  | { status: 'ready'; data: T; error: undefined; reload: () => void }
  | { status: 'error'; data: T | undefined; error: Error; reload: () => void };

export function useResource<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[] = []): Resource<T> {
  const [state, setState] = useState<{ status: 'loading' | 'ready' | 'error'; data?: T; error?: Error }>({
    status: 'loading',
  });
  const [generation, setGeneration] = useState(0);
  // A restored session (sign-in after expiry) reloads what failed under the old one.
  const { signins } = useSession();
  const latest = useRef(load);
  latest.current = load;
  useEffect(() => {
    const controller = new AbortController();
    // A refresh of shown data stays 'ready' (no flash); after an error it is 'loading' again.
    setState((s) => ({ status: s.status === 'ready' ? 'ready' : 'loading', data: s.data }));
    latest
      .current(controller.signal)
      .then((data) => {
        if (!controller.signal.aborted) setState({ status: 'ready', data });
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        setState((s) => ({
          status: 'error',
          data: s.data,
          error: error instanceof Error ? error : new Error(String(error)),
        }));
      });
    return () => controller.abort();
  }, [generation, signins, ...deps]);
  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  return { ...state, reload } as Resource<T>;
}
