import { describe, expect, it } from 'vitest';
import { formatQuantity, formatNumber, type Unit } from './quantity';

const NB = '\u00a0';

// [value, unit, options, expected]: ISMP's rules (docs/reference/pharmacology.md §11).
const cases: Array<[number | null | undefined, Unit, { maxDecimals?: number }, string]> = [
  // leading zero below one
  [0.5, 'mg/kg', {}, `0.5${NB}mg/kg`],
  [0.05, 'mg', {}, `0.05${NB}mg`],
  [0.875, 'mg/min', {}, `0.875${NB}mg/min`],
  [0.75, 'mg/kg/h', {}, `0.75${NB}mg/kg/h`],
  // no trailing zero after a whole number
  [35, 'mg', {}, `35${NB}mg`],
  [35.0, 'mg', {}, `35${NB}mg`],
  [1.0, 'mg', {}, `1${NB}mg`],
  [2.5, 'mL', {}, `2.5${NB}mL`],
  [12.25, 'mL', {}, `12.25${NB}mL`],
  [10, 'mg/mL', {}, `10${NB}mg/mL`],
  // thousands separators
  [1200, 'mL/h', {}, `1,200${NB}mL/h`],
  [1000, 'mg', {}, `1,000${NB}mg`],
  [999, 'mg', {}, `999${NB}mg`],
  [1234567.5, 'mL', {}, `1,234,567.5${NB}mL`],
  // rounding to the unit's precision, then dropping zeros
  [52.5, 'mL/h', {}, `52.5${NB}mL/h`],
  [4.17, 'mL/h', {}, `4.2${NB}mL/h`],
  [41.7, 'mL/h', {}, `41.7${NB}mL/h`],
  [52.04, 'mL/h', {}, `52${NB}mL/h`],
  [0.04, 'mL/h', {}, `0${NB}mL/h`],
  [4.17, 'mL/h', { maxDecimals: 2 }, `4.17${NB}mL/h`],
  [185, 'ng/mL', {}, `185${NB}ng/mL`],
  [0.2404, 'mcg/mL', {}, `0.24${NB}mcg/mL`],
  [70, 'kg', {}, `70${NB}kg`],
  [70.55, 'kg', {}, `70.6${NB}kg`],
  [120, 'mmHg', {}, `120${NB}mmHg`],
  [97, '%', {}, '97%'],
  [5, 'units', {}, `5${NB}units`],
  [90, 'MME/day', {}, `90${NB}MME/day`],
  // signs and zero
  [0, 'mg', {}, `0${NB}mg`],
  [-0, 'mg', {}, `0${NB}mg`],
  [-16, 'mmHg', {}, `-16${NB}mmHg`],
  [-0.001, 'mg', {}, `0${NB}mg`],
  [-1500.25, 'mg', {}, `-1,500.25${NB}mg`],
  // nothing to show
  [null, 'mg', {}, '—'],
  [undefined, 'mL/h', {}, '—'],
  [Number.NaN, 'mg', {}, '—'],
  [Number.POSITIVE_INFINITY, 'mL/h', {}, '—'],
];

describe('formatQuantity', () => {
  it.each(cases)('%s %s %j -> %s', (value, unit, options, expected) => {
    expect(formatQuantity(value, unit, options)).toBe(expected);
  });

  it('never writes a bare leading decimal point, a trailing zero or a forbidden unit', () => {
    const units: Unit[] = ['mg', 'mcg', 'mL', 'mL/h', 'mg/kg', 'mg/kg/h', 'units'];
    for (let i = 0; i < 2000; i++) {
      const value = Math.round(Math.random() * 10 ** (1 + (i % 7))) / 10 ** (i % 5);
      for (const unit of units) {
        const text = formatQuantity(value, unit);
        expect(text).not.toMatch(/(^|[^0-9])\.\d/); // .5
        expect(text).not.toMatch(/\.\d*0(\u00a0|$)/); // 35.0, 1.50
        expect(text).not.toMatch(/µg|cc\b|\bU\b|\bIU\b/);
        expect(text).not.toMatch(/(^|[^\d,.])\d{4,}/); // 1200 ungrouped
      }
    }
  });
});

describe('formatNumber', () => {
  it('groups thousands and keeps the leading zero', () => {
    expect(formatNumber(0.5, 2)).toBe('0.5');
    expect(formatNumber(12000, 0)).toBe('12,000');
    expect(formatNumber(12000.5, 0)).toBe('12,001');
  });
});
