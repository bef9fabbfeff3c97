import type { Rng } from '../../core/rng.js';
import type { BureauReport, Facility, Owner } from '../../ingest/schemas.js';
import { isoDay, monthOfDay } from '../calendar.js';
import { ceilTo, roundTo, yuan } from '../money.js';
import type { BorrowerProfile } from '../profile.js';

/** A facility goes late in a month with probability LATE_BASE·exp(LATE_SLOPE·z); a late one stays late half the time. */
const LATE_BASE = 0.0015;
const LATE_SLOPE = 1.2;
const LATE_PERSIST = 0.5;

type LoanClass = Facility['class'];

/** The 2023 five-tier rule (domain.md §5.2): any overdue ≥ special mention; > 90 days ≥ substandard; > 180 doubtful. */
export function classOf(monthsPastDue: number, recentWorst: number): LoanClass {
  if (monthsPastDue >= 7) return 'doubtful';
  if (monthsPastDue >= 4) return 'substandard';
  if (monthsPastDue >= 1 || recentWorst >= 3) return 'special_mention';
  return 'normal';
}

/** The monthly late probability of a facility for a latent risk z. */
export function lateProbability(z: number, cards: boolean): number {
  return LATE_BASE * (cards ? 1.5 : 1) * Math.exp(LATE_SLOPE * z);
}

function facility(
  rng: Rng,
  p: BorrowerProfile,
  type: Facility['type'],
  openDay: number,
  limit: number,
  balance: number,
): Facility {
  const months = Math.max(1, Math.min(24, monthOfDay(p.asOfDay) - monthOfDay(openDay)));
  const q = lateProbability(p.z, type === 'credit_card');
  const history: number[] = [];
  let state = 0;
  for (let k = 0; k < months; k++) {
    if (state > 0) state = rng.chance(LATE_PERSIST) ? Math.min(7, state + 1) : 0;
    else if (rng.chance(q)) state = 1;
    history.push(state);
  }
  const last = history[history.length - 1] as number;
  let recentWorst = 0;
  for (let k = Math.max(0, history.length - 12); k < history.length; k++)
    recentWorst = Math.max(recentWorst, history[k] as number);
  const overdueDays = last > 0 ? 30 * (last - 1) + 1 + rng.int(30) : 0;
  const overdueAmount = last > 0 ? Math.min(balance, balance * rng.between(0.03, 0.12) * last) : 0;
  return {
    type,
    openDate: isoDay(openDay),
    limit: yuan(limit),
    balance: yuan(balance),
    overdueDays,
    overdueAmount: yuan(overdueAmount),
    class: classOf(last, recentWorst),
    overdueHistory: history,
  };
}

/** An opening date within `maxDaysAgo` of the as-of date; a firm's own loans start after it was founded. */
function openDay(rng: Rng, p: BorrowerProfile, maxDaysAgo: number, firm: boolean): number {
  const earliest = Math.max(firm ? p.establishedDay + 30 : -Infinity, p.asOfDay - maxDaysAgo);
  return earliest + rng.int(Math.max(1, p.asOfDay - 30 - earliest));
}

function inquiries(rng: Rng, p: BorrowerProfile, loans: number): BureauReport['inquiries'] {
  const list: { day: number; reason: BureauReport['inquiries'][number]['reason'] }[] = [];
  // Credit hunger: risky borrowers shop around at many lenders before coming to the guarantor.
  const approvals = rng.poisson(0.8 * Math.exp(0.45 * p.z));
  for (let k = 0; k < approvals; k++)
    list.push({ day: p.asOfDay - 1 - rng.int(365), reason: 'loan_approval' });
  const postLoan = rng.poisson(0.3 * loans);
  for (let k = 0; k < postLoan; k++) list.push({ day: p.asOfDay - 1 - rng.int(365), reason: 'post_loan' });
  if (rng.chance(0.7)) list.push({ day: p.asOfDay - rng.int(10), reason: 'guarantee' });
  if (rng.chance(0.05)) list.push({ day: p.asOfDay - 1 - rng.int(365), reason: 'other' });
  list.sort((a, b) => a.day - b.day);
  return list.map((i) => ({ date: isoDay(i.day), reason: i.reason }));
}

function guarantees(rng: Rng, p: BorrowerProfile, base: number): BureauReport['guaranteesGiven'] {
  const n = rng.poisson(base + 0.12 * Math.max(0, p.z));
  const out: BureauReport['guaranteesGiven'] = [];
  for (let k = 0; k < n; k++) {
    const bad = p.z > 1.2 && rng.chance(0.15);
    out.push({ amount: roundTo(rng.between(100_000, 3_000_000)), class: bad ? 'special_mention' : 'normal' });
  }
  return out;
}

/**
 * The enterprise credit report (企业征信): bank loans sized on revenue (none for a first-time borrower),
 * guarantees given, and inquiries. Signals: late months in the repayment grid, current overdue, bad classes,
 * many loan-approval inquiries.
 */
export function drawEnterpriseBureau(rng: Rng, p: BorrowerProfile): BureauReport {
  const facilities: Facility[] = [];
  const nLoans = p.firstLoan
    ? 0
    : 1 + rng.poisson(0.3 + 0.5 * Math.max(0, Math.log10(p.annualRevenue / 1e6)));
  for (let k = 0; k < nLoans; k++) {
    const limit = roundTo(p.annualRevenue * rng.between(0.05, 0.25));
    const type = rng.chance(0.9) ? 'loan' : 'other';
    facilities.push(facility(rng, p, type, openDay(rng, p, 1500, true), limit, limit * rng.between(0.5, 1)));
  }
  return { facilities, guaranteesGiven: guarantees(rng, p, 0.2), inquiries: inquiries(rng, p, nLoans) };
}

/**
 * The owner's personal credit report (个人征信): a mortgage loan and personal business loans matching the
 * household's debts, credit cards carrying the consumer debt, guarantees given, and inquiries.
 */
export function drawOwnerBureau(rng: Rng, p: BorrowerProfile, owner: Owner): BureauReport {
  const facilities: Facility[] = [];
  const debts = owner.liabilities;
  if (debts.mortgage > 0) {
    const limit = ceilTo(debts.mortgage * rng.between(1.1, 1.6));
    facilities.push(facility(rng, p, 'loan', openDay(rng, p, 3650, false), limit, debts.mortgage));
  }
  if (debts.business > 0) {
    const n = debts.business > 300_000 && rng.chance(0.5) ? 2 : 1;
    for (let k = 0; k < n; k++) {
      const balance = debts.business / n;
      const limit = ceilTo(balance * rng.between(1, 1.3));
      facilities.push(facility(rng, p, 'loan', openDay(rng, p, 1100, false), limit, balance));
    }
  }
  const cards = rng.poisson(1.1 + 0.3 * Math.max(0, p.z));
  for (let k = 0; k < cards; k++) {
    const balance = debts.consumer / cards;
    const limit = Math.max(roundTo(rng.between(10_000, 100_000)), ceilTo(balance * 1.1));
    facilities.push(facility(rng, p, 'credit_card', openDay(rng, p, 3000, false), limit, balance));
  }
  if (cards === 0 && debts.consumer > 0) {
    const limit = ceilTo(debts.consumer * rng.between(1, 1.2));
    facilities.push(facility(rng, p, 'loan', openDay(rng, p, 700, false), limit, debts.consumer));
  }
  return {
    facilities,
    guaranteesGiven: guarantees(rng, p, 0.15),
    inquiries: inquiries(rng, p, facilities.length),
  };
}
