import { CholeskyDecomposition, Matrix, solve } from 'ml-matrix';
import { z } from 'zod';
import { parseArtifactPart, parseOptions } from '../binning/options.js';
import { checkTarget, checkWeights } from '../binning/target.js';
import {
  type Artifact,
  createArtifact,
  type DataFingerprint,
  fingerprintFrame,
  verifyArtifact,
} from '../core/artifact.js';
import { RiskError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';
import { silentLogger } from '../core/logger.js';
import type { Estimator, FitOptions, Reason } from './estimator.js';
import type { TrainedModel } from './model.js';

/** A dense row-major design matrix (no intercept column: `fitLogistic` adds it). */
export interface Design {
  readonly data: Float64Array;
  readonly rows: number;
  readonly cols: number;
}

/** Settings of `fitLogistic`. */
export interface LogisticFitOptions {
  /** L2 penalty λ on the coefficients (not the intercept): loss = −Σ wᵢ·logLikᵢ + λ/2·‖β‖². Default 1 (scikit-learn's C = 1). */
  readonly l2?: number;
  /** Newton (IRLS) iterations at most; default 100. */
  readonly maxIter?: number;
  /** Stop when no coefficient moves by more than tol·(1 + |β|); default 1e-8. */
  readonly tol?: number;
  readonly sampleWeight?: Float64Array | undefined;
  /** A starting point (e.g. the previous fit when refitting after dropping a column); default the base rate. */
  readonly start?: { readonly intercept: number; readonly coef: ArrayLike<number> } | undefined;
}

/** A fitted logistic regression: logit P(y = 1) = intercept + Σ coef_j·x_j. */
export interface LogisticFit {
  readonly intercept: number;
  readonly coef: Float64Array;
  readonly iterations: number;
  readonly converged: boolean;
  /** −2 · weighted log-likelihood at the solution. */
  readonly deviance: number;
}

function softplus(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t));
}

function sigmoid(t: number): number {
  return t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
}

/** Linear predictor of every row for parameters θ = [intercept, β…]. */
function linear(X: Design, theta: Float64Array, out: Float64Array): void {
  const p = X.cols;
  const d = X.data;
  for (let i = 0; i < X.rows; i++) {
    let eta = theta[0] as number;
    const o = i * p;
    for (let j = 0; j < p; j++) eta += (d[o + j] as number) * (theta[j + 1] as number);
    out[i] = eta;
  }
}

/** The penalised objective (to minimise): −Σ wᵢ·logLikᵢ + λ/2·‖β‖². */
function objective(
  eta: Float64Array,
  y: Float64Array,
  w: Float64Array | undefined,
  theta: Float64Array,
  l2: number,
): number {
  let loss = 0;
  for (let i = 0; i < eta.length; i++) {
    const e = eta[i] as number;
    // −logLik = softplus(η) − y·η
    loss += (w === undefined ? 1 : (w[i] as number)) * (softplus(e) - (y[i] as number) * e);
  }
  let pen = 0;
  for (let j = 1; j < theta.length; j++) pen += (theta[j] as number) * (theta[j] as number);
  return loss + 0.5 * l2 * pen;
}

/**
 * L2-penalised logistic regression by IRLS (Newton's method): each step solves (XᵀWX + λI)·δ = Xᵀw(y − μ) − λβ
 * with W = diag(wᵢ·μᵢ(1 − μᵢ)), the intercept unpenalised, and halves the step while the objective rises.
 * XᵀWX is accumulated by a hand loop over the rows (ml-matrix's general product is ~9× slower); ml-matrix
 * only does the small Cholesky solve.
 * @example const fit = fitLogistic({ data, rows: n, cols: p }, y, { l2: 1 }); fit.coef[0];
 */
