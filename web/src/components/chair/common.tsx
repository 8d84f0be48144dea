// Small pieces shared by the chair-side panels.
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../../api/client';
import type { ApiAnswer } from '../../api/client';
import type { ChairWrite, Gate, InfusionSession } from '../../api/sessions';
import type { Patient, Role } from '../../api/types';
import { gateLabel } from '../../screens/chair/labels';
import type { SendOptions } from '../../screens/chair/outbox';
import { nowMs } from '../../format/clock';

export interface ChairContext {
  session: InfusionSession;
  patient: Patient | null;
  role: Role;
  tz: string;
  observationMin: number | null;
  /** Sends a confirmed write through the outbox (fresh Idempotency-Key, retried with it). */
  send: <T>(label: string, write: ChairWrite, options?: SendOptions) => Promise<ApiAnswer<T>>;
  /** Refetch the session after a write. */
  reload: () => void;
}

/** The current time, ticking every `ms`. */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => nowMs());
  useEffect(() => {
    const id = window.setInterval(() => setNow(nowMs()), ms);
    return () => window.clearInterval(id);
  }, [ms]);
  return now;
}

/** "1:05:09" or "12:04" (minutes:seconds) for a duration in ms. */
export function clock(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const mm = h ? String(m).padStart(2, '0') : String(m);
  return (h ? `${h}:` : '') + `${mm}:${String(s).padStart(2, '0')}`;
}

export function errorText(e: unknown): string {
  if (e instanceof ApiError) return e.field ? `${e.message} (${e.field})` : e.message;
  return e instanceof Error ? e.message : String(e);
}

/** The gates of the next step as a checklist: passed / not passed, with the server's reason. */
export function Checklist({ gates, title }: { gates: Gate[]; title: string }) {
  return (
    <section class="card chair-section" aria-labelledby="checklist-title">
      <h2 id="checklist-title">{title}</h2>
      <ul class="checklist">
        {gates.map((g) => (
          <li key={g.gate} class={'check ' + (g.passed ? 'check-passed' : 'check-failed')}>
            <span class="check-icon" aria-hidden="true">
              {g.passed ? '✓' : '✕'}
            </span>
            <span class="check-body">
              <strong>{gateLabel(g.gate)}</strong>{' '}
              <span class="check-state">{g.passed ? 'Passed' : 'Not passed'}</span>
              <span class="check-reason">{g.reason}</span>
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

/** What will be sent, exactly: the method, the path and the JSON body. */
export function WirePreview({ write }: { write: ChairWrite }) {
  return (
    <details class="wire">
      <summary>Exactly what is sent to the server</summary>
      <p>
        <code>
          {write.method} /api/v1{write.path}
        </code>
        {write.ifMatch !== undefined && (
          <>
            {' '}
            with <code>If-Match: "{write.ifMatch}"</code>
          </>
        )}
      </p>
      <pre class="wire-body">{JSON.stringify(write.body, null, 2)}</pre>
    </details>
  );
}

export function Section({ id, title, children, extra }: { id: string; title: string; children: ComponentChildren; extra?: ComponentChildren }) {
  return (
    <section class="card chair-section" aria-labelledby={id}>
      <div class="section-head">
        <h2 id={id}>{title}</h2>
        {extra}
      </div>
      {children}
    </section>
  );
}

/** A whole or one-decimal number as typed (a vital sign), or null. */
export function parseReading(text: string): number | null {
  const t = text.trim();
  if (!/^\d{1,3}(\.\d)?$/.test(t)) return null;
  return Number(t);
}
