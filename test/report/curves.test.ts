import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RiskError } from '../../src/core/errors.js';
import { ks, rocCurve } from '../../src/evaluation/metrics.js';
import { ksCurve, rocPoints, scoreHistogram } from '../../src/report/curves.js';

const labelled = fc
  .array(fc.tuple(fc.constantFrom(0, 1), fc.integer({ min: 0, max: 1000 })), { minLength: 2, maxLength: 300 })
  .filter((rows) => rows.some((r) => r[0] === 1) && rows.some((r) => r[0] === 0));

describe('rocPoints', () => {
  it('thins a long curve to the limit and keeps both ends', () => {
    const n = 5000;
    const y = Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 1 : 0));
    const s = Array.from({ length: n }, (_, i) => (i * 7919) % n);
    const points = rocPoints(rocCurve(y, s), 100);
    expect(points.length).toBe(100);
    expect(points[0]).toEqual({ fpr: 0, tpr: 0 });
    expect(points[points.length - 1]).toEqual({ fpr: 1, tpr: 1 });
    for (let i = 1; i < points.length; i++) {
      expect(points[i]?.fpr).toBeGreaterThanOrEqual(points[i - 1]?.fpr as number);
    }
  });
});

describe('ksCurve', () => {
  it('finds the same KS as the metric, and keeps its point when thinning (property)', () => {
    fc.assert(
      fc.property(labelled, (rows) => {
        const y = rows.map((r) => r[0]);
        const s = rows.map((r) => r[1]);
        const roc = rocCurve(y, s);
        const badShare = y.filter((v) => v === 1).length / y.length;
        const curve = ksCurve(roc, badShare, 5);
        expect(curve.ks).toBeCloseTo(ks(y, s).ks, 12);
        expect(curve.points.some((p) => p.depth === curve.depth)).toBe(true);
        // Depth is the declined share of all rows: bads·share + goods·(1 − share).
        const last = curve.points[curve.points.length - 1];
        expect(last?.depth).toBeCloseTo(1, 12);
      }),
    );
  });

  it('computes the depth by hand on a small sample', () => {
    // Scores 4 and 3 are bads, 2 and 1 goods: declining the top two rows catches every bad, no good.
    const curve = ksCurve(rocCurve([0, 0, 1, 1], [1, 2, 3, 4]), 0.5);
    expect(curve).toMatchObject({ ks: 1, depth: 0.5, bads: 1, goods: 0 });
  });

  it('rejects a bad share outside (0, 1)', () => {
    expect(() => ksCurve(rocCurve([0, 1], [1, 2]), 1)).toThrow(RiskError);
  });
});

describe('scoreHistogram', () => {
  it('normalises each class to one (property)', () => {
    fc.assert(
      fc.property(labelled, (rows) => {
        const bars = scoreHistogram(
          rows.map((r) => r[0]),
          rows.map((r) => r[1] / 7),
          20,
        );
        for (const cls of ['bad', 'good'] as const) {
          const total = bars.filter((b) => b.cls === cls).reduce((s, b) => s + b.share, 0);
          expect(total).toBeCloseTo(1, 12);
        }
        expect(bars.every((b) => b.share > 0 && b.hi > b.lo)).toBe(true);
      }),
    );
  });

  it('aligns integer scores on integer bins that reach the maximum', () => {
    const y = [0, 0, 1, 1, 0];
    const points = [500, 503, 517, 530, 559];
    const bars = scoreHistogram(y, points, 10);
    // Range 59 over 10 bins → width 6, starting at 498 (a multiple of 6).
    expect(bars.every((b) => b.hi - b.lo === 6 && b.lo % 6 === 0)).toBe(true);
    expect(bars.filter((b) => b.cls === 'good').map((b) => [b.lo, b.share])).toEqual([
      [498, 2 / 3],
      [558, 1 / 3],
    ]);
    expect(bars.filter((b) => b.cls === 'bad').map((b) => b.lo)).toEqual([516, 528]);
  });

  it('gives nothing for an empty score', () => {
    expect(scoreHistogram([], [])).toEqual([]);
  });
});
