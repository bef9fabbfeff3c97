import { describe, expect, it } from 'vitest';
import { RiskError } from '../../src/core/errors.js';
import { generateApplications } from '../../src/samples/generate.js';
import { resolveSampleOptions, SAMPLE_DEFAULTS } from '../../src/samples/options.js';
import { writeSampleDir } from '../../src/samples/write.js';

function errorOf(f: () => unknown): RiskError {
  try {
    f();
  } catch (e) {
    if (e instanceof RiskError) return e;
    throw e;
  }
  throw new Error('expected a RiskError');
}

describe('sample options', () => {
  it('fills the documented defaults', () => {
    expect(resolveSampleOptions({ n: 10, seed: 1 })).toEqual({ n: 10, seed: 1, ...SAMPLE_DEFAULTS });
    expect(SAMPLE_DEFAULTS).toMatchObject({ months: 24, dirty: 0.01, asOfEnd: '2025-12-31' });
  });

  it.each([
    [{ n: 0, seed: 1 }, 'n must be an integer from 1', 'n'],
    [{ n: 2.5, seed: 1 }, 'received 2.5', 'n'],
    [{ n: 5, seed: -1 }, 'seed must be an integer from 0 to 4294967295, received -1', 'seed'],
    [{ n: 5, seed: 1, months: 61 }, 'months must be an integer from 1 to 60, received 61', 'months'],
    [{ n: 5, seed: 1, dirty: 0.9 }, 'dirty must be a number from 0 to 0.5, received 0.9', 'dirty'],
    [
      { n: 5, seed: 1, asOfEnd: '2025-02-29' },
      'asOfEnd must be a real date YYYY-MM-DD, received "2025-02-29"',
      'asOfEnd',
    ],
  ])('rejects %j with E_SAMPLES_OPTIONS naming the option', (input, message, option) => {
    const err = errorOf(() => resolveSampleOptions(input));
    expect(err.code).toBe('E_SAMPLES_OPTIONS');
    expect(err.message).toContain(message);
    expect(err.details.path).toEqual([option]);
  });

  it('names options the caller way (the CLI passes its flags)', () => {
    const err = errorOf(() => resolveSampleOptions({ n: 5, seed: 1, asOfEnd: 'soon' }, (k) => `--${k}`));
    expect(err.message).toBe('--asOfEnd must be a real date YYYY-MM-DD, received "soon"');
  });

  it('validates before generating anything', () => {
    expect(() => generateApplications({ n: -3, seed: 1 }).next()).toThrow(RiskError);
  });

  it('rejects an unknown output format', async () => {
    await expect(
      writeSampleDir({ n: 1, seed: 1, out: '/nonexistent', format: 'xml' as 'csv' }),
    ).rejects.toMatchObject({
      code: 'E_SAMPLES_OPTIONS',
    });
  });

  it('spreads as-of dates over the year before asOfEnd', () => {
    const dates = [
      ...generateApplications({ n: 400, seed: 2, months: 3, dirty: 0, asOfEnd: '2024-06-30' }),
    ].map((g) => g.application.asOf as string);
    expect(dates.every((d) => d > '2023-06-30' && d <= '2024-06-30')).toBe(true);
    expect(new Set(dates.map((d) => d.slice(0, 7))).size).toBe(12);
  });
});
