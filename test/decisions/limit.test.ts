import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import type { LimitCandidate } from '../../src/decisions/assessment.js';
import { computeLimit, LIMIT_CANDIDATES, type LimitPlan, limitPlan } from '../../src/decisions/limit.js';
import type { Policy } from '../../src/decisions/release.js';
import { getDefaultCatalog } from '../../src/features/catalog.js';
import { computeFeatures } from '../../src/features/engine.js';
import { compileCatalog, type FeaturePlan } from '../../src/features/plan.js';
import type { Application } from '../../src/ingest/schemas.js';
import { activeRelease, handApplication } from './decisions-helpers.js';

let policy: Policy;
let plan: FeaturePlan;
let lp: LimitPlan;
beforeAll(async () => {
  policy = (await activeRelease()).release.policy;
  plan = compileCatalog(getDefaultCatalog());
  lp = limitPlan(plan);
});

/** The numeric inputs the candidates' formulas read. */
type HandInputs = Record<
  | 'annualSales'
  | 'salesShare'
  | 'existingDebt'
  | 'taxPaid12m'
  | 'taxMultiple'
  | 'salesMargin'
  | 'growthUsed'
  | 'turnoverDays'
  | 'ownFunds'
  | 'monthlyInflow'
  | 'inflowShare'
  | 'ownerAnnualIncome'
  | 'householdDebtToIncome'
  | 'householdDebt'
  | 'expectedLossBudget'
  | 'pd'
  | 'lgd'
  | 'productCap'
  | 'perBorrowerCap'
  | 'clientExposure'
  | 'netAssets'
  | 'singleClientShare'
  | 'groupShare'
  | 'groupExposure'
  | 'requestAmount',
  number
>;

/** Redoes a candidate from its own inputs, as a reviewer would by hand (an independent reading of its formula). */
function byHand(c: LimitCandidate): number {
  const x = c.inputs as unknown as HandInputs;
  switch (c.id) {
    case 'sales_share':
      return x.annualSales * x.salesShare - x.existingDebt;
    case 'tax_multiple':
      return x.taxPaid12m * x.taxMultiple - x.existingDebt;
    case 'working_capital':
      return (
        (x.annualSales * (1 - x.salesMargin) * (1 + x.growthUsed)) / (360 / x.turnoverDays) -
        Math.max(0, x.ownFunds) -
        x.existingDebt
      );
    case 'monthly_inflow':
      return x.monthlyInflow * 12 * x.inflowShare - x.existingDebt;
    case 'household_dti':
      return x.ownerAnnualIncome * x.householdDebtToIncome - x.householdDebt;
    case 'expected_loss':
      return x.expectedLossBudget / (x.pd * x.lgd);
    case 'product_cap':
      return x.productCap;
    case 'programme_cap':
      return x.perBorrowerCap - x.clientExposure;
    case 'single_client':
      return x.netAssets * x.singleClientShare - x.clientExposure;
    case 'related_group':
      return x.netAssets * x.groupShare - x.groupExposure;
    case 'request':
      return x.requestAmount;
    default:
      throw new Error(`no hand formula for ${c.id}`);
  }
}

const programme = () => policy.programmes.find((p) => p.id === 'general') ?? null;

