import type { FeaturePlan } from '../features/plan.js';
import type { Application } from '../ingest/schemas.js';
import type { Bilingual, Limit, LimitCandidate, Scalar } from './assessment.js';
import type { Policy, Programme } from './release.js';

/**
 * The credit limit (保中授信): the minimum of capacity limits (share of annual sales, tax multiple by tax grade,
 * working-capital gap, monthly inflow, household debt-to-income), a risk limit from an expected-loss budget,
 * product and programme caps, the guarantor's single-client and related-group limits and the request, rounded
 * down to 1万 (domain.md §3.1, §7.1). Capacity limits are limits on the borrower's total debt, so existing debt
 * is deducted from each of them (the household limit deducts household debt); caps on this guarantee are not.
 * A candidate whose inputs are missing has no amount, says which inputs are missing and does not bind.
 */

/** What the limit reads beside the application: the borrower's exposure with the guarantor today. */
export interface LimitExposure {
  /** The guarantor's outstanding guarantees to this borrower, yuan; null when unknown. */
  readonly client: number | null;
  /** … to the borrower's related group (including the borrower), yuan; null when unknown. */
  readonly group: number | null;
}

/** Feature indices the limit reads, resolved once per plan. */
export interface LimitPlan {
  readonly taxRevenue: number;
  readonly invoiceSales: number;
  readonly taxPaid: number;
  readonly taxGrade: number;
  readonly taxGrowth: number;
  readonly invoiceGrowth: number;
  readonly balanceMean: number;
  readonly inflowSum: number;
  readonly inflowMonths: number;
  readonly ownerIncome: number;
  readonly ownerLiabilities: number;
  readonly bureauBalance: number;
  readonly levels: readonly string[];
}

/** Resolves the features the limit reads. */
export function limitPlan(plan: FeaturePlan): LimitPlan {
  const at = (name: string): number => {
    const i = plan.names.indexOf(name);
    if (i < 0) throw new Error(`catalog lacks ${name}`);
    return i;
  };
  const taxGrade = at('tax_grade');
  return {
    taxRevenue: at('tax_revenue_sum_12m'),
    invoiceSales: at('inv_sales_sum_12m'),
    taxPaid: at('tax_paid_sum_12m'),
    taxGrade,
    taxGrowth: at('tax_revenue_growth_12m'),
    invoiceGrowth: at('inv_sales_growth_12m'),
    balanceMean: at('bank_balance_mean_6m'),
    inflowSum: at('bank_inflow_sum_12m'),
    inflowMonths: at('bank_months_observed_12m'),
    ownerIncome: at('owner_annual_income'),
    ownerLiabilities: at('owner_total_liabilities'),
    bureauBalance: at('bureau_ent_balance_total'),
    levels: plan.features[taxGrade]?.levels ?? [],
  };
}

const fen = (x: number): number => Math.round(x * 100) / 100;
const val = (row: Float64Array, i: number): number | null => {
  const v = row[i] as number;
  return Number.isNaN(v) ? null : v;
};

/** Annual sales: declared revenue (tax) over the last 12 months, or valid sales invoicing without tax data. */
export function annualSales(lp: LimitPlan, row: Float64Array): number | null {
  return val(row, lp.taxRevenue) ?? val(row, lp.invoiceSales);
}

/**
 * Existing debt: the enterprise's bureau balances plus the owner's business loans, yuan; null when neither
 * source is present (then it is unknown, not zero).
 */
export function existingDebt(lp: LimitPlan, row: Float64Array, app: Application): number | null {
  const bureau = val(row, lp.bureauBalance);
  const ownerBusiness = app.owner?.liabilities.business;
  if (bureau === null && ownerBusiness === undefined) return null;
  return (bureau ?? 0) + (ownerBusiness ?? 0);
}

interface Draft {
  readonly id: string;
  /** Inputs that may be null without leaving the candidate without an amount. */
  readonly optional?: readonly string[];
  readonly label: Bilingual;
  readonly formula: string;
  readonly inputs: Record<string, Scalar>;
  /** Computes the amount from inputs known to be present. */
  readonly amount: (inputs: Record<string, number>) => number;
}