export function fitLogistic(X: Design, y: Float64Array, options: LogisticFitOptions = {}): LogisticFit {
  const l2 = options.l2 ?? 1;
  const maxIter = options.maxIter ?? 100;
  const tol = options.tol ?? 1e-8;
  const w = options.sampleWeight;
  const n = X.rows;
  const p = X.cols;
  const q = p + 1;
  const d = X.data;
  let theta: Float64Array = new Float64Array(q);
  // Starting at the base rate makes the first Newton step small and well conditioned.
  let sy = 0;
  let sw = 0;
  for (let i = 0; i < n; i++) {
    const wi = w === undefined ? 1 : (w[i] as number);
    sy += wi * (y[i] as number);
    sw += wi;
  }
  const base = Math.min(Math.max(sy / sw, 1e-6), 1 - 1e-6);
  theta[0] = Math.log(base / (1 - base));
  if (options.start !== undefined && options.start.coef.length === p) {
    theta[0] = options.start.intercept;
    for (let j = 0; j < p; j++) theta[j + 1] = options.start.coef[j] as number;
  }
  const eta = new Float64Array(n);
  linear(X, theta, eta);
  let obj = objective(eta, y, w, theta, l2);
  const H = new Float64Array(q * q);
  const g = new Float64Array(q);
  const xi = new Float64Array(q);
  let converged = false;
  let iter = 0;
  for (; iter < maxIter && !converged; iter++) {
    H.fill(0);
    g.fill(0);
    xi[0] = 1;
    for (let i = 0; i < n; i++) {
      const o = i * p;
      for (let j = 0; j < p; j++) xi[j + 1] = d[o + j] as number;
      const mu = sigmoid(eta[i] as number);
      const wi = w === undefined ? 1 : (w[i] as number);
      const hw = wi * mu * (1 - mu);
      const r = wi * ((y[i] as number) - mu);
      for (let a = 0; a < q; a++) {
        const xa = xi[a] as number;
        g[a] = (g[a] as number) + r * xa;
        const ha = hw * xa;
        if (ha === 0) continue;
        const row = a * q;
        for (let b = a; b < q; b++) H[row + b] = (H[row + b] as number) + ha * (xi[b] as number);
      }
    }
    for (let a = 1; a < q; a++) {
      H[a * q + a] = (H[a * q + a] as number) + l2;
      g[a] = (g[a] as number) - l2 * (theta[a] as number);
    }
    const delta = newtonStep(H, g, q);
    let step = 1;
    let next: Float64Array | undefined;
    let nextObj = obj;
    for (let halvings = 0; halvings < 30; halvings++) {
      const trial = new Float64Array(q);
      for (let a = 0; a < q; a++) trial[a] = (theta[a] as number) + step * (delta[a] as number);
      linear(X, trial, eta);
      const trialObj = objective(eta, y, w, trial, l2);
      // A NaN objective (an overflowing step) compares false and is never taken.
      if (trialObj <= obj + 1e-12 * Math.abs(obj)) {
        next = trial;
        nextObj = trialObj;
        break;
      }
      step /= 2;
    }
    if (next === undefined) {
      // No step lowers the objective: θ is optimal to machine precision (or the step overflows); keep it.
      linear(X, theta, eta);
      converged = Number.isFinite(obj);
      iter++;
      break;
    }
    let move = 0;
    for (let a = 0; a < q; a++) {
      const m = Math.abs((next[a] as number) - (theta[a] as number)) / (1 + Math.abs(next[a] as number));
      if (m > move) move = m;
    }
    theta = next;
    obj = nextObj;
    if (move <= tol) converged = true;
  }
  let deviance = 0;
  for (let i = 0; i < n; i++) {
    const e = eta[i] as number;
    deviance += 2 * (w === undefined ? 1 : (w[i] as number)) * (softplus(e) - (y[i] as number) * e);
  }
  return { intercept: theta[0] as number, coef: theta.slice(1), iterations: iter, converged, deviance };
}

/** Solves the symmetric system H·δ = g (upper triangle of H filled) by Cholesky, falling back to LU. */
function newtonStep(H: Float64Array, g: Float64Array, q: number): Float64Array {
  const rows: number[][] = [];
  for (let a = 0; a < q; a++) {
    const row: number[] = [];
    for (let b = 0; b < q; b++) row.push((a <= b ? H[a * q + b] : H[b * q + a]) as number);
    rows.push(row);
  }
  const A = new Matrix(rows);
  const rhs = Matrix.columnVector(Array.from(g));
  const chol = new CholeskyDecomposition(A);
  const sol = chol.isPositiveDefinite() ? chol.solve(rhs) : solve(A, rhs, true);
  // A singular system can leave non-finite entries: a zero move there keeps the line search finite.
  const out = new Float64Array(q);
  sol.getColumn(0).forEach((v, a) => {
    out[a] = Number.isFinite(v) ? v : 0;
  });
  return out;
}

