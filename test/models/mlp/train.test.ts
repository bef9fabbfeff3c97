import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { categorical, Frame, numeric } from '../../../src/core/frame.js';
import { Rng } from '../../../src/core/rng.js';
import { initMlpBackend } from '../../../src/models/mlp/backend.js';
import { networkRows } from '../../../src/models/mlp/data.js';
import { fitPreprocessor, inputGroups, transformRows } from '../../../src/models/mlp/preprocess.js';
import { affineOfBatch, rangeOf, transposeInto } from '../../../src/models/mlp/train.js';

beforeAll(async () => {
  await initMlpBackend();
});

describe('transposeInto', () => {
  it('equals the plain transpose for any shape, across tile edges', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), (rows, cols) => {
        const from = Float32Array.from({ length: rows * cols }, (_, i) => i);
        const to = new Float32Array(rows * cols);
        transposeInto(to, from, rows, cols);
        for (let i = 0; i < rows; i++)
          for (let j = 0; j < cols; j++) expect(to[j * rows + i]).toBe(from[i * cols + j]);
      }),
      { numRuns: 60 },
    );
  });
});

describe('affineOfBatch', () => {
  it("gives TF.js's own value and gradients of x · kernel + bias", () => {
    const rng = new Rng(5);
    const [n, inputs, units] = [37, 11, 6];
    const values = (k: number): Float32Array => Float32Array.from({ length: k }, () => rng.normal());
    const [xs, ks, bs, dys] = [values(n * inputs), values(inputs * units), values(units), values(n * units)];
    const xsT = new Float32Array(xs.length);
    transposeInto(xsT, xs, n, inputs);
    const before = tf.memory().numTensors;
    const [ours, theirs] = tf.tidy(() => {
      const x = tf.tensor2d(xs, [n, inputs]);
      const kernel = tf.tensor2d(ks, [inputs, units]);
      const bias = tf.tensor1d(bs);
      const dy = tf.tensor2d(dys, [n, units]);
      const affine = affineOfBatch(x, tf.tensor2d(xsT, [inputs, n]));
      const grad = (f: (k: tf.Tensor, b: tf.Tensor) => tf.Tensor) =>
        tf.valueAndGrads((k: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(k, b), dy)))([kernel, bias]);
      const a = grad(affine);
      const b = grad((k, b2) => tf.add(tf.matMul(x, k as tf.Tensor2D), b2));
      return [
        [a.value, ...a.grads].map((t) => Array.from(t.dataSync())),
        [b.value, ...b.grads].map((t) => Array.from(t.dataSync())),
      ];
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(ours).toHaveLength(3);
    ours.forEach((part, i) => {
      const ref = theirs[i] as number[];
      expect(part).toHaveLength(ref.length);
      part.forEach((v, j) => {
        expect(v).toBeCloseTo(ref[j] as number, 4);
      });
    });
  });
});

describe('networkRows', () => {
  const frame = Frame.fromColumns([
    numeric('age', [20, 30, null, 50, 60, Number.POSITIVE_INFINITY]),
    categorical('region', ['east', 'west', 'east', null, 'north', 'west']),
    numeric('income', [1, 2, 3, 4, 5, 6]),
  ]);
  const y = Float64Array.from([0, 1, 0, 1, 0, 1]);
  const w = new Float64Array(6).fill(1);
  const subset = Int32Array.from([5, 0, 3, 2]);
  const p = fitPreprocessor(frame, subset);
  const src = networkRows(p, frame, y, w, subset);

  it('writes the rows transformRows gives, row-major and column-major, labels and weights in step', () => {
    const all = transformRows(p, frame, 0, subset.length, subset);
    const pick = Int32Array.from([3, 1, 1, 0]);
    const rowsOut = new Float32Array(pick.length * p.width).fill(9);
    const colsOut = new Float32Array(pick.length * p.width).fill(9);
    src.write(pick, rowsOut, 'rows');
    src.write(pick, colsOut, 'columns');
    pick.forEach((r, i) => {
      for (let j = 0; j < p.width; j++) {
        expect(rowsOut[i * p.width + j]).toBe(all[r * p.width + j]);
        expect(colsOut[j * pick.length + i]).toBe(all[r * p.width + j]);
      }
    });
    expect(Array.from(src.y)).toEqual([1, 0, 1, 0]);
    expect(src.rows).toBe(4);
  });

  it('writes one frame column’s inputs alone, as the same values', () => {
    const pick = rangeOf(0, subset.length);
    const full = new Float32Array(pick.length * p.width);
    src.write(pick, full, 'columns');
    for (const g of inputGroups(p)) {
      const width = g.end - g.start;
      const part = new Float32Array(pick.length * width).fill(9);
      src.write(pick, part, 'columns', g.start, g.end);
      expect(Array.from(part)).toEqual(Array.from(full.subarray(g.start * pick.length, g.end * pick.length)));
    }
  });
});
