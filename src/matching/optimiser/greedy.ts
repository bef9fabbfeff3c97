import {
  type AssignmentProblem,
  type AssignmentSolution,
  objectiveOf,
  pairCount,
  rowTolerance,
} from './problem.js';

/**
 * Adds pairs in the given order when the borrower has room and every row stays within capacity. A pair that
 * did not fit is tried once more at the end only if the row that stopped it was loosened meanwhile (a negative
 * coefficient, e.g. a low-PD loan on a compensation-cap row, frees room). `used` and `count` carry the state in
 * and out; pairs whose `skipAbove` score is positive are left out. Returns the number of pairs added.
 */
export function fillInOrder(
  p: AssignmentProblem,
  order: Int32Array,
  used: Float64Array,
  count: Int32Array,
  taken: Uint8Array,
  pairBorrower: Int32Array,
  skipAbove?: Float64Array,
): number {
  const loosened = new Uint8Array(p.capacity.length);
  const retry = new Int32Array(order.length);
  const blocked = new Int32Array(order.length);
  let nRetry = 0;
  let added = 0;
  for (let pass = 0; pass < 2; pass++) {
    const n = pass === 0 ? order.length : nRetry;
    for (let i = 0; i < n; i++) {
      const q = (pass === 0 ? order[i] : retry[i]) as number;
      if (pass === 1 && loosened[blocked[i] as number] === 0) continue;
      if (taken[q] === 1 || (count[pairBorrower[q] as number] as number) >= p.perBorrower) continue;
      if (skipAbove !== undefined && (skipAbove[q] as number) > 0) continue;
      const r = blockingRow(p, q, used);
      if (r >= 0) {
        if (pass === 0) {
          retry[nRetry] = q;
          blocked[nRetry++] = r;
        }
        continue;
      }
      for (let k = p.usageStart[q] as number; k < (p.usageStart[q + 1] as number); k++) {
        const row = p.usageRow[k] as number;
        const a = p.usageCoef[k] as number;
        used[row] = (used[row] as number) + a;
        if (a < 0) loosened[row] = 1;
      }
      taken[q] = 1;
      count[pairBorrower[q] as number] = (count[pairBorrower[q] as number] as number) + 1;
      added++;
    }
  }
  return added;
}

/** The first row pair q does not fit (−1 when it fits every row it uses). */
function blockingRow(p: AssignmentProblem, q: number, used: Float64Array): number {
  for (let k = p.usageStart[q] as number; k < (p.usageStart[q + 1] as number); k++) {
    const a = p.usageCoef[k] as number;
    if (a <= 0) continue;
    const r = p.usageRow[k] as number;
    const cap = p.capacity[r] as number;
    if ((used[r] as number) + a > cap + rowTolerance(cap) * 0.5) return r;
  }
  return -1;
}

/** The borrower of each pair. */
export function borrowerOfPairs(p: AssignmentProblem): Int32Array {
  const out = new Int32Array(pairCount(p));
  for (let b = 0; b < p.nBorrowers; b++) out.fill(b, p.pairStart[b] as number, p.pairStart[b + 1] as number);
  return out;
}

/**
 * Pair indices with score > 0, by score descending, ties by index (deterministic). Scores are compared at
 * float32 precision (relative 6e-8): a positive float32's bits order like its value, so two stable 16-bit
 * radix passes sort millions of pairs in linear time (a comparator sort took seconds at 2M pairs).
 */
export function orderByScore(score: Float64Array): Int32Array {
  let n = 0;
  for (let q = 0; q < score.length; q++) if ((score[q] as number) > 0) n++;
  let idx = new Int32Array(n);
  let key = new Uint32Array(n);
  const f32 = new Float32Array(1);
  const bits = new Uint32Array(f32.buffer);
  n = 0;
  for (let q = 0; q < score.length; q++) {
    const s = score[q] as number;
    if (s <= 0) continue;
    f32[0] = s;
    idx[n] = q;
    key[n] = ~(bits[0] as number) >>> 0; // descending
    n++;
  }
  let idx2 = new Int32Array(n);
  let key2 = new Uint32Array(n);
  const count = new Int32Array(65_537);
  for (const shift of [0, 16]) {
    count.fill(0);
    for (let i = 0; i < n; i++) {
      const d = (((key[i] as number) >>> shift) & 0xffff) + 1;
      count[d] = (count[d] as number) + 1;
    }
    for (let d = 1; d < count.length; d++) count[d] = (count[d] as number) + (count[d - 1] as number);
    for (let i = 0; i < n; i++) {
      const d = ((key[i] as number) >>> shift) & 0xffff;
      const at = count[d] as number;
      count[d] = at + 1;
      idx2[at] = idx[i] as number;
      key2[at] = key[i] as number;
    }
    [idx, idx2] = [idx2, idx];
    [key, key2] = [key2, key];
  }
  return idx;
}

/** Chosen pairs, ascending, from the taken flags. */
export function chosenOf(taken: Uint8Array): Int32Array {
  let n = 0;
  for (let q = 0; q < taken.length; q++) n += taken[q] as number;
  const out = new Int32Array(n);
  n = 0;
  for (let q = 0; q < taken.length; q++) if (taken[q] === 1) out[n++] = q;
  return out;
}

/**
 * Greedy baseline: pairs by value per unit of the resources they use (each row's share of its capacity),
 * always feasible. No bound of its own.
 */
export function solveGreedy(p: AssignmentProblem): AssignmentSolution {
  const nP = pairCount(p);
  const score = new Float64Array(nP);
  for (let q = 0; q < nP; q++) {
    let share = 0;
    for (let k = p.usageStart[q] as number; k < (p.usageStart[q + 1] as number); k++) {
      const a = p.usageCoef[k] as number;
      if (a > 0) share += a / Math.max(p.capacity[p.usageRow[k] as number] as number, 1e-9);
    }
    score[q] = (p.value[q] as number) / (1 + share);
  }
  const used = new Float64Array(p.capacity.length);
  const count = new Int32Array(p.nBorrowers);
  const taken = new Uint8Array(nP);
  fillInOrder(p, orderByScore(score), used, count, taken, borrowerOfPairs(p));
  const chosen = chosenOf(taken);
  return {
    method: 'greedy',
    chosen,
    objective: objectiveOf(p, chosen),
    bound: Number.POSITIVE_INFINITY,
    gap: Number.POSITIVE_INFINITY,
    status: 'feasible',
    iterations: 1,
  };
}
