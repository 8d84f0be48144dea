import { describe, expect, it } from 'vitest';
import { changeSeq } from './events';

describe('changeSeq', () => {
  it('reads the sequence of a change notice', () => {
    expect(changeSeq('{"seq": 42}')).toBe(42);
  });
  it('ignores anything else (never refetches on a malformed notice)', () => {
    expect(changeSeq('')).toBeNull();
    expect(changeSeq('{"seq":"42"}')).toBeNull();
    expect(changeSeq('not json')).toBeNull();
    expect(changeSeq('{}')).toBeNull();
  });
});
