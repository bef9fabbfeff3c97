import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Frame, numeric } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import { auc, calibrationTable } from '../../src/evaluation/metrics.js';
import {
  calibrated,
  calibratorFromJson,
  createCalibrator,
  IsotonicCalibrator,
  PlattCalibrator,
  poolAdjacentViolators,
} from '../../src/models/calibration.js';
import type { TrainedModel } from '../../src/models/model.js';
import { codeOf } from '../fixtures/errors.js';

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
const logit = (p: number): number => Math.log(p / (1 - p));

/**
 * Rows whose true pd is σ(f), f ~ N(−2, 1), scored by an over-confident, shifted model:
 * score = σ(2f + 1). A perfect calibration map is score ↦ σ((logit(score) − 1)/2).
 */
function miscalibrated(
  n: number,
  seed: number,
): { score: Float64Array; y: Float64Array; truth: Float64Array } {
  const rng = new Rng(seed);
  const score = new Float64Array(n);
  const y = new Float64Array(n);
  const truth = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const f = rng.normal(-2, 1);
    truth[i] = sigmoid(f);
    score[i] = sigmoid(2 * f + 1);
    y[i] = rng.chance(truth[i] as number) ? 1 : 0;
  }
  return { score, y, truth };
}

describe('poolAdjacentViolators', () => {
  it('gives the known block means on a hand example', () => {
    const r = poolAdjacentViolators([1, 3, 2, 4, 3, 5]);
    expect(Array.from(r.mean)).toEqual([1, 2.5, 3.5, 5]);
    expect(Array.from(r.start)).toEqual([0, 1, 3, 5]);
    expect(Array.from(r.size)).toEqual([1, 2, 2, 1]);
    expect(Array.from(poolAdjacentViolators([4, 3, 2, 1]).mean)).toEqual([2.5]);
  });

  it('pools by weight', () => {
    // (3·1 + 1·3) / 4 = 1.5, then 1.5 > 1 pools again: (1.5·4 + 1·4) / 8 = 1.25.
    const r = poolAdjacentViolators([3, 1, 1], [1, 3, 4]);
    expect(Array.from(r.mean)).toEqual([1.25]);
    expect(Array.from(r.weight)).toEqual([8]);
  });

  it('returns a non-decreasing sequence with the same weighted total (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.double({ min: -10, max: 10, noNaN: true }),
            fc.double({ min: 0.1, max: 5, noNaN: true }),
          ),
          {
            minLength: 1,
            maxLength: 60,
          },
        ),
        (pairs) => {
          const y = pairs.map((p) => p[0]);
          const w = pairs.map((p) => p[1]);
          const r = poolAdjacentViolators(y, w);
          for (let i = 1; i < r.mean.length; i++)
            expect(r.mean[i]).toBeGreaterThanOrEqual(r.mean[i - 1] as number);
          let before = 0;
          let after = 0;
          for (let i = 0; i < y.length; i++) before += (y[i] as number) * (w[i] as number);
          for (let b = 0; b < r.mean.length; b++) after += (r.mean[b] as number) * (r.weight[b] as number);
          expect(after).toBeCloseTo(before, 8);
        },
      ),
      { seed: 17, numRuns: 200 },
    );
  });
});

