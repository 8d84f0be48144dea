import { describe, expect, it } from 'vitest';
import { wholeYears } from './age';

describe('whole years of age', () => {
  it('counts a birthday only once it is reached', () => {
    expect(wholeYears('1986-09-14', '2026-09-13')).toBe(39);
    expect(wholeYears('1986-09-14', '2026-09-14')).toBe(40);
    expect(wholeYears('1986-09-14', '2026-11-26')).toBe(40);
    expect(wholeYears('1986-09-14', '2026-01-01')).toBe(39);
  });
  it('a 29 February birthday turns over on 1 March in other years', () => {
    expect(wholeYears('2000-02-29', '2026-02-28')).toBe(25);
    expect(wholeYears('2000-02-29', '2026-03-01')).toBe(26);
  });
});