function candidate(d: Draft): LimitCandidate {
  const missing = Object.entries(d.inputs)
    .filter(([k, v]) => v === null && !(d.optional ?? []).includes(k))
    .map(([k]) => k);
  return {
    id: d.id,
    label: d.label,
    amount: missing.length > 0 ? null : fen(d.amount(d.inputs as Record<string, number>)),
    formula: d.formula,
    inputs: d.inputs,
    ...(missing.length > 0 ? { missing } : {}),
  };
}

/** Everything the limit needs for one application. */
export interface LimitInput {
  readonly app: Application;
  readonly row: Float64Array;
  readonly pd: number;
  readonly programme: Programme | null;
  readonly exposure: LimitExposure;
}

/**
 * Every candidate limit with its inputs and formula, then the limit: the smallest candidate with an amount,
 * not below zero, rounded down to `roundTo`. The binding constraint is that candidate's id ('none' when no
 * candidate has an amount: the limit is then 0).
 * @example computeLimit(policy, lp, { app, row, pd, programme, exposure }).binding // 'sales_share'
 */
export function computeLimit(policy: Policy, lp: LimitPlan, input: LimitInput): Limit {
  const { app, row, pd, programme, exposure } = input;
  const p = policy.limit;
  const debt = existingDebt(lp, row, app);
  const sales = annualSales(lp, row);
  const gradeCode = val(row, lp.taxGrade);
  const taxGrade = gradeCode === null ? null : (lp.levels[gradeCode] ?? null);
  const multiple = taxGrade === null ? null : (p.taxMultiple[taxGrade] ?? null);
  const growth = val(row, lp.taxGrowth) ?? val(row, lp.invoiceGrowth);
  const months = val(row, lp.inflowMonths);
  const inflowSum = val(row, lp.inflowSum);
  const monthlyInflow = inflowSum === null || months === null || months === 0 ? null : inflowSum / months;
  const wc = p.workingCapital;
  const g = policy.guarantor;
  const request = (app.request as Application['request'] | undefined) ?? null;
  const purpose = request?.purpose ?? null;
  const drafts: Draft[] = [
    {
      id: 'sales_share',
      label: { zh: '年销售收入比例', en: 'share of annual sales' },
      formula: 'annualSales × salesShare − existingDebt',
      inputs: { annualSales: sales, salesShare: p.salesShare, existingDebt: debt },
      amount: (x) => (x.annualSales as number) * (x.salesShare as number) - (x.existingDebt as number),
    },
    {
      id: 'tax_multiple',
      label: { zh: '纳税额倍数（按纳税信用等级）', en: 'multiple of annual tax paid, by tax grade' },
      formula: 'taxPaid12m × taxMultiple[taxGrade] − existingDebt',
      inputs: { taxPaid12m: val(row, lp.taxPaid), taxGrade, taxMultiple: multiple, existingDebt: debt },
      amount: (x) => (x.taxPaid12m as number) * (x.taxMultiple as number) - (x.existingDebt as number),
    },
    {
      id: 'working_capital',
      optional: ['growth'],
      label: { zh: '营运资金缺口', en: 'working-capital gap' },
      formula:
        'annualSales × (1 − salesMargin) × (1 + growthUsed) ÷ (360 ÷ turnoverDays) − max(0, ownFunds) − existingDebt; growthUsed = clamp(growth, growthMin, growthMax), growthMin when growth is unknown',
      inputs: {
        annualSales: sales,
        salesMargin: wc.salesMargin,
        growth,
        growthUsed: Math.min(Math.max(growth ?? wc.growthMin, wc.growthMin), wc.growthMax),
        growthMin: wc.growthMin,
        growthMax: wc.growthMax,
        turnoverDays: wc.turnoverDays,
        ownFunds: val(row, lp.balanceMean),
        existingDebt: debt,
      },
      amount: (x) => {
        return (
          ((x.annualSales as number) * (1 - wc.salesMargin) * (1 + (x.growthUsed as number))) /
            (360 / wc.turnoverDays) -
          Math.max(0, x.ownFunds as number) -
          (x.existingDebt as number)
        );
      },
    },
    {
      id: 'monthly_inflow',
      label: { zh: '月均流水', en: 'monthly bank inflow' },
      formula: 'monthlyInflow × 12 × inflowShare − existingDebt',
      inputs: {
        monthlyInflow: monthlyInflow === null ? null : fen(monthlyInflow),
        inflowShare: p.inflowShare,
        existingDebt: debt,
      },
      amount: (x) =>
        (x.monthlyInflow as number) * 12 * (x.inflowShare as number) - (x.existingDebt as number),
    },
    {
      id: 'household_dti',
      label: { zh: '家庭负债收入比', en: 'household debt to income' },
      formula: 'ownerAnnualIncome × householdDebtToIncome − householdDebt',
      inputs: {
        ownerAnnualIncome: val(row, lp.ownerIncome),
        householdDebtToIncome: p.householdDebtToIncome,
        householdDebt: val(row, lp.ownerLiabilities),
      },
      amount: (x) =>
        (x.ownerAnnualIncome as number) * (x.householdDebtToIncome as number) - (x.householdDebt as number),
    },
    {
      id: 'expected_loss',
      label: { zh: '预期损失预算', en: 'expected-loss budget' },
      formula: 'expectedLossBudget ÷ (pd × lgd)',
      inputs: { expectedLossBudget: p.expectedLossBudget, pd, lgd: p.lgd },
      amount: (x) =>
        (x.pd as number) * (x.lgd as number) > 0
          ? (x.expectedLossBudget as number) / ((x.pd as number) * (x.lgd as number))
          : Number.MAX_SAFE_INTEGER,
    },
    {
      id: 'product_cap',
      label: { zh: '产品上限（按用途）', en: 'product cap (by purpose)' },
      formula: 'productCaps[purpose]',
      inputs: { purpose, productCap: purpose === null ? null : (policy.productCaps[purpose] ?? null) },
      amount: (x) => x.productCap as number,
    },
    {
      id: 'programme_cap',
      label: { zh: '项目单户上限', en: 'programme per-borrower cap' },
      formula: 'programme.perBorrowerCap − clientExposure',
      inputs: {
        programme: programme?.id ?? null,
        perBorrowerCap: programme?.perBorrowerCap ?? null,
        clientExposure: exposure.client,
      },
      amount: (x) => (x.perBorrowerCap as number) - (x.clientExposure as number),
    },
    {
      id: 'single_client',
      label: { zh: '单一客户集中度（净资产10%）', en: 'single client: 10% of net assets' },
      formula: 'netAssets × singleClientShare − clientExposure',
      inputs: {
        netAssets: g.netAssets,
        singleClientShare: g.singleClientShare,
        clientExposure: exposure.client,
      },
      amount: (x) => (x.netAssets as number) * (x.singleClientShare as number) - (x.clientExposure as number),
    },
    {
      id: 'related_group',
      label: { zh: '关联集团集中度（净资产15%）', en: 'related group: 15% of net assets' },
      formula: 'netAssets × groupShare − groupExposure',
      inputs: { netAssets: g.netAssets, groupShare: g.groupShare, groupExposure: exposure.group },
      amount: (x) => (x.netAssets as number) * (x.groupShare as number) - (x.groupExposure as number),
    },
    {
      id: 'request',
      label: { zh: '申请金额', en: 'requested amount' },
      formula: 'request.amount',
      inputs: { requestAmount: request?.amount ?? null },
      amount: (x) => x.requestAmount as number,
    },
  ];
  const candidates = drafts.map(candidate);
  let binding = 'none';
  let least = Number.POSITIVE_INFINITY;
  for (const c of candidates) {
    if (c.amount !== null && c.amount < least) {
      least = c.amount;
      binding = c.id;
    }
  }
  const amount =
    least === Number.POSITIVE_INFINITY ? 0 : Math.max(0, Math.floor(least / p.roundTo) * p.roundTo);
  return { amount, amountWan: amount / 10_000, binding, candidates, existingDebt: debt ?? 0 };
}
