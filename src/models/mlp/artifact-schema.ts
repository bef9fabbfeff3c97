import { z } from 'zod';
import { RiskError } from '../../core/errors.js';
import type { FeatureImportance } from './importance.js';
import type { WeightSpec } from './network.js';
import type { PreprocessorState } from './preprocess.js';
import type { TrainHistory } from './train.js';

/** Where the weights of an artifact are: inline (base64) or in a file beside the envelope. */
export interface MlpWeightsRef {
  readonly specs: readonly WeightSpec[];
  readonly byteLength: number;
  /** sha256 of the `weights.bin` bytes: a tampered or swapped weights file refuses to load. */
  readonly sha256: string;
  /** The bytes, base64: the self-contained form of `toArtifact()`. */
  readonly base64?: string;
  /** The file beside the envelope (`weights.bin`): the form `save(dir)` writes. */
  readonly file?: string;
}

/** The `state` of an MLP artifact: plain JSON. */
export interface MlpArtifactState {
  /** The TF.js backend the network was trained on. */
  readonly backend: 'wasm' | 'cpu';
  readonly preprocessing: PreprocessorState;
  /** sha256 of the canonical JSON of the TF.js topology. */
  readonly topologySha256: string;
  readonly weights: MlpWeightsRef;
  readonly history: TrainHistory;
  readonly importance: readonly FeatureImportance[];
  /** Training means of the network inputs, which reasons occlude against (absent in older artifacts). */
  readonly reference?: readonly number[];
}

const finite = z.number().refine(Number.isFinite, 'must be finite');

const inputSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('numeric'),
    name: z.string(),
    mean: finite,
    sd: finite.refine((v) => v > 0, 'must be > 0'),
    missingIndicator: z.boolean(),
  }),
  z.strictObject({ kind: z.literal('categorical'), name: z.string(), levels: z.array(z.string()) }),
]);

/** The zod schema of an MLP artifact's state, checked on load. */
export const mlpStateSchema = z.strictObject({
  backend: z.enum(['wasm', 'cpu']),
  preprocessing: z.strictObject({ inputs: z.array(inputSchema).min(1), width: z.number().int().min(1) }),
  topologySha256: z.string().regex(/^[0-9a-f]{64}$/),
  weights: z.strictObject({
    specs: z.array(
      z.strictObject({
        name: z.string(),
        shape: z.array(z.number().int().min(0)),
        dtype: z.literal('float32'),
      }),
    ),
    byteLength: z.number().int().min(0),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
    base64: z.string().optional(),
    file: z.string().optional(),
  }),
  history: z.strictObject({
    epochs: z.number().int().min(0),
    bestEpoch: z.number().int().min(0),
    stoppedEarly: z.boolean(),
    // Canonical JSON writes a diverged (non-finite) loss as null.
    trainLoss: z.array(z.number().nullable()),
    validationLoss: z.array(z.number().nullable()),
  }),
  importance: z.array(z.strictObject({ feature: z.string(), value: z.number().nullable() })),
  reference: z.array(finite).optional(),
});

/**
 * Checks an MLP artifact's state.
 * @throws E_MODEL_ARTIFACT_INVALID naming the first bad field
 */
export function parseMlpState(state: unknown): MlpArtifactState {
  const parsed = mlpStateSchema.safeParse(state);
  if (!parsed.success) {
    const issue = parsed.error.issues[0] as z.core.$ZodIssue;
    const path = ['state', ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
    throw new RiskError('E_MODEL_ARTIFACT_INVALID', `mlp artifact ${path.join('.')}: ${issue.message}`, {
      path,
      issues: parsed.error.issues.map((i) => ({
        path: i.path.map(String),
        message: i.message,
        code: i.code,
      })),
    });
  }
  return parsed.data as MlpArtifactState;
}
