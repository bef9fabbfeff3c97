import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RiskError } from '../../../src/core/errors.js';
import { sampleProblem, solveDecompose } from '../../../src/matching/optimiser/decompose.js';
import { lpBound } from '../../../src/matching/optimiser/exact.js';
import { solveGreedy } from '../../../src/matching/optimiser/greedy.js';
import {
  type AssignmentProblem,
  checkAssignment,
  objectiveOf,
  ProblemBuilder,
  validateProblem,
} from '../../../src/matching/optimiser/problem.js';
import { randomInstance } from '../../../src/matching/optimiser/random.js';
import { solveAssignment } from '../../../src/matching/optimiser/solve.js';

/** A tiny instance from plain numbers: pairs[b] = list of [value, [row, coef][]]. */
function build(
  pairs: [number, [number, number][]][][],
  capacity: number[],
  perBorrower = 1,
): AssignmentProblem {
  const pb = new ProblemBuilder();
  for (const list of pairs) {
    list.forEach(([v, uses], j) => {
      // One entry per row: sum duplicates so the CSR stays simple.
      const byRow = new Map<number, number>();
      for (const [r, c] of uses) byRow.set(r, (byRow.get(r) ?? 0) + c);
      for (const [r, c] of [...byRow].sort((a, b) => a[0] - b[0])) pb.entry(r, c);
      pb.endPair(j, v);
    });
    pb.endBorrower();
  }
  return pb.build(
    perBorrower,
    capacity,
    capacity.map((_, r) => `row-${r}`),
  );
}

/** The optimum by enumerating every subset of pairs. */
function bruteForce(p: AssignmentProblem): number {
  const nP = p.value.length;
  let best = 0;
  for (let mask = 0; mask < 1 << nP; mask++) {
    const chosen: number[] = [];
    for (let q = 0; q < nP; q++) if (mask & (1 << q)) chosen.push(q);
    const c = Int32Array.from(chosen);
    if (checkAssignment(p, c).ok) best = Math.max(best, objectiveOf(p, c));
  }
  return best;
}

const nRows = 3;
const arbInstance = fc
  .record({
    perBorrower: fc.integer({ min: 1, max: 2 }),
    capacity: fc.array(fc.integer({ min: 0, max: 10 }), { minLength: nRows, maxLength: nRows }),
    borrowers: fc.array(
      fc.array(
        fc.tuple(
          fc.integer({ min: -2, max: 20 }),
          fc.array(fc.tuple(fc.integer({ min: 0, max: nRows - 1 }), fc.integer({ min: -4, max: 8 })), {
            maxLength: 2,
          }),
        ),
        { minLength: 1, maxLength: 3 },
      ),
      { minLength: 1, maxLength: 4 },
    ),
  })
  .map((r) => build(r.borrowers, r.capacity, r.perBorrower));

