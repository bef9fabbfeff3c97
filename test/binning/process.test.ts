import { describe, expect, it } from 'vitest';
import { BinningProcess } from '../../src/binning/process.js';
import { pearson, selectVariables } from '../../src/binning/selection.js';
import { numeric } from '../../src/core/frame.js';
import { creditSample } from './fixture.js';

describe('BinningProcess', () => {
  it('drops a variable below the IV floor and the weaker of a correlated pair', () => {
    const { x, y } = creditSample(3000, 21);
    // A coarse copy of utilisation: strongly correlated with it, and weaker.
    const util = x.numeric('util');
    const twin = numeric(
      'util_twin',
      Array.from(util, (v) => Math.round(v * 3) / 3),
    );
    const bp = new BinningProcess({ minIv: 0.02, maxCorrelation: 0.8 }).fit(x.with(twin), y);
    const sel = new Map(bp.fitted().selection.map((s) => [s.variable, s]));
    expect(sel.get('noise')?.reason).toBe('low-iv');
    // By default the significance screen drops the noise instead.
    const byTest = new BinningProcess().fit(x, y).fitted().selection;
    expect(byTest.find((s) => s.variable === 'noise')?.reason).toBe('not-significant');
    expect(sel.get('util')?.selected).toBe(true);
    const t = sel.get('util_twin');
    expect(t?.reason).toBe('correlated');
    expect(t?.with).toBe('util');
    expect(Math.abs(t?.correlation ?? 0)).toBeGreaterThan(0.8);
    expect(bp.selected()).toEqual(['age', 'income', 'util', 'region']);
  });

  it('transforms to the WoE of the selected variables', () => {
    const { x, y } = creditSample(2000, 22);
    const bp = new BinningProcess().fit(x, y);
    const woe = bp.transform(x);
    expect(woe.names).toEqual(bp.selected());
    const table = bp.binningTables().find((t) => t.variable === 'age');
    const seen = new Set(Array.from(woe.numeric('age')));
    expect([...seen].every((w) => table?.rows.some((r) => r.woe === w))).toBe(true);
  });

  it('keeps at most maxVariables, strongest first', () => {
    const { x, y } = creditSample(2000, 23);
    const bp = new BinningProcess({ maxVariables: 2 }).fit(x, y);
    const kept = bp.fitted().selection.filter((s) => s.selected);
    const ivs = bp
      .fitted()
      .selection.map((s) => s.iv)
      .sort((a, b) => b - a);
    expect(kept.map((s) => s.iv).sort((a, b) => b - a)).toEqual(ivs.slice(0, 2));
  });

  it('rejects bad options and bad targets with codes', () => {
    const { x, y } = creditSample(200, 24);
    expect(() => new BinningProcess({ maxBins: 1 }).fit(x, y)).toThrow(
      expect.objectContaining({ code: 'E_OPTIONS_INVALID', message: expect.stringContaining('maxBins') }),
    );
    expect(() => new BinningProcess({ bogus: 1 } as never).fit(x, y)).toThrow(
      expect.objectContaining({ code: 'E_OPTIONS_INVALID' }),
    );
    const bad = Float64Array.from(y);
    bad[5] = 2;
    expect(() => new BinningProcess().fit(x, bad)).toThrow(
      expect.objectContaining({ code: 'E_DATA_INVALID', message: 'y[5] must be 0 or 1, received 2' }),
    );
    expect(() => new BinningProcess().transform(x)).toThrow(
      expect.objectContaining({ code: 'E_NOT_FITTED' }),
    );
  });
});

describe('selection', () => {
  it('pearson is ±1 for linear columns and 0 for a constant', () => {
    const rows = Int32Array.from([0, 1, 2, 3]);
    const a = Float64Array.from([1, 2, 3, 4]);
    expect(pearson(a, Float64Array.from([2, 4, 6, 8]), rows)).toBeCloseTo(1, 12);
    expect(pearson(a, Float64Array.from([4, 3, 2, 1]), rows)).toBeCloseTo(-1, 12);
    expect(pearson(a, Float64Array.from([5, 5, 5, 5]), rows)).toBe(0);
  });

  it('keeps the stronger of a correlated pair whatever the input order', () => {
    const rows = Int32Array.from([0, 1, 2, 3]);
    const cols: Record<string, Float64Array> = {
      a: Float64Array.from([1, 2, 3, 4]),
      b: Float64Array.from([1, 2, 3, 5]),
    };
    const out = selectVariables(
      [
        { variable: 'a', iv: 0.1, g: 50, df: 2 },
        { variable: 'b', iv: 0.3, g: 90, df: 3 },
      ],
      (v) => cols[v] as Float64Array,
      rows,
      { minIv: 0.02, maxPValue: 0.05, maxCorrelation: 0.9 },
    );
    expect(out.map((s) => [s.variable, s.reason])).toEqual([
      ['a', 'correlated'],
      ['b', 'selected'],
    ]);
  });

  it('screens by significance: G must pass the χ²(df) quantile at 1 − maxPValue', () => {
    const rows = Int32Array.from([0, 1, 2, 3]);
    const cols: Record<string, Float64Array> = {
      strong: Float64Array.from([1, 0, 0, 0]),
      weak: Float64Array.from([0, 1, 0, 0]),
      borderline: Float64Array.from([0, 0, 1, 0]),
    };
    const candidates = [
      { variable: 'strong', iv: 0.2, g: 40, df: 3 },
      // A small IV that a large sample proves: kept.
      { variable: 'weak', iv: 0.004, g: 9, df: 1 },
      // χ²(2) at 0.95 is 5.99 (5.9 by Wilson–Hilferty): 5.5 fails the screen.
      { variable: 'borderline', iv: 0.05, g: 5.5, df: 2 },
    ];
    const pick = (maxPValue: number) =>
      selectVariables(candidates, (v) => cols[v] as Float64Array, rows, {
        minIv: 0,
        maxPValue,
        maxCorrelation: 0.99,
      }).map((s) => s.reason);
    expect(pick(0.05)).toEqual(['selected', 'selected', 'not-significant']);
    expect(pick(0.1)).toEqual(['selected', 'selected', 'selected']);
    expect(pick(0.001)).toEqual(['selected', 'not-significant', 'not-significant']);
    expect(pick(1)).toEqual(['selected', 'selected', 'selected']);
  });
});
