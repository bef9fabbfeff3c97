import { RiskError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';

/**
 * Evaluation metrics for a binary default model (bad = 1): ranking (AUC, Gini, KS, ROC), probability quality
 * (Brier, log loss, calibration by decile), business views (lift and gains by decile) and population stability
 * (PSI on a score, CSI per variable). Every function takes typed or plain arrays and optional sample weights.
 */

/** Binary labels, scores and weights after validation, as typed arrays. */
interface Checked {
  readonly y: Float64Array;
  readonly s: Float64Array;
  readonly w: Float64Array | undefined;
}

function toF64(a: ArrayLike<number>): Float64Array {
  return a instanceof Float64Array ? a : Float64Array.from(a);
}

/**
 * Checks that labels are 0/1, scores finite and weights non-negative, all of one length.
 * @throws E_DATA_INVALID naming the argument, the row and the value received
 */
function check(
  what: string,
  y: ArrayLike<number>,
  s: ArrayLike<number>,
  w: ArrayLike<number> | undefined,
): Checked {
  const n = y.length;
  if (s.length !== n) {
    throw new RiskError('E_DATA_INVALID', `${what}: scores have ${s.length} rows, labels have ${n}`, {
      expected: `${n} scores`,
      received: s.length,
    });
  }
  if (w !== undefined && w.length !== n) {
    throw new RiskError('E_DATA_INVALID', `${what}: weights have ${w.length} rows, labels have ${n}`, {
      expected: `${n} weights`,
      received: w.length,
    });
  }
  const yy = toF64(y);
  const ss = toF64(s);
  const ww = w === undefined ? undefined : toF64(w);
  for (let i = 0; i < n; i++) {
    const label = yy[i] as number;
    if (label !== 0 && label !== 1) {
      throw new RiskError('E_DATA_INVALID', `${what}: label at row ${i} must be 0 or 1, received ${label}`, {
        row: i,
        expected: '0 or 1',
        received: label,
      });
    }
    if (!Number.isFinite(ss[i] as number)) {
      throw new RiskError('E_DATA_INVALID', `${what}: score at row ${i} must be finite, received ${ss[i]}`, {
        row: i,
        expected: 'a finite number',
        received: ss[i],
      });
    }
    if (ww !== undefined) {
      const wi = ww[i] as number;
      if (!(wi >= 0) || !Number.isFinite(wi)) {
        throw new RiskError('E_DATA_INVALID', `${what}: weight at row ${i} must be ≥ 0, received ${wi}`, {
          row: i,
          expected: 'a finite number ≥ 0',
          received: wi,
        });
      }
    }
  }
  return { y: yy, s: ss, w: ww };
}

/**
 * The tie structure of a score: its distinct values in ascending order, each row's index among them, and
 * the weight of bads (`pos`) and goods (`neg`) at each value (all weight counts as good without labels).
 * Built from one index-carrying sort; every metric below reads ties off it.
 */
interface Ties {
  readonly values: Float64Array;
  readonly rank: Int32Array;
  readonly pos: Float64Array;
  readonly neg: Float64Array;
}

/**
 * Sorts a copy of `values` ascending and carries each value's row index along: a quicksort on typed arrays
 * (median-of-three pivot, insertion sort below 16, loop on the larger side so the stack stays O(log n)).
 * About twice as fast as `Int32Array.sort` with a comparator, which calls back into JS per comparison.
 */
function sortWithIndex(values: Float64Array): { keys: Float64Array; idx: Int32Array } {
  const n = values.length;
  const k = values.slice();
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const swap = (a: number, b: number): void => {
    const t = k[a] as number;
    k[a] = k[b] as number;
    k[b] = t;
    const u = idx[a] as number;
    idx[a] = idx[b] as number;
    idx[b] = u;
  };
  const stack = new Int32Array(128);
  let sp = 0;
  stack[sp++] = 0;
  stack[sp++] = n - 1;
  while (sp > 0) {
    let hi = stack[--sp] as number;
    let lo = stack[--sp] as number;
    while (hi - lo > 16) {
      const mid = (lo + hi) >> 1;
      if ((k[mid] as number) < (k[lo] as number)) swap(lo, mid);
      if ((k[hi] as number) < (k[lo] as number)) swap(lo, hi);
      if ((k[hi] as number) < (k[mid] as number)) swap(mid, hi);
      const pivot = k[mid] as number;
      let i = lo;
      let j = hi;
      while (i <= j) {
        while ((k[i] as number) < pivot) i++;
        while ((k[j] as number) > pivot) j--;
        if (i <= j) swap(i++, j--);
      }
      if (j - lo < hi - i) {
        stack[sp++] = i;
        stack[sp++] = hi;
        hi = j;
      } else {
        stack[sp++] = lo;
        stack[sp++] = j;
        lo = i;
      }
    }
    for (let a = lo + 1; a <= hi; a++) {
      const kv = k[a] as number;
      const iv = idx[a] as number;
      let b = a - 1;
      while (b >= lo && (k[b] as number) > kv) {
        k[b + 1] = k[b] as number;
        idx[b + 1] = idx[b] as number;
        b--;
      }
      k[b + 1] = kv;
      idx[b + 1] = iv;
    }
  }
  return { keys: k, idx };
}

function ties(s: Float64Array, y: Float64Array | undefined, w: Float64Array | undefined): Ties {
  const { keys, idx } = sortWithIndex(s);
  const rank = new Int32Array(s.length);
  let m = 0;
  for (let j = 0; j < keys.length; j++) {
    const v = keys[j] as number;
    if (m === 0 || v !== keys[m - 1]) keys[m++] = v;
    rank[idx[j] as number] = m - 1;
  }
  const pos = new Float64Array(m);
  const neg = new Float64Array(m);
  for (let i = 0; i < s.length; i++) {
    const r = rank[i] as number;
    const wi = w === undefined ? 1 : (w[i] as number);
    if (y !== undefined && y[i] === 1) pos[r] = (pos[r] as number) + wi;
    else neg[r] = (neg[r] as number) + wi;
  }
  return { values: keys.slice(0, m), rank, pos, neg };
}

/** Weighted counts of bads and goods. */
function classTotals(c: Checked): { pos: number; neg: number } {
  let pos = 0;
  let neg = 0;
  for (let i = 0; i < c.y.length; i++) {
    const wi = c.w === undefined ? 1 : (c.w[i] as number);
    if (c.y[i] === 1) pos += wi;
    else neg += wi;
  }
  return { pos, neg };
}

function requireBothClasses(what: string, pos: number, neg: number): void {
  if (pos <= 0 || neg <= 0) {
    throw new RiskError(
      'E_DATA_INVALID',
      `${what}: labels must hold both classes with positive weight, received ${pos} bad and ${neg} good`,
      { expected: 'at least one bad and one good', received: { bad: pos, good: neg } },
    );
  }
}

/**
 * Area under the ROC curve: the probability that a random bad scores higher than a random good, ties
 * counting one half (the Mann-Whitney U statistic divided by n_bad·n_good). O(n log n) by sorting once and
 * walking tie groups, so tied scores get their average rank.
 * @param y labels, 1 = bad
 * @param score higher = riskier (a PD)
 * @param weights optional non-negative sample weights
 * @throws E_DATA_INVALID on bad labels, non-finite scores, negative weights or a single class
 * @example auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) // 0.75
 */
export function auc(y: ArrayLike<number>, score: ArrayLike<number>, weights?: ArrayLike<number>): number {
  const c = check('auc', y, score, weights);
  const { pos, neg } = classTotals(c);
  requireBothClasses('auc', pos, neg);
  const t = ties(c.s, c.y, c.w);
  let area = 0;
  let negBelow = 0;
  for (let r = 0; r < t.values.length; r++) {
    const gNeg = t.neg[r] as number;
    area += (t.pos[r] as number) * (negBelow + 0.5 * gNeg);
    negBelow += gNeg;
  }
  return area / (pos * neg);
}

/**
 * Gini (accuracy ratio) = 2·AUC − 1.
 * @example gini([0, 1], [0.2, 0.9]) // 1
 */
export function gini(y: ArrayLike<number>, score: ArrayLike<number>, weights?: ArrayLike<number>): number {
  return 2 * auc(y, score, weights) - 1;
}

/** A ROC curve: one point per distinct threshold, from (0, 0) at +∞ down to (1, 1). */
export interface RocCurve {
  /** Rows with score ≥ threshold are called bad; the first threshold is +Infinity. */
  readonly thresholds: Float64Array;
  readonly fpr: Float64Array;
  readonly tpr: Float64Array;
}

/**
 * The ROC curve over distinct thresholds (descending): true-positive rate (share of bads caught) against
 * false-positive rate (share of goods caught) when rows scoring at or above the threshold are called bad.
 * @throws E_DATA_INVALID as for `auc`
 * @example rocCurve([0, 1], [0.2, 0.9]).tpr // Float64Array [0, 1, 1]
 */
export function rocCurve(
  y: ArrayLike<number>,
  score: ArrayLike<number>,
  weights?: ArrayLike<number>,
): RocCurve {
  const c = check('rocCurve', y, score, weights);
  const { pos, neg } = classTotals(c);
  requireBothClasses('rocCurve', pos, neg);
  const tie = ties(c.s, c.y, c.w);
  const m = tie.values.length;
  const thresholds = new Float64Array(m + 1);
  const fpr = new Float64Array(m + 1);
  const tpr = new Float64Array(m + 1);
  thresholds[0] = Number.POSITIVE_INFINITY;
  let tp = 0;
  let fp = 0;
  for (let j = 1; j <= m; j++) {
    const r = m - j;
    tp += tie.pos[r] as number;
    fp += tie.neg[r] as number;
    thresholds[j] = tie.values[r] as number;
    fpr[j] = fp / neg;
    tpr[j] = tp / pos;
  }
  return { thresholds, fpr, tpr };
}

/** The Kolmogorov-Smirnov statistic and the threshold where the bad and good score distributions part most. */
export interface KsResult {
  readonly ks: number;
  /** Rows scoring at or above it are called bad at the point of largest separation. */
  readonly threshold: number;
}

/**
 * KS = max |TPR − FPR| over distinct thresholds: the largest gap between the cumulative score distributions
 * of bads and goods. Ties are never split, so rows with equal scores always fall on the same side.
 * @throws E_DATA_INVALID as for `auc`
 * @example ks([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]).ks // 0.5
 */
export function ks(y: ArrayLike<number>, score: ArrayLike<number>, weights?: ArrayLike<number>): KsResult {
  const roc = rocCurve(y, score, weights);
  let best = 0;
  let threshold = roc.thresholds[0] as number;
  for (let i = 1; i < roc.fpr.length; i++) {
    const gap = Math.abs((roc.tpr[i] as number) - (roc.fpr[i] as number));
    if (gap > best) {
      best = gap;
      threshold = roc.thresholds[i] as number;
    }
  }
  return { ks: best, threshold };
}

function checkProbabilities(what: string, p: Float64Array): void {
  for (let i = 0; i < p.length; i++) {
    const v = p[i] as number;
    if (!(v >= 0 && v <= 1)) {
      throw new RiskError(
        'E_DATA_INVALID',
        `${what}: probability at row ${i} must be in [0, 1], received ${v}`,
        {
          row: i,
          expected: 'a number in [0, 1]',
          received: v,
        },
      );
    }
  }
}

function weightSum(c: Checked): number {
  if (c.w === undefined) return c.y.length;
  let t = 0;
  for (let i = 0; i < c.w.length; i++) t += c.w[i] as number;
  return t;
}

function requireWeight(what: string, total: number): void {
  if (!(total > 0)) {
    throw new RiskError(
      'E_DATA_INVALID',
      `${what}: needs at least one row of positive weight, received none`,
      {
        expected: 'total weight > 0',
        received: total,
      },
    );
  }
}

/**
 * Brier score: the weighted mean of (pd − y)²; 0 is perfect, 0.25 is a coin toss at pd = 0.5.
 * @throws E_DATA_INVALID on bad labels, probabilities outside [0, 1] or no weight
 * @example brier([0, 1], [0.2, 0.6]) // (0.04 + 0.16) / 2 = 0.1
 */
export function brier(y: ArrayLike<number>, pd: ArrayLike<number>, weights?: ArrayLike<number>): number {
  const c = check('brier', y, pd, weights);
  checkProbabilities('brier', c.s);
  const total = weightSum(c);
  requireWeight('brier', total);
  let sum = 0;
  for (let i = 0; i < c.y.length; i++) {
    const d = (c.s[i] as number) - (c.y[i] as number);
    sum += (c.w === undefined ? 1 : (c.w[i] as number)) * d * d;
  }
  return sum / total;
}

/**
 * Log loss (cross-entropy): −mean[y·ln(pd) + (1 − y)·ln(1 − pd)], with pd clipped to [eps, 1 − eps] so that
 * a confident miss costs a large finite amount rather than Infinity (scikit-learn's convention).
 * @param eps clipping bound, default 1e-15
 * @throws E_DATA_INVALID as for `brier`
 * @example logLoss([0, 1], [0.5, 0.5]) // ln 2 ≈ 0.6931
 */
export function logLoss(
  y: ArrayLike<number>,
  pd: ArrayLike<number>,
  weights?: ArrayLike<number>,
  eps = 1e-15,
): number {
  const c = check('logLoss', y, pd, weights);
  checkProbabilities('logLoss', c.s);
  const total = weightSum(c);
  requireWeight('logLoss', total);
  let sum = 0;
  for (let i = 0; i < c.y.length; i++) {
    const p = Math.min(1 - eps, Math.max(eps, c.s[i] as number));
    const loss = c.y[i] === 1 ? -Math.log(p) : -Math.log(1 - p);
    sum += (c.w === undefined ? 1 : (c.w[i] as number)) * loss;
  }
  return sum / total;
}

/**
 * Assigns each row to one of `bins` quantile groups of `values` (0 = lowest values, or highest with
 * `descending`). A tie group is never split: it goes whole to the group that holds the midpoint of its
 * weight, so that the assignment does not depend on row order. Groups may therefore be empty or uneven
 * when values are heavily tied.
 */
function quantileGroups(
  values: Float64Array,
  bins: number,
  w: Float64Array | undefined,
  descending = false,
): Int32Array {
  const t = ties(values, undefined, w);
  const m = t.values.length;
  let total = 0;
  for (let r = 0; r < m; r++) total += t.neg[r] as number;
  const groupOf = new Int32Array(m);
  let before = 0;
  for (let j = 0; j < m; j++) {
    const r = descending ? m - 1 - j : j;
    const gw = t.neg[r] as number;
    const mid = total > 0 ? (before + gw / 2) / total : 0;
    groupOf[r] = Math.min(bins - 1, Math.floor(mid * bins));
    before += gw;
  }
  const group = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) group[i] = groupOf[t.rank[i] as number] as number;
  return group;
}

