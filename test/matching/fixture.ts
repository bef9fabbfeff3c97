import type { Assessment, BorrowerProfile } from '../../src/decisions/assessment.js';
import type { RiskGrade } from '../../src/ingest/partners.js';

/** A hand-built Assessment in the contract's shape, for matching tests (decisions' assess is another branch). */
export function assessment(
  id: string,
  o: {
    pd?: number;
    grade?: RiskGrade | null;
    limit?: number;
    tenorMonths?: number;
    decision?: Assessment['decision'];
    borrower?: Partial<BorrowerProfile>;
    feeRate?: number;
  } = {},
): Assessment {
  const limit = o.limit ?? 1_000_000;
  return {
    id: `as-${id}`,
    applicationId: id,
    asOf: '2026-06-30',
    releaseId: 'test',
    inputDigest: '0'.repeat(64),
    decision: o.decision ?? 'approve',
    grade: o.grade === undefined ? 'A' : o.grade,
    pd: o.pd ?? 0.02,
    score: null,
    models: [],
    rules: [],
    fired: [],
    reasons: [],
    missingSources: [],
    limit: { amount: limit, amountWan: limit / 10_000, binding: 'test', candidates: [], existingDebt: 0 },
    fee: {
      rate: o.feeRate ?? 0.01,
      gridRate: 0.01,
      ceiling: 0.01,
      annualAmount: limit * (o.feeRate ?? 0.01),
    },
    borrower: {
      id,
      name: null,
      entityType: 'company',
      industry: 'C13',
      region: '340104',
      highTech: false,
      specialised: false,
      firstLoan: true,
      yearsInBusiness: 5,
      annualSales: 1e7,
      currentOverdue: false,
      existingDebt: 0,
      ...o.borrower,
    },
    request: { amount: limit, tenorMonths: o.tenorMonths ?? 12, purpose: 'working_capital' },
    shadow: null,
  };
}
