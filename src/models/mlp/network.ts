import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { RiskError } from '../../core/errors.js';
import { Rng } from '../../core/rng.js';
import type { MlpParams } from './options.js';

/** One weight tensor in `weights.bin`, in TF.js's weights-manifest vocabulary. */
export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32';
}

/** Rows scored per `predict` call at most: TF.js's default of 32 made 150k rows take 21 s instead of 0.09 s. */
export const PREDICT_BATCH = 8192;

/**
 * Input values per scoring block (1 MiB of float32). The wasm heap grows to the largest block and never
 * shrinks, so wide inputs get fewer rows: 8,192 rows of 409 inputs made it 13 MB for one block.
 */
const BLOCK_VALUES = 1 << 18;

/**
 * Rows per scoring block for `width` inputs: PREDICT_BATCH, fewer for wide inputs (at least 256).
 * @example blockRows(409) // 640
 */
export function blockRows(width: number): number {
  return Math.max(256, Math.min(PREDICT_BATCH, Math.floor(BLOCK_VALUES / Math.max(1, width))));
}

/**
 * Builds the network: dense hidden layers with the chosen activation and one linear output unit (the
 * logit of default). Layer and model names are fixed, so that the topology is the same text in every
 * process; the Glorot initialisers are seeded from `seed`, so that the starting weights are too.
 * @example const net = buildNetwork(parseMlpOptions({}), 12);
 */
export function buildNetwork(
  params: Pick<MlpParams, 'hiddenLayers' | 'activation' | 'seed'>,
  inputs: number,
): tfl.Sequential {
  const rng = new Rng(params.seed);
  const net = tfl.sequential({ name: 'rongdan_mlp' });
  params.hiddenLayers.forEach((units, i) => {
    net.add(
      tfl.layers.dense({
        name: `hidden_${i + 1}`,
        units,
        activation: params.activation,
        kernelInitializer: tfl.initializers.glorotUniform({ seed: rng.int(2 ** 31) }),
        ...(i === 0 ? { inputShape: [inputs] } : {}),
      }),
    );
  });
  net.add(
    tfl.layers.dense({
      name: 'output',
      units: 1,
      activation: 'linear',
      kernelInitializer: tfl.initializers.glorotUniform({ seed: rng.int(2 ** 31) }),
    }),
  );
  return net;
}

/** The network's topology as TF.js writes it into `model.json`. */
export function topologyOf(net: tfl.LayersModel): object {
  return net.toJSON(null, false) as object;
}

/**
 * The weights as TF.js's `weights.bin` bytes (float32, little-endian, concatenated in manifest order) and
 * their specs; synchronous, unlike `tf.io.encodeWeights`.
 */
export function readWeights(net: tfl.LayersModel): { specs: WeightSpec[]; data: Uint8Array } {
  const specs: WeightSpec[] = [];
  const parts: Float32Array[] = [];
  let length = 0;
  for (const w of net.weights) {
    specs.push({ name: w.originalName, shape: [...w.shape] as number[], dtype: 'float32' });
    const values = w.read().dataSync() as Float32Array;
    parts.push(values);
    length += values.length;
  }
  const all = new Float32Array(length);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.length;
  }
  return { specs, data: new Uint8Array(all.buffer) };
}

/**
 * Sets the network's weights from `weights.bin` bytes.
 * @throws E_MODEL_ARTIFACT_INVALID when the specs do not match the network or the byte count is wrong
 */
export function writeWeights(net: tfl.LayersModel, specs: readonly WeightSpec[], data: Uint8Array): void {
  const weights = net.weights;
  const expected = weights.map((w) => `${w.originalName}[${w.shape.join(',')}]`).join(' ');
  const received = specs.map((s) => `${s.name}[${s.shape.join(',')}]`).join(' ');
  if (expected !== received) {
    throw new RiskError('E_MODEL_ARTIFACT_INVALID', `mlp weights must be ${expected}, received ${received}`, {
      path: ['state', 'weights', 'specs'],
      expected,
      received,
    });
  }
  let total = 0;
  for (const s of specs) total += s.shape.reduce((a, b) => a * b, 1);
  if (data.byteLength !== total * 4) {
    throw new RiskError(
      'E_MODEL_ARTIFACT_INVALID',
      `mlp weights must hold ${total * 4} bytes, received ${data.byteLength}`,
      { path: ['state', 'weights'], expected: `${total * 4} bytes`, received: data.byteLength },
    );
  }
  // Copy into an aligned buffer: a Buffer slice may start at an offset that is not a multiple of 4.
  const floats = new Float32Array(total);
  new Uint8Array(floats.buffer).set(data);
  let at = 0;
  const tensors = specs.map((s) => {
    const size = s.shape.reduce((a, b) => a * b, 1);
    const t = tf.tensor(floats.subarray(at, at + size), [...s.shape], 'float32');
    at += size;
    return t;
  });
  net.setWeights(tensors);
  tf.dispose(tensors);
}

