import { z } from 'zod';
import { describeValue, RiskError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';
import type { TrainedModel } from './model.js';

/**
 * Probability calibration: turning a model's score into a PD that matches observed default rates, fitted
 * on held-out rows (never the rows the model was trained on, whose scores are over-confident).
 * - Platt scaling: a logistic regression of the outcome on the logit of the score, pd = σ(a·logit(s) + b).
 * - Isotonic regression: the best non-decreasing step function of the score (pool-adjacent-violators),
 *   read between block centres by linear interpolation.
 * The calibration table itself is `calibrationTable` in metrics.ts.
 */

/** The calibration methods, by name. */
export type CalibrationMethod = 'platt' | 'isotonic';

/** What a fitted calibrator is saved as inside a model artifact's state (plain JSON). */
export type CalibratorJson = PlattJson | IsotonicJson;

/** A fitted Platt calibrator. */
export interface PlattJson {
  readonly name: 'platt';
  readonly input: 'probability' | 'margin';
  readonly a: number;
  readonly b: number;
}

/** A fitted isotonic calibrator: the block centres (ascending) and their default rates (non-decreasing). */
export interface IsotonicJson {
  readonly name: 'isotonic';
  readonly x: readonly number[];
  readonly y: readonly number[];
  readonly clip: number;
}

/** What both calibrators offer. */
export interface Calibrator {
  readonly method: CalibrationMethod;
  readonly isFitted: boolean;
  fit(scores: ArrayLike<number>, y: ArrayLike<number>, weights?: ArrayLike<number>): this;
  transform(scores: ArrayLike<number>): Float64Array;
  toJSON(): CalibratorJson;
}

/** Scores below this distance from 0 or 1 are clipped before the logit, so that it stays finite. */
const LOGIT_EPS = 1e-15;

function logit(p: number): number {
  const q = Math.min(1 - LOGIT_EPS, Math.max(LOGIT_EPS, p));
  return Math.log(q / (1 - q));
}

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** log(1 + e^z) without overflow. */
function softplus(z: number): number {
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z)));
}

const plattOptionsSchema = z.strictObject({
  /** 'probability': scores are PDs in [0, 1] and enter through their logit; 'margin': raw scores as they are. */
  input: z.enum(['probability', 'margin']).default('probability'),
  /** Platt's smoothed targets (N₊ + 1)/(N₊ + 2) and 1/(N₋ + 2) instead of 1 and 0, against overfitting. */
  smoothTargets: z.boolean().default(true),
  maxIterations: z.number().int().min(1).max(10_000).default(100),
});

/** Options of PlattCalibrator. */
export type PlattOptions = Partial<z.input<typeof plattOptionsSchema>>;

/**
 * Platt scaling: pd = σ(a·f + b) with f = logit(score) (or the raw score for `input: 'margin'`), a and b
 * fitted by Newton's method with a backtracking line search on the weighted log loss against Platt's
 * smoothed targets (Lin, Lin & Weng 2007, "A note on Platt's probabilistic outputs"). A well calibrated
 * score gives a ≈ 1, b ≈ 0; a < 1 shrinks an over-confident score.
 * @example const pd = new PlattCalibrator().fit(validScores, validY).transform(testScores);
 */
export class PlattCalibrator implements Calibrator {
  readonly method = 'platt';
  private state: PlattJson | null = null;

  /** Stores the options; `fit` validates them (E_OPTIONS_INVALID). */
  constructor(readonly options: PlattOptions = {}) {}

  get isFitted(): boolean {
    return this.state !== null;
  }

  /** The fitted slope and intercept. @throws E_NOT_FITTED before fit */
  fitted(): PlattJson {
    if (this.state === null) throw notFitted('PlattCalibrator');
    return this.state;
  }

  /**
   * Fits a and b on held-out scores and outcomes.
   * @throws E_OPTIONS_INVALID; E_DATA_INVALID on mismatched lengths, labels other than 0/1, non-finite
   *   scores, probabilities outside [0, 1], negative weights or no weight at all
   */
  fit(scores: ArrayLike<number>, y: ArrayLike<number>, weights?: ArrayLike<number>): this {
    const opts = parseOptions('platt', plattOptionsSchema, this.options);
    const d = checkData('PlattCalibrator.fit', scores, y, weights, opts.input === 'probability');
    const n = d.s.length;
    const f = new Float64Array(n);
    for (let i = 0; i < n; i++)
      f[i] = opts.input === 'probability' ? logit(d.s[i] as number) : (d.s[i] as number);
    let nPos = 0;
    let nNeg = 0;
    for (let i = 0; i < n; i++) {
      if (d.y[i] === 1) nPos += d.w[i] as number;
      else nNeg += d.w[i] as number;
    }
    const hi = opts.smoothTargets ? (nPos + 1) / (nPos + 2) : 1;
    const lo = opts.smoothTargets ? 1 / (nNeg + 2) : 0;
    const t = new Float64Array(n);
    for (let i = 0; i < n; i++) t[i] = d.y[i] === 1 ? hi : lo;
    const { a, b } = newtonPlatt(f, t, d.w, Math.log((nPos + 1) / (nNeg + 1)), opts.maxIterations);
    this.state = { name: 'platt', input: opts.input, a, b };
    return this;
  }

