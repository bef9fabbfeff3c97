import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type MergeConstraints, optimalMerge, type SolvedTrend } from '../../src/binning/optimal.js';

/** Every contiguous partition of P pre-bins, by brute force, scored as the DP scores them. */
function bruteForce(ne: number[], e: number[], c: MergeConstraints): number | null {
  const P = ne.length;
  let best: number | null = null;
  for (let mask = 0; mask < 1 << (P - 1); mask++) {
    const starts = [0];
    for (let k = 1; k < P; k++) if (mask & (1 << (k - 1))) starts.push(k);
    if (starts.length > c.maxBins) continue;
    starts.push(P);
    let iv = 0;
    const rates: number[] = [];
    let ok = true;
    for (let g = 0; g + 1 < starts.length && ok; g++) {
      let gne = 0;
      let ge = 0;
      for (let k = starts[g] as number; k < (starts[g + 1] as number); k++) {
        gne += ne[k] as number;
        ge += e[k] as number;
      }
      if (gne <= 0 || ge <= 0 || ge < c.minEvents || gne + ge < c.minCount) ok = false;
      else {
        const pne = gne / c.totalNonEvents;
        const pe = ge / c.totalEvents;
        iv += (pne - pe) * Math.log(pne / pe);
        rates.push(ge / (gne + ge));
      }
    }
    if (!ok || !followsTrend(rates, c.trend)) continue;
    if (best === null || iv > best) best = iv;
  }
  return best;
}

function followsTrend(r: number[], trend: SolvedTrend): boolean {
  const up = (a: number, b: number): boolean => a <= b;
  const down = (a: number, b: number): boolean => a >= b;
  if (trend === 'ascending') return r.every((v, i) => i === 0 || up(r[i - 1] as number, v));
  if (trend === 'descending') return r.every((v, i) => i === 0 || down(r[i - 1] as number, v));
  // A peak (valley) rises (falls) to some turn and falls (rises) after it.
  const first = trend === 'peak' ? up : down;
  const second = trend === 'peak' ? down : up;
  for (let t = 0; t < r.length; t++) {
    let ok = true;
    for (let i = 1; i < r.length && ok; i++)
      ok = i <= t ? first(r[i - 1] as number, r[i] as number) : second(r[i - 1] as number, r[i] as number);
    if (ok) return true;
  }
  return false;
}

function groupRates(ne: number[], e: number[], starts: readonly number[]): number[] {
  const b = [0, ...starts, ne.length];
  const out: number[] = [];
  for (let g = 0; g + 1 < b.length; g++) {
    let gne = 0;
    let ge = 0;
    for (let k = b[g] as number; k < (b[g + 1] as number); k++) {
      gne += ne[k] as number;
      ge += e[k] as number;
    }
    out.push(ge / (gne + ge));
  }
  return out;
}

const prebins = fc.array(fc.tuple(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 0, max: 30 })), {
  minLength: 1,
  maxLength: 8,
});
const trend = fc.constantFrom<SolvedTrend>('ascending', 'descending', 'peak', 'valley');

describe('optimalMerge', () => {
  it('finds the maximum-IV partition under every constraint (DP = brute force)', () => {
    fc.assert(
      fc.property(
        prebins,
        trend,
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 40 }),
        (bins, t, maxBins, minCount) => {
          const ne = bins.map((b) => b[0]);
          const e = bins.map((b) => b[1]);
          const c: MergeConstraints = {
            trend: t,
            maxBins,
            minCount,
            minEvents: 2,
            totalNonEvents: ne.reduce((a, b) => a + b, 0) + 5,
            totalEvents: e.reduce((a, b) => a + b, 0) + 3,
          };
          const sol = optimalMerge(Float64Array.from(ne), Float64Array.from(e), c);
          const brute = bruteForce(ne, e, c);
          if (brute === null) return sol === null;
          if (sol === null) return false;
          expect(sol.iv).toBeCloseTo(brute, 9);
          expect(sol.starts.length + 1).toBeLessThanOrEqual(maxBins);
          expect(followsTrend(groupRates(ne, e, sol.starts), t)).toBe(true);
          return true;
        },
      ),
      { numRuns: 300, seed: 20240601 },
    );
  });

  it('merges a golden example into the two ascending bins of largest IV', () => {
    // Event rates 0.1, 0.3, 0.2, 0.6: ascending forces the middle pair together.
    const sol = optimalMerge(Float64Array.from([90, 70, 80, 40]), Float64Array.from([10, 30, 20, 60]), {
      trend: 'ascending',
      maxBins: 3,
      minCount: 0,
      minEvents: 1,
      totalNonEvents: 280,
      totalEvents: 120,
    });
    expect(sol?.starts).toEqual([1, 3]);
    const iv = (ne: number, e: number): number => (ne / 280 - e / 120) * Math.log(ne / 280 / (e / 120));
    expect(sol?.iv).toBeCloseTo(iv(90, 10) + iv(150, 50) + iv(40, 60), 12);
  });

  it('returns null when no bin can hold enough rows', () => {
    const sol = optimalMerge(Float64Array.from([5, 5]), Float64Array.from([1, 1]), {
      trend: 'ascending',
      maxBins: 4,
      minCount: 100,
      minEvents: 1,
      totalNonEvents: 10,
      totalEvents: 2,
    });
    expect(sol).toBeNull();
  });
});
