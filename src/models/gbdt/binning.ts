import { RiskError } from '../../core/errors.js';
import type { Frame } from '../../core/frame.js';
import { Rng } from '../../core/rng.js';

/**
 * How a numeric feature is binned: bin 0 holds missing values (NaN, and -Infinity, which prediction uses
 * as its missing sentinel); value bin k (code k + 1) holds x with upper[k - 1] < x <= upper[k], the last
 * one everything above the last bound. A split "code <= t" is therefore exactly "x <= upper[t - 1]".
 */
export interface NumericBins {
  readonly kind: 'numeric';
  readonly upper: readonly number[];
  readonly min: number;
  readonly max: number;
}

/**
 * How a categorical feature is binned: code k + 1 is levels[k] (most frequent first); bin 0 holds
 * missing values and every level not listed (too rare to get a bin, or unseen in training).
 */
export interface CategoricalBins {
  readonly kind: 'categorical';
  readonly levels: readonly string[];
}

/** The bin layout of one feature. */
export type FeatureBins = NumericBins | CategoricalBins;

/** Training data as bin codes: one Uint8Array per feature (column-major), bin 0 = missing. */
export interface BinnedData {
  readonly nRows: number;
  readonly featureNames: readonly string[];
  readonly info: readonly FeatureBins[];
  readonly bins: readonly Uint8Array[];
}

/** Number of bins of a feature, the missing bin included. */
export function binCount(info: FeatureBins): number {
  return info.kind === 'numeric' ? info.upper.length + 2 : info.levels.length + 1;
}

/**
 * Places quantile bin edges for every column of a frame, from a seeded row sample.
 * @param maxBins bins per feature including the missing bin (≤ 255, so that codes fit a byte)
 * @example const info = fitBins(frame, { maxBins: 255, sampleSize: 200_000, seed: 42 });
 */
export function fitBins(
  frame: Frame,
  options: { readonly maxBins: number; readonly sampleSize: number; readonly seed: number },
): FeatureBins[] {
  const n = frame.nRows;
  const sample = sampleRows(n, options.sampleSize, options.seed);
  return frame.columns.map((c): FeatureBins => {
    if (c.kind === 'numeric') return numericBins(c.values, sample, options.maxBins - 1);
    return categoricalBins(c.codes, c.levels, options.maxBins - 1);
  });
}

function sampleRows(n: number, size: number, seed: number): Int32Array | null {
  if (n <= size) return null;
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const rng = new Rng(seed ^ 0x5bd1e995);
  for (let i = 0; i < size; i++) {
    const j = i + rng.int(n - i);
    const t = idx[i] as number;
    idx[i] = idx[j] as number;
    idx[j] = t;
  }
  return idx.subarray(0, size).sort();
}

function numericBins(values: Float64Array, sample: Int32Array | null, maxValueBins: number): NumericBins {
  const m = sample === null ? values.length : sample.length;
  const buf = new Float64Array(m);
  let k = 0;
  for (let i = 0; i < m; i++) {
    const v = values[sample === null ? i : (sample[i] as number)] as number;
    if (v > Number.NEGATIVE_INFINITY) buf[k++] = v;
  }
  const sorted = buf.subarray(0, k).sort();
  if (k === 0) return { kind: 'numeric', upper: [], min: 0, max: 0 };
  // Distinct values and their counts, in typed arrays: building them was most of fitBins' time as arrays.
  const distinct = new Float64Array(k);
  const counts = new Int32Array(k);
  let nd = 0;
  for (let i = 0; i < k; i++) {
    const v = sorted[i] as number;
    if (nd > 0 && distinct[nd - 1] === v) counts[nd - 1]! += 1;
    else {
      distinct[nd] = v;
      counts[nd++] = 1;
    }
  }
  const upper: number[] = [];
  const boundaryAfter = (i: number): void => {
    const a = distinct[i] as number;
    const b = distinct[i + 1] as number;
    const mid = a + (b - a) / 2;
    // The midpoint, as LightGBM places it, unless rounding puts it on b: then a itself separates them.
    upper.push(mid < b && mid >= a ? mid : a);
  };
  if (nd <= maxValueBins) {
    for (let i = 0; i + 1 < nd; i++) boundaryAfter(i);
  } else {
    // Greedy equal-frequency bins: close a bin once it holds its share of what remains, and give a value
    // heavy enough to fill a bin alone a bin of its own.
    let rest = k;
    let binsLeft = maxValueBins;
    let target = rest / binsLeft;
    let inBin = 0;
    for (let i = 0; i + 1 < nd && binsLeft > 1; i++) {
      inBin += counts[i] as number;
      if (inBin >= target || (counts[i + 1] as number) >= target) {
        boundaryAfter(i);
        rest -= inBin;
        binsLeft--;
        target = rest / binsLeft;
        inBin = 0;
      }
    }
  }
  // The smallest and largest finite values, so that the layout survives JSON (which has no Infinity); the
  // sorted values hold no NaN and no -Infinity.
  let hiEnd = nd;
  while (hiEnd > 0 && distinct[hiEnd - 1] === Number.POSITIVE_INFINITY) hiEnd--;
  return {
    kind: 'numeric',
    upper,
    min: hiEnd > 0 ? distinct[0]! : 0,
    max: hiEnd > 0 ? distinct[hiEnd - 1]! : 0,
  };
}