/** Options of the `LogisticRegression` estimator. */
export const logisticOptionsSchema = z.strictObject({
  /** L2 penalty on standardised coefficients (scikit-learn's 1/C). */
  l2: z.number().min(0).default(1).describe("L2 penalty on standardised coefficients (scikit-learn's 1/C)"),
  maxIter: z.int().min(1).max(1000).default(100).describe('most Newton (IRLS) iterations'),
  tol: z
    .number()
    .gt(0)
    .max(1)
    .default(1e-8)
    .describe('stop when no coefficient moves more than this (relative)'),
  /** A categorical column keeps its most frequent levels up to this many; the rest encode as all zeros. */
  maxLevels: z
    .int()
    .min(1)
    .max(1000)
    .default(30)
    .describe(
      'a categorical column keeps its most frequent levels up to this many; the rest encode as all zeros',
    ),
});
/** Validated `LogisticRegression` options. */
export type LogisticOptions = z.infer<typeof logisticOptionsSchema>;

const encodedSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('numeric'),
    name: z.string(),
    mean: z.number(),
    sd: z.number().gt(0),
    /** The column had missing values: they are imputed with the mean and flagged by an indicator. */
    missingShare: z.number().min(0).max(1).nullable(),
  }),
  z.strictObject({
    kind: z.literal('categorical'),
    name: z.string(),
    levels: z.array(z.string()),
    shares: z.array(z.number()),
  }),
]);
type Encoded = z.infer<typeof encodedSchema>;

const logisticStateSchema = z.strictObject({
  columns: z.array(encodedSchema),
  intercept: z.number(),
  /** One coefficient per design column, in design order (numeric [+ missing flag], then one per level). */
  coef: z.array(z.number()),
  iterations: z.int(),
  converged: z.boolean(),
  dataFingerprint: z.unknown(),
});
type LogisticState = z.infer<typeof logisticStateSchema> & { dataFingerprint: DataFingerprint };

function encode(x: Frame): Encoded[] {
  return x.columns.map((c): Encoded => {
    if (c.kind === 'numeric') {
      const { n, mean, sd } = moments(c.values);
      const missing = x.nRows - n;
      return {
        kind: 'numeric',
        name: c.name,
        mean,
        sd: sd > 0 ? sd : 1,
        missingShare: missing > 0 ? missing / x.nRows : null,
      };
    }
    const counts = new Float64Array(c.levels.length);
    for (const code of c.codes) if (code >= 0) counts[code] = (counts[code] as number) + 1;
    const order = c.levels
      .map((level, i) => ({ level, count: counts[i] as number }))
      .filter((l) => l.count > 0)
      .sort((a, b) => b.count - a.count || (a.level < b.level ? -1 : 1));
    return {
      kind: 'categorical',
      name: c.name,
      levels: order.map((l) => l.level),
      shares: order.map((l) => l.count / x.nRows),
    };
  });
}

/**
 * Count, mean and standard deviation of the finite values. Welford's update on values scaled by the largest
 * magnitude: the one-pass Σv² − n·mean² loses every digit of a large-mean column (amounts in yuan around
 * 1e9 with small spread) and overflows to ∞ (then NaN) beyond 1e154.
 */
function moments(values: Float64Array): { n: number; mean: number; sd: number } {
  let scale = 0;
  for (const v of values) if (Number.isFinite(v) && Math.abs(v) > scale) scale = Math.abs(v);
  if (scale === 0) scale = 1;
  let n = 0;
  let m = 0;
  let m2 = 0;
  for (const raw of values) {
    if (!Number.isFinite(raw)) continue;
    const v = raw / scale;
    n++;
    const d = v - m;
    m += d / n;
    m2 += d * (v - m);
  }
  return { n, mean: m * scale, sd: n > 1 ? Math.sqrt(Math.max(m2 / n, 0)) * scale : 0 };
}

function designWidth(cols: readonly Encoded[]): number {
  let p = 0;
  for (const c of cols) p += c.kind === 'numeric' ? (c.missingShare === null ? 1 : 2) : c.levels.length;
  return p;
}

/**
 * Adds each encoded column's contribution β·z (z standardised, or a 0/1 level flag) to `out` per row,
 * and optionally its centred contribution β·(z − z̄) per feature into `parts`.
 */
