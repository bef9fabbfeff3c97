import { describe, expect, it } from 'vitest';
import { categorical, Frame, numeric } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import { auc } from '../../src/evaluation/metrics.js';
import { fitLogistic, LogisticRegression } from '../../src/models/logistic.js';
import { creditSample } from '../binning/fixture.js';

function design(rows: number[][]): { data: Float64Array; rows: number; cols: number } {
  return { data: Float64Array.from(rows.flat()), rows: rows.length, cols: rows[0]?.length ?? 0 };
}

function sigmoid(t: number): number {
  return 1 / (1 + Math.exp(-t));
}

describe('fitLogistic (IRLS)', () => {
  it('recovers the closed-form MLE of one binary feature', () => {
    // Group 0: 100 rows, 20 bad; group 1: 50 rows, 25 bad.
    const rows: number[][] = [];
    const y: number[] = [];
    for (let i = 0; i < 100; i++) {
      rows.push([0]);
      y.push(i < 20 ? 1 : 0);
    }
    for (let i = 0; i < 50; i++) {
      rows.push([1]);
      y.push(i < 25 ? 1 : 0);
    }
    const fit = fitLogistic(design(rows), Float64Array.from(y), { l2: 0 });
    expect(fit.converged).toBe(true);
    expect(fit.intercept).toBeCloseTo(Math.log(20 / 80), 9);
    expect(fit.coef[0]).toBeCloseTo(Math.log(25 / 25) - Math.log(20 / 80), 9);
  });

  it('solves the penalised score equations: Xᵀw(y − μ) = λβ, Σ w(y − μ) = 0', () => {
    const rng = new Rng(5);
    const n = 800;
    const p = 4;
    const rows = Array.from({ length: n }, () => Array.from({ length: p }, () => rng.normal()));
    const w = Float64Array.from({ length: n }, () => rng.between(0.5, 2));
    const y = Float64Array.from(rows, (r) =>
      rng.uniform() < sigmoid(0.5 * (r[0] as number) - (r[1] as number) - 1) ? 1 : 0,
    );
    const l2 = 3;
    const fit = fitLogistic(design(rows), y, { l2, sampleWeight: w });
    const grad = new Float64Array(p + 1);
    rows.forEach((r, i) => {
      const eta = fit.intercept + r.reduce((s, v, j) => s + v * (fit.coef[j] as number), 0);
      const res = (w[i] as number) * ((y[i] as number) - sigmoid(eta));
      grad[0] = (grad[0] as number) + res;
      r.forEach((v, j) => {
        grad[j + 1] = (grad[j + 1] as number) + res * v;
      });
    });
    expect(grad[0]).toBeCloseTo(0, 8);
    for (let j = 0; j < p; j++) expect(grad[j + 1]).toBeCloseTo(l2 * (fit.coef[j] as number), 8);
    // The signal is found: x0 pushes risk up, x1 down.
    expect(fit.coef[0]).toBeGreaterThan(0.3);
    expect(fit.coef[1]).toBeLessThan(-0.7);
  });

  it('treats an integer weight as that many copies of the row', () => {
    const rows = [[0.1], [1.2], [-0.7], [2.1], [0.4], [-1.5]];
    const y = Float64Array.from([0, 1, 0, 1, 1, 0]);
    const w = Float64Array.from([1, 3, 2, 1, 1, 2]);
    const weighted = fitLogistic(design(rows), y, { l2: 0.5, sampleWeight: w });
    const copies: number[][] = [];
    const yc: number[] = [];
    rows.forEach((r, i) => {
      for (let k = 0; k < (w[i] as number); k++) {
        copies.push(r);
        yc.push(y[i] as number);
      }
    });
    const replicated = fitLogistic(design(copies), Float64Array.from(yc), { l2: 0.5 });
    expect(weighted.intercept).toBeCloseTo(replicated.intercept, 10);
    expect(weighted.coef[0]).toBeCloseTo(replicated.coef[0] as number, 10);
  });
});

