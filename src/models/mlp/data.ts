import { RiskError } from '../../core/errors.js';
import type { Frame } from '../../core/frame.js';
import type { Rng } from '../../core/rng.js';
import { pickRows } from '../dataset.js';
import { type PreprocessorState, writeInputs } from './preprocess.js';
import { type NetworkRows, rangeOf } from './train.js';

/**
 * Labels as 0/1 doubles, one per row; for the training labels (`what` = 'y') both classes must be present.
 * @throws E_DATA_INVALID naming the row and the value received
 */
export function checkLabels(what: string, y: ArrayLike<number>, rows: number): Float64Array {
  if (y.length !== rows) {
    throw new RiskError(
      'E_DATA_INVALID',
      `${what} must have one label per row (${rows}), received ${y.length}`,
      {
        path: [what],
        expected: `${rows} values`,
        received: y.length,
      },
    );
  }
  const out = new Float64Array(rows);
  let pos = 0;
  for (let i = 0; i < rows; i++) {
    const v = y[i] as number;
    if (v !== 0 && v !== 1) {
      throw new RiskError('E_DATA_INVALID', `${what}[${i}] must be 0 or 1, received ${v}`, {
        path: [what, i],
        expected: '0 or 1',
        received: v,
      });
    }
    out[i] = v;
    pos += v;
  }
  if (what === 'y' && (pos === 0 || pos === rows)) {
    throw new RiskError(
      'E_DATA_INVALID',
      `y must contain both classes (0 and 1), received ${pos} of ${rows} bad`,
      {
        path: ['y'],
        expected: 'both classes',
        received: pos,
      },
    );
  }
  return out;
}

/**
 * Sample weights (default 1), rescaled to mean 1 so that the loss and the learning rate keep their scale.
 * @throws E_DATA_INVALID on a wrong length, a negative or non-finite weight, or a zero sum
 */
export function checkWeights(w: ArrayLike<number> | undefined, rows: number): Float64Array {
  const out = new Float64Array(rows).fill(1);
  if (w === undefined) return out;
  if (w.length !== rows) {
    throw new RiskError(
      'E_DATA_INVALID',
      `sampleWeight must have one weight per row (${rows}), received ${w.length}`,
      {
        path: ['sampleWeight'],
        expected: `${rows} values`,
        received: w.length,
      },
    );
  }
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const v = w[i] as number;
    if (!(v >= 0) || !Number.isFinite(v)) {
      throw new RiskError('E_DATA_INVALID', `sampleWeight[${i}] must be a finite number ≥ 0, received ${v}`, {
        path: ['sampleWeight', i],
        expected: 'a finite number ≥ 0',
        received: v,
      });
    }
    out[i] = v;
    total += v;
  }
  if (!(total > 0)) {
    throw new RiskError('E_DATA_INVALID', 'sampleWeight must have a positive sum, received 0', {
      path: ['sampleWeight'],
      expected: 'a positive sum',
      received: total,
    });
  }
  const scale = rows / total;
  for (let i = 0; i < rows; i++) out[i] = (out[i] as number) * scale;
  return out;
}

/**
 * Labels and weights of the rows of `x` listed in `rows`, checked as `checkLabels` and `checkWeights` check
 * a frame of those rows alone (weights rescaled to mean 1 over them), then laid back at their rows of `x`
 * (other rows 0), so that row lists index them as they index `x`.
 * @throws E_DATA_INVALID when `y` or `w` does not hold one value per row of `x`, or as the checks do
 */
export function rowTargets(
  what: string,
  y: ArrayLike<number>,
  w: ArrayLike<number> | undefined,
  nRows: number,
  rows: Int32Array,
): { labels: Float64Array; weights: Float64Array } {
  for (const [name, v] of [
    [what, y],
    ['sampleWeight', w],
  ] as const) {
    if (v !== undefined && v.length !== nRows)
      throw new RiskError(
        'E_DATA_INVALID',
        `${name} must have one value per row of x (${nRows}), received ${v.length}`,
        {
          path: [name],
          expected: `${nRows} values`,
          received: v.length,
        },
      );
  }
  const labels = checkLabels(what, pickRows(y, rows), rows.length);
  const weights = checkWeights(w === undefined ? undefined : pickRows(w, rows), rows.length);
  const outLabels = new Float64Array(nRows);
  const outWeights = new Float64Array(nRows);
  for (let i = 0; i < rows.length; i++) {
    outLabels[rows[i] as number] = labels[i] as number;
    outWeights[rows[i] as number] = weights[i] as number;
  }
  return { labels: outLabels, weights: outWeights };
}

/** A stratified split: `fraction` of each class (at least one row stays in training per class) held out. */
export function stratifiedSplit(
  y: Float64Array,
  fraction: number,
  rng: Rng,
): { train: Int32Array; valid: Int32Array } {
  const train: number[] = [];
  const valid: number[] = [];
  for (const cls of [0, 1]) {
    const rows: number[] = [];
    for (let i = 0; i < y.length; i++) if (y[i] === cls) rows.push(i);
    rng.shuffle(rows);
    const n = Math.min(rows.length - 1, Math.round(fraction * rows.length));
    for (let i = 0; i < rows.length; i++) (i < n ? valid : train).push(rows[i] as number);
  }
  const sorted = (a: number[]): Int32Array => Int32Array.from(a).sort();
  return { train: sorted(train), valid: sorted(valid) };
}

/**
 * The network's view of a frame (or of the frame rows listed in `rows`): labels and weights as float32,
 * one per listed row, and the inputs written on demand (see NetworkRows), never held whole.
 */
export function networkRows(
  p: PreprocessorState,
  x: Frame,
  y: Float64Array,
  w: Float64Array,
  rows?: Int32Array,
): NetworkRows {
  const frameRows = rows ?? rangeOf(0, x.nRows);
  let scratch = new Int32Array(0);
  return {
    rows: frameRows.length,
    width: p.width,
    y: Float32Array.from(rows === undefined ? y : pickRows(y, rows)),
    w: Float32Array.from(rows === undefined ? w : pickRows(w, rows)),
    write(pick, out, layout, from = 0, to = p.width) {
      if (scratch.length < pick.length) scratch = new Int32Array(pick.length);
      const at = scratch.subarray(0, pick.length);
      for (let i = 0; i < pick.length; i++) at[i] = frameRows[pick[i] as number] as number;
      out.fill(0, 0, pick.length * (to - from));
      if (layout === 'rows') writeInputs(p, x, at, out, to - from, 1, from, to);
      else writeInputs(p, x, at, out, 1, pick.length, from, to);
    },
  };
}
