// Live updates, for now by polling: `every(ms, refresh)` calls refresh on an interval while the
// page is visible, and at once when it becomes visible again. The server's event stream (SSE) is
// the planned transport; when it lands it feeds the same refresh callbacks by topic, and polling
// stays as the fallback (docs/adr/0012-web-application.md).
import { useEffect, useRef } from 'preact/hooks';

export function usePolling(refresh: () => void, intervalMs: number) {
  const latest = useRef(refresh);
  latest.current = refresh;
  useEffect(() => {
    const tick = () => {
      if (document.visibilityState === 'visible') latest.current();
    };
    const id = window.setInterval(tick, intervalMs);
    const onVisible = () => {
      if (document.visibilityState === 'visible') latest.current();
    };
    document.addEventListener('visibilitychange', onVisible);
    return () => {
      window.clearInterval(id);
      document.removeEventListener('visibilitychange', onVisible);
    };
  }, [intervalMs]);
}