function checkBins(bins: number): void {
  if (!Number.isInteger(bins) || bins < 1 || bins > 1000) {
    throw new RiskError('E_OPTIONS_INVALID', `bins must be an integer in [1, 1000], received ${bins}`, {
      path: ['bins'],
      expected: 'an integer in [1, 1000]',
      received: bins,
    });
  }
}

/** One decile of a calibration table (weights count as rows). */
export interface CalibrationRow {
  /** 1 = lowest predicted pd. */
  readonly bin: number;
  readonly count: number;
  readonly minPd: number;
  readonly maxPd: number;
  readonly meanPd: number;
  /** Σ pd: the defaults the model expects in the bin. */
  readonly expectedEvents: number;
  readonly events: number;
  readonly observedRate: number;
}

/**
 * The calibration table: rows grouped by decile of predicted pd (ties kept together), with the mean
 * predicted pd against the observed default rate in each. Empty groups (from heavy ties) are left out.
 * @param options.bins number of groups, default 10; options.weights sample weights
 * @throws E_DATA_INVALID as for `brier`; E_OPTIONS_INVALID on a bad `bins`
 * @example calibrationTable(y, pd).map((r) => [r.meanPd, r.observedRate])
 */
export function calibrationTable(
  y: ArrayLike<number>,
  pd: ArrayLike<number>,
  options: { readonly bins?: number; readonly weights?: ArrayLike<number> } = {},
): CalibrationRow[] {
  const bins = options.bins ?? 10;
  checkBins(bins);
  const c = check('calibrationTable', y, pd, options.weights);
  checkProbabilities('calibrationTable', c.s);
  const group = quantileGroups(c.s, bins, c.w);
  const count = new Float64Array(bins);
  const events = new Float64Array(bins);
  const sumPd = new Float64Array(bins);
  const minPd = new Float64Array(bins).fill(Number.POSITIVE_INFINITY);
  const maxPd = new Float64Array(bins).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < c.y.length; i++) {
    const g = group[i] as number;
    const wi = c.w === undefined ? 1 : (c.w[i] as number);
    const p = c.s[i] as number;
    count[g] = (count[g] as number) + wi;
    events[g] = (events[g] as number) + wi * (c.y[i] as number);
    sumPd[g] = (sumPd[g] as number) + wi * p;
    if (p < (minPd[g] as number)) minPd[g] = p;
    if (p > (maxPd[g] as number)) maxPd[g] = p;
  }
  const rows: CalibrationRow[] = [];
  for (let g = 0; g < bins; g++) {
    const n = count[g] as number;
    if (n <= 0) continue;
    rows.push({
      bin: g + 1,
      count: n,
      minPd: minPd[g] as number,
      maxPd: maxPd[g] as number,
      meanPd: (sumPd[g] as number) / n,
      expectedEvents: sumPd[g] as number,
      events: events[g] as number,
      observedRate: (events[g] as number) / n,
    });
  }
  return rows;
}

