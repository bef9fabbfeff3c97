/**
 * Split finding on gradient/hessian histograms. A histogram holds, per bin, three doubles: gradient sum,
 * hessian sum and row count; bin 0 is the missing bin. Gains follow LightGBM (no ½ factor): a node with
 * sums (G, H) and output w has gain −(2·T(G)·w + (H + λ)·w²), where T is the L1 soft threshold, and the
 * unconstrained optimum w* = −T(G) / (H + λ) gives T(G)² / (H + λ).
 */

/** The regularisation and size limits split finding obeys. */
export interface SplitParams {
  readonly lambdaL1: number;
  readonly lambdaL2: number;
  readonly minChildWeight: number;
  readonly minDataInLeaf: number;
  readonly minSplitGain: number;
  readonly catSmooth: number;
  readonly catL2: number;
  readonly maxCatThreshold: number;
  readonly maxCatToOnehot: number;
  readonly minDataPerGroup: number;
}

/** L1 soft threshold of a gradient sum. */
export function thresholdL1(g: number, l1: number): number {
  if (l1 <= 0) return g;
  const a = Math.abs(g) - l1;
  return a > 0 ? Math.sign(g) * a : 0;
}

/** The optimal leaf output −T(G)/(H + λ), clipped to the monotone bounds [lo, hi]. */
export function leafOutput(g: number, h: number, l1: number, l2: number, lo: number, hi: number): number {
  // A node of zero-weight rows (possible only with minChildWeight = λ = 0) gets no output.
  const w = h + l2 > 0 ? -thresholdL1(g, l1) / (h + l2) : 0;
  return Math.min(Math.max(w, lo), hi);
}

/** The gain of a node with sums (G, H) when its output is w. */
export function gainGivenOutput(g: number, h: number, l1: number, l2: number, w: number): number {
  return -(2 * thresholdL1(g, l1) * w + (h + l2) * w * w);
}

/** The best split found so far for one node (mutable, reused while scanning features). */
export class SplitInfo {
  /** Gain over the unsplit node; a split is taken only when it exceeds minSplitGain. */
  gain = Number.NEGATIVE_INFINITY;
  feature = -1;
  /** Numeric: codes 1 … thresholdBin go left. */
  thresholdBin = 0;
  defaultLeft = false;
  /** Categorical: the bin codes going left, ascending; null for numeric splits. */
  catLeft: number[] | null = null;
  leftG = 0;
  leftH = 0;
  leftC = 0;
  rightG = 0;
  rightH = 0;
  rightC = 0;
  leftOut = 0;
  rightOut = 0;

  get found(): boolean {
    return this.feature >= 0;
  }
}

/** What the split finder needs to know about the node being split. */
export interface NodeStats {
  readonly g: number;
  readonly h: number;
  readonly c: number;
  /** Monotone bounds on the outputs of the node's children. */
  readonly lo: number;
  readonly hi: number;
  /** gainGivenOutput of the node itself, plus minSplitGain: what a split must beat. */
  readonly gainShift: number;
}

/**
 * Scans the thresholds of one numeric feature, with the missing bin on each side in turn, and records a
 * better split in `best`. Splits whose clipped child outputs break the monotone direction are rejected.
 */
