import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { categorical, Frame, numeric } from '../../../src/core/frame.js';
import { applyBins, Forest, GradientBoostingClassifier, RowEncoder } from '../../../src/models/gbdt/index.js';
import { PERFECT_MAX_DEPTH, PerfectForest } from '../../../src/models/gbdt/perfect.js';
import { BinnedRouter, columnMajor } from '../../../src/models/gbdt/tree.js';
import { creditSample, slice } from './helpers.js';

const sample = creditSample(3000, 41);
const train = slice(sample, 0, 2500);

/** The margin of encoded row x[base …] by walking the trees node by node (Forest's pointer layout). */
function walk(forest: Forest, x: Float64Array, base: number): number {
  let m = forest.initScore;
  for (let t = 0; t < forest.nTrees; t++) {
    let node = forest.roots[t] as number;
    while (!forest.isLeaf(node))
      node = forest.children[2 * node + (forest.goesRight(x, base, node) ? 1 : 0)]!;
    m += forest.value[node] as number;
  }
  return m;
}

/** Rows of drawn values; numbers often exactly on a bin edge of the model (where `<=` decides). */
function rowArb(edges: (name: string) => number[]) {
  const num = (name: string, arb: fc.Arbitrary<number>) =>
    fc.option(fc.oneof(arb, fc.constantFrom(...edges(name))), { nil: null });
  return fc.record({
    overdue: num('overdue', fc.integer({ min: 0, max: 40 })),
    income: num(
      'income',
      fc.oneof(
        fc.double({ min: 1000, max: 200000, noNaN: true }),
        fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY),
      ),
    ),
    util: num('util', fc.double({ min: -0.5, max: 1.5, noNaN: true })),
    region: fc.option(fc.constantFrom('north', 'south', 'east', 'west', 'hills', 'plain', 'mars'), {
      nil: null,
    }),
    noise: num('noise', fc.double({ min: -4, max: 4, noNaN: true })).map((v) => v ?? 0),
  });
}

function frameOf(rows: readonly { [k: string]: number | string | null }[]): Frame {
  const col = (k: string) => rows.map((r) => r[k] as number | null);
  return Frame.fromColumns([
    numeric('overdue', col('overdue')),
    numeric('income', col('income')),
    numeric('util', col('util')),
    categorical(
      'region',
      rows.map((r) => r.region as string | null),
    ),
    numeric('noise', col('noise')),
  ]);
}

describe('prediction layout', () => {
  const shallow = new GradientBoostingClassifier({
    nEstimators: 25,
    maxDepth: 6,
    maxLeaves: 24,
    earlyStoppingRounds: 0,
  }).fit(train.x, train.y);
  const numericOnly = new GradientBoostingClassifier({
    nEstimators: 25,
    maxDepth: 5,
    maxLeaves: 20,
    earlyStoppingRounds: 0,
  }).fit(train.x.with(numeric('region', new Float64Array(train.x.nRows))), train.y);
  const deep = new GradientBoostingClassifier({
    nEstimators: 6,
    maxDepth: 20,
    maxLeaves: 400,
    minDataInLeaf: 1,
    minChildWeight: 0,
    lambdaL2: 0.01,
  }).fit(train.x, train.y);

  it('uses the perfect layout for shallow trees and the pointer walk for deep ones', () => {
    const forestOf = (m: GradientBoostingClassifier) => {
      const { model } = m.fitted();
      return new Forest(model.trees, model.bins, model.initScore);
    };
    expect(PerfectForest.fits(forestOf(shallow))).toBe(true);
    // The shallow model has categorical splits (the kernel that tests both kinds), the other one none.
    expect(shallow.fitted().model.trees.some((t) => t.catLeft.some((c) => c !== null))).toBe(true);
    expect(forestOf(numericOnly).catLeft).toHaveLength(0);
    const deepForest = forestOf(deep);
    expect(Math.max(...deepForest.depths)).toBeGreaterThan(PERFECT_MAX_DEPTH);
    expect(PerfectForest.fits(deepForest)).toBe(false);
  });

  it('gives every row the margin of a node-by-node walk, missing, infinite and unseen values included (property)', () => {
    for (const m of [shallow, numericOnly, deep]) {
      const { model } = m.fitted();
      const forest = new Forest(model.trees, model.bins, model.initScore);
      const edges = (name: string): number[] => {
        const b = model.bins[model.featureNames.indexOf(name)];
        return b?.kind === 'numeric' && b.upper.length > 0 ? [...b.upper] : [0];
      };
      fc.assert(
        fc.property(fc.array(rowArb(edges), { minLength: 1, maxLength: 300 }), (rows) => {
          const x =
            m === numericOnly
              ? frameOf(rows).with(
                  numeric(
                    'region',
                    rows.map(() => 0),
                  ),
                )
              : frameOf(rows);
          const margin = m.predictMargin(x);
          const enc = new Float64Array(rows.length * 5);
          new RowEncoder(x, model.featureNames, model.bins).encode(0, rows.length, enc);
          return rows.every((_, i) => margin[i] === walk(forest, enc, i * 5));
        }),
        { numRuns: 25, seed: 7 },
      );
    }
  });

  it('routes rows of bin codes as the raw values are routed', () => {
    const { model } = shallow.fitted();
    const test = slice(sample, 2500, 3000);
    const data = applyBins(test.x, model.featureNames, model.bins);
    const colBins = columnMajor(data.bins, data.nRows);
    const margin = new Float64Array(data.nRows).fill(model.initScore);
    const skip = Uint8Array.from({ length: data.nRows }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const levels = (f: number) => {
      const b = model.bins[f];
      return b?.kind === 'numeric' ? b.upper.length + 2 : (b?.levels.length ?? 0) + 1;
    };
    for (const tree of model.trees) new BinnedRouter(tree, levels).addTo(colBins, data.nRows, skip, margin);
    const expected = shallow.predictMargin(test.x);
    for (let i = 0; i < data.nRows; i++) {
      expect(margin[i]).toBe(i % 3 === 0 ? model.initScore : expected[i]);
    }
  });
});
