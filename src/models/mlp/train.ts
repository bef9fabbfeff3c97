import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Logger } from '../../core/logger.js';
import type { Rng } from '../../core/rng.js';
import {
  activate,
  blockRows,
  type DenseParts,
  denseParts,
  predictLogits,
  readWeights,
  writeWeights,
} from './network.js';
import { autoBatchSize, type MlpParams } from './options.js';

/** Preprocessed rows: a row-major float32 matrix, 0/1 labels and weights (mean 1 over the rows). */
export interface DesignMatrix {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly w: Float32Array;
  readonly rows: number;
  readonly width: number;
}

/**
 * Rows as the network reads them, made on demand from the frame: a full float32 copy of the training rows
 * (40k × 409 inputs: 65 MB) would sit beside the frame for the whole fit, so batches and held-out blocks
 * are written from the frame's columns as they are needed.
 */
export interface NetworkRows {
  readonly rows: number;
  readonly width: number;
  /** 0/1 label of each row. */
  readonly y: Float32Array;
  /** Weight of each row (mean 1). */
  readonly w: Float32Array;
  /**
   * Writes the inputs [from, to) (all by default; a range of whole frame columns) of the rows `pick`
   * (indices into these rows) into `out`, zeroed first: row-major, or column-major (input from + j of the
   * i-th picked row at j·pick.length + i).
   */
  write(pick: Int32Array, out: Float32Array, layout: 'rows' | 'columns', from?: number, to?: number): void;
}

/** start, start + 1, …, end − 1. */
export function rangeOf(start: number, end: number): Int32Array {
  const out = new Int32Array(end - start);
  for (let i = 0; i < out.length; i++) out[i] = start + i;
  return out;
}

/**
 * Calls `each` with consecutive blocks of the rows `pick` (all by default) as row-major matrices (one
 * buffer, reused), for passes that need no full matrix: held-out logits, input means, pre-activations.
 */
export function forEachBlock(
  src: NetworkRows,
  each: (x: Float32Array, start: number, n: number) => void,
  pick: Int32Array = rangeOf(0, src.rows),
): void {
  const block = blockRows(src.width);
  const buf = new Float32Array(Math.min(block, pick.length) * src.width);
  for (let start = 0; start < pick.length; start += block) {
    const n = Math.min(block, pick.length - start);
    const x = buf.subarray(0, n * src.width);
    src.write(pick.subarray(start, start + n), x, 'rows');
    each(x, start, n);
  }
}

/** The network's logits of every row of `src`, scored block by block. */
export function logitsOf(net: tfl.LayersModel, src: NetworkRows): Float32Array {
  const z = new Float32Array(src.rows);
  forEachBlock(src, (x, start, n) => z.set(predictLogits(net, x, n, src.width), start));
  return z;
}

/** What happened while training, kept in the artifact. */
export interface TrainHistory {
  /** Epochs run. */
  readonly epochs: number;
  /** The epoch (1-based) whose weights were kept: the best validation loss, or the last without one. */
  readonly bestEpoch: number;
  readonly stoppedEarly: boolean;
  /** Mean objective per epoch over the training rows (log loss plus the L2 penalty, dropout on). */
  readonly trainLoss: readonly number[];
  /** Log loss on the held-out rows after each epoch (empty without them). */
  readonly validationLoss: readonly number[];
}

