import { afterEach, describe, expect, it } from 'vitest';
import { followServerClock, nowMs } from './clock';
import { dateIn } from './time';

describe('the server clock the screens follow (ADR 0029)', () => {
  afterEach(() => followServerClock(0));

  it('is the browser clock on a real server', () => {
    expect(Math.abs(nowMs() - Date.now())).toBeLessThan(1000);
  });

  it('runs ahead by the test clock offset, and "today" with it', () => {
    followServerClock(3 * 1440);
    expect(Math.abs(nowMs() - (Date.now() + 3 * 86_400_000))).toBeLessThan(1000);
    expect(dateIn('UTC')).toBe(new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10));
  });

  it('ignores an offset that is not a positive number of minutes', () => {
    for (const bad of [-60, Number.NaN, Number.POSITIVE_INFINITY]) {
      followServerClock(bad);
      expect(Math.abs(nowMs() - Date.now())).toBeLessThan(1000);
    }
  });
});