function categoricalBins(
  codes: Int32Array,
  levels: readonly string[],
  maxValueBins: number,
): CategoricalBins {
  const counts = new Float64Array(levels.length);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i] as number;
    if (c >= 0) counts[c]! += 1;
  }
  const order: number[] = [];
  for (let c = 0; c < levels.length; c++) if ((counts[c] as number) > 0) order.push(c);
  // Most frequent first; ties by level text so that the layout does not depend on the frame's level order.
  order.sort(
    (a, b) =>
      (counts[b] as number) - (counts[a] as number) ||
      ((levels[a] as string) < (levels[b] as string) ? -1 : 1),
  );
  return { kind: 'categorical', levels: order.slice(0, maxValueBins).map((c) => levels[c] as string) };
}

/** The first k with x <= upper[k], or upper.length: the value bin of x (code = result + 1). */
export function valueBin(upper: Float64Array, x: number): number {
  let lo = 0;
  let hi = upper.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x <= (upper[mid] as number)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/**
 * Maps each frame column named in `names` to bin codes with a fitted layout.
 * @throws E_DATA_INVALID when a column's kind differs from the one the layout was fitted on
 */
export function applyBins(frame: Frame, names: readonly string[], info: readonly FeatureBins[]): BinnedData {
  const n = frame.nRows;
  const bins = names.map((name, j) => {
    const col = frame.column(name);
    const fi = info[j] as FeatureBins;
    checkKind(name, fi, col.kind);
    const out = new Uint8Array(n);
    if (col.kind === 'numeric' && fi.kind === 'numeric') {
      const upper = Float64Array.from(fi.upper);
      const v = col.values;
      for (let i = 0; i < n; i++) {
        const x = v[i] as number;
        out[i] = x > Number.NEGATIVE_INFINITY ? valueBin(upper, x) + 1 : 0;
      }
    } else if (col.kind === 'categorical' && fi.kind === 'categorical') {
      const remap = levelRemap(col.levels, fi.levels);
      const codes = col.codes;
      for (let i = 0; i < n; i++) {
        const c = codes[i] as number;
        out[i] = c < 0 ? 0 : (remap[c] as number);
      }
    }
    return out;
  });
  return { nRows: n, featureNames: names, info, bins };
}

/** For each level of a frame column, its bin code under a fitted layout (0 when unknown). */
export function levelRemap(frameLevels: readonly string[], fitted: readonly string[]): Int32Array {
  const index = new Map<string, number>();
  for (let i = 0; i < fitted.length; i++) index.set(fitted[i] as string, i + 1);
  const remap = new Int32Array(frameLevels.length);
  frameLevels.forEach((l, i) => {
    remap[i] = index.get(l) ?? 0;
  });
  return remap;
}

/** @throws E_DATA_INVALID when a column is numeric where the model expects categorical or back */
export function checkKind(name: string, info: FeatureBins, kind: 'numeric' | 'categorical'): void {
  if (info.kind !== kind) {
    throw new RiskError(
      'E_DATA_INVALID',
      `column ${name} must be ${info.kind} as in training, received a ${kind} column`,
      { column: name, expected: info.kind, received: kind },
    );
  }
}
