import { describe, expect, it } from 'vitest';
import { bankSchema, parseBank } from '../../src/ingest/partners.js';
import { pairEconomics } from '../../src/matching/economics.js';
import { conditions, eligibility, pairAmountWithBinding } from '../../src/matching/eligibility.js';
import { buildProblem } from '../../src/matching/match.js';
import { checkAssignment } from '../../src/matching/optimiser/problem.js';
import { solveAssignment } from '../../src/matching/optimiser/solve.js';
import { describeFullRow, preferences, summarise, toReferrals } from '../../src/matching/referrals.js';
import { AGREEMENTS } from '../../src/samples/agreements.js';
import { BANKS } from '../../src/samples/banks.js';
import { codeOf } from '../fixtures/errors.js';
import { assessment } from './fixture.js';
import { recountViolations } from './recount.js';

const bank = (id: string) => BANKS.find((b) => b.id === id) ?? (BANKS[0] as (typeof BANKS)[number]);
const ag = (id: string) =>
  AGREEMENTS.find((a) => a.id === id) ?? (AGREEMENTS[0] as (typeof AGREEMENTS)[number]);
const xiamen = { region: '350203', industry: 'F52', entityType: 'company' as const };

describe('bank schema: quotas, concentration, approval lines, LPR spread', () => {
  it('rejects used above the quota, a repeated agreement, lines that do not ascend and an inverted spread', () => {
    const b = bank('xmb');
    const q = b.quotas[0] as (typeof b.quotas)[number];
    const cases = [
      { ...b, quotas: [{ ...q, used: q.amount + 1 }] },
      { ...b, quotas: [q, q] },
      { ...b, approvalLines: [...b.approvalLines].reverse() },
      { ...b, rate: { reference: '1y', floorSpread: 0.02, capSpread: 0.01 } },
    ];
    for (const c of cases) expect(bankSchema.safeParse(c).success).toBe(false);
    expect(codeOf(() => parseBank(cases[0]))).toBe('E_AGREEMENT_INVALID');
    expect(() => parseBank(cases[0])).toThrow('quotas.0.used: used must not exceed amount');
  });
  it('quotes the rate as LPR + spread: Xiamen over the 5-year LPR from −50 bp (domain.md §7.2)', () => {
    const e = pairEconomics(
      assessment('x', { grade: 'AAA', borrower: xiamen, tenorMonths: 24 }),
      bank('xmb'),
      ag('xm-cyd'),
    );
    expect(e.rateRange.min).toBeCloseTo(0.035 - 0.005, 12);
    expect(e.rateRange.max).toBeCloseTo(0.035 + 0.015, 12);
    expect(e.rate).toBeCloseTo(0.03, 12); // AAA at the floor
  });
});

