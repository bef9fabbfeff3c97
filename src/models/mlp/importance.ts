import type { Rng } from '../../core/rng.js';
import { type DesignMatrix, weightedLogLoss } from './train.js';

/** The network-input columns [start, end) that one frame column feeds. */
export interface InputGroup {
  readonly feature: string;
  readonly start: number;
  readonly end: number;
}

/** One feature's importance: the mean rise in log loss when its values are shuffled. */
export interface FeatureImportance {
  readonly feature: string;
  readonly value: number;
}

/**
 * Permutation importance (Breiman; scikit-learn's `permutation_importance` with log loss): for each frame
 * column, shuffle its network inputs across rows together (a one-hot group or a value with its missing flag
 * moves as one), and measure how much the weighted log loss rises, averaged over `repeats` shuffles.
 * Largest first; ties by name, so the order is stable.
 * @param logits scores a row-major matrix of `rows` rows
 * @param maxRows rows used at most (a seeded sample beyond that), to bound the cost on large held-out sets
 * @example permutationImportance((x, n) => predictLogits(net, x, n, width), valid, groups, 1, rng)
 */
export function permutationImportance(
  logits: (x: Float32Array, rows: number) => Float32Array,
  data: DesignMatrix,
  groups: readonly InputGroup[],
  repeats: number,
  rng: Rng,
  maxRows = 20_000,
): FeatureImportance[] {
  if (repeats === 0 || data.rows === 0) return [];
  const sample = data.rows > maxRows ? sampleRows(data, maxRows, rng) : data;
  const { rows, width } = sample;
  const work = sample.x.slice();
  const base = weightedLogLoss(logits(work, rows), sample);
  const order = new Int32Array(rows);
  const out: FeatureImportance[] = [];
  for (const g of groups) {
    let rise = 0;
    for (let r = 0; r < repeats; r++) {
      for (let i = 0; i < rows; i++) order[i] = i;
      for (let i = rows - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = order[i] as number;
        order[i] = order[j] as number;
        order[j] = t;
      }
      for (let i = 0; i < rows; i++) {
        const from = (order[i] as number) * width;
        for (let c = g.start; c < g.end; c++) work[i * width + c] = sample.x[from + c] as number;
      }
      rise += weightedLogLoss(logits(work, rows), sample) - base;
    }
    for (let i = 0; i < rows; i++) {
      for (let c = g.start; c < g.end; c++) work[i * width + c] = sample.x[i * width + c] as number;
    }
    out.push({ feature: g.feature, value: rise / repeats });
  }
  return out.sort(
    (a, b) => b.value - a.value || (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0),
  );
}

function sampleRows(data: DesignMatrix, n: number, rng: Rng): DesignMatrix {
  const pick = new Int32Array(data.rows);
  for (let i = 0; i < pick.length; i++) pick[i] = i;
  // A partial Fisher-Yates: the first n slots end up a uniform sample without replacement.
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(data.rows - i);
    const t = pick[i] as number;
    pick[i] = pick[j] as number;
    pick[j] = t;
  }
  const { width } = data;
  const x = new Float32Array(n * width);
  const y = new Float32Array(n);
  const w = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const row = pick[i] as number;
    x.set(data.x.subarray(row * width, (row + 1) * width), i * width);
    y[i] = data.y[row] as number;
    w[i] = data.w[row] as number;
  }
  return { x, y, w, rows: n, width };
}
