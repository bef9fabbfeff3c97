import type { Rng } from '../../core/rng.js';
import type { SplitNetwork } from './network.js';
import { forEachBlock, logLoss, type NetworkRows, rangeOf } from './train.js';

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
  data: NetworkRows,
  groups: readonly InputGroup[],
  repeats: number,
  rng: Rng,
  maxRows = 20_000,
): FeatureImportance[] {
  if (repeats === 0 || data.rows === 0) return [];
  const pick = data.rows > maxRows ? sampleRows(data.rows, maxRows, rng) : rangeOf(0, data.rows);
  const rows = pick.length;
  const { units, kernel } = net;
  // The sampled rows' inputs are never held whole (8,000 rows × 409 inputs is 13 MB): the pre-activations
  // are computed block by block, and each feature's own inputs are written when it is shuffled.
  const base = new Float32Array(rows * units);
  forEachBlock(data, (x, start, n) => base.set(net.preActivations(x, n, data.width), start * units), pick);
  const sample = {
    y: Float32Array.from(pick, (i) => data.y[i] as number),
    w: Float32Array.from(pick, (i) => data.w[i] as number),
  };
  // Each row's weighted loss term: a shuffle that leaves a row's inputs as they were (two missing values
  // swapped, say) leaves its logit too, so only the rows it changed are scored again.
  const baseZ = net.logitsFrom(base, rows);
  const terms = new Float64Array(rows);
  let baseSum = 0;
  let total = 0;
  for (let i = 0; i < rows; i++) {
    const w = sample.w[i] as number;
    terms[i] = w * logLoss(baseZ[i] as number, sample.y[i] as number);
    baseSum += terms[i] as number;
    total += w;
  }
  const lossOf = (sum: number): number => (total > 0 ? sum / total : 0);
  const baseLoss = lossOf(baseSum);
  const patched = new Float32Array(base.length);
  const changed = new Int32Array(rows);
  const order = new Int32Array(rows);
  let cols = new Float32Array(0);
  const out: FeatureImportance[] = [];
  for (const g of groups) {
    const width = g.end - g.start;
    if (cols.length < rows * width) cols = new Float32Array(rows * width);
    // The group's inputs, column-major: input g.start + c of sampled row i at c·rows + i.
    data.write(pick, cols, 'columns', g.start, g.end);
    let rise = 0;
    for (let r = 0; r < repeats; r++) {
      for (let i = 0; i < rows; i++) order[i] = i;
      for (let i = rows - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        const t = order[i] as number;
        order[i] = order[j] as number;
        order[j] = t;
      }
      let m = 0;
      for (let i = 0; i < rows; i++) {
        const at = m * units;
        let moved = false;
        for (let c = 0; c < width; c++) {
          const col = c * rows;
          const d = (cols[col + (order[i] as number)] as number) - (cols[col + i] as number);
          if (d === 0) continue;
          if (!moved) {
            patched.set(base.subarray(i * units, (i + 1) * units), at);
            changed[m] = i;
            moved = true;
          }
          const k = (g.start + c) * units;
          for (let u = 0; u < units; u++)
            patched[at + u] = (patched[at + u] as number) + d * (kernel[k + u] as number);
        }
        if (moved) m++;
      }
      const z = net.logitsFrom(patched.subarray(0, m * units), m);
      let sum = baseSum;
      for (let k = 0; k < m; k++) {
        const i = changed[k] as number;
        sum +=
          (sample.w[i] as number) * logLoss(z[k] as number, sample.y[i] as number) - (terms[i] as number);
      }
      rise += lossOf(sum) - baseLoss;
    }
    out.push({ feature: g.feature, value: rise / repeats });
  }
  return out.sort(
    (a, b) => b.value - a.value || (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : 0),
  );
}

/** `n` of the rows 0 … total − 1, uniformly without replacement, in the order drawn. */
function sampleRows(total: number, n: number, rng: Rng): Int32Array {
  const pick = rangeOf(0, total);
  // A partial Fisher-Yates: the first n slots end up a uniform sample without replacement.
  for (let i = 0; i < n; i++) {
    const j = i + rng.int(total - i);
    const t = pick[i] as number;
    pick[i] = pick[j] as number;
    pick[j] = t;
  }
  return pick.subarray(0, n);
}
