import { RiskError } from '../core/errors.js';
import type { RocCurve } from '../evaluation/metrics.js';

/**
 * The data behind the report's curves, reduced to a few hundred points each, so that a chart of a
 * million-row sample stays a small inline SVG.
 */

/** Indices 0..n-1 thinned to at most `max`, always keeping the first, the last and any in `keep`. */
function thin(n: number, max: number, keep: readonly number[] = []): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const picked = new Set<number>(keep.filter((i) => i >= 0 && i < n));
  const step = (n - 1) / (max - 1);
  for (let j = 0; j < max; j++) picked.add(Math.round(j * step));
  return [...picked].sort((a, b) => a - b);
}

/** One point of a ROC curve. */
export interface RocPoint {
  readonly fpr: number;
  readonly tpr: number;
}

/**
 * The ROC curve thinned to at most `maxPoints` points (endpoints kept).
 * @example rocPoints(rocCurve(y, pd), 300)
 */
export function rocPoints(roc: RocCurve, maxPoints = 400): RocPoint[] {
  return thin(roc.fpr.length, maxPoints).map((i) => ({
    fpr: roc.fpr[i] as number,
    tpr: roc.tpr[i] as number,
  }));
}

/** One point of a KS chart: population depth (riskiest first) against the shares of bads and goods caught. */
export interface KsPoint {
  readonly depth: number;
  readonly bads: number;
  readonly goods: number;
}

/** The KS chart's curves and where they part most. */
export interface KsCurve {
  readonly points: readonly KsPoint[];
  readonly ks: number;
  readonly depth: number;
  readonly bads: number;
  readonly goods: number;
}

/**
 * The KS chart: as the cut-off moves from the riskiest row down, the cumulative share of bads and of goods
 * it would decline, against the share of the population declined. KS is the largest vertical gap.
 * @param roc the ROC curve of the sample; badShare the (weighted) share of bads in it
 * @example ksCurve(rocCurve(y, pd), 0.22).ks
 */
export function ksCurve(roc: RocCurve, badShare: number, maxPoints = 400): KsCurve {
  if (!(badShare > 0 && badShare < 1)) {
    throw new RiskError('E_DATA_INVALID', `ksCurve: badShare must be in (0, 1), received ${badShare}`, {
      path: ['badShare'],
      expected: 'a number in (0, 1)',
      received: badShare,
    });
  }
  let best = 0;
  for (let i = 1; i < roc.fpr.length; i++) {
    const gap = Math.abs((roc.tpr[i] as number) - (roc.fpr[i] as number));
    if (gap > Math.abs((roc.tpr[best] as number) - (roc.fpr[best] as number))) best = i;
  }
  const point = (i: number): KsPoint => {
    const bads = roc.tpr[i] as number;
    const goods = roc.fpr[i] as number;
    return { depth: badShare * bads + (1 - badShare) * goods, bads, goods };
  };
  const top = point(best);
  return {
    points: thin(roc.fpr.length, maxPoints, [best]).map(point),
    ks: Math.abs(top.bads - top.goods),
    depth: top.depth,
    bads: top.bads,
    goods: top.goods,
  };
}

/** One bar of a score histogram: the share of one class's rows whose score falls in [lo, hi). */
export interface HistogramBar {
  readonly lo: number;
  readonly hi: number;
  readonly cls: 'bad' | 'good';
  readonly share: number;
}

/**
 * Histograms of a score for bads and for goods on shared, equal-width bins (empty ones omitted), each normalised to its class
 * (so that a 5% bad class is as visible as the 95% good one). Integer scores (points) get integer-aligned
 * bins, so that no bin is emptier than its neighbours by rounding.
 * @example scoreHistogram(y, points, 30)
 */
export function scoreHistogram(y: ArrayLike<number>, score: ArrayLike<number>, bins = 30): HistogramBar[] {
  let lo = Number.POSITIVE_INFINITY;
  let hi = Number.NEGATIVE_INFINITY;
  let integers = true;
  for (let i = 0; i < score.length; i++) {
    const v = score[i] as number;
    if (!Number.isFinite(v)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
    if (integers && !Number.isInteger(v)) integers = false;
  }
  if (lo > hi) return [];
  let width = hi > lo ? (hi - lo) / bins : 1;
  if (integers) {
    width = Math.max(1, Math.ceil(width));
    lo = Math.floor(lo / width) * width;
  }
  // Integer bins must reach hi itself; real-valued ones put hi in the last bin.
  const k = integers ? Math.floor((hi - lo) / width) + 1 : hi > lo ? bins : 1;
  const counts = [new Float64Array(k), new Float64Array(k)];
  const totals = [0, 0];
  for (let i = 0; i < score.length; i++) {
    const v = score[i] as number;
    if (!Number.isFinite(v)) continue;
    const c = y[i] === 1 ? 1 : 0;
    const b = Math.min(k - 1, Math.floor((v - lo) / width));
    const row = counts[c] as Float64Array;
    row[b] = (row[b] as number) + 1;
    totals[c] = (totals[c] as number) + 1;
  }
  const bars: HistogramBar[] = [];
  for (const c of [0, 1]) {
    const total = totals[c] as number;
    if (total === 0) continue;
    for (let b = 0; b < k; b++) {
      // Empty bins are left out: a zero-height bar only clutters the baseline.
      if (((counts[c] as Float64Array)[b] as number) === 0) continue;
      bars.push({
        lo: lo + b * width,
        hi: lo + (b + 1) * width,
        cls: c === 1 ? 'bad' : 'good',
        share: ((counts[c] as Float64Array)[b] as number) / total,
      });
    }
  }
  return bars;
}