describe('credit limit (domain.md §3.1, §7.1)', () => {
  it('golden: the hand-built application, every candidate redone by hand from its inputs', () => {
    const app = handApplication({
      request: { amount: 500_000, tenorMonths: 12, purpose: 'working_capital', programme: 'general' },
    });
    const row = computeFeatures(plan, app);
    const limit = computeLimit(policy, lp, {
      app,
      row,
      pd: 0.02,
      programme: programme(),
      exposure: { client: 0, group: 0 },
    });
    expect(limit.candidates.map((c) => c.id)).toEqual(LIMIT_CANDIDATES);
    for (const c of limit.candidates) if (c.amount !== null) expect(c.amount).toBeCloseTo(byHand(c), 2);
    const get = (id: string) => limit.candidates.find((c) => c.id === id) as LimitCandidate;
    // 3 tax months (no annual tax filings beyond): sales = 300,000 + 280,000 + Q1 900,000 = 1,480,000
    expect(get('sales_share').inputs).toMatchObject({ annualSales: 1_480_000, salesShare: 0.25 });
    // EL budget 3万 / (0.02 × 0.6) = 2,500,000
    expect(get('expected_loss').amount).toBe(2_500_000);
    expect(get('single_client').amount).toBe(20_000_000); // 10% of 2亿
    expect(get('related_group').amount).toBe(30_000_000); // 15% of 2亿
    expect(get('request').amount).toBe(500_000);
    const least = Math.min(...limit.candidates.flatMap((c) => (c.amount === null ? [] : [c.amount])));
    expect(limit.amount).toBe(Math.max(0, Math.floor(least / 10_000) * 10_000));
    expect(limit.amountWan).toBe(limit.amount / 10_000);
  });

  it('a candidate with missing inputs has no amount, names them and does not bind; no request → request does not bind', () => {
    const app = handApplication();
    const { tax: _t, bankFlows: _b, ...rest } = app;
    const noRequest = { ...rest, request: undefined } as unknown as Application;
    const row = computeFeatures(plan, { ...rest } as Application);
    const limit = computeLimit(policy, lp, {
      app: noRequest,
      row,
      pd: 0.02,
      programme: null,
      exposure: { client: null, group: null },
    });
    const get = (id: string) => limit.candidates.find((c) => c.id === id) as LimitCandidate;
    expect(get('request')).toMatchObject({ amount: null, missing: ['requestAmount'] });
    expect(get('tax_multiple')).toMatchObject({ amount: null });
    expect(get('tax_multiple').missing).toEqual(
      expect.arrayContaining(['taxPaid12m', 'taxGrade', 'taxMultiple']),
    );
    expect(get('monthly_inflow').missing).toEqual(['monthlyInflow']);
    expect(get('programme_cap').missing).toEqual(['programme', 'perBorrowerCap', 'clientExposure']);
    expect(get('single_client').missing).toEqual(['clientExposure']);
    expect(limit.candidates.find((c) => c.id === limit.binding)?.amount).not.toBeNull();
  });

  it('property: the binding constraint is the smallest candidate with an amount, and the limit is it rounded down to 1万', () => {
    const inputs = [
      'tax_revenue_sum_12m',
      'inv_sales_sum_12m',
      'tax_paid_sum_12m',
      'tax_revenue_growth_12m',
      'bank_balance_mean_6m',
      'bank_inflow_sum_12m',
      'bank_months_observed_12m',
      'owner_annual_income',
      'owner_total_liabilities',
      'bureau_ent_balance_total',
    ];
    const maybe = (arb: fc.Arbitrary<number>) => fc.option(arb, { nil: Number.NaN, freq: 4 });
    fc.assert(
      fc.property(
        fc.array(maybe(fc.double({ min: -0.5, max: 5e7, noNaN: true })), {
          minLength: inputs.length,
          maxLength: inputs.length,
        }),
        fc.option(fc.constantFrom('A', 'B', 'M', 'C', 'D'), { nil: null }),
        fc.double({ min: 0.0001, max: 1, noNaN: true }),
        fc.option(fc.double({ min: 0, max: 2e8, noNaN: true }), { nil: null }),
        fc.integer({ min: 1, max: 30_000_000 }),
        (values, grade, pd, client, amount) => {
          const row = new Float64Array(plan.features.length).fill(Number.NaN);
          inputs.forEach((name, k) => {
            row[plan.names.indexOf(name)] = values[k] as number;
          });
          if (grade !== null) row[lp.taxGrade] = lp.levels.indexOf(grade);
          const app = handApplication({ request: { amount, tenorMonths: 12, purpose: 'equipment' } });
          const limit = computeLimit(policy, lp, {
            app,
            row,
            pd,
            programme: programme(),
            exposure: { client, group: client },
          });
          const withAmount = limit.candidates.filter((c) => c.amount !== null);
          const least = Math.min(...withAmount.map((c) => c.amount as number));
          expect(limit.candidates.find((c) => c.id === limit.binding)?.amount).toBe(least);
          expect(limit.amount).toBe(Math.max(0, Math.floor(least / 10_000) * 10_000));
          expect(limit.amount % 10_000).toBe(0);
          expect(limit.amount).toBeLessThanOrEqual(amount);
          for (const c of withAmount) {
            const hand = byHand(c);
            expect(Math.abs((c.amount as number) - hand)).toBeLessThanOrEqual(0.005 + 1e-12 * Math.abs(hand));
          }
          for (const c of limit.candidates)
            if (c.amount === null) expect(c.missing?.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });
});