describe('eligibility: approval lines, quotas, per-borrower limit, no-refinance', () => {
  it('caps at 500万 above which Xiamen lends only to sci-tech firms or big manufacturers (domain.md §8)', () => {
    const plain = assessment('p', { limit: 8_000_000, borrower: xiamen, tenorMonths: 24 });
    expect(pairAmountWithBinding(plain, bank('xmb'), ag('xm-cyd'))).toEqual({
      amount: 5_000_000,
      binding: 'bank.approvalLine',
    });
    const sci = assessment('s', {
      limit: 8_000_000,
      borrower: { ...xiamen, highTech: true },
      tenorMonths: 24,
    });
    expect(pairAmountWithBinding(sci, bank('xmb'), ag('xm-cyd')).amount).toBe(8_000_000);
    const maker = assessment('m', {
      limit: 8_000_000,
      borrower: { ...xiamen, industry: 'C38', annualSales: 25_000_000 },
      tenorMonths: 24,
    });
    expect(pairAmountWithBinding(maker, bank('xmb'), ag('xm-cyd')).amount).toBe(8_000_000);
    expect(conditions(plain, bank('xmb'), ag('xm-cyd')).map((c) => c.en)).toEqual([
      'above the online line: an on-site visit (approval line up to 500万)',
    ]);
    const small = assessment('q', { limit: 2_000_000, borrower: xiamen, tenorMonths: 24 });
    expect(conditions(small, bank('xmb'), ag('xm-cyd'))).toEqual([]);
  });
  it("caps at the bank's per-borrower limit", () => {
    const a = assessment('m', { limit: 3_000_000, borrower: { region: '51080202', industry: 'A01' } });
    expect(pairAmountWithBinding(a, bank('psbc-gy'), ag('fund-batch-sc'))).toEqual({
      amount: 2_000_000,
      binding: 'bank.amount',
    });
  });
  it('excludes a bank without a quota under the programme, naming both', () => {
    const b = { ...bank('ccb-ah'), quotas: bank('ccb-ah').quotas.filter((q) => q.agreementId !== 'ah-4321') };
    const r = eligibility(assessment('b1'), b, ag('ah-4321'));
    expect(r.map((x) => [x.rule, x.value, x.limit])).toEqual([
      ['bank.quota', 'ah-4321', 'ah-520,scitech-2024'],
    ]);
  });
  it('a no-refinance programme makes the bank verify new money unless the borrower is a first-time one', () => {
    const sc = { region: '510104', industry: 'C13' };
    const repeat = assessment('r', { borrower: { ...sc, firstLoan: false } });
    expect(conditions(repeat, bank('icbc-sc'), ag('fund-batch-sc')).map((c) => c.en)).toEqual([
      'the bank verifies the loan is not an extension or a refinance (the programme requires it)',
    ]);
    const first = assessment('f', { borrower: { ...sc, firstLoan: true } });
    expect(conditions(first, bank('icbc-sc'), ag('fund-batch-sc'))).toEqual([]);
    expect(conditions(repeat, bank('icbc-sc'), ag('direct-28'))).toEqual([]);
  });
  it('the commercial 70/30 preset places a joint-stock bank borrower, the bank keeping 30%', () => {
    const a = assessment('c', { borrower: { region: '410105', industry: 'C13' } });
    expect(eligibility(a, bank('citic-zz'), ag('commercial-7030'))).toEqual([]);
    const e = pairEconomics(a, bank('citic-zz'), ag('commercial-7030'));
    expect(e.lossByParty.map((p) => [p.role, p.amount])).toEqual([
      ['guarantor', 8400],
      ['bank', 3600],
    ]); // 2% × 0.6 × 100万 = 12,000, split 70/30
    expect(e.expectedCompensation).toBe(14_000); // 2% × 100万 × 0.7
  });
});

describe('problem build: rows for every constraint of the bank data', () => {
  it('builds quota rows per bank × agreement less use, and concentration rows less exposure', () => {
    const b = {
      ...bank('ccb-ah'),
      concentration: {
        ...bank('ccb-ah').concentration,
        exposure: { industry: { C: 1e8 }, region: { '3401': 2e8 } },
      },
    };
    const built = buildProblem([assessment('b1')], [b], AGREEMENTS);
    const cap = (name: string) => built.problem.capacity[built.problem.rowNames.indexOf(name)];
    const q = b.quotas.find((x) => x.agreementId === 'ah-4321');
    expect(cap('quota:ccb-ah:ah-4321')).toBe((q?.amount ?? 0) - (q?.used ?? 0));
    expect(cap('conc:ccb-ah:industry:C')).toBeCloseTo(0.35 * 15e8 - 1e8, 3);
    expect(cap('conc:ccb-ah:region:3401')).toBeCloseTo(0.5 * 15e8 - 2e8, 3);
  });
  it('the recount catches a broken quota (it can fail)', async () => {
    const as = [assessment('b1'), assessment('b2')];
    const b = {
      ...bank('ccb-ah'),
      quotas: [{ agreementId: 'ah-4321', amount: 1_500_000, used: 0 }],
      concentration: { ...bank('ccb-ah').concentration, industryShare: 1, regionShare: 1 },
    };
    const built = buildProblem(as, [b], [ag('ah-4321')], {
      toDate: { 'ah-4321': { guaranteed: 1e9, compensated: 0 } },
    });
    const sol = await solveAssignment(built.problem, { method: 'decompose' });
    expect(sol.chosen.length).toBe(1); // 100万 each, 150万 of quota
    const all = { ...sol, chosen: Int32Array.from([0, 1]) };
    expect(checkAssignment(built.problem, all.chosen).ok).toBe(false);
    const o = { safetyFactor: 0.8, topK: 1, toDate: { 'ah-4321': { guaranteed: 1e9, compensated: 0 } } };
    expect(recountViolations(toReferrals(built, sol), as, [b], [ag('ah-4321')], o)).toEqual([]);
    expect(recountViolations(toReferrals(built, all), as, [b], [ag('ah-4321')], o)).toEqual([
      'quota ccb-ah/ah-4321: 2000000 > 1500000',
      'industry ccb-ah/C: 2000000',
      'region ccb-ah/3401: 2000000',
    ]);
  });
});

