import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { binningOptionsSchema, prettyCut } from '../../src/binning/options.js';
import { quantileCuts } from '../../src/binning/prebin.js';
import { fitVariableBinning } from '../../src/binning/variable.js';
import { numeric } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';

describe('prettyCut', () => {
  it('rounds down to the fewest significant digits that stay above the lower bound', () => {
    expect(prettyCut(153421, 41198)).toBe(100000);
    expect(prettyCut(372721, 153421)).toBe(300000);
    expect(prettyCut(4101, 622)).toBe(4000);
    expect(prettyCut(10456, 4101)).toBe(10000);
    expect(prettyCut(0.0372, 0.0284)).toBe(0.03);
    expect(prettyCut(1234, 1229)).toBe(1230);
    expect(prettyCut(1234, 1230)).toBe(1234);
    expect(prettyCut(-37.5, -40)).toBe(-38);
    expect(prettyCut(0, -1)).toBe(0);
  });

  it('lies in (lower, cut] for any pair', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e9, max: 1e9, noNaN: true }),
        fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
        (cut, gap) => {
          const lower = cut - gap;
          fc.pre(lower < cut);
          const r = prettyCut(cut, lower);
          return r > lower && r <= cut;
        },
      ),
      { numRuns: 500, seed: 3 },
    );
  });
});

describe('pretty cuts at fit time', () => {
  const rng = new Rng(11);
  const n = 5000;
  const income = Float64Array.from({ length: n }, () => Math.round(rng.logNormal(9, 0.8)));
  const y = Float64Array.from(income, (v) =>
    rng.chance(1 / (1 + Math.exp(-(-1 - 0.9 * (Math.log(v) - 9))))) ? 1 : 0,
  );

  it('gives pre-bin cuts of at most a few significant digits, increasing, each pre-bin non-empty', () => {
    const raw = quantileCuts(income, () => false, 20, 100_000, new Rng(1));
    const pretty = quantileCuts(income, () => false, 20, 100_000, new Rng(1), true);
    expect(pretty.length).toBe(raw.length);
    for (let k = 0; k < pretty.length; k++) {
      expect(pretty[k]).toBeLessThanOrEqual(raw[k] as number);
      if (k > 0) expect(pretty[k]).toBeGreaterThan(raw[k - 1] as number);
    }
    const digits = Array.from(pretty, (c) => String(c).replace(/0+$/, '').replace('.', '').length);
    expect(Math.max(...digits)).toBeLessThanOrEqual(3);
  });

  it('is an option of the binning (off by default), and the fitted cuts are pretty', () => {
    expect(binningOptionsSchema.parse({}).prettyCuts).toBe(false);
    const col = numeric('income', income);
    const plain = fitVariableBinning(col, y, undefined, binningOptionsSchema.parse({ maxBins: 6 }));
    const pretty = fitVariableBinning(
      col,
      y,
      undefined,
      binningOptionsSchema.parse({ maxBins: 6, prettyCuts: true }),
    );
    expect(pretty.cuts.length).toBeGreaterThan(1);
    for (const c of pretty.cuts) expect(String(c).replace(/0+$/, '').length).toBeLessThanOrEqual(3);
    expect(plain.cuts.some((c) => String(c).replace(/0+$/, '').length > 3)).toBe(true);
    // The table still counts every row.
    expect(pretty.table.rows.reduce((s, r) => s + r.count, 0)).toBe(n);
  });
});