/** One decile of a lift and gains table, riskiest decile first. */
export interface LiftRow {
  /** 1 = riskiest tenth of the population. */
  readonly decile: number;
  readonly count: number;
  readonly minScore: number;
  readonly maxScore: number;
  readonly events: number;
  readonly eventRate: number;
  /** Share of the population in this and all riskier deciles. */
  readonly cumCountShare: number;
  readonly cumEvents: number;
  /** Gains: share of all bads caught by this and all riskier deciles. */
  readonly gain: number;
  /** Event rate of the decile over the overall event rate. */
  readonly lift: number;
  /** Event rate of this and all riskier deciles over the overall event rate. */
  readonly cumLift: number;
}

/**
 * Lift and gains by decile of score, riskiest first: how many bads each tenth of the population holds and
 * what share of all bads a cut-off at that depth would catch.
 * @param options.higherIsRiskier true for a PD (default), false for scorecard points where higher = safer
 * @throws E_DATA_INVALID as for `auc`; E_OPTIONS_INVALID on a bad `bins`
 * @example liftTable(y, pd)[0].lift // e.g. 3.2: the riskiest tenth holds 3.2× the average bad rate
 */
export function liftTable(
  y: ArrayLike<number>,
  score: ArrayLike<number>,
  options: {
    readonly bins?: number;
    readonly weights?: ArrayLike<number>;
    readonly higherIsRiskier?: boolean;
  } = {},
): LiftRow[] {
  const bins = options.bins ?? 10;
  checkBins(bins);
  const c = check('liftTable', y, score, options.weights);
  const { pos, neg } = classTotals(c);
  requireBothClasses('liftTable', pos, neg);
  const group = quantileGroups(c.s, bins, c.w, options.higherIsRiskier !== false);
  const count = new Float64Array(bins);
  const events = new Float64Array(bins);
  const lo = new Float64Array(bins).fill(Number.POSITIVE_INFINITY);
  const hi = new Float64Array(bins).fill(Number.NEGATIVE_INFINITY);
  for (let i = 0; i < c.y.length; i++) {
    const g = group[i] as number;
    const wi = c.w === undefined ? 1 : (c.w[i] as number);
    const v = c.s[i] as number;
    count[g] = (count[g] as number) + wi;
    events[g] = (events[g] as number) + wi * (c.y[i] as number);
    if (v < (lo[g] as number)) lo[g] = v;
    if (v > (hi[g] as number)) hi[g] = v;
  }
  const total = pos + neg;
  const overall = pos / total;
  const rows: LiftRow[] = [];
  let cumCount = 0;
  let cumEvents = 0;
  for (let g = 0; g < bins; g++) {
    const n = count[g] as number;
    if (n <= 0) continue;
    const e = events[g] as number;
    cumCount += n;
    cumEvents += e;
    rows.push({
      decile: g + 1,
      count: n,
      minScore: lo[g] as number,
      maxScore: hi[g] as number,
      events: e,
      eventRate: e / n,
      cumCountShare: cumCount / total,
      cumEvents,
      gain: cumEvents / pos,
      lift: e / n / overall,
      cumLift: cumEvents / cumCount / overall,
    });
  }
  return rows;
}

