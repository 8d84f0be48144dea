import { describe, expect, it } from 'vitest';
import { CONDITIONS, EMPTY_OPENING, checkOpening, openingBody, parseDecimal, wallOf, wallToInstant } from './edForm';

describe('wall clock to instant', () => {
  it('reads a time on the clinic clock, not the browser clock', () => {
    expect(wallToInstant('UTC', '2026-11-26T14:05')).toBe(Date.UTC(2026, 10, 26, 14, 5));
    expect(wallToInstant('Europe/Berlin', '2026-11-26T14:05')).toBe(Date.UTC(2026, 10, 26, 13, 5));
    expect(wallToInstant('Europe/Berlin', '2026-07-01T14:05')).toBe(Date.UTC(2026, 6, 1, 12, 5));
    expect(wallToInstant('America/New_York', '2026-01-10T08:00')).toBe(Date.UTC(2026, 0, 10, 13, 0));
  });
  it('takes the earlier instant in an autumn overlap and survives a spring gap', () => {
    // Berlin 2026-10-25 02:30 happens twice (CEST then CET): the first is 00:30 UTC.
    expect(wallToInstant('Europe/Berlin', '2026-10-25T02:30')).toBe(Date.UTC(2026, 9, 25, 0, 30));
    // 2026-03-29 02:30 does not exist in Berlin: some instant within the hour around it.
    const gap = wallToInstant('Europe/Berlin', '2026-03-29T02:30')!;
    expect(Math.abs(gap - Date.UTC(2026, 2, 29, 1, 0))).toBeLessThanOrEqual(3_600_000);
  });
  it('refuses what is not a date and time', () => {
    for (const bad of ['', '2026-11-26', '2026-13-01T10:00', '2026-02-30T10:00', '2026-11-26T24:00', '14:05']) {
      expect(wallToInstant('UTC', bad)).toBeNull();
    }
  });
  it('round-trips through wallOf', () => {
    for (const tz of ['UTC', 'Europe/Berlin', 'Asia/Kolkata', 'America/Los_Angeles']) {
      const at = Date.UTC(2026, 4, 17, 9, 41);
      expect(wallToInstant(tz, wallOf(tz, at))).toBe(at);
    }
  });
});

describe('the opening form', () => {
  const filled = {
    ...EMPTY_OPENING,
    given_name: 'Ada',
    family_name: 'Lovelace',
    date_of_birth: '2019-05-02',
    sex: 'female' as const,
    weight_kg: '20',
    procedure: 'forearm fracture reduction',
    posterior_pharynx: 'no' as const,
    all_asked: true,
    hepatic: 'none' as const,
  };
  it('names every missing answer; nothing is assumed', () => {
    const fields = checkOpening(EMPTY_OPENING, 'UTC', Date.now()).map((e) => e.field);
    expect(fields).toEqual(['given_name', 'family_name', 'date_of_birth', 'sex', 'weight_kg', 'procedure', 'posterior_pharynx', 'all_asked', 'hepatic']);
    expect(checkOpening(filled, 'UTC', Date.now())).toEqual([]);
  });
  it('refuses a weight typed with a bare point or out of range', () => {
    for (const w of ['.5', '20.', '0', '401', 'abc', '-3']) {
      expect(checkOpening({ ...filled, weight_kg: w }, 'UTC', Date.now()).map((e) => e.field)).toEqual(['weight_kg']);
    }
    expect(parseDecimal('0.5')).toBe(0.5);
  });
  it('sends every condition, ticked ones true, with the hepatic grade', () => {
    const body = openingBody({ ...filled, present: { active_pulmonary_infection: true }, review_reason: 'mild URI' }, 'UTC');
    const conditions = body.conditions as Record<string, unknown>;
    expect(Object.keys(conditions)).toHaveLength(CONDITIONS.length + 1);
    expect(conditions.active_pulmonary_infection).toBe(true);
    expect(conditions.schizophrenia).toBe(false);
    expect(conditions.hepatic_impairment).toBe('none');
    expect(body.relative_contraindication_review_reason).toBe('mild URI');
    expect(body.at_ms).toBeUndefined();
  });
  it('refuses a start of care in the future', () => {
    const now = Date.UTC(2026, 10, 26, 12, 0);
    expect(checkOpening({ ...filled, started_at: '2026-11-26T13:00' }, 'UTC', now).map((e) => e.field)).toEqual(['started_at']);
    expect(checkOpening({ ...filled, started_at: '2026-11-26T11:00' }, 'UTC', now)).toEqual([]);
  });
});