describe('LogisticRegression', () => {
  it('ranks the fixture well and puts utilisation and age on top', () => {
    const { x, y } = creditSample(3000, 31);
    const lr = new LogisticRegression().fit(x, y);
    expect(auc(y, lr.predictProba(x))).toBeGreaterThan(0.7);
    const top = lr
      .importance()
      .slice(0, 2)
      .map((f) => f.feature)
      .sort();
    expect(top).toEqual(['age', 'util']);
    expect(lr.importance().at(-1)?.feature).toBe('noise');
  });

  it('encodes missing numbers with a flag and unseen levels as zero', () => {
    const { x, y } = creditSample(2000, 32);
    const lr = new LogisticRegression().fit(x, y);
    const income = lr.fitted().columns.find((c) => c.name === 'income');
    expect(income?.kind === 'numeric' && income.missingShare).toBeGreaterThan(0);
    const probe = (region: string | null, inc: number | null): number =>
      lr.decisionFunction(
        Frame.fromColumns([
          numeric('age', [40]),
          numeric('income', [inc]),
          numeric('util', [0.5]),
          categorical('region', [region]),
          numeric('noise', [0]),
        ]),
      )[0] as number;
    // A level never seen in training and a missing level both contribute nothing.
    expect(probe('atlantis', 9000)).toBeCloseTo(probe(null, 9000), 12);
    // The fixture makes missing income riskier than a typical income.
    expect(probe('north', null)).toBeGreaterThan(probe('north', 9000));
  });

  it('gives reasons that raise the log-odds, largest first', () => {
    const { x, y } = creditSample(2000, 33);
    const lr = new LogisticRegression().fit(x, y);
    const reasons = lr.reasons(x.take([0, 1, 2, 3]), 2);
    expect(reasons).toHaveLength(4);
    for (const row of reasons) {
      expect(row.length).toBeLessThanOrEqual(2);
      row.forEach((r, i) => {
        expect(r.impact).toBeGreaterThan(0);
        if (i > 0) expect(r.impact).toBeLessThanOrEqual(row[i - 1]?.impact as number);
      });
    }
  });

  it('is unchanged by shifting a numeric column by a large constant (stable standardisation)', () => {
    // Before the fix, sd came from Σv²/n − mean², which loses every digit at a mean of 1e12: the column was
    // standardised by a wrong sd and the penalised fit and its predictions moved.
    const { x, y } = creditSample(1500, 34);
    const base = new LogisticRegression().fit(x, y);
    const shift = (f: Frame): Frame => {
      const income = f.numeric('income');
      return f.with(
        numeric(
          'income',
          Array.from(income, (v) => (Number.isNaN(v) ? null : v + 1e12)),
        ),
      );
    };
    const shifted = new LogisticRegression().fit(shift(x), y);
    const a = base.predictProba(x);
    const b = shifted.predictProba(shift(x));
    for (let i = 0; i < a.length; i++) expect(b[i]).toBeCloseTo(a[i] as number, 6);
  });

  it('scores finite pds when a column holds huge or infinite values (read as missing)', () => {
    // Before the fix, Σv² overflowed to ∞ (sd = ∞, mean = ∞ with an infinite value), every standardised
    // value became NaN and the Newton solve failed on a NaN matrix.
    const { x, y } = creditSample(1500, 35);
    const income = x.numeric('income');
    const huge = x.with(
      numeric(
        'income',
        Array.from(income, (v) => (Number.isNaN(v) ? null : v * 1e300)),
      ),
    );
    const inf = x.with(
      numeric(
        'income',
        Array.from(income, (v, i) => (i === 7 ? Number.POSITIVE_INFINITY : Number.isNaN(v) ? null : v)),
      ),
    );
    for (const f of [huge, inf]) {
      const lr = new LogisticRegression().fit(f, y);
      const pd = lr.predictProba(f);
      expect(pd.every((p) => Number.isFinite(p) && p > 0 && p < 1)).toBe(true);
      expect(auc(y, pd)).toBeGreaterThan(0.7);
      expect(lr.fitted().converged).toBe(true);
    }
    // An infinite value scores as a missing one.
    const lr = new LogisticRegression().fit(inf, y);
    const row = (v: number | null): number =>
      lr.predictProba(inf.take([7]).with(numeric('income', [v])))[0] as number;
    expect(row(Number.POSITIVE_INFINITY)).toBe(row(null));
    expect(row(Number.NEGATIVE_INFINITY)).toBe(row(null));
  });
});