export function findNumericSplit(
  hist: Float64Array,
  base: number,
  nBins: number,
  feature: number,
  monotone: number,
  node: NodeStats,
  p: SplitParams,
  best: SplitInfo,
): void {
  const { lambdaL1: l1, lambdaL2: l2, minDataInLeaf: minData, minChildWeight: minHess } = p;
  const gm = hist[base]!;
  const hm = hist[base + 1]!;
  const cm = hist[base + 2]!;
  const sides = cm > 0 ? 2 : 1;
  // Without L1, constraint or bounds, the gain is G²/(H + λ) per side; outputs are needed only for a winner.
  const plain =
    l1 === 0 && monotone === 0 && node.lo === -Infinity && node.hi === Infinity && l2 + minHess > 0;
  for (let side = 0; side < sides; side++) {
    const missingLeft = side === 1;
    let gl = missingLeft ? gm : 0;
    let hl = missingLeft ? hm : 0;
    let cl = missingLeft ? cm : 0;
    for (let t = 1; t < nBins - 1; t++) {
      const k = base + 3 * t;
      const c = hist[k + 2]!;
      // An empty bin splits the rows as the threshold before it did (for t ≥ 2): nothing new to try.
      if (c === 0 && t > 1) continue;
      gl += hist[k]!;
      hl += hist[k + 1]!;
      cl += c;
      if (cl < minData || hl < minHess) continue;
      const cr = node.c - cl;
      const hr = node.h - hl;
      if (cr < minData || hr < minHess) break;
      const gr = node.g - gl;
      let gain: number;
      let outL: number;
      let outR: number;
      if (plain) {
        gain = (gl * gl) / (hl + l2) + (gr * gr) / (hr + l2) - node.gainShift;
        if (!(gain > best.gain)) continue;
        outL = -gl / (hl + l2);
        outR = -gr / (hr + l2);
      } else {
        outL = leafOutput(gl, hl, l1, l2, node.lo, node.hi);
        outR = leafOutput(gr, hr, l1, l2, node.lo, node.hi);
        if ((monotone > 0 && outL > outR) || (monotone < 0 && outL < outR)) continue;
        gain = gainGivenOutput(gl, hl, l1, l2, outL) + gainGivenOutput(gr, hr, l1, l2, outR) - node.gainShift;
        if (!(gain > best.gain)) continue;
      }
      best.gain = gain;
      best.feature = feature;
      best.thresholdBin = t;
      // With no missing value in the node, unseen missing values follow the larger side.
      best.defaultLeft = cm > 0 ? missingLeft : cl >= cr;
      best.catLeft = null;
      best.leftG = gl;
      best.leftH = hl;
      best.leftC = cl;
      best.rightG = gr;
      best.rightH = hr;
      best.rightC = cr;
      best.leftOut = outL;
      best.rightOut = outR;
    }
  }
}

/**
 * LightGBM's categorical split. With at most maxCatToOnehot categories, one category versus the rest.
 * Otherwise the categories with at least catSmooth rows are sorted by G / (H + catSmooth), and prefixes
 * of up to maxCatThreshold of them, taken from both ends, are tried as the left set; a threshold is only
 * evaluated once minDataPerGroup rows have been added since the last one, and the right side must keep
 * minDataPerGroup rows (these guard small categories against overfitting, as in LightGBM). The missing bin
 * (missing, rare and unseen levels) is tried on both sides; categories not placed go right.
 */