function contributions(
  cols: readonly Encoded[],
  coef: readonly number[],
  x: Frame,
  out: Float64Array,
  parts?: Float64Array[],
): void {
  let at = 0;
  cols.forEach((c, f) => {
    const col = x.column(c.name);
    const part = parts?.[f];
    if (c.kind === 'numeric') {
      const b = coef[at] as number;
      const bm = c.missingShare === null ? 0 : (coef[at + 1] as number);
      const centreMissing = c.missingShare ?? 0;
      at += c.missingShare === null ? 1 : 2;
      const values = col.kind === 'numeric' ? col.values : levelsAsNumbers(col.codes, col.levels);
      for (let i = 0; i < out.length; i++) {
        const v = values[i] as number;
        // ±∞ cannot be standardised: like NaN it reads as missing, as in training.
        const isMissing = !Number.isFinite(v);
        const z = isMissing ? 0 : (v - c.mean) / c.sd;
        const t = b * z + (isMissing ? bm : 0);
        out[i] = (out[i] as number) + t;
        if (part !== undefined) part[i] = t - bm * centreMissing;
      }
      return;
    }
    const lut = new Float64Array(col.kind === 'categorical' ? col.levels.length : 0);
    const index = new Map(c.levels.map((l, k) => [l, k]));
    const first = at;
    at += c.levels.length;
    let centre = 0;
    c.levels.forEach((_, k) => {
      centre += (coef[first + k] as number) * (c.shares[k] as number);
    });
    const byLevel = (level: string): number => {
      const k = index.get(level);
      return k === undefined ? 0 : (coef[first + k] as number);
    };
    if (col.kind === 'categorical') {
      col.levels.forEach((level, k) => {
        lut[k] = byLevel(level);
      });
      for (let i = 0; i < out.length; i++) {
        const code = col.codes[i] as number;
        const t = code < 0 ? 0 : (lut[code] as number);
        out[i] = (out[i] as number) + t;
        if (part !== undefined) part[i] = t - centre;
      }
    } else {
      for (let i = 0; i < out.length; i++) {
        const v = col.values[i] as number;
        const t = Number.isNaN(v) ? 0 : byLevel(String(v));
        out[i] = (out[i] as number) + t;
        if (part !== undefined) part[i] = t - centre;
      }
    }
  });
}

function levelsAsNumbers(codes: Int32Array, levels: readonly string[]): Float64Array {
  const lut = levels.map((l) => (l.trim() === '' ? Number.NaN : Number(l)));
  const out = new Float64Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i] as number;
    out[i] = c < 0 ? Number.NaN : (lut[c] as number);
  }
  return out;
}

/** The row-major standardised design of a frame under an encoding. */
function buildDesign(cols: readonly Encoded[], x: Frame): Design {
  const p = designWidth(cols);
  const n = x.nRows;
  const data = new Float64Array(n * p);
  let at = 0;
  for (const c of cols) {
    const col = x.column(c.name);
    if (c.kind === 'numeric' && col.kind === 'numeric') {
      const flag = c.missingShare !== null;
      for (let i = 0; i < n; i++) {
        const v = col.values[i] as number;
        const o = i * p + at;
        if (!Number.isFinite(v)) {
          if (flag) data[o + 1] = 1;
        } else data[o] = (v - c.mean) / c.sd;
      }
      at += flag ? 2 : 1;
    } else if (c.kind === 'categorical' && col.kind === 'categorical') {
      const index = new Map(c.levels.map((l, k) => [l, k]));
      const lut = Int32Array.from(col.levels, (l) => index.get(l) ?? -1);
      for (let i = 0; i < n; i++) {
        const code = col.codes[i] as number;
        const k = code < 0 ? -1 : (lut[code] as number);
        if (k >= 0) data[i * p + at + k] = 1;
      }
      at += c.levels.length;
    }
  }
  return { data, rows: n, cols: p };
}

/**
 * Logistic regression over a frame (the peer baseline): numeric columns standardised with mean imputation
 * and a missing flag, categorical columns one-hot over their most frequent levels, L2-penalised IRLS.
 * @example const lr = new LogisticRegression({ l2: 1 }).fit(x, y); lr.predictProba(x);
 */
export class LogisticRegression implements Estimator, TrainedModel {
  readonly kind = 'logistic';
  private state: LogisticState | undefined;
  private params: LogisticOptions | undefined;

  constructor(readonly options: z.input<typeof logisticOptionsSchema> = {}) {}

  get isFitted(): boolean {
    return this.state !== undefined;
  }

  get featureNames(): readonly string[] {
    return this.fitted().columns.map((c) => c.name);
  }

  /** @throws E_OPTIONS_INVALID, E_DATA_INVALID */
  fit(x: Frame, y: ArrayLike<number>, options: FitOptions = {}): this {
    const params = parseOptions(logisticOptionsSchema, this.options, 'logistic');
    const target = checkTarget(y, x.nRows);
    const weight = checkWeights(options.sampleWeight, x.nRows);
    const columns = encode(x).map((c) =>
      c.kind === 'categorical'
        ? { ...c, levels: c.levels.slice(0, params.maxLevels), shares: c.shares.slice(0, params.maxLevels) }
        : c,
    );
    const fit = fitLogistic(buildDesign(columns, x), target, {
      l2: params.l2,
      maxIter: params.maxIter,
      tol: params.tol,
      sampleWeight: weight,
    });
    if (!fit.converged) {
      (options.logger ?? silentLogger).warn(
        { iterations: fit.iterations },
        `logistic regression did not converge in ${params.maxIter} iterations`,
      );
    }
    this.params = params;
    this.state = {
      columns,
      intercept: fit.intercept,
      coef: Array.from(fit.coef),
      iterations: fit.iterations,
      converged: fit.converged,
      dataFingerprint: fingerprintFrame(x, target),
    };
    options.onProgress?.(1, 1);
    return this;
  }

