import { RiskError } from '../../core/errors.js';
import type { Frame } from '../../core/frame.js';
import { Rng } from '../../core/rng.js';
import { sortFloat64 } from '../../core/sort.js';

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
  const sorted = sortFloat64(buf.subarray(0, k));
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

/** Buckets of the value range in numericCodes' lookup table. */
const BUCKETS = 1024;

/**
 * Bin codes of numeric values (1 + valueBin; 0 for missing and -Infinity), the same as a binary search over
 * all the edges but faster: equal-width buckets between the first and last edge narrow each search to the
 * edges inside one bucket, usually none or one (a plain search was 80 ns a value, most of applyBins).
 */
function numericCodes(upper: Float64Array, values: Float64Array, out: Uint8Array): void {
  const nb = upper.length;
  const lowest = nb > 0 ? (upper[0] as number) : 0;
  const highest = nb > 0 ? (upper[nb - 1] as number) : 0;
  const width = (highest - lowest) / BUCKETS;
  if (!(width > 0 && Number.isFinite(width))) {
    for (let i = 0; i < values.length; i++) {
      const x = values[i] as number;
      out[i] = x > Number.NEGATIVE_INFINITY ? valueBin(upper, x) + 1 : 0;
    }
    return;
  }
  // edge[t] starts bucket t; first[t] = valueBin(edge[t]). For edge[t] ≤ x ≤ edge[t + 1], valueBin(x) lies in
  // [first[t], first[t + 1]] because valueBin never decreases.
  const edge = new Float64Array(BUCKETS + 1);
  const first = new Int32Array(BUCKETS + 1);
  for (let t = 0; t <= BUCKETS; t++) {
    edge[t] = t === BUCKETS ? highest : lowest + t * width;
    first[t] = valueBin(upper, edge[t] as number);
  }
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (!(x > Number.NEGATIVE_INFINITY)) out[i] = 0;
    else if (x <= lowest) out[i] = 1;
    else if (x > highest) out[i] = nb + 1;
    else {
      let t = Math.min(BUCKETS - 1, Math.floor((x - lowest) / width));
      // The division may round across a bucket's edge: step to the bucket that holds x.
      while (t > 0 && x < (edge[t] as number)) t--;
      while (t < BUCKETS - 1 && x > (edge[t + 1] as number)) t++;
      let lo = first[t] as number;
      let hi = first[t + 1] as number;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (x <= (upper[mid] as number)) hi = mid;
        else lo = mid + 1;
      }
      out[i] = lo + 1;
    }
  }
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
      numericCodes(Float64Array.from(fi.upper), col.values, out);
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
