import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  type Artifact,
  canonicalJson,
  createArtifact,
  type DataFingerprint,
  fingerprintFrame,
  loadArtifact,
  saveArtifact,
  sha256,
} from '../../core/artifact.js';
import type { Clock } from '../../core/clock.js';
import { ioError, RiskError } from '../../core/errors.js';
import type { Frame } from '../../core/frame.js';
import { silentLogger } from '../../core/logger.js';
import { Rng } from '../../core/rng.js';
import { pickRows } from '../dataset.js';
import type { Estimator, FitOptions, Reason } from '../estimator.js';
import type { TrainedModel } from '../model.js';
import { pointsFromPd, scalingOf } from '../points.js';
import type { MlpArtifactState } from './artifact-schema.js';
import { defaultReference, inputMeans, occlusionReasons } from './attribution.js';
import { initMlpBackend, type MlpBackend, requireMlpBackend } from './backend.js';
import { checkLabels, checkWeights, networkRows, rowTargets, stratifiedSplit } from './data.js';
import {
  checkTopology,
  checkWeightsDigest,
  MLP_KIND,
  readEnvelope,
  topologyMismatch,
  weightBytes,
} from './envelope.js';
import { type FeatureImportance, permutationImportance } from './importance.js';
import { directoryHandler, MLP_WEIGHTS_FILE } from './io.js';
import {
  blockRows,
  buildNetwork,
  predictLogits,
  readWeights,
  splitNetwork,
  topologyOf,
  type WeightSpec,
  writeWeights,
} from './network.js';
import { type MlpOptions, type MlpParams, parseMlpOptions } from './options.js';
import {
  fitPreprocessor,
  inputGroups,
  type PreprocessorState,
  transformRows,
  writeInputs,
} from './preprocess.js';
import { type NetworkRows, rangeOf, type TrainHistory, trainNetwork } from './train.js';

export { MLP_KIND } from './envelope.js';

/** The file name of the JSON envelope in a model directory (the registry's name for it). */
export const MLP_ARTIFACT_FILE = 'model.json';

/** Rows preprocessed and scored per block, so a large frame never becomes one huge float32 matrix. */
const BLOCK = 16_384;

// Independent streams per purpose, so that changing one (say the split) does not shift the others.
const SPLIT_STREAM = 0x5eed0001;
const TRAIN_STREAM = 0x5eed0002;
const IMPORTANCE_STREAM = 0x5eed0003;

/** The learned state of an MLP. */
export interface MlpFitted {
  readonly params: MlpParams;
  readonly backend: MlpBackend;
  readonly featureNames: readonly string[];
  readonly preprocessing: PreprocessorState;
  readonly network: tfl.LayersModel;
  readonly weightSpecs: readonly WeightSpec[];
  readonly weightData: Uint8Array;
  readonly weightsSha256: string;
  readonly topologySha256: string;
  readonly history: TrainHistory;
  readonly importance: readonly FeatureImportance[];
  /** Training means of the network inputs, which reasons occlude against. */
  readonly reference: readonly number[];
  readonly fingerprint: DataFingerprint | null;
}

/** Options of `toArtifact`. */
export interface MlpArtifactOptions {
  /** Refer to the weights in this file beside the envelope instead of inlining them (base64). */
  readonly weightsFile?: string;
}

/**
 * A multilayer perceptron for probability of default on TensorFlow.js (tfjs-layers on the wasm backend):
 * standardisation and one-hot encoding inside the model, dense hidden layers with dropout and L2, Adam on
 * weighted log loss, early stopping on held-out rows with the best epoch's weights restored, and
 * permutation importance. Seeded: the same data, options and seed give the same weights and artifact.
 *
 * TF.js starts its wasm backend asynchronously, so the synchronous methods (`fit`, `predictProba`,
 * `fromArtifact`) need `await initMlpBackend()` first; `fitAsync` and `fromArtifactDir` do that themselves.
 * @example
 * const mlp = await new Mlp({ hiddenLayers: [32, 16], patience: 5 }).fitAsync(train, y);
 * const pd = mlp.predictProba(test);
 * await mlp.save('models/mlp/1');
 * const again = await Mlp.fromArtifactDir('models/mlp/1');
 */
