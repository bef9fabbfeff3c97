import { beforeAll, describe, expect, it } from 'vitest';
import { fingerprintFrame } from '../../../src/core/artifact.js';
import { Frame } from '../../../src/core/frame.js';
import { pickRows } from '../../../src/models/dataset.js';
import { initMlpBackend } from '../../../src/models/mlp/backend.js';
import { Mlp } from '../../../src/models/mlp/mlp.js';
import { codeOf } from '../../fixtures/errors.js';
import { syntheticCredit } from './synthetic.js';

const FAST = { hiddenLayers: [8], maxEpochs: 6, patience: 2, batchSize: 64, seed: 3 } as const;

beforeAll(async () => {
  await initMlpBackend();
}, 60_000);

/** Every third row out of 900 for validation, the rest (sorted) for training, as prepareDataset splits. */
const data = syntheticCredit(900, 11);
const weight = Float64Array.from({ length: 900 }, (_, i) => 0.5 + (i % 4));
const validation = Int32Array.from({ length: 300 }, (_, i) => 3 * i + 1);
const train = Int32Array.from({ length: 900 }, (_, i) => i).filter((i) => i % 3 !== 1);

/** What a fit produced, to compare bit for bit. */
function outcome(m: Mlp): unknown {
  const a = m.toArtifact() as unknown as { state: Record<string, unknown>; fingerprint?: unknown };
  return { artifact: a, pd: Array.from(m.predictProba(data.x)) };
}

describe('Mlp.fit on rows of a frame in place (FitOptions.rows)', () => {
  it('fits exactly as on a copy of those rows, with validation rows and weights', () => {
    const copy = new Mlp(FAST).fit(data.x.take(train), pickRows(data.y, train), {
      sampleWeight: pickRows(weight, train),
      validation: { x: data.x.take(validation), y: pickRows(data.y, validation) },
    });
    const inPlace = new Mlp(FAST).fit(data.x, data.y, {
      rows: train,
      sampleWeight: weight,
      validation: { x: data.x, y: data.y, rows: validation },
    });
    expect(inPlace.fitsRowSubsets).toBe(true);
    expect(inPlace.history().epochs).toBeGreaterThan(0);
    expect(outcome(inPlace)).toEqual(outcome(copy));
    copy.dispose();
    inPlace.dispose();
  }, 60_000);

  it('fits exactly as on a copy when it splits its own early-stopping rows', () => {
    const params = { ...FAST, validationFraction: 0.25 };
    const copy = new Mlp(params).fit(data.x.take(train), pickRows(data.y, train));
    const inPlace = new Mlp(params).fit(data.x, data.y, { rows: train });
    expect(outcome(inPlace)).toEqual(outcome(copy));
    copy.dispose();
    inPlace.dispose();
  }, 60_000);

  it('refuses labels or weights that do not cover every row of x', () => {
    const m = new Mlp(FAST);
    expect(codeOf(() => m.fit(data.x, data.y.subarray(0, 600), { rows: train }))).toBe('E_DATA_INVALID');
    expect(codeOf(() => m.fit(data.x, data.y, { rows: train, sampleWeight: weight.subarray(0, 10) }))).toBe(
      'E_DATA_INVALID',
    );
  });
});

describe('fingerprintFrame with rows', () => {
  it('equals the fingerprint of the rows taken, labels included', () => {
    const rows = Int32Array.of(5, 0, 899, 17, 17);
    const taken = fingerprintFrame(data.x.take(rows), pickRows(data.y, rows));
    expect(fingerprintFrame(data.x, data.y, rows)).toEqual(taken);
    expect(taken.rows).toBe(5);
    expect(fingerprintFrame(data.x, data.y, rows)).not.toEqual(fingerprintFrame(data.x, data.y));
    const empty = Frame.fromColumns([]);
    expect(fingerprintFrame(empty, undefined, new Int32Array(0)).rows).toBe(0);
  });
});

describe('Mlp.predictProba block by block', () => {
  it('scores each row as when scored in other blocks (a frame beyond one 16,384-row block)', () => {
    const big = syntheticCredit(20_000, 12);
    const m = new Mlp({ ...FAST, maxEpochs: 2 }).fit(data.x, data.y);
    const rows = (from: number, to: number) => Int32Array.from({ length: to - from }, (_, i) => from + i);
    const whole = m.predictProba(big.x);
    const pieces = [
      ...m.predictProba(big.x.take(rows(0, 7_001))),
      ...m.predictProba(big.x.take(rows(7_001, 20_000))),
    ];
    expect(whole.length).toBe(20_000);
    expect(Array.from(whole)).toEqual(pieces);
    expect(new Set(whole).size).toBeGreaterThan(1_000);
    m.dispose();
  }, 60_000);
});
