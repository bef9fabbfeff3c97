import { borrowerOfPairs, chosenOf, fillInOrder, orderByScore } from './greedy.js';
import {
  type AssignmentProblem,
  type AssignmentSolution,
  objectiveOf,
  ProblemBuilder,
  pairCount,
  relativeGap,
  type SolveOptions,
} from './problem.js';

/**
 * Lagrangian decomposition: the coupling rows move into the objective with multipliers λ ≥ 0, so the
 * subproblem separates per borrower (its best perBorrower pairs of positive reduced value). The dual value
 * L(λ) = Σ_b top-k reduced values + Σ_r λ_r·capacity_r is an upper bound for every λ ≥ 0; λ follows projected
 * subgradient steps (Polyak step towards the best feasible objective).
 *
 * Repair: the relaxed choice itself is a poor primal here, because values and row use both scale with the
 * amount, so borrowers of similar PD switch banks in blocks at the same λ. Instead every pair is ranked by its
 * reduced value (value less the priced use of every row) and taken when the borrower has room and every row
 * still fits; what is left is filled by plain value. Large problems warm-start λ from a strided sample of
 * borrowers with proportionally scaled capacities (the multipliers are prices per unit of a row, which a
 * sample estimates well), so the full problem needs few steps.
 */
export function solveDecompose(p: AssignmentProblem, opts: Partial<SolveOptions> = {}): AssignmentSolution {
  const targetGap = opts.targetGap ?? 0.0005;
  let lambda0: Float64Array | undefined;
  if (p.nBorrowers >= WARM_START_MIN_BORROWERS) {
    const stride = Math.max(WARM_START_MIN_STRIDE, Math.ceil(p.nBorrowers / WARM_START_SAMPLE));
    const sample = sampleProblem(p, stride);
    lambda0 = subgradient(
      sample,
      { ...opts, maxIterations: WARM_START_ITERATIONS, targetGap: targetGap / 2 },
      new GreedyRepair(sample),
    ).lambda;
  }
  const repair = new GreedyRepair(p);
  const { bound: dualBound, iterations } = subgradient(
    p,
    { maxIterations: lambda0 === undefined ? COLD_ITERATIONS : 40, ...opts },
    repair,
    lambda0,
  );
  const chosen = repair.best;
  const objective = repair.bestObjective;
  // Σ over the best perBorrower positive values is a bound without any rows; the dual never exceeds it.
  const bound = Math.max(dualBound, objective);
  const gap = relativeGap(bound, objective);
  return {
    method: 'decompose',
    chosen,
    objective,
    bound,
    gap,
    status: gap <= targetGap ? 'optimal-within-gap' : 'feasible',
    iterations,
  };
}

/** Problems with at least this many borrowers warm-start λ from a sample of about WARM_START_SAMPLE. */
const WARM_START_MIN_BORROWERS = 5_000;
const WARM_START_SAMPLE = 10_000;
const WARM_START_ITERATIONS = 300;
/**
 * Steps of a problem too small to warm-start (it stops at the target gap): the step size halves after 10 steps
 * without a better bound, which the warm start needs but which leaves a cold start short of the bound in 300.
 */
const COLD_ITERATIONS = 1000;
const WARM_START_MIN_STRIDE = 5;
/**
 * Repairs run at the first step, every few steps, and on the best λ at the end. More repairs find
 * better choices and better Polyak targets, but each ranks every pair: every 10th step up to REPAIR_DENSE_PAIRS
 * pairs (10k × 20: gap 0.11% → 0.07% for +20% time), every 20th above.
 */
const repairEvery = (nPairs: number): number => (nPairs <= REPAIR_DENSE_PAIRS ? 10 : 20);
const REPAIR_DENSE_PAIRS = 500_000;

/**
 * Every stride-th borrower with its pairs, and each row's capacity scaled by that borrower share, so that the
 * sample's multipliers estimate the full problem's.
 */
export function sampleProblem(p: AssignmentProblem, stride: number): AssignmentProblem {
  const pb = new ProblemBuilder();
  for (let b = 0; b < p.nBorrowers; b += stride) {
    for (let q = p.pairStart[b] as number; q < (p.pairStart[b + 1] as number); q++) {
      for (let e = p.usageStart[q] as number; e < (p.usageStart[q + 1] as number); e++)
        pb.entry(p.usageRow[e] as number, p.usageCoef[e] as number);
      pb.endPair(p.pairOption[q] as number, p.value[q] as number);
    }
    pb.endBorrower();
  }
  const share = Math.ceil(p.nBorrowers / stride) / Math.max(1, p.nBorrowers);
  return pb.build(
    p.perBorrower,
    p.capacity.map((c) => c * share),
    p.rowNames,
  );
}

/**
 * The primal repair: pairs by reduced value, taken while the borrower has room and every row fits, then the
 * rest by plain value. Keeps the best feasible choice seen.
 */
class GreedyRepair {
  best: Int32Array = new Int32Array(0);
  bestObjective = 0;
  private readonly pairBorrower: Int32Array;
  private readonly byValue: Int32Array;
  private readonly used: Float64Array;
  private readonly count: Int32Array;
  private readonly taken: Uint8Array;

  constructor(private readonly p: AssignmentProblem) {
    this.pairBorrower = borrowerOfPairs(p);
    this.byValue = orderByScore(p.value);
    this.used = new Float64Array(p.capacity.length);
    this.count = new Int32Array(p.nBorrowers);
    this.taken = new Uint8Array(pairCount(p));
  }

