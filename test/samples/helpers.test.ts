import { describe, expect, it } from 'vitest';
import { auc } from './helpers.js';

describe('auc (test helper)', () => {
  it('is 1 for a perfect ranking, 0 for a reversed one and 0.5 for ties', () => {
    expect(auc([1, 2, 3, 4], [0, 0, 1, 1])).toBe(1);
    expect(auc([4, 3, 2, 1], [0, 0, 1, 1])).toBe(0);
    expect(auc([1, 1, 1, 1], [0, 1, 0, 1])).toBe(0.5);
  });

  it('counts the share of correctly ordered pairs', () => {
    // Pairs (pos, neg): (3,1) ok, (3,4) wrong, (2,1) ok, (2,4) wrong → 2 of 4.
    expect(auc([1, 2, 3, 4], [0, 1, 1, 0])).toBe(0.5);
    expect(auc([1, 3, 2, 4], [0, 1, 0, 1])).toBe(1);
  });
});
