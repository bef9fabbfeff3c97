import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { pairEconomics } from '../../src/matching/economics.js';
import { eligibility } from '../../src/matching/eligibility.js';
import { buildProblem } from '../../src/matching/match.js';
import { lpBound } from '../../src/matching/optimiser/exact.js';
import { checkAssignment } from '../../src/matching/optimiser/problem.js';
import { solveAssignment } from '../../src/matching/optimiser/solve.js';
import { referralSchema, toReferrals } from '../../src/matching/referrals.js';
import { AGREEMENTS } from '../../src/samples/agreements.js';
import { BANKS } from '../../src/samples/banks.js';
import { assessment } from './fixture.js';
import { recountViolations } from './recount.js';

const bank = (id: string) => BANKS.find((b) => b.id === id) ?? (BANKS[0] as (typeof BANKS)[number]);
const ag = (id: string) =>
  AGREEMENTS.find((a) => a.id === id) ?? (AGREEMENTS[0] as (typeof AGREEMENTS)[number]);

describe('eligibility', () => {
  it('an Anhui manufacturer fits CCB Anhui under 4321', () => {
    expect(eligibility(assessment('b1'), bank('ccb-ah'), ag('ah-4321'))).toEqual([]);
  });
  it('names the borrower value and the rule for each exclusion, bilingual', () => {
    const a = assessment('b2', {
      pd: 0.09,
      grade: 'BB',
      borrower: { region: '510104', industry: 'K70' },
      tenorMonths: 48,
    });
    const r = eligibility(a, bank('ccb-ah'), ag('ah-4321'));
    const rules = r.map((x) => x.rule);
    expect(rules).toEqual([
      'bank.region',
      'agreement.region',
      'bank.industry',
      'agreement.industry',
      'bank.tenor',
      'agreement.tenor',
      'bank.maxPd',
      'bank.grade',
    ]);
    const pd = r.find((x) => x.rule === 'bank.maxPd');
    expect(pd).toMatchObject({ value: '0.09', limit: '≤ 0.045', en: "PD 0.09 above the bank's maximum" });
    expect(pd?.zh).toContain('违约概率');
  });
});

describe('pair economics, by hand', () => {
  it('4321 at CCB Anhui: 100万, PD 2%, LGD 0.6, grade A, 12 months', () => {
    const e = pairEconomics(assessment('b1'), bank('ccb-ah'), ag('ah-4321'));
    expect(e.amount).toBe(1_000_000);
    expect(e.expectedLoss).toBe(12_000); // 0.02 × 0.6 × 1,000,000
    expect(e.lossByParty.map((p) => p.amount)).toEqual([4800, 3600, 2400, 1200]);
    expect(e.expectedCompensation).toBe(16_000); // 0.02 × 1,000,000 × 0.8
    expect(e.feeIncome).toBe(10_000);
    expect(e.reGuaranteeFee).toBe(5_000);
    expect(e.guarantorNetValue).toBe(200); // 10,000 − 4,800 − 5,000
    // rate: floor max(3.2%, 3.0% − 0.5%) = 3.2%, grade A is index 2 of 9 steps to 4.3%
    expect(e.rate).toBeCloseTo(0.032 + (0.011 * 2) / 9, 12);
    expect(e.bankMargin).toBe(Math.round((1e6 * (e.rate - 0.02) - 2400) * 100) / 100);
  });
});

