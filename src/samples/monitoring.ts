import type { Rng } from '../core/rng.js';
import type { SourceTag } from '../ingest/layout.js';
import type { Agreement, Bank } from '../ingest/partners.js';
import { isoDay, isoMonth, lastDayOfMonth, monthOfDay } from './calendar.js';
import { fitsAgreement, fitsBank } from './eligibility.js';
import type { GeneratedBorrower } from './generate.js';
import { yuan } from './money.js';
import { revenueNoiseSd, seasonal } from './profile.js';
import { clamp, sigmoid } from './risk.js';
import { accountMonth } from './sources/bank-flows.js';
import { classOf, lateProbability } from './sources/bureau.js';
import { JUDICIAL_RATES } from './sources/judicial.js';
import { loanFacts } from './sources/request.js';
import { headcountStep } from './sources/social-insurance.js';
import { utilityMonth } from './sources/utilities.js';

/** Loan status in a monitoring snapshot: 90 days past due (or compensation) is a default. */
export type LoanStatus = 'performing' | 'overdue' | 'defaulted';

/** A loan of the in-force book. */
export interface InForceLoan {
  readonly borrowerId: string;
  readonly bankId: string;
  readonly agreementId: string;
  readonly businessMode: string;
  readonly originationDate: string;
  readonly amount: number;
  readonly tenorMonths: number;
  readonly guaranteeFeeRate: number;
}

/** One month-end snapshot of an in-force loan; a source absent at origination stays empty (null). */
export interface Snapshot {
  readonly borrowerId: string;
  readonly month: string;
  readonly monthsOnBook: number;
  readonly loanBalance: number;
  readonly loanOverdueDays: number;
  readonly loanStatus: LoanStatus;
  readonly taxRevenue: number | null;
  readonly bankInflow: number | null;
  readonly bankEndBalance: number | null;
  readonly bureauOverdueDays: number | null;
  readonly bureauClass: string | null;
  readonly newJudicialEvents: number | null;
  readonly electricityKwh: number | null;
  readonly utilityArrears: number | null;
  readonly insuredHeadcount: number | null;
}

/** The approval proxy of the sample: a noisy view of z under this threshold, and no knock-out rule fired. */
export const BOOKING = { scoreNoiseSd: 0.8, threshold: 0.9, takeUp: 0.5 } as const;

/**
 * Books a borrower into the in-force book or not: approved by the proxy (a guarantor sees z only through noise),
 * taken up by the borrower, and placed with a programme and bank it fits (its requested programme first). This is
 * the sample's own simple assignment, not the matcher.
 */
export function bookLoan(
  rng: Rng,
  g: GeneratedBorrower,
  agreements: readonly Agreement[],
  banks: readonly Bank[],
): InForceLoan | null {
  const p = g.profile;
  const approved = !g.origination.knockOut && p.z + rng.normal(0, BOOKING.scoreNoiseSd) < BOOKING.threshold;
  const takenUp = rng.chance(BOOKING.takeUp);
  // An application with an invalid value never gets past ingest.
  if (!approved || !takenUp || g.dirt.some((d) => !d.valid)) return null;
  const request = g.origination.request;
  const facts = loanFacts(p, request);
  const fitting = agreements.filter((a) => fitsAgreement(a, facts));
  const preferred = fitting.find((a) => a.id === request.programme);
  const order =
    preferred === undefined
      ? rng.shuffle([...fitting])
      : [preferred, ...fitting.filter((a) => a !== preferred)];
  for (const a of order) {
    const candidates = banks.filter((b) => a.bankIds.includes(b.id) && fitsBank(b, a, facts));
    if (candidates.length === 0) continue;
    const bank = candidates[rng.int(candidates.length)] as Bank;
    return {
      borrowerId: p.id,
      bankId: bank.id,
      agreementId: a.id,
      businessMode: a.businessMode,
      originationDate: isoDay(p.asOfDay),
      amount: request.amount,
      tenorMonths: request.tenorMonths,
      guaranteeFeeRate: a.fees.guarantee,
    };
  }
  return null;
}

/**
 * Month-end snapshots of a booked loan for `months` months after origination, ending with the month it defaults.
 * A defaulter misses its first payment 90 days before the default date (or just after origination for an early
 * default), and its business deteriorates from 2-6 months before that: revenue and inflows fall, other lenders see
 * it late, lawsuits, arrears and lay-offs come. Survivors show only noise and, for risky ones, a passing dip.
 * Loans shorter than the window are assumed renewed (续贷) at maturity.
 */
