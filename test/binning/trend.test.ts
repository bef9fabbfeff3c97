import { describe, expect, it } from 'vitest';
import { binningOptionsSchema, parseOptions } from '../../src/binning/options.js';
import { binnedLogLikelihood, gStatistic, mergedCounts, normalQuantile } from '../../src/binning/stats.js';
import { chooseTrend, turnThreshold } from '../../src/binning/trend.js';
import { fitVariableBinning } from '../../src/binning/variable.js';
import { Rng } from '../../src/core/rng.js';

const options = (o: object = {}) => parseOptions(binningOptionsSchema, o, 'binning');

/** n rows of x uniform on [0, 100) and a 0/1 target whose log-odds is `logit(x)`. */
function sample(n: number, seed: number, logit: (x: number) => number): { x: Float64Array; y: Float64Array } {
  const rng = new Rng(seed);
  const x = Float64Array.from({ length: n }, () => Math.round(rng.between(0, 100) * 10) / 10);
  const y = x.map((v) => (rng.uniform() < 1 / (1 + Math.exp(-logit(v))) ? 1 : 0));
  return { x, y };
}

describe('trend statistics', () => {
  it('normalQuantile matches golden quantiles of the standard normal', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 12);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963985, 8);
    expect(normalQuantile(0.999)).toBeCloseTo(3.090232306, 8);
    expect(normalQuantile(1e-5)).toBeCloseTo(-4.264890794, 7);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326347874, 8);
  });

  it('turnThreshold approximates the chi-square quantile and grows with the tests searched', () => {
    // Exact χ² quantiles: df 1 at 0.999 is 10.828, df 3 at 0.999 is 16.266, df 1 at 1 − 1e-5 is 19.511.
    expect(turnThreshold(1, 1)).toBeGreaterThan(10.828);
    expect(turnThreshold(1, 1) / 10.828).toBeLessThan(1.04);
    expect(turnThreshold(3, 1) / 16.266).toBeLessThan(1.02);
    expect(turnThreshold(1, 100) / 19.511).toBeLessThan(1.12);
    expect(turnThreshold(1, 100)).toBeGreaterThan(turnThreshold(1, 10));
  });

  it('binnedLogLikelihood sums e·ln(e/n) + ne·ln(ne/n) over the merged bins', () => {
    const ne = Float64Array.from([30, 10, 20]);
    const e = Float64Array.from([10, 10, 0]);
    const ll = (a: number, b: number): number =>
      (a > 0 ? a * Math.log(a / (a + b)) : 0) + (b > 0 ? b * Math.log(b / (a + b)) : 0);
    expect(binnedLogLikelihood(ne, e, [])).toBeCloseTo(ll(60, 20), 12);
    expect(binnedLogLikelihood(ne, e, [1])).toBeCloseTo(ll(30, 10) + ll(30, 10), 12);
    expect(binnedLogLikelihood(ne, e, [1, 2])).toBeCloseTo(ll(30, 10) + ll(10, 10) + ll(20, 0), 12);
  });

  it('mergedCounts sums pre-bins into the bins that start at `starts`', () => {
    const m = mergedCounts([1, 2, 3], [0, 1, 1], [1]);
    expect([Array.from(m.nonEvents), Array.from(m.events)]).toEqual([
      [1, 5],
      [0, 2],
    ]);
    expect(Array.from(mergedCounts([1, 2, 3], [0, 1, 1], []).nonEvents)).toEqual([6]);
  });

  it('gStatistic is twice the log-likelihood gain of the bins over the base rate', () => {
    const g = 2 * (2 * (80 * Math.log(0.8) + 20 * Math.log(0.2)) - 200 * Math.log(0.5));
    expect(gStatistic([80, 20], [20, 80])).toBeCloseTo(g, 12);
    expect(gStatistic([80, 20], [20, 80])).toBeCloseTo(77.098, 3);
    expect(gStatistic([40, 40, 0], [10, 10, 0])).toBeCloseTo(0, 12);
    expect(gStatistic([50], [50])).toBe(0);
  });
});

describe('auto trend', () => {
  it('finds the valley of a U-shaped risk and the peak of an inverted U', () => {
    const u = sample(4000, 1, (v) => ((v - 50) / 25) ** 2 - 2);
    const valley = fitVariableBinning({ kind: 'numeric', name: 'x', values: u.x }, u.y, undefined, options());
    expect(valley.trend).toBe('valley');
    const n = sample(4000, 2, (v) => 1 - ((v - 40) / 25) ** 2);
    const peak = fitVariableBinning({ kind: 'numeric', name: 'x', values: n.x }, n.y, undefined, options());
    expect(peak.trend).toBe('peak');
  });

  it('keeps a monotone risk monotone: searched noise never buys a turn (20 seeds)', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const s = sample(3000, seed, (v) => (seed % 2 === 0 ? 1 : -1) * (v / 50 - 1) - 1);
      const b = fitVariableBinning({ kind: 'numeric', name: 'x', values: s.x }, s.y, undefined, options());
      expect(b.trend).toBe(seed % 2 === 0 ? 'ascending' : 'descending');
    }
  });

  it('solves a named trend as asked, and auto picks the larger-IV monotone sense', () => {
    const ne = Float64Array.from([90, 80, 70, 60]);
    const e = Float64Array.from([10, 20, 30, 40]);
    const base = { maxBins: 4, minCount: 0, minEvents: 1, totalNonEvents: 300, totalEvents: 100 };
    expect(chooseTrend(ne, e, base, 'peak').trend).toBe('peak');
    expect(chooseTrend(ne, e, base, 'descending').sol?.starts).toEqual([]);
    const auto = chooseTrend(ne, e, base, 'auto');
    expect(auto.trend).toBe('ascending');
    expect(auto.sol?.starts).toEqual([1, 2, 3]);
  });
});
