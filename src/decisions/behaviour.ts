import { Frame, numeric } from '../core/frame.js';
import type { MonitoringSnapshot } from '../ingest/monitoring.js';

/**
 * Behavioural metrics of a loan at one month-end, read only from its snapshots up to that month: the inputs of
 * the rule signals and the features of the behavioural PD model (one code path for both, and for training and
 * scoring). The baseline is the loan's first months on book (the origination baseline: the snapshots carry no
 * pre-origination months, and 12 months for a year-on-year comparison exist only from month 13 on book).
 * A metric whose source is absent is null (NaN in the model frame), never zero.
 */

/** How many first months on book make the origination baseline. */
export const BASELINE_MONTHS = 3;

/** Five-tier bureau classes by rank (0 = normal). */
const CLASS_RANK: Record<string, number> = {
  normal: 0,
  special_mention: 1,
  substandard: 2,
  doubtful: 3,
  loss: 4,
};

/** The metrics, by name; the model features are the names in BEHAVIOUR_FEATURES. */
export interface BehaviourMetrics {
  months_on_book: number;
  overdue_days: number;
  overdue_max_6m: number;
  overdue_months_6m: number;
  bureau_overdue_days: number | null;
  bureau_class_rank: number | null;
  bureau_class_rise: number | null;
  tax_ratio_3m: number | null;
  tax_ratio_last: number | null;
  tax_trend_3m: number | null;
  inflow_ratio_3m: number | null;
  inflow_ratio_last: number | null;
  account_balance_ratio: number | null;
  balance_to_inflow: number | null;
  judicial_events: number | null;
  judicial_6m: number | null;
  utility_arrears: number | null;
  arrears_months_3m: number | null;
  kwh_ratio_3m: number | null;
  headcount_ratio: number | null;
  tax_grade: string | null;
  ownership_changed: boolean | null;
}

/** The numeric metrics the behavioural PD model reads, in this order. */
export const BEHAVIOUR_FEATURES = [
  'months_on_book',
  'overdue_days',
  'overdue_max_6m',
  'overdue_months_6m',
  'bureau_overdue_days',
  'bureau_class_rank',
  'bureau_class_rise',
  'tax_ratio_3m',
  'tax_ratio_last',
  'tax_trend_3m',
  'inflow_ratio_3m',
  'inflow_ratio_last',
  'account_balance_ratio',
  'balance_to_inflow',
  'judicial_events',
  'judicial_6m',
  'utility_arrears',
  'arrears_months_3m',
  'kwh_ratio_3m',
  'headcount_ratio',
] as const;
/** One of the model features above. */
export type BehaviourFeature = (typeof BEHAVIOUR_FEATURES)[number];

type Pick = (s: MonitoringSnapshot) => number | null;

function mean(values: readonly (number | null)[]): number | null {
  let sum = 0;
  let n = 0;
  for (const v of values) {
    if (v === null) continue;
    sum += v;
    n++;
  }
  return n === 0 ? null : sum / n;
}

function ratio(a: number | null, b: number | null): number | null {
  if (a === null || b === null) return null;
  // A zero baseline gives no ratio (a business with no reported revenue cannot fall by a share of it).
  return b > 0 ? a / b : null;
}

/**
 * The metrics of a loan at snapshot `t` of its month-sorted series (only months ≤ t are read).
 * @example const m = behaviourMetrics(series, series.length - 1); m.tax_ratio_3m
 */
