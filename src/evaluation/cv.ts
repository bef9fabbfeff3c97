import { RiskError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';
import { Rng } from '../core/rng.js';
import { auc, ks } from './metrics.js';

/**
 * Resampling for honest evaluation: stratified, seeded k-fold assignment, train/test index pairs, an
 * out-of-time split by date, and cross-validation of any estimator through its fit/predictProba pair.
 */

/**
 * Assigns each row to one of k folds so that every fold holds each class in (almost) the same proportion:
 * the rows of each class are shuffled with a seeded RNG and dealt out in turn, the deal carrying on from
 * one class to the next, so fold sizes differ by at most one overall and per class.
 * @param y class labels (any finite numbers; usually 0/1)
 * @param k number of folds, an integer in [2, rows]
 * @param seed RNG seed: the same labels and seed always give the same folds
 * @returns the fold (0..k-1) of each row
 * @throws E_OPTIONS_INVALID on a bad k; E_DATA_INVALID on a non-finite label
 * @example const folds = stratifiedKFold(y, 5, 42); // folds[i] ∈ {0..4}
 */
export function stratifiedKFold(y: ArrayLike<number>, k: number, seed: number): Int32Array {
  const n = y.length;
  if (!Number.isInteger(k) || k < 2 || k > n) {
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `k must be an integer in [2, ${n}] (the row count), received ${k}`,
      {
        path: ['k'],
        expected: `an integer in [2, ${n}]`,
        received: k,
      },
    );
  }
  if (!Number.isInteger(seed)) {
    throw new RiskError('E_OPTIONS_INVALID', `seed must be an integer, received ${seed}`, {
      path: ['seed'],
      expected: 'an integer',
      received: seed,
    });
  }
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const label = y[i] as number;
    if (!Number.isFinite(label)) {
      throw new RiskError('E_DATA_INVALID', `label at row ${i} must be a finite number, received ${label}`, {
        row: i,
        expected: 'a finite number',
        received: label,
      });
    }
    const rows = byClass.get(label);
    if (rows === undefined) byClass.set(label, [i]);
    else rows.push(i);
  }
  const rng = new Rng(seed);
  const folds = new Int32Array(n);
  let next = 0;
  // Classes in numeric order, so that the deal does not depend on which class the first row holds.
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const rows = rng.shuffle(byClass.get(label) as number[]);
    for (const r of rows) {
      folds[r] = next;
      next = (next + 1) % k;
    }
  }
  return folds;
}

/** The row indices of one train/test pair. */
export interface Split {
  readonly train: Int32Array;
  readonly test: Int32Array;
}

/**
 * Turns fold assignments into k train/test pairs (fold f is the test part of pair f).
 * @throws E_DATA_INVALID when an assignment lies outside [0, k)
 * @example for (const { train, test } of foldSplits(stratifiedKFold(y, 5, 1), 5)) fit(x.take(train));
 */
