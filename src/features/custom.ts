import { RiskError } from '../core/errors.js';
import type { Application, Facility } from '../ingest/schemas.js';
import { daysFromCivil } from './months.js';

/**
 * The escape hatch of the catalog: an entry with aggregation "custom" names a function registered here.
 * It receives the application, the values of the entry's declared inputs (other features, in order), and
 * the entry's params. The engine gives NaN without calling it when the entry's source is absent or an
 * input is NaN, and applies the entry's `missing.onUndefined` when it returns NaN on present data.
 */

/** What a custom feature function is handed; one object is reused across calls, so never keep it. */
export interface CustomFeatureContext {
  readonly app: Application;
  /** The as-of month as year × 12 + (month − 1). */
  readonly asOfMonth: number;
  /** The as-of date in days since 1970-01-01. */
  readonly asOfDays: number;
  /** The values of the entry's `inputs`, in the order the entry lists them. */
  readonly inputs: Float64Array;
  readonly params: Readonly<Record<string, number | string | boolean>>;
}

/** A custom feature: returns a number (NaN where undefined). Must be pure and synchronous. */
export type CustomFeatureFn = (ctx: CustomFeatureContext) => number;

const registry = new Map<string, CustomFeatureFn>();

/**
 * Registers a custom feature function under a name that catalog entries can use as `function`.
 * @throws E_FEATURE_CATALOG when the name is already taken (re-registering the same function is allowed)
 * @example registerCustomFeature('employees_per_kwh', ({ app }) => …);
 */
export function registerCustomFeature(name: string, fn: CustomFeatureFn): void {
  const existing = registry.get(name);
  if (existing !== undefined && existing !== fn)
    throw new RiskError('E_FEATURE_CATALOG', `custom feature function ${name} is already registered`, {
      received: name,
    });
  registry.set(name, fn);
}

/** The function registered under a name, or undefined. */
export function customFeature(name: string): CustomFeatureFn | undefined {
  return registry.get(name);
}

/** The names of the registered custom functions, sorted. */
export function customFeatureNames(): string[] {
  return [...registry.keys()].sort();
}

function numberParam(ctx: CustomFeatureContext, key: string, fallback: number): number {
  const v = ctx.params[key];
  return typeof v === 'number' ? v : fallback;
}

/** Years from the registration date to the as-of date (365.2425-day years); NaN if registered later. */
export const yearsInBusiness: CustomFeatureFn = (ctx) => {
  const established = ctx.app.enterprise?.establishedDate;
  if (established === undefined) return Number.NaN;
  const days = ctx.asOfDays - daysFromCivil(established);
  return days < 0 ? Number.NaN : days / 365.2425;
};

/** Declared household debt (mortgage + consumer + business) over annual income; NaN on zero income. */
export const householdDebtToIncome: CustomFeatureFn = (ctx) => {
  const o = ctx.app.owner;
  if (o === undefined || o.annualIncome === 0) return Number.NaN;
  return (o.liabilities.mortgage + o.liabilities.consumer + o.liabilities.business) / o.annualIncome;
};

/**
 * 营授比: bureau credit exposure including this request over tax-return revenue of the last 12 months
 * (Xiamen practice, domain.md §6.2: ≤ 40%, ≤ 20% for wholesale and retail). Inputs, in order: the
 * exposure on the bureau, the requested amount, the 12-month revenue.
 */
export const exposureToTaxRevenue: CustomFeatureFn = (ctx) => {
  const exposure = ctx.inputs[0] as number;
  const request = ctx.inputs[1] as number;
  const revenue = ctx.inputs[2] as number;
  return revenue > 0 ? (exposure + request) / revenue : Number.NaN;
};

/** The longest run of consecutive overdue months and the count of overdue months in a facility's grid. */
function overdueRuns(f: Facility, window: number): { run: number; total: number } {
  const h = f.overdueHistory;
  let run = 0;
  let best = 0;
  let total = 0;
  // The grid is oldest first and its last entry is the latest month, so the window is its tail.
  for (let k = Math.max(0, h.length - window); k < h.length; k++) {
    if ((h[k] as number) > 0) {
      total++;
      run++;
      if (run > best) best = run;
    } else run = 0;
  }
  return { run: best, total };
}

/**
 * 连三累六: 1 when any facility of the subject's bureau report shows, in its last `window` (24) months,
 * `consecutive` (3) months overdue in a row or `cumulative` (6) overdue months in all; else 0. Judged per
 * facility, as the rule of thumb is read for a single account (domain.md §5.1). Param `subject`:
 * 'enterprise' or 'owner'.
 */
export const lianSanLeiLiu: CustomFeatureFn = (ctx) => {
  const subject = ctx.params.subject === 'owner' ? 'owner' : 'enterprise';
  const report = ctx.app.bureau?.[subject];
  if (report === undefined) return Number.NaN;
  const window = numberParam(ctx, 'window', 24);
  const consecutive = numberParam(ctx, 'consecutive', 3);
  const cumulative = numberParam(ctx, 'cumulative', 6);
  for (const f of report.facilities) {
    const { run, total } = overdueRuns(f, window);
    if (run >= consecutive || total >= cumulative) return 1;
  }
  return 0;
};

registerCustomFeature('years_in_business', yearsInBusiness);
registerCustomFeature('household_debt_to_income', householdDebtToIncome);
registerCustomFeature('exposure_to_tax_revenue', exposureToTaxRevenue);
registerCustomFeature('lian_san_lei_liu', lianSanLeiLiu);
