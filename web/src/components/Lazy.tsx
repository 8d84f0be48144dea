// Renders a screen whose code is loaded on demand (routes.ts `load`).
import type { ComponentType } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { LoadError, Skeleton } from './Status';

const cache = new Map<() => Promise<{ default: ComponentType }>, ComponentType>();

export function Lazy({ load, label }: { load: () => Promise<{ default: ComponentType }>; label: string }) {
  const [Component, setComponent] = useState<ComponentType | undefined>(() => cache.get(load));
  const [error, setError] = useState<Error | null>(null);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    const known = cache.get(load);
    if (known) {
      setComponent(() => known);
      return;
    }
    let live = true;
    setComponent(undefined);
    load()
      .then((m) => {
        cache.set(load, m.default);
        if (live) setComponent(() => m.default);
      })
      .catch((e: unknown) => live && setError(e instanceof Error ? e : new Error(String(e))));
    return () => {
      live = false;
    };
  }, [load, attempt]);
  if (error) return <LoadError error={error} retry={() => (setError(null), setAttempt((a) => a + 1))} />;
  if (!Component) return <Skeleton label={label} />;
  return <Component />;
}
