import { RiskError } from '../../core/errors.js';
import { solveDecompose } from './decompose.js';
import { lpBound, solveExact } from './exact.js';
import { solveGreedy } from './greedy.js';
import {
  type AssignmentProblem,
  type AssignmentSolution,
  pairCount,
  relativeGap,
  type SolveOptions,
  validateProblem,
} from './problem.js';

/** Solves an assignment problem by the named method; the result always passes checkAssignment. */
export async function solveAssignment(p: AssignmentProblem, opts: SolveOptions): Promise<AssignmentSolution> {
  validateProblem(p);
  if (opts.method === 'greedy') return withLpBound(p, solveGreedy(p), opts);
  if (opts.method === 'decompose') return withLpBound(p, solveDecompose(p, opts), opts);
  const maxPairs = opts.exactMaxPairs ?? 20_000;
  if (pairCount(p) > maxPairs) {
    if (opts.fallback === 'error')
      throw new RiskError(
        'E_OPTIMISER_TOO_LARGE',
        `exact solve limited to ${maxPairs} pairs (HiGHS wasm heap stops at 2 GiB), received ${pairCount(p)} pairs × ${p.capacity.length} rows`,
        { path: ['pairStart'], expected: `≤ ${maxPairs} pairs`, received: pairCount(p) },
      );
    return withLpBound(p, solveDecompose(p, opts), opts);
  }
  return solveExact(p, opts);
}

/** Tightens a solution's bound with the LP value by HiGHS when the problem is small enough (lpBoundMaxPairs). */
async function withLpBound(
  p: AssignmentProblem,
  s: AssignmentSolution,
  opts: SolveOptions,
): Promise<AssignmentSolution> {
  if (pairCount(p) === 0 || pairCount(p) > (opts.lpBoundMaxPairs ?? 0)) return s;
  const lp = await lpBound(p, opts.timeLimitSeconds ?? 60);
  if (lp.status !== 'Optimal') return s;
  // The LP text carries 17 significant digits: never report a bound below the objective found.
  const bound = Math.max(s.objective, Math.min(s.bound, lp.objective));
  return { ...s, bound, gap: relativeGap(bound, s.objective) };
}
