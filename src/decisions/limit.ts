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

/** The fixed part of a candidate: id, label, formula, and inputs that may be null without leaving it unset. */
interface CandidateSpec {
  readonly id: string;
  readonly label: Bilingual;
  readonly formula: string;
  readonly optional?: string;
}

const SPECS = {
  sales_share: {
    id: 'sales_share',
    label: { zh: '年销售收入比例', en: 'share of annual sales' },
    formula: 'annualSales × salesShare − existingDebt',
  },
  tax_multiple: {
    id: 'tax_multiple',
    label: { zh: '纳税额倍数（按纳税信用等级）', en: 'multiple of annual tax paid, by tax grade' },
    formula: 'taxPaid12m × taxMultiple[taxGrade] − existingDebt',
  },
  working_capital: {
    id: 'working_capital',
    label: { zh: '营运资金缺口', en: 'working-capital gap' },
    formula:
      'annualSales × (1 − salesMargin) × (1 + growthUsed) ÷ (360 ÷ turnoverDays) − max(0, ownFunds) − existingDebt; growthUsed = clamp(growth, growthMin, growthMax), growthMin when growth is unknown',
    optional: 'growth',
  },
  monthly_inflow: {
    id: 'monthly_inflow',
    label: { zh: '月均流水', en: 'monthly bank inflow' },
    formula: 'monthlyInflow × 12 × inflowShare − existingDebt',
  },
  household_dti: {
    id: 'household_dti',
    label: { zh: '家庭负债收入比', en: 'household debt to income' },
    formula: 'ownerAnnualIncome × householdDebtToIncome − householdDebt',
  },
  expected_loss: {
    id: 'expected_loss',
    label: { zh: '预期损失预算', en: 'expected-loss budget' },
    formula: 'expectedLossBudget ÷ (pd × lgd)',
  },
  product_cap: {
    id: 'product_cap',
    label: { zh: '产品上限（按用途）', en: 'product cap (by purpose)' },
    formula: 'productCaps[purpose]',
  },
  programme_cap: {
    id: 'programme_cap',
    label: { zh: '项目单户上限', en: 'programme per-borrower cap' },
    formula: 'programme.perBorrowerCap − clientExposure',
  },
  single_client: {
    id: 'single_client',
    label: { zh: '单一客户集中度（净资产10%）', en: 'single client: 10% of net assets' },
    formula: 'netAssets × singleClientShare − clientExposure',
  },
  related_group: {
    id: 'related_group',
    label: { zh: '关联集团集中度（净资产15%）', en: 'related group: 15% of net assets' },
    formula: 'netAssets × groupShare − groupExposure',
  },
  request: {
    id: 'request',
    label: { zh: '申请金额', en: 'requested amount' },
    formula: 'request.amount',
  },
} as const satisfies Record<string, CandidateSpec>;

/** The ids of the candidate limits, in the order an assessment lists them. */
export const LIMIT_CANDIDATES = Object.keys(SPECS) as (keyof typeof SPECS)[];

/**
 * A candidate: its amount (computed with missing inputs as NaN) is kept to the fen when every required input
 * is present; otherwise it has no amount and names the missing inputs.
 */
function candidate(spec: CandidateSpec, inputs: Record<string, Scalar>, amount: number): LimitCandidate {
  let missing: string[] | undefined;
  for (const k in inputs) {
    if (inputs[k] !== null || k === spec.optional) continue;
    missing ??= [];
    missing.push(k);
  }
  return missing === undefined && Number.isFinite(amount)
    ? { id: spec.id, label: spec.label, amount: fen(amount), formula: spec.formula, inputs }
    : {
        id: spec.id,
        label: spec.label,
        amount: null,
        formula: spec.formula,
        inputs,
        missing: missing ?? ['(the formula gives no finite amount on these inputs)'],
      };
}

/** A nullable number for arithmetic: missing → NaN. */
const n = (x: number | null | undefined): number => (x === null || x === undefined ? Number.NaN : x);

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
  const ownFunds = val(row, lp.balanceMean);
  const ownerIncome = val(row, lp.ownerIncome);
  const householdDebt = val(row, lp.ownerLiabilities);
  const taxPaid = val(row, lp.taxPaid);
  const growthUsed = Math.min(Math.max(growth ?? wc.growthMin, wc.growthMin), wc.growthMax);
  const productCap = purpose === null ? null : (policy.productCaps[purpose] ?? null);
  const cap = programme?.perBorrowerCap ?? null;
  const expectedLoss = pd * p.lgd > 0 ? p.expectedLossBudget / (pd * p.lgd) : Number.MAX_SAFE_INTEGER;
  const candidates: LimitCandidate[] = [
    candidate(
      SPECS.sales_share,
      { annualSales: sales, salesShare: p.salesShare, existingDebt: debt },
      n(sales) * p.salesShare - n(debt),
    ),
    candidate(
      SPECS.tax_multiple,
      { taxPaid12m: taxPaid, taxGrade, taxMultiple: multiple, existingDebt: debt },
      n(taxPaid) * n(multiple) - n(debt),
    ),
    candidate(
      SPECS.working_capital,
      {
        annualSales: sales,
        salesMargin: wc.salesMargin,
        growth,
        growthUsed,
        growthMin: wc.growthMin,
        growthMax: wc.growthMax,
        turnoverDays: wc.turnoverDays,
        ownFunds,
        existingDebt: debt,
      },
      (n(sales) * (1 - wc.salesMargin) * (1 + growthUsed)) / (360 / wc.turnoverDays) -
        Math.max(0, n(ownFunds)) -
        n(debt),
    ),
    candidate(
      SPECS.monthly_inflow,
      {
        monthlyInflow: monthlyInflow === null ? null : fen(monthlyInflow),
        inflowShare: p.inflowShare,
        existingDebt: debt,
      },
      n(monthlyInflow === null ? null : fen(monthlyInflow)) * 12 * p.inflowShare - n(debt),
    ),
    candidate(
      SPECS.household_dti,
      { ownerAnnualIncome: ownerIncome, householdDebtToIncome: p.householdDebtToIncome, householdDebt },
      n(ownerIncome) * p.householdDebtToIncome - n(householdDebt),
    ),
    candidate(
      SPECS.expected_loss,
      { expectedLossBudget: p.expectedLossBudget, pd, lgd: p.lgd },
      expectedLoss,
    ),
    candidate(SPECS.product_cap, { purpose, productCap }, n(productCap)),
    candidate(
      SPECS.programme_cap,
      { programme: programme?.id ?? null, perBorrowerCap: cap, clientExposure: exposure.client },
      n(cap) - n(exposure.client),
    ),
    candidate(
      SPECS.single_client,
      { netAssets: g.netAssets, singleClientShare: g.singleClientShare, clientExposure: exposure.client },
      g.netAssets * g.singleClientShare - n(exposure.client),
    ),
    candidate(
      SPECS.related_group,
      { netAssets: g.netAssets, groupShare: g.groupShare, groupExposure: exposure.group },
      g.netAssets * g.groupShare - n(exposure.group),
    ),
    candidate(SPECS.request, { requestAmount: request?.amount ?? null }, n(request?.amount)),
  ];
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