/** The conventional reading of a PSI or CSI value. */
export type StabilityBand = 'stable' | 'moderate' | 'significant';

/**
 * Reads a PSI/CSI value: below 0.10 stable, 0.10 to 0.25 a moderate shift worth watching, above 0.25 a
 * significant shift (the population no longer looks like the one the model was built on).
 * @example stabilityBand(0.12) // 'moderate'
 */
export function stabilityBand(value: number): StabilityBand {
  if (value < 0.1) return 'stable';
  if (value <= 0.25) return 'moderate';
  return 'significant';
}

/** One bin of a PSI computation. */
export interface StabilityBin {
  readonly label: string;
  readonly expectedCount: number;
  readonly actualCount: number;
  readonly expectedShare: number;
  readonly actualShare: number;
  /** (actual − expected)·ln(actual / expected), with empty shares floored at epsilon. */
  readonly contribution: number;
}

/** A PSI (or one variable's CSI) with its band and per-bin contributions. */
export interface StabilityResult {
  readonly value: number;
  readonly band: StabilityBand;
  readonly bins: readonly StabilityBin[];
}

/** The default floor for an empty bin's share, so that ln(a/e) stays finite. */
export const STABILITY_EPSILON = 1e-4;

/**
 * PSI from per-bin counts: with shares e_i = E_i/ΣE and a_i = A_i/ΣA (a zero share replaced by epsilon),
 * PSI = Σ (a_i − e_i)·ln(a_i / e_i). Symmetric in its two inputs, zero when the shares agree.
 * @throws E_DATA_INVALID when the two count lists differ in length or either is empty or negative
 * @example populationStability([50, 50], [40, 60]).value // 0.1·ln(1.25) + 0.1·ln(1.2) ≈ 0.0405
 */
