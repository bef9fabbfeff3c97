import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { verifyArtifact } from '../../../src/core/artifact.js';
import { RiskError } from '../../../src/core/errors.js';
import { Frame } from '../../../src/core/frame.js';
import { memoryLogger } from '../../../src/core/logger.js';
import { auc, logLoss } from '../../../src/evaluation/metrics.js';
import { initMlpBackend } from '../../../src/models/mlp/backend.js';
import { Mlp } from '../../../src/models/mlp/mlp.js';
import { parseMlpOptions } from '../../../src/models/mlp/options.js';
import { codeOf } from '../../fixtures/errors.js';
import { syntheticCredit } from './synthetic.js';

/** Small, quick settings: the behaviour under test does not need the default 64→32 network. */
const FAST = { hiddenLayers: [8], maxEpochs: 30, patience: 4, batchSize: 64, seed: 7 } as const;

function snapshot(x: Frame): unknown[] {
  return x.columns.map((c) =>
    c.kind === 'numeric' ? Array.from(c.values) : [Array.from(c.codes), [...c.levels]],
  );
}

const train = syntheticCredit(600, 1);
const test = syntheticCredit(400, 2);
let model: Mlp;

// A fit, not a quick setup: the default 10 s hook limit failed on the loaded 2-core machine.
beforeAll(async () => {
  await initMlpBackend();
  model = new Mlp(FAST).fit(train.x, train.y);
}, 60_000);

describe('Mlp estimator contract', () => {
  it('stores options untouched and fills documented defaults on fit', () => {
    const options = { hiddenLayers: [8], maxEpochs: 30 };
    const m = new Mlp(options);
    expect(m.options).toBe(options);
    expect(m.isFitted).toBe(false);
    const params = parseMlpOptions({});
    expect(params).toEqual({
      hiddenLayers: [64, 32],
      activation: 'relu',
      dropout: 0.1,
      l2: 1e-4,
      learningRate: 3e-3,
      batchSize: 0,
      maxEpochs: 100,
      patience: 3,
      minDelta: 1e-4,
      validationFraction: 0.2,
      importanceRepeats: 1,
      seed: 42,
      allowCpuBackend: false,
      baseScore: 600,
      baseOdds: 50,
      pdo: 20,
    });
    expect(model.toArtifact().params).toEqual({ ...params, ...FAST });
  });

  it('throws E_NOT_FITTED before fit', () => {
    const m = new Mlp();
    expect(codeOf(() => m.predictProba(test.x))).toBe('E_NOT_FITTED');
    expect(codeOf(() => m.toArtifact())).toBe('E_NOT_FITTED');
    expect(codeOf(() => m.importance())).toBe('E_NOT_FITTED');
    expect(codeOf(() => m.featureNames)).toBe('E_NOT_FITTED');
  });

  it('does not mutate its inputs', () => {
    const { x, y } = syntheticCredit(200, 3);
    const w = Float64Array.from({ length: 200 }, (_, i) => 1 + (i % 3));
    const before = [snapshot(x), Array.from(y), Array.from(w)];
    new Mlp({ ...FAST, maxEpochs: 2 }).fit(x, y, { sampleWeight: w }).dispose();
    expect([snapshot(x), Array.from(y), Array.from(w)]).toEqual(before);
  });

  it('predicts identically after a JSON round trip of its artifact', () => {
    const artifact = JSON.parse(JSON.stringify(model.toArtifact()));
    const again = Mlp.fromArtifact(artifact);
    expect(Array.from(again.predictProba(test.x))).toEqual(Array.from(model.predictProba(test.x)));
    expect(again.featureNames).toEqual(['a', 'b', 'c', 'noise']);
    expect(again.toArtifact().sha256).toBe(model.toArtifact().sha256);
    again.dispose();
  });

  it('gives the same artifact for the same seed and another for another seed', () => {
    const same = new Mlp(FAST).fit(train.x, train.y);
    const other = new Mlp({ ...FAST, seed: 8 }).fit(train.x, train.y);
    expect(same.toArtifact().sha256).toBe(model.toArtifact().sha256);
    expect(same.toArtifact().state.weights.sha256).toBe(model.toArtifact().state.weights.sha256);
    expect(other.toArtifact().state.weights.sha256).not.toBe(model.toArtifact().state.weights.sha256);
    same.dispose();
    other.dispose();
  });

  it.each([
    [{ hiddenLayers: [] }, /hiddenLayers must be an array of 1 to 8 integers/],
    [
      { hiddenLayers: [8, 0] },
      /hiddenLayers\[1\] must be an array of 1 to 8 integers in \[1, 4096\], received 0/,
    ],
    [{ dropout: 0.95 }, /dropout must be a number in \[0, 0.9\], received 0.95/],
    [{ batchSize: -1 }, /batchSize must be an integer in \[0, 65536\], received -1/],
    [{ activation: 'swish' }, /activation must be one of relu, elu, selu, tanh, sigmoid, received "swish"/],
    [{ learningRate: 0 }, /learningRate must be a number in \(0, 1\], received 0/],
    [{ epochs: 5 }, /mlp option epochs is not known/],
  ])('rejects bad options %j with E_OPTIONS_INVALID', (options, message) => {
    const m = new Mlp(options as never);
    let caught: unknown;
    try {
      m.fit(train.x, train.y);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RiskError);
    expect((caught as RiskError).code).toBe('E_OPTIONS_INVALID');
    expect((caught as RiskError).message).toMatch(message);
    expect(m.isFitted).toBe(false);
  });

  it('rejects bad options from fitAsync too', async () => {
    await expect(new Mlp({ patience: -1 }).fitAsync(train.x, train.y)).rejects.toMatchObject({
      code: 'E_OPTIONS_INVALID',
    });
  });

  it('rejects unusable data with E_DATA_INVALID', () => {
    const m = new Mlp(FAST);
    expect(codeOf(() => m.fit(train.x, train.y.slice(1)))).toBe('E_DATA_INVALID');
    expect(
      codeOf(() =>
        m.fit(
          train.x,
          train.y.map((v) => v * 2),
        ),
      ),
    ).toBe('E_DATA_INVALID');
    expect(codeOf(() => m.fit(train.x, new Float64Array(train.x.nRows)))).toBe('E_DATA_INVALID');
    const negative = new Float64Array(train.x.nRows).fill(1);
    negative[5] = -1;
    expect(codeOf(() => m.fit(train.x, train.y, { sampleWeight: negative }))).toBe('E_DATA_INVALID');
    expect(codeOf(() => m.fit(new Frame([]), []))).toBe('E_DATA_INVALID');
  });
});

