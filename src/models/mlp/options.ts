import { z } from 'zod';
import { intOption as int, type OptionSpec, parseSpecOptions, specsSchema } from '../option-specs.js';
import { SCALE_OPTION_SPECS, type ScaleSettings } from '../points.js';

/** The activations a hidden layer may use (TF.js names). */
export const MLP_ACTIVATIONS = ['relu', 'elu', 'selu', 'tanh', 'sigmoid'] as const;

/**
 * The MLP options as data (scikit-learn's parameter constraints): name → schema with default, and the
 * allowed range in words. Names follow Keras where one exists.
 */
export const MLP_OPTION_SPECS = {
  hiddenLayers: {
    schema: z
      .array(z.number().int().min(1).max(4096))
      .min(1)
      .max(8)
      .default([64, 32])
      .describe('units of each hidden layer, input side first'),
    allowed: 'an array of 1 to 8 integers in [1, 4096]',
  },
  activation: {
    schema: z
      .enum(MLP_ACTIVATIONS)
      .default('relu')
      .describe('activation of the hidden layers; the output layer is a logit'),
    allowed: `one of ${MLP_ACTIVATIONS.join(', ')}`,
  },
  dropout: {
    schema: z
      .number()
      .min(0)
      .max(0.9)
      .default(0.1)
      .describe('dropout rate after each hidden layer while training'),
    allowed: 'a number in [0, 0.9]',
  },
  l2: {
    schema: z
      .number()
      .min(0)
      .max(10)
      .default(1e-4)
      .describe("L2 penalty on the kernels: l2 · Σ w² is added to the loss (Keras' l2 regulariser)"),
    allowed: 'a number in [0, 10]',
  },
  // 3e-3 with the larger batches below: on the 40k-row loan file it reached a lower validation loss in
  // fewer epochs than 1e-3 with batches of 256 (issue 12 part 3).
  learningRate: {
    schema: z.number().gt(0).max(1).default(3e-3).describe("Adam's step size"),
    allowed: 'a number in (0, 1]',
  },
  // 0 = by the training rows (autoBatchSize): about 32 steps an epoch within [32, 1024], so a large file is
  // not run through in hundreds of overhead-bound steps and a small one still gets several steps an epoch.
  batchSize: int(0, 65_536, 0, 'rows per gradient step; 0 = about 32 steps an epoch, within [32, 1024]'),
  maxEpochs: int(1, 10_000, 100, 'passes over the training rows at most'),
  // The best epoch's weights are kept, so waiting longer only costs time: on the 40k-row loan file the best
  // epoch came 3–5 epochs in and 10 more epochs of patience were two thirds of the training time.
  patience: int(
    0,
    10_000,
    3,
    'stop when the validation log loss has not improved for this many epochs (0 = never stop early)',
  ),
  minDelta: {
    schema: z
      .number()
      .min(0)
      .max(1)
      .default(1e-4)
      .describe('the least fall in validation log loss that counts as an improvement'),
    allowed: 'a number in [0, 1]',
  },
  /** Share of the training rows held out (stratified) for early stopping when no validation set is given. */
  validationFraction: {
    schema: z
      .number()
      .min(0)
      .max(0.5)
      .default(0.2)
      .describe(
        'share of the training rows held out (stratified) for early stopping when no validation set is given',
      ),
    allowed: 'a number in [0, 0.5]',
  },
  importanceRepeats: int(
    0,
    20,
    1,
    'permutation-importance repeats per feature on the held-out rows (0 = skip)',
  ),
  seed: int(
    0,
    2 ** 32 - 1,
    42,
    'seed of the initial weights, the shuffles, the dropout masks and the validation split',
  ),
  allowCpuBackend: {
    schema: z
      .boolean()
      .default(false)
      .describe("accept TF.js's pure-JS cpu backend when wasm will not start (otherwise E_MLP_BACKEND)"),
    allowed: 'true or false',
  },
  /** The points scale of `score` (base score, base odds, PDO), the scorecard's by default. */
  ...SCALE_OPTION_SPECS,
} as const satisfies Record<string, OptionSpec>;

/** The validated, defaulted options of an MLP. */
export interface MlpParams extends ScaleSettings {
  readonly hiddenLayers: readonly number[];
  readonly activation: (typeof MLP_ACTIVATIONS)[number];
  readonly dropout: number;
  readonly l2: number;
  readonly learningRate: number;
  readonly batchSize: number;
  readonly maxEpochs: number;
  readonly patience: number;
  readonly minDelta: number;
  readonly validationFraction: number;
  readonly importanceRepeats: number;
  readonly seed: number;
  readonly allowCpuBackend: boolean;
}

/** What a user may pass: any subset of the options. */
export type MlpOptions = Partial<MlpParams>;

/**
 * The batch size for `rows` training rows when `batchSize` is 0: the power of two nearest rows / 32,
 * within [32, 1024].
 * @example autoBatchSize(32_000) // 1024; autoBatchSize(800) // 32
 */
export function autoBatchSize(rows: number): number {
  const target = Math.max(1, rows / 32);
  return Math.min(1024, Math.max(32, 2 ** Math.round(Math.log2(target))));
}

/** The zod schema of the options; unknown keys are rejected so that a misspelt option is not ignored. */
export const mlpOptionsSchema = specsSchema(MLP_OPTION_SPECS);

/**
 * Validates and defaults MLP options.
 * @throws E_OPTIONS_INVALID naming the first bad option, its allowed range and the value received
 * @example parseMlpOptions({ hiddenLayers: [16] }).patience // 3
 */
export function parseMlpOptions(options: unknown): MlpParams {
  return parseSpecOptions('mlp', MLP_OPTION_SPECS, mlpOptionsSchema, options) as MlpParams;
}