export function findCategoricalSplit(
  hist: Float64Array,
  base: number,
  nBins: number,
  feature: number,
  node: NodeStats,
  p: SplitParams,
  best: SplitInfo,
): void {
  const present: number[] = [];
  for (let b = 1; b < nBins; b++) if (hist[base + 3 * b + 2]! > 0) present.push(b);
  if (present.length === 0) return;
  const gm = hist[base]!;
  const hm = hist[base + 1]!;
  const cm = hist[base + 2]!;
  const tryLeft = (set: readonly number[], gl0: number, hl0: number, cl0: number, l2: number): void => {
    for (let side = 0; side < (cm > 0 ? 2 : 1); side++) {
      const missingLeft = side === 1;
      const gl = gl0 + (missingLeft ? gm : 0);
      const hl = hl0 + (missingLeft ? hm : 0);
      const cl = cl0 + (missingLeft ? cm : 0);
      const gr = node.g - gl;
      const hr = node.h - hl;
      const cr = node.c - cl;
      if (cl < p.minDataInLeaf || hl < p.minChildWeight || cr < p.minDataInLeaf || hr < p.minChildWeight) {
        continue;
      }
      const outL = leafOutput(gl, hl, p.lambdaL1, l2, node.lo, node.hi);
      const outR = leafOutput(gr, hr, p.lambdaL1, l2, node.lo, node.hi);
      const gain =
        gainGivenOutput(gl, hl, p.lambdaL1, l2, outL) +
        gainGivenOutput(gr, hr, p.lambdaL1, l2, outR) -
        node.gainShift;
      if (gain > best.gain) {
        best.gain = gain;
        best.feature = feature;
        best.thresholdBin = 0;
        best.defaultLeft = cm > 0 ? missingLeft : cl >= cr;
        best.catLeft = set.slice().sort((a, b) => a - b);
        best.leftG = gl;
        best.leftH = hl;
        best.leftC = cl;
        best.rightG = gr;
        best.rightH = hr;
        best.rightC = cr;
        best.leftOut = outL;
        best.rightOut = outR;
      }
    }
  };
  if (present.length <= p.maxCatToOnehot) {
    for (const b of present) {
      const k = base + 3 * b;
      tryLeft([b], hist[k]!, hist[k + 1]!, hist[k + 2]!, p.lambdaL2);
    }
    return;
  }
  const used = present.filter((b) => hist[base + 3 * b + 2]! >= p.catSmooth);
  if (used.length === 0) return;
  const ratio = (b: number): number => hist[base + 3 * b]! / (hist[base + 3 * b + 1]! + p.catSmooth);
  used.sort((a, b) => ratio(a) - ratio(b) || a - b);
  const maxK = Math.min(p.maxCatThreshold, Math.floor((used.length + 1) / 2));
  const l2 = p.lambdaL2 + p.catL2;
  for (const order of [used, used.slice().reverse()]) {
    let gl = 0;
    let hl = 0;
    let cl = 0;
    let group = 0;
    for (let i = 0; i < maxK && i < used.length; i++) {
      const k = base + 3 * (order[i] as number);
      gl += hist[k]!;
      hl += hist[k + 1]!;
      cl += hist[k + 2]!;
      group += hist[k + 2]!;
      if (node.c - cl < p.minDataPerGroup) break;
      if (group < p.minDataPerGroup) continue;
      group = 0;
      tryLeft(order.slice(0, i + 1), gl, hl, cl, l2);
    }
  }
}

/** The training arrays (kernels.ts TrainArrays) a split search task reads and writes. */
export interface SearchArrays {
  readonly search: Float64Array;
  readonly cats: Int32Array;
  readonly hist: Float64Array;
  readonly offsets: Int32Array;
  readonly nBins: Int32Array;
  readonly features: Int32Array;
  readonly isCat: Uint8Array;
  readonly monotone: Int8Array;
  readonly split: SplitParams;
  readonly ip: Int32Array;
}

/**
 * Split search as a team task (team.ts; sent to the helper thread as source, so it uses only this module's
 * functions), as TreeGrower.search does on one thread: chunk c finds the
 * best split over the first ip[2] features of the node whose sums are a.search[24c …] = [g, h, c, lo,
 * hi, gainShift, histogram offset], and writes from 24c + 7: [found, gain, feature, threshold bin,
 * default left, left g, h, c, right g, h, c, left output, right output]; a categorical split's left
 * categories go to cats[257c] (their number, −1 for a numeric split) and after it.
 */
export function searchListTask(a: SearchArrays, c: number): void {
  const { search: s, hist, offsets, nBins, features, isCat, monotone, split, cats } = a;
  const o = 24 * c;
  const node = { g: s[o]!, h: s[o + 1]!, c: s[o + 2]!, lo: s[o + 3]!, hi: s[o + 4]!, gainShift: s[o + 5]! };
  const hOff = s[o + 6]!;
  const best = new SplitInfo();
  best.gain = 0;
  const nf = a.ip[2]!;
  for (let i = 0; i < nf; i++) {
    const f = features[i]!;
    const base = hOff + 3 * offsets[f]!;
    if (isCat[f] === 1) findCategoricalSplit(hist, base, nBins[f]!, f, node, split, best);
    else findNumericSplit(hist, base, nBins[f]!, f, monotone[f]!, node, split, best);
  }
  const out = [best.found ? 1 : 0, best.gain, best.feature, best.thresholdBin, best.defaultLeft ? 1 : 0];
  out.push(
    best.leftG,
    best.leftH,
    best.leftC,
    best.rightG,
    best.rightH,
    best.rightC,
    best.leftOut,
    best.rightOut,
  );
  s.set(out, o + 7);
  const left = best.catLeft;
  cats[257 * c] = left === null ? -1 : left.length;
  if (left !== null) cats.set(left, 257 * c + 1);
}