export function populationStability(
  expectedCounts: ArrayLike<number>,
  actualCounts: ArrayLike<number>,
  options: { readonly labels?: readonly string[]; readonly epsilon?: number } = {},
): StabilityResult {
  const k = expectedCounts.length;
  if (actualCounts.length !== k || k === 0) {
    throw new RiskError(
      'E_DATA_INVALID',
      `populationStability: expected and actual counts must have the same non-zero length, received ${k} and ${actualCounts.length}`,
      { expected: 'equal, non-zero lengths', received: [k, actualCounts.length] },
    );
  }
  const eps = options.epsilon ?? STABILITY_EPSILON;
  let te = 0;
  let ta = 0;
  for (let i = 0; i < k; i++) {
    const e = expectedCounts[i] as number;
    const a = actualCounts[i] as number;
    if (!(e >= 0) || !(a >= 0)) {
      throw new RiskError(
        'E_DATA_INVALID',
        `populationStability: counts of bin ${i} must be ≥ 0, received expected ${e}, actual ${a}`,
        { path: [i], expected: 'counts ≥ 0', received: [e, a] },
      );
    }
    te += e;
    ta += a;
  }
  if (!(te > 0) || !(ta > 0)) {
    throw new RiskError(
      'E_DATA_INVALID',
      `populationStability: both populations need rows, received ${te} expected and ${ta} actual`,
      { expected: 'totals > 0', received: [te, ta] },
    );
  }
  const bins: StabilityBin[] = [];
  let value = 0;
  for (let i = 0; i < k; i++) {
    const ec = expectedCounts[i] as number;
    const ac = actualCounts[i] as number;
    const es = Math.max(ec / te, eps);
    const as = Math.max(ac / ta, eps);
    const contribution = (as - es) * Math.log(as / es);
    value += contribution;
    bins.push({
      label: options.labels?.[i] ?? String(i + 1),
      expectedCount: ec,
      actualCount: ac,
      expectedShare: ec / te,
      actualShare: ac / ta,
      contribution,
    });
  }
  return { value, band: stabilityBand(value), bins };
}

