import { describe, expect, it } from 'vitest';
import { kmColumns } from './KmPlot';
import { proportionText } from '../../screens/director/Outcomes';
import { trajectoryColumns } from './TrajectoryPlot';

const step = (day: number, survival: number, lower: number | null, upper: number | null) => ({
  day, at_risk: 1, events: 1, censored: 0, survival, std_error: null, lower, upper,
});

describe('kmColumns', () => {
  it('starts every curve at 100 % on day 0 and steps at its own days, in percent', () => {
    const a = { subjects: 5, events: 2, censored: 3, median_days: null, steps: [step(5, 0.8, 0.2, 0.97), step(10, 0.6, 0.15, 0.9)] };
    const b = { subjects: 2, events: 1, censored: 1, median_days: 7, steps: [step(7, 0.5, null, null)] };
    const { days, columns } = kmColumns([a, b]);
    expect(days).toEqual([0, 5, 7, 10]);
    // a: survival, upper, lower
    expect(columns[0]).toEqual([100, 80, 80, 60]);
    expect(columns[1]).toEqual([100, 97, 97, 90]);
    expect(columns[2]).toEqual([100, 20, 20, 15]);
    // b ends on day 7: nothing drawn after it; its band is undefined at S = 0.5 here (null).
    expect(columns[3]).toEqual([100, 100, 50, null]);
    expect(columns[4]).toEqual([100, 100, null, null]);
  });
});

describe('proportionText', () => {
  it('writes the count, the share and the Wilson interval, ISMP style', () => {
    expect(proportionText({ count: 4, n: 5, share: 0.8, lower: 0.375535, upper: 0.963776 })).toBe('4 of 5: 80% (95% CI 38% to 96%)');
    expect(proportionText({ count: 0, n: 0, share: null, lower: null, upper: null })).toBe('none to count');
  });
});

describe('trajectoryColumns', () => {
  it('aligns the weeks of every instrument, with gaps where one has no reading', () => {
    const s = (median: number, q1: number, q3: number) => ({ n: 2, min: q1, q1, median, q3, max: q3 });
    const { weeks, columns } = trajectoryColumns([
      { label: 'PHQ-9', color: 'x', band: 'y', points: [{ week: 0, change: s(0, 0, 0) }, { week: 2, change: s(-7.5, -9.75, -5.25) }] },
      { label: 'GAD-7', color: 'x', band: 'y', points: [{ week: 1, change: s(-3, -4, -2) }] },
    ]);
    expect(weeks).toEqual([0, 1, 2]);
    expect(columns[0]).toEqual([0, null, -7.5]);
    expect(columns[1]).toEqual([0, null, -5.25]);
    expect(columns[2]).toEqual([0, null, -9.75]);
    expect(columns[3]).toEqual([null, -3, null]);
  });
});
