import { RiskError } from '../../core/errors.js';

/**
 * An assignment of borrowers to options (bank × agreement) with few coupling rows:
 * maximise Σ value[p]·x[p], x ∈ {0,1}, each borrower takes ≤ perBorrower pairs, Σ_p usageCoef[r,p]·x[p] ≤ capacity[r].
 */
export interface AssignmentProblem {
  /** Number of borrowers. */
  nBorrowers: number;
  /** Each borrower takes ≤ perBorrower pairs (1 = assignment; k = top-k referrals). */
  perBorrower: number;
  /** Pairs grouped by borrower: pairStart[b] .. pairStart[b+1] (length nBorrowers + 1). */
  pairStart: Int32Array;
  /** The option (bank × agreement) index of each pair (distinct within a borrower). */
  pairOption: Int32Array;
  /** Objective coefficient of each pair. */
  value: Float64Array;
  /** CSR per pair: usageStart[p] .. usageStart[p+1] index usageRow/usageCoef (length nPairs + 1). */
  usageStart: Int32Array;
  /** The resource row of each usage entry. */
  usageRow: Int32Array;
  /** The coefficient of each usage entry (may be negative, e.g. a compensation-rate cap row). */
  usageCoef: Float64Array;
  /** Row right-hand sides; every capacity ≥ 0. */
  capacity: Float64Array;
  /** Row names, e.g. "quota:icbc-sc:fund-batch-sc", "cap:fund-batch-sc", "conc:icbc-sc:industry:C". */
  rowNames: readonly string[];
}

/** The method used to solve an assignment problem. */
export type AssignmentMethod = 'exact' | 'decompose' | 'greedy';

/** A solved assignment: the chosen pairs (ascending), its objective, an upper bound and the relative gap. */
export interface AssignmentSolution {
  /** The method that produced this solution (after any fallback). */
  method: AssignmentMethod;
  /** Indices of chosen pairs, ascending. */
  chosen: Int32Array;
  /** Σ value over chosen pairs. */
  objective: number;
  /** A valid upper bound on the optimum (LP relaxation or Lagrangian dual); Infinity if none. */
  bound: number;
  /** (bound − objective) / |bound|; 0 when both are 0. */
  gap: number;
  /** Solver status, e.g. "optimal", "feasible", "time-limit". */
  status: string;
  /** Iterations of the method (subgradient steps, simplex/branch-and-bound count, 1 for greedy). */
  iterations: number;
}

/** One broken row of a checked assignment. */
export interface RowViolation {
  /** The row's name. */
  row: string;
  /** Σ coef·x over chosen pairs. */
  used: number;
  /** The row's capacity. */
  capacity: number;
}

/**
 * Collects a problem borrower by borrower: the usage entries of a pair, then the pair (its option and value),
 * then the end of the borrower; `build` packs the CSR arrays into typed arrays.
 * @example const pb = new ProblemBuilder(); pb.entry(0, 100); pb.endPair(0, 5); pb.endBorrower(); pb.build(1, [100], ['quota']);
 */
export class ProblemBuilder {
  private readonly pairStart = [0];
  private readonly pairOption: number[] = [];
  private readonly value: number[] = [];
  private readonly usageStart = [0];
  private readonly usageRow: number[] = [];
  private readonly usageCoef: number[] = [];

  /** Adds a usage entry (row, coefficient) to the pair being built. */
  entry(row: number, coef: number): void {
    this.usageRow.push(row);
    this.usageCoef.push(coef);
  }

  /** Closes the pair being built: its option (bank × agreement) and objective value. */
  endPair(option: number, value: number): void {
    this.pairOption.push(option);
    this.value.push(value);
    this.usageStart.push(this.usageRow.length);
  }

  /** Closes the current borrower (its pairs are those closed since the previous one). */
  endBorrower(): void {
    this.pairStart.push(this.value.length);
  }

  /** The packed problem. */
  build(perBorrower: number, capacity: ArrayLike<number>, rowNames: readonly string[]): AssignmentProblem {
    return {
      nBorrowers: this.pairStart.length - 1,
      perBorrower,
      pairStart: Int32Array.from(this.pairStart),
      pairOption: Int32Array.from(this.pairOption),
      value: Float64Array.from(this.value),
      usageStart: Int32Array.from(this.usageStart),
      usageRow: Int32Array.from(this.usageRow),
      usageCoef: Float64Array.from(this.usageCoef),
      capacity: Float64Array.from(capacity),
      rowNames,
    };
  }
}

/** Number of pairs of a problem. */
export function pairCount(p: AssignmentProblem): number {
  return p.pairStart[p.nBorrowers] ?? 0;
}