describe('IsotonicCalibrator', () => {
  it('keeps one point per block at its centre and interpolates between them, clipped at the ends', () => {
    const iso = new IsotonicCalibrator().fit([0.1, 0.3, 0.2, 0.4], [0, 0, 1, 1]);
    // Sorted labels 0, 1, 0, 1: the middle two pool to 0.5 at centre 0.25.
    expect(iso.toJSON()).toEqual({ name: 'isotonic', x: [0.1, 0.25, 0.4], y: [0, 0.5, 1], clip: 1e-6 });
    const pd = iso.transform([0.05, 0.1, 0.175, 0.25, 0.325, 0.9]);
    expect(pd[0]).toBe(1e-6);
    expect(pd[1]).toBe(1e-6);
    expect(pd[2]).toBeCloseTo(0.25, 12);
    expect(pd[3]).toBeCloseTo(0.5, 12);
    expect(pd[4]).toBeCloseTo(0.75, 12);
    expect(pd[5]).toBe(1 - 1e-6);
  });

  it('pools tied scores before fitting', () => {
    const iso = new IsotonicCalibrator({ clip: 0 }).fit([0.5, 0.5, 0.5, 0.5, 0.9], [1, 0, 0, 0, 1]);
    expect(iso.toJSON().x).toEqual([0.5, 0.9]);
    expect(iso.toJSON().y).toEqual([0.25, 1]);
  });

  it('is monotone non-decreasing and stays within [clip, 1 − clip] (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.double({ min: -5, max: 5, noNaN: true }), fc.boolean()), {
          minLength: 1,
          maxLength: 80,
        }),
        fc.array(fc.double({ min: -6, max: 6, noNaN: true }), { minLength: 2, maxLength: 40 }),
        (rows, probes) => {
          const iso = new IsotonicCalibrator().fit(
            rows.map((r) => r[0]),
            rows.map((r) => (r[1] ? 1 : 0)),
          );
          const sorted = [...probes].sort((a, b) => a - b);
          const pd = iso.transform(sorted);
          for (let i = 0; i < pd.length; i++) {
            expect(pd[i]).toBeGreaterThanOrEqual(1e-6);
            expect(pd[i]).toBeLessThanOrEqual(1 - 1e-6);
            if (i > 0) expect(pd[i]).toBeGreaterThanOrEqual(pd[i - 1] as number);
          }
        },
      ),
      { seed: 23, numRuns: 200 },
    );
  });

  it('treats an integer weight as that many copies of the row (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.boolean(), fc.integer({ min: 1, max: 3 })), {
          minLength: 1,
          maxLength: 30,
        }),
        (rows) => {
          const weighted = new IsotonicCalibrator().fit(
            rows.map((r) => r[0] / 20),
            rows.map((r) => (r[1] ? 1 : 0)),
            rows.map((r) => r[2]),
          );
          const copies = rows.flatMap((r) => Array.from({ length: r[2] }, () => r));
          const repeated = new IsotonicCalibrator().fit(
            copies.map((r) => r[0] / 20),
            copies.map((r) => (r[1] ? 1 : 0)),
          );
          const a = weighted.toJSON();
          const b = repeated.toJSON();
          expect(a.x.length).toBe(b.x.length);
          for (let i = 0; i < a.x.length; i++) {
            expect(a.x[i]).toBeCloseTo(b.x[i] as number, 12);
            expect(a.y[i]).toBeCloseTo(b.y[i] as number, 12);
          }
        },
      ),
      { seed: 29, numRuns: 100 },
    );
  });
});

describe('PlattCalibrator', () => {
  it('recovers a and b of data generated from a logistic model', () => {
    const rng = new Rng(5);
    const n = 40_000;
    const score = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const f = rng.normal(0, 1.5);
      score[i] = sigmoid(f);
      y[i] = rng.chance(sigmoid(0.6 * f - 1.2)) ? 1 : 0;
    }
    const { a, b } = new PlattCalibrator().fit(score, y).toJSON();
    expect(a).toBeCloseTo(0.6, 1);
    expect(Math.abs(a - 0.6)).toBeLessThan(0.04);
    expect(Math.abs(b + 1.2)).toBeLessThan(0.04);
  });

  it('uses raw scores for input "margin" (a scorecard score, say)', () => {
    const rng = new Rng(6);
    const margin: number[] = [];
    const y: number[] = [];
    for (let i = 0; i < 20_000; i++) {
      const m = rng.normal(600, 50);
      margin.push(m);
      // pd halves every 20 points above 600, from 5%.
      y.push(rng.chance(sigmoid(logit(0.05) - (Math.LN2 / 20) * (m - 600))) ? 1 : 0);
    }
    const { a, b } = new PlattCalibrator({ input: 'margin' }).fit(margin, y).toJSON();
    expect(Math.abs(a + Math.LN2 / 20) / (Math.LN2 / 20)).toBeLessThan(0.08);
    expect(Math.abs(a * 600 + b - logit(0.05))).toBeLessThan(0.08);
  });

  it('applies Platt target smoothing: all-good rows still get a pd above 0', () => {
    // Targets are 1/(N₋ + 2) = 1/12 for ten goods; with a constant score the fit is that rate.
    const p = new PlattCalibrator().fit(new Array(10).fill(0.3), new Array(10).fill(0)).transform([0.3]);
    expect(p[0]).toBeCloseTo(1 / 12, 6);
    const raw = new PlattCalibrator({ smoothTargets: false })
      .fit([0.3, 0.3, 0.3, 0.3], [1, 0, 0, 0])
      .transform([0.3]);
    expect(raw[0]).toBeCloseTo(0.25, 6);
  });

  it('treats an integer weight as that many copies of the row', () => {
    const s = [0.1, 0.2, 0.35, 0.5, 0.7, 0.8];
    const y = [0, 1, 0, 1, 0, 1];
    const w = [3, 1, 2, 1, 1, 2];
    const weighted = new PlattCalibrator().fit(s, y, w).toJSON();
    const copies = s.flatMap((_, i) => new Array(w[i] as number).fill(i));
    const repeated = new PlattCalibrator()
      .fit(
        copies.map((i) => s[i] as number),
        copies.map((i) => y[i] as number),
      )
      .toJSON();
    expect(weighted.a).toBeCloseTo(repeated.a, 8);
    expect(weighted.b).toBeCloseTo(repeated.b, 8);
  });
});

