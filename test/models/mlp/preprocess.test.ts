import { describe, expect, it } from 'vitest';
import { RiskError } from '../../../src/core/errors.js';
import { categorical, Frame, numeric } from '../../../src/core/frame.js';
import {
  expandedNames,
  fitPreprocessor,
  inputGroups,
  transformRows,
} from '../../../src/models/mlp/preprocess.js';

const train = Frame.fromColumns([
  numeric('age', [20, 30, 40, null]),
  numeric('flag', [1, 1, 1, 1]),
  categorical('region', ['east', 'west', 'east', 'north']),
]);

describe('fitPreprocessor', () => {
  it('learns mean, population sd and a missing flag from the present values', () => {
    const p = fitPreprocessor(train);
    expect(p.inputs[0]).toEqual({
      kind: 'numeric',
      name: 'age',
      mean: 30,
      sd: Math.sqrt(200 / 3),
      missingIndicator: true,
    });
    // A constant column gets sd 1, so it scales to 0 instead of NaN.
    expect(p.inputs[1]).toEqual({ kind: 'numeric', name: 'flag', mean: 1, sd: 1, missingIndicator: false });
    expect(p.inputs[2]).toEqual({ kind: 'categorical', name: 'region', levels: ['east', 'west', 'north'] });
    expect(p.width).toBe(6);
    expect(expandedNames(p)).toEqual([
      'age',
      'age:missing',
      'flag',
      'region=east',
      'region=west',
      'region=north',
    ]);
    expect(inputGroups(p)).toEqual([
      { start: 0, end: 2 },
      { start: 2, end: 3 },
      { start: 3, end: 6 },
    ]);
  });

  it('keeps only the levels that occur in the training rows', () => {
    const sub = train.take([0, 1]);
    const p = fitPreprocessor(sub);
    expect(p.inputs[2]).toEqual({ kind: 'categorical', name: 'region', levels: ['east', 'west'] });
    expect((p.inputs[0] as { missingIndicator: boolean }).missingIndicator).toBe(false);
  });

  it('rejects a frame without columns', () => {
    expect(() => fitPreprocessor(new Frame([]))).toThrow(RiskError);
  });
});

describe('transformRows', () => {
  const p = fitPreprocessor(train);
  const sd = Math.sqrt(200 / 3);

  it('standardises, flags missing values and one-hot encodes by level name', () => {
    const scoring = Frame.fromColumns([
      // Another level order than training, an unseen level and a missing one.
      categorical('region', ['west', 'south', null]),
      numeric('age', [30 + sd, null, Number.POSITIVE_INFINITY]),
      numeric('flag', [1, 3, 1]),
    ]);
    const x = transformRows(p, scoring, 0, 3);
    const rows = [0, 1, 2].map((r) => Array.from(x.subarray(r * 6, r * 6 + 6)));
    expect(rows[0]).toEqual([1, 0, 0, 0, 1, 0]);
    expect(rows[1]).toEqual([0, 1, 2, 0, 0, 0]);
    expect(rows[2]).toEqual([0, 1, 0, 0, 0, 0]);
  });

  it('reads the requested row range only', () => {
    const x = transformRows(p, train, 1, 3);
    expect(x).toHaveLength(12);
    expect(Array.from(x.subarray(0, 6))).toEqual([0, 0, 0, 0, 1, 0]);
    expect(x[6]).toBeCloseTo(10 / sd, 6);
  });

  it('names a missing column (E_FRAME_SHAPE) and a changed kind (E_DATA_INVALID)', () => {
    expect(() => transformRows(p, train.drop(['flag']), 0, 4)).toThrow(
      expect.objectContaining({ code: 'E_FRAME_SHAPE' }),
    );
    const changed = train.with(categorical('flag', ['1', '1', '1', '1']));
    expect(() => transformRows(p, changed, 0, 4)).toThrow(
      expect.objectContaining({
        code: 'E_DATA_INVALID',
        message: 'column flag must be numeric as in training, received categorical',
      }),
    );
  });
});
