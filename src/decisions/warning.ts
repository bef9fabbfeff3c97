import { z } from 'zod';
import { RiskError } from '../core/errors.js';
import type { MonitoringLoan, MonitoringSnapshot } from '../ingest/monitoring.js';
import type { TrainedModel } from '../models/model.js';
import { behaviourFrame, behaviourMetrics } from './behaviour.js';
import { evaluateSignals, signalResultSchema } from './signals.js';
import {
  LEVEL_INFO,
  levelRank,
  maxLevel,
  WARNING_LEVELS,
  type WarningLevel,
  type WarningPolicy,
} from './warning-policy.js';

/** The guarantor's workflow status of a loan, inferred from the snapshot (domain.md §5.2, inferred). */
export const GUARANTOR_STATUSES = [
  'in_force',
  'warning',
  'overdue',
  'compensated',
  'recovering',
  'closed',
] as const;

const text = z.object({ zh: z.string(), en: z.string() }).strict();

/** One step that set or raised the level, with its reason. */
export const escalationSchema = z
  .object({
    source: z.enum(['overdue_floor', 'defaulted', 'signal', 'behaviour_pd', 'drift']),
    id: z.string(),
    level: z.enum(WARNING_LEVELS),
    reason: text,
  })
  .strict();

/** The early-warning evaluation of one in-force loan at one month-end (保后预警). */
export const warningEvaluationSchema = z
  .object({
    loanId: z.string(),
    policyId: z.string(),
    month: z.string(),
    monthsOnBook: z.number().int(),
    level: z.enum(WARNING_LEVELS),
    levelZh: z.string(),
    colour: z.enum(['green', 'yellow', 'orange', 'red']),
    /** The level the overdue days alone set; the final level is never below it. */
    overdueFloor: z.enum(WARNING_LEVELS),
    overdueDays: z.number().int().nonnegative(),
    guarantorStatus: z.enum(GUARANTOR_STATUSES),
    balance: z.number().nonnegative(),
    balanceWan: z.number().nonnegative(),
    signals: z.array(signalResultSchema),
    fired: z.array(z.string()),
    /** Behavioural PD of default in the model's horizon; null without a model. */
    behaviourPd: z.number().min(0).max(1).nullable(),
    drift: z
      .object({
        /** PD at the first month on book (the origination baseline of the behavioural model). */
        baselinePd: z.number(),
        ratio: z.number().nullable(),
        difference: z.number(),
        threshold: z.object({ ratio: z.number(), difference: z.number() }).strict(),
        escalated: z.boolean(),
      })
      .strict()
      .nullable(),
    escalations: z.array(escalationSchema),
    actions: z.array(text),
    onSiteCheck: z
      .object({
        due: z.boolean(),
        maturityMonth: z.string(),
        monthsToMaturity: z.number().int(),
        reason: text.nullable(),
      })
      .strict(),
    reasons: z.array(text),
  })
  .strict();
/** The early-warning evaluation of one loan at one month-end. */
export type WarningEvaluation = z.infer<typeof warningEvaluationSchema>;

function monthIndex(month: string): number {
  return Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
}

function monthOf(index: number): string {
  return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
}

/** The overdue floor of a number of days past due: the highest floor whose threshold the days exceed. */
export function overdueFloor(policy: WarningPolicy, days: number): WarningLevel {
  let level: WarningLevel = 'normal';
  for (const f of policy.overdueFloors) if (days > f.minDaysExclusive) level = maxLevel(level, f.level);
  return level;
}

