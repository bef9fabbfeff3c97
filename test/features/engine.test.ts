import { describe, expect, it } from 'vitest';
import { getDefaultCatalog } from '../../src/features/catalog.js';
import { computeFeatures, featureText, toFeatureRecord } from '../../src/features/engine.js';
import { compileCatalog } from '../../src/features/plan.js';
import type { ApplicationInput } from '../../src/ingest/schemas.js';
import { parseApplication } from '../../src/ingest/validate.js';

const plan = compileCatalog(getDefaultCatalog());

function features(input: ApplicationInput): Record<string, number | string | null> {
  return toFeatureRecord(plan, computeFeatures(plan, parseApplication(input)));
}

const enterprise = {
  name: '合肥示例商贸有限公司',
  creditCode: '91350100M000100Y43',
  entityType: 'company',
  industry: 'F5123',
  region: '340104',
  establishedDate: '2020-06-15',
  registeredCapital: 2_000_000,
  paidInCapital: 500_000,
  employees: 10,
  highTech: false,
  specialised: true,
  firstLoan: false,
} as const;

const request = { amount: 300_000, tenorMonths: 12, purpose: 'working_capital' } as const;

/**
 * Application A, as-of 2025-06-15, so month 1 is 2025-05 and month 12 is 2024-06. Every expected number
 * below is worked out by hand in the comments; owner and utilities are absent.
 */
const appA: ApplicationInput = {
  id: 'A',
  asOf: '2025-06-15',
  request,
  enterprise,
  tax: {
    creditGrade: 'A',
    filings: [
      { period: '2025-05', revenue: 120_000, vat: 3_600, incomeTax: 600 }, // month 1
      { period: '2025-04', revenue: 90_000, vat: 2_700, incomeTax: 300 }, // month 2
      { period: '2025Q1', revenue: 270_000, vat: 8_100, incomeTax: 900 }, // months 5, 4, 3: 90k each
      { period: '2024Q2', revenue: 180_000, vat: 5_400, incomeTax: 600 }, // months 14, 13, 12: 60k each
      { period: '2025-06', revenue: 999_000, vat: 0, incomeTax: 0 }, // the as-of month: in no window
      { period: '2025-07', revenue: 5_000_000, vat: 0, incomeTax: 0 }, // after the as-of date: ignored
    ],
  },
  invoices: [
    { date: '2025-05-03', direction: 'sales', amount: 60_000, tax: 0, counterpartyId: 'C1', status: 'valid' }, // m1
    { date: '2025-03-31', direction: 'sales', amount: 20_000, tax: 0, counterpartyId: 'C1', status: 'valid' }, // m3
    { date: '2025-04-10', direction: 'sales', amount: 20_000, tax: 0, counterpartyId: 'C2', status: 'valid' }, // m2
    {
      date: '2024-05-31',
      direction: 'sales',
      amount: 100_000,
      tax: 0,
      counterpartyId: 'C3',
      status: 'valid',
    }, // m13
    { date: '2025-05-20', direction: 'sales', amount: 10_000, tax: 0, counterpartyId: 'C4', status: 'void' }, // m1
    { date: '2025-04-11', direction: 'sales', amount: 5_000, tax: 0, counterpartyId: 'C1', status: 'red' }, // m2
    { date: '2025-06-10', direction: 'sales', amount: 7_000, tax: 0, counterpartyId: 'C5', status: 'valid' }, // m0
    { date: '2025-06-20', direction: 'sales', amount: 9_000, tax: 0, counterpartyId: 'C6', status: 'void' }, // future
    {
      date: '2025-02-01',
      direction: 'purchase',
      amount: 40_000,
      tax: 0,
      counterpartyId: 'S1',
      status: 'valid',
    }, // m4
  ],
  bankFlows: [
    { month: '2025-05', inflow: 100, outflow: 150, endBalance: 10, counterparties: 3 }, // m1
    { month: '2025-04', inflow: 200, outflow: 100, endBalance: -20, counterparties: 5 }, // m2
    { month: '2025-02', inflow: 300, outflow: 300, endBalance: 40, counterparties: 7 }, // m4; March missing
  ],
  bureau: {
    enterprise: {
      facilities: [
        {
          type: 'loan',
          openDate: '2025-01-10', // m5
          limit: 500_000,
          balance: 400_000,
          overdueDays: 0,
          overdueAmount: 0,
          class: 'normal',
          overdueHistory: [0, 1, 1, 1, 0], // months 5..1: overdue in months 4, 3, 2
        },
        {
          type: 'credit_card',
          openDate: '2019-03-01',
          limit: 100_000,
          balance: 50_000,
          overdueDays: 35,
          overdueAmount: 2_000,
          class: 'special_mention',
          overdueHistory: [2, 0, 0, 0, 0, 0, 0, 0], // months 8..1: 2 months past due in month 8
        },
      ],
      guaranteesGiven: [
        { amount: 80_000, class: 'normal' },
        { amount: 20_000, class: 'substandard' },
      ],
      inquiries: [
        { date: '2025-06-01', reason: 'loan_approval' }, // m0
        { date: '2025-06-16', reason: 'loan_approval' }, // the day after the as-of date: ignored
        { date: '2025-04-30', reason: 'post_loan' }, // m2
        { date: '2025-03-01', reason: 'guarantee' }, // m3
        { date: '2024-03-01', reason: 'loan_approval' }, // m15
      ],
    },
    owner: { facilities: [], guaranteesGiven: [], inquiries: [] },
  },
  judicial: [
    {
      date: '2025-05-20',
      kind: 'lawsuit',
      role: 'defendant',
      caseType: 'lending_dispute',
      amount: 50_000,
      closed: false,
    }, // m1
    {
      date: '2023-01-10',
      kind: 'lawsuit',
      role: 'plaintiff',
      caseType: 'contract',
      amount: 10_000,
      closed: true,
    }, // m29
    { date: '2024-12-01', kind: 'enforcement', amount: 30_000, closed: false }, // m6
    { date: '2021-01-01', kind: 'dishonest', closed: true }, // m53
    { date: '2022-06-01', kind: 'penalty', closed: true }, // m36
  ],
  socialInsurance: [
    { month: '2025-05', insuredHeadcount: 10 },
    { month: '2025-05', insuredHeadcount: 14 }, // two records in one month: the month's level is their mean, 12
    { month: '2025-04', insuredHeadcount: 12 },
    { month: '2025-03', insuredHeadcount: 9 },
  ],
};

