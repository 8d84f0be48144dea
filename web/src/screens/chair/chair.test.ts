// Pure pieces of the chair side: the rate as keyed, the vitals due reminder, timers, alarm
// priorities, which failures are retried, and the idempotency keys.
import { describe, expect, test } from 'vitest';
import { ApiError, NetworkError } from '../../api/client';
import type { InfusionSession, Vital } from '../../api/sessions';
import { clock, parseReading } from '../../components/chair/common';
import type { ChairContext } from '../../components/chair/common';
import { lastRate, parseRate } from '../../components/chair/PumpPanel';
import { nextDue } from '../../components/chair/VitalsPanel';
import { priorityOf } from './labels';
import { newIdempotencyKey, retryable } from './outbox';

describe('parseRate: what the pump takes, or nothing', () => {
  test.each([
    ['52.5', 52.5],
    ['26.2', 26.2],
    [' 100 ', 100],
    ['4.17', null], // two decimals: the pump steps by 0.1 mL/h
    ['.5', null], // no leading zero: refused, never guessed
    ['0', null],
    ['12,5', null],
    ['1e2', null],
    ['', null],
  ])('%j -> %j', (text, want) => expect(parseRate(text)).toBe(want));
});

test('parseReading takes whole or one-decimal numbers only', () => {
  expect(parseReading('122')).toBe(122);
  expect(parseReading('36.6')).toBe(36.6);
  expect(parseReading('12O')).toBeNull();
  expect(parseReading('-5')).toBeNull();
});

test('clock shows minutes:seconds, with hours when needed', () => {
  expect(clock(0)).toBe('0:00');
  expect(clock(61_000)).toBe('1:01');
  expect(clock(3_725_000)).toBe('1:02:05');
  expect(clock(-5)).toBe('0:00');
});

test('alarm priority: colour level, symbol and words from the severity', () => {
  expect(priorityOf('critical')).toEqual({ level: 'high', label: 'High priority', symbol: '!!!' });
  expect(priorityOf('high').level).toBe('medium');
  expect(priorityOf('moderate').level).toBe('low');
});

test('only failures without an answer (or a concurrent copy) are retried', () => {
  expect(retryable(new NetworkError('down'))).toBe(true);
  expect(retryable(new ApiError(409, 'idempotency_key_in_use', 'busy'))).toBe(true);
  expect(retryable(new ApiError(503, 'unavailable', 'busy'))).toBe(true);
  expect(retryable(new ApiError(409, 'conflict', 'wrong state'))).toBe(false);
  expect(retryable(new ApiError(422, 'rule_refused', 'gate'))).toBe(false);
  expect(retryable(new ApiError(412, 'stale_write', 'stale'))).toBe(false);
});

test('each confirmed action gets its own key', () => {
  const keys = new Set(Array.from({ length: 200 }, newIdempotencyKey));
  expect(keys.size).toBe(200);
  for (const k of keys) expect(k).toMatch(/^chair-[0-9a-f]{32}$/);
});

function session(patch: Partial<InfusionSession>): InfusionSession {
  return {
    state: 'running',
    started_at: '2026-11-26T09:00:00Z',
    vitals: [],
    events: [],
    vitals_schedule: { due_minutes_from_start: ['baseline', 15, 30, 40, 'discharge'], interval_min: 15, basis: 'policy' },
    ...patch,
  } as InfusionSession;
}

function vital(point: Vital['point'], at: string, status: Vital['status'] = 'active'): Vital {
  return { id: Math.random(), point, at, status } as Vital;
}

const ctx = (s: InfusionSession) => ({ session: s, tz: 'Europe/Berlin' }) as ChairContext;
const at = (iso: string) => Date.parse(iso);

describe('nextDue: the vitals reminder from the session schedule', () => {
  test('baseline before the start', () => {
    expect(nextDue(ctx(session({ state: 'planned', started_at: null })), at('2026-11-26T08:55:00Z'))?.overdue).toBe(true);
    const done = session({ state: 'planned', started_at: null, vitals: [vital('baseline', '2026-11-26T08:50:00Z')] });
    expect(nextDue(ctx(done), at('2026-11-26T08:55:00Z'))).toBeNull();
  });
  test('the next point on the clinic clock, then overdue once it passes', () => {
    const s = session({});
    expect(nextDue(ctx(s), at('2026-11-26T09:05:00Z'))).toEqual({
      text: 'Next vitals due at 10:15 (15 minutes after the start, in 10 min).',
      overdue: false,
    });
    expect(nextDue(ctx(s), at('2026-11-26T09:16:00Z'))?.text).toBe('Vitals overdue: the 15-minute reading was due at 10:15.');
  });
  test('a reading near the point counts; one entered in error does not', () => {
    const taken = session({ vitals: [vital('interval', '2026-11-26T09:14:00Z')] });
    expect(nextDue(ctx(taken), at('2026-11-26T09:16:00Z'))?.text).toMatch(/Next vitals due at 10:30/);
    const wrong = session({ vitals: [vital('interval', '2026-11-26T09:14:00Z', 'entered_in_error')] });
    expect(nextDue(ctx(wrong), at('2026-11-26T09:16:00Z'))?.overdue).toBe(true);
  });
});

test('lastRate skips events entered in error', () => {
  const s = session({
    events: [
      { kind: 'start', rate_ml_per_h: 52.5, status: 'active' },
      { kind: 'rate_change', rate_ml_per_h: 525, status: 'entered_in_error' },
      { kind: 'stop', rate_ml_per_h: null, status: 'active' },
    ] as InfusionSession['events'],
  });
  expect(lastRate(s)).toBe(52.5);
});