/** The maturity month at or after `month`: a loan shorter than the window is taken as renewed (续贷). */
function maturityFrom(loan: MonitoringLoan, month: string): string {
  const start = monthIndex(loan.originationDate.slice(0, 7));
  const now = monthIndex(month);
  const terms = Math.max(1, Math.ceil((now - start) / loan.tenorMonths));
  return monthOf(start + terms * loan.tenorMonths);
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/**
 * Evaluates one in-force loan at a month-end from its snapshots in memory: overdue floor, rule signals,
 * behavioural PD and its drift from the first month on book, then the level (never below the floor), the
 * actions, the on-site-check trigger and the guarantor status. The CLI and the API call this one function.
 * @param asOfMonth YYYY-MM; default the latest snapshot (later snapshots are ignored)
 * @returns the evaluation, or null when the loan has no snapshot at or before `asOfMonth` (not yet on book)
 * @throws E_WARNING_INPUT when a snapshot belongs to another loan or months repeat
 * @example const e = evaluateLoan(DEFAULT_WARNING_POLICY, model, loan, series); e?.level
 */
export function evaluateLoan(
  policy: WarningPolicy,
  model: TrainedModel | null,
  loan: MonitoringLoan,
  snapshots: readonly MonitoringSnapshot[],
  asOfMonth?: string,
): WarningEvaluation | null {
  const series = [...snapshots].sort((a, b) => (a.month < b.month ? -1 : 1));
  series.forEach((s, i) => {
    if (s.borrowerId !== loan.borrowerId) {
      throw new RiskError(
        'E_WARNING_INPUT',
        `snapshots[${i}].borrowerId: expected ${loan.borrowerId}, received ${s.borrowerId}`,
        { path: ['snapshots', i, 'borrowerId'], expected: loan.borrowerId, received: s.borrowerId },
      );
    }
    if (i > 0 && series[i - 1]?.month === s.month) {
      throw new RiskError(
        'E_WARNING_INPUT',
        `snapshots: month ${s.month} appears twice for ${loan.borrowerId}`,
        {
          path: ['snapshots', i, 'month'],
          received: s.month,
        },
      );
    }
  });
  const upTo = asOfMonth === undefined ? series : series.filter((s) => s.month <= asOfMonth);
  if (upTo.length === 0) return null;
  const t = upTo.length - 1;
  const now = upTo[t] as MonitoringSnapshot;
  const metrics = behaviourMetrics(upTo, t);
  const escalations: z.infer<typeof escalationSchema>[] = [];
  const raise = (e: z.infer<typeof escalationSchema>) => escalations.push(e);

  const floor = overdueFloor(policy, now.loanOverdueDays);
  if (floor !== 'normal') {
    raise({
      source: 'overdue_floor',
      id: `overdue_${now.loanOverdueDays}d`,
      level: floor,
      reason: {
        zh: `逾期${now.loanOverdueDays}天，至少${LEVEL_INFO[floor].zh}`,
        en: `${now.loanOverdueDays} days past due: at least ${LEVEL_INFO[floor].en}`,
      },
    });
  }
  if (now.loanStatus === 'defaulted') {
    raise({
      source: 'defaulted',
      id: 'defaulted',
      level: policy.defaultedFloor,
      reason: { zh: '已违约/代偿', en: 'defaulted or compensated' },
    });
  }
  const signals = evaluateSignals(policy.signals, metrics);
  for (const s of signals) {
    if (!s.fired) continue;
    raise({
      source: 'signal',
      id: s.id,
      level: s.level,
      reason: {
        zh: `${s.label.zh}（${s.input}=${fmt(s.value)}，阈值${s.operator}${String(s.threshold)}）`,
        en: `${s.label.en} (${s.input}=${fmt(s.value)}, threshold ${s.operator} ${String(s.threshold)})`,
      },
    });
  }

  let behaviourPd: number | null = null;
  let drift: WarningEvaluation['drift'] = null;
  if (model !== null) {
    const pds = model.predictProba(behaviourFrame([behaviourMetrics(upTo, 0), metrics]));
    const baselinePd = pds[0] as number;
    behaviourPd = pds[1] as number;
    for (const band of policy.pdBands) {
      if (behaviourPd >= band.pd) {
        raise({
          source: 'behaviour_pd',
          id: `pd_${band.pd}`,
          level: band.level,
          reason: {
            zh: `行为评分违约概率${pct(behaviourPd)}，不低于${pct(band.pd)}`,
            en: `behavioural PD ${pct(behaviourPd)} at or above ${pct(band.pd)}`,
          },
        });
      }
    }
    const ratio = baselinePd > 0 ? behaviourPd / baselinePd : null;
    const difference = behaviourPd - baselinePd;
    const escalated = ratio !== null && ratio >= policy.drift.ratio && difference >= policy.drift.difference;
    drift = {
      baselinePd,
      ratio,
      difference,
      threshold: { ratio: policy.drift.ratio, difference: policy.drift.difference },
      escalated,
    };
    if (escalated) {
      raise({
        source: 'drift',
        id: 'pd_drift',
        level: policy.drift.level,
        reason: {
          zh: `违约概率较首月上升至${(ratio as number).toFixed(1)}倍（+${pct(difference)}）`,
          en: `PD up ${(ratio as number).toFixed(1)}× since the first month on book (+${pct(difference)})`,
        },
      });
    }
  }

  // Escalations only raise: the overdue floor is the minimum, whatever else says.
  let level: WarningLevel = floor;
  for (const e of escalations) level = maxLevel(level, e.level);

  const maturityMonth = maturityFrom(loan, now.month);
  const monthsToMaturity = monthIndex(maturityMonth) - monthIndex(now.month);
  const due =
    now.loanBalance > policy.onSite.minBalance &&
    monthsToMaturity >= 0 &&
    monthsToMaturity <= policy.onSite.monthsToMaturity;
  const guarantorStatus: WarningEvaluation['guarantorStatus'] =
    now.loanStatus === 'defaulted'
      ? 'compensated'
      : now.loanBalance === 0
        ? 'closed'
        : now.loanOverdueDays > 0
          ? 'overdue'
          : levelRank(level) > 0
            ? 'warning'
            : 'in_force';
  const actions = [...(policy.actions[level] ?? [])];
  const onSiteReason = due
    ? {
        zh: `余额${round2(now.loanBalance / 10_000)}万元，距到期${monthsToMaturity}个月，需现场检查`,
        en: `balance ${round2(now.loanBalance / 10_000)}万 with ${monthsToMaturity} months to maturity: on-site check due`,
      }
    : null;
  if (onSiteReason !== null) actions.push({ zh: '到期前现场检查', en: 'on-site check before maturity' });
  return {
    loanId: loan.borrowerId,
    policyId: policy.id,
    month: now.month,
    monthsOnBook: now.monthsOnBook,
    level,
    levelZh: LEVEL_INFO[level].zh,
    colour: LEVEL_INFO[level].colour,
    overdueFloor: floor,
    overdueDays: now.loanOverdueDays,
    guarantorStatus,
    balance: now.loanBalance,
    balanceWan: round2(now.loanBalance / 10_000),
    signals,
    fired: signals.filter((s) => s.fired).map((s) => s.id),
    behaviourPd,
    drift,
    escalations,
    actions,
    onSiteCheck: { due, maturityMonth, monthsToMaturity, reason: onSiteReason },
    reasons: escalations.map((e) => e.reason),
  };
}

function fmt(v: number | string | boolean | null): string {
  return typeof v === 'number' ? String(Math.round(v * 1000) / 1000) : String(v);
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