export class Mlp implements Estimator, TrainedModel {
  readonly kind = MLP_KIND;
  /** `fit` reads `rows` in place (the train command fits on its training rows without copying them). */
  readonly fitsRowSubsets = true;
  private state: MlpFitted | null = null;

  /** Stores the options; they are validated by `fit` (E_OPTIONS_INVALID). */
  constructor(readonly options: MlpOptions = {}) {}

  get isFitted(): boolean {
    return this.state !== null;
  }

  /** The learned state. @throws E_NOT_FITTED before fit */
  fitted(): MlpFitted {
    if (this.state === null) {
      throw new RiskError(
        'E_NOT_FITTED',
        'this Mlp is not fitted: call fit(), fitAsync() or fromArtifact() first',
      );
    }
    return this.state;
  }

  /** Feature names in model order (the training frame's columns). @throws E_NOT_FITTED before fit */
  get featureNames(): readonly string[] {
    return this.fitted().featureNames;
  }

  /**
   * Starts the wasm backend, then fits (see `fit`).
   * @throws E_OPTIONS_INVALID, E_MLP_BACKEND, E_DATA_INVALID
   */
  async fitAsync(x: Frame, y: ArrayLike<number>, options: FitOptions = {}): Promise<this> {
    const params = parseMlpOptions(this.options);
    await initMlpBackend({ allowCpu: params.allowCpuBackend });
    return this.fit(x, y, options);
  }

  /**
   * Fits the network on every column of `x` (numeric standardised, categorical one-hot). Early stopping
   * watches `options.validation` when given, otherwise a stratified `validationFraction` of the rows.
   * @throws E_OPTIONS_INVALID on bad options; E_DATA_INVALID on bad labels, weights or shapes;
   *   E_MLP_BACKEND when `initMlpBackend()` has not run
   */
  fit(x: Frame, y: ArrayLike<number>, options: FitOptions = {}): this {
    const params = parseMlpOptions(this.options);
    // `options.rows`: fit on those rows of x, read in place; labels and weights stay indexed by rows of x.
    const rows = options.rows;
    const { labels, weights } =
      rows === undefined
        ? { labels: checkLabels('y', y, x.nRows), weights: checkWeights(options.sampleWeight, x.nRows) }
        : rowTargets('y', y, options.sampleWeight, x.nRows, rows);
    const backend = requireMlpBackend(params.allowCpuBackend);
    const logger = options.logger ?? silentLogger;

    // Row subsets are index lists into `x`, never copies of the frame (a 40k × 200 frame is 64 MB).
    let trainRows = rows;
    let held: NetworkRows | null = null;
    let validRows: Int32Array | undefined;
    if (options.validation === undefined && params.validationFraction > 0) {
      const split = stratifiedSplit(
        rows === undefined ? labels : pickRows(labels, rows),
        params.validationFraction,
        new Rng(params.seed ^ SPLIT_STREAM),
      );
      if (split.valid.length > 0) {
        // The split indexes the fitted rows; as rows of x (in order: both lists are sorted).
        const ofX = (at: Int32Array): Int32Array =>
          rows === undefined ? at : at.map((i) => rows[i] as number);
        trainRows = ofX(split.train);
        validRows = ofX(split.valid);
      }
    }
    const preprocessing = fitPreprocessor(x, trainRows);
    const train = networkRows(preprocessing, x, labels, weights, trainRows);
    const v = options.validation;
    if (v?.rows !== undefined) {
      const { labels: vy } = rowTargets('validation.y', v.y, undefined, v.x.nRows, v.rows);
      held = networkRows(preprocessing, v.x, vy, new Float64Array(vy.length).fill(1), v.rows);
    } else if (v !== undefined) {
      const vy = checkLabels('validation.y', v.y, v.x.nRows);
      held = networkRows(preprocessing, v.x, vy, new Float64Array(vy.length).fill(1));
    } else if (validRows !== undefined) held = networkRows(preprocessing, x, labels, weights, validRows);
    const network = buildNetwork(params, preprocessing.width);
    let history: TrainHistory;
    try {
      history = trainNetwork(network, train, held, params, new Rng(params.seed ^ TRAIN_STREAM), {
        logger,
        ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
      });
    } catch (err) {
      network.dispose();
      throw err;
    }
    const groups = inputGroups(preprocessing).map((g, i) => ({
      ...g,
      feature: (preprocessing.inputs[i] as { name: string }).name,
    }));
    const importance = permutationImportance(
      splitNetwork(network),
      held ?? train,
      groups,
      params.importanceRepeats,
      new Rng(params.seed ^ IMPORTANCE_STREAM),
    );
    const { specs, data } = readWeights(network);
    this.state?.network.dispose();
    this.state = {
      params,
      backend,
      featureNames: x.names,
      preprocessing,
      network,
      weightSpecs: specs,
      weightData: data,
      weightsSha256: sha256(data),
      topologySha256: sha256(canonicalJson(topologyOf(network))),
      history,
      importance,
      reference: inputMeans(train),
      fingerprint: fingerprintFrame(x, y, rows),
    };
    logger.info(
      { epochs: history.epochs, bestEpoch: history.bestEpoch, stoppedEarly: history.stoppedEarly, backend },
      'mlp fitted',
    );
    return this;
  }

