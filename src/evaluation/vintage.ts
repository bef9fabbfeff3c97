import { z } from 'zod';
import { RiskError } from '../core/errors.js';
import { monthNumber } from '../features/months.js';
import type { MonitoringLoan, MonitoringSnapshot } from '../ingest/monitoring.js';

/**
 * Vintage curves and roll rates of a guarantor's in-force book, from the monitoring loans and their month-end
 * snapshots (ingest/monitoring.ts).
 *
 * Definitions (stated in the report too):
 * - A cohort (vintage) is the loans originated in one calendar month. Months on book (MOB) are the snapshot's
 *   `months_on_book` (1 = the month-end after origination).
 * - A loan defaults in the first month its status is `defaulted` or it is more than `defaultDays` past due,
 *   whichever the data shows first (domain.md §5.2: past 90 days a loan is at least 次级, non-performing).
 * - Cumulative default rate at MOB k, by count: loans of the cohort defaulted at MOB ≤ k ÷ loans of the
 *   cohort; by amount: their original amounts ÷ the cohort's original amount. A cell exists only where the
 *   whole cohort could have reached MOB k by the book's last month (the as-of month) and some snapshot shows MOB k, so a young cohort's
 *   curve stops instead of reading as a low rate.
 * - Cumulative compensation rate at MOB k: compensation (代偿) paid at MOB ≤ k ÷ the cohort's original
 *   amount, when the snapshots carry `compensation_amount`.
 * - Roll rates are count-based: of the loans in bucket A at one month-end that have a snapshot at the next
 *   month-end, the share in bucket B there. A loan's snapshots end at default, so the 90+ row is usually
 *   empty; loans whose snapshots stop before the as-of month (repaid or renewed away) are counted as exits.
 */

/** Overdue buckets, in order of severity. */
export const OVERDUE_BUCKETS = ['current', '1-30', '31-60', '61-90', '90+'] as const;
/** One overdue bucket. */
export type OverdueBucket = (typeof OVERDUE_BUCKETS)[number];

/** The definitions' numbers, configurable. */
export const vintageOptionsSchema = z
  .object({
    /** Upper day of each overdue bucket but the last: current = 0, 1–30, 31–60, 61–90, 90+ (domain.md §5.2). */
    bucketEdges: z
      .tuple([z.literal(0), z.int().positive(), z.int().positive(), z.int().positive()])
      .refine((e) => e[0] < e[1] && e[1] < e[2] && e[2] < e[3], 'edges must increase'),
    /** More days past due than this is a default (domain.md §5.2: > 90 days → 次级). */
    defaultDays: z.int().positive(),
    /** Longest MOB shown (default and at most: the longest months on book of any snapshot). */
    maxMob: z.int().positive().optional(),
  })
  .strict();
/** Options of `vintageAnalysis`. */
export type VintageOptions = z.infer<typeof vintageOptionsSchema>;

/** domain.md §5.2: past 90 days a loan is non-performing (次级). */
export const DEFAULT_VINTAGE_OPTIONS: VintageOptions = { bucketEdges: [0, 30, 60, 90], defaultDays: 90 };

/** One cell of a vintage curve: a cohort at one MOB. */
export interface VintageCell {
  readonly mob: number;
  /** Loans of the cohort defaulted at MOB ≤ this one. */
  readonly defaults: number;
  readonly defaultRate: number;
  /** Original amount (yuan) of those loans. */
  readonly defaultedAmount: number;
  readonly defaultAmountRate: number;
  /** Compensation paid up to this MOB (yuan); 0 when the data has none. */
  readonly compensation: number;
  /** NaN when the data carries no compensation amounts. */
  readonly compensationRate: number;
}

/** One cohort: the loans originated in one month and its curve. */
export interface VintageCohort {
  /** Origination month, YYYY-MM. */
  readonly cohort: string;
  readonly loans: number;
  /** Original amount, yuan. */
  readonly amount: number;
  /** MOB 1 … the last MOB the whole cohort can have reached by the as-of month (and any snapshot shows). */
  readonly cells: readonly VintageCell[];
}

/** The roll-rate matrix: rows are the bucket at one month-end, columns the bucket at the next. */
export interface RollRateMatrix {
  readonly buckets: readonly OverdueBucket[];
  /** counts[from][to]: loan-months. */
  readonly counts: readonly (readonly number[])[];
  /** counts[from][to] ÷ rowTotals[from]; NaN across a row with no loans. Each non-empty row sums to 1. */
  readonly rates: readonly (readonly number[])[];
  readonly rowTotals: readonly number[];
  /** Loans whose snapshots stop before the as-of month without a default, by their last bucket. */
  readonly exits: readonly number[];
}

