import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Frame, numeric } from '../../../src/core/frame.js';
import { valueBin } from '../../../src/models/gbdt/binning.js';
import type { DumpNode, DumpSplitNode } from '../../../src/models/gbdt/dump.js';
import { applyBins, fitBins, GradientBoostingClassifier } from '../../../src/models/gbdt/index.js';
import { creditSample, slice } from './helpers.js';

const sample = creditSample(2500, 21);
const train = slice(sample, 0, 2000);
const model = new GradientBoostingClassifier({
  nEstimators: 15,
  maxDepth: 4,
  maxLeaves: 12,
  earlyStoppingRounds: 0,
  // Every row in every tree: the node counts below add up to the training rows.
  subsample: 1,
}).fit(train.x, train.y);

const isSplit = (n: DumpNode): n is DumpSplitNode => 'split_index' in n;

describe('dumpModel (LightGBM vocabulary)', () => {
  const dump = model.dumpModel();

  it('has LightGBM top-level fields and one tree_info entry per tree', () => {
    expect(dump).toMatchObject({
      name: 'tree',
      num_class: 1,
      objective: 'binary sigmoid:1',
      max_feature_idx: 4,
    });
    expect(dump.feature_names).toEqual(train.x.names);
    expect(dump.tree_info).toHaveLength(15);
    expect(dump.feature_infos.region?.values).toContain('north');
  });

  it('uses the node vocabulary with consistent counts, indices and leaves', () => {
    for (const t of dump.tree_info) {
      const leaves: number[] = [];
      const splits: number[] = [];
      const walk = (n: DumpNode): number => {
        if (!isSplit(n)) {
          expect(Object.keys(n).sort()).toEqual(['leaf_count', 'leaf_index', 'leaf_value', 'leaf_weight']);
          leaves.push(n.leaf_index);
          return n.leaf_count;
        }
        expect(Object.keys(n).sort()).toEqual(
          [
            'decision_type',
            'default_left',
            'internal_count',
            'internal_value',
            'internal_weight',
            'left_child',
            'missing_type',
            'right_child',
            'split_feature',
            'split_gain',
            'split_index',
            'threshold',
          ].sort(),
        );
        splits.push(n.split_index);
        expect(n.split_gain).toBeGreaterThan(0);
        expect(n.decision_type === '==').toBe(dump.feature_names[n.split_feature] === 'region');
        const count = walk(n.left_child) + walk(n.right_child);
        expect(n.internal_count).toBe(count);
        return count;
      };
      const total = walk(t.tree_structure);
      expect(total).toBe(2000);
      expect(leaves.sort((a, b) => a - b)).toEqual(Array.from({ length: t.num_leaves }, (_, i) => i));
      expect(splits.sort((a, b) => a - b)).toEqual(Array.from({ length: t.num_leaves - 1 }, (_, i) => i));
    }
  });

  it('reproduces predictMargin when its trees are walked by hand', () => {
    const x = sample.x.take(Array.from({ length: 300 }, (_, i) => 2000 + i));
    const margin = model.predictMargin(x);
    const levels = dump.feature_infos.region?.values as string[];
    for (let r = 0; r < x.nRows; r++) {
      let s = 0;
      for (const t of dump.tree_info) {
        let n = t.tree_structure;
        while (isSplit(n)) {
          const v = x.cell(r, dump.feature_names[n.split_feature] as string);
          let left: boolean;
          if (v === null) left = n.default_left;
          else if (n.decision_type === '<=') left = (v as number) <= (n.threshold as number);
          else {
            const k = levels.indexOf(v as string);
            left = k < 0 ? n.default_left : String(n.threshold).split('||').map(Number).includes(k);
          }
          n = left ? n.left_child : n.right_child;
        }
        s += n.leaf_value;
      }
      expect(s).toBeCloseTo(margin[r] as number, 12);
    }
  });
});