  /**
   * Probability of default per row (the sigmoid of the network's logit, in double precision).
   * @throws E_NOT_FITTED; E_MLP_BACKEND; E_FRAME_SHAPE when a training column is absent
   */
  predictProba(x: Frame): Float64Array {
    const s = this.fitted();
    requireMlpBackend(s.params.allowCpuBackend);
    const out = new Float64Array(x.nRows);
    const width = s.preprocessing.width;
    const per = blockRows(width);
    const rows = rangeOf(0, x.nRows);
    // One scoring block's inputs at a time in one reused buffer, rather than a BLOCK × width matrix per
    // BLOCK (27 MB at 409 inputs, three of them for 40k rows). The blocks are those predictLogits cut
    // each BLOCK into, so the logits are bit-identical to scoring the BLOCK whole.
    const buf = new Float32Array(Math.min(per, x.nRows) * width);
    for (let start = 0; start < x.nRows; start += BLOCK) {
      const end = Math.min(x.nRows, start + BLOCK);
      for (let at = start; at < end; at += per) {
        const n = Math.min(per, end - at);
        const m = buf.subarray(0, n * width);
        m.fill(0);
        writeInputs(s.preprocessing, x, rows.subarray(at, at + n), m, width, 1);
        const z = predictLogits(s.network, m, n, width);
        for (let i = 0; i < n; i++) out[at + i] = 1 / (1 + Math.exp(-(z[i] as number)));
      }
    }
    return out;
  }

  /** Integer points per row on the scorecard's scale (the baseScore, baseOdds and pdo options); higher = safer. */
  score(x: Frame): Float64Array {
    return pointsFromPd(this.predictProba(x), scalingOf(this.fitted().params));
  }

  /**
   * The top-k reasons per row by occlusion against the average training borrower (see attribution.ts):
   * each feature's push on the log-odds of default above an average value of it, largest first.
   * @throws E_NOT_FITTED; E_MLP_BACKEND; E_FRAME_SHAPE when a training column is absent
   */
  reasons(x: Frame, k: number): Reason[][] {
    const s = this.fitted();
    requireMlpBackend(s.params.allowCpuBackend);
    const width = s.preprocessing.width;
    const out: Reason[][] = [];
    // Smaller blocks than predictProba's: each block is copied and scored once per feature.
    const block = Math.max(1, Math.floor(BLOCK / 4));
    for (let start = 0; start < x.nRows; start += block) {
      const end = Math.min(x.nRows, start + block);
      const rows = transformRows(s.preprocessing, x, start, end);
      const logits = (m: Float32Array, n: number): Float32Array => predictLogits(s.network, m, n, width);
      out.push(...occlusionReasons(s.preprocessing, s.reference, x, start, rows, logits, k));
    }
    return out;
  }

