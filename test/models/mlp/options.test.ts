import { describe, expect, it } from 'vitest';
import { RiskError } from '../../../src/core/errors.js';
import { autoBatchSize, MLP_OPTION_SPECS, parseMlpOptions } from '../../../src/models/mlp/options.js';

function errorOf(options: unknown): RiskError {
  try {
    parseMlpOptions(options);
  } catch (err) {
    if (err instanceof RiskError) return err;
  }
  throw new Error(`expected a RiskError for ${JSON.stringify(options)}`);
}

describe('parseMlpOptions', () => {
  it('keeps given values and defaults the rest', () => {
    const p = parseMlpOptions({ hiddenLayers: [16, 8, 4], activation: 'tanh', validationFraction: 0 });
    expect(p.hiddenLayers).toEqual([16, 8, 4]);
    expect(p.activation).toBe('tanh');
    expect(p.validationFraction).toBe(0);
    expect(p.patience).toBe(3);
    expect(Object.keys(p).sort()).toEqual(Object.keys(MLP_OPTION_SPECS).sort());
  });

  it('picks about 32 steps an epoch when batchSize is 0, within [32, 1024]', () => {
    expect(autoBatchSize(32_000)).toBe(1024);
    expect(autoBatchSize(1_000_000)).toBe(1024);
    expect(autoBatchSize(4_000)).toBe(128);
    expect(autoBatchSize(800)).toBe(32);
    expect(autoBatchSize(10)).toBe(32);
  });

  it('names the option, the allowed range and the value received', () => {
    const e = errorOf({ validationFraction: 0.7 });
    expect(e.code).toBe('E_OPTIONS_INVALID');
    expect(e.message).toBe('mlp option validationFraction must be a number in [0, 0.5], received 0.7');
    expect(e.details.path).toEqual(['validationFraction']);
    expect(e.details.received).toBe(0.7);
  });

  it('rejects a misspelt option instead of ignoring it', () => {
    const e = errorOf({ hidden_layers: [8] });
    expect(e.message).toMatch(/^mlp option hidden_layers is not known; known options are hiddenLayers, /);
  });

  it.each([
    { hiddenLayers: [1, 2, 3, 4, 5, 6, 7, 8, 9] },
    { hiddenLayers: [4.5] },
    { l2: -1 },
    { maxEpochs: 0 },
    { seed: -1 },
    { seed: 2 ** 32 },
    { allowCpuBackend: 'yes' },
    { minDelta: Number.NaN },
    { importanceRepeats: 21 },
  ])('rejects %j', (options) => {
    expect(errorOf(options).code).toBe('E_OPTIONS_INVALID');
  });
});