  /** Calibrated pd per score. @throws E_NOT_FITTED; E_DATA_INVALID on a non-finite score */
  transform(scores: ArrayLike<number>): Float64Array {
    const s = this.fitted();
    const out = new Float64Array(scores.length);
    for (let i = 0; i < scores.length; i++) {
      const v = finiteScore('PlattCalibrator.transform', scores, i);
      out[i] = sigmoid(s.a * (s.input === 'probability' ? logit(v) : v) + s.b);
    }
    return out;
  }

  /** The fitted state as plain JSON, for a model artifact. @throws E_NOT_FITTED */
  toJSON(): PlattJson {
    return this.fitted();
  }

  /** Rebuilds a fitted calibrator. @throws E_MODEL_ARTIFACT_INVALID on a malformed object */
  static fromJSON(json: unknown): PlattCalibrator {
    const parsed = parseJson(plattJsonSchema, json);
    const c = new PlattCalibrator({ input: parsed.input });
    c.state = parsed;
    return c;
  }
}

/**
 * Minimises Σ wᵢ [softplus(zᵢ) − tᵢ·zᵢ], zᵢ = a·fᵢ + b, by Newton steps on (a, b). The Hessian gets a tiny
 * ridge so that a constant score (f all equal) still solves; the line search halves the step until the
 * loss falls enough (Armijo, 1e-4).
 */
function newtonPlatt(
  f: Float64Array,
  t: Float64Array,
  w: Float64Array,
  b0: number,
  maxIterations: number,
): { a: number; b: number } {
  const n = f.length;
  const loss = (a: number, b: number): number => {
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const z = a * (f[i] as number) + b;
      sum += (w[i] as number) * (softplus(z) - (t[i] as number) * z);
    }
    return sum;
  };
  let a = 0;
  let b = b0;
  let current = loss(a, b);
  for (let iter = 0; iter < maxIterations; iter++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-12;
    let hab = 0;
    let hbb = 1e-12;
    for (let i = 0; i < n; i++) {
      const fi = f[i] as number;
      const wi = w[i] as number;
      const p = sigmoid(a * fi + b);
      const r = wi * (p - (t[i] as number));
      ga += r * fi;
      gb += r;
      const h = wi * p * (1 - p);
      haa += h * fi * fi;
      hab += h * fi;
      hbb += h;
    }
    if (Math.abs(ga) < 1e-10 && Math.abs(gb) < 1e-10) break;
    const det = haa * hbb - hab * hab;
    const da = -(hbb * ga - hab * gb) / det;
    const db = -(haa * gb - hab * ga) / det;
    const slope = ga * da + gb * db;
    let step = 1;
    let next = loss(a + da, b + db);
    while (next > current + 1e-4 * step * slope && step > 1e-10) {
      step /= 2;
      next = loss(a + step * da, b + step * db);
    }
    if (step <= 1e-10) break;
    a += step * da;
    b += step * db;
    const improvement = current - next;
    current = next;
    if (improvement <= 1e-14 * Math.max(1, Math.abs(current))) break;
  }
  return { a, b };
}

const isotonicOptionsSchema = z.strictObject({
  /** Calibrated pds are kept within [clip, 1 − clip], so that no borrower gets a PD of exactly 0 or 1. */
  clip: z.number().min(0).max(0.1).default(1e-6),
});

/** Options of IsotonicCalibrator. */
export type IsotonicOptions = Partial<z.input<typeof isotonicOptionsSchema>>;

/**
 * Isotonic calibration: the weighted pool-adjacent-violators fit of the outcome on the sorted scores
 * (tied scores pooled first), kept as one point per block — its weighted mean score (centre) and default
 * rate. A score between two centres is read by linear interpolation; one outside them gets the nearest
 * block's rate. The map never decreases, so the ranking (AUC) is kept up to ties.
 * @example const iso = new IsotonicCalibrator().fit(validPd, validY); iso.transform(testPd);
 */
