import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Trend } from '../../src/binning/options.js';
import { binningOptionsSchema, parseOptions } from '../../src/binning/options.js';
import {
  assignBins,
  fitVariableBinning,
  missingBin,
  regularBins,
  type VariableBinning,
} from '../../src/binning/variable.js';
import { categorical, numeric } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import { creditSample } from './fixture.js';

const options = (o: object = {}) => parseOptions(binningOptionsSchema, o, 'binning');

/** WoE of the non-empty regular bins, in order. */
function regularWoe(b: VariableBinning): number[] {
  return b.table.rows
    .slice(0, regularBins(b))
    .filter((r) => r.count > 0)
    .map((r) => r.woe);
}

function follows(w: number[], trend: Exclude<Trend, 'auto'>): boolean {
  // Event rate ascending ⇔ WoE descending (WoE = ln(good share / bad share)).
  const down = (a: number, b: number): boolean => a >= b - 1e-12;
  const up = (a: number, b: number): boolean => a <= b + 1e-12;
  if (trend === 'ascending') return w.every((v, i) => i === 0 || down(w[i - 1] as number, v));
  if (trend === 'descending') return w.every((v, i) => i === 0 || up(w[i - 1] as number, v));
  const first = trend === 'peak' ? down : up;
  const second = trend === 'peak' ? up : down;
  return w.some((_, t) =>
    w.every((v, i) => i === 0 || (i <= t ? first(w[i - 1] as number, v) : second(w[i - 1] as number, v))),
  );
}

describe('fitVariableBinning (numeric)', () => {
  it('a requested trend holds in the WoE, whatever the data', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.constantFrom<Exclude<Trend, 'auto'>>('ascending', 'descending', 'peak', 'valley'),
        (seed, trend) => {
          const rng = new Rng(seed);
          const shape = rng.int(3);
          const x = Float64Array.from({ length: 600 }, () => Math.round(rng.between(0, 100)));
          const y = x.map((v) => {
            const t = shape === 0 ? v / 50 - 1 : shape === 1 ? 1 - v / 50 : ((v - 50) / 30) ** 2 - 1;
            return rng.uniform() < 1 / (1 + Math.exp(-t)) ? 1 : 0;
          });
          const b = fitVariableBinning(
            { kind: 'numeric', name: 'x', values: x },
            y,
            undefined,
            options({ trend, minBinShare: 0.05 }),
          );
          expect(b.trend).toBe(trend);
          return follows(regularWoe(b), trend);
        },
      ),
      { numRuns: 60, seed: 11 },
    );
  });

  it('auto picks descending risk for age and ascending for utilisation', () => {
    const { x, y } = creditSample(3000, 1);
    const age = fitVariableBinning(x.column('age'), y, undefined, options());
    const util = fitVariableBinning(x.column('util'), y, undefined, options());
    expect(age.trend).toBe('descending');
    expect(util.trend).toBe('ascending');
    expect(follows(regularWoe(age), 'descending')).toBe(true);
    expect(util.table.iv).toBeGreaterThan(0.3);
  });

  it('respects max bins, min share and min events', () => {
    const { x, y } = creditSample(3000, 2);
    const b = fitVariableBinning(
      x.column('util'),
      y,
      undefined,
      options({ maxBins: 4, minBinShare: 0.15, minEvents: 60 }),
    );
    const regular = b.table.rows.slice(0, regularBins(b));
    expect(regular.length).toBeLessThanOrEqual(4);
    for (const r of regular) {
      expect(r.countShare).toBeGreaterThanOrEqual(0.15);
      expect(r.events).toBeGreaterThanOrEqual(60);
    }
  });

  it('keeps special and missing values in their own bins', () => {
    const { x, y } = creditSample(3000, 3);
    const b = fitVariableBinning(x.column('income'), y, undefined, options({ special: { income: [-1] } }));
    const m = regularBins(b);
    const special = b.table.rows[m];
    const missing = b.table.rows[m + 1];
    const col = x.numeric('income');
    expect(missingBin(b)).toBe(m + 1);
    expect(b.table.rows).toHaveLength(m + 2);
    expect(special?.label).toBe('Special: -1');
    expect(special?.count).toBe(col.filter((v) => v === -1).length);
    expect(missing?.label).toBe('Missing');
    expect(missing?.count).toBe(col.filter((v) => Number.isNaN(v)).length);
    // The fixture makes missing income risky and the special code safe.
    expect(missing?.woe).toBeLessThan(0);
    expect(special?.woe).toBeGreaterThan(0);
    expect(b.cuts.every((c) => c > -1)).toBe(true);
  });

  it('gives each declared special value its own bin, unless grouped', () => {
    const { x, y } = creditSample(2000, 9);
    const age = x.numeric('age');
    const spec = { age: [20, 21, [69, 70]] };
    const b = fitVariableBinning(x.column('age'), y, undefined, options({ special: spec }));
    const m = regularBins(b);
    expect(b.special).toEqual([[20], [21], [69, 70]]);
    expect(b.table.rows.slice(m).map((r) => r.label)).toEqual([
      'Special: 20',
      'Special: 21',
      'Special: 69, 70',
      'Missing',
    ]);
    const count = (f: (v: number) => boolean): number => age.filter(f).length;
    expect(b.table.rows.slice(m).map((r) => r.count)).toEqual([
      count((v) => v === 20),
      count((v) => v === 21),
      count((v) => v === 69 || v === 70),
      0,
    ]);
    expect(b.cuts.every((c) => c > 21 && c <= 69)).toBe(true);
    const bins = assignBins(b, numeric('age', [20, 21, 70, 69, null, 45]));
    expect(Array.from(bins.slice(0, 5))).toEqual([m, m + 1, m + 2, m + 2, m + 3]);
    // No declared special value, no special bin: regular bins, then Missing.
    const plain = fitVariableBinning(x.column('age'), y, undefined, options());
    expect(plain.table.rows).toHaveLength(regularBins(plain) + 1);
    expect(plain.table.rows.at(-1)?.label).toBe('Missing');
    // A categorical variable's special levels work the same way.
    const region = fitVariableBinning(
      x.column('region'),
      y,
      undefined,
      options({ special: { region: ['south', ['rare0', 'rare1']] } }),
    );
    const rm = regularBins(region);
    expect(region.groups.flat()).not.toContain('south');
    const probe = categorical('region', ['south', 'rare1', 'north', null, 'atlantis']);
    const got = Array.from(assignBins(region, probe));
    expect(got.slice(0, 2)).toEqual([rm, rm + 1]);
    expect(got[2]).toBeLessThan(rm);
    expect(got.slice(3)).toEqual([rm + 2, rm + 2]);
  });

  it('assigns rows to exactly the bins the table counted (round trip)', () => {
    const { x, y } = creditSample(2000, 4);
    for (const name of ['age', 'income', 'util', 'region']) {
      const b = fitVariableBinning(x.column(name), y, undefined, options({ special: { income: [-1] } }));
      const bins = assignBins(b, x.column(name));
      const counts = new Array(b.table.rows.length).fill(0);
      const events = new Array(b.table.rows.length).fill(0);
      bins.forEach((k, i) => {
        counts[k]++;
        events[k] += y[i] as number;
      });
      expect(counts).toEqual(b.table.rows.map((r) => r.count));
      expect(events).toEqual(b.table.rows.map((r) => r.events));
    }
  });

  it('rejects a special value that is not a number for a numeric column', () => {
    const { x, y } = creditSample(300, 5);
    expect(() =>
      fitVariableBinning(x.column('age'), y, undefined, options({ special: { age: ['abc'] } })),
    ).toThrow(expect.objectContaining({ code: 'E_OPTIONS_INVALID' }));
  });

  it('reads a numeric variable that arrives as numeric text, and refuses other text', () => {
    const { x, y } = creditSample(1000, 6);
    const b = fitVariableBinning(x.column('age'), y, undefined, options());
    const asText = categorical('age', ['25', '64', null]);
    const expected = assignBins(b, numeric('age', [25, 64, null]));
    expect(Array.from(assignBins(b, asText))).toEqual(Array.from(expected));
    expect(() => assignBins(b, categorical('age', ['25', 'old']))).toThrow(
      expect.objectContaining({ code: 'E_DATA_INVALID' }),
    );
  });
});

