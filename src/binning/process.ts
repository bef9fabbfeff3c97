import { z } from 'zod';
import { RiskError } from '../core/errors.js';
import { type Column, Frame } from '../core/frame.js';
import { binningOptionsSchema, parseOptions } from './options.js';
import { type SelectionRow, sampleRows, selectVariables } from './selection.js';
import { gStatistic } from './stats.js';
import type { BinningTable } from './table.js';
import { checkTarget, checkWeights } from './target.js';
import { fitUserBinning, userBinSchema } from './user-bins.js';
import { assignBins, fitVariableBinning, type VariableBinning } from './variable.js';

/** What fitting a binning process takes beside the data (the part of models' FitOptions it uses). */
export interface BinningFitOptions {
  /** One non-negative weight per row; defaults to 1. */
  readonly sampleWeight?: ArrayLike<number>;
  /** Called as work proceeds, for progress bars. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Options of a binning process: binning options plus variable selection. */
export const binningProcessOptionsSchema = z.strictObject({
  ...binningOptionsSchema.shape,
  /** Candidate variables; default every column of the frame. */
  variables: z.array(z.string()).optional().describe('candidate variables (default: every feature column)'),
  /** Keep variables with IV at least this (0.02 = "weak" in Siddiqi's scale); 0 leaves it to `maxPValue`. */
  minIv: z
    .number()
    .min(0)
    .default(0)
    .describe("keep variables with IV at least this (0.02 = weak on Siddiqi's scale)"),
  /**
   * Keep variables whose binning is significant: the p-value of its likelihood-ratio test against "no
   * information" at most this; 1 turns the screen off. The default 0.25 is Hosmer and Lemeshow's level
   * for screening candidates one at a time (Applied Logistic Regression, §4.2): 0.05 drops variables weak
   * alone but useful together, which the regression and its L2 penalty are there to weigh.
   */
  maxPValue: z
    .number()
    .gt(0)
    .max(1)
    .default(0.25)
    .describe(
      'keep variables whose binning is significant at this level (likelihood-ratio test; 1 turns it off)',
    ),
  /** Drop the weaker of two WoE columns correlated beyond this (absolute Pearson). */
  maxCorrelation: z
    .number()
    .gt(0)
    .max(1)
    .default(0.8)
    .describe('drop the weaker of two WoE columns correlated beyond this (absolute Pearson)'),
  maxVariables: z.int().min(1).optional().describe('keep at most this many variables, by IV'),
  /** Correlations are measured on a seeded sample of at most this many rows. */
  correlationSample: z
    .int()
    .min(100)
    .default(100_000)
    .describe('correlations are measured on a seeded sample of at most this many rows'),
  /**
   * User binnings by variable (a bins file's entries, `train --bins`): these variables take the given cuts
   * or groups instead of the optimiser's, are re-checked against their trend, and are marked `userSet`.
   */
  userBins: z
    .record(z.string(), userBinSchema)
    .default({})
    .describe('user cuts and groups by variable, from a bins file (train --bins FILE)'),
});

/** Validated binning process options. */
export type BinningProcessOptions = z.infer<typeof binningProcessOptionsSchema>;
/** Binning process options as a caller may give them. */
export type BinningProcessOptionsInput = z.input<typeof binningProcessOptionsSchema>;

/** What a fitted binning process knows: every candidate's binning and the selection. */
export interface BinningProcessState {
  /** One binning per candidate variable, in input order. */
  readonly binnings: readonly VariableBinning[];
  readonly selection: readonly SelectionRow[];
  /** What fitting user binnings found (levels in no group), one sentence each. */
  readonly warnings: readonly string[];
}

/**
 * The WoE of each bin of a binning, in bin order (regular bins, special, missing).
 * @example woeTable(b)[assignBins(b, col)[0]] // the WoE of the first row
 */
export function woeTable(b: VariableBinning): Float64Array {
  return Float64Array.from(b.table.rows, (r) => r.woe);
}

/** The WoE of every row of a column under a binning. */
export function woeColumn(b: VariableBinning, column: Column): Float64Array {
  const bins = assignBins(b, column);
  const woe = woeTable(b);
  const out = new Float64Array(bins.length);
  for (let i = 0; i < bins.length; i++) out[i] = woe[bins[i] as number] as number;
  return out;
}

function takeColumn(c: Column, rows: Int32Array): Column {
  if (rows.length === (c.kind === 'numeric' ? c.values.length : c.codes.length)) return c;
  if (c.kind === 'numeric') return { ...c, values: Float64Array.from(rows, (r) => c.values[r] as number) };
  return { ...c, codes: Int32Array.from(rows, (r) => c.codes[r] as number) };
}

/**
 * Bins every candidate variable, then selects by IV and by correlation (optbinning's `BinningProcess`).
 * One variable costs one sort of a ≤100k sample and one pass over its rows, so 100 variables × 1M rows
 * take seconds.
 * @throws E_DATA_INVALID on a bad target or weights; E_FRAME_SHAPE for an unknown variable
 */
export function fitBinningProcess(
  x: Frame,
  y: ArrayLike<number>,
  options: BinningProcessOptions,
  fit: BinningFitOptions = {},
): BinningProcessState {
  const target = checkTarget(y, x.nRows);
  const weight = checkWeights(fit.sampleWeight, x.nRows);
  const names = options.variables ?? x.names;
  const unknown = Object.keys(options.userBins).filter((v) => !names.includes(v));
  if (unknown.length > 0) {
    throw new RiskError(
      'E_BINS_INVALID',
      `bins file: variable ${unknown.join(', ')} is not a candidate column of the data (candidates: ${names.join(', ')})`,
      {
        path: ['variables', unknown[0] as string],
        expected: `one of ${names.join(', ')}`,
        received: unknown,
      },
    );
  }
  const binnings: VariableBinning[] = [];
  const warnings: string[] = [];
  names.forEach((name, i) => {
    const user = options.userBins[name];
    if (user === undefined) binnings.push(fitVariableBinning(x.column(name), target, weight, options));
    else {
      const { binning, notes } = fitUserBinning(x.column(name), target, weight, user, options);
      binnings.push(binning);
      if (notes.ungrouped.length > 0)
        warnings.push(
          `user bins of ${name}: levels in no group went to the ${binning.unseenBin === binning.table.rows.length - 1 ? 'missing' : 'worst'} bin: ${notes.ungrouped.join(', ')}`,
        );
    }
    fit.onProgress?.(i + 1, names.length);
  });
  const byName = new Map(binnings.map((b) => [b.variable, b]));
  // Correlations only need a sample: WoE is computed on the sampled rows alone.
  const rows = sampleRows(x.nRows, options.correlationSample, options.seed);
  const all = Int32Array.from({ length: rows.length }, (_, i) => i);
  const selection = selectVariables(
    binnings.map((b) => {
      const rows = b.table.rows;
      return {
        variable: b.variable,
        iv: b.table.iv,
        g: gStatistic(
          rows.map((r) => r.nonEvents),
          rows.map((r) => r.events),
        ),
        df: rows.filter((r) => r.count > 0).length - 1,
      };
    }),
    (v) => woeColumn(byName.get(v) as VariableBinning, takeColumn(x.column(v), rows)),
    all,
    options,
  );
  return { binnings, selection, warnings };
}

/**
 * A binning process as a transformer: `fit` bins and selects, `transform` returns the WoE frame of the
 * selected variables.
 * @example const bp = new BinningProcess({ minIv: 0.05 }).fit(x, y); const woe = bp.transform(x);
 */
export class BinningProcess {
  readonly kind = 'binning-process';
  private state: BinningProcessState | undefined;