describe('golden values: application A', () => {
  const f = features(appA);

  it('reads the request and the enterprise', () => {
    expect(f.request_amount).toBe(300_000);
    expect(f.request_purpose).toBe('working_capital');
    // 2020-06-15 → 2025-06-15 is 1826 days (2024-02-29 inside).
    expect(f.ent_years_in_business).toBeCloseTo(1826 / 365.2425, 12);
    expect(f.ent_paid_in_ratio).toBe(0.25);
    expect(f.ent_specialised).toBe(1);
    expect(f.ent_industry_section).toBe('F');
    expect(f.ent_province).toBe('34');
    expect(f.ent_entity_type).toBe('company');
  });

  it('spreads quarterly tax filings over their months and windows complete months', () => {
    expect(f.tax_grade).toBe('A');
    expect(f.tax_grade_rank).toBe(1);
    // Months 1..12: 120k, 90k, 90k (Q1), 90k, 90k, 0 …, 60k (2024Q2's June) = 540k.
    expect(f.tax_revenue_sum_12m).toBe(540_000);
    expect(f.tax_revenue_mean_3m).toBe(100_000); // (120k + 90k + 90k) / 3
    expect(f.tax_revenue_growth_3m).toBeCloseTo((100_000 - 60_000) / 60_000, 12); // months 4..6: (90k + 90k + 0) / 3
    expect(f.tax_revenue_growth_12m).toBeCloseTo((540_000 - 120_000) / 120_000, 12); // months 13, 14: 60k each
    expect(f.tax_revenue_months_12m).toBe(6);
    // Tax paid in months 1..12: 4.2k + 3k + 3 × 3k (Q1) + 2k (June 2024) = 18.2k.
    expect(f.tax_paid_sum_12m).toBeCloseTo(18_200, 9);
    expect(f.tax_burden_12m).toBeCloseTo(18_200 / 540_000, 12);
  });

  it('computes invoice windows, void and red ratios and customer concentration', () => {
    expect(f.inv_sales_sum_12m).toBe(100_000); // 60k + 20k + 20k; the as-of month's 7k is outside
    expect(f.inv_sales_sum_3m).toBe(100_000);
    expect(f.inv_sales_count_12m).toBe(3);
    expect(f.inv_sales_months_active_12m).toBe(3);
    expect(f.inv_sales_months_since_last).toBe(0); // the 7k invoice of 2025-06-10 counts here
    expect(f.inv_void_ratio_12m).toBe(1 / 5); // 1 void of 5 sales invoices in months 1..12; the future one ignored
    expect(f.inv_red_ratio_12m).toBe(5_000 / 100_000);
    expect(f.inv_sales_growth_3m).toBeNull(); // months 4..6 had no sales: growth undefined
    expect(f.inv_top1_customer_share_12m).toBeCloseTo(0.8, 12); // C1: 80k of 100k
    expect(f.inv_top5_customer_share_12m).toBeCloseTo(1, 12);
    expect(f.inv_customer_hhi_12m).toBeCloseTo(0.8 ** 2 + 0.2 ** 2, 12);
    expect(f.inv_customer_count_12m).toBe(2);
    expect(f.inv_purchase_to_sales_12m).toBeCloseTo(0.4, 12);
    expect(f.inv_top1_supplier_share_12m).toBe(1);
    expect(f.inv_sales_max_12m).toBe(60_000);
  });

  it('zero-fills missing months of flows but not of levels', () => {
    expect(f.bank_inflow_sum_12m).toBe(600);
    expect(f.bank_inflow_mean_3m).toBe(100); // (100 + 200 + 0 for the missing March) / 3
    expect(f.bank_net_flow_sum_12m).toBe(50);
    expect(f.bank_outflow_to_inflow_12m).toBeCloseTo(550 / 600, 12);
    expect(f.bank_net_outflow_months_12m).toBe(1);
    expect(f.bank_balance_mean_6m).toBe(10); // (10 − 20 + 40) / 3 observed months
    expect(f.bank_balance_min_12m).toBe(-20);
    expect(f.bank_balance_last).toBe(10);
    expect(f.bank_months_observed_12m).toBe(3);
    expect(f.si_headcount_last).toBe(12);
    expect(f.si_headcount_mean_12m).toBe(11); // (12 + 12 + 9) / 3
    expect(f.si_headcount_min_12m).toBe(9);
    expect(f.si_months_observed_12m).toBe(3);
    expect(f.si_headcount_growth_6m).toBeNull(); // nothing observed in months 7..12
    expect(f.si_headcount_to_employees).toBeCloseTo(1.2, 12);
  });

  it('reads the enterprise credit report, its repayment grid and 连三累六', () => {
    expect(f.bureau_ent_facility_count).toBe(2);
    expect(f.bureau_ent_balance_total).toBe(450_000);
    expect(f.bureau_ent_utilisation).toBe(0.75);
    expect(f.bureau_ent_overdue_amount).toBe(2_000);
    expect(f.bureau_ent_max_overdue_days).toBe(35);
    expect(f.bureau_ent_nonnormal_count).toBe(1);
    expect(f.bureau_ent_new_facilities_12m).toBe(1);
    expect(f.bureau_ent_overdue_months_24m).toBe(4); // months 2, 3, 4 and 8
    expect(f.bureau_ent_overdue_max_run_24m).toBe(3);
    expect(f.bureau_ent_worst_status_24m).toBe(2);
    expect(f.bureau_ent_months_since_overdue).toBe(2);
    expect(f.bureau_ent_lian3_lei6).toBe(1);
    expect(f.bureau_ent_inquiries_3m).toBe(3); // months 0, 2, 3
    expect(f.bureau_ent_loan_inquiries_12m).toBe(2); // loan approval in month 0, guarantee in month 3
    expect(f.bureau_ent_months_since_inquiry).toBe(0);
    expect(f.bureau_ent_guarantees_amount).toBe(100_000);
    // 营授比: (450k on the report + 300k requested) / 540k declared revenue.
    expect(f.exposure_to_tax_revenue_12m).toBeCloseTo(750_000 / 540_000, 12);
  });

  it('counts judicial records by kind, role, case type, status and window', () => {
    expect(f.jud_record_count_24m).toBe(2); // the lawsuit as defendant (m1) and the enforcement (m6)
    expect(f.jud_defendant_count_24m).toBe(1);
    expect(f.jud_defendant_amount_24m).toBe(50_000);
    expect(f.jud_lending_dispute_defendant_count).toBe(1);
    expect(f.jud_enforcement_open_count).toBe(1);
    expect(f.jud_dishonest_count).toBe(1);
    expect(f.jud_abnormal_operation_open_count).toBe(0);
    expect(f.jud_penalty_count_36m).toBe(1); // month 36 is the window's last
    expect(f.jud_months_since_adverse).toBe(1);
  });

  it('gives NaN (null here) for absent sources and the ratios that need them', () => {
    expect(f.owner_age).toBeNull();
    expect(f.owner_debt_to_income).toBeNull();
    expect(f.request_to_income).toBeNull();
    expect(f.util_electricity_mean_3m).toBeNull();
    expect(f.electricity_per_employee_3m).toBeNull();
  });

  it('treats a present but empty source as checked: counts 0, ratios undefined', () => {
    expect(f.bureau_owner_facility_count).toBe(0);
    expect(f.bureau_owner_balance_total).toBe(0);
    expect(f.bureau_owner_inquiries_3m).toBe(0);
    expect(f.bureau_owner_lian3_lei6).toBe(0);
    expect(f.bureau_owner_utilisation).toBeNull(); // 0 / 0
    expect(f.bureau_owner_months_since_overdue).toBe(99); // the catalog's special value for "none"
  });
});

