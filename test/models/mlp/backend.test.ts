import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { RiskError } from '../../../src/core/errors.js';
import { initMlpBackend, requireMlpBackend } from '../../../src/models/mlp/backend.js';
import { Mlp } from '../../../src/models/mlp/mlp.js';
import { syntheticCredit } from './synthetic.js';

// This file runs in its own process (vitest forks), so the backend starts here unstarted.
describe('the MLP backend', () => {
  const { x, y } = syntheticCredit(100, 21);

  it('refuses to fit before the backend is started, naming what to do', () => {
    let caught: unknown;
    try {
      new Mlp({ hiddenLayers: [4], maxEpochs: 1 }).fit(x, y);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RiskError);
    expect((caught as RiskError).code).toBe('E_MLP_BACKEND');
    expect((caught as RiskError).message).toMatch(/await initMlpBackend\(\)/);
  });

  it('starts wasm, and notices when TF.js was switched to the slow cpu backend behind its back', async () => {
    expect(await initMlpBackend()).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(requireMlpBackend(false)).toBe('wasm');
    await tf.setBackend('cpu');
    expect(() => requireMlpBackend(false)).toThrow(expect.objectContaining({ code: 'E_MLP_BACKEND' }));
    expect(await initMlpBackend()).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
  });

  it('fitAsync starts the backend itself', async () => {
    const m = await new Mlp({ hiddenLayers: [4], maxEpochs: 2 }).fitAsync(x, y);
    expect(m.toArtifact().state.backend).toBe('wasm');
    expect(m.history().epochs).toBe(2);
    m.dispose();
  });
});