/**
 * Quantile cut points of the expected values: c_j is the first value with at least j/bins of the weight
 * below it; duplicates and a cut at the minimum (which would leave an empty first bin) are dropped.
 */
function quantileEdges(values: Float64Array, bins: number, w: Float64Array | undefined): number[] {
  // Copies only when there are missing values to leave out (usually there are none).
  const finite = (_: number, i: number): boolean => !Number.isNaN(values[i] as number);
  const anyMissing = values.some(Number.isNaN);
  const t = ties(
    anyMissing ? values.filter(finite) : values,
    undefined,
    w === undefined || !anyMissing ? w : w.filter(finite),
  );
  let total = 0;
  for (let r = 0; r < t.values.length; r++) total += t.neg[r] as number;
  const edges: number[] = [];
  let before = 0;
  let j = 1;
  for (let r = 0; r < t.values.length && j < bins; r++) {
    // `before` is the weight strictly below this value, so a tie group is never cut; the minimum is never
    // an edge, as it would leave the first bin empty.
    while (j < bins && before >= (j / bins) * total) {
      if (r > 0 && (edges.length === 0 || (t.values[r] as number) > (edges[edges.length - 1] as number))) {
        edges.push(t.values[r] as number);
      }
      j++;
    }
    before += t.neg[r] as number;
  }
  return edges;
}