describe('calibration on held-out data', () => {
  const fitRows = miscalibrated(20_000, 1);
  const testRows = miscalibrated(20_000, 2);

  function worstDecileGap(y: Float64Array, pd: Float64Array): number {
    return Math.max(...calibrationTable(y, pd).map((r) => Math.abs(r.meanPd - r.observedRate)));
  }

  it('the raw score is far off the observed default rates', () => {
    expect(worstDecileGap(testRows.y, testRows.score)).toBeGreaterThan(0.1);
  });

  it.each(['platt', 'isotonic'])('%s brings mean pd to the observed rate in every decile', (method) => {
    const calibrator = createCalibrator(method).fit(fitRows.score, fitRows.y);
    const pd = calibrator.transform(testRows.score);
    // 2,000 test rows a decile: the observed rate alone has a standard error up to ~0.011 at the top.
    expect(worstDecileGap(testRows.y, pd)).toBeLessThan(0.03);
    let mean = 0;
    let rate = 0;
    for (let i = 0; i < pd.length; i++) {
      mean += pd[i] as number;
      rate += testRows.y[i] as number;
    }
    expect(Math.abs(mean - rate) / pd.length).toBeLessThan(0.005);
    // A non-decreasing map keeps the ranking (isotonic may tie a few rows, costing a little AUC).
    expect(auc(testRows.y, pd)).toBeGreaterThan(auc(testRows.y, testRows.score) - 0.005);
  });

  it('platt finds the exact inverse map of this miscalibration: a ≈ 1/2, b ≈ −1/2', () => {
    const { a, b } = new PlattCalibrator().fit(fitRows.score, fitRows.y).toJSON();
    expect(Math.abs(a - 0.5)).toBeLessThan(0.05);
    expect(Math.abs(b + 0.5)).toBeLessThan(0.15);
  });
});

describe('calibrators as data', () => {
  const rows = miscalibrated(2_000, 3);
  const probe = [0, 0.01, 0.05, 0.2, 0.5, 0.93, 1];

  it.each(['platt', 'isotonic'])('%s round-trips through JSON and transforms identically', (method) => {
    const c = createCalibrator(method).fit(rows.score, rows.y);
    const again = calibratorFromJson(JSON.parse(JSON.stringify(c.toJSON())));
    expect(again.method).toBe(method);
    expect(Array.from(again.transform(probe))).toEqual(Array.from(c.transform(probe)));
  });

  it('refuses malformed JSON with E_MODEL_ARTIFACT_INVALID', () => {
    expect(codeOf(() => calibratorFromJson({ name: 'beta' }))).toBe('E_MODEL_ARTIFACT_INVALID');
    expect(codeOf(() => calibratorFromJson({ name: 'platt', input: 'probability', a: 1 }))).toBe(
      'E_MODEL_ARTIFACT_INVALID',
    );
    expect(
      codeOf(() => IsotonicCalibrator.fromJSON({ name: 'isotonic', x: [0.2, 0.1], y: [0, 1], clip: 0 })),
    ).toBe('E_MODEL_ARTIFACT_INVALID');
    expect(
      codeOf(() => IsotonicCalibrator.fromJSON({ name: 'isotonic', x: [0.1, 0.2], y: [0.5, 0.4], clip: 0 })),
    ).toBe('E_MODEL_ARTIFACT_INVALID');
  });
});

