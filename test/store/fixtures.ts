import type { Assessment } from '../../src/decisions/assessment.js';
import type { Referral } from '../../src/matching/referrals.js';
import { AGREEMENTS } from '../../src/samples/agreements.js';
import type { NewAssessment } from '../../src/store/store.js';
import { assessment } from '../matching/fixture.js';

/** An assessment with a distinct digest and the application that produced it. */
export function newAssessment(n: number, overrides: Partial<Assessment> = {}): NewAssessment {
  const a = { ...assessment(`app-${n}`), inputDigest: n.toString(16).padStart(64, '0'), ...overrides };
  return { input: { id: `app-${n}`, request: a.request, note: `输入 ${n}` }, assessment: a };
}

/** A referral of an assessment to a bank under an agreement (the shape matching produces). */
export function referral(
  assessmentId: string,
  bankId: string,
  agreementId = 'ah-4321',
  amount = 1_000_000,
): Referral {
  return {
    assessmentId,
    borrowerId: `b-${assessmentId}`,
    rank: 1,
    bankId,
    agreementId,
    amount,
    amountBinding: 'assessment.limit',
    approval: { process: 'online', upTo: 3_000_000 },
    rate: { min: 0.035, max: 0.05, offered: 0.04 },
    feeRate: 0.01,
    pd: 0.02,
    grade: 'A',
    expectedLoss: 8000,
    lossByParty: [{ role: 'guarantor', name: '省担保', amount: 3200 }],
    expectedCompensation: 16000,
    guarantorNetValue: 1800,
    bankMargin: 12000,
    borrowerAllIn: 0.05,
    value: 1.5,
    reasons: [{ zh: '符合', en: 'fits' }],
    preferences: [],
    conditions: [],
    alternatives: [],
  };
}

/** A sample agreement by id. */
export function agreement(id: string) {
  const a = AGREEMENTS.find((x) => x.id === id);
  if (a === undefined) throw new Error(`no sample agreement ${id}`);
  return a;
}
