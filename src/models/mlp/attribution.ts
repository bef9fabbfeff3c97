import type { Frame } from '../../core/frame.js';
import type { Reason } from '../estimator.js';
import { cellText, reasonTexts } from '../reason-text.js';
import { inputGroups, type PreprocessorState } from './preprocess.js';
import { forEachBlock, type NetworkRows } from './train.js';

/**
 * MLP reasons by occlusion against the average training borrower: for each feature, the row's network
 * inputs of that feature are replaced by the training means of those inputs (standardised value ≈ 0, the
 * missing flag at its training share, each one-hot input at its level's share) and the network is run
 * again; the feature's impact is the fall in the log-odds of default, logit(row) − logit(row with the
 * feature made average). Positive = the feature pushes this row's risk above an average value of it.
 *
 * Why occlusion and not gradient × input: a ReLU network's gradient is piecewise constant and says nothing
 * about one-hot inputs moved from 0 to 1, whereas occlusion measures the actual change in the model's
 * output for a real replacement, in the log-odds unit GBDT's TreeSHAP reasons use. It is exact for a
 * feature acting alone and, like any one-at-a-time method, splits no interaction credit; it costs one
 * extra forward pass per feature, which is cheap next to TreeSHAP's.
 */

/** The training means of the network inputs: the average borrower that reasons occlude against. */
export function inputMeans(train: NetworkRows): number[] {
  const { width, rows } = train;
  const sum = new Float64Array(width);
  forEachBlock(train, (x, _, n) => {
    for (let r = 0; r < n; r++) {
      const o = r * width;
      for (let j = 0; j < width; j++) sum[j] = (sum[j] as number) + (x[o + j] as number);
    }
  });
  return Array.from(sum, (s) => (rows > 0 ? s / rows : 0));
}

/**
 * The reference of a model saved before it recorded its input means: standardised values at the mean (0),
 * missing flags off, and each categorical's levels shared equally.
 */
export function defaultReference(p: PreprocessorState): number[] {
  const out: number[] = [];
  for (const input of p.inputs) {
    if (input.kind === 'numeric') {
      out.push(0);
      if (input.missingIndicator) out.push(0);
    } else for (const _ of input.levels) out.push(1 / input.levels.length);
  }
  return out;
}

/**
 * The top-k occlusion reasons of rows [start, end) of a frame, given their network inputs `x` and a
 * function from inputs to logits.
 */
export function occlusionReasons(
  p: PreprocessorState,
  reference: readonly number[],
  frame: Frame,
  start: number,
  x: Float32Array,
  logits: (m: Float32Array, rows: number) => Float32Array,
  k: number,
): Reason[][] {
  const width = p.width;
  const rows = x.length / width;
  const base = logits(x, rows);
  const groups = inputGroups(p);
  const impact = groups.map(() => new Float64Array(rows));
  const work = x.slice();
  groups.forEach((g, f) => {
    for (let r = 0; r < rows; r++)
      for (let j = g.start; j < g.end; j++) work[r * width + j] = reference[j] as number;
    const z = logits(work, rows);
    const out = impact[f] as Float64Array;
    for (let r = 0; r < rows; r++) out[r] = (base[r] as number) - (z[r] as number);
    for (let r = 0; r < rows; r++)
      for (let j = g.start; j < g.end; j++) work[r * width + j] = x[r * width + j] as number;
  });
  const out: Reason[][] = [];
  for (let r = 0; r < rows; r++) {
    const row: Reason[] = [];
    p.inputs.forEach((input, f) => {
      const v = (impact[f] as Float64Array)[r] as number;
      // float32 logits carry ~1e-6 noise: smaller moves are no reason.
      if (!(v > 1e-5)) return;
      const value = cellText(frame.cell(start + r, input.name));
      row.push({ feature: input.name, impact: v, value, ...reasonTexts(input.name, value) });
    });
    row.sort((a, b) => b.impact - a.impact || (a.feature < b.feature ? -1 : 1));
    out.push(row.slice(0, k));
  }
  return out;
}