describe('match: no assignment breaks a quota, cap or concentration limit', () => {
  it('holds on random instances (greedy and decompose), by checkAssignment and by recount', async () => {
    const seen = { referrals: 0, capacity: 0 };
    const regions = ['340104', '341802', '430102', '510104', '350203'];
    const industries = ['C13', 'C38', 'F52', 'A01', 'I65', 'E47'];
    const grades = ['AAA', 'AA', 'A', 'BBB', 'BB'] as const;
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            r: fc.integer({ min: 0, max: regions.length - 1 }),
            i: fc.integer({ min: 0, max: industries.length - 1 }),
            g: fc.integer({ min: 0, max: grades.length - 1 }),
            pd: fc.double({ min: 0.001, max: 0.06, noNaN: true }),
            lim: fc.integer({ min: 10, max: 800 }),
          }),
          { minLength: 1, maxLength: 30 },
        ),
        fc.double({ min: 0.002, max: 0.2, noNaN: true }),
        fc.constantFrom('greedy' as const, 'decompose' as const),
        fc.integer({ min: 1, max: 2 }),
        async (rows, quotaScale, method, topK) => {
          const as = rows.map((x, j) =>
            assessment(`b${j}`, {
              pd: x.pd,
              grade: grades[x.g] ?? 'A',
              limit: x.lim * 10_000,
              borrower: { region: regions[x.r] ?? '34', industry: industries[x.i] ?? 'C' },
            }),
          );
          // Quotas scaled down so they bind; a little prior exposure so concentration rows start part-used.
          const banks = BANKS.map((b) => ({
            ...b,
            quotas: b.quotas.map((q) => ({ ...q, amount: q.amount * quotaScale, used: q.used * quotaScale })),
            concentration: {
              ...b.concentration,
              exposure: { industry: { C: 1e5 }, region: { [regions[0]?.slice(0, 4) ?? '34']: 1e5 } },
            },
          }));
          const toDate = Object.fromEntries(
            AGREEMENTS.map((a) => [a.id, { guaranteed: 5e7, compensated: 5e7 * a.compensation.cap * 0.79 }]),
          );
          const built = buildProblem(as, banks, AGREEMENTS, { topK, toDate });
          const sol = await solveAssignment(built.problem, { method });
          expect(checkAssignment(built.problem, sol.chosen).ok).toBe(true);
          expect(sol.objective).toBeLessThanOrEqual(sol.bound + 1e-6 * Math.max(1, Math.abs(sol.bound)));
          const refs = toReferrals(built, sol);
          for (const r of refs) referralSchema.parse(r);
          expect(recountViolations(refs, as, banks, AGREEMENTS, { safetyFactor: 0.8, topK, toDate })).toEqual(
            [],
          );
          seen.referrals += refs.length;
          seen.capacity += refs.filter((r) => r.alternatives.some((x) => x.why === 'capacity')).length;
        },
      ),
      { numRuns: 40, seed: 42 },
    );
    // Not vacuous: referrals were made and rows were full for some alternatives.
    expect(seen.referrals).toBeGreaterThan(50);
    expect(seen.capacity).toBeGreaterThan(0);
  });
  it('decompose bounds a realistic batch tightly, cap rows without history (capacity 0) included', async () => {
    const regions = ['340104', '341802', '430102', '510104', '350203', '410105', '330782', '330106'];
    const industries = ['C13', 'C38', 'F52', 'A01', 'I65', 'G54'];
    const as = Array.from({ length: 600 }, (_, j) =>
      assessment(`b${j}`, {
        pd: 0.003 + ((j * 7919) % 97) / 1500,
        grade: (['AAA', 'AA', 'A', 'BBB', 'BB'] as const)[j % 5] ?? 'A',
        limit: (5 + ((j * 31) % 400)) * 20_000,
        borrower: { region: regions[j % 8] as string, industry: industries[(j * 3) % 6] as string },
      }),
    );
    // Quotas cut to a third of what is left, so they bind.
    const banks = BANKS.map((b) => ({
      ...b,
      quotas: b.quotas.map((q) => ({ ...q, used: q.amount - (q.amount - q.used) / 3 })),
    }));
    const built = buildProblem(as, banks, AGREEMENTS);
    expect(built.problem.capacity.filter((c) => c === 0).length).toBeGreaterThan(3);
    const d = await solveAssignment(built.problem, { method: 'decompose' });
    const lp = await lpBound(built.problem);
    expect(checkAssignment(built.problem, d.chosen).ok).toBe(true);
    expect(d.bound).toBeGreaterThanOrEqual(lp.objective * (1 - 1e-7));
    // Before rows were scaled by their largest coefficient, the capacity-0 cap rows held the bound at 7× the LP.
    expect(d.bound).toBeLessThan(lp.objective * 1.05);
    expect(d.objective).toBeGreaterThan(lp.objective * 0.97);
    // With the LP at hand (pairs ≤ lpBoundMaxPairs), the reported bound is the tighter of the two.
    const t = await solveAssignment(built.problem, { method: 'decompose', lpBoundMaxPairs: 20_000 });
    expect(t.bound).toBeCloseTo(Math.min(d.bound, lp.objective), 0);
    expect(t.gap).toBeLessThan(0.03);
  }, 60_000);
  it('counts non-candidates with why, and pauses a programme already past its line', () => {
    const built = buildProblem(
      [assessment('b1'), assessment('b2', { decision: 'decline' }), assessment('b3', { limit: 0 })],
      BANKS,
      AGREEMENTS,
      { toDate: { 'ah-4321': { guaranteed: 1e6, compensated: 50_000 } } },
    );
    expect(built.notCandidates.map((x) => x.reason.rule)).toEqual(['decision', 'limit']);
    expect(built.pausedProgrammes).toEqual(['ah-4321']);
    expect(built.options.some((o) => o.agreement.id === 'ah-4321')).toBe(false);
    expect(built.problem.nBorrowers).toBe(1);
  });
  it('does not place an approved assessment made without a loan request, and says why', () => {
    const noRequest = { ...assessment('b4'), request: null };
    const built = buildProblem([assessment('b1'), noRequest], BANKS, AGREEMENTS);
    expect(built.notCandidates).toEqual([expect.objectContaining({ id: noRequest.id })]);
    expect(built.notCandidates[0]?.reason.rule).toBe('request');
    expect(built.problem.nBorrowers).toBe(1);
  });
  it('is deterministic and gives reasons and alternatives', async () => {
    const as = [assessment('b1'), assessment('b2', { borrower: { region: '341802' } })];
    const b1 = buildProblem(as, BANKS, AGREEMENTS, {
      toDate: {
        'ah-4321': { guaranteed: 1e8, compensated: 0 },
        'ah-520': { guaranteed: 1e8, compensated: 0 },
      },
    });
    const s1 = await solveAssignment(b1.problem, { method: 'greedy' });
    const r1 = toReferrals(b1, s1);
    const r2 = toReferrals(b1, await solveAssignment(b1.problem, { method: 'greedy' }));
    expect(r1).toEqual(r2);
    expect(r1.length).toBe(2);
    expect(r1[0]?.alternatives.some((x) => x.why === 'ineligible')).toBe(true);
    expect(r1[0]?.lossByParty.reduce((s, p) => s + p.amount, 0)).toBeCloseTo(r1[0]?.expectedLoss ?? 0, 2);
  });
});
