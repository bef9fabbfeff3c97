import { borrowerOfPairs, chosenOf, fillInOrder, fits } from './greedy.js';
import {
  type AssignmentProblem,
  type AssignmentSolution,
  objectiveOf,
  pairCount,
  relativeGap,
  type SolveOptions,
} from './problem.js';

/**
 * Lagrangian decomposition: the coupling rows move into the objective with multipliers λ ≥ 0, so the
 * subproblem separates per borrower (its best perBorrower pairs of positive reduced value). The dual value
 * L(λ) = Σ_b top-k reduced values + Σ_r λ_r·capacity_r is an upper bound for every λ ≥ 0; λ follows projected
 * subgradient steps (Polyak step towards the best feasible objective). A repair turns each relaxed solution
 * into a feasible one: greedy on reduced values with exact capacity accounting, then a fill pass.
 */
export function solveDecompose(p: AssignmentProblem, opts: Partial<SolveOptions> = {}): AssignmentSolution {
  const maxIter = opts.maxIterations ?? 300;
  const targetGap = opts.targetGap ?? 0.0005;
  const nP = pairCount(p);
  const nR = p.capacity.length;
  const k = p.perBorrower;
  // Rows are scaled to capacity 1 (or their largest coefficient) so one step size suits quotas in yuan and counts.
  const scale = new Float64Array(nR);
  for (let r = 0; r < nR; r++) scale[r] = Math.max(p.capacity[r] as number, 1e-9);
  for (let e = 0; e < p.usageRow.length; e++) {
    const r = p.usageRow[e] as number;
    scale[r] = Math.max(scale[r] as number, Math.abs(p.usageCoef[e] as number) * 1e-3);
  }
  const cap = new Float64Array(nR);
  for (let r = 0; r < nR; r++) cap[r] = (p.capacity[r] as number) / (scale[r] as number);
  const coef = new Float64Array(p.usageCoef.length);
  for (let e = 0; e < coef.length; e++)
    coef[e] = (p.usageCoef[e] as number) / (scale[p.usageRow[e] as number] as number);

  const lambda = new Float64Array(nR);
  const reduced = new Float64Array(nP);
  const x = new Uint8Array(nP);
  const g = new Float64Array(nR);
  const pairBorrower = borrowerOfPairs(p);
  let bestBound = Number.POSITIVE_INFINITY;
  let bestChosen: Int32Array = new Int32Array(0);
  let bestObjective = 0;
  let bestLambda = new Float64Array(nR);
  let theta = 2;
  let sinceImprove = 0;
  let iter = 0;
  const rowsOnly = nR > 0;

  const repair = (): void => {
    const chosen = repairFrom(p, reduced, x, pairBorrower);
    const obj = objectiveOf(p, chosen);
    if (obj > bestObjective || bestChosen.length === 0) {
      bestObjective = obj;
      bestChosen = chosen;
    }
  };

  for (iter = 1; iter <= maxIter; iter++) {
    // Reduced values and the separable subproblem.
    for (let q = 0; q < nP; q++) {
      let rv = p.value[q] as number;
      for (let e = p.usageStart[q] as number; e < (p.usageStart[q + 1] as number); e++)
        rv -= (lambda[p.usageRow[e] as number] as number) * (coef[e] as number);
      reduced[q] = rv;
    }
    x.fill(0);
    let dual = 0;
    for (let b = 0; b < p.nBorrowers; b++)
      dual += pickTop(reduced, x, p.pairStart[b] as number, p.pairStart[b + 1] as number, k);
    for (let r = 0; r < nR; r++) dual += (lambda[r] as number) * (cap[r] as number);
    if (dual < bestBound - 1e-9 * Math.abs(dual)) {
      bestBound = dual;
      bestLambda = Float64Array.from(lambda);
      sinceImprove = 0;
    } else if (++sinceImprove >= 20) {
      theta *= 0.5;
      sinceImprove = 0;
    }
    // Repair now and then (it sorts the relaxed choice): early, every 10 steps, and at the end.
    if (iter === 1 || iter % 10 === 0) repair();
    if (!rowsOnly || relativeGap(bestBound, bestObjective) <= targetGap) break;
    // Subgradient of L at λ: capacity − usage of the relaxed choice; projected onto λ ≥ 0.
    g.set(cap);
    for (let q = 0; q < nP; q++) {
      if (x[q] === 0) continue;
      for (let e = p.usageStart[q] as number; e < (p.usageStart[q + 1] as number); e++) {
        const r = p.usageRow[e] as number;
        g[r] = (g[r] as number) - (coef[e] as number);
      }
    }
    let norm = 0;
    for (let r = 0; r < nR; r++) {
      const gr = g[r] as number;
      if ((lambda[r] as number) <= 0 && gr > 0) g[r] = 0;
      else norm += gr * gr;
    }
    if (norm <= 1e-18) break; // λ is optimal: the relaxed choice is feasible and complementary.
    const target = Math.max(bestObjective, 0);
    const step = (theta * Math.max(dual - target, 1e-9 * Math.abs(dual))) / norm;
    for (let r = 0; r < nR; r++) lambda[r] = Math.max(0, (lambda[r] as number) - step * (g[r] as number));
    if (theta < 1e-6) break;
  }
  // Last repairs from the best multipliers, a little inflated too: a slightly over-priced relaxed choice
  // oversubscribes fewer rows, so less of it is dropped and the fill pass has room.
  for (const inflate of REPAIR_INFLATION) {
    for (let q = 0; q < nP; q++) {
      let rv = p.value[q] as number;
      for (let e = p.usageStart[q] as number; e < (p.usageStart[q + 1] as number); e++)
        rv -= inflate * (bestLambda[p.usageRow[e] as number] as number) * (coef[e] as number);
      reduced[q] = rv;
    }
    x.fill(0);
    for (let b = 0; b < p.nBorrowers; b++)
      pickTop(reduced, x, p.pairStart[b] as number, p.pairStart[b + 1] as number, k);
    repair();
  }
  // Σ over the best perBorrower positive values is a bound without any rows; the dual never exceeds it.
  const bound = Math.max(bestBound, bestObjective);
  return {
    method: 'decompose',
    chosen: bestChosen,
    objective: bestObjective,
    bound,
    gap: relativeGap(bound, bestObjective),
    status: relativeGap(bound, bestObjective) <= targetGap ? 'optimal-within-gap' : 'feasible',
    iterations: Math.min(iter, maxIter),
  };
}