export class IsotonicCalibrator implements Calibrator {
  readonly method = 'isotonic';
  private state: IsotonicJson | null = null;

  /** Stores the options; `fit` validates them (E_OPTIONS_INVALID). */
  constructor(readonly options: IsotonicOptions = {}) {}

  get isFitted(): boolean {
    return this.state !== null;
  }

  /** The block centres and rates. @throws E_NOT_FITTED before fit */
  fitted(): IsotonicJson {
    if (this.state === null) throw notFitted('IsotonicCalibrator');
    return this.state;
  }

  /**
   * Fits the step function on held-out scores (any real numbers, higher = riskier) and outcomes.
   * @throws E_OPTIONS_INVALID; E_DATA_INVALID as for PlattCalibrator.fit (scores need not be in [0, 1])
   */
  fit(scores: ArrayLike<number>, y: ArrayLike<number>, weights?: ArrayLike<number>): this {
    const opts = parseOptions('isotonic', isotonicOptionsSchema, this.options);
    const d = checkData('IsotonicCalibrator.fit', scores, y, weights, false);
    const { x, y: rate } = isotonicBlocks(d.s, d.y, d.w);
    this.state = { name: 'isotonic', x, y: rate, clip: opts.clip };
    return this;
  }

  /** Calibrated pd per score. @throws E_NOT_FITTED; E_DATA_INVALID on a non-finite score */
  transform(scores: ArrayLike<number>): Float64Array {
    const s = this.fitted();
    const out = new Float64Array(scores.length);
    const lo = s.clip;
    const hi = 1 - s.clip;
    for (let i = 0; i < scores.length; i++) {
      const v = interpolate(s.x, s.y, finiteScore('IsotonicCalibrator.transform', scores, i));
      out[i] = Math.min(hi, Math.max(lo, v));
    }
    return out;
  }

  /** The fitted state as plain JSON, for a model artifact. @throws E_NOT_FITTED */
  toJSON(): IsotonicJson {
    return this.fitted();
  }

  /** Rebuilds a fitted calibrator. @throws E_MODEL_ARTIFACT_INVALID on a malformed object */
  static fromJSON(json: unknown): IsotonicCalibrator {
    const parsed = parseJson(isotonicJsonSchema, json);
    for (let i = 1; i < parsed.x.length; i++) {
      if (
        !((parsed.x[i] as number) > (parsed.x[i - 1] as number)) ||
        (parsed.y[i] as number) < (parsed.y[i - 1] as number)
      ) {
        throw new RiskError(
          'E_MODEL_ARTIFACT_INVALID',
          `isotonic calibrator x must increase and y must not decrease, broken at index ${i}`,
          { path: ['x', i] },
        );
      }
    }
    const c = new IsotonicCalibrator({ clip: parsed.clip });
    c.state = parsed;
    return c;
  }
}

/**
 * Weighted pool-adjacent-violators: the non-decreasing sequence closest (weighted least squares) to `y`,
 * taken in the given order, as blocks of consecutive positions with their weighted mean.
 * @returns for each block its first position, its length, its total weight and its mean
 * @example poolAdjacentViolators([1, 3, 2, 4, 3, 5]).mean // [1, 2.5, 3.5, 5]
 */
export function poolAdjacentViolators(
  y: ArrayLike<number>,
  w?: ArrayLike<number>,
): { start: Int32Array; size: Int32Array; weight: Float64Array; mean: Float64Array } {
  const n = y.length;
  const start = new Int32Array(n);
  const size = new Int32Array(n);
  const weight = new Float64Array(n);
  const mean = new Float64Array(n);
  let k = -1;
  for (let i = 0; i < n; i++) {
    k++;
    start[k] = i;
    size[k] = 1;
    weight[k] = w === undefined ? 1 : (w[i] as number);
    mean[k] = y[i] as number;
    // Merge backwards while the new block violates the order; a zero-weight block takes its neighbour's mean.
    while (k > 0 && (mean[k - 1] as number) > (mean[k] as number)) {
      const wa = weight[k - 1] as number;
      const wb = weight[k] as number;
      const total = wa + wb;
      mean[k - 1] =
        total > 0 ? (wa * (mean[k - 1] as number) + wb * (mean[k] as number)) / total : (mean[k] as number);
      weight[k - 1] = total;
      size[k - 1] = (size[k - 1] as number) + (size[k] as number);
      k--;
    }
  }
  const m = k + 1;
  return {
    start: start.slice(0, m),
    size: size.slice(0, m),
    weight: weight.slice(0, m),
    mean: mean.slice(0, m),
  };
}

