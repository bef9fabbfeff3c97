import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RiskError } from '../../src/core/errors.js';
import { OVERDUE_BUCKETS, overdueBucket, vintageAnalysis } from '../../src/evaluation/vintage.js';
import type { MonitoringLoan, MonitoringSnapshot } from '../../src/ingest/monitoring.js';

function loan(id: string, originationDate: string, amount: number): MonitoringLoan {
  return {
    borrowerId: id,
    bankId: 'bank',
    agreementId: 'agr',
    businessMode: 'batch',
    originationDate,
    amount,
    tenorMonths: 12,
    guaranteeFeeRate: 0.01,
  };
}

function snap(
  id: string,
  month: string,
  mob: number,
  days: number,
  status: MonitoringSnapshot['loanStatus'] = days === 0 ? 'performing' : 'overdue',
  compensationAmount?: number,
): MonitoringSnapshot {
  return {
    borrowerId: id,
    month,
    monthsOnBook: mob,
    loanBalance: 100,
    loanOverdueDays: days,
    loanStatus: status,
    taxRevenue: null,
    bankInflow: null,
    bankEndBalance: null,
    bureauOverdueDays: null,
    bureauClass: null,
    newJudicialEvents: null,
    electricityKwh: null,
    utilityArrears: null,
    insuredHeadcount: null,
    ...(compensationAmount === undefined ? {} : { compensationAmount }),
  };
}

/**
 * A hand-built book, as-of 2025-05. Cohort 2025-01 (1,000,000 yuan): A rolls 0 → 15 → 45 → 95 days (a default
 * at MOB 4 by days past due); B is compensated after an early default at MOB 3 (status defaulted at 80 days,
 * 240,000 paid); C stays current; D leaves the book after MOB 2. Cohort 2025-03: E cures from 10 days.
 * F has no snapshot; G's snapshot has no loan.
 */
const loans = [
  loan('A', '2025-01-10', 100_000),
  loan('B', '2025-01-20', 300_000),
  loan('C', '2025-01-05', 100_000),
  loan('D', '2025-01-31', 500_000),
  loan('E', '2025-03-15', 200_000),
  loan('F', '2025-02-01', 50_000),
];
const snapshots = [
  snap('A', '2025-02', 1, 0),
  snap('A', '2025-03', 2, 15),
  snap('A', '2025-04', 3, 45),
  snap('A', '2025-05', 4, 95),
  snap('B', '2025-03', 2, 0),
  snap('B', '2025-02', 1, 0, 'performing', 0),
  snap('B', '2025-04', 3, 80, 'defaulted', 240_000),
  snap('C', '2025-02', 1, 0),
  snap('C', '2025-03', 2, 0),
  snap('C', '2025-04', 3, 0),
  snap('C', '2025-05', 4, 0),
  snap('D', '2025-02', 1, 0),
  snap('D', '2025-03', 2, 0),
  snap('E', '2025-04', 1, 10),
  snap('E', '2025-05', 2, 0),
  snap('G', '2025-05', 1, 0),
];

