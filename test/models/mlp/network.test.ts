import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../../src/core/rng.js';
import { initMlpBackend } from '../../../src/models/mlp/backend.js';
import { type InputGroup, permutationImportance } from '../../../src/models/mlp/importance.js';
import { buildNetwork, predictLogits, splitNetwork } from '../../../src/models/mlp/network.js';
import { MLP_ACTIVATIONS } from '../../../src/models/mlp/options.js';
import { type DesignMatrix, weightedLogLoss } from '../../../src/models/mlp/train.js';
import { matrixRows } from './synthetic.js';

const WIDTH = 7;
const ROWS = 300;
/** Inputs 0–1 a numeric with its missing flag, 2–4 a one-hot group, 5 and 6 numerics. */
const GROUPS: InputGroup[] = [
  { feature: 'a', start: 0, end: 2 },
  { feature: 'c', start: 2, end: 5 },
  { feature: 'd', start: 5, end: 6 },
  { feature: 'e', start: 6, end: 7 },
];

function design(seed: number): DesignMatrix {
  const rng = new Rng(seed);
  const x = new Float32Array(ROWS * WIDTH);
  const y = new Float32Array(ROWS);
  const w = new Float32Array(ROWS).fill(1);
  for (let i = 0; i < ROWS; i++) {
    const r = x.subarray(i * WIDTH, (i + 1) * WIDTH);
    const missing = rng.chance(0.1);
    r[0] = missing ? 0 : rng.normal(0, 1);
    r[1] = missing ? 1 : 0;
    r[2 + rng.int(3)] = 1;
    r[5] = rng.normal(0, 1);
    r[6] = rng.normal(0, 1);
    y[i] = rng.chance(1 / (1 + Math.exp(-(2 * (r[0] as number) + (r[4] as number))))) ? 1 : 0;
  }
  return { x, y, w, rows: ROWS, width: WIDTH };
}

/** The plain definition: permute the group's inputs in a copy and score the whole network again. */
function bruteForceImportance(net: tfl.LayersModel, data: DesignMatrix, rng: Rng): Map<string, number> {
  const base = weightedLogLoss(predictLogits(net, data.x, ROWS, WIDTH), data);
  const out = new Map<string, number>();
  for (const g of GROUPS) {
    const order = Int32Array.from({ length: ROWS }, (_, i) => i);
    for (let i = ROWS - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      [order[i], order[j]] = [order[j] as number, order[i] as number];
    }
    const work = data.x.slice();
    for (let i = 0; i < ROWS; i++)
      for (let c = g.start; c < g.end; c++)
        work[i * WIDTH + c] = data.x[(order[i] as number) * WIDTH + c] as number;
    out.set(g.feature, weightedLogLoss(predictLogits(net, work, ROWS, WIDTH), data) - base);
  }
  return out;
}

const nets: tfl.Sequential[] = [];
beforeAll(async () => {
  await initMlpBackend();
});
afterAll(() => {
  for (const n of nets) n.dispose();
});

describe('predictLogits', () => {
  it.each(MLP_ACTIVATIONS)('matches LayersModel.predict bit for bit with %s', (activation) => {
    const net = buildNetwork({ hiddenLayers: [6, 4], activation, seed: 3 }, WIDTH);
    nets.push(net);
    const data = design(1);
    const z = predictLogits(net, data.x, ROWS, WIDTH);
    const ref = tf.tidy(
      () => (net.predict(tf.tensor2d(data.x, [ROWS, WIDTH])) as tf.Tensor).dataSync() as Float32Array,
    );
    expect(Array.from(z)).toEqual(Array.from(ref));
  });

  it('leaves no tensors behind', () => {
    const net = buildNetwork({ hiddenLayers: [5], activation: 'relu', seed: 1 }, WIDTH);
    nets.push(net);
    const before = tf.memory().numTensors;
    predictLogits(net, design(2).x, ROWS, WIDTH);
    splitNetwork(net).logitsFrom(new Float32Array(ROWS * 5), ROWS);
    expect(tf.memory().numTensors).toBe(before);
  });
});

describe('permutationImportance on the split network', () => {
  it.each(['relu', 'tanh'] as const)(
    'equals the brute-force definition (same shuffles) with %s',
    (activation) => {
      const net = buildNetwork({ hiddenLayers: [8, 4], activation, seed: 11 }, WIDTH);
      nets.push(net);
      const data = design(5);
      const fast = permutationImportance(splitNetwork(net), matrixRows(data), GROUPS, 1, new Rng(9));
      const slow = bruteForceImportance(net, data, new Rng(9));
      expect(fast.map((f) => f.feature).sort()).toEqual(['a', 'c', 'd', 'e']);
      for (const f of fast) expect(f.value).toBeCloseTo(slow.get(f.feature) as number, 5);
      // The patched pre-activations are not a no-op: some feature matters.
      expect(Math.max(...fast.map((f) => Math.abs(f.value)))).toBeGreaterThan(1e-3);
    },
  );
});