export function foldSplits(folds: ArrayLike<number>, k: number): Split[] {
  const sizes = new Int32Array(k);
  for (let i = 0; i < folds.length; i++) {
    const f = folds[i] as number;
    if (!Number.isInteger(f) || f < 0 || f >= k) {
      throw new RiskError(
        'E_DATA_INVALID',
        `fold of row ${i} must be an integer in [0, ${k}), received ${f}`,
        {
          row: i,
          expected: `an integer in [0, ${k})`,
          received: f,
        },
      );
    }
    sizes[f] = (sizes[f] as number) + 1;
  }
  const splits: Split[] = [];
  for (let f = 0; f < k; f++) {
    const test = new Int32Array(sizes[f] as number);
    const train = new Int32Array(folds.length - (sizes[f] as number));
    let a = 0;
    let b = 0;
    for (let i = 0; i < folds.length; i++) {
      if (folds[i] === f) test[a++] = i;
      else train[b++] = i;
    }
    splits.push({ train, test });
  }
  return splits;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** Milliseconds since the epoch of an ISO 8601 date or date-time; NaN when the text is not one. */
export function isoTime(text: string): number {
  const m = ISO_DATE.exec(text);
  if (m === null) return Number.NaN;
  // Date.parse rolls 2024-02-30 over to March: a calendar date that does not round-trip is not a date.
  const [year, month, day] = text.slice(0, 10).split('-').map(Number) as [number, number, number];
  const midnight = new Date(Date.UTC(year, month - 1, day));
  if (midnight.getUTCMonth() !== month - 1 || midnight.getUTCDate() !== day) return Number.NaN;
  // A date-time without a zone is read as UTC (as a bare date already is), so that the split never
  // depends on the machine's time zone.
  const t = text.replace(' ', 'T');
  return Date.parse(t.length > 10 && m[4] === undefined ? `${t}Z` : t);
}

/**
 * Splits rows by date for out-of-time validation: rows dated before `from` train, rows dated on or after
 * it test. Dates are ISO 8601 strings (`2024-03-31`, `2024-03-31T12:00:00Z`) or Date objects.
 * @throws E_OPTIONS_INVALID when `from` is not a date; E_DATA_INVALID naming the first row whose date is
 *   missing or malformed, or when either side is empty
 * @example const { train, test } = outOfTimeSplit(frameDates, '2024-01-01');
 */
export function outOfTimeSplit(
  dates: ArrayLike<string | Date | null | undefined>,
  from: string | Date,
): Split {
  const cut = from instanceof Date ? from.getTime() : isoTime(from);
  if (Number.isNaN(cut)) {
    throw new RiskError('E_OPTIONS_INVALID', `from must be an ISO 8601 date, received ${String(from)}`, {
      path: ['from'],
      expected: 'an ISO 8601 date such as 2024-01-01',
      received: String(from),
    });
  }
  const side = new Uint8Array(dates.length);
  let nTest = 0;
  for (let i = 0; i < dates.length; i++) {
    const d = dates[i];
    const t = d instanceof Date ? d.getTime() : typeof d === 'string' ? isoTime(d.trim()) : Number.NaN;
    if (Number.isNaN(t)) {
      throw new RiskError(
        'E_DATA_INVALID',
        `date at row ${i} must be an ISO 8601 date, received ${d === null || d === undefined ? 'nothing' : JSON.stringify(String(d))}`,
        { row: i, expected: 'an ISO 8601 date', received: d === undefined ? null : String(d) },
      );
    }
    if (t >= cut) {
      side[i] = 1;
      nTest++;
    }
  }
  if (nTest === 0 || nTest === dates.length) {
    throw new RiskError(
      'E_DATA_INVALID',
      `out-of-time split at ${String(from)} leaves ${dates.length - nTest} rows before and ${nTest} on or after it; both sides need rows`,
      { expected: 'rows on both sides of the cut', received: { before: dates.length - nTest, after: nTest } },
    );
  }
  const train = new Int32Array(dates.length - nTest);
  const test = new Int32Array(nTest);
  let a = 0;
  let b = 0;
  for (let i = 0; i < side.length; i++) {
    if (side[i] === 1) test[b++] = i;
    else train[a++] = i;
  }
  return { train, test };
}

/** Anything that can be fitted on a frame and give a probability of default per row. */
export interface Fittable {
  fit(x: Frame, y: ArrayLike<number>): unknown;
  predictProba(x: Frame): Float64Array;
}

/** The result of cross-validating one model configuration. */
export interface CrossValidation {
  readonly folds: readonly { readonly auc: number; readonly ks: number; readonly rows: number }[];
  readonly meanAuc: number;
  /** Sample standard deviation of the fold AUCs. */
  readonly sdAuc: number;
  readonly meanKs: number;
  /** Each row's prediction from the model that did not see it. */
  readonly outOfFold: Float64Array;
  /** AUC of the pooled out-of-fold predictions. */
  readonly oofAuc: number;
}

/**
 * Stratified k-fold cross-validation: fits a fresh model per fold on the other k−1 folds and scores the
 * held-out fold.
 * @param make builds an unfitted model (called once per fold, so no state leaks between folds)
 * @param options.k folds, default 5; options.seed default 42
 * @throws whatever `fit` throws; E_OPTIONS_INVALID on a bad k; E_DATA_INVALID when a fold lacks a class
 * @example crossValidate(() => new Scorecard({}), x, y, { k: 5, seed: 1 }).meanAuc
 */
export function crossValidate(
  make: () => Fittable,
  x: Frame,
  y: ArrayLike<number>,
  options: { readonly k?: number; readonly seed?: number } = {},
): CrossValidation {
  const k = options.k ?? 5;
  if (x.nRows !== y.length) {
    throw new RiskError('E_DATA_INVALID', `x has ${x.nRows} rows but y has ${y.length}`, {
      expected: `${x.nRows} labels`,
      received: y.length,
    });
  }
  const folds = stratifiedKFold(y, k, options.seed ?? 42);
  const yy = Float64Array.from(y);
  const oof = new Float64Array(y.length);
  const results: { auc: number; ks: number; rows: number }[] = [];
  for (const { train, test } of foldSplits(folds, k)) {
    const model = make();
    const ytrain = new Float64Array(train.length);
    for (let i = 0; i < train.length; i++) ytrain[i] = yy[train[i] as number] as number;
    model.fit(x.take(train), ytrain);
    const p = model.predictProba(x.take(test));
    const yt = new Float64Array(test.length);
    for (let i = 0; i < test.length; i++) {
      yt[i] = yy[test[i] as number] as number;
      oof[test[i] as number] = p[i] as number;
    }
    results.push({ auc: auc(yt, p), ks: ks(yt, p).ks, rows: test.length });
  }
  const mean = results.reduce((s, r) => s + r.auc, 0) / k;
  const sd = Math.sqrt(results.reduce((s, r) => s + (r.auc - mean) ** 2, 0) / (k - 1));
  return {
    folds: results,
    meanAuc: mean,
    sdAuc: sd,
    meanKs: results.reduce((s, r) => s + r.ks, 0) / k,
    outOfFold: oof,
    oofAuc: auc(yy, oof),
  };
}