  /** Permutation importance on the held-out rows (rise in log loss), largest first. @throws E_NOT_FITTED */
  importance(): readonly FeatureImportance[] {
    return this.fitted().importance;
  }

  /** What happened in training: epochs, best epoch, losses. @throws E_NOT_FITTED */
  history(): TrainHistory {
    return this.fitted().history;
  }

  /**
   * The JSON envelope: parameters, preprocessing, topology checksum, training history, importance and the
   * weights with their sha256 — inline as base64 by default (self-contained), or by reference to a file
   * beside the envelope with `weightsFile` (what `save` writes).
   * @throws E_NOT_FITTED
   */
  toArtifact(options: MlpArtifactOptions = {}): Artifact<MlpParams, MlpArtifactState> {
    const s = this.fitted();
    const categories: Record<string, readonly string[]> = {};
    for (const input of s.preprocessing.inputs)
      if (input.kind === 'categorical') categories[input.name] = input.levels;
    return createArtifact({
      kind: MLP_KIND,
      params: s.params,
      featureNames: s.featureNames,
      categories,
      dataFingerprint: s.fingerprint,
      metrics: {},
      state: {
        backend: s.backend,
        preprocessing: s.preprocessing,
        topologySha256: s.topologySha256,
        weights: {
          specs: s.weightSpecs,
          byteLength: s.weightData.byteLength,
          sha256: s.weightsSha256,
          ...(options.weightsFile === undefined
            ? {
                base64: Buffer.from(
                  s.weightData.buffer,
                  s.weightData.byteOffset,
                  s.weightData.byteLength,
                ).toString('base64'),
              }
            : { file: options.weightsFile }),
        },
        history: s.history,
        importance: s.importance,
        reference: s.reference,
      },
    });
  }

  /**
   * Rebuilds a fitted MLP from its envelope. The weights come from the envelope (base64) or, for an
   * envelope that refers to a file, from `weights` (the bytes of that file).
   * @throws E_MODEL_ARTIFACT_* (kind, version, checksum, malformed; a weights sha256 or topology mismatch is
   *   E_MODEL_ARTIFACT_CHECKSUM); E_MLP_BACKEND when `initMlpBackend()` has not run
   */
  static fromArtifact(artifact: unknown, weights?: Uint8Array): Mlp {
    const { a, params, state } = readEnvelope(artifact);
    const data = weightBytes(state, weights);
    checkWeightsDigest(state, data);
    requireMlpBackend(params.allowCpuBackend);
    const network = buildNetwork(params, state.preprocessing.width);
    try {
      checkTopology(state, network);
      writeWeights(network, state.weights.specs, data);
    } catch (err) {
      network.dispose();
      throw err;
    }
    return Mlp.restore(a, params, state, network, data);
  }

  /**
   * Writes the model into a directory: the envelope as `model.json` (weights by reference), and the TF.js
   * topology and `weights.bin` through the TF.js io handler beside it.
   * @throws E_NOT_FITTED; E_IO when a file cannot be written
   */
  async save(dir: string, options: { readonly clock?: Clock } = {}): Promise<void> {
    await this.saveWeights(dir, options);
    saveArtifactFile(join(dir, MLP_ARTIFACT_FILE), this.toArtifact({ weightsFile: MLP_WEIGHTS_FILE }));
  }

  /**
   * Writes only the TF.js files (`tfjs-model.json`, `weights.bin`) through the io handler, for a caller that
   * writes the envelope itself (`toArtifact({ weightsFile: 'weights.bin' })`).
   * @throws E_NOT_FITTED; E_IO; E_MODEL_ARTIFACT_CHECKSUM if TF.js wrote other bytes than the envelope records
   */
  async saveWeights(dir: string, options: { readonly clock?: Clock } = {}): Promise<void> {
    const s = this.fitted();
    await s.network.save(directoryHandler(dir, options.clock === undefined ? {} : { clock: options.clock }));
    const written = await readFile(join(dir, MLP_WEIGHTS_FILE)).catch((err: Error) => {
      throw new RiskError('E_IO', `cannot read back ${join(dir, MLP_WEIGHTS_FILE)}: ${err.message}`, {
        file: dir,
      });
    });
    if (sha256(written) !== s.weightsSha256) {
      throw new RiskError(
        'E_MODEL_ARTIFACT_CHECKSUM',
        `TF.js wrote weights with sha256 ${sha256(written)}, the model holds ${s.weightsSha256}`,
        { expected: s.weightsSha256, received: sha256(written) },
      );
    }
  }

