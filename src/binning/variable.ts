import { RiskError } from '../core/errors.js';
import type { Column } from '../core/frame.js';
import { Rng } from '../core/rng.js';
import { type MergeConstraints, optimalMerge, type SolvedTrend } from './optimal.js';
import { type BinningOptions, specialGroups } from './options.js';
import {
  binOf,
  type ClassCounts,
  type CutSearch,
  cutSearch,
  type Prebins,
  prebinCategorical,
  prebinNumeric,
} from './prebin.js';
import { mergedCounts } from './stats.js';
import { type BinningTable, MISSING_BIN_LABEL } from './table.js';
import { chooseTrend } from './trend.js';
import { buildTable } from './woe.js';

/**
 * The fitted binning of one variable, as plain JSON. Bins are numbered in table order: the regular bins
 * 0..m−1, then one bin per special-value group (m..m+s−1, possibly empty), then the missing bin m+s
 * (always present, possibly empty).
 */
export interface VariableBinning {
  readonly variable: string;
  readonly kind: 'numeric' | 'categorical';
  /** The event-rate trend the regular bins follow (null for a categorical variable, ordered by rate). */
  readonly trend: SolvedTrend | null;
  /** Numeric: bin k holds [cuts[k−1], cuts[k]); empty for a categorical variable. */
  readonly cuts: readonly number[];
  /** Categorical: the training levels of each regular bin; empty for a numeric variable. */
  readonly groups: readonly (readonly string[])[];
  /** The special-value groups: group g is bin m + g. */
  readonly special: readonly (readonly (number | string)[])[];
  /** The bin a category unseen in training falls in (the missing bin for numeric variables). */
  readonly unseenBin: number;
  readonly table: BinningTable;
}

/** The number of regular bins of a binning. */
export function regularBins(b: VariableBinning): number {
  return b.kind === 'numeric' ? b.cuts.length + 1 : b.groups.length;
}

/** The index of a binning's missing bin (the last one). */
export function missingBin(b: VariableBinning): number {
  return regularBins(b) + b.special.length;
}

/**
 * Fits the optimal binning of one column against a 0/1 target (optbinning's `OptimalBinning`).
 * @param y 0/1 targets (validated by the caller); @param weight optional non-negative row weights
 * @throws E_OPTIONS_INVALID when a special value of a numeric column is not a number
 * @example const b = fitVariableBinning(frame.column('age'), y, undefined, parseOptions(binningOptionsSchema, {}, 'binning'));
 */
export function fitVariableBinning(
  column: Column,
  y: Float64Array,
  weight: Float64Array | undefined,
  options: BinningOptions,
): VariableBinning {
  const name = column.name;
  const special = specialGroups(options.special[name] ?? []);
  if (column.kind === 'numeric') {
    const numbers = special.map((g) => g.map((v) => toSpecialNumber(name, v)));
    const pre = prebinNumeric(
      column.values,
      y,
      weight,
      numbers,
      options.maxPrebins,
      options.prebinSample,
      new Rng(options.seed),
      options.prettyCuts,
    );
    const wanted = options.trends[name] ?? options.trend;
    const chosen = chooseTrend(pre.nonEvents, pre.events, constraints(pre, options), wanted);
    const starts = chosen.sol?.starts ?? [];
    const cuts = starts.map((s) => pre.cuts[s - 1] as number);
    const { ne, e } = mergeCounts(pre.nonEvents, pre.events, starts, pre.special, pre.missing);
    const labels = binLabels('numeric', cuts, [], numbers);
    return {
      variable: name,
      kind: 'numeric',
      trend: chosen.trend,
      cuts,
      groups: [],
      special: numbers,
      unseenBin: cuts.length + 1 + numbers.length,
      table: buildTable(name, 'numeric', labels, ne, e),
    };
  }
  const texts = special.map((g) => g.map(String));
  const pre = prebinCategorical(
    column.codes,
    column.levels,
    y,
    weight,
    texts,
    options.catCutoff,
    options.maxPrebins,
  );
  const base = constraints(pre, options);
  // Pre-bins are sorted by event rate, so every contiguous merge is ascending: the trend holds by design.
  const sol = optimalMerge(pre.nonEvents, pre.events, { ...base, trend: 'ascending' });
  const starts = sol?.starts ?? [];
  const groups: string[][] = [];
  const bounds = [0, ...starts, pre.groups.length];
  for (let g = 0; g + 1 < bounds.length; g++) {
    const levels: string[] = [];
    for (let k = bounds[g] as number; k < (bounds[g + 1] as number); k++)
      levels.push(...(pre.groups[k] ?? []));
    groups.push(levels);
  }
  if (groups.length === 0) groups.push([]);
  const { ne, e } = mergeCounts(pre.nonEvents, pre.events, starts, pre.special, pre.missing);
  const table = buildTable(name, 'categorical', binLabels('categorical', [], groups, texts), ne, e);
  const unseenBin = unseenBinOf(table, groups.length, texts.length, options.unseen);
  return {
    variable: name,
    kind: 'categorical',
    trend: null,
    cuts: [],
    groups,
    special: texts,
    unseenBin,
    table,
  };
}

