import { z } from 'zod';
import { intOption as int, type OptionSpec, parseSpecOptions, specsSchema } from '../option-specs.js';
import { SCALE_OPTION_SPECS } from '../points.js';

const nonNeg = (def: number, meaning: string): OptionSpec => ({
  schema: z.number().min(0).max(Number.MAX_VALUE).default(def).describe(meaning),
  allowed: 'a finite number >= 0',
});
const fraction = (def: number, meaning: string): OptionSpec => ({
  schema: z.number().gt(0).max(1).default(def).describe(meaning),
  allowed: 'a number in (0, 1]',
});

/**
 * The GBDT options as data (scikit-learn's parameter constraints): name → schema with default, and the
 * allowed range in words. Names follow LightGBM where one exists (numLeaves → maxLeaves, lambda_l1 →
 * lambdaL1 …). The defaults were chosen by test/bench/gbdt-defaults.ts over the public credit files and
 * generated samples of 2k–20k rows against XGBoost (docs/gbdt-defaults.md), not on one file.
 */
export const GBDT_OPTION_SPECS = {
  nEstimators: int(
    1,
    100_000,
    2000,
    'boosting rounds (trees); with early stopping (the default) an upper bound',
  ),
  learningRate: {
    schema: z.number().gt(0).max(1).default(0.05).describe('shrinkage applied to every leaf value'),
    allowed: 'a number in (0, 1]',
  },
  maxDepth: int(1, 30, 4, 'maximum depth of a tree (root = depth 0)'),
  maxLeaves: int(2, 65_536, 15, 'maximum number of leaves of a tree (grown best-first)'),
  minChildWeight: nonNeg(1, "minimum sum of hessians in a child (XGBoost's min_child_weight)"),
  // When not given, GradientBoostingClassifier sizes it to the rows it trains on (minDataInLeafFor: 1%,
  // within [5, 100]); this default of 20 is trainGbdt's.
  minDataInLeaf: int(
    1,
    1_000_000_000,
    20,
    'minimum number of (in-bag) rows in a child (default: 1% of rows, within [5, 100])',
  ),
  lambdaL1: nonNeg(0, 'L1 penalty on leaf values (soft threshold on the gradient sum)'),
  lambdaL2: nonNeg(1, 'L2 penalty on leaf values (added to the hessian sum)'),
  minSplitGain: nonNeg(0, 'minimum loss reduction for a split'),
  subsample: fraction(0.8, 'fraction of rows drawn (without replacement) for each tree'),
  colsampleByTree: fraction(0.5, 'fraction of features drawn for each tree'),
  maxBins: int(3, 255, 255, 'bins per feature, the missing bin included'),
  binSampleSize: int(100, 100_000_000, 200_000, 'rows sampled (seeded) to place the quantile bin edges'),
  monotoneConstraints: {
    schema: z
      .record(z.string(), z.union([z.literal(-1), z.literal(0), z.literal(1)]))
      .default({})
      .describe('per feature name: +1 (higher value → higher log-odds of default), -1, or 0'),
    allowed: 'an object mapping feature names to -1, 0 or 1',
  },
  /** Smoothing added to the hessian when categories are ordered by gradient/hessian; also the fewest rows
   * a category needs to be placed by a many-category split. */
  catSmooth: nonNeg(
    10,
    'smoothing added to the hessian when categories are ordered by gradient/hessian; also the fewest rows a category needs to be placed by a many-category split',
  ),
  catL2: nonNeg(10, 'extra L2 penalty in the gain of many-category splits'),
  /** Most categories on the left side of a categorical split. LightGBM allows 32; 4 overfitted less on the
   * credit benchmarks (Home Credit 5k: AUC 0.706 → 0.721, German unchanged within 0.002). */
  maxCatThreshold: int(1, 254, 4, 'most categories on the left side of a categorical split'),
  maxCatToOnehot: int(1, 254, 4, 'up to this many categories, splits are one-versus-rest'),
  /** Rows added to the left set of a many-category split between two thresholds tried, and the fewest
   * rows its right side keeps. */
  minDataPerGroup: int(
    1,
    1_000_000_000,
    100,
    'rows added to the left set of a many-category split between two thresholds tried, and the fewest rows its right side keeps',
  ),
  earlyStoppingRounds: int(
    0,
    100_000,
    50,
    'stop when the validation log loss has not improved for this many rounds (0 = never)',
  ),
  validationFraction: {
    schema: z
      .number()
      .min(0)
      .max(0.5)
      .default(0.1)
      .describe(
        'share of the rows held out (stratified, seeded) for early stopping when fit gets no validation set; then a refit on every row for the rounds found (0 = every row, nEstimators rounds)',
      ),
    allowed: 'a number in [0, 0.5]',
  },
  seed: int(0, 2 ** 32 - 1, 42, 'seed of bagging, column sampling and bin sampling'),
  /** The points scale of `score` (base score, base odds, PDO), the scorecard's by default. */
  ...SCALE_OPTION_SPECS,
} as const satisfies Record<string, OptionSpec>;

type Specs = typeof GBDT_OPTION_SPECS;

/** The validated, defaulted options of a GBDT. */
export type GbdtParams = {
  readonly [K in keyof Specs]: K extends 'monotoneConstraints'
    ? Readonly<Record<string, -1 | 0 | 1>>
    : number;
};

/** What a user may pass: any subset of the options. */
export type GbdtOptions = Partial<GbdtParams>;

/** The zod schema of the options; unknown keys are rejected so that a misspelt option is not ignored. */
export const gbdtOptionsSchema = specsSchema(GBDT_OPTION_SPECS);

/**
 * Validates and defaults GBDT options.
 * @throws E_OPTIONS_INVALID naming the first bad option, its allowed range and the value received
 * @example parseGbdtOptions({ maxDepth: 3 }).learningRate // 0.05
 */
export function parseGbdtOptions(options: unknown): GbdtParams {
  return parseSpecOptions('gbdt', GBDT_OPTION_SPECS, gbdtOptionsSchema, options) as GbdtParams;
}

/** The size rule of minDataInLeaf (docs/gbdt-defaults.md): a share of the training rows, clamped. */
export const MIN_DATA_IN_LEAF_RULE = { share: 0.01, min: 5, max: 100 } as const;

/**
 * The fewest rows a leaf may hold when the user did not say: 1% of the training rows, at least 5 (so that
 * 100–1,000-row files still split) and at most 100 (so that large files keep fine leaves).
 * @example minDataInLeafFor(800) // 8
 */
export function minDataInLeafFor(nRows: number): number {
  const { share, min, max } = MIN_DATA_IN_LEAF_RULE;
  return Math.min(max, Math.max(min, Math.round(share * nRows)));
}

/**
 * Parsed params with the size-dependent defaults filled for `nRows` training rows where `options` (what
 * the user passed) leaves them out.
 * @example withSizedDefaults(parseGbdtOptions({}), {}, 30_000).minDataInLeaf // 100
 */
export function withSizedDefaults(params: GbdtParams, options: unknown, nRows: number): GbdtParams {
  const given = (options ?? {}) as Partial<Record<keyof GbdtParams, unknown>>;
  return given.minDataInLeaf === undefined ? { ...params, minDataInLeaf: minDataInLeafFor(nRows) } : params;
}