  constructor(readonly options: BinningProcessOptionsInput = {}) {}

  get isFitted(): boolean {
    return this.state !== undefined;
  }

  /** @throws E_OPTIONS_INVALID, E_DATA_INVALID */
  fit(x: Frame, y: ArrayLike<number>, fit: BinningFitOptions = {}): this {
    const options = parseOptions(binningProcessOptionsSchema, this.options, 'binning process');
    this.state = fitBinningProcess(x, y, options, fit);
    return this;
  }

  /** The learned state. @throws E_NOT_FITTED before fit */
  fitted(): BinningProcessState {
    if (this.state === undefined) {
      throw new RiskError('E_NOT_FITTED', 'this BinningProcess is not fitted yet: call fit(x, y) first');
    }
    return this.state;
  }

  /** The names of the selected variables, in input order. */
  selected(): string[] {
    return this.fitted()
      .selection.filter((s) => s.selected)
      .map((s) => s.variable);
  }

  /** The WoE-transformed selected variables. */
  transform(x: Frame): Frame {
    const { binnings } = this.fitted();
    const keep = new Set(this.selected());
    return new Frame(
      binnings
        .filter((b) => keep.has(b.variable))
        .map((b) => ({
          kind: 'numeric' as const,
          name: b.variable,
          values: woeColumn(b, x.column(b.variable)),
        })),
    );
  }

  /** The binning tables of every candidate variable. */
  binningTables(): BinningTable[] {
    return this.fitted().binnings.map((b) => b.table);
  }
}
