import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { categorical, Frame, numeric } from '../../../src/core/frame.js';
import { Forest, GradientBoostingClassifier, RowEncoder, TreeShap } from '../../../src/models/gbdt/index.js';
import { creditSample, slice } from './helpers.js';

const sample = creditSample(2500, 5);
const train = slice(sample, 0, 2000);
const model = new GradientBoostingClassifier({
  nEstimators: 40,
  maxDepth: 5,
  maxLeaves: 24,
  minDataInLeaf: 5,
  // Every round on every row: the base value below is the mean over the whole training cover.
  earlyStoppingRounds: 0,
  subsample: 1,
}).fit(train.x, train.y);

function close(a: number, b: number, rel: number): boolean {
  return Math.abs(a - b) <= rel * Math.max(1, Math.abs(a), Math.abs(b));
}

/** Rows built from drawn values: missing numbers, unseen and missing categories included. */
const rowArb = fc.record({
  overdue: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
  income: fc.option(fc.double({ min: 1000, max: 200000, noNaN: true }), { nil: null }),
  util: fc.option(fc.double({ min: -0.5, max: 1.5, noNaN: true }), { nil: null }),
  region: fc.option(
    fc.constantFrom('north', 'south', 'east', 'west', 'centre', 'coast', 'hills', 'plain', 'mars'),
    {
      nil: null,
    },
  ),
  noise: fc.double({ min: -4, max: 4, noNaN: true }),
});

function frameOf(rows: readonly { [k: string]: number | string | null }[]): Frame {
  return Frame.fromColumns([
    numeric(
      'overdue',
      rows.map((r) => r.overdue as number | null),
    ),
    numeric(
      'income',
      rows.map((r) => r.income as number | null),
    ),
    numeric(
      'util',
      rows.map((r) => r.util as number | null),
    ),
    categorical(
      'region',
      rows.map((r) => r.region as string | null),
    ),
    numeric(
      'noise',
      rows.map((r) => r.noise as number),
    ),
  ]);
}

/** Shapley values by enumeration of subsets, on the path-dependent conditional expectation. */
function bruteForce(forest: Forest, x: Float64Array, p: number): { base: number; phi: number[] } {
  const expect = (node: number, inS: (f: number) => boolean): number => {
    if (forest.isLeaf(node)) return forest.value[node] as number;
    const l = forest.children[2 * node] as number;
    const r = forest.children[2 * node + 1] as number;
    if (inS(forest.feature[node] as number)) return expect(forest.goesRight(x, 0, node) ? r : l, inS);
    const c = forest.cover;
    return ((c[l] as number) * expect(l, inS) + (c[r] as number) * expect(r, inS)) / (c[node] as number);
  };
  const value = (mask: number): number => {
    let s = forest.initScore;
    for (let t = 0; t < forest.nTrees; t++)
      s += expect(forest.roots[t] as number, (f) => (mask & (1 << f)) !== 0);
    return s;
  };
  const fact = (k: number): number => (k <= 1 ? 1 : k * fact(k - 1));
  const phi = new Array<number>(p).fill(0);
  for (let i = 0; i < p; i++) {
    for (let mask = 0; mask < 1 << p; mask++) {
      if (mask & (1 << i)) continue;
      let size = 0;
      for (let k = 0; k < p; k++) if (mask & (1 << k)) size++;
      const w = (fact(size) * fact(p - size - 1)) / fact(p);
      phi[i]! += w * (value(mask | (1 << i)) - value(mask));
    }
  }
  return { base: value(0), phi };
}

