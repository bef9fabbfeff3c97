import type { Frame } from '../core/frame.js';
import { Rng } from '../core/rng.js';
import type { FeatureContributions } from '../models/model.js';
import type { BeeswarmDot } from './charts.js';

/** The TreeSHAP summary of a sample: mean |SHAP| per feature and the beeswarm's dots of the top features. */
export interface ShapSummary {
  /** Every feature, largest mean |SHAP| first. */
  readonly meanAbs: readonly { readonly feature: string; readonly value: number }[];
  /** The features drawn in the beeswarm, in display order. */
  readonly top: readonly string[];
  readonly dots: readonly BeeswarmDot[];
  /** Rows drawn per feature (all rows, or a seeded sample of them). */
  readonly sampled: number;
}

const JITTER_BINS = 50;

/**
 * Reduces per-row SHAP values to the report's summary. Each dot's colour is the rank of the row's value
 * among the sample's non-missing values of that numeric feature (null for a missing value or a category,
 * whose levels have no order); its vertical offset spreads the dots of a feature over a width proportional
 * to how many rows share nearly the same SHAP value, which draws the beeswarm's shape without a layout pass.
 * @param options.top features in the beeswarm (default 10); options.maxRows rows drawn (default 600,
 *   a seeded sample beyond it, so the page stays small)
 * @example shapSummary(gbdt.shapValues(x), x, { top: 10 })
 */
export function shapSummary(
  shap: FeatureContributions,
  x: Frame,
  options: { readonly top?: number; readonly maxRows?: number; readonly seed?: number } = {},
): ShapSummary {
  const p = shap.featureNames.length;
  const n = p === 0 ? 0 : shap.values.length / p;
  const sums = new Float64Array(p);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < p; j++) sums[j] = (sums[j] as number) + Math.abs(shap.values[i * p + j] as number);
  }
  const meanAbs = shap.featureNames
    .map((feature, j) => ({ feature, value: n > 0 ? (sums[j] as number) / n : 0, j }))
    .sort((a, b) => b.value - a.value);
  const topItems = meanAbs.slice(0, options.top ?? 10).filter((f) => f.value > 0);
  const rows = sampleRows(n, options.maxRows ?? 600, options.seed ?? 1);
  const dots: BeeswarmDot[] = [];
  for (const f of topItems) {
    const ranks = valueRanks(x, f.feature, rows);
    const vals = rows.map((r) => shap.values[r * p + f.j] as number);
    dots.push(...beeswarmRow(f.feature, vals, ranks));
  }
  return {
    meanAbs: meanAbs.map(({ feature, value }) => ({ feature, value })),
    top: topItems.map((f) => f.feature),
    dots,
    sampled: rows.length,
  };
}

/** All rows when there are at most `max`, else `max` rows drawn without replacement (seeded), in order. */
function sampleRows(n: number, max: number, seed: number): number[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= max) return all;
  const rng = new Rng(seed);
  for (let i = 0; i < max; i++) {
    const j = i + rng.int(n - i);
    [all[i], all[j]] = [all[j] as number, all[i] as number];
  }
  return all.slice(0, max).sort((a, b) => a - b);
}

/** Rank in [0, 1] of each sampled row's value among the sampled non-missing values; null where missing. */
function valueRanks(x: Frame, feature: string, rows: readonly number[]): (number | null)[] {
  if (!x.has(feature) || x.column(feature).kind !== 'numeric') return rows.map(() => null);
  const col = x.numeric(feature);
  const present = rows.filter((r) => !Number.isNaN(col[r] as number)).map((r) => col[r] as number);
  const sorted = Float64Array.from(present).sort();
  const last = Math.max(1, sorted.length - 1);
  return rows.map((r) => {
    const v = col[r] as number;
    if (Number.isNaN(v)) return null;
    // Ties take their middle rank, so a constant feature sits at 0.5.
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sorted[mid] as number) < v) lo = mid + 1;
      else hi = mid;
    }
    let end = lo;
    while (end < sorted.length && sorted[end] === v) end++;
    return (lo + end - 1) / 2 / last;
  });
}

function beeswarmRow(
  feature: string,
  vals: readonly number[],
  ranks: readonly (number | null)[],
): BeeswarmDot[] {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of vals) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const width = max > min ? (max - min) / JITTER_BINS : 1;
  const bin = vals.map((v) => Math.min(JITTER_BINS - 1, Math.floor((v - min) / width)));
  const counts = new Int32Array(JITTER_BINS);
  for (const b of bin) counts[b] = (counts[b] as number) + 1;
  const densest = Math.max(1, ...counts);
  const seen = new Int32Array(JITTER_BINS);
  return vals.map((shap, i) => {
    const b = bin[i] as number;
    const c = counts[b] as number;
    const k = seen[b] as number;
    seen[b] = k + 1;
    // Spread a bin's dots evenly over ±(its count / the densest count).
    const jitter = c === 1 ? 0 : (((k + 0.5) / c) * 2 - 1) * (c / densest);
    return { feature, shap, rank: ranks[i] ?? null, jitter };
  });
}