  /** Repairs from the reduced values at some λ; returns the best objective so far. */
  run(reduced: Float64Array): number {
    const { p, used, count, taken } = this;
    used.fill(0);
    count.fill(0);
    taken.fill(0);
    fillInOrder(p, orderByScore(reduced), used, count, taken, this.pairBorrower);
    // Then by plain value, the pairs the ranking left out (those it tried did not fit).
    fillInOrder(p, this.byValue, used, count, taken, this.pairBorrower, reduced);
    const chosen = chosenOf(taken);
    const obj = objectiveOf(p, chosen);
    if (obj > this.bestObjective || this.best.length === 0) {
      this.bestObjective = obj;
      this.best = chosen;
    }
    return this.bestObjective;
  }
}

/**
 * Projected subgradient on the multipliers (rows scaled to capacity 1), Polyak steps towards the best repaired
 * objective. Returns the best dual value (a bound) and its multipliers in the problem's own units.
 * @param lambda0 starting multipliers in the problem's units (a warm start); default 0
 */
function subgradient(
  p: AssignmentProblem,
  opts: Partial<SolveOptions>,
  repair: GreedyRepair,
  lambda0?: Float64Array,
): { bound: number; lambda: Float64Array; iterations: number } {
  const maxIter = opts.maxIterations ?? 300;
  const targetGap = opts.targetGap ?? 0.0005;
  const nP = pairCount(p);
  const nR = p.capacity.length;
  const k = p.perBorrower;
  // Rows are scaled by their capacity or their largest coefficient, whichever is larger, so one step size suits
  // quotas in yuan, counts, and a compensation-cap row with no history (capacity 0, coefficients in yuan).
  const scale = new Float64Array(nR);
  for (let r = 0; r < nR; r++) scale[r] = Math.max(p.capacity[r] as number, 1e-9);
  for (let e = 0; e < p.usageRow.length; e++) {
    const r = p.usageRow[e] as number;
    scale[r] = Math.max(scale[r] as number, Math.abs(p.usageCoef[e] as number));
  }
  const cap = new Float64Array(nR);
  for (let r = 0; r < nR; r++) cap[r] = (p.capacity[r] as number) / (scale[r] as number);
  const coef = new Float64Array(p.usageCoef.length);
  for (let e = 0; e < coef.length; e++)
    coef[e] = (p.usageCoef[e] as number) / (scale[p.usageRow[e] as number] as number);

  const lambda = new Float64Array(nR);
  if (lambda0 !== undefined)
    for (let r = 0; r < nR; r++) lambda[r] = (lambda0[r] as number) * (scale[r] as number);
  const reduced = new Float64Array(nP);
  const x = new Uint8Array(nP);
  const g = new Float64Array(nR);
  let bestBound = Number.POSITIVE_INFINITY;
  let bestObjective = 0;
  let bestLambda = Float64Array.from(lambda);
  // A warm start is near the optimum: smaller steps from the outset.
  let theta = lambda0 === undefined ? 2 : 0.25;
  let sinceImprove = 0;
  let iter = 0;
  const price = (l: Float64Array): void => {
    for (let q = 0; q < nP; q++) {
      let rv = p.value[q] as number;
      for (let e = p.usageStart[q] as number; e < (p.usageStart[q + 1] as number); e++)
        rv -= (l[p.usageRow[e] as number] as number) * (coef[e] as number);
      reduced[q] = rv;
    }
  };

  const every = repairEvery(nP);
  // Borrower by borrower: price its pairs and take its best k at once (the range is still in cache).
  const picked = new Int32Array(p.nBorrowers * k);
  for (iter = 1; iter <= maxIter; iter++) {
    let dual = 0;
    let nPicked = 0;
    for (let b = 0; b < p.nBorrowers; b++) {
      const lo = p.pairStart[b] as number;
      const hi = p.pairStart[b + 1] as number;
      for (let q = lo; q < hi; q++) {
        let rv = p.value[q] as number;
        for (let e = p.usageStart[q] as number; e < (p.usageStart[q + 1] as number); e++)
          rv -= (lambda[p.usageRow[e] as number] as number) * (coef[e] as number);
        reduced[q] = rv;
      }
      for (let t = 0; t < k; t++) {
        let best = -1;
        let bestV = 0;
        for (let q = lo; q < hi; q++) {
          const v = reduced[q] as number;
          if (v > bestV && x[q] === 0) {
            bestV = v;
            best = q;
          }
        }
        if (best < 0) break;
        x[best] = 1;
        picked[nPicked++] = best;
        dual += bestV;
      }
    }
    for (let r = 0; r < nR; r++) dual += (lambda[r] as number) * (cap[r] as number);
    if (dual < bestBound - 1e-9 * Math.abs(dual)) {
      bestBound = dual;
      bestLambda = Float64Array.from(lambda);
      sinceImprove = 0;
    } else if (++sinceImprove >= 10) {
      theta *= 0.5;
      sinceImprove = 0;
    }
    if (iter === 1 || iter % every === 0) bestObjective = repair.run(reduced);
    if (nR === 0 || relativeGap(bestBound, bestObjective) <= targetGap) break;
    // Subgradient of L at λ: capacity − usage of the relaxed choice; projected onto λ ≥ 0.
    g.set(cap);
    for (let i = 0; i < nPicked; i++) {
      const q = picked[i] as number;
      x[q] = 0;
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
  // A last repair from the best multipliers. (Inflating them by 1–3% for more tries never won on the benchmark.)
  if (relativeGap(bestBound, bestObjective) > targetGap) {
    price(bestLambda);
    repair.run(reduced);
  }
  const raw = new Float64Array(nR);
  for (let r = 0; r < nR; r++) raw[r] = (bestLambda[r] as number) / (scale[r] as number);
  return { bound: bestBound, lambda: raw, iterations: Math.min(iter, maxIter) };
}