export function behaviourMetrics(series: readonly MonitoringSnapshot[], t: number): BehaviourMetrics {
  const now = series[t] as MonitoringSnapshot;
  const upTo = series.slice(0, t + 1);
  const last = (k: number) => upTo.slice(Math.max(0, upTo.length - k));
  const base = series.slice(0, Math.min(BASELINE_MONTHS, t + 1));
  const avg = (rows: readonly MonitoringSnapshot[], f: Pick) => mean(rows.map(f));
  const baseTax = avg(base, (s) => s.taxRevenue);
  const baseInflow = avg(base, (s) => s.bankInflow);
  const prev3 = upTo.slice(Math.max(0, upTo.length - 6), Math.max(0, upTo.length - 3));
  const six = last(6);
  const sum = (rows: readonly MonitoringSnapshot[], f: Pick) =>
    rows.every((s) => f(s) === null) ? null : rows.reduce((acc, s) => acc + (f(s) ?? 0), 0);
  const inflow3 = avg(last(3), (s) => s.bankInflow);
  const rankOf = (s: MonitoringSnapshot) =>
    s.bureauClass === null ? null : (CLASS_RANK[s.bureauClass] ?? null);
  const rankNow = rankOf(now);
  const rankBase = rankOf(series[0] as MonitoringSnapshot);
  return {
    months_on_book: now.monthsOnBook,
    overdue_days: now.loanOverdueDays,
    overdue_max_6m: Math.max(...six.map((s) => s.loanOverdueDays)),
    overdue_months_6m: six.filter((s) => s.loanOverdueDays > 0).length,
    bureau_overdue_days: now.bureauOverdueDays,
    bureau_class_rank: rankNow,
    bureau_class_rise: rankNow === null || rankBase === null ? null : rankNow - rankBase,
    tax_ratio_3m: ratio(
      avg(last(3), (s) => s.taxRevenue),
      baseTax,
    ),
    tax_ratio_last: ratio(now.taxRevenue, baseTax),
    tax_trend_3m:
      prev3.length === 0
        ? null
        : ratio(
            avg(last(3), (s) => s.taxRevenue),
            avg(prev3, (s) => s.taxRevenue),
          ),
    inflow_ratio_3m: ratio(inflow3, baseInflow),
    inflow_ratio_last: ratio(now.bankInflow, baseInflow),
    account_balance_ratio: ratio(
      now.bankEndBalance,
      avg(base, (s) => s.bankEndBalance),
    ),
    balance_to_inflow: inflow3 === null ? null : now.loanBalance / Math.max(1, inflow3 * 12),
    judicial_events: now.newJudicialEvents,
    judicial_6m: sum(six, (s) => s.newJudicialEvents),
    utility_arrears: now.utilityArrears,
    arrears_months_3m:
      now.utilityArrears === null ? null : last(3).filter((s) => (s.utilityArrears ?? 0) > 0).length,
    kwh_ratio_3m: ratio(
      avg(last(3), (s) => s.electricityKwh),
      avg(base, (s) => s.electricityKwh),
    ),
    headcount_ratio: ratio(
      now.insuredHeadcount,
      avg(base, (s) => s.insuredHeadcount),
    ),
    tax_grade: now.taxGrade ?? null,
    ownership_changed: now.ownershipChanged ?? null,
  };
}

/**
 * A model frame (one row per metrics record) with the behavioural features in order; null → NaN (missing).
 * @example model.predictProba(behaviourFrame([behaviourMetrics(series, t)]))
 */
export function behaviourFrame(rows: readonly BehaviourMetrics[]): Frame {
  return new Frame(
    BEHAVIOUR_FEATURES.map((f) =>
      numeric(
        f,
        rows.map((r) => r[f]),
      ),
    ),
  );
}

/**
 * Default horizon of the behavioural target: default within the next 6 months. The sample's defaulters miss
 * their first payment 90 days before the default date, so with 3 months every positive month is already overdue
 * (the target would be the overdue flag, no warning at all: 0 positives among not-yet-overdue OOT months); 6
 * months reaches back into the 2-6 months of decline before the first miss, where a warning still helps. The
 * cost: 12 monitored months leave 6 labelled months per surviving loan.
 */
export const BEHAVIOUR_HORIZON_MONTHS = 6;
/** The target column of the behavioural feature table. */
export const BEHAVIOUR_TARGET = `default_next_${BEHAVIOUR_HORIZON_MONTHS}m`;

/** One labelled loan-month of the training table. */
export interface BehaviourRow {
  readonly borrowerId: string;
  readonly month: string;
  readonly metrics: BehaviourMetrics;
  /** 1 when the loan defaults within the horizon after this month. */
  readonly target: 0 | 1;
}

/**
 * The labelled loan-months of one loan: every month before the default (or with the whole horizon still
 * observed after it), target = default within `horizon` months. Months already defaulted, and months whose
 * horizon runs past the last snapshot of a surviving loan (censored), are not labelled.
 * @example behaviourRows(series).filter((r) => r.target === 1).length
 */
export function behaviourRows(
  series: readonly MonitoringSnapshot[],
  horizon = BEHAVIOUR_HORIZON_MONTHS,
): BehaviourRow[] {
  const defaultAt = series.findIndex((s) => s.loanStatus === 'defaulted');
  const out: BehaviourRow[] = [];
  for (let t = 0; t < series.length; t++) {
    if (defaultAt >= 0 && t >= defaultAt) break;
    const bad = defaultAt >= 0 && defaultAt - t <= horizon;
    if (!bad && t + horizon > series.length - 1) continue;
    const s = series[t] as MonitoringSnapshot;
    out.push({
      borrowerId: s.borrowerId,
      month: s.month,
      metrics: behaviourMetrics(series, t),
      target: bad ? 1 : 0,
    });
  }
  return out;
}
