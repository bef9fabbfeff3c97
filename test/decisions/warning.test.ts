import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RiskError } from '../../src/core/errors.js';
import { behaviourMetrics } from '../../src/decisions/behaviour.js';
import { evaluateSignals } from '../../src/decisions/signals.js';
import { evaluateLoan, overdueFloor, warningEvaluationSchema } from '../../src/decisions/warning.js';
import {
  DEFAULT_SIGNALS,
  DEFAULT_WARNING_POLICY,
  levelRank,
  OVERDUE_FLOORS_2007,
  parseWarningPolicy,
  WARNING_LEVELS,
} from '../../src/decisions/warning-policy.js';
import type { TrainedModel } from '../../src/models/model.js';
import { LOAN, series, snap } from './warning-helpers.js';

const P = DEFAULT_WARNING_POLICY;
const fired = (s: ReturnType<typeof series>) =>
  evaluateSignals(DEFAULT_SIGNALS, behaviourMetrics(s, s.length - 1))
    .filter((r) => r.fired)
    .map((r) => r.id);

/** A model that answers a fixed PD for the current row and another for the baseline (first) row. */
function fixedModel(pdNow: number, pdBase = 0.01): TrainedModel {
  return {
    kind: 'fixed',
    featureNames: [],
    predictProba: (x) => Float64Array.from({ length: x.nRows }, (_, i) => (i === 0 ? pdBase : pdNow)),
  };
}

describe('overdue floors (2023 rule, domain.md §5.2)', () => {
  it.each([
    [0, 'normal'],
    [1, 'special_mention'],
    [90, 'special_mention'],
    [91, 'substandard'],
    [270, 'substandard'],
    [271, 'doubtful'],
    [360, 'doubtful'],
    [361, 'loss'],
  ])('%i days past due → %s', (days, level) => {
    expect(overdueFloor(P, days)).toBe(level);
    const e = evaluateLoan(P, null, LOAN, series(4, { loanOverdueDays: days, bureauOverdueDays: 0 }));
    expect(e?.overdueFloor).toBe(level);
    expect(levelRank(e?.level ?? 'normal')).toBeGreaterThanOrEqual(levelRank(level as 'normal'));
  });

  it('the 2007 preset puts 181 days at 可疑 and has no 损失 floor', () => {
    const p2007 = parseWarningPolicy({ ...P, overdueFloors: [...OVERDUE_FLOORS_2007] });
    expect(overdueFloor(p2007, 180)).toBe('substandard');
    expect(overdueFloor(p2007, 181)).toBe('doubtful');
    expect(overdueFloor(p2007, 400)).toBe('doubtful');
    expect(overdueFloor(P, 181)).toBe('substandard');
  });

  it('a bad policy is refused with E_WARNING_POLICY naming the field', () => {
    expect(() => parseWarningPolicy({ ...P, onSite: { minBalance: -1, monthsToMaturity: 3 } })).toThrow(
      expect.objectContaining({
        code: 'E_WARNING_POLICY',
        message: expect.stringContaining('onSite.minBalance'),
      }),
    );
  });
});

describe('rule signals on hand-built series (domain.md §5.1)', () => {
  it('a steady loan fires nothing and is 正常 / green / in force', () => {
    const s = series(6);
    expect(fired(s)).toEqual([]);
    const e = evaluateLoan(P, null, LOAN, s);
    expect(e).toMatchObject({
      level: 'normal',
      colour: 'green',
      levelZh: '正常',
      guarantorStatus: 'in_force',
    });
    expect(e?.signals).toHaveLength(DEFAULT_SIGNALS.length);
    expect(warningEvaluationSchema.parse(e)).toEqual(e);
  });

  it.each([
    ['judicial_new', { newJudicialEvents: 1 }, 1],
    ['bureau_overdue', { bureauOverdueDays: 15 }, 1],
    ['bureau_downgrade', { bureauOverdueDays: 40, bureauClass: 'special_mention' as const }, 1],
    ['utility_arrears', { utilityArrears: 800 }, 2],
    ['headcount_drop', { insuredHeadcount: 7 }, 1],
    ['production_drop', { electricityKwh: 1_000 }, 3],
    ['tax_grade_drop', { taxGrade: 'C' as const }, 1],
    ['ownership_change', { ownershipChanged: true }, 1],
  ])('%s fires on its series', (id, tail, months) => {
    expect(fired(series(6, tail, months))).toContain(id);
  });

  it('sales −30%: 3-month revenue at 70% of the first 3 months fires, 71% does not', () => {
    expect(fired(series(6, { taxRevenue: 70_000 }, 3))).toContain('sales_drop_30');
    expect(fired(series(6, { taxRevenue: 71_000 }, 3))).not.toContain('sales_drop_30');
  });

  it('tax revenue collapse: the month at 40% of baseline fires, 41% does not', () => {
    expect(fired(series(6, { taxRevenue: 40_000 }))).toContain('tax_revenue_collapse');
    expect(fired(series(6, { taxRevenue: 41_000 }))).not.toContain('tax_revenue_collapse');
  });

  it('lawsuits: 3 in 6 months fire judicial_repeat, 2 do not', () => {
    expect(fired(series(6, { newJudicialEvents: 1 }, 3))).toContain('judicial_repeat');
    expect(fired(series(6, { newJudicialEvents: 1 }, 2))).not.toContain('judicial_repeat');
  });

  it('utility arrears in one month of three stay silent', () => {
    expect(fired(series(6, { utilityArrears: 800 }, 1))).not.toContain('utility_arrears');
  });

  it('main account moved only while the business continues', () => {
    expect(fired(series(6, { bankInflow: 5_000 }, 3))).toContain('main_account_moved');
    // inflows and revenue both collapse: a decline, not a moved account
    expect(fired(series(6, { bankInflow: 5_000, taxRevenue: 30_000 }, 3))).not.toContain(
      'main_account_moved',
    );
  });

  it('absent sources are missing, never a signal', () => {
    const s = series(6, { taxRevenue: null, insuredHeadcount: null, electricityKwh: null }, 6);
    const r = evaluateSignals(DEFAULT_SIGNALS, behaviourMetrics(s, 5));
    const byId = Object.fromEntries(r.map((x) => [x.id, x]));
    expect(byId.sales_drop_30?.value).toBeNull();
    expect(byId.headcount_drop?.value).toBeNull();
    expect(r.filter((x) => x.fired)).toEqual([]);
  });

  it('a fired signal raises the level with its reason', () => {
    const e = evaluateLoan(P, null, LOAN, series(6, { bankInflow: 5_000 }, 3));
    expect(e?.level).toBe('substandard');
    expect(e?.colour).toBe('orange');
    expect(e?.guarantorStatus).toBe('warning');
    expect(e?.reasons.map((r) => r.en).join(' ')).toContain('main account moved');
  });
});

