import type { Assessment } from '../decisions/assessment.js';
import { type Agreement, type Bank, RISK_GRADES } from '../ingest/partners.js';
import { pairAmount, requestedTenor } from './eligibility.js';
import { roundFen } from './money.js';

/** Defaults of pair economics; each is configurable. */
export const ECONOMICS_DEFAULTS = {
  /**
   * 1-year and 5-year LPR, which banks quote their rates over (domain.md §8: the floor is an LPR spread).
   * Recall, not from domain.md (which gives the market: new loans ~3.43% in Dec 2024, §7.3): set them to the
   * current LPR.
   */
  lpr1y: 0.03,
  lpr5y: 0.035,
  /** Loss given default after recoveries (inferred; configurable). */
  lgd: 0.6,
  /** The bank's funding cost, for its margin (inferred). */
  fundingCost: 0.02,
  /** Interest or fee subsidy to the borrower (domain.md §4: some pools pay part of it); default none. */
  subsidy: 0,
} as const;

/** Options of pair economics (see ECONOMICS_DEFAULTS). */
export type EconomicsOptions = { -readonly [K in keyof typeof ECONOMICS_DEFAULTS]: number };

/** The money of one borrower × bank × agreement pair, yuan to the fen for the tenor. */
export interface PairEconomics {
  readonly amount: number;
  readonly rate: number;
  readonly rateRange: { readonly min: number; readonly max: number };
  readonly feeRate: number;
  readonly pd: number;
  readonly expectedLoss: number;
  /** Expected loss per party (PD × LGD × amount × share). */
  readonly lossByParty: readonly { readonly role: string; readonly name: string; readonly amount: number }[];
  /** Expected compensation the programme pays (PD × amount × coverage ratio), for the cap row. */
  readonly expectedCompensation: number;
  readonly feeIncome: number;
  readonly reGuaranteeFee: number;
  readonly bankMargin: number;
  /** Rate + fee − subsidy, annual. */
  readonly borrowerAllIn: number;
  readonly guarantorNetValue: number;
}

/**
 * Computes one pair's economics. Rate: between the bank's floor and cap (LPR + spread) by grade, the best grade
 * at the floor. Fee: the assessment's risk-based fee within the programme's fee.
 * @example pairEconomics(assessment, bank, agreement).guarantorNetValue
 */
export function pairEconomics(
  a: Assessment,
  bank: Bank,
  ag: Agreement,
  opts: Partial<EconomicsOptions> = {},
): PairEconomics {
  const o = { ...ECONOMICS_DEFAULTS, ...opts };
  const amount = pairAmount(a, bank, ag);
  const pd = a.pd ?? 1;
  const years = requestedTenor(a) / 12;
  const gi = a.grade === null ? RISK_GRADES.length - 1 : RISK_GRADES.indexOf(a.grade);
  const lpr = bank.rate.reference === '5y' ? o.lpr5y : o.lpr1y;
  const floor = lpr + bank.rate.floorSpread;
  const max = lpr + bank.rate.capSpread;
  const rate = floor + ((max - floor) * gi) / (RISK_GRADES.length - 1);
  const feeRate = Math.min(a.fee?.rate ?? ag.fees.guarantee, ag.fees.guarantee);
  const el = pd * o.lgd * amount;
  const lossByParty = ag.parties.map((p) => ({ role: p.role, name: p.name, amount: roundFen(el * p.share) }));
  const retained = ag.parties.filter((p) => p.role === 'guarantor').reduce((s, p) => s + el * p.share, 0);
  const bankShare = ag.parties.filter((p) => p.role === 'bank').reduce((s, p) => s + p.share, 0);
  const upstream = ag.parties.some((p) => p.role === 're_guarantor' || p.role === 'national_fund');
  const feeIncome = amount * feeRate * years;
  const reFee = upstream ? amount * ag.fees.reGuarantee * years : 0;
  return {
    amount: roundFen(amount),
    rate,
    rateRange: { min: floor, max },
    feeRate,
    pd,
    expectedLoss: roundFen(el),
    lossByParty,
    expectedCompensation: roundFen(pd * amount * ag.coverage.ratio),
    feeIncome: roundFen(feeIncome),
    reGuaranteeFee: roundFen(reFee),
    bankMargin: roundFen(amount * (rate + bank.feeRate - o.fundingCost) * years - el * bankShare),
    borrowerAllIn: rate + feeRate - o.subsidy,
    guarantorNetValue: roundFen(feeIncome - retained - reFee),
  };
}
