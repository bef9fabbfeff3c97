import { inverse, Matrix } from 'ml-matrix';
import type { Design, LogisticFit } from './logistic.js';

/**
 * Columns (one Float64Array each, all of `rows` values) as a row-major design for `fitLogistic`.
 * @example fitLogistic(designOf([age, util], n), y)
 */
export function designOf(columns: readonly Float64Array[], rows: number): Design {
  const p = columns.length;
  const data = new Float64Array(rows * p);
  columns.forEach((c, j) => {
    for (let i = 0; i < rows; i++) data[i * p + j] = c[i] as number;
  });
  return { data, rows, cols: p };
}

/**
 * The complementary error function erfc(x) = 1 − erf(x), to ~1e-15 relative: the Maclaurin series of erf
 * below 2.5 (where erfc ≥ 4e-4, so the subtraction loses nothing that matters), and above it the
 * continued fraction erfc(x) = exp(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))) evaluated backwards.
 * @example erfc(0) // 1; erfc(1.959963984540054 / Math.SQRT2) // 0.05
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 2.5) {
    // erf(x) = 2/√π · Σ (−1)ⁿ x^(2n+1) / (n! (2n+1))
    let term = x;
    let sum = x;
    const x2 = x * x;
    for (let n = 1; n < 200; n++) {
      term *= -x2 / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * sum;
  }
  let k = x;
  for (let n = 80; n >= 1; n--) k = x + n / 2 / k;
  return Math.exp(-x * x) / (Math.sqrt(Math.PI) * k);
}

/**
 * The two-sided p-value of a Wald z statistic: P(|Z| ≥ |z|) = erfc(|z|/√2) under the standard normal.
 * @example twoSidedPValue(1.959963984540054) // 0.05
 */
export function twoSidedPValue(z: number): number {
  return erfc(Math.abs(z) / Math.SQRT2);
}

/** The standard error, Wald z and two-sided p-value of one coefficient (null where the information is singular). */
export interface CoefficientTest {
  readonly estimate: number;
  readonly se: number | null;
  readonly z: number | null;
  readonly pValue: number | null;
}

/**
 * Wald tests of a fitted logistic regression, as statsmodels' `Logit.fit().summary()` gives them: the
 * covariance is the inverse of the observed information XᵀWX (W = diag(wᵢ·μᵢ(1 − μᵢ)), intercept column
 * included) at the solution, plus λ on the coefficients' diagonal when the fit was L2-penalised (the
 * penalised estimator's curvature; with λ = 0 it is exactly statsmodels' covariance).
 * @param l2 the penalty the fit used; @param sampleWeight the fit's row weights
 * @returns the intercept's test, then one per column in design order
 * @example logisticTests(X, fitLogistic(X, y, { l2: 0 }), { l2: 0 })[1].pValue
 */
export function logisticTests(
  X: Design,
  fit: LogisticFit,
  options: { readonly l2?: number; readonly sampleWeight?: Float64Array | undefined } = {},
): CoefficientTest[] {
  const p = X.cols;
  const q = p + 1;
  const l2 = options.l2 ?? 0;
  const w = options.sampleWeight;
  const H = new Float64Array(q * q);
  const xi = new Float64Array(q);
  xi[0] = 1;
  for (let i = 0; i < X.rows; i++) {
    let eta = fit.intercept;
    for (let j = 0; j < p; j++) {
      const v = X.data[i * p + j] as number;
      xi[j + 1] = v;
      eta += v * (fit.coef[j] as number);
    }
    const mu = 1 / (1 + Math.exp(-eta));
    const hw = (w === undefined ? 1 : (w[i] as number)) * mu * (1 - mu);
    for (let a = 0; a < q; a++) {
      const ha = hw * (xi[a] as number);
      for (let b = a; b < q; b++) H[a * q + b] = (H[a * q + b] as number) + ha * (xi[b] as number);
    }
  }
  const rows: number[][] = [];
  for (let a = 0; a < q; a++) {
    const row: number[] = [];
    for (let b = 0; b < q; b++) row.push((a <= b ? H[a * q + b] : H[b * q + a]) as number);
    if (a > 0) row[a] = (row[a] as number) + l2;
    rows.push(row);
  }
  const cov = safeInverse(new Matrix(rows));
  const estimates = [fit.intercept, ...fit.coef];
  return estimates.map((estimate, a) => {
    const v = cov?.get(a, a);
    if (v === undefined || !(v > 0) || !Number.isFinite(v))
      return { estimate, se: null, z: null, pValue: null };
    const se = Math.sqrt(v);
    const z = estimate / se;
    return { estimate, se, z, pValue: twoSidedPValue(z) };
  });
}

function safeInverse(m: Matrix): Matrix | undefined {
  try {
    const inv = inverse(m);
    for (const row of inv.to2DArray()) for (const v of row) if (!Number.isFinite(v)) return undefined;
    return inv;
  } catch {
    return undefined;
  }
}

/**
 * Variance inflation factors: VIF_j = 1 / (1 − R²_j), with R²_j of column j regressed on the others (with
 * an intercept); equivalently the diagonal of the inverse correlation matrix. null for a constant column or
 * an exactly collinear set.
 * @example varianceInflation([a, b]) // both 1 / (1 − r²) with r = corr(a, b)
 */
export function varianceInflation(columns: readonly Float64Array[]): (number | null)[] {
  const p = columns.length;
  if (p === 0) return [];
  const n = columns[0]?.length ?? 0;
  const centred = columns.map((c) => {
    let m = 0;
    for (let i = 0; i < n; i++) m += c[i] as number;
    m /= Math.max(n, 1);
    let ss = 0;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const d = (c[i] as number) - m;
      out[i] = d;
      ss += d * d;
    }
    return { d: out, sd: Math.sqrt(ss) };
  });
  if (centred.some((c) => !(c.sd > 0))) return columns.map(() => null);
  const R: number[][] = [];
  for (let a = 0; a < p; a++) {
    const row: number[] = [];
    for (let b = 0; b < p; b++) {
      const ca = centred[a] as (typeof centred)[number];
      const cb = centred[b] as (typeof centred)[number];
      let s = 0;
      for (let i = 0; i < n; i++) s += (ca.d[i] as number) * (cb.d[i] as number);
      row.push(s / (ca.sd * cb.sd));
    }
    R.push(row);
  }
  const inv = safeInverse(new Matrix(R));
  return columns.map((_, j) => {
    const v = inv?.get(j, j);
    return v !== undefined && v >= 1 - 1e-9 && Number.isFinite(v) ? v : null;
  });
}