describe('golden values: application B (owner and utilities, nothing else)', () => {
  const f = features({
    id: 'B',
    asOf: '2024-03-31',
    request: { amount: 100_000, tenorMonths: 6, purpose: 'equipment' },
    owner: {
      age: 38,
      maritalStatus: 'married',
      householdSize: 4,
      dependents: 2,
      annualIncome: 240_000,
      assets: { property: 1_000_000, vehicles: 100_000, deposits: 100_000 },
      liabilities: { mortgage: 300_000, consumer: 20_000, business: 160_000 },
    },
    utilities: [
      // As-of 2024-03-31: month 1 is 2024-02, month 6 is 2023-09, month 12 is 2023-03.
      { month: '2024-02', electricityKwh: 1_000, waterTons: 30, arrears: 0 },
      { month: '2024-01', electricityKwh: 2_000, waterTons: 30, arrears: 500 },
      { month: '2023-12', electricityKwh: 3_000, waterTons: 30, arrears: 0 },
      { month: '2023-08', electricityKwh: 1_500, waterTons: 10, arrears: 200 }, // month 7
      { month: '2024-03', electricityKwh: 9_999, waterTons: 99, arrears: 999 }, // the as-of month: in no window
    ],
  });

  it('computes household ratios', () => {
    expect(f.owner_total_assets).toBe(1_200_000);
    expect(f.owner_total_liabilities).toBe(480_000);
    expect(f.owner_debt_to_income).toBe(2);
    expect(f.owner_leverage).toBe(0.4);
    expect(f.owner_income_per_capita).toBe(60_000);
    expect(f.request_to_income).toBeCloseTo(100_000 / 240_000, 12);
    expect(f.owner_marital_status).toBe('married');
  });

  it('computes utility means, growth, volatility and arrears', () => {
    expect(f.util_electricity_mean_3m).toBe(2_000);
    expect(f.util_water_mean_3m).toBe(30);
    // Months 1..6 sum to 6,000 and months 7..12 to 1,500: (6000 − 1500) / 1500.
    expect(f.util_electricity_growth_6m).toBeCloseTo(3, 12);
    // Twelve months: 1000, 2000, 3000, 0, 0, 0, 1500, 0 × 5; mean 625.
    const months = [1000, 2000, 3000, 0, 0, 0, 1500, 0, 0, 0, 0, 0];
    const sd = Math.sqrt(months.reduce((s, v) => s + (v - 625) ** 2, 0) / 12);
    expect(f.util_electricity_cv_12m).toBeCloseTo(sd / 625, 12);
    expect(f.util_arrears_last).toBe(0); // month 1
    expect(f.util_arrears_months_12m).toBe(2);
  });

  it('leaves every feature of an absent source missing', () => {
    for (const name of plan.names) {
      const e = plan.features[plan.names.indexOf(name)]!.entry;
      if (
        [
          'enterprise',
          'tax',
          'invoices',
          'bankFlows',
          'bureau.enterprise',
          'bureau.owner',
          'judicial',
          'socialInsurance',
        ].includes(e.source)
      )
        expect(f[name], name).toBeNull();
    }
  });
});