describe('optimiser', () => {
  it('solves a two-borrower instance exactly: 5 by swapping, where greedy takes 4', async () => {
    const p = build(
      [
        [
          [3, [[0, 1]]],
          [2, [[1, 1]]],
        ],
        [
          [3, [[0, 1]]],
          [1, [[1, 1]]],
        ],
      ],
      [1, 1],
    );
    const exact = await solveAssignment(p, { method: 'exact' });
    expect(Array.from(exact.chosen)).toEqual([1, 2]);
    expect(exact.objective).toBe(5);
    expect(exact.bound).toBeCloseTo(5, 9);
    expect(exact.gap).toBeCloseTo(0, 9);
    expect(solveGreedy(p).objective).toBe(4);
    const dec = await solveAssignment(p, { method: 'decompose' });
    expect(dec.objective).toBe(5);
  });

  it('no method ever breaks a row, with negative coefficients and perBorrower > 1', async () => {
    await fc.assert(
      fc.asyncProperty(arbInstance, async (p) => {
        for (const method of ['greedy', 'decompose'] as const) {
          const s = await solveAssignment(p, { method });
          expect(checkAssignment(p, s.chosen).violations).toEqual([]);
          expect(s.objective).toBeLessThanOrEqual(s.bound + 1e-6 * Math.max(1, Math.abs(s.bound)));
        }
      }),
      { numRuns: 150, seed: 7 },
    );
  });

  it('exact equals brute force and never exceeds the LP bound on tiny instances', async () => {
    await fc.assert(
      fc.asyncProperty(arbInstance, async (p) => {
        const s = await solveAssignment(p, { method: 'exact' });
        expect(checkAssignment(p, s.chosen).ok).toBe(true);
        expect(s.objective).toBeCloseTo(bruteForce(p), 6);
        expect(s.bound).toBeGreaterThanOrEqual(s.objective - 1e-6);
        // The Lagrangian dual bounds the optimum too.
        expect(solveDecompose(p).bound).toBeGreaterThanOrEqual(s.objective - 1e-6);
      }),
      { numRuns: 25, seed: 11 },
    );
  }, 60_000);

  it('decompose stays within its bound and beats greedy on seeded realistic instances', async () => {
    for (const seed of [1, 2, 3]) {
      const p = randomInstance({ nBorrowers: 600, nOptions: 8, seed });
      const g = solveGreedy(p);
      const d = solveDecompose(p);
      expect(checkAssignment(p, g.chosen).ok).toBe(true);
      expect(checkAssignment(p, d.chosen).ok).toBe(true);
      expect(d.objective).toBeLessThanOrEqual(d.bound);
      expect(d.objective).toBeGreaterThanOrEqual(g.objective);
      const lp = await lpBound(p);
      // The LP value is the tightest bound of its kind: the dual cannot be below it (tolerance for its
      // 17-digit text) and is expected within a few percent of it.
      expect(d.bound).toBeGreaterThanOrEqual(lp.objective * (1 - 1e-7));
      expect(d.bound).toBeLessThan(lp.objective * 1.05);
    }
  }, 60_000);

  it('warm-starts large problems from a borrower sample and stays within 0.5% of the LP value', async () => {
    const p = randomInstance({ nBorrowers: 6000, nOptions: 10, seed: 9 });
    const s = sampleProblem(p, 5);
    expect(s.nBorrowers).toBe(1200);
    expect(s.capacity[0]).toBeCloseTo((p.capacity[0] as number) * 0.2, 6);
    expect(Array.from(s.value.subarray(0, 3))).toEqual(Array.from(p.value.subarray(0, 3)));
    const d = solveDecompose(p);
    expect(checkAssignment(p, d.chosen).ok).toBe(true);
    expect(d.objective).toBeLessThanOrEqual(d.bound);
    const lp = await lpBound(p);
    expect(d.bound).toBeGreaterThanOrEqual(lp.objective * (1 - 1e-7));
    expect(d.objective).toBeGreaterThan(lp.objective * 0.995);
    expect(Array.from(solveDecompose(p).chosen)).toEqual(Array.from(d.chosen));
  }, 60_000);

  it('is deterministic: the same input gives the same chosen pairs', async () => {
    const a = randomInstance({ nBorrowers: 300, nOptions: 6, perBorrower: 2, seed: 5 });
    const b = randomInstance({ nBorrowers: 300, nOptions: 6, perBorrower: 2, seed: 5 });
    for (const method of ['greedy', 'decompose'] as const) {
      const sa = await solveAssignment(a, { method });
      const sb = await solveAssignment(b, { method });
      expect(Array.from(sa.chosen)).toEqual(Array.from(sb.chosen));
      expect(sa.chosen.length).toBeGreaterThan(0);
    }
  });

  it('refuses a negative capacity naming the row, and malformed CSR naming the array', () => {
    const p = build([[[1, [[0, 1]]]]], [1, 1]);
    const neg = { ...p, capacity: Float64Array.from([1, -2]) };
    expect(() => validateProblem(neg)).toThrow(/row-1/);
    try {
      validateProblem(neg);
    } catch (e) {
      expect(e).toBeInstanceOf(RiskError);
      expect((e as RiskError).code).toBe('E_OPTIMISER_PROBLEM');
    }
    expect(() => validateProblem({ ...p, usageStart: Int32Array.from([0]) })).toThrow(/usageStart/);
    expect(() => validateProblem({ ...p, usageRow: Int32Array.from([5]) })).toThrow(/usageRow\[0\]/);
    expect(() => validateProblem({ ...p, pairStart: Int32Array.from([0, 2]) })).toThrow(/pairOption/);
  });

  it('refuses an exact solve above the size limit when asked to, and falls back otherwise', async () => {
    const p = randomInstance({ nBorrowers: 50, nOptions: 4, seed: 3 });
    await expect(
      solveAssignment(p, { method: 'exact', exactMaxPairs: 10, fallback: 'error' }),
    ).rejects.toMatchObject({
      code: 'E_OPTIMISER_TOO_LARGE',
    });
    const s = await solveAssignment(p, { method: 'exact', exactMaxPairs: 10 });
    expect(s.method).toBe('decompose');
  });
});
