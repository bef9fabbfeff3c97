import type { MonitoringLoan, MonitoringSnapshot } from '../../src/ingest/monitoring.js';

/** A 12-month bullet loan of 50万 originated 2025-01-15. */
export const LOAN: MonitoringLoan = {
  borrowerId: 'T1',
  bankId: 'bank',
  agreementId: 'direct-28',
  businessMode: 'joint_review',
  originationDate: '2025-01-15',
  amount: 500_000,
  tenorMonths: 12,
  guaranteeFeeRate: 0.01,
};

/** A steady, healthy month-end snapshot at month on book `k` (2025-01 + k), with overrides. */
export function snap(k: number, over: Partial<MonitoringSnapshot> = {}): MonitoringSnapshot {
  const m = k; // months after 2025-01
  const month = `${2025 + Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}`;
  return {
    borrowerId: 'T1',
    month,
    monthsOnBook: k,
    loanBalance: 500_000,
    loanOverdueDays: 0,
    loanStatus: 'performing',
    taxRevenue: 100_000,
    bankInflow: 120_000,
    bankEndBalance: 50_000,
    bureauOverdueDays: 0,
    bureauClass: 'normal',
    newJudicialEvents: 0,
    electricityKwh: 2_000,
    utilityArrears: 0,
    insuredHeadcount: 10,
    ...over,
  };
}

/** `n` healthy months (1..n), the last `tail` of them overridden. */
export function series(
  n: number,
  tail: Partial<MonitoringSnapshot> = {},
  tailMonths = 1,
): MonitoringSnapshot[] {
  return Array.from({ length: n }, (_, i) => snap(i + 1, i >= n - tailMonths ? tail : {}));
}