/** The bin of a value among sorted cut points: the number of cut points at or below it. */
function binOf(v: number, edges: readonly number[]): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((edges[mid] as number) <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function formatEdge(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

/**
 * Population Stability Index of a numeric variable (usually the score) between a baseline ("expected", e.g.
 * the development sample) and a recent ("actual") population. Bins are the deciles of the expected values
 * (ties kept together); missing values (NaN) form their own bin.
 * @param options.bins default 10; options.epsilon floor for empty shares, default 1e-4
 * @throws E_DATA_INVALID on negative weights or an empty population; E_OPTIONS_INVALID on a bad `bins`
 * @example psi(trainScores, recentScores).band // 'stable'
 */
export function psi(
  expected: ArrayLike<number>,
  actual: ArrayLike<number>,
  options: {
    readonly bins?: number;
    readonly epsilon?: number;
    readonly expectedWeights?: ArrayLike<number>;
    readonly actualWeights?: ArrayLike<number>;
  } = {},
): StabilityResult {
  const bins = options.bins ?? 10;
  checkBins(bins);
  const e = toF64(expected);
  const a = toF64(actual);
  const ew = checkWeights('psi', 'expectedWeights', options.expectedWeights, e.length);
  const aw = checkWeights('psi', 'actualWeights', options.actualWeights, a.length);
  const edges = quantileEdges(e, bins, ew);
  const k = edges.length + 1;
  // Slot k holds missing values; it is dropped below when neither population has any.
  const ec = new Float64Array(k + 1);
  const ac = new Float64Array(k + 1);
  const tally = (vals: Float64Array, w: Float64Array | undefined, out: Float64Array): void => {
    for (let i = 0; i < vals.length; i++) {
      const v = vals[i] as number;
      const b = Number.isNaN(v) ? k : binOf(v, edges);
      out[b] = (out[b] as number) + (w === undefined ? 1 : (w[i] as number));
    }
  };
  tally(e, ew, ec);
  tally(a, aw, ac);
  const labels: string[] = [];
  for (let b = 0; b < k; b++) {
    const lo = b === 0 ? '-∞' : formatEdge(edges[b - 1] as number);
    const hi = b === k - 1 ? '+∞' : formatEdge(edges[b] as number);
    labels.push(`[${lo}, ${hi})`);
  }
  const hasMissing = (ec[k] as number) > 0 || (ac[k] as number) > 0;
  if (hasMissing) labels.push('missing');
  const n = hasMissing ? k + 1 : k;
  const stability = populationStability(
    ec.subarray(0, n),
    ac.subarray(0, n),
    options.epsilon === undefined ? { labels } : { labels, epsilon: options.epsilon },
  );
  return stability;
}

function checkWeights(
  what: string,
  name: string,
  w: ArrayLike<number> | undefined,
  n: number,
): Float64Array | undefined {
  if (w === undefined) return undefined;
  if (w.length !== n) {
    throw new RiskError('E_DATA_INVALID', `${what}: ${name} has ${w.length} rows, values have ${n}`, {
      path: [name],
      expected: `${n} weights`,
      received: w.length,
    });
  }
  const out = toF64(w);
  for (let i = 0; i < n; i++) {
    const v = out[i] as number;
    if (!(v >= 0) || !Number.isFinite(v)) {
      throw new RiskError('E_DATA_INVALID', `${what}: ${name}[${i}] must be ≥ 0, received ${v}`, {
        path: [name, i],
        expected: 'a finite number ≥ 0',
        received: v,
      });
    }
  }
  return out;
}

/** One variable's Characteristic Stability Index. */
export interface CsiResult extends StabilityResult {
  readonly variable: string;
}

/**
 * Characteristic Stability Index: the PSI of each input variable between a baseline and a recent frame.
 * Numeric columns are binned by deciles of the baseline (missing as its own bin); categorical columns by
 * level, matched by label, with a level unseen in the baseline counted against an expected share of epsilon.
 * @param variables the columns to compare, default every column present in both frames
 * @throws E_FRAME_SHAPE when a named column is absent from either frame or differs in kind
 * @example csi(trainFrame, recentFrame, { variables: model.featureNames }).filter((r) => r.band !== 'stable')
 */
export function csi(
  expected: Frame,
  actual: Frame,
  options: { readonly variables?: readonly string[]; readonly bins?: number; readonly epsilon?: number } = {},
): CsiResult[] {
  const names = options.variables ?? expected.names.filter((n) => actual.has(n));
  const extra = options.epsilon === undefined ? {} : { epsilon: options.epsilon };
  return names.map((name): CsiResult => {
    const ec = expected.column(name);
    const ac = actual.column(name);
    if (ec.kind === 'numeric' && ac.kind === 'numeric') {
      const r = psi(ec.values, ac.values, { bins: options.bins ?? 10, ...extra });
      return { variable: name, ...r };
    }
    if (ec.kind === 'categorical' && ac.kind === 'categorical') {
      const labels = [...ec.levels];
      const index = new Map(labels.map((l, i) => [l, i]));
      for (const l of ac.levels) {
        if (!index.has(l)) {
          index.set(l, labels.length);
          labels.push(l);
        }
      }
      const missing = labels.length;
      const eCounts = new Float64Array(missing + 1);
      const aCounts = new Float64Array(missing + 1);
      for (const code of ec.codes) {
        const b = code < 0 ? missing : (index.get(ec.levels[code] as string) as number);
        eCounts[b] = (eCounts[b] as number) + 1;
      }
      for (const code of ac.codes) {
        const b = code < 0 ? missing : (index.get(ac.levels[code] as string) as number);
        aCounts[b] = (aCounts[b] as number) + 1;
      }
      const keep = (eCounts[missing] as number) > 0 || (aCounts[missing] as number) > 0;
      const n = keep ? missing + 1 : missing;
      const r = populationStability(eCounts.subarray(0, n), aCounts.subarray(0, n), {
        labels: keep ? [...labels, 'missing'] : labels,
        ...extra,
      });
      return { variable: name, ...r };
    }
    throw new RiskError(
      'E_FRAME_SHAPE',
      `csi: column ${name} is ${ec.kind} in the baseline but ${ac.kind} in the recent frame`,
      { column: name, expected: ec.kind, received: ac.kind },
    );
  });
}

/** Every headline metric of a binary model on one labelled sample. */
export interface BinaryEvaluation {
  readonly rows: number;
  /** Weighted count of bads. */
  readonly events: number;
  readonly eventRate: number;
  readonly auc: number;
  readonly gini: number;
  readonly ks: number;
  readonly ksThreshold: number;
  readonly brier: number;
  readonly logLoss: number;
  readonly calibration: readonly CalibrationRow[];
  readonly lift: readonly LiftRow[];
}

/**
 * Computes AUC, Gini, KS, Brier, log loss, the calibration table and the lift table in one call.
 * @throws E_DATA_INVALID as the individual metrics do
 * @example const m = evaluateBinary(y, model.predictProba(frame)); m.auc; m.lift[0].lift;
 */
export function evaluateBinary(
  y: ArrayLike<number>,
  pd: ArrayLike<number>,
  options: { readonly weights?: ArrayLike<number>; readonly bins?: number } = {},
): BinaryEvaluation {
  const w = options.weights;
  const c = check('evaluateBinary', y, pd, w);
  checkProbabilities('evaluateBinary', c.s);
  const { pos, neg } = classTotals(c);
  requireBothClasses('evaluateBinary', pos, neg);
  const a = auc(c.y, c.s, c.w);
  const k = ks(c.y, c.s, c.w);
  const tableOptions = { bins: options.bins ?? 10, ...(c.w === undefined ? {} : { weights: c.w }) };
  return {
    rows: c.y.length,
    events: pos,
    eventRate: pos / (pos + neg),
    auc: a,
    gini: 2 * a - 1,
    ks: k.ks,
    ksThreshold: k.threshold,
    brier: brier(c.y, c.s, c.w),
    logLoss: logLoss(c.y, c.s, c.w),
    calibration: calibrationTable(c.y, c.s, tableOptions),
    lift: liftTable(c.y, c.s, tableOptions),
  };
}

// Shared with the score-band table (bands.ts), which cuts and validates exactly as the metrics above do.
export { binOf, check as checkScored, checkBins, formatEdge, quantileEdges };