describe('calibrator contract', () => {
  it('throws E_NOT_FITTED before fit', () => {
    expect(codeOf(() => new PlattCalibrator().transform([0.5]))).toBe('E_NOT_FITTED');
    expect(codeOf(() => new IsotonicCalibrator().toJSON())).toBe('E_NOT_FITTED');
  });

  it('validates options in fit with E_OPTIONS_INVALID', () => {
    const platt = new PlattCalibrator({ input: 'odds' as never });
    expect(codeOf(() => platt.fit([0.5], [1]))).toBe('E_OPTIONS_INVALID');
    expect(platt.isFitted).toBe(false);
    expect(codeOf(() => new IsotonicCalibrator({ clip: 0.5 }).fit([0.5], [1]))).toBe('E_OPTIONS_INVALID');
    expect(codeOf(() => createCalibrator('beta'))).toBe('E_OPTIONS_INVALID');
  });

  it('rejects unusable data with E_DATA_INVALID', () => {
    expect(codeOf(() => new PlattCalibrator().fit([0.5, 1.5], [0, 1]))).toBe('E_DATA_INVALID');
    expect(codeOf(() => new PlattCalibrator().fit([0.5, 0.6], [0, 2]))).toBe('E_DATA_INVALID');
    expect(codeOf(() => new IsotonicCalibrator().fit([0.5, 0.6], [0]))).toBe('E_DATA_INVALID');
    expect(codeOf(() => new IsotonicCalibrator().fit([0.5, Number.NaN], [0, 1]))).toBe('E_DATA_INVALID');
    expect(codeOf(() => new IsotonicCalibrator().fit([0.5, 0.6], [0, 1], [0, 0]))).toBe('E_DATA_INVALID');
    expect(codeOf(() => new IsotonicCalibrator().fit([], []))).toBe('E_DATA_INVALID');
    // Margins need not be probabilities.
    expect(new IsotonicCalibrator().fit([-3, 7], [0, 1]).isFitted).toBe(true);
  });

  it('does not mutate its inputs', () => {
    const s = Float64Array.from([0.3, 0.1, 0.2]);
    const y = Float64Array.from([1, 0, 1]);
    new IsotonicCalibrator().fit(s, y);
    new PlattCalibrator().fit(s, y);
    expect(Array.from(s)).toEqual([0.3, 0.1, 0.2]);
    expect(Array.from(y)).toEqual([1, 0, 1]);
  });
});

describe('calibrated', () => {
  it('passes a model’s pds through the calibrator and keeps the rest of the model', () => {
    const base: TrainedModel = {
      kind: 'toy',
      featureNames: ['s'],
      predictProba: (x: Frame) => Float64Array.from(x.numeric('s')),
      importance: () => [{ feature: 's', value: 1 }],
    };
    const iso = new IsotonicCalibrator({ clip: 0 }).fit([0.1, 0.2, 0.3, 0.4], [0, 1, 0, 1]);
    const model = calibrated(base, iso);
    const x = Frame.fromColumns([numeric('s', [0.1, 0.175, 0.4])]);
    expect(Array.from(model.predictProba(x))).toEqual(Array.from(iso.transform([0.1, 0.175, 0.4])));
    expect(model.importance?.()).toEqual([{ feature: 's', value: 1 }]);
    expect(model.featureNames).toEqual(['s']);
    expect(codeOf(() => calibrated(base, new PlattCalibrator()))).toBe('E_NOT_FITTED');
  });
});
