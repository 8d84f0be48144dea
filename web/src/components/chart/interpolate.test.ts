import { describe, expect, it } from 'vitest';
import { interpolate } from './interpolate';

describe('interpolate', () => {
  it('is exact on the grid, linear between, null outside', () => {
    expect(interpolate([0, 2, 4], [0, 10, 30], [0, 1, 2, 3, 4, 5, -1])).toEqual([0, 5, 10, 20, 30, null, null]);
  });
  it('handles one point', () => {
    expect(interpolate([3], [7], [3, 4])).toEqual([7, null]);
  });
});
