import { Rng } from '../core/rng.js';
import { chiSquareQuantile } from './stats.js';

/** Why a candidate variable was kept or dropped by a binning process. */
export interface SelectionRow {
  readonly variable: string;
  readonly iv: number;
  readonly selected: boolean;
  /** `selected`, `low-iv`, `not-significant`, `correlated` (with `with`), or `max-variables`. */
  readonly reason: 'selected' | 'low-iv' | 'not-significant' | 'correlated' | 'max-variables';
  /** The stronger variable this one correlated with, beyond the threshold. */
  readonly with?: string;
  readonly correlation?: number;
}

/**
 * Why a variable was kept or dropped, in words for `train`, the model card and the report.
 * @example selectionText({ variable: 'x', iv: 0.01, selected: false, reason: 'low-iv' }, 0.02)
 *   // 'dropped: low IV (0.0100 < minIv 0.02)'
 */
export function selectionText(row: SelectionRow, minIv?: number): string {
  const iv = row.iv.toFixed(4);
  switch (row.reason) {
    case 'selected':
      return `kept (IV ${iv})`;
    case 'low-iv':
      if (!(row.iv > 0)) return 'dropped: no information (IV 0: constant or empty)';
      return `dropped: low IV (${iv}${minIv === undefined ? '' : ` < minIv ${minIv}`})`;
    case 'not-significant':
      return `dropped: binning not significant (likelihood-ratio test against no information; IV ${iv})`;
    case 'correlated':
      return `dropped: correlated with ${row.with ?? '?'} (r = ${(row.correlation ?? Number.NaN).toFixed(3)}; IV ${iv})`;
    case 'max-variables':
      return `dropped: beyond maxVariables (IV ${iv})`;
  }
}

/**
 * Pearson correlation of two columns over the given rows.
 * @example pearson(a, b, rows) // in [-1, 1]; 0 when either column is constant
 */
export function pearson(a: Float64Array, b: Float64Array, rows: Int32Array): number {
  const n = rows.length;
  if (n === 0) return 0;
  let ma = 0;
  let mb = 0;
  for (let t = 0; t < n; t++) {
    const i = rows[t] as number;
    ma += a[i] as number;
    mb += b[i] as number;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let t = 0; t < n; t++) {
    const i = rows[t] as number;
    const da = (a[i] as number) - ma;
    const db = (b[i] as number) - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return saa > 0 && sbb > 0 ? sab / Math.sqrt(saa * sbb) : 0;
}

/** Rows used to measure correlations: all of them, or a seeded sample of `size` when there are more. */
export function sampleRows(n: number, size: number, seed: number): Int32Array {
  if (n <= size) return Int32Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(seed);
  const rows = new Int32Array(size);
  for (let t = 0; t < size; t++) rows[t] = rng.int(n);
  return rows.sort();
}

/** A candidate of the selection: its IV and its binning's likelihood-ratio statistic against no binning. */
export interface SelectionCandidate {
  readonly variable: string;
  readonly iv: number;
  /** G = 2·N·(mutual information) of the binning (see `gStatistic`). */
  readonly g: number;
  /** Non-empty bins − 1: G's degrees of freedom. */
  readonly df: number;
}

/** The selection limits (binning process options). */
export interface SelectionOptions {
  readonly minIv: number;
  readonly maxPValue: number;
  readonly maxCorrelation: number;
  readonly maxVariables?: number | undefined;
}

/**
 * Selects variables as optbinning's BinningProcess does, with a significance screen beside the IV floor:
 * first a variable needs IV ≥ minIv and a binning whose likelihood-ratio test against "no information"
 * has a p-value ≤ maxPValue (G above the χ²(df) quantile); then, strongest IV first, the weaker of every
 * pair of WoE columns whose |correlation| exceeds maxCorrelation is dropped; finally at most maxVariables
 * are kept, by IV. A fixed IV floor ignores the sample size (it drops a weak variable that a large sample
 * proves useful, and keeps a small sample's noise); the test adapts to it.
 * @param woe WoE column per variable (only needed for those passing the screens)
 */
export function selectVariables(
  candidates: readonly SelectionCandidate[],
  woe: (variable: string) => Float64Array,
  rows: Int32Array,
  options: SelectionOptions,
): SelectionRow[] {
  const order = candidates.map((c, i) => ({ ...c, i })).sort((a, b) => b.iv - a.iv || a.i - b.i);
  const kept: { variable: string; col: Float64Array }[] = [];
  const out = new Map<string, SelectionRow>();
  for (const c of order) {
    if (!(c.iv >= options.minIv) || c.iv <= 0) {
      out.set(c.variable, { variable: c.variable, iv: c.iv, selected: false, reason: 'low-iv' });
      continue;
    }
    if (options.maxPValue < 1 && !(c.g > chiSquareQuantile(1 - options.maxPValue, Math.max(1, c.df)))) {
      out.set(c.variable, { variable: c.variable, iv: c.iv, selected: false, reason: 'not-significant' });
      continue;
    }
    const col = woe(c.variable);
    let clash: { variable: string; r: number } | undefined;
    for (const k of kept) {
      const r = pearson(col, k.col, rows);
      if (Math.abs(r) > options.maxCorrelation) {
        clash = { variable: k.variable, r };
        break;
      }
    }
    if (clash !== undefined) {
      out.set(c.variable, {
        variable: c.variable,
        iv: c.iv,
        selected: false,
        reason: 'correlated',
        with: clash.variable,
        correlation: clash.r,
      });
      continue;
    }
    if (options.maxVariables !== undefined && kept.length >= options.maxVariables) {
      out.set(c.variable, { variable: c.variable, iv: c.iv, selected: false, reason: 'max-variables' });
      continue;
    }
    kept.push({ variable: c.variable, col });
    out.set(c.variable, { variable: c.variable, iv: c.iv, selected: true, reason: 'selected' });
  }
  return candidates.map((c) => out.get(c.variable) as SelectionRow);
}