describe('trend, volatility and growth on a known series', () => {
  // Declared revenue rising 10k a month over months 12..1: 10k (month 12) … 120k (month 1).
  const filings = Array.from({ length: 12 }, (_, k) => {
    const month = 12 - k; // 2024-06 (month 12) … 2025-05 (month 1), as-of 2025-06-15
    const m = 2024 * 12 + 5 + k;
    return {
      period: `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`,
      revenue: (13 - month) * 10_000,
      vat: 0,
      incomeTax: 0,
    };
  });
  const f = features({ id: 'T', asOf: '2025-06-15', request, tax: { filings } });

  it('gives the least-squares slope over the mean, the CV and the growth', () => {
    expect(f.tax_revenue_sum_12m).toBe(780_000);
    // Slope 10k a month over a mean of 65k.
    expect(f.tax_revenue_slope_12m).toBeCloseTo(10_000 / 65_000, 12);
    const sd = 10_000 * Math.sqrt((12 * 12 - 1) / 12); // population SD of 1..12, scaled
    expect(f.tax_revenue_cv_12m).toBeCloseTo(sd / 65_000, 12);
    expect(f.tax_revenue_growth_3m).toBeCloseTo((110_000 - 80_000) / 80_000, 12);
    expect(f.tax_revenue_growth_12m).toBeNull(); // nothing before month 12
    expect(f.tax_grade).toBeNull(); // tax present, grade not given
  });
});

