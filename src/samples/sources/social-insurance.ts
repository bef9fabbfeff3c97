import type { Rng } from '../../core/rng.js';
import type { SocialInsuranceMonth } from '../../ingest/schemas.js';
import { isoMonth } from '../calendar.js';
import type { BorrowerProfile } from '../profile.js';
import { sigmoid } from '../risk.js';

/** The insured headcount a borrower starts the window with (companies insure most staff, shops few). */
export function insuredBase(rng: Rng, p: BorrowerProfile): number {
  const coverage =
    p.entity.type === 'company'
      ? rng.between(0.5, 1)
      : p.entity.type === 'cooperative'
        ? rng.between(0.2, 0.6)
        : rng.between(0.1, 0.5);
  // Riskier firms insure fewer of their staff (社保 arrears and informal hiring).
  return Math.max(
    p.entity.type === 'company' ? 1 : 0,
    Math.round(p.employees * coverage * Math.exp(-0.15 * p.z)),
  );
}

/** One month's headcount change: staff follow revenue with a lag, and a drop sheds insured staff. */
export function headcountStep(rng: Rng, p: BorrowerProfile, count: number, stressed: boolean): number {
  let next = count;
  if (stressed && next > 0 && rng.chance(0.35)) next -= 1 + rng.int(Math.max(1, Math.ceil(next * 0.15)));
  else if (rng.chance(0.1)) next += rng.chance(sigmoid(-0.8 * p.z)) ? 1 : -1;
  return Math.max(0, next);
}

/**
 * Monthly insured headcount (社保参保人数). Signals: a shrinking or zero headcount, lay-offs during a drop.
 */
export function drawSocialInsurance(
  rng: Rng,
  p: BorrowerProfile,
  start: number,
): { rows: SocialInsuranceMonth[]; count: number } {
  const rows: SocialInsuranceMonth[] = [];
  let count = start;
  for (let t = 0; t < p.months; t++) {
    const m = p.windowStart + t;
    if (m < p.activeFrom) continue;
    count = headcountStep(rng, p, count, p.distressFrom >= 0 && t >= p.distressFrom);
    rows.push({ month: isoMonth(m), insuredHeadcount: count });
  }
  return { rows, count };
}