/** Hooks for progress and diagnostics. */
export interface TrainHooks {
  readonly logger: Logger;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Trains a network in place with Adam on weighted log loss, in a synchronous epoch loop: rows shuffled and
 * dropout masks drawn by our seeded Rng (not TF.js's seeds, which repeat one mask per call), so that a seed
 * fixes the result. With held-out rows and patience > 0 it stops once the validation log loss has not
 * improved by minDelta for `patience` epochs, and restores the best epoch's weights.
 * @example const history = trainNetwork(net, train, valid, params, new Rng(params.seed), { logger });
 */
export function trainNetwork(
  net: tfl.LayersModel,
  train: NetworkRows,
  validation: NetworkRows | null,
  params: MlpParams,
  rng: Rng,
  hooks: TrainHooks,
): TrainHistory {
  const [first, ...rest] = denseParts(net) as [DenseParts, ...DenseParts[]];
  const variables = net.trainableWeights.map((w) => w.read() as tf.Variable);
  const optimizer = tf.train.adam(params.learningRate);
  const order = new Int32Array(train.rows);
  for (let i = 0; i < order.length; i++) order[i] = i;
  const trainLoss: number[] = [];
  const validationLoss: number[] = [];
  let best = Number.POSITIVE_INFINITY;
  let bestEpoch = 0;
  let bestWeights: Uint8Array | null = null;
  let specs = readWeights(net).specs;
  let stale = 0;
  let stoppedEarly = false;
  const { width } = train;
  const bs = Math.min(params.batchSize === 0 ? autoBatchSize(train.rows) : params.batchSize, train.rows);
  const xb = new Float32Array(bs * width);
  // The batch again, transposed (width × rows), for the first kernel's gradient (see affineOfBatch).
  const xbT = new Float32Array(bs * width);
  const yb = new Float32Array(bs);
  const wb = new Float32Array(bs);
  // Reused, as the batch buffers are (tensor2d copies them): a fresh 400 KB per step left the allocator
  // holding tens of MB of freed buffers by the end of training.
  const maskBuffers = params.hiddenLayers.map((units) => new Float32Array(bs * units));
  try {
    for (let epoch = 1; epoch <= params.maxEpochs; epoch++) {
      shuffle(order, rng);
      let sum = 0;
      for (let start = 0; start < train.rows; start += bs) {
        const size = Math.min(bs, train.rows - start);
        const pick = order.subarray(start, start + size);
        for (let i = 0; i < size; i++) {
          const row = pick[i] as number;
          yb[i] = train.y[row] as number;
          wb[i] = train.w[row] as number;
        }
        // Column-major from the frame's columns (sequential writes), then row-major by a tiled transpose.
        train.write(pick, xbT, 'columns');
        transposeInto(xb, xbT, width, size);
        sum += size * step(size);
      }
      trainLoss.push(sum / train.rows);
      if (validation !== null && validation.rows > 0) {
        const loss = weightedLogLoss(logitsOf(net, validation), validation);
        validationLoss.push(loss);
        if (loss < best - params.minDelta) {
          best = loss;
          bestEpoch = epoch;
          const snap = readWeights(net);
          bestWeights = snap.data;
          specs = snap.specs;
          stale = 0;
        } else stale++;
        hooks.logger.debug({ epoch, trainLoss: trainLoss[epoch - 1], validationLoss: loss }, 'mlp epoch');
      } else {
        bestEpoch = epoch;
        hooks.logger.debug({ epoch, trainLoss: trainLoss[epoch - 1] }, 'mlp epoch');
      }
      if (
        validation !== null &&
        params.patience > 0 &&
        stale >= params.patience &&
        epoch < params.maxEpochs
      ) {
        stoppedEarly = true;
        // The bar ends where training ends: its total becomes the epoch reached.
        hooks.onProgress?.(epoch, epoch);
        break;
      }
      hooks.onProgress?.(epoch, params.maxEpochs);
    }
    if (bestWeights !== null) writeWeights(net, specs, bestWeights);
  } finally {
    optimizer.dispose();
  }
  return { epochs: trainLoss.length, bestEpoch, stoppedEarly, trainLoss, validationLoss };

  /** One Adam step on the first `size` rows of the batch buffers; returns the batch objective. */
  function step(size: number): number {
    const masks = params.dropout > 0 ? dropoutMasks(size) : [];
    const xt = tf.tensor2d(xb.subarray(0, size * width), [size, width]);
    const xtT = tf.tensor2d(xbT.subarray(0, size * width), [width, size]);
    const yt = tf.tensor2d(yb.subarray(0, size), [size, 1]);
    const wt = tf.tensor2d(wb.subarray(0, size), [size, 1]);
    const firstAffine = affineOfBatch(xt, xtT);
    try {
      const cost = optimizer.minimize(
        () => {
          let h = activate(firstAffine(first.kernel, first.bias), first.activation);
          if (masks[0] !== undefined) h = tf.mul(h, masks[0]) as tf.Tensor2D;
          rest.forEach((d, i) => {
            h = activate(tf.fused.matMul({ a: h, b: d.kernel, bias: d.bias }) as tf.Tensor2D, d.activation);
            const mask = masks[i + 1];
            if (mask !== undefined) h = tf.mul(h, mask) as tf.Tensor2D;
          });
          // Log loss from the logit z, stable for any z: max(z, 0) − z·y + log(1 + e^(−|z|)).
          const perRow = tf.add(tf.sub(tf.relu(h), tf.mul(h, yt)), tf.log1p(tf.exp(tf.neg(tf.abs(h)))));
          let loss: tf.Tensor = tf.mean(tf.mul(perRow, wt));
          // The L2 penalty falls on kernels only, as Keras' kernelRegularizer does.
          if (params.l2 > 0) {
            for (const d of [first, ...rest])
              loss = tf.add(loss, tf.mul(params.l2, tf.sum(tf.square(d.kernel))));
          }
          return loss as tf.Scalar;
        },
        true,
        variables,
      );
      const value = (cost as tf.Scalar).dataSync()[0] as number;
      cost?.dispose();
      return value;
    } finally {
      tf.dispose([xt, xtT, yt, wt, ...masks]);
    }
  }

  /** Inverted-dropout masks (kept units scaled by 1/(1 − p)) for each hidden layer's output. */
  function dropoutMasks(size: number): tf.Tensor2D[] {
    const keep = 1 - params.dropout;
    const scale = 1 / keep;
    return params.hiddenLayers.map((units, l) => {
      const m = (maskBuffers[l] as Float32Array).subarray(0, size * units);
      for (let i = 0; i < m.length; i++) m[i] = rng.uniform() < keep ? scale : 0;
      return tf.tensor2d(m, [size, units]);
    });
  }
}

/**
 * x · kernel + bias as a function of kernel and bias, for a batch `x` given also transposed (`xT`), whose
 * gradients are xᵀ · dy and Σ dy: TF.js's own gradient of the kernel is a matMul with transposeA, which
 * the wasm backend runs in a naive loop (8× slower than its XNNPACK path, and 90% of a step on a batch of
 * 400 inputs), whereas xT · dy takes the XNNPACK path. The batch itself gets no gradient.
 * @example const affine = affineOfBatch(x, xT); const z = affine(kernel, bias);
 */
export function affineOfBatch(
  x: tf.Tensor2D,
  xT: tf.Tensor2D,
): (kernel: tf.Tensor, bias: tf.Tensor) => tf.Tensor2D {
  const f = tf.customGrad((kernel, bias) => ({
    value: tf.fused.matMul({ a: x, b: kernel as tf.Tensor2D, bias: bias as tf.Tensor }),
    gradFunc: (dy) => [tf.matMul(xT, dy as tf.Tensor2D), tf.sum(dy as tf.Tensor, 0)],
  }));
  return (kernel, bias) => f(kernel, bias) as tf.Tensor2D;
}

/**
 * `to` (cols × rows) = `from` (rows × cols)ᵀ, both row-major, in tiles of 16 × 16 so that reads and writes
 * both stay within a few cache lines (a plain column-by-column loop took 1.5 s over nine epochs).
 */
export function transposeInto(to: Float32Array, from: Float32Array, rows: number, cols: number): void {
  const T = 16;
  for (let i0 = 0; i0 < rows; i0 += T) {
    const i1 = Math.min(rows, i0 + T);
    for (let j0 = 0; j0 < cols; j0 += T) {
      const j1 = Math.min(cols, j0 + T);
      for (let i = i0; i < i1; i++) {
        const r = i * cols;
        for (let j = j0; j < j1; j++) to[j * rows + i] = from[r + j] as number;
      }
    }
  }
}

/** Fisher-Yates on a typed array with our seeded Rng. */
function shuffle(a: Int32Array, rng: Rng): void {
  for (let i = a.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = a[i] as number;
    a[i] = a[j] as number;
    a[j] = t;
  }
}

/** Weighted log loss of logits, in double precision. */
export function weightedLogLoss(z: Float32Array, data: Pick<DesignMatrix, 'y' | 'w'>): number {
  let sum = 0;
  let total = 0;
  for (let i = 0; i < z.length; i++) {
    const w = data.w[i] as number;
    sum += w * logLoss(z[i] as number, data.y[i] as number);
    total += w;
  }
  return total > 0 ? sum / total : 0;
}

/** Log loss of one logit z against a 0/1 label, stable for any z: max(z, 0) − z·y + log(1 + e^(−|z|)). */
export function logLoss(z: number, y: number): number {
  return Math.max(z, 0) - z * y + Math.log1p(Math.exp(-Math.abs(z)));
}