/** Absolute tolerance for a row, so that float sums of yuan amounts do not flag fen-level noise. */
export function rowTolerance(capacity: number): number {
  return 1e-6 * Math.max(1, Math.abs(capacity));
}

function bad(message: string, path: string, expected: string, received: unknown): never {
  throw new RiskError('E_OPTIMISER_PROBLEM', message, { path: [path], expected, received });
}

/**
 * Validates the shape of a problem (CSR arrays, capacities ≥ 0, distinct options per borrower) and throws an
 * E_OPTIMISER_PROBLEM RiskError naming the array or row otherwise.
 */
export function validateProblem(p: AssignmentProblem): void {
  const nB = p.nBorrowers;
  if (!Number.isInteger(nB) || nB < 0)
    bad(`nBorrowers must be an integer ≥ 0, received ${nB}`, 'nBorrowers', 'integer ≥ 0', nB);
  if (!Number.isInteger(p.perBorrower) || p.perBorrower < 1)
    bad(
      `perBorrower must be an integer ≥ 1, received ${p.perBorrower}`,
      'perBorrower',
      'integer ≥ 1',
      p.perBorrower,
    );
  if (p.pairStart.length !== nB + 1)
    bad(
      `pairStart must have nBorrowers + 1 = ${nB + 1} entries, received ${p.pairStart.length}`,
      'pairStart',
      `${nB + 1} entries`,
      p.pairStart.length,
    );
  if (p.pairStart[0] !== 0)
    bad(`pairStart[0] must be 0, received ${p.pairStart[0]}`, 'pairStart', '0', p.pairStart[0]);
  for (let b = 0; b < nB; b++) {
    if ((p.pairStart[b + 1] as number) < (p.pairStart[b] as number))
      bad(
        `pairStart must not decrease, pairStart[${b + 1}] = ${p.pairStart[b + 1]} < pairStart[${b}] = ${p.pairStart[b]}`,
        'pairStart',
        'non-decreasing',
        p.pairStart[b + 1],
      );
  }
  const nP = p.pairStart[nB] as number;
  if (p.pairOption.length !== nP)
    bad(
      `pairOption must have ${nP} entries (one per pair), received ${p.pairOption.length}`,
      'pairOption',
      `${nP} entries`,
      p.pairOption.length,
    );
  if (p.value.length !== nP)
    bad(
      `value must have ${nP} entries (one per pair), received ${p.value.length}`,
      'value',
      `${nP} entries`,
      p.value.length,
    );
  if (p.usageStart.length !== nP + 1)
    bad(
      `usageStart must have nPairs + 1 = ${nP + 1} entries, received ${p.usageStart.length}`,
      'usageStart',
      `${nP + 1} entries`,
      p.usageStart.length,
    );
  if (p.usageStart[0] !== 0)
    bad(`usageStart[0] must be 0, received ${p.usageStart[0]}`, 'usageStart', '0', p.usageStart[0]);
  for (let q = 0; q < nP; q++) {
    if ((p.usageStart[q + 1] as number) < (p.usageStart[q] as number))
      bad(
        `usageStart must not decrease, usageStart[${q + 1}] = ${p.usageStart[q + 1]} < usageStart[${q}] = ${p.usageStart[q]}`,
        'usageStart',
        'non-decreasing',
        p.usageStart[q + 1],
      );
    if (!Number.isFinite(p.value[q] as number))
      bad(`value[${q}] must be finite, received ${p.value[q]}`, 'value', 'finite number', p.value[q]);
  }
  const nnz = p.usageStart[nP] as number;
  if (p.usageRow.length !== nnz || p.usageCoef.length !== nnz)
    bad(
      `usageRow and usageCoef must have usageStart[nPairs] = ${nnz} entries, received ${p.usageRow.length} and ${p.usageCoef.length}`,
      p.usageRow.length !== nnz ? 'usageRow' : 'usageCoef',
      `${nnz} entries`,
      p.usageRow.length,
    );
  const nR = p.capacity.length;
  if (p.rowNames.length !== nR)
    bad(
      `rowNames must have one name per capacity row (${nR}), received ${p.rowNames.length}`,
      'rowNames',
      `${nR} names`,
      p.rowNames.length,
    );
  for (let r = 0; r < nR; r++) {
    const c = p.capacity[r] as number;
    if (!(c >= 0) || !Number.isFinite(c))
      bad(
        `capacity of row ${p.rowNames[r]} (index ${r}) must be a finite number ≥ 0, received ${c}`,
        'capacity',
        'finite ≥ 0',
        c,
      );
  }
  for (let k = 0; k < nnz; k++) {
    const r = p.usageRow[k] as number;
    if (r < 0 || r >= nR)
      bad(`usageRow[${k}] must be a row index in [0, ${nR}), received ${r}`, 'usageRow', `[0, ${nR})`, r);
    if (!Number.isFinite(p.usageCoef[k] as number))
      bad(
        `usageCoef[${k}] (row ${p.rowNames[r]}) must be finite, received ${p.usageCoef[k]}`,
        'usageCoef',
        'finite number',
        p.usageCoef[k],
      );
  }
  // Options distinct within a borrower: a small set per borrower keeps this linear.
  const seen = new Set<number>();
  for (let b = 0; b < nB; b++) {
    seen.clear();
    for (let q = p.pairStart[b] as number; q < (p.pairStart[b + 1] as number); q++) {
      const o = p.pairOption[q] as number;
      if (seen.has(o))
        bad(
          `pairOption of borrower ${b} repeats option ${o} (pair ${q})`,
          'pairOption',
          'distinct options per borrower',
          o,
        );
      seen.add(o);
    }
  }
}