  /**
   * Loads a model directory written by `save`: verifies the envelope, starts the backend, loads the TF.js
   * topology and weights through the io handler, and checks both against the envelope's sha256s.
   * @throws E_IO, E_JSON_PARSE, E_MODEL_ARTIFACT_* , E_MLP_BACKEND
   */
  static async fromArtifactDir(dir: string): Promise<Mlp> {
    const { a, params, state } = readEnvelope(loadArtifact(join(dir, MLP_ARTIFACT_FILE), MLP_KIND));
    await initMlpBackend({ allowCpu: params.allowCpuBackend });
    if (state.weights.base64 !== undefined) return Mlp.fromArtifact(a);
    const loaded = await directoryHandler(dir).load?.();
    const topology = loaded?.modelTopology;
    const buffer = loaded?.weightData;
    if (topology === undefined || buffer === undefined || Array.isArray(buffer)) {
      throw new RiskError('E_MODEL_ARTIFACT_INVALID', `${dir}: the TF.js files hold no topology or weights`, {
        file: dir,
      });
    }
    const data = new Uint8Array(buffer);
    checkWeightsDigest(state, data);
    const digest = sha256(canonicalJson(topology));
    if (digest !== state.topologySha256) throw topologyMismatch(state.topologySha256, digest);
    const network = await tfl.loadLayersModel(tf.io.fromMemory(loaded as tf.io.ModelArtifacts));
    return Mlp.restore(a, params, state, network, data);
  }

  private static restore(
    a: Artifact,
    params: MlpParams,
    state: MlpArtifactState,
    network: tfl.LayersModel,
    data: Uint8Array,
  ): Mlp {
    const mlp = new Mlp(params);
    mlp.state = {
      params,
      backend: state.backend,
      featureNames: a.featureNames,
      preprocessing: state.preprocessing,
      network,
      weightSpecs: state.weights.specs,
      weightData: data,
      weightsSha256: state.weights.sha256,
      topologySha256: state.topologySha256,
      history: state.history,
      importance: state.importance,
      reference: state.reference ?? defaultReference(state.preprocessing),
      fingerprint: a.dataFingerprint,
    };
    return mlp;
  }

  /** A short text summary: architecture, training and the most important features. @throws E_NOT_FITTED */
  report(): string {
    const s = this.fitted();
    const h = s.history;
    const lines = [
      `MLP (${s.backend}): ${s.preprocessing.width} inputs → ${s.params.hiddenLayers.join(' → ')} (${s.params.activation}) → 1`,
      `features: ${s.featureNames.length}; epochs run ${h.epochs} of ${s.params.maxEpochs}, best ${h.bestEpoch}` +
        (h.stoppedEarly ? ' (stopped early)' : ''),
    ];
    const best = h.validationLoss[h.bestEpoch - 1];
    if (best !== undefined) lines.push(`validation log loss at best epoch: ${best.toFixed(5)}`);
    if (s.importance.length > 0) {
      lines.push('permutation importance (rise in log loss):');
      for (const f of s.importance.slice(0, 10)) lines.push(`  ${f.feature}: ${f.value.toFixed(5)}`);
    }
    return lines.join('\n');
  }

  /** Frees the network's tensors; the model is unfitted afterwards. */
  dispose(): void {
    this.state?.network.dispose();
    this.state = null;
  }
}

function saveArtifactFile(path: string, artifact: Artifact): void {
  try {
    saveArtifact(path, artifact);
  } catch (err) {
    throw ioError('write', path, err);
  }
}