describe('TreeSHAP', () => {
  it('adds up with the base value to the margin for every row (property)', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 20 }), (rows) => {
        const x = frameOf(rows);
        const margin = model.predictMargin(x);
        const { base, values } = model.shapValues(x);
        for (let i = 0; i < rows.length; i++) {
          let s = base;
          for (let j = 0; j < 5; j++) s += values[i * 5 + j] as number;
          if (!close(s, margin[i] as number, 1e-9)) return false;
        }
        return true;
      }),
      { numRuns: 60, seed: 42 },
    );
  });

  it('has as base value the cover-weighted mean margin of the training rows', () => {
    const { base } = model.shapValues(train.x.take([0]));
    const m = model.predictMargin(train.x);
    const mean = m.reduce((a, b) => a + b, 0) / m.length;
    expect(base).toBeCloseTo(mean, 9);
  });

  it('agrees with brute-force Shapley values and with Algorithm 2 on a small model', () => {
    const small = slice(creditSample(800, 9), 0, 800);
    const x = small.x.select(['overdue', 'util', 'region', 'income']);
    const m = new GradientBoostingClassifier({
      nEstimators: 4,
      maxDepth: 4,
      maxLeaves: 12,
      minDataInLeaf: 10,
    }).fit(x, small.y);
    const { model: gm } = m.fitted();
    const forest = new Forest(gm.trees, gm.bins, gm.initScore);
    // Some path must meet a feature twice, or the unwinding is not exercised.
    const repeats = gm.trees.some((t) => new Set(t.splitFeature).size < t.splitFeature.length);
    expect(repeats).toBe(true);
    const tables = new TreeShap(forest, 'tables');
    const recursive = new TreeShap(forest, 'recursive');
    const rows = x
      .take([0, 1, 2, 3, 4, 5, 6, 7, 100, 200])
      .with(
        categorical('region', [
          'north',
          null,
          'mars',
          'south',
          'east',
          'west',
          'hills',
          'coast',
          'plain',
          'centre',
        ]),
      );
    const enc = new Float64Array(rows.nRows * 4);
    new RowEncoder(rows, gm.featureNames, gm.bins).encode(0, rows.nRows, enc);
    const phiT = new Float64Array(rows.nRows * 4);
    const phiR = new Float64Array(rows.nRows * 4);
    tables.explain(enc, rows.nRows, phiT);
    recursive.explain(enc, rows.nRows, phiR);
    for (let r = 0; r < rows.nRows; r++) {
      const bf = bruteForce(forest, enc.subarray(r * 4, r * 4 + 4), 4);
      expect(close(bf.base, tables.expectedValue, 1e-12)).toBe(true);
      for (let j = 0; j < 4; j++) {
        expect(close(phiT[r * 4 + j] as number, bf.phi[j] as number, 1e-9)).toBe(true);
        expect(close(phiR[r * 4 + j] as number, bf.phi[j] as number, 1e-9)).toBe(true);
      }
    }
    expect(recursive.expectedValue).toBe(tables.expectedValue);
  });

  it('gives the same values with tables and with Algorithm 2 on a larger model', () => {
    const { model: gm } = model.fitted();
    const forest = new Forest(gm.trees, gm.bins, gm.initScore);
    const x = sample.x.take(Array.from({ length: 200 }, (_, i) => 2000 + i));
    const enc = new Float64Array(200 * 5);
    new RowEncoder(x, gm.featureNames, gm.bins).encode(0, 200, enc);
    const a = new Float64Array(200 * 5);
    const b = new Float64Array(200 * 5);
    new TreeShap(forest, 'tables').explain(enc, 200, a);
    new TreeShap(forest, 'recursive').explain(enc, 200, b);
    for (let i = 0; i < a.length; i++) expect(close(a[i] as number, b[i] as number, 1e-9)).toBe(true);
  });

  it('gives the same values with tables and with Algorithm 2 on deeper trees and edge values (property)', () => {
    const deep = new GradientBoostingClassifier({
      nEstimators: 8,
      maxDepth: 8,
      maxLeaves: 90,
      minDataInLeaf: 3,
    }).fit(train.x, train.y);
    for (const m of [model, deep]) {
      const { model: gm } = m.fitted();
      const forest = new Forest(gm.trees, gm.bins, gm.initScore);
      const tables = new TreeShap(forest, 'tables');
      const recursive = new TreeShap(forest, 'recursive');
      // Numbers exactly on the models' bin edges, where `<=` decides the side.
      const edges = (name: string): number[] => {
        const b = gm.bins[gm.featureNames.indexOf(name)];
        return b?.kind === 'numeric' && b.upper.length > 0 ? [...b.upper] : [0];
      };
      const onEdge = rowArb.chain((r) =>
        fc
          .record({
            overdue: fc.constantFrom(...edges('overdue')),
            income: fc.constantFrom(...edges('income')),
            util: fc.constantFrom(...edges('util')),
            noise: fc.constantFrom(...edges('noise')),
          })
          .map((e) => ({ ...r, ...e })),
      );
      fc.assert(
        fc.property(fc.array(fc.oneof(rowArb, onEdge), { minLength: 1, maxLength: 150 }), (rows) => {
          const x = frameOf(rows);
          const enc = new Float64Array(rows.length * 5);
          new RowEncoder(x, gm.featureNames, gm.bins).encode(0, rows.length, enc);
          const a = new Float64Array(rows.length * 5);
          const b = new Float64Array(rows.length * 5);
          tables.explain(enc, rows.length, a);
          recursive.explain(enc, rows.length, b);
          return a.every((v, i) => close(v, b[i] as number, 1e-9));
        }),
        { numRuns: 15, seed: 3 },
      );
    }
  });

  it('gives zero to a feature the trees never split on', () => {
    const x = train.x.with(numeric('constant', new Float64Array(train.x.nRows).fill(3)));
    const m = new GradientBoostingClassifier({ nEstimators: 10, maxDepth: 3, earlyStoppingRounds: 0 }).fit(
      x,
      train.y,
    );
    const { values } = m.shapValues(x.take([0, 1, 2]));
    for (let i = 0; i < 3; i++) expect(values[i * 6 + 5]).toBe(0);
  });
});

