import { describe, expect, it } from 'vitest';
import { type Assessment, assessmentSchema, type Decision } from '../../src/decisions/assessment.js';
import { Simulator, simulate } from '../../src/decisions/simulate.js';
import type { RiskGrade } from '../../src/ingest/partners.js';

/** A valid assessment with only what the simulation reads set. */
function assessment(
  releaseId: string,
  id: string,
  decision: Decision,
  grade: RiskGrade | null,
  pd: number | null,
  limit: number | null,
): Assessment {
  return assessmentSchema.parse({
    id: `${releaseId}-${id}`,
    applicationId: id,
    asOf: '2025-06-30',
    releaseId,
    inputDigest: 'x',
    decision,
    grade,
    pd,
    score: null,
    models: [],
    rules: [],
    fired: [],
    reasons: [],
    missingSources: [],
    limit:
      limit === null
        ? null
        : { amount: limit, amountWan: limit / 1e4, binding: 'request', candidates: [], existingDebt: 0 },
    fee: null,
    borrower: {
      id,
      name: null,
      entityType: 'company',
      industry: null,
      region: null,
      highTech: false,
      specialised: false,
      firstLoan: false,
      yearsInBusiness: null,
      annualSales: null,
      currentOverdue: null,
      existingDebt: 0,
    },
    request: { amount: 1_000_000, tenorMonths: 12, purpose: 'working_capital' },
    shadow: null,
  });
}

const b = (id: string, d: Decision, g: RiskGrade | null, pd: number | null, l: number | null) =>
  assessment('base', id, d, g, pd, l);
const c = (id: string, d: Decision, g: RiskGrade | null, pd: number | null, l: number | null) =>
  assessment('cand', id, d, g, pd, l);

// Five applications, hand-worked below with LGD 0.5.
const BASE = [
  b('A', 'approve', 'B', 0.06, 1_000_000),
  b('B', 'approve', 'BB', 0.04, 500_000),
  b('C', 'decline', 'CC', 0.15, null),
  b('D', 'refer', 'CCC', 0.1, 200_000),
  b('E', 'decline', 'D', 0.5, null),
];
const CAND = [
  c('A', 'approve', 'B', 0.06, 800_000),
  c('B', 'decline', 'BB', 0.04, null),
  c('C', 'approve', 'CC', 0.15, 300_000),
  c('D', 'decline', 'CCC', 0.1, null),
  c('E', 'decline', 'D', 0.5, null),
];
// A good, B bad, C bad, D good, E unknown.
const OUTCOMES = new Map<string, 0 | 1>([
  ['A', 0],
  ['B', 1],
  ['C', 1],
  ['D', 0],
]);

describe('simulate, hand-worked', () => {
  const s = simulate(BASE, CAND, OUTCOMES, { lgd: 0.5 });

  it('rates, total limit, expected loss and bad rate of the approved, per side', () => {
    expect(s.baseline.releaseId).toBe('base');
    expect(s.baseline.decisions.approve).toEqual({ count: 2, rate: 0.4 });
    expect(s.baseline.decisions.refer).toEqual({ count: 1, rate: 0.2 });
    expect(s.baseline.decisions.decline).toEqual({ count: 2, rate: 0.4 });
    // 100万 + 50万; EL = 0.06·0.5·100万 + 0.04·0.5·50万 = 30,000 + 10,000; A good, B bad.
    expect(s.baseline.approved).toEqual({
      count: 2,
      amount: 1_500_000,
      expectedLoss: 40_000,
      withOutcome: 2,
      bad: 1,
      badRate: 0.5,
    });
    expect(s.baseline.approvedMeanPd).toBeCloseTo(0.05, 12);
    expect(s.candidate.decisions.approve).toEqual({ count: 2, rate: 0.4 });
    expect(s.candidate.decisions.decline).toEqual({ count: 3, rate: 0.6 });
    // 80万 + 30万; EL = 0.06·0.5·80万 + 0.15·0.5·30万 = 24,000 + 22,500; A good, C bad.
    expect(s.candidate.approved).toMatchObject({
      count: 2,
      amount: 1_100_000,
      expectedLoss: 46_500,
      badRate: 0.5,
    });
  });

  it('the swap set in both directions, with amounts at the approving side’s limit', () => {
    expect(s.swapIn).toEqual({
      count: 1,
      amount: 300_000,
      expectedLoss: 22_500,
      withOutcome: 1,
      bad: 1,
      badRate: 1,
    });
    expect(s.swapOut).toEqual({
      count: 1,
      amount: 500_000,
      expectedLoss: 10_000,
      withOutcome: 1,
      bad: 1,
      badRate: 1,
    });
    expect(s.transitions.approve).toMatchObject({ approve: 1, decline: 1, refer: 0 });
    expect(s.transitions.decline).toMatchObject({ approve: 1, decline: 1 });
    expect(s.transitions.refer).toMatchObject({ decline: 1 });
    expect(s.withoutOutcome).toBe(1);
  });

  it('grade mix with observed bad rates', () => {
    expect(s.baseline.grades.B).toMatchObject({ count: 1, share: 0.2, badRate: 0 });
    expect(s.baseline.grades.CC).toMatchObject({ count: 1, share: 0.2, badRate: 1 });
    expect(s.baseline.grades.D).toMatchObject({ count: 1, withOutcome: 0, badRate: null });
    expect(s.baseline.grades.AAA).toMatchObject({ count: 0, share: 0, badRate: null });
    expect(s.baseline.grades.none.count).toBe(0);
  });

  it('pairs by application id whatever the order, and the streaming Simulator agrees', () => {
    expect(simulate([...BASE].reverse(), CAND, OUTCOMES, { lgd: 0.5 })).toEqual(s);
    const sim = new Simulator(OUTCOMES, { lgd: 0.5 });
    for (const [i, x] of BASE.entries()) sim.add(x, CAND[i] as Assessment);
    expect(sim.result()).toEqual(s);
    // Default LGD 0.6: EL scales by 0.6 / 0.5.
    expect(simulate(BASE, CAND, OUTCOMES).baseline.approved.expectedLoss).toBe(48_000);
  });

  it('sides that do not pair up are an error naming the application', () => {
    expect(() => simulate(BASE, CAND.slice(1), OUTCOMES)).toThrow(
      /application A has a baseline assessment but no candidate/,
    );
    expect(() => simulate(BASE.slice(1), CAND, OUTCOMES)).toThrow(
      /application A has a candidate assessment but no baseline/,
    );
    expect(() => simulate(BASE, [...CAND, CAND[0] as Assessment], OUTCOMES)).toThrow(/assessed twice/);
    expect(() => simulate([...BASE.slice(1), c('A', 'approve', 'B', 0.06, 1)], CAND, OUTCOMES)).toThrow(
      /releaseId must be base/,
    );
    expect(() => simulate(BASE, CAND, OUTCOMES, { lgd: 1.5 })).toThrow(
      expect.objectContaining({ code: 'E_SIMULATE_INPUT' }),
    );
  });
});