describe('referrals: why this bank, in money and preferences', () => {
  it('says which row was full in words', () => {
    expect(describeFullRow('quota:ccb-ah:ah-4321').en).toBe('no quota left at ccb-ah under ah-4321');
    expect(describeFullRow('cap:ah-520').en).toBe(
      "ah-520's expected compensation rate is at its safety line",
    );
    expect(describeFullRow('conc:hsb:industry:C').zh).toBe('hsb 在行业 C 的集中度已满');
    expect(describeFullRow('conc:hsb:region:3418').en).toBe(
      "hsb's concentration limit for region 3418 is reached",
    );
  });
  it('lists the preferences met with the borrower value and the bank rule, the approval line and the split', async () => {
    const a = assessment('b1', { limit: 4_000_000 });
    const built = buildProblem([a], BANKS, AGREEMENTS, {
      toDate: {
        'ah-4321': { guaranteed: 1e8, compensated: 0 },
        'ah-520': { guaranteed: 1e8, compensated: 0 },
      },
    });
    const [r] = toReferrals(built, await solveAssignment(built.problem, { method: 'exact' }));
    // Several banks can lend the whole 400万: the tie on amount goes to the guarantor's net value, highest under
    // the commercial 70/30 (a 2% fee and no re-guarantee fee against 70% of the expected loss).
    expect([r?.bankId, r?.agreementId]).toEqual(['hsb', 'commercial-7030']);
    const b = bank(r?.bankId ?? '');
    const g = ag(r?.agreementId ?? '');
    expect(r?.approval).toEqual({ process: 'on_site_visit', upTo: b.approvalLines.at(-1)?.upTo });
    expect(r?.amount).toBe(4_000_000);
    expect(r?.amountBinding).toBe('assessment.limit');
    const pd = r?.preferences.find((p) => p.rule === 'bank.maxPd');
    expect(pd).toMatchObject({ value: '2.00%', bankRule: `≤ ${((b.risk.maxPd ?? 0) * 100).toFixed(2)}%` });
    expect(r?.preferences.find((p) => p.rule === 'bank.industry.preferred')?.bankRule).toBe('C');
    expect(r?.lossByParty.reduce((s, p) => s + p.amount, 0)).toBeCloseTo(r?.expectedLoss ?? 0, 2);
    expect(r?.conditions.map((c) => c.en)).toEqual([
      `above the online line: an on-site visit (approval line up to ${(b.approvalLines.at(-1)?.upTo ?? 0) / 10_000}万)`,
    ]);
    const lower = r?.alternatives.find((x) => x.why === 'lower_objective');
    expect(lower?.detail[0]?.en).toMatch(/^objective 400\d{4}\.\d\d below the chosen 400\d{4}\.\d\d$/);
    const ineligible = r?.alternatives.find((x) => x.bankId === 'icbc-sc');
    expect(ineligible?.why).toBe('ineligible');
    expect(preferences(a, b, g, pairEconomics(a, b, g))).toEqual(r?.preferences);
  });
  it('summarises per bank × agreement with quota use before and after, from the referrals alone', async () => {
    const as = [assessment('b1'), assessment('b2', { limit: 500_000 })];
    const built = buildProblem(as, BANKS, AGREEMENTS, {
      toDate: { 'ah-520': { guaranteed: 1e8, compensated: 0 } },
    });
    const refs = toReferrals(built, await solveAssignment(built.problem, { method: 'greedy' }));
    const s = summarise(refs, BANKS, AGREEMENTS, 0.8);
    const line = s.banks.find((x) => x.count > 0);
    expect(line?.amount).toBe(
      refs
        .filter((r) => r.bankId === line?.bankId && r.agreementId === line?.agreementId)
        .reduce((t, r) => t + r.amount, 0),
    );
    expect((line?.usedAfter ?? 0) - (line?.usedBefore ?? 0)).toBe(line?.amount);
    expect(s.programmes.reduce((t, p) => t + p.count, 0)).toBe(refs.length);
    expect(s.programmes.find((p) => p.agreementId === 'ah-520')?.line).toBeCloseTo(0.032, 12);
  });
});
