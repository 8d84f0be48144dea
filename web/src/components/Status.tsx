import type { ComponentChildren } from 'preact';
import { ApiError, NetworkError } from '../api/client';

/** Placeholder rows while data loads (a skeleton, not a spinner). */
export function Skeleton({ rows = 3, label }: { rows?: number; label: string }) {
  return (
    <div class="skeleton" role="status" aria-live="polite">
      <span class="visually-hidden">Loading {label}…</span>
      {Array.from({ length: rows }, (_, i) => (
        <div key={i} class="skeleton-row" aria-hidden="true" />
      ))}
    </div>
  );
}

export function describeError(error: Error): string {
  if (error instanceof ApiError) {
    if (error.status === 403) return 'Your account is not allowed to see this.';
    if (error.status === 401) return 'Your session has ended. Sign in again to continue.';
    return error.message;
  }
  if (error instanceof NetworkError) return error.message;
  return 'Something went wrong: ' + error.message;
}

/** A load that failed: what happened and a way to try again. */
export function LoadError({ error, retry }: { error: Error; retry?: () => void }) {
  return (
    <div class="notice notice-error" role="alert">
      <p>{describeError(error)}</p>
      {retry && (
        <button type="button" class="button button-secondary" onClick={retry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}
