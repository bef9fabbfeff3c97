import { Rng } from '../core/rng.js';

/** Why a candidate variable was kept or dropped by a binning process. */
export interface SelectionRow {
  readonly variable: string;
  readonly iv: number;
  readonly selected: boolean;
  /** `selected`, `low-iv`, `correlated` (with `with`), or `max-variables`. */
  readonly reason: 'selected' | 'low-iv' | 'correlated' | 'max-variables';
  /** The stronger variable this one correlated with, beyond the threshold. */
  readonly with?: string;
  readonly correlation?: number;
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

/**
 * Selects variables as optbinning's BinningProcess does: first by information value (IV ≥ minIv), then
 * greedily by correlation of the WoE-transformed columns, strongest IV first, dropping the weaker of every
 * pair whose |correlation| exceeds maxCorrelation; finally at most maxVariables by IV.
 * @param woe WoE column per variable (only needed for those passing the IV screen)
 */
export function selectVariables(
  candidates: readonly { variable: string; iv: number }[],
  woe: (variable: string) => Float64Array,
  rows: Int32Array,
  options: { minIv: number; maxCorrelation: number; maxVariables?: number | undefined },
): SelectionRow[] {
  const order = candidates.map((c, i) => ({ ...c, i })).sort((a, b) => b.iv - a.iv || a.i - b.i);
  const kept: { variable: string; col: Float64Array }[] = [];
  const out = new Map<string, SelectionRow>();
  for (const c of order) {
    if (!(c.iv >= options.minIv) || c.iv <= 0) {
      out.set(c.variable, { variable: c.variable, iv: c.iv, selected: false, reason: 'low-iv' });
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
