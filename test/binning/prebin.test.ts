import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  binOf,
  cutSearch,
  prebinCategorical,
  prebinNumeric,
  quantileCuts,
} from '../../src/binning/prebin.js';
import { Rng } from '../../src/core/rng.js';

describe('binOf', () => {
  it('counts the cuts at or below a value, like a linear scan', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: -1000, max: 1000 }), { maxLength: 70 }),
        fc.integer({ min: -1100, max: 1100 }),
        (raw, v) => {
          const cuts = [...raw].sort((a, b) => a - b);
          return binOf(cutSearch(cuts), v) === cuts.filter((c) => c <= v).length;
        },
      ),
      { numRuns: 500, seed: 7 },
    );
  });
});

describe('quantileCuts', () => {
  it('uses every distinct value but the smallest when there are few', () => {
    const v = Float64Array.from([3, 1, 2, 2, 3, 1, Number.NaN, -999]);
    expect(Array.from(quantileCuts(v, (x) => x === -999, 10, 1000, new Rng(1)))).toEqual([2, 3]);
  });

  it('cuts a continuous variable near its quantiles', () => {
    const v = Float64Array.from({ length: 10_000 }, (_, i) => i);
    const cuts = Array.from(quantileCuts(v, () => false, 4, 100_000, new Rng(1)));
    expect(cuts).toEqual([2500, 5000, 7500]);
  });
});

describe('prebinNumeric', () => {
  it('counts every row once, each special group and missing apart', () => {
    const v = Float64Array.from([1, 2, 3, 4, Number.NaN, -1, 2, 3, 998, 999, 999, -1]);
    const y = Float64Array.from([0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1, 1]);
    const p = prebinNumeric(v, y, undefined, [[-1], [998, 999]], 50, 1000, new Rng(1));
    expect(Array.from(p.cuts)).toEqual([2, 3, 4]);
    expect(Array.from(p.nonEvents)).toEqual([1, 1, 1, 0]);
    expect(Array.from(p.events)).toEqual([0, 1, 1, 1]);
    expect(p.special).toEqual([
      { nonEvents: 1, events: 1 },
      { nonEvents: 1, events: 2 },
    ]);
    expect(p.missing).toEqual({ nonEvents: 0, events: 1 });
  });

  it('sums weights instead of rows', () => {
    const v = Float64Array.from([1, 1, 2]);
    const y = Float64Array.from([0, 1, 1]);
    const p = prebinNumeric(v, y, Float64Array.from([2.5, 0.5, 4]), [], 50, 1000, new Rng(1));
    expect(Array.from(p.nonEvents)).toEqual([2.5, 0]);
    expect(Array.from(p.events)).toEqual([0.5, 4]);
  });
});

describe('prebinCategorical', () => {
  it('orders levels by event rate and pools rare ones', () => {
    const levels = ['a', 'b', 'c', 'r1', 'r2'];
    const codes: number[] = [];
    const y: number[] = [];
    const add = (code: number, goods: number, bads: number): void => {
      for (let i = 0; i < goods; i++) {
        codes.push(code);
        y.push(0);
      }
      for (let i = 0; i < bads; i++) {
        codes.push(code);
        y.push(1);
      }
    };
    add(0, 40, 10); // a: 0.2
    add(1, 45, 5); // b: 0.1
    add(2, 20, 30); // c: 0.6
    add(3, 1, 0); // r1 rare
    add(4, 0, 1); // r2 rare
    add(-1, 3, 1); // missing
    const p = prebinCategorical(
      Int32Array.from(codes),
      levels,
      Float64Array.from(y),
      undefined,
      [],
      0.05,
      50,
    );
    expect(p.groups).toEqual([['b'], ['a'], ['r1', 'r2'], ['c']]);
    expect(Array.from(p.events)).toEqual([5, 10, 1, 30]);
    expect(p.missing).toEqual({ nonEvents: 3, events: 1 });
    expect(p.special).toEqual([]);
    // Declared special levels leave the regular pre-bins, one bin per group.
    const q = prebinCategorical(
      Int32Array.from(codes),
      levels,
      Float64Array.from(y),
      undefined,
      [['c'], ['r1', 'r2']],
      0.05,
      50,
    );
    expect(q.groups).toEqual([['b'], ['a']]);
    expect(q.special).toEqual([
      { nonEvents: 20, events: 30 },
      { nonEvents: 1, events: 1 },
    ]);
  });
});