/**
 * The bin that takes a category unseen in training: the missing bin, or with `worst` the regular bin of
 * lowest WoE among those holding rows (m regular bins, s special bins).
 */
export function unseenBinOf(
  table: BinningTable,
  m: number,
  s: number,
  unseen: BinningOptions['unseen'],
): number {
  let unseenBin = m + s;
  if (unseen === 'worst') {
    let worst = Number.POSITIVE_INFINITY;
    for (let k = 0; k < m; k++) {
      const row = table.rows[k];
      if (row !== undefined && row.count > 0 && row.woe < worst) {
        worst = row.woe;
        unseenBin = k;
      }
    }
  }
  return unseenBin;
}

/**
 * The labels of a binning's bins in table order: regular bins (numeric ranges or category lists), one per
 * special-value group, then `Missing`.
 * @example binLabels('numeric', [30], [], [[-1]]) // ['(-inf, 30)', '[30, inf)', 'Special: -1', 'Missing']
 */
export function binLabels(
  kind: 'numeric' | 'categorical',
  cuts: readonly number[],
  groups: readonly (readonly string[])[],
  special: readonly (readonly (number | string)[])[],
): string[] {
  const regular = kind === 'numeric' ? numericLabels(cuts) : groups.map(categoryLabel);
  return [...regular, ...special.map(specialLabel), MISSING_BIN_LABEL];
}

/** The merge limits of a variable; class totals come from its pre-bins (special and missing included). */
function constraints(pre: Prebins, options: BinningOptions): Omit<MergeConstraints, 'trend'> {
  let totalNonEvents = pre.missing.nonEvents;
  let totalEvents = pre.missing.events;
  for (const s of pre.special) {
    totalNonEvents += s.nonEvents;
    totalEvents += s.events;
  }
  for (let k = 0; k < pre.nonEvents.length; k++) {
    totalNonEvents += pre.nonEvents[k] as number;
    totalEvents += pre.events[k] as number;
  }
  return {
    maxBins: options.maxBins,
    minCount: options.minBinShare * (totalNonEvents + totalEvents),
    minEvents: options.minEvents,
    pureBins: options.pureBins,
    totalNonEvents,
    totalEvents,
  };
}

/**
 * A special value of a numeric column as a number.
 * @throws E_OPTIONS_INVALID when it is not one
 */
export function toSpecialNumber(column: string, s: number | string): number {
  const v = typeof s === 'number' ? s : s.trim() === '' ? Number.NaN : Number(s);
  if (!Number.isFinite(v)) {
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `special.${column}: a special value of numeric column ${column} must be a number, received ${JSON.stringify(s)}`,
      { path: ['special', column], expected: 'a number', received: s },
    );
  }
  return v;
}

/** Sums pre-bin counts into the merged regular bins, then appends the special bins and the missing bin. */
function mergeCounts(
  ne: Float64Array,
  e: Float64Array,
  starts: readonly number[],
  special: readonly ClassCounts[],
  missing: ClassCounts,
): { ne: Float64Array; e: Float64Array } {
  const regular = mergedCounts(ne, e, starts);
  const m = starts.length + 1;
  const S = special.length;
  const outNe = new Float64Array(m + S + 1);
  const outE = new Float64Array(m + S + 1);
  outNe.set(regular.nonEvents);
  outE.set(regular.events);
  special.forEach((s, g) => {
    outNe[m + g] = s.nonEvents;
    outE[m + g] = s.events;
  });
  outNe[m + S] = missing.nonEvents;
  outE[m + S] = missing.events;
  return { ne: outNe, e: outE };
}

/** Formats a cut compactly and exactly enough to tell neighbouring cuts apart. */
function formatCut(v: number): string {
  return String(Number(v.toPrecision(10)));
}

function numericLabels(cuts: readonly number[]): string[] {
  const labels: string[] = [];
  for (let k = 0; k <= cuts.length; k++) {
    const lo = k === 0 ? '(-inf' : `[${formatCut(cuts[k - 1] as number)}`;
    const hi = k === cuts.length ? 'inf)' : `${formatCut(cuts[k] as number)})`;
    labels.push(`${lo}, ${hi}`);
  }
  return labels;
}

