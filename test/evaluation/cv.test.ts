import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Frame, numeric } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import {
  crossValidate,
  type Fittable,
  foldSplits,
  outOfTimeSplit,
  stratifiedKFold,
} from '../../src/evaluation/cv.js';
import { auc } from '../../src/evaluation/metrics.js';
import { codeOf } from '../fixtures/errors.js';

const labelsAndK = fc
  .tuple(fc.array(fc.constantFrom(0, 1), { minLength: 2, maxLength: 200 }), fc.integer({ min: 2, max: 10 }))
  .filter(([y, k]) => k <= y.length);

describe('stratifiedKFold', () => {
  it('deals every class evenly over the folds (property)', () => {
    fc.assert(
      fc.property(labelsAndK, fc.integer(), ([y, k], seed) => {
        const folds = stratifiedKFold(y, k, seed);
        expect(folds).toHaveLength(y.length);
        const size = new Array<number>(k).fill(0);
        for (const label of [0, 1]) {
          const perFold = new Array<number>(k).fill(0);
          y.forEach((v, i) => {
            if (v === label) perFold[folds[i] as number] = (perFold[folds[i] as number] as number) + 1;
          });
          expect(Math.max(...perFold) - Math.min(...perFold)).toBeLessThanOrEqual(1);
          perFold.forEach((c, f) => {
            size[f] = (size[f] as number) + c;
          });
        }
        expect(Math.max(...size) - Math.min(...size)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it('gives disjoint test folds that cover every row, with train the complement (property)', () => {
    fc.assert(
      fc.property(labelsAndK, fc.integer(), ([y, k], seed) => {
        const splits = foldSplits(stratifiedKFold(y, k, seed), k);
        expect(splits).toHaveLength(k);
        const seen = new Int32Array(y.length);
        for (const { train, test } of splits) {
          for (const i of test) seen[i] = (seen[i] as number) + 1;
          expect(train.length + test.length).toBe(y.length);
          const inTest = new Set(test);
          for (const i of train) expect(inTest.has(i)).toBe(false);
        }
        expect(Array.from(seen).every((c) => c === 1)).toBe(true);
      }),
    );
  });

  it('is reproducible from its seed and changes with it', () => {
    const rng = new Rng(3);
    const y = Array.from({ length: 500 }, () => (rng.chance(0.2) ? 1 : 0));
    const a = stratifiedKFold(y, 5, 7);
    expect(stratifiedKFold(y, 5, 7)).toEqual(a);
    expect(stratifiedKFold(y, 5, 8)).not.toEqual(a);
  });

  it('shuffles rather than dealing in row order', () => {
    const y = new Array<number>(100).fill(0);
    const folds = stratifiedKFold(y, 4, 1);
    const roundRobin = y.map((_, i) => i % 4);
    expect(Array.from(folds)).not.toEqual(roundRobin);
  });

  it('rejects a bad k, seed or label', () => {
    expect(codeOf(() => stratifiedKFold([0, 1, 0], 1, 1))).toBe('E_OPTIONS_INVALID');
    expect(codeOf(() => stratifiedKFold([0, 1, 0], 4, 1))).toBe('E_OPTIONS_INVALID');
    expect(codeOf(() => stratifiedKFold([0, 1, 0], 2.5, 1))).toBe('E_OPTIONS_INVALID');
    expect(codeOf(() => stratifiedKFold([0, 1, 0], 2, 0.5))).toBe('E_OPTIONS_INVALID');
    expect(codeOf(() => stratifiedKFold([0, Number.NaN, 0], 2, 1))).toBe('E_DATA_INVALID');
    expect(() => stratifiedKFold([0, 1, 0], 4, 1)).toThrow(/k must be an integer in \[2, 3\].*received 4/);
  });

  it('rejects a fold number outside [0, k)', () => {
    expect(codeOf(() => foldSplits([0, 1, 2], 2))).toBe('E_DATA_INVALID');
  });
});

describe('outOfTimeSplit', () => {
  it('puts rows before the cut in train and rows on or after it in test', () => {
    const dates = ['2023-11-30', '2024-01-01', '2023-12-31T23:59:59Z', '2024-06-01', '2024-01-01T00:00:00'];
    const { train, test } = outOfTimeSplit(dates, '2024-01-01');
    expect(Array.from(train)).toEqual([0, 2]);
    expect(Array.from(test)).toEqual([1, 3, 4]);
  });

  it('reads zones and Date objects', () => {
    // 2024-01-01T07:00+08:00 is 2023-12-31T23:00Z: before a UTC-midnight cut.
    const dates = ['2024-01-01T07:00+08:00', new Date(Date.UTC(2024, 0, 2))];
    const { train, test } = outOfTimeSplit(dates, new Date(Date.UTC(2024, 0, 1)));
    expect(Array.from(train)).toEqual([0]);
    expect(Array.from(test)).toEqual([1]);
  });

  it('names the first bad date and rejects a one-sided split', () => {
    expect(() => outOfTimeSplit(['2024-01-01', '2024-02-30'], '2024-01-15')).toThrow(
      /date at row 1 must be an ISO 8601 date, received "2024-02-30"/,
    );
    expect(codeOf(() => outOfTimeSplit(['2024-01-01', null], '2024-01-15'))).toBe('E_DATA_INVALID');
    expect(codeOf(() => outOfTimeSplit(['2024-01-01', '2024-02-01'], 'soon'))).toBe('E_OPTIONS_INVALID');
    expect(codeOf(() => outOfTimeSplit(['2024-01-01', '2024-02-01'], '2025-01-01'))).toBe('E_DATA_INVALID');
  });
});

/**
 * A real, tiny model for the tests: the bad rate of each sign of x, learned from the training rows.
 * It also remembers which row ids it was trained on, so leakage between folds would show.
 */
class SignRateModel implements Fittable {
  seenIds = new Set<number>();
  private rates: [number, number] = [0.5, 0.5];

  fit(x: Frame, y: ArrayLike<number>): this {
    const v = x.numeric('x');
    const id = x.numeric('id');
    const n = [0, 0];
    const bad = [0, 0];
    for (let i = 0; i < x.nRows; i++) {
      const s = (v[i] as number) > 0 ? 1 : 0;
      n[s] = (n[s] as number) + 1;
      bad[s] = (bad[s] as number) + (y[i] as number);
      this.seenIds.add(id[i] as number);
    }
    this.rates = [
      (bad[0] as number) / Math.max(1, n[0] as number),
      (bad[1] as number) / Math.max(1, n[1] as number),
    ];
    return this;
  }

  predictProba(x: Frame): Float64Array {
    const v = x.numeric('x');
    return Float64Array.from(v, (value) => this.rates[value > 0 ? 1 : 0]);
  }
}

describe('crossValidate', () => {
  const rng = new Rng(11);
  const n = 400;
  const xs = Array.from({ length: n }, () => rng.normal());
  // Bad rate 40% when x > 0, 10% otherwise.
  const y = xs.map((v) => (rng.chance(v > 0 ? 0.4 : 0.1) ? 1 : 0));
  const frame = Frame.fromColumns([
    numeric('x', xs),
    numeric(
      'id',
      xs.map((_, i) => i),
    ),
  ]);

  it('fits one fresh model per fold on the other folds only', () => {
    const models: SignRateModel[] = [];
    const cv = crossValidate(
      () => {
        const m = new SignRateModel();
        models.push(m);
        return m;
      },
      frame,
      y,
      { k: 4, seed: 5 },
    );
    expect(models).toHaveLength(4);
    const folds = foldSplits(stratifiedKFold(y, 4, 5), 4);
    models.forEach((m, f) => {
      const test = (folds[f] as { test: Int32Array }).test;
      expect(m.seenIds.size).toBe(n - test.length);
      for (const i of test) expect(m.seenIds.has(i)).toBe(false);
    });
    expect(cv.folds.map((r) => r.rows).reduce((a, b) => a + b, 0)).toBe(n);
    expect(cv.meanAuc).toBeCloseTo(cv.folds.reduce((s, r) => s + r.auc, 0) / 4, 12);
    expect(cv.oofAuc).toBeCloseTo(auc(y, cv.outOfFold), 12);
    // The sign carries real signal, so every fold beats a coin toss, and folds differ somewhat.
    for (const r of cv.folds) expect(r.auc).toBeGreaterThan(0.55);
    expect(cv.sdAuc).toBeGreaterThan(0);
  });

  it('is reproducible from its seed', () => {
    const a = crossValidate(() => new SignRateModel(), frame, y, { k: 5, seed: 9 });
    const b = crossValidate(() => new SignRateModel(), frame, y, { k: 5, seed: 9 });
    expect(b.outOfFold).toEqual(a.outOfFold);
    expect(b.meanAuc).toBe(a.meanAuc);
  });

  it('rejects labels that do not match the frame', () => {
    expect(codeOf(() => crossValidate(() => new SignRateModel(), frame, y.slice(1)))).toBe('E_DATA_INVALID');
  });
});