/** Month-to-month roll-forward: of the loans in each bucket at `month`, the share in a worse one a month later. */
export interface MonthlyRoll {
  readonly month: string;
  /** Loans per bucket at `month` that have a next snapshot. */
  readonly counts: readonly number[];
  /** Share rolling to a worse bucket, per from-bucket; NaN where none were there (and always for 90+). */
  readonly rollForward: readonly number[];
}

/** What was read and what was left out, so that nothing is dropped uncounted. */
export interface VintageCounts {
  readonly loans: number;
  readonly snapshots: number;
  /** Loans without any snapshot: not in any cohort. */
  readonly loansWithoutSnapshots: number;
  /** Snapshots of a borrower without a loan row: not used. */
  readonly snapshotsWithoutLoan: number;
  /** Pairs of snapshots of one loan more than a month apart: not in the roll rates. */
  readonly gaps: number;
  readonly defaults: number;
}

/** Vintage curves and roll rates of a book. */
export interface VintageAnalysis {
  /** The last snapshot month of the book, YYYY-MM. */
  readonly asOf: string;
  readonly options: VintageOptions;
  readonly cohorts: readonly VintageCohort[];
  readonly roll: RollRateMatrix;
  readonly monthly: readonly MonthlyRoll[];
  /** True when any snapshot carries a compensation amount. */
  readonly hasCompensation: boolean;
  readonly counts: VintageCounts;
}

/**
 * The bucket index of a month-end: 90+ also takes a `defaulted` status (a compensation after an early default).
 * @example overdueBucket(45, 'overdue') // 2 ('31-60')
 */
export function overdueBucket(
  days: number,
  status: MonitoringSnapshot['loanStatus'],
  edges: VintageOptions['bucketEdges'] = DEFAULT_VINTAGE_OPTIONS.bucketEdges,
): number {
  if (status === 'defaulted') return OVERDUE_BUCKETS.length - 1;
  let b = 0;
  while (b < edges.length && days > (edges[b] as number)) b++;
  return b;
}

function monthText(n: number): string {
  return `${Math.floor(n / 12)}-${String((n % 12) + 1).padStart(2, '0')}`;
}

function parseOptions(options: Partial<VintageOptions>): VintageOptions {
  const parsed = vintageOptionsSchema.safeParse({ ...DEFAULT_VINTAGE_OPTIONS, ...options });
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  const path = issue.path.map((p) => (typeof p === 'number' ? p : String(p)));
  throw new RiskError('E_OPTIONS_INVALID', `vintage option ${path.join('.') || '(root)'}: ${issue.message}`, {
    path,
    expected: issue.message,
    received: JSON.stringify(options),
  });
}

interface LoanTrack {
  readonly cohort: number;
  readonly amount: number;
  /** MOB of the default, or Infinity. */
  defaultMob: number;
  /** Compensation paid per MOB (sparse). */
  readonly compensation: Map<number, number>;
}

/**
 * Vintage curves (cumulative default and compensation rates by origination month × MOB) and the roll-rate
 * matrix between overdue buckets of a monitoring book. See the module comment for the definitions.
 * @param snapshots month-end snapshots in any order
 * @throws E_OPTIONS_INVALID for bad options; E_DATA_INVALID for a book without snapshots
 * @example const v = vintageAnalysis(loans.rows, snaps.rows); v.cohorts[0]?.cells.at(-1)?.defaultRate
 */