describe('fitVariableBinning (categorical)', () => {
  it('orders categories by event rate, so the WoE falls bin after bin', () => {
    const { x, y } = creditSample(3000, 7);
    const b = fitVariableBinning(x.column('region'), y, undefined, options());
    expect(b.kind).toBe('categorical');
    expect(follows(regularWoe(b), 'ascending')).toBe(true);
    expect(b.groups.flat().sort()).toEqual([
      'centre',
      'east',
      'north',
      'rare0',
      'rare1',
      'rare2',
      'south',
      'west',
    ]);
    // north is the safest region of the fixture, south the riskiest.
    expect(b.groups[0]).toContain('north');
    expect(b.groups[b.groups.length - 1]).toContain('south');
  });

  it('sends an unseen category to the missing bin, or to the worst bin when asked', () => {
    const { x, y } = creditSample(3000, 8);
    const probe = categorical('region', ['atlantis', null, 'north']);
    const toMissing = fitVariableBinning(x.column('region'), y, undefined, options());
    const m = regularBins(toMissing);
    expect(Array.from(assignBins(toMissing, probe)).slice(0, 2)).toEqual([m, m]);
    expect(missingBin(toMissing)).toBe(m);
    const toWorst = fitVariableBinning(x.column('region'), y, undefined, options({ unseen: 'worst' }));
    const worst = toWorst.table.rows
      .slice(0, regularBins(toWorst))
      .reduce((a, r, k, rows) => (r.woe < (rows[a]?.woe as number) ? k : a), 0);
    expect(assignBins(toWorst, probe)[0]).toBe(worst);
  });

  it('reads numeric codes of a categorical variable by their text', () => {
    const codes = categorical('grade', ['1', '2', '3', '1', '2', '3', '1', '2', '3', '3']);
    const y = Float64Array.from([0, 0, 1, 0, 1, 1, 0, 0, 1, 1]);
    const b = fitVariableBinning(codes, y, undefined, options({ minBinShare: 0.1, catCutoff: 0 }));
    expect(Array.from(assignBins(b, numeric('grade', [1, 3, 7])))).toEqual(
      Array.from(assignBins(b, categorical('grade', ['1', '3', '7']))),
    );
  });
});