describe('reasons', () => {
  it('lists the k largest risk-raising contributions, largest first, with catalog texts', () => {
    const x = sample.x.take([2000, 2001, 2002, 2003, 2004, 2005]);
    const describe = (name: string) =>
      name === 'overdue' ? { zh: '逾期天数', en: 'Days overdue' } : undefined;
    const reasons = model.reasons(x, 2, describe);
    const { values } = model.shapValues(x);
    expect(reasons).toHaveLength(6);
    reasons.forEach((row, i) => {
      const positive = Array.from(values.subarray(i * 5, i * 5 + 5)).filter((v) => v > 0).length;
      expect(row.length).toBe(Math.min(2, positive));
      for (let k = 1; k < row.length; k++) expect(row[k - 1]!.impact).toBeGreaterThanOrEqual(row[k]!.impact);
      for (const r of row) {
        const j = model.featureNames.indexOf(r.feature);
        expect(r.impact).toBe(values[i * 5 + j]);
        expect(r.impact).toBeGreaterThan(0);
        const cell = x.cell(i, r.feature);
        const text = typeof cell === 'number' ? String(Number(cell.toPrecision(6))) : cell;
        expect(r.value).toBe(cell === null ? 'Missing' : text);
        if (r.feature === 'overdue') expect([r.zh, r.en]).toEqual(['逾期天数', 'Days overdue']);
        else expect(r.zh).toBe(`${r.feature} = ${r.value}`);
      }
    });
    expect(reasons.flat().length).toBeGreaterThan(0);
  });

  it('takes zh/en texts from the feature catalog by default', () => {
    const x = Frame.fromColumns([
      numeric('ent_years_in_business', train.x.numeric('overdue')),
      numeric('income', train.x.numeric('income')),
    ]);
    const m = new GradientBoostingClassifier({ nEstimators: 10, maxDepth: 3, earlyStoppingRounds: 0 }).fit(
      x,
      train.y,
    );
    const rows = m.reasons(x.take([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]), 2).flat();
    const described = rows.filter((r) => r.feature === 'ent_years_in_business');
    expect(described.length).toBeGreaterThan(0);
    for (const r of described) expect(r.zh?.length ?? 0).toBeGreaterThan(0);
    // Not in the catalog: the text falls back to `column = value`.
    for (const r of rows.filter((q) => q.feature === 'income')) expect(r.en).toBe(`income = ${r.value}`);
  });
});