/** Sorts, pools ties, runs PAV, and returns each block's weighted centre and rate (zero-weight rows skipped). */
function isotonicBlocks(s: Float64Array, y: Float64Array, w: Float64Array): { x: number[]; y: number[] } {
  const order = Array.from(s.keys()).filter((i) => (w[i] as number) > 0);
  order.sort((i, j) => (s[i] as number) - (s[j] as number));
  const ux: number[] = [];
  const uy: number[] = [];
  const uw: number[] = [];
  for (const i of order) {
    const wi = w[i] as number;
    const last = ux.length - 1;
    if (last >= 0 && ux[last] === s[i]) {
      uy[last] = (uy[last] as number) + wi * (y[i] as number);
      uw[last] = (uw[last] as number) + wi;
    } else {
      ux.push(s[i] as number);
      uy.push(wi * (y[i] as number));
      uw.push(wi);
    }
  }
  for (let i = 0; i < uy.length; i++) uy[i] = (uy[i] as number) / (uw[i] as number);
  const pav = poolAdjacentViolators(uy, uw);
  const cx: number[] = [];
  const cy: number[] = [];
  for (let b = 0; b < pav.mean.length; b++) {
    let sx = 0;
    const first = pav.start[b] as number;
    for (let i = first; i < first + (pav.size[b] as number); i++) sx += (uw[i] as number) * (ux[i] as number);
    cx.push(sx / (pav.weight[b] as number));
    cy.push(pav.mean[b] as number);
  }
  return { x: cx, y: cy };
}

/** Linear interpolation through (xs, ys), flat beyond the ends; xs ascending. */
function interpolate(xs: readonly number[], ys: readonly number[], v: number): number {
  const n = xs.length;
  if (v <= (xs[0] as number)) return ys[0] as number;
  if (v >= (xs[n - 1] as number)) return ys[n - 1] as number;
  let lo = 0;
  let hi = n - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if ((xs[mid] as number) <= v) lo = mid;
    else hi = mid;
  }
  const x0 = xs[lo] as number;
  const x1 = xs[hi] as number;
  const y0 = ys[lo] as number;
  return y0 + ((ys[hi] as number) - y0) * ((v - x0) / (x1 - x0));
}

/**
 * A new, unfitted calibrator of the named method.
 * @throws E_OPTIONS_INVALID on an unknown method
 * @example createCalibrator('isotonic').fit(validPd, validY)
 */
export function createCalibrator(method: string): Calibrator {
  if (method === 'platt') return new PlattCalibrator();
  if (method === 'isotonic') return new IsotonicCalibrator();
  throw new RiskError(
    'E_OPTIONS_INVALID',
    `calibration must be platt or isotonic, received ${describeValue(method)}`,
    {
      path: ['calibration'],
      expected: 'platt | isotonic',
      received: method,
    },
  );
}

/**
 * Rebuilds a fitted calibrator from its JSON, by its `name`.
 * @throws E_MODEL_ARTIFACT_INVALID on an unknown name or a malformed object
 */
export function calibratorFromJson(json: unknown): Calibrator {
  const name = (json as { name?: unknown } | null)?.name;
  if (name === 'platt') return PlattCalibrator.fromJSON(json);
  if (name === 'isotonic') return IsotonicCalibrator.fromJSON(json);
  throw new RiskError(
    'E_MODEL_ARTIFACT_INVALID',
    `calibrator name must be platt or isotonic, received ${describeValue(name)}`,
    {
      path: ['name'],
      expected: 'platt | isotonic',
      received: name,
    },
  );
}

/**
 * A trained model whose PDs pass through a fitted calibrator; everything else (reasons, importance,
 * points) is the base model's.
 * @example const model = calibrated(gbdt, new IsotonicCalibrator().fit(gbdt.predictProba(valid), yValid));
 */
export function calibrated(base: TrainedModel, calibrator: Calibrator): TrainedModel {
  if (!calibrator.isFitted)
    throw notFitted(calibrator.method === 'platt' ? 'PlattCalibrator' : 'IsotonicCalibrator');
  return {
    kind: base.kind,
    featureNames: base.featureNames,
    predictProba: (x: Frame) => calibrator.transform(base.predictProba(x)),
    ...(base.score === undefined
      ? {}
      : { score: (x: Frame) => (base.score as (f: Frame) => Float64Array)(x) }),
    ...(base.reasons === undefined ? {} : { reasons: base.reasons.bind(base) }),
    ...(base.binningTables === undefined ? {} : { binningTables: base.binningTables.bind(base) }),
    ...(base.importance === undefined ? {} : { importance: base.importance.bind(base) }),
    ...(base.variableSelection === undefined ? {} : { variableSelection: base.variableSelection.bind(base) }),
    ...(base.binPoints === undefined ? {} : { binPoints: base.binPoints.bind(base) }),
    ...(base.shapValues === undefined ? {} : { shapValues: base.shapValues.bind(base) }),
    ...(base.warnings === undefined ? {} : { warnings: base.warnings.bind(base) }),
    ...(base.cardSections === undefined ? {} : { cardSections: base.cardSections.bind(base) }),
  };
}