describe('Mlp behaviour', () => {
  it('runs on the wasm backend and records it', () => {
    expect(tf.getBackend()).toBe('wasm');
    expect(model.toArtifact().state.backend).toBe('wasm');
  });

  it('learns a separable problem (test AUC > 0.9) and ranks the informative columns first', () => {
    const pd = model.predictProba(test.x);
    expect(auc(test.y, pd)).toBeGreaterThan(0.9);
    for (const p of pd) expect(p > 0 && p < 1).toBe(true);
    const importance = model.importance();
    expect(importance.map((f) => f.feature).sort()).toEqual(['a', 'b', 'c', 'noise']);
    expect(importance[0]?.feature).toBe('a');
    expect(importance.at(-1)?.feature).toBe('noise');
    for (let i = 1; i < importance.length; i++) {
      expect(importance[i - 1]?.value).toBeGreaterThanOrEqual(importance[i]?.value as number);
    }
  });

  it('stops early on noise and keeps the best epoch, whose validation loss it reproduces', () => {
    const noisy = syntheticCredit(500, 4, 0);
    const valid = syntheticCredit(300, 5, 0);
    const logger = memoryLogger();
    const m = new Mlp({
      hiddenLayers: [16],
      maxEpochs: 200,
      patience: 3,
      learningRate: 0.01,
      batchSize: 32,
      seed: 3,
    });
    const progress: [number, number][] = [];
    m.fit(noisy.x, noisy.y, { validation: valid, logger, onProgress: (d, t) => progress.push([d, t]) });
    const h = m.history();
    // The progress bar ends where training ended: its last update is the epoch reached, of that many.
    expect(progress.at(-1)).toEqual([h.epochs, h.epochs]);
    expect(progress.slice(0, -1).every(([, t]) => t === 200)).toBe(true);
    expect(h.stoppedEarly).toBe(true);
    expect(h.epochs).toBeLessThan(200);
    expect(h.epochs).toBe(h.bestEpoch + 3);
    expect(h.validationLoss).toHaveLength(h.epochs);
    const best = Math.min(...h.validationLoss);
    expect(h.validationLoss[h.bestEpoch - 1]).toBe(best);
    // The restored weights are the best epoch's: scoring the validation rows again gives its loss.
    expect(logLoss(valid.y, m.predictProba(valid.x))).toBeCloseTo(best, 5);
    expect(logger.entries.filter((e) => e.msg === 'mlp epoch')).toHaveLength(h.epochs);
    m.dispose();
  });

  it('treats sample weights as relative: doubling them all changes nothing', () => {
    const twice = new Mlp(FAST).fit(train.x, train.y, {
      sampleWeight: new Float64Array(train.x.nRows).fill(2),
    });
    expect(twice.toArtifact().state.weights.sha256).toBe(model.toArtifact().state.weights.sha256);
    twice.dispose();
  });

  it('scores by column name: reordered or extra columns give the same pds', () => {
    const shuffled = Frame.fromColumns([...test.x.columns].reverse()).with({
      kind: 'numeric',
      name: 'extra',
      values: new Float64Array(test.x.nRows),
    });
    expect(Array.from(model.predictProba(shuffled))).toEqual(Array.from(model.predictProba(test.x)));
    expect(codeOf(() => model.predictProba(test.x.drop(['b'])))).toBe('E_FRAME_SHAPE');
  });

  it('scores an unseen category like a missing one, and a missing number like the training mean', () => {
    const state = model.toArtifact().state.preprocessing;
    const meanA = (state.inputs[0] as { mean: number }).mean;
    const rows = Frame.fromColumns([
      { kind: 'numeric', name: 'a', values: Float64Array.from([meanA, Number.NaN, meanA]) },
      { kind: 'numeric', name: 'b', values: Float64Array.from([0.5, 0.5, 0.5]) },
      { kind: 'categorical', name: 'c', codes: Int32Array.from([0, 0, -1]), levels: ['never seen'] },
      { kind: 'numeric', name: 'noise', values: Float64Array.from([0, 0, 0]) },
    ]);
    const pd = model.predictProba(rows);
    expect(pd[0]).toBe(pd[1]);
    expect(pd[0]).toBe(pd[2]);
  });

  it('leaks no tensors across fit, predict and dispose', () => {
    const before = tf.memory().numTensors;
    const m = new Mlp({ ...FAST, maxEpochs: 3 }).fit(train.x, train.y);
    m.predictProba(test.x);
    Mlp.fromArtifact(m.toArtifact()).dispose();
    m.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('reports architecture and training in words', () => {
    const text = model.report();
    expect(text).toContain('MLP (wasm): 7 inputs → 8 (relu) → 1');
    expect(text).toMatch(/epochs run \d+ of 30, best \d+/);
  });

  it('refuses a tampered artifact', () => {
    const a = model.toArtifact();
    const bytes = Buffer.from(a.state.weights.base64 as string, 'base64');
    bytes[0] = (bytes[0] as number) ^ 1;
    const tampered = {
      ...a,
      state: { ...a.state, weights: { ...a.state.weights, base64: bytes.toString('base64') } },
    };
    expect(codeOf(() => Mlp.fromArtifact(tampered))).toBe('E_MODEL_ARTIFACT_CHECKSUM');
    expect(() => verifyArtifact(a, 'mlp')).not.toThrow();
    expect(codeOf(() => Mlp.fromArtifact({ ...a, kind: 'gbdt' }))).toBe('E_MODEL_ARTIFACT_KIND');
  });
});