const REPAIR_INFLATION = [1, 1.01, 1.03, 1.1];

/** Marks the best k pairs of positive score in [lo, hi) (ties by index) and returns the sum of their scores. */
function pickTop(score: Float64Array, x: Uint8Array, lo: number, hi: number, k: number): number {
  let sum = 0;
  for (let t = 0; t < k; t++) {
    let best = -1;
    let bestV = 0;
    for (let q = lo; q < hi; q++) {
      const v = score[q] as number;
      if (v > bestV && x[q] === 0) {
        bestV = v;
        best = q;
      }
    }
    if (best < 0) break;
    x[best] = 1;
    sum += bestV;
  }
  return sum;
}

/**
 * Feasible choice from a relaxed one: the relaxed pairs by reduced value (exact capacity accounting), then each
 * borrower with room takes its other pairs of positive value that still fit, by reduced value, then a swap
 * pass moves a borrower to a better-valued pair when that fits after leaving its current one.
 */
function repairFrom(
  p: AssignmentProblem,
  reduced: Float64Array,
  x: Uint8Array,
  pairBorrower: Int32Array,
): Int32Array {
  const nP = reduced.length;
  let n = 0;
  for (let q = 0; q < nP; q++) n += x[q] as number;
  const relaxed: number[] = new Array(n);
  n = 0;
  for (let q = 0; q < nP; q++) if (x[q] === 1) relaxed[n++] = q;
  relaxed.sort((a, b) => (reduced[b] as number) - (reduced[a] as number) || a - b);
  const used = new Float64Array(p.capacity.length);
  const count = new Int32Array(p.nBorrowers);
  const taken = new Uint8Array(nP);
  fillInOrder(p, Int32Array.from(relaxed), used, count, taken, pairBorrower);
  // Fill: borrowers with room, their pairs by reduced value (value > 0 only: zero-value pairs add nothing).
  const local: number[] = [];
  for (let b = 0; b < p.nBorrowers; b++) {
    if ((count[b] as number) >= p.perBorrower) continue;
    local.length = 0;
    for (let q = p.pairStart[b] as number; q < (p.pairStart[b + 1] as number); q++)
      if (taken[q] === 0 && (p.value[q] as number) > 0) local.push(q);
    local.sort((a, c) => (reduced[c] as number) - (reduced[a] as number) || a - c);
    for (const q of local) {
      if ((count[b] as number) >= p.perBorrower) break;
      if (!fits(p, q, used)) continue;
      add(p, q, used, 1);
      taken[q] = 1;
      count[b] = (count[b] as number) + 1;
    }
  }
  // Swap: leave pair q for a pair s of the same borrower with a larger value when s fits once q is gone.
  for (let b = 0; b < p.nBorrowers; b++) {
    const lo = p.pairStart[b] as number;
    const hi = p.pairStart[b + 1] as number;
    for (let q = lo; q < hi; q++) {
      if (taken[q] === 0) continue;
      let bestS = -1;
      add(p, q, used, -1);
      for (let s = lo; s < hi; s++) {
        if (taken[s] === 1 || (p.value[s] as number) <= (p.value[bestS < 0 ? q : bestS] as number)) continue;
        if (fits(p, s, used)) bestS = s;
      }
      // Leaving q may have loosened a negative-coefficient row others rely on: keep q unless all rows still hold.
      if (bestS >= 0 && withinRows(p, bestS, used)) {
        add(p, bestS, used, 1);
        taken[q] = 0;
        taken[bestS] = 1;
      } else add(p, q, used, 1);
    }
  }
  return chosenOf(taken);
}

/** Adds (sign 1) or removes (sign −1) pair q's usage. */
function add(p: AssignmentProblem, q: number, used: Float64Array, sign: number): void {
  for (let e = p.usageStart[q] as number; e < (p.usageStart[q + 1] as number); e++) {
    const r = p.usageRow[e] as number;
    used[r] = (used[r] as number) + sign * (p.usageCoef[e] as number);
  }
}

/** Whether every row stays within capacity after adding pair s (checks rows s loosens too). */
function withinRows(p: AssignmentProblem, s: number, used: Float64Array): boolean {
  add(p, s, used, 1);
  let ok = true;
  for (let r = 0; r < p.capacity.length && ok; r++) {
    const c = p.capacity[r] as number;
    if ((used[r] as number) > c + 1e-6 * Math.max(1, Math.abs(c)) * 0.5) ok = false;
  }
  add(p, s, used, -1);
  return ok;
}
