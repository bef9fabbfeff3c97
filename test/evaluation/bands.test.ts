import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { scoreBands } from '../../src/evaluation/bands.js';
import { ks } from '../../src/evaluation/metrics.js';
import { codeOf } from '../fixtures/errors.js';

describe('scoreBands', () => {
  it('gives golden rows for given edges, safest band first', () => {
    const points = [500, 520, 540, 560, 580, 600, 620, 640];
    const y = [1, 1, 0, 1, 0, 0, 1, 0];
    const t = scoreBands(points, y, { higherIsSafer: true, edges: [550, 600] });
    expect(t.scoreName).toBe('points');
    expect(t.rows.map((r) => r.label)).toEqual(['[600, 640]', '[550, 600)', '[500, 550)']);
    expect(t.rows.map((r) => [r.count, r.goods, r.bads])).toEqual([
      [3, 2, 1],
      [2, 1, 1],
      [3, 1, 2],
    ]);
    const [top, mid, low] = t.rows;
    expect(top?.badRate).toBeCloseTo(1 / 3, 12);
    expect(top?.odds).toBe(2);
    expect(mid?.cumApprovalRate).toBeCloseTo(5 / 8, 12);
    expect(mid?.cumBadRateApproved).toBeCloseTo(2 / 5, 12);
    // cum bads 2/4, cum goods 3/4 after two bands
    expect(mid?.ks).toBeCloseTo(0.25, 12);
    expect(low?.cumApprovalRate).toBe(1);
    expect(low?.ks).toBeCloseTo(0, 12);
    expect(t.total).toEqual({ count: 8, goods: 4, bads: 4, badRate: 0.5 });
  });

  it('orders PD bands from the lowest PD and names the score pd', () => {
    const pd = [0.01, 0.02, 0.3, 0.4];
    const t = scoreBands(pd, [0, 0, 1, 1], { higherIsSafer: false, bands: 2 });
    expect(t.scoreName).toBe('pd');
    expect(t.rows.map((r) => r.bads)).toEqual([0, 2]);
    expect(t.rows[0]?.odds).toBe(Number.POSITIVE_INFINITY);
    expect(t.rows[0]?.ks).toBe(1);
  });

  it('keeps empty bands of given edges and drops them from default bands', () => {
    const t = scoreBands([1, 2, 3], [0, 1, 0], { higherIsSafer: true, edges: [10, 20] });
    expect(t.rows.map((r) => r.count)).toEqual([0, 0, 3]);
    expect(Number.isNaN(t.rows[0]?.badRate)).toBe(true);
    const tied = scoreBands([5, 5, 5, 5], [0, 1, 0, 1], { higherIsSafer: true });
    expect(tied.rows).toHaveLength(1);
  });

  it('rounds equal-frequency edges of points to whole numbers', () => {
    const points = Array.from({ length: 200 }, (_, i) => 300 + i * 2.37);
    const y = points.map((_, i) => (i % 3 === 0 ? 1 : 0));
    const t = scoreBands(points, y, { higherIsSafer: true });
    expect(t.rows).toHaveLength(10);
    for (const r of t.rows.slice(1)) expect(Number.isInteger(r.upper)).toBe(true);
  });

  it('honours weights as counts', () => {
    const t = scoreBands([1, 2], [1, 0], { higherIsSafer: false, edges: [1.5], weight: [3, 0.5] });
    expect(t.total).toEqual({ count: 3.5, goods: 0.5, bads: 3, badRate: 3 / 3.5 });
    expect(t.rows[0]?.bads).toBe(3);
  });

  it('rejects bad edges, bands and labels by code', () => {
    expect(codeOf(() => scoreBands([1], [0], { higherIsSafer: true, edges: [2, 1] }))).toBe(
      'E_OPTIONS_INVALID',
    );
    expect(codeOf(() => scoreBands([1], [0], { higherIsSafer: true, bands: 0 }))).toBe('E_OPTIONS_INVALID');
    expect(codeOf(() => scoreBands([1], [2], { higherIsSafer: true }))).toBe('E_DATA_INVALID');
    expect(codeOf(() => scoreBands([Number.NaN], [0], { higherIsSafer: true }))).toBe('E_DATA_INVALID');
  });

  const sample = fc
    .array(
      fc.record({
        s: fc.integer({ min: 300, max: 900 }),
        y: fc.constantFrom(0, 1),
        w: fc.double({ min: 0, max: 5, noNaN: true }),
      }),
      { minLength: 1, maxLength: 300 },
    )
    .chain((rows) => fc.tuple(fc.constant(rows), fc.integer({ min: 1, max: 20 }), fc.boolean()));

  it('sums to the totals with monotone cumulative columns (property)', () => {
    fc.assert(
      fc.property(sample, ([rows, bands, higherIsSafer]) => {
        const t = scoreBands(
          rows.map((r) => r.s),
          rows.map((r) => r.y),
          { higherIsSafer, bands, weight: rows.map((r) => r.w) },
        );
        const sum = (f: (r: (typeof t.rows)[number]) => number): number =>
          t.rows.reduce((a, r) => a + f(r), 0);
        const totalW = rows.reduce((a, r) => a + r.w, 0);
        const badW = rows.reduce((a, r) => a + r.w * r.y, 0);
        expect(sum((r) => r.count)).toBeCloseTo(totalW, 9);
        expect(sum((r) => r.bads)).toBeCloseTo(badW, 9);
        expect(sum((r) => r.goods)).toBeCloseTo(t.total.goods, 9);
        expect(t.total.count).toBeCloseTo(totalW, 9);
        for (let i = 1; i < t.rows.length; i++) {
          const a = t.rows[i - 1];
          const b = t.rows[i];
          expect(b?.cumApprovalRate).toBeGreaterThanOrEqual((a?.cumApprovalRate ?? 0) - 1e-12);
          // approval order: the next band is riskier, i.e. lower points or higher PD
          if (higherIsSafer) expect(b?.upper).toBeLessThanOrEqual(a?.lower ?? 0);
          else expect(b?.lower).toBeGreaterThanOrEqual(a?.upper ?? 0);
        }
        if (totalW > 0) expect(t.rows.at(-1)?.cumApprovalRate).toBeCloseTo(1, 9);
      }),
      { numRuns: 200 },
    );
  });

  it('never shows a KS above the metric KS, and meets it with one band per distinct score', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ s: fc.integer({ min: 0, max: 30 }), y: fc.constantFrom(0, 1) }), {
          minLength: 2,
          maxLength: 100,
        }),
        (rows) => {
          const y = rows.map((r) => r.y);
          fc.pre(y.includes(0) && y.includes(1));
          const s = rows.map((r) => r.s);
          const edges = [...new Set(s)].sort((a, b) => a - b).slice(1);
          const t = scoreBands(s, y, { higherIsSafer: false, edges });
          const best = Math.max(...t.rows.map((r) => r.ks));
          expect(best).toBeCloseTo(ks(y, s).ks, 9);
        },
      ),
    );
  });
});
