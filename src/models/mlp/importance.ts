import type { Rng } from '../../core/rng.js';
import type { SplitNetwork } from './network.js';
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
 * Largest first; ties by name, so the order is stable. The first layer's pre-activations are computed once
 * and patched per shuffle (see `SplitNetwork`): that layer holds most of the network's weights, and running
 * it whole once per feature made importance cost more than training.
 * @param maxRows rows used at most (a seeded sample beyond that), to bound the cost on large held-out sets
 * @example permutationImportance(splitNetwork(net), valid, groups, 1, rng)
 */
export function permutationImportance(
  net: SplitNetwork,
  data: DesignMatrix,
  groups: readonly InputGroup[],
  repeats: number,
  rng: Rng,
  maxRows = 20_000,
): FeatureImportance[] {
  if (repeats === 0 || data.rows === 0) return [];
  const sample = data.rows > maxRows ? sampleRows(data, maxRows, rng) : data;
  const { rows, width, x } = sample;
  const { units, kernel } = net;
  const base = net.preActivations(x, rows, width);
  const baseLoss = weightedLogLoss(net.logitsFrom(base, rows), sample);
  const work = new Float32Array(base.length);
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
      work.set(base);
      for (let i = 0; i < rows; i++) {
        const from = (order[i] as number) * width;
        const to = i * width;
        const at = i * units;
        for (let c = g.start; c < g.end; c++) {
          const d = (x[from + c] as number) - (x[to + c] as number);
          if (d === 0) continue;
          const k = c * units;
          for (let u = 0; u < units; u++)
            work[at + u] = (work[at + u] as number) + d * (kernel[k + u] as number);
        }
      }
      rise += weightedLogLoss(net.logitsFrom(work, rows), sample) - baseLoss;
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