describe('behavioural PD and drift', () => {
  it('PD bands and drift escalate; drift reports ratio and difference', () => {
    const e = evaluateLoan(P, fixedModel(0.2, 0.02), LOAN, series(6));
    expect(e?.behaviourPd).toBeCloseTo(0.2, 12);
    expect(e?.drift?.ratio).toBeCloseTo(10, 12);
    expect(e?.drift?.difference).toBeCloseTo(0.18, 12);
    expect(e?.drift?.escalated).toBe(true);
    expect(e?.level).toBe('special_mention');
    expect(e?.escalations.map((x) => x.source).sort()).toEqual(['behaviour_pd', 'drift']);
    const high = evaluateLoan(P, fixedModel(0.6), LOAN, series(6));
    expect(high?.level).toBe('substandard');
    const calm = evaluateLoan(P, fixedModel(0.029, 0.01), LOAN, series(6));
    expect(calm?.drift?.escalated).toBe(false); // ratio 2.9 < 3
    expect(calm?.level).toBe('normal');
  });

  it('escalation never lowers the level below the overdue floor (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 500 }),
        fc.double({ min: 0.0001, max: 0.9999, noNaN: true }),
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 12 }),
        (days, pd, judicial, n) => {
          const s = series(n, { loanOverdueDays: days, newJudicialEvents: judicial });
          const e = evaluateLoan(P, fixedModel(pd), LOAN, s);
          if (e === null) return false;
          const floor = overdueFloor(P, days);
          return (
            levelRank(e.level) >= levelRank(floor) &&
            e.overdueFloor === floor &&
            e.escalations.every((x) => levelRank(e.level) >= levelRank(x.level)) &&
            WARNING_LEVELS.includes(e.level)
          );
        },
      ),
      { seed: 7, numRuns: 300 },
    );
  });
});

describe('on-site check and status', () => {
  const big = { ...LOAN, amount: 3_500_000 };
  it('balance > 300万 within 3 months of maturity: due at 3 months, not at 4, not at exactly 300万', () => {
    // originated 2025-01, 12 months: matures 2026-01; snapshot k is month 2025-01 + k
    const at = (k: number, balance: number) =>
      evaluateLoan(
        P,
        null,
        big,
        Array.from({ length: k }, (_, i) => snap(i + 1, { loanBalance: balance })),
      );
    expect(at(9, 3_500_000)?.onSiteCheck).toMatchObject({
      due: true,
      monthsToMaturity: 3,
      maturityMonth: '2026-01',
    });
    expect(at(8, 3_500_000)?.onSiteCheck).toMatchObject({ due: false, monthsToMaturity: 4 });
    expect(at(9, 3_000_000)?.onSiteCheck.due).toBe(false);
    expect(at(9, 3_000_000.01)?.onSiteCheck.due).toBe(true);
    expect(at(9, 3_500_000)?.actions.map((a) => a.en)).toContain('on-site check before maturity');
  });

  it('a defaulted loan is compensated and at least 次级; asOfMonth ignores later months', () => {
    const s = [...series(5), snap(6, { loanOverdueDays: 92, loanStatus: 'defaulted' })];
    const e = evaluateLoan(P, null, LOAN, s);
    expect(e).toMatchObject({ guarantorStatus: 'compensated', level: 'substandard', overdueDays: 92 });
    expect(evaluateLoan(P, null, LOAN, s, '2025-04')).toMatchObject({ month: '2025-04', level: 'normal' });
    expect(evaluateLoan(P, null, LOAN, s, '2024-12')).toBeNull();
  });

  it('snapshots of another loan are refused with E_WARNING_INPUT', () => {
    const bad = [snap(1), { ...snap(2), borrowerId: 'OTHER' }];
    expect(() => evaluateLoan(P, null, LOAN, bad)).toThrow(RiskError);
    expect(() => evaluateLoan(P, null, LOAN, bad)).toThrow(/snapshots\[1\]\.borrowerId/);
  });
});