  /** The learned state. @throws E_NOT_FITTED before fit */
  fitted(): LogisticState {
    if (this.state === undefined) {
      throw new RiskError('E_NOT_FITTED', 'this LogisticRegression is not fitted yet: call fit(x, y) first');
    }
    return this.state;
  }

  /** Log-odds of default per row. */
  decisionFunction(x: Frame): Float64Array {
    const s = this.fitted();
    const out = new Float64Array(x.nRows).fill(s.intercept);
    contributions(s.columns, s.coef, x, out);
    return out;
  }

  predictProba(x: Frame): Float64Array {
    const eta = this.decisionFunction(x);
    for (let i = 0; i < eta.length; i++) eta[i] = sigmoid(eta[i] as number);
    return eta;
  }

  /** The top-k features pushing each row's log-odds of default above the average borrower's. */
  reasons(x: Frame, k: number): Reason[][] {
    const s = this.fitted();
    const parts = s.columns.map(() => new Float64Array(x.nRows));
    contributions(s.columns, s.coef, x, new Float64Array(x.nRows), parts);
    const out: Reason[][] = [];
    for (let i = 0; i < x.nRows; i++) {
      const row: Reason[] = [];
      s.columns.forEach((c, f) => {
        const impact = (parts[f] as Float64Array)[i] as number;
        if (impact > 0) row.push({ feature: c.name, impact, value: String(x.cell(i, c.name) ?? 'missing') });
      });
      row.sort((a, b) => b.impact - a.impact);
      out.push(row.slice(0, k));
    }
    return out;
  }

  /** |β| per standard deviation of each feature (root sum of squares over its design columns), largest first. */
  importance(): { feature: string; value: number }[] {
    const s = this.fitted();
    let at = 0;
    const out = s.columns.map((c) => {
      let ss = 0;
      if (c.kind === 'numeric') {
        ss += (s.coef[at] as number) ** 2;
        if (c.missingShare !== null) {
          const sd = Math.sqrt(c.missingShare * (1 - c.missingShare));
          ss += ((s.coef[at + 1] as number) * sd) ** 2;
        }
        at += c.missingShare === null ? 1 : 2;
      } else {
        c.levels.forEach((_, k) => {
          const share = c.shares[k] as number;
          ss += ((s.coef[at + k] as number) * Math.sqrt(share * (1 - share))) ** 2;
        });
        at += c.levels.length;
      }
      return { feature: c.name, value: Math.sqrt(ss) };
    });
    return out.sort((a, b) => b.value - a.value);
  }

  toArtifact(): Artifact<LogisticOptions, LogisticState> {
    const s = this.fitted();
    const categories: Record<string, readonly string[]> = {};
    for (const c of s.columns) if (c.kind === 'categorical') categories[c.name] = c.levels;
    return createArtifact({
      kind: this.kind,
      params: this.params as LogisticOptions,
      featureNames: s.columns.map((c) => c.name),
      categories,
      dataFingerprint: s.dataFingerprint,
      metrics: {},
      state: s,
    });
  }

  /**
   * Rebuilds a fitted model from its artifact.
   * @throws the verifyArtifact codes; E_MODEL_ARTIFACT_INVALID when params or state are malformed
   */
  static fromArtifact(a: Artifact): LogisticRegression {
    const art = verifyArtifact(a, 'logistic');
    const params = parseArtifactPart(logisticOptionsSchema, art.params, 'logistic', 'params');
    const state = parseArtifactPart(logisticStateSchema, art.state, 'logistic', 'state') as LogisticState;
    const model = new LogisticRegression(params);
    model.params = params;
    model.state = state;
    return model;
  }

  /** A short text summary: coefficients per design column. */
  report(): string {
    const s = this.fitted();
    const lines = [`logistic regression: ${s.columns.length} features, intercept ${s.intercept.toFixed(4)}`];
    for (const f of this.importance()) lines.push(`  ${f.feature}: ${f.value.toFixed(4)}`);
    return lines.join('\n');
  }
}
