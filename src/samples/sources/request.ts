import type { Rng } from '../../core/rng.js';
import type { Agreement } from '../../ingest/partners.js';
import type { LoanRequest } from '../../ingest/schemas.js';
import { fitsAgreement, type LoanFacts } from '../eligibility.js';
import { roundTo } from '../money.js';
import type { BorrowerProfile } from '../profile.js';

/** Request bounds per entity type, yuan (the policy core is ≤ 1000万; farmers borrow 5-50万). */
const BOUNDS = {
  company: [100_000, 10_000_000],
  individual_business: [50_000, 3_000_000],
  farmer: [30_000, 500_000],
  cooperative: [100_000, 5_000_000],
} as const;

const TENORS = [6, 12, 24, 36] as const;
const TENOR_WEIGHTS = [0.1, 0.6, 0.15, 0.15];

/** The facts of a request that eligibility looks at. */
export function loanFacts(p: BorrowerProfile, request: LoanRequest): LoanFacts {
  return {
    region: p.region.code,
    industry: p.industry.code,
    entityType: p.entity.type,
    amount: request.amount,
    tenorMonths: request.tenorMonths,
    sciTech: p.highTech || p.specialised,
  };
}

/**
 * The loan request (申请): an amount of 10-40% of annual revenue (riskier borrowers ask for more), rounded to
 * 1万 (5万 above 100万); a tenor; a purpose; and, for about half, a programme the borrower fits.
 */
export function drawRequest(rng: Rng, p: BorrowerProfile, agreements: readonly Agreement[]): LoanRequest {
  const [lo, hi] = BOUNDS[p.entity.type];
  const raw = p.annualRevenue * 0.2 * Math.exp(rng.normal(0.12 * p.z, 0.45));
  const clamped = Math.min(hi, Math.max(lo, raw));
  const amount = roundTo(clamped, clamped > 1_000_000 ? 50_000 : 10_000);
  const tenorMonths = p.entity.type === 'farmer' ? 12 : (TENORS[rng.weighted(TENOR_WEIGHTS)] as number);
  const u = rng.uniform();
  const purpose =
    u < (p.highTech ? 0.55 : 0.7)
      ? 'working_capital'
      : u < 0.82
        ? 'equipment'
        : u < (p.highTech ? 0.95 : 0.86)
          ? 'technology'
          : u < 0.92
            ? 'premises'
            : 'other';
  const request: LoanRequest = { amount, tenorMonths, purpose };
  if (rng.chance(0.5)) {
    const fits = agreements.filter((a) => fitsAgreement(a, loanFacts(p, request)));
    if (fits.length > 0) request.programme = (fits[rng.int(fits.length)] as Agreement).id;
  }
  return request;
}
