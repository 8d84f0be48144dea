// The one API client: same-origin fetch with the session cookie, the CSRF token on every write,
// errors normalised to ApiError, and ONE place that reacts to an ended session (401): the app
// registers `onUnauthenticated` and shows sign-in without unmounting the screen, so nothing typed
// is lost (docs/adr/0012-web-application.md). Screens never call fetch themselves: they call the
// area modules (auth.ts, inquiries.ts, ...), which call `api`.
import type { ApiErrorBody } from './types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** A network failure (no answer): the request may be retried. */
export class NetworkError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetworkError';
  }
}

type Query = Record<string, string | number | boolean | undefined | null>;

export interface RequestOptions {
  body?: unknown;
  query?: Query;
  ifMatch?: string | number;
  /** Public routes (login, the inquiry form): a 401 is an answer, not an ended session. */
  public?: boolean;
  /** Extra request headers (e.g. Idempotency-Key on a chair-side action and its retries). */
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface ApiAnswer<T> {
  data: T;
  etag: string | null;
}

class Client {
  private csrf: string | null = null;
  private unauthenticated: (() => void) | null = null;

  setCsrfToken(token: string | null) {
    this.csrf = token;
  }

  /** Called once per 401 on a non-public route (the session ended or expired). */
  onUnauthenticated(handler: (() => void) | null) {
    this.unauthenticated = handler;
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiAnswer<T>> {
    const url = new URL('/api/v1' + path, window.location.origin);
    for (const [k, v] of Object.entries(options.query ?? {})) {
      if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
    }
    const headers: Record<string, string> = { Accept: 'application/json' };
    if (options.body !== undefined) headers['Content-Type'] = 'application/json';
    if (options.headers) Object.assign(headers, options.headers);
    if (method !== 'GET' && method !== 'HEAD' && this.csrf) headers['X-CSRF-Token'] = this.csrf;
    if (options.ifMatch !== undefined) {
      const v = String(options.ifMatch);
      headers['If-Match'] = v.startsWith('"') ? v : `"${v}"`;
    }
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers,
        credentials: 'same-origin',
        cache: 'no-store',
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
      });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e;
      throw new NetworkError('The clinic server cannot be reached. Check the connection and try again.');
    }
    const text = await res.text();
    let json: unknown = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
    }
    if (!res.ok) {
      const err = (json as ApiErrorBody | null)?.error;
      const error = new ApiError(
        res.status,
        err?.code ?? 'http_' + res.status,
        err?.message ?? `The server answered ${res.status}.`,
        err?.field || undefined,
      );
      if (res.status === 401 && !options.public && this.unauthenticated) this.unauthenticated();
      throw error;
    }
    return { data: json as T, etag: res.headers.get('ETag') };
  }

  async get<T>(path: string, query?: Query, signal?: AbortSignal): Promise<T> {
    return (await this.request<T>('GET', path, { query, signal })).data;
  }
}

export const api = new Client();