/** Activations tfjs-layers' Dense fuses into its matMul (the others run as a separate op, as there). */
const FUSED = new Set(['linear', 'relu', 'elu']);

/** One dense layer's tensors and activation, read off the network (the variables themselves, not copies). */
export interface DenseParts {
  readonly kernel: tf.Tensor2D;
  readonly bias: tf.Tensor1D;
  readonly activation: string;
}

/** The dense layers' kernels, biases and activations, input side first. */
export function denseParts(net: tfl.LayersModel): DenseParts[] {
  return denseLayers(net).map((l) => ({
    kernel: l.trainableWeights[0]?.read() as tf.Tensor2D,
    bias: l.trainableWeights[1]?.read() as tf.Tensor1D,
    activation: (l.getConfig() as { activation: string }).activation,
  }));
}

/** `activation(h · kernel + bias)` with the ops tfjs-layers' Dense uses, so results match it bit for bit. */
function dense(h: tf.Tensor2D, d: DenseParts): tf.Tensor2D {
  if (FUSED.has(d.activation)) {
    return tf.fused.matMul({
      a: h,
      b: d.kernel,
      bias: d.bias,
      activation: d.activation as 'linear' | 'relu' | 'elu',
    }) as tf.Tensor2D;
  }
  return activate(tf.fused.matMul({ a: h, b: d.kernel, bias: d.bias }) as tf.Tensor2D, d.activation);
}

/** Applies a hidden layer's activation (by its TF.js name) on its own, not fused into a matMul. */
export function activate(h: tf.Tensor2D, activation: string): tf.Tensor2D {
  switch (activation) {
    case 'relu':
      return tf.relu(h);
    case 'elu':
      return tf.elu(h);
    case 'selu':
      return tf.selu(h);
    case 'tanh':
      return tf.tanh(h);
    case 'sigmoid':
      return tf.sigmoid(h);
    default:
      return h;
  }
}

/**
 * Runs `layers` over row blocks (`blockRows`) of a row-major matrix and returns the last layer's
 * output, row-major. The dense layers are called directly rather than through `LayersModel.predict`, whose
 * input slicing and bookkeeping took four times the matMul itself on 8,000 rows.
 */
function runBlocks(
  x: Float32Array,
  rows: number,
  width: number,
  outWidth: number,
  body: (h: tf.Tensor2D) => tf.Tensor2D,
): Float32Array {
  const out = new Float32Array(rows * outWidth);
  const per = blockRows(width);
  for (let start = 0; start < rows; start += per) {
    const n = Math.min(per, rows - start);
    // The tensor leaves the tidy, not its data: tidy walks every key of what it returns, and a typed array
    // of 8,192 × 64 values cost more than the matMul.
    const block = tf.tidy(() =>
      body(tf.tensor2d(x.subarray(start * width, (start + n) * width), [n, width])),
    );
    try {
      out.set(block.dataSync(), start * outWidth);
    } finally {
      block.dispose();
    }
  }
  return out;
}

/**
 * The output logits of rows (a row-major float32 matrix), scored in blocks of `blockRows(width)`.
 * @example const z = predictLogits(net, x, rows, width);
 */
export function predictLogits(
  net: tfl.LayersModel,
  x: Float32Array,
  rows: number,
  width: number,
): Float32Array {
  const parts = denseParts(net);
  return runBlocks(x, rows, width, 1, (h) => parts.reduce(dense, h));
}

/**
 * The network cut after the first layer's affine map, for permutation importance: shuffling one feature's
 * inputs changes the first layer's pre-activations by (x' − x) · kernel rows of those inputs only, so they
 * are computed once and patched, and only the small rest of the network runs per feature.
 */
export interface SplitNetwork {
  /** Units of the first layer. */
  readonly units: number;
  /** The first layer's kernel, row-major (inputs × units). */
  readonly kernel: Float32Array;
  /** The first layer's pre-activations x · kernel + bias, row-major (rows × units). */
  preActivations(x: Float32Array, rows: number, width: number): Float32Array;
  /** The logits from first-layer pre-activations (its activation, then the other layers). */
  logitsFrom(a: Float32Array, rows: number): Float32Array;
}

/** Splits a network at its first layer's pre-activations (see `SplitNetwork`). */
export function splitNetwork(net: tfl.LayersModel): SplitNetwork {
  const [first, ...rest] = denseParts(net) as [DenseParts, ...DenseParts[]];
  const units = first.kernel.shape[1];
  return {
    units,
    kernel: first.kernel.dataSync() as Float32Array,
    preActivations: (x, rows, width) =>
      runBlocks(x, rows, width, units, (h) => dense(h, { ...first, activation: 'linear' })),
    logitsFrom: (a, rows) =>
      runBlocks(a, rows, units, 1, (h) => rest.reduce(dense, activate(h, first.activation))),
  };
}

/** The dense layers of a network, input side first. */
export function denseLayers(net: tfl.LayersModel): ReturnType<typeof tfl.layers.dense>[] {
  return net.layers.filter((l) => l.getClassName() === 'Dense') as ReturnType<typeof tfl.layers.dense>[];
}