/**
 * Recounts every row and the per-borrower limit for a set of chosen pairs, independently of any solver.
 * A per-borrower excess is reported as row "borrower:<b>".
 */
export function checkAssignment(
  p: AssignmentProblem,
  chosen: Int32Array,
): { ok: boolean; violations: RowViolation[] } {
  const nP = pairCount(p);
  const used = new Float64Array(p.capacity.length);
  const taken = new Uint8Array(nP);
  const violations: RowViolation[] = [];
  for (let i = 0; i < chosen.length; i++) {
    const q = chosen[i] as number;
    if (!Number.isInteger(q) || q < 0 || q >= nP)
      throw new RiskError(
        'E_OPTIMISER_PROBLEM',
        `chosen[${i}] must be a pair index in [0, ${nP}), received ${q}`,
        { path: ['chosen', i], received: q },
      );
    if (taken[q] === 1)
      throw new RiskError('E_OPTIMISER_PROBLEM', `chosen[${i}] repeats pair ${q}`, {
        path: ['chosen', i],
        received: q,
      });
    taken[q] = 1;
    for (let k = p.usageStart[q] as number; k < (p.usageStart[q + 1] as number); k++) {
      const r = p.usageRow[k] as number;
      used[r] = (used[r] as number) + (p.usageCoef[k] as number);
    }
  }
  for (let b = 0; b < p.nBorrowers; b++) {
    let n = 0;
    for (let q = p.pairStart[b] as number; q < (p.pairStart[b + 1] as number); q++) n += taken[q] as number;
    if (n > p.perBorrower) violations.push({ row: `borrower:${b}`, used: n, capacity: p.perBorrower });
  }
  for (let r = 0; r < p.capacity.length; r++) {
    const cap = p.capacity[r] as number;
    if ((used[r] as number) > cap + rowTolerance(cap))
      violations.push({ row: p.rowNames[r] as string, used: used[r] as number, capacity: cap });
  }
  return { ok: violations.length === 0, violations };
}

/** The objective Σ value[p] over chosen pairs. */
export function objectiveOf(p: AssignmentProblem, chosen: Int32Array): number {
  let s = 0;
  for (let i = 0; i < chosen.length; i++) s += p.value[chosen[i] as number] as number;
  return s;
}

/** The relative gap (bound − objective) / |bound|, 0 when both are 0, Infinity without a bound. */
export function relativeGap(bound: number, objective: number): number {
  if (!Number.isFinite(bound)) return Number.POSITIVE_INFINITY;
  if (bound === objective) return 0;
  return Math.max(0, bound - objective) / Math.max(Math.abs(bound), 1e-12);
}

/** Options of solveAssignment. */
export interface SolveOptions {
  /** The method: exact MIP by HiGHS, Lagrangian decomposition with repair, or the greedy baseline. */
  method: AssignmentMethod;
  /** Above this many pairs, exact falls back to decompose (or refuses when fallback is 'error'); default 20,000. */
  exactMaxPairs?: number;
  /** What exact does above exactMaxPairs; default 'decompose'. */
  fallback?: 'decompose' | 'error';
  /** Time limit of a HiGHS solve in seconds; default 60. */
  timeLimitSeconds?: number;
  /** Subgradient iterations of decompose; default 300. */
  maxIterations?: number;
  /** Decompose stops once the gap to its dual bound is below this; default 0.0005. */
  targetGap?: number;
  /**
   * Greedy and decompose also solve the LP relaxation by HiGHS when the problem has at most this many pairs,
   * and report the tighter bound (issue 8: the LP value where HiGHS solves it); default 0 (never).
   */
  lpBoundMaxPairs?: number;
}