describe('vintageAnalysis on a hand-built book', () => {
  const v = vintageAnalysis(loans, snapshots);

  it('counts what it read and what it left out', () => {
    expect(v.asOf).toBe('2025-05');
    expect(v.counts).toEqual({
      loans: 6,
      snapshots: 16,
      loansWithoutSnapshots: 1,
      snapshotsWithoutLoan: 1,
      gaps: 0,
      defaults: 2,
    });
    expect(v.hasCompensation).toBe(true);
  });

  it('gives the golden cumulative default and compensation rates per cohort and MOB', () => {
    expect(v.cohorts.map((c) => [c.cohort, c.loans, c.amount, c.cells.length])).toEqual([
      ['2025-01', 4, 1_000_000, 4],
      ['2025-03', 1, 200_000, 2],
    ]);
    const jan = v.cohorts[0]?.cells ?? [];
    expect(jan.map((c) => c.defaults)).toEqual([0, 0, 1, 2]);
    expect(jan.map((c) => c.defaultRate)).toEqual([0, 0, 0.25, 0.5]);
    expect(jan.map((c) => c.defaultAmountRate)).toEqual([0, 0, 0.3, 0.4]);
    expect(jan.map((c) => c.compensationRate)).toEqual([0, 0, 0.24, 0.24]);
    expect(v.cohorts[1]?.cells.map((c) => c.defaultRate)).toEqual([0, 0]);
  });

  it('gives the golden roll-rate matrix, each non-empty row summing to 1', () => {
    expect(v.roll.counts).toEqual([
      [5, 1, 0, 0, 1],
      [1, 0, 1, 0, 0],
      [0, 0, 0, 0, 1],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
    ]);
    expect(v.roll.rowTotals).toEqual([7, 2, 1, 0, 0]);
    expect(v.roll.rates[0]?.[0]).toBeCloseTo(5 / 7, 12);
    expect(v.roll.rates[1]).toEqual([0.5, 0, 0.5, 0, 0]);
    expect(v.roll.rates[3]?.every(Number.isNaN)).toBe(true);
    for (const [i, row] of v.roll.rates.entries()) {
      if ((v.roll.rowTotals[i] as number) > 0) expect(row.reduce((s, r) => s + r, 0)).toBeCloseTo(1, 12);
    }
    expect(v.roll.exits).toEqual([1, 0, 0, 0, 0]);
  });

  it('gives the month-to-month roll-forward rates', () => {
    expect(v.monthly.map((m) => m.month)).toEqual(['2025-02', '2025-03', '2025-04']);
    expect(v.monthly.map((m) => m.counts)).toEqual([
      [4, 0, 0, 0, 0],
      [2, 1, 0, 0, 0],
      [1, 1, 1, 0, 0],
    ]);
    expect(v.monthly[0]?.rollForward[0]).toBe(0.25);
    expect(v.monthly[1]?.rollForward.slice(0, 2)).toEqual([0.5, 1]);
    expect(v.monthly[2]?.rollForward.slice(0, 3)).toEqual([0, 0, 1]);
  });

  it('stops curves at maxMob and marks compensation as absent when the data has none', () => {
    const plain = snapshots.map(({ compensationAmount: _c, ...s }) => s);
    const w = vintageAnalysis(loans, plain, { maxMob: 3 });
    expect(w.hasCompensation).toBe(false);
    expect(w.cohorts[0]?.cells).toHaveLength(3);
    expect(Number.isNaN(w.cohorts[0]?.cells[2]?.compensationRate)).toBe(true);
  });

  it('counts a month skipped in a series as a gap, not a transition', () => {
    const w = vintageAnalysis(
      loans,
      snapshots.filter((s) => !(s.borrowerId === 'C' && s.month === '2025-03')),
    );
    expect(w.counts.gaps).toBe(1);
    expect(w.roll.rowTotals[0]).toBe(5);
  });

  it('rejects bad options and a book without snapshots with a RiskError', () => {
    expect(() => vintageAnalysis(loans, snapshots, { bucketEdges: [0, 60, 30, 90] })).toThrow(RiskError);
    expect(() => vintageAnalysis(loans, snapshots, { defaultDays: -1 })).toThrow(/defaultDays/);
    expect(() => vintageAnalysis(loans, [])).toThrow(/no snapshot/);
  });
});

describe('overdueBucket', () => {
  it('puts days past due in the bucket whose range holds them, and a default in 90+', () => {
    expect(
      [0, 1, 30, 31, 60, 61, 90, 91, 400].map((d) => OVERDUE_BUCKETS[overdueBucket(d, 'overdue')]),
    ).toEqual(['current', '1-30', '1-30', '31-60', '31-60', '61-90', '61-90', '90+', '90+']);
    expect(overdueBucket(0, 'defaulted')).toBe(4);
  });

  it('is monotone in days past due', () => {
    fc.assert(
      fc.property(fc.nat(1000), fc.nat(1000), (a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        return overdueBucket(lo, 'overdue') <= overdueBucket(hi, 'overdue');
      }),
    );
  });
});