export function vintageAnalysis(
  loans: readonly MonitoringLoan[],
  snapshots: readonly MonitoringSnapshot[],
  options: Partial<VintageOptions> = {},
): VintageAnalysis {
  const opts = parseOptions(options);
  const k = OVERDUE_BUCKETS.length;
  const byLoan = new Map<string, MonitoringSnapshot[]>();
  let asOf = Number.NEGATIVE_INFINITY;
  let lastMob = 0;
  let snapshotsWithoutLoan = 0;
  let hasCompensation = false;
  const loanIds = new Set(loans.map((l) => l.borrowerId));
  for (const s of snapshots) {
    if (!loanIds.has(s.borrowerId)) {
      snapshotsWithoutLoan++;
      continue;
    }
    asOf = Math.max(asOf, monthNumber(s.month));
    lastMob = Math.max(lastMob, s.monthsOnBook);
    if (s.compensationAmount != null) hasCompensation = true;
    const list = byLoan.get(s.borrowerId);
    if (list === undefined) byLoan.set(s.borrowerId, [s]);
    else list.push(s);
  }
  if (!Number.isFinite(asOf)) {
    throw new RiskError(
      'E_DATA_INVALID',
      `vintage: no snapshot belongs to any of the ${loans.length} loans; expected month-end snapshots of the book`,
      { expected: 'snapshots of the loans', received: snapshots.length },
    );
  }

  const counts = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const exits = new Array<number>(k).fill(0);
  const monthlyCounts = new Map<number, { n: number[]; worse: number[] }>();
  const tracks: LoanTrack[] = [];
  let loansWithoutSnapshots = 0;
  let gaps = 0;
  let defaults = 0;
  for (const loan of loans) {
    const series = byLoan.get(loan.borrowerId);
    if (series === undefined) {
      loansWithoutSnapshots++;
      continue;
    }
    series.sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : 0));
    const track: LoanTrack = {
      cohort: monthNumber(loan.originationDate),
      amount: loan.amount,
      defaultMob: Number.POSITIVE_INFINITY,
      compensation: new Map(),
    };
    let prev = -1;
    let prevMonth = 0;
    for (const s of series) {
      const b = overdueBucket(s.loanOverdueDays, s.loanStatus, opts.bucketEdges);
      const m = monthNumber(s.month);
      const isDefault = s.loanStatus === 'defaulted' || s.loanOverdueDays > opts.defaultDays;
      if (isDefault && track.defaultMob === Number.POSITIVE_INFINITY) track.defaultMob = s.monthsOnBook;
      if (s.compensationAmount != null && s.compensationAmount > 0) {
        track.compensation.set(
          s.monthsOnBook,
          (track.compensation.get(s.monthsOnBook) ?? 0) + s.compensationAmount,
        );
      }
      if (prev >= 0) {
        if (m === prevMonth + 1) {
          (counts[prev] as number[])[b] = ((counts[prev] as number[])[b] as number) + 1;
          let cell = monthlyCounts.get(prevMonth);
          if (cell === undefined) {
            cell = { n: new Array<number>(k).fill(0), worse: new Array<number>(k).fill(0) };
            monthlyCounts.set(prevMonth, cell);
          }
          cell.n[prev] = (cell.n[prev] as number) + 1;
          if (b > prev) cell.worse[prev] = (cell.worse[prev] as number) + 1;
        } else gaps++;
      }
      prev = b;
      prevMonth = m;
    }
    if (track.defaultMob !== Number.POSITIVE_INFINITY) defaults++;
    else if (prevMonth < asOf) exits[prev] = (exits[prev] as number) + 1;
    tracks.push(track);
  }

  const cohorts = cohortCurves(tracks, asOf, hasCompensation, Math.min(lastMob, opts.maxMob ?? lastMob));
  const rowTotals = counts.map((r) => r.reduce((s, v) => s + v, 0));
  const rates = counts.map((r, i) => r.map((v) => v / (rowTotals[i] as number)));
  const monthly = [...monthlyCounts.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([m, c]) => ({
      month: monthText(m),
      counts: c.n,
      rollForward: c.n.map((n, i) => (i < k - 1 && n > 0 ? (c.worse[i] as number) / n : Number.NaN)),
    }));
  return {
    asOf: monthText(asOf),
    options: opts,
    cohorts,
    roll: { buckets: OVERDUE_BUCKETS, counts, rates, rowTotals, exits },
    monthly,
    hasCompensation,
    counts: {
      loans: loans.length,
      snapshots: snapshots.length,
      loansWithoutSnapshots,
      snapshotsWithoutLoan,
      gaps,
      defaults,
    },
  };
}

function cohortCurves(
  tracks: readonly LoanTrack[],
  asOf: number,
  hasCompensation: boolean,
  maxMob: number,
): VintageCohort[] {
  const byCohort = new Map<number, LoanTrack[]>();
  for (const t of tracks) {
    const list = byCohort.get(t.cohort);
    if (list === undefined) byCohort.set(t.cohort, [t]);
    else list.push(t);
  }
  return [...byCohort.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([cohort, list]) => {
      const amount = list.reduce((s, t) => s + t.amount, 0);
      const reach = Math.min(asOf - cohort, maxMob);
      const cells: VintageCell[] = [];
      for (let mob = 1; mob <= reach; mob++) {
        let n = 0;
        let amt = 0;
        let comp = 0;
        for (const t of list) {
          if (t.defaultMob <= mob) {
            n++;
            amt += t.amount;
          }
          for (const [m, v] of t.compensation) if (m <= mob) comp += v;
        }
        cells.push({
          mob,
          defaults: n,
          defaultRate: n / list.length,
          defaultedAmount: amt,
          defaultAmountRate: amt / amount,
          compensation: comp,
          compensationRate: hasCompensation ? comp / amount : Number.NaN,
        });
      }
      return { cohort: monthText(cohort), loans: list.length, amount, cells };
    });
}