function specialLabel(values: readonly (number | string)[]): string {
  return `Special: ${categoryLabel(values.map(String))}`;
}

function categoryLabel(levels: readonly string[]): string {
  const text = levels.join(', ');
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * The bin of every row of a column under a fitted binning (see `VariableBinning` for the numbering).
 * A categorical binning accepts a numeric column (numbers read as their canonical text) and a numeric
 * binning a categorical column whose levels are all numbers.
 * @throws E_DATA_INVALID when a numeric variable arrives as text that is not a number
 * @example const bins = assignBins(binning, frame.column('age'));
 */
export function assignBins(b: VariableBinning, column: Column): Int32Array {
  const m = regularBins(b);
  const missing = missingBin(b);
  if (b.kind === 'numeric') {
    const { cuts, special } = numericSearch(b);
    if (column.kind === 'numeric') return numericBins(column.values, cuts, special, m, missing);
    const byLevel = column.levels.map((level) => {
      const v = Number(level.trim());
      if (level.trim() === '' || !Number.isFinite(v)) {
        throw new RiskError(
          'E_DATA_INVALID',
          `column ${b.variable} must be numeric as in training, received the text ${JSON.stringify(level)}`,
          { column: b.variable, expected: 'a number', received: level },
        );
      }
      return numericBins(new Float64Array([v]), cuts, special, m, missing)[0] as number;
    });
    return mapCodes(column.codes, byLevel, missing);
  }
  const index = new Map<string, number>();
  b.groups.forEach((levels, k) => {
    for (const level of levels) index.set(level, k);
  });
  b.special.forEach((g, k) => {
    for (const s of g) if (!index.has(String(s))) index.set(String(s), m + k);
  });
  const lookup = (level: string): number => index.get(level) ?? b.unseenBin;
  if (column.kind === 'categorical') return mapCodes(column.codes, column.levels.map(lookup), missing);
  const out = new Int32Array(column.values.length);
  const cache = new Map<number, number>();
  for (let i = 0; i < out.length; i++) {
    const v = column.values[i] as number;
    if (Number.isNaN(v)) {
      out[i] = missing;
      continue;
    }
    let k = cache.get(v);
    if (k === undefined) {
      k = lookup(String(v));
      cache.set(v, k);
    }
    out[i] = k;
  }
  return out;
}

/** Special values flattened with the bin offset (group) of each, for a linear scan per row. */
interface SpecialLookup {
  readonly values: Float64Array;
  readonly group: Int32Array;
}

interface NumericSearch {
  readonly cutsOf: VariableBinning['cuts'];
  readonly specialOf: VariableBinning['special'];
  readonly cuts: CutSearch;
  readonly special: SpecialLookup;
}

// A model scores one row at a time on the API path: building the search tables per call cost more than the
// binning itself, so they are kept per binning (rebuilt if its cuts or special values are replaced).
const numericSearches = new WeakMap<VariableBinning, NumericSearch>();

function numericSearch(b: VariableBinning): NumericSearch {
  let s = numericSearches.get(b);
  if (s === undefined || s.cutsOf !== b.cuts || s.specialOf !== b.special) {
    s = {
      cutsOf: b.cuts,
      specialOf: b.special,
      cuts: cutSearch(b.cuts),
      special: specialLookup(b.special as readonly (readonly number[])[]),
    };
    numericSearches.set(b, s);
  }
  return s;
}

function specialLookup(groups: readonly (readonly number[])[]): SpecialLookup {
  return {
    values: Float64Array.from(groups.flat()),
    group: Int32Array.from(groups.flatMap((g, k) => g.map(() => k))),
  };
}

function numericBins(
  values: Float64Array,
  cuts: CutSearch,
  special: SpecialLookup,
  m: number,
  missing: number,
): Int32Array {
  const n = values.length;
  const out = new Int32Array(n);
  const sv = special.values;
  const hasSpecial = sv.length > 0;
  for (let i = 0; i < n; i++) {
    const v = values[i] as number;
    if (Number.isNaN(v)) {
      out[i] = missing;
      continue;
    }
    if (hasSpecial) {
      let s = 0;
      while (s < sv.length && sv[s] !== v) s++;
      if (s < sv.length) {
        out[i] = m + (special.group[s] as number);
        continue;
      }
    }
    out[i] = binOf(cuts, v);
  }
  return out;
}

function mapCodes(codes: Int32Array, byLevel: readonly number[], missingBin: number): Int32Array {
  const lut = Int32Array.from(byLevel);
  const out = new Int32Array(codes.length);
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i] as number;
    out[i] = c < 0 ? missingBin : (lut[c] as number);
  }
  return out;
}