describe('binning', () => {
  it('codes every value as a binary search over all the edges would (the bucket lookup is exact)', () => {
    const value = fc.oneof(
      fc.double({ noNaN: false }),
      fc.double({ min: -1, max: 1, noNaN: true }),
      fc.integer({ min: -5, max: 5 }),
      fc.constantFrom(Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 0, -0, 1e-300, 1e300),
    );
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 300 }),
        fc.array(value, { minLength: 0, maxLength: 300 }),
        fc.integer({ min: 3, max: 255 }),
        (fitted, scored, maxBins) => {
          const info = fitBins(Frame.fromColumns([numeric('v', fitted)]), {
            maxBins,
            sampleSize: 1000,
            seed: 1,
          });
          const fi = info[0];
          if (fi?.kind !== 'numeric') return false;
          // Scored values include the fitted ones and the edges themselves, where a search is likeliest to slip.
          const all = [...scored, ...fitted, ...fi.upper, ...fi.upper.map((u) => u * (1 + 1e-16))];
          const codes = applyBins(Frame.fromColumns([numeric('v', all)]), ['v'], info).bins[0] as Uint8Array;
          const upper = Float64Array.from(fi.upper);
          return all.every(
            (x, i) => codes[i] === (x > Number.NEGATIVE_INFINITY ? valueBin(upper, x) + 1 : 0),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps at most maxBins bins, one of them for missing values', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { nil: null }), {
          minLength: 1,
          maxLength: 400,
        }),
        fc.integer({ min: 3, max: 40 }),
        (values, maxBins) => {
          const frame = Frame.fromColumns([numeric('v', values)]);
          const info = fitBins(frame, { maxBins, sampleSize: 1000, seed: 1 });
          const fi = info[0];
          if (fi?.kind !== 'numeric') return false;
          if (fi.upper.length + 2 > maxBins) return false;
          for (let i = 1; i < fi.upper.length; i++)
            if (!((fi.upper[i] as number) > (fi.upper[i - 1] as number))) return false;
          const codes = applyBins(frame, ['v'], info).bins[0] as Uint8Array;
          // Code 0 is exactly the missing values; a split at code t is exactly x <= upper[t - 1].
          return values.every((v, i) => {
            const c = codes[i] as number;
            if (v === null) return c === 0;
            if (c === 0) return false;
            return fi.upper.every((u, t) => c <= t + 1 === v <= u);
          });
        },
      ),
      { numRuns: 100, seed: 3 },
    );
  });

  it('gives each distinct value its own bin when there are few, and equal-frequency bins otherwise', () => {
    const few = Frame.fromColumns([numeric('v', [3, 1, 2, 2, 3, 1, 5])]);
    const f = fitBins(few, { maxBins: 255, sampleSize: 1000, seed: 1 })[0];
    expect(f).toEqual({ kind: 'numeric', upper: [1.5, 2.5, 4], min: 1, max: 5 });
    const many = Frame.fromColumns([
      numeric(
        'v',
        Array.from({ length: 10000 }, (_, i) => i),
      ),
    ]);
    const g = fitBins(many, { maxBins: 11, sampleSize: 100000, seed: 1 });
    const codes = applyBins(many, ['v'], g).bins[0] as Uint8Array;
    const counts = new Array<number>(11).fill(0);
    for (const c of codes) counts[c]! += 1;
    expect(counts[0]).toBe(0);
    for (let b = 1; b < 11; b++) expect(counts[b]).toBe(1000);
  });

  it('places bin edges from a seeded sample of the rows', () => {
    const many = Frame.fromColumns([
      numeric(
        'v',
        Array.from({ length: 5000 }, (_, i) => (i * 7919) % 5000),
      ),
    ]);
    const a = fitBins(many, { maxBins: 16, sampleSize: 500, seed: 1 });
    const b = fitBins(many, { maxBins: 16, sampleSize: 500, seed: 1 });
    const c = fitBins(many, { maxBins: 16, sampleSize: 500, seed: 2 });
    expect(a).toEqual(b);
    expect(c).not.toEqual(a);
  });
});

describe('extreme values', () => {
  it('handles infinite values and round-trips the model through JSON', () => {
    const v = Array.from({ length: 400 }, (_, i) =>
      i % 50 === 0 ? Number.POSITIVE_INFINITY : i % 7 === 0 ? null : i,
    );
    const y = Float64Array.from(v, (x, i) =>
      x === null || x === Number.POSITIVE_INFINITY || i % 3 === 0 ? 1 : 0,
    );
    const x = Frame.fromColumns([numeric('v', v)]);
    const m = new GradientBoostingClassifier({
      nEstimators: 5,
      maxDepth: 2,
      minDataInLeaf: 2,
      earlyStoppingRounds: 0,
    }).fit(x, y);
    const back = GradientBoostingClassifier.fromArtifact(JSON.parse(JSON.stringify(m.toArtifact())));
    expect(Array.from(back.predictMargin(x))).toEqual(Array.from(m.predictMargin(x)));
    const p = m.predictProba(Frame.fromColumns([numeric('v', [Number.POSITIVE_INFINITY, 1e308, 398])]));
    expect(p[0]).toBe(p[1]);
  });
});
