import { RiskError } from '../core/errors.js';

/**
 * Checks a 0/1 target against the row count and copies it into a Float64Array.
 * @throws E_DATA_INVALID naming the row and value of the first bad label, or when one class is absent
 * @example const y = checkTarget([0, 1, 1], 3);
 */
export function checkTarget(y: ArrayLike<number>, rows: number): Float64Array {
  if (y.length !== rows) {
    throw new RiskError('E_DATA_INVALID', `y has ${y.length} values, the frame has ${rows} rows`, {
      expected: `${rows} values`,
      received: y.length,
    });
  }
  const out = new Float64Array(rows);
  let events = 0;
  for (let i = 0; i < rows; i++) {
    const v = y[i] as number;
    if (v !== 0 && v !== 1) {
      throw new RiskError('E_DATA_INVALID', `y[${i}] must be 0 or 1, received ${v}`, {
        row: i,
        expected: '0 or 1',
        received: v,
      });
    }
    out[i] = v;
    events += v;
  }
  if (events === 0 || events === rows) {
    throw new RiskError(
      'E_DATA_INVALID',
      `y must hold both classes (0 = good, 1 = bad), received ${events} bads in ${rows} rows`,
      { expected: 'at least one 0 and one 1', received: events },
    );
  }
  return out;
}

/**
 * Checks optional sample weights (finite, ≥ 0, one per row) and copies them into a Float64Array.
 * @throws E_DATA_INVALID naming the first bad weight
 */
export function checkWeights(w: ArrayLike<number> | undefined, rows: number): Float64Array | undefined {
  if (w === undefined) return undefined;
  if (w.length !== rows) {
    throw new RiskError('E_DATA_INVALID', `sampleWeight has ${w.length} values, the frame has ${rows} rows`, {
      expected: `${rows} values`,
      received: w.length,
    });
  }
  const out = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    const v = w[i] as number;
    if (!(v >= 0) || !Number.isFinite(v)) {
      throw new RiskError('E_DATA_INVALID', `sampleWeight[${i}] must be a finite number ≥ 0, received ${v}`, {
        row: i,
        expected: 'a finite number ≥ 0',
        received: v,
      });
    }
    out[i] = v;
  }
  return out;
}