export function monitorLoan(rng: Rng, g: GeneratedBorrower, loan: InForceLoan, months: number): Snapshot[] {
  const p = g.profile;
  const o = g.origination;
  const has = (tag: SourceTag) => o.sources.has(tag);
  const defaultMonth = p.defaulted ? monthOfDay(p.defaultDay) : Number.POSITIVE_INFINITY;
  const firstMiss = p.defaulted ? Math.max(p.asOfDay + 1, p.defaultDay - 90) : Number.POSITIVE_INFINITY;
  const declineFrom = p.defaulted ? monthOfDay(firstMiss) - (2 + rng.int(5)) : Number.POSITIVE_INFINITY;
  const declineDepth = rng.between(0.3, 0.8);
  const dip = !p.defaulted && rng.chance(0.5 * sigmoid(p.z - 1.5));
  const dipFrom = p.asOfMonth + 1 + rng.int(Math.max(1, months - 3));
  const dipLength = 2 + rng.int(3);
  const dipDepth = rng.between(0.2, 0.4);
  const recovery = p.distressFrom >= 0 ? p.distressDepth : 0;
  const base = p.annualRevenue / 12;
  const noiseSd = revenueNoiseSd(p.entity);
  const judicialRate =
    Object.values(JUDICIAL_RATES).reduce((s, r) => s + r.base * Math.exp(r.slope * p.z), 0) / 12;
  const facilities =
    (g.application.bureau?.enterprise?.facilities?.length ?? 0) +
    (g.application.bureau?.owner?.facilities?.length ?? 0);

  let noise = p.revenueNoise;
  let balance = o.account.balance;
  let arrears = o.utility.arrears;
  let headcount = o.headcount;
  let otherDays = o.bureauOverdueDays;
  const out: Snapshot[] = [];
  for (let k = 1; k <= months; k++) {
    const m = p.asOfMonth + k;
    const monthEnd = lastDayOfMonth(m);
    noise = 0.5 * noise + rng.normal(0, noiseSd);
    let level = base * Math.exp((p.growth * (k + 0.5)) / 12) * seasonal(p.industry, m) * Math.exp(noise);
    // A drop before origination lingers and fades over six months.
    if (recovery > 0) level *= 1 - recovery * clamp(1 - k / 6, 0, 1);
    const declining = m >= declineFrom;
    if (declining)
      level *= 1 - declineDepth * clamp((m - declineFrom + 1) / (defaultMonth - declineFrom + 1), 0, 1);
    const dipping = dip && m >= dipFrom && m < dipFrom + dipLength;
    if (dipping) level *= 1 - dipDepth;
    const stressed = declining || dipping;

    // The loan itself.
    let loanDays = 0;
    if (monthEnd >= firstMiss) loanDays = monthEnd - firstMiss + 1;
    else if (rng.chance(0.01 * Math.exp(0.6 * p.z))) loanDays = 1 + rng.int(29);
    const status: LoanStatus = m >= defaultMonth ? 'defaulted' : loanDays > 0 ? 'overdue' : 'performing';

    // Other lenders: a defaulter is late with them too (most of the time); others go late now and then. The
    // credit report also carries this loan, so it shows at least the loan's own days past due.
    if (p.defaulted && monthEnd >= firstMiss - 30 && rng.chance(0.7))
      otherDays = Math.max(otherDays + 30, loanDays);
    else if (otherDays > 0) otherDays = rng.chance(0.5) ? 0 : otherDays + 30;
    else if (rng.chance(lateProbability(p.z, false) * Math.max(1, facilities))) otherDays = 1 + rng.int(29);
    const bureauDays = Math.max(otherDays, loanDays);

    const flow = accountMonth(rng, o.account, level * (stressed ? 0.9 : 1), balance);
    balance = flow.balance;
    const util = utilityMonth(rng, p, o.utility, level, arrears, stressed);
    arrears = util.arrears;
    headcount = headcountStep(rng, p, headcount, stressed);
    const judicial = rng.poisson(judicialRate * (declining ? 4 : 1) * (status === 'defaulted' ? 3 : 1));

    out.push({
      borrowerId: p.id,
      month: isoMonth(m),
      monthsOnBook: k,
      loanBalance: loan.amount,
      loanOverdueDays: loanDays,
      loanStatus: status,
      taxRevenue: has('tax') ? yuan(level * o.taxRatio) : null,
      bankInflow: has('bankFlows') ? yuan(flow.inflow) : null,
      bankEndBalance: has('bankFlows') ? yuan(balance) : null,
      bureauOverdueDays: has('bureau.enterprise') || has('bureau.owner') ? bureauDays : null,
      bureauClass:
        has('bureau.enterprise') || has('bureau.owner') ? classOf(Math.ceil(bureauDays / 30), 0) : null,
      newJudicialEvents: has('judicial') ? judicial : null,
      electricityKwh: has('utilities') ? yuan(util.kwh) : null,
      utilityArrears: has('utilities') ? yuan(util.arrears) : null,
      insuredHeadcount: has('socialInsurance') ? headcount : null,
    });
    if (status === 'defaulted') break;
  }
  return out;
}