describe('absent versus empty', () => {
  const empty = features({
    id: 'E',
    asOf: '2025-06-15',
    request,
    tax: { filings: [] },
    invoices: [],
    bankFlows: [],
    bureau: {
      enterprise: { facilities: [], guaranteesGiven: [], inquiries: [] },
      owner: { facilities: [], guaranteesGiven: [], inquiries: [] },
    },
    judicial: [],
    utilities: [],
    socialInsurance: [],
  });
  const absent = features({ id: 'N', asOf: '2025-06-15', request });

  it('gives counts and sums of 0 for an empty source, NaN for an absent one', () => {
    for (const name of [
      'inv_sales_count_12m',
      'inv_sales_sum_12m',
      'inv_customer_count_12m',
      'tax_revenue_sum_12m',
      'bank_months_observed_12m',
      'bank_inflow_mean_3m',
      'bureau_ent_facility_count',
      'bureau_owner_inquiries_3m',
      'jud_record_count_24m',
      'jud_dishonest_count',
      'util_arrears_months_12m',
      'si_months_observed_12m',
      'bureau_ent_lian3_lei6',
    ]) {
      expect(empty[name], name).toBe(0);
      expect(absent[name], name).toBeNull();
    }
  });

  it('gives NaN where a ratio or level is undefined on empty data, and the special value for "never"', () => {
    for (const name of [
      'inv_void_ratio_12m',
      'inv_top1_customer_share_12m',
      'inv_customer_hhi_12m',
      'tax_burden_12m',
      'tax_revenue_growth_12m',
      'tax_revenue_cv_12m',
      'bank_balance_last',
      'si_headcount_last',
      'bureau_ent_utilisation',
      'exposure_to_tax_revenue_12m',
    ])
      expect(empty[name], name).toBeNull();
    expect(empty.inv_sales_months_since_last).toBe(99);
    expect(empty.jud_months_since_adverse).toBe(99);
    expect(absent.inv_sales_months_since_last).toBeNull();
  });
});

describe('the row', () => {
  it('holds categorical levels as indices and renders them as text', () => {
    const row = computeFeatures(plan, parseApplication(appA));
    const i = plan.names.indexOf('tax_grade');
    expect(row[i]).toBe(0); // 'A' is the first of A, B, M, C, D
    expect(featureText(plan, i, row[i] as number)).toBe('A');
    expect(
      featureText(plan, plan.names.indexOf('owner_age'), row[plan.names.indexOf('owner_age')] as number),
    ).toBe('');
  });

  it('reuses the plan workspace without leaking one application into the next', () => {
    const a = parseApplication(appA);
    const b = parseApplication({ id: 'N', asOf: '2025-06-15', request, invoices: [] });
    const first = computeFeatures(plan, a);
    computeFeatures(plan, b);
    expect(Array.from(computeFeatures(plan, a))).toEqual(Array.from(first));
  });
});
