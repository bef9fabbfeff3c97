import { describe, expect, it } from 'vitest';
import { binningOptionsSchema, parseOptions } from '../../src/binning/options.js';
import { fitVariableBinning, regularBins } from '../../src/binning/variable.js';
import { WOE_EPSILON } from '../../src/binning/woe.js';
import { categorical } from '../../src/core/frame.js';

/**
 * A bank's rating where every D-rated firm defaulted (the public SME credit file): A 40 firms 1 bad,
 * B 40 firms 4 bad, C 30 firms 6 bad, D 13 firms 13 bad.
 */
function rating(): { levels: string[]; y: Float64Array } {
  const spec: [string, number, number][] = [
    ['A', 40, 1],
    ['B', 40, 4],
    ['C', 30, 6],
    ['D', 13, 13],
  ];
  const levels: string[] = [];
  const y: number[] = [];
  for (const [level, n, bad] of spec)
    for (let i = 0; i < n; i++) {
      levels.push(level);
      y.push(i < bad ? 1 : 0);
    }
  return { levels, y: Float64Array.from(y) };
}

describe('pure bins', () => {
  it('a decisive level keeps its own bin by default, with a smoothed finite WoE', () => {
    const { levels, y } = rating();
    const b = fitVariableBinning(
      categorical('bank_rating', levels),
      y,
      undefined,
      parseOptions(binningOptionsSchema, {}, 'binning'),
    );
    const d = b.groups.findIndex((g) => g.length === 1 && g[0] === 'D');
    expect(d).toBeGreaterThanOrEqual(0);
    const row = b.table.rows[d];
    expect(row?.events).toBe(13);
    expect(row?.nonEvents).toBe(0);
    // ln(((0 + ε) / 99) / ((13 + ε) / 24)) with ε = 0.5: the golden smoothed WoE.
    const totalNe = 123 - 24;
    expect(row?.woe).toBeCloseTo(Math.log((0 + WOE_EPSILON) / totalNe / ((13 + WOE_EPSILON) / 24)), 12);
    expect(Number.isFinite(b.table.iv)).toBe(true);
  });

  it('pureBins: false merges it into its neighbour (optbinning rule), losing IV', () => {
    const { levels, y } = rating();
    const withPure = fitVariableBinning(
      categorical('bank_rating', levels),
      y,
      undefined,
      parseOptions(binningOptionsSchema, {}, 'binning'),
    );
    const without = fitVariableBinning(
      categorical('bank_rating', levels),
      y,
      undefined,
      parseOptions(binningOptionsSchema, { pureBins: false }, 'binning'),
    );
    expect(without.groups.some((g) => g.length === 1 && g[0] === 'D')).toBe(false);
    expect(regularBins(without)).toBeLessThan(regularBins(withPure));
    expect(without.table.iv).toBeLessThan(withPure.table.iv);
  });
});
