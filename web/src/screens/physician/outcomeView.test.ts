import { describe, expect, it } from 'vitest';
import type { Outcome } from '../../api/types';
import { concernRank, outcomeLines } from './outcomeView';

const base = (over: Partial<Outcome>): Outcome => ({
  instrument: 'phq9',
  baseline: 20,
  baseline_date: '2026-01-01',
  latest: 12,
  latest_date: '2026-01-10',
  change_pct: -40,
  reduction_pct: 40,
  status: 'partial_response',
  reason: '',
  booster_recommended: false,
  reassess_sooner: false,
  series: [],
  thresholds: {},
  ...over,
});

describe('outcomeLines', () => {
  it('draws the response line at the server threshold below baseline, and the remission cut-off', () => {
    const lines = outcomeLines(
      base({
        thresholds: {
          response_reduction_pct: { value: 50, source: 's', policy: false, unit: '%' },
          remission_max_total: { value: 4, source: 's', policy: false, unit: 'total' },
        },
      }),
    );
    expect(lines.map((l) => l.value)).toEqual([10, 4]);
  });
  it('uses whatever threshold the server gives (Y-BOCS 35 %)', () => {
    const lines = outcomeLines(
      base({ baseline: 30, thresholds: { response_reduction_pct: { value: 35, source: 's', policy: false, unit: '%' } } }),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]!.value).toBe(19.5);
  });
  it('draws no line the server did not define (NRS has no remission)', () => {
    const lines = outcomeLines(
      base({
        thresholds: {
          response_reduction_pct: { value: 30, source: 's', policy: false, unit: '%' },
          remission_max_total: { value: null, source: 's', policy: false, unit: 'total' },
        },
      }),
    );
    expect(lines.map((l) => l.label)).toEqual(['Response: 30% below baseline']);
  });
});

describe('concernRank', () => {
  it('puts patients not improving first and those without scores last', () => {
    const statuses = ['remission', null, 'no_response', 'relapse', 'response', 'partial_response'];
    const sorted = [...statuses].sort((a, b) => concernRank(a) - concernRank(b));
    expect(sorted).toEqual(['relapse', 'no_response', 'partial_response', 'response', 'remission', null]);
  });
});