const finiteNumber = z.number().refine(Number.isFinite, 'must be finite');
const plattJsonSchema = z.strictObject({
  name: z.literal('platt'),
  input: z.enum(['probability', 'margin']),
  a: finiteNumber,
  b: finiteNumber,
});
const isotonicJsonSchema = z
  .strictObject({
    name: z.literal('isotonic'),
    x: z.array(finiteNumber).min(1),
    y: z.array(z.number().min(0).max(1)).min(1),
    clip: z.number().min(0).max(0.1),
  })
  .refine((v) => v.x.length === v.y.length, 'x and y must have the same length');

function parseJson<T>(schema: z.ZodType<T>, json: unknown): T {
  const parsed = schema.safeParse(json);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  throw new RiskError(
    'E_MODEL_ARTIFACT_INVALID',
    `calibrator ${path.join('.') || '(root)'}: ${issue.message}`,
    {
      path,
    },
  );
}

function parseOptions<T>(what: string, schema: z.ZodType<T>, options: unknown): T {
  const parsed = schema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  let received: unknown = options;
  for (const p of issue.path) received = (received as Record<PropertyKey, unknown> | undefined)?.[p];
  throw new RiskError(
    'E_OPTIONS_INVALID',
    `${what} calibrator option ${path.join('.') || '(root)'}: ${issue.message}, received ${describeValue(received)}`,
    { path, received },
  );
}

function notFitted(what: string): RiskError {
  return new RiskError('E_NOT_FITTED', `this ${what} is not fitted: call fit() or fromJSON() first`);
}

function finiteScore(what: string, scores: ArrayLike<number>, i: number): number {
  const v = scores[i] as number;
  if (!Number.isFinite(v)) {
    throw new RiskError('E_DATA_INVALID', `${what}: score at row ${i} must be finite, received ${v}`, {
      row: i,
      expected: 'a finite number',
      received: v,
    });
  }
  return v;
}

/** Scores, 0/1 labels and weights as typed arrays, checked. */
function checkData(
  what: string,
  scores: ArrayLike<number>,
  y: ArrayLike<number>,
  weights: ArrayLike<number> | undefined,
  probabilities: boolean,
): { s: Float64Array; y: Float64Array; w: Float64Array } {
  const n = y.length;
  if (scores.length !== n || (weights !== undefined && weights.length !== n)) {
    throw new RiskError(
      'E_DATA_INVALID',
      `${what}: scores (${scores.length}), labels (${n})${weights === undefined ? '' : ` and weights (${weights.length})`} must have the same length`,
      { expected: `${n} rows`, received: scores.length },
    );
  }
  const s = Float64Array.from(scores);
  const yy = Float64Array.from(y);
  const w = weights === undefined ? new Float64Array(n).fill(1) : Float64Array.from(weights);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const v = finiteScore(what, s, i);
    if (probabilities && (v < 0 || v > 1)) {
      throw new RiskError(
        'E_DATA_INVALID',
        `${what}: score at row ${i} must be a probability in [0, 1], received ${v}`,
        {
          row: i,
          expected: 'a number in [0, 1]',
          received: v,
        },
      );
    }
    if (yy[i] !== 0 && yy[i] !== 1) {
      throw new RiskError('E_DATA_INVALID', `${what}: label at row ${i} must be 0 or 1, received ${yy[i]}`, {
        row: i,
        expected: '0 or 1',
        received: yy[i],
      });
    }
    const wi = w[i] as number;
    if (!(wi >= 0) || !Number.isFinite(wi)) {
      throw new RiskError(
        'E_DATA_INVALID',
        `${what}: weight at row ${i} must be a finite number ≥ 0, received ${wi}`,
        {
          row: i,
          expected: 'a finite number ≥ 0',
          received: wi,
        },
      );
    }
    total += wi;
  }
  if (!(total > 0)) {
    throw new RiskError(
      'E_DATA_INVALID',
      `${what}: needs at least one row with positive weight, received ${n} rows`,
      {
        expected: 'a positive total weight',
        received: total,
      },
    );
  }
  return { s, y: yy, w };
}
