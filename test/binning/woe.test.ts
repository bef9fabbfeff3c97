import { describe, expect, it } from 'vitest';
import { binWoe, buildTable, giniFromCounts, ksFromCounts } from '../../src/binning/woe.js';
import { auc } from '../../src/evaluation/metrics.js';

// Four bins, 100 goods and 50 bads: shares of goods .4/.3/.2/.1, of bads .1/.2/.3/.4.
const ne = [40, 30, 20, 10];
const e = [5, 10, 15, 20];

describe('WoE and IV (optbinning sign: ln(good share / bad share))', () => {
  it('matches hand-computed golden values', () => {
    const t = buildTable('x', 'numeric', ['a', 'b', 'c', 'd'], ne, e);
    [Math.log(4), Math.log(1.5), -Math.log(1.5), -Math.log(4)].forEach((w, k) => {
      expect(t.rows[k]?.woe).toBeCloseTo(w, 12);
    });
    expect(t.rows[0]?.woe).toBeCloseTo(1.3862943611, 9);
    expect(t.rows[0]?.iv).toBeCloseTo(0.3 * Math.log(4), 12);
    expect(t.iv).toBeCloseTo(0.9128696383, 9);
    expect(t.rows.map((r) => r.eventRate)).toEqual([5 / 45, 10 / 40, 15 / 35, 20 / 30]);
    expect(t.rows.map((r) => r.countShare)).toEqual([45 / 150, 40 / 150, 35 / 150, 30 / 150]);
    expect(t.gini).toBeCloseTo(0.5, 12);
    expect(t.ks).toBeCloseTo(0.4, 12);
  });

  it('gives a safer bin a positive WoE and an average bin zero', () => {
    expect(binWoe(90, 10, 800, 200)).toBeGreaterThan(0);
    expect(binWoe(80, 20, 800, 200)).toBeCloseTo(0, 12);
    expect(binWoe(50, 50, 800, 200)).toBeLessThan(0);
  });

  it('keeps an empty bin at 0 and smooths a pure bin by 0.5', () => {
    expect(binWoe(0, 0, 100, 50)).toBe(0);
    expect(binWoe(0, 3, 100, 50)).toBeCloseTo(Math.log(0.5 / 100 / (3.5 / 50)), 12);
    expect(binWoe(7, 0, 100, 50)).toBeCloseTo(Math.log(7.5 / 100 / (0.5 / 50)), 12);
  });

  it('Gini of a binning equals 2·AUC − 1 of a per-bin constant score', () => {
    const y: number[] = [];
    const s: number[] = [];
    ne.forEach((n, b) => {
      for (let i = 0; i < n; i++) {
        y.push(0);
        s.push(b);
      }
      for (let i = 0; i < (e[b] as number); i++) {
        y.push(1);
        s.push(b);
      }
    });
    expect(giniFromCounts(ne, e)).toBeCloseTo(2 * auc(y, s) - 1, 12);
    expect(ksFromCounts(ne, e)).toBeCloseTo(0.4, 12);
  });
});
