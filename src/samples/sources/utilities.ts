import type { Rng } from '../../core/rng.js';
import type { UtilityMonth } from '../../ingest/schemas.js';
import { isoMonth } from '../calendar.js';
import { yuan } from '../money.js';
import type { BorrowerProfile } from '../profile.js';
import { sigmoid } from '../risk.js';

/** Tariffs used to turn usage into a bill when arrears build up (yuan per kWh, per ton). */
const POWER_PRICE = 0.75;
const WATER_PRICE = 4.5;

/** The state of a borrower's utility accounts that monitoring carries on. */
export interface UtilityState {
  readonly kwhPerYuan: number;
  /** Monthly chance of falling into arrears. */
  readonly arrearsRate: number;
  readonly arrears: number;
}

/** How a borrower uses power and water, and how often it falls behind on the bills. */
export function utilityState(rng: Rng, p: BorrowerProfile): UtilityState {
  return {
    kwhPerYuan: p.industry.sector.kwhPerYuan * Math.exp(rng.normal(0, 0.35)),
    arrearsRate: 0.008 + 0.08 * sigmoid(1.3 * p.z - 1.5),
    arrears: 0,
  };
}

/** One month of usage and arrears given the revenue; production stops cut usage more than sales. */
export function utilityMonth(
  rng: Rng,
  p: BorrowerProfile,
  state: UtilityState,
  revenue: number,
  arrears: number,
  stressed: boolean,
): { kwh: number; water: number; arrears: number } {
  const floor = 30 + 20 * rng.uniform();
  const kwh = floor + revenue * state.kwhPerYuan * (stressed ? 0.8 : 1) * Math.exp(rng.normal(0, 0.1));
  const water = kwh * p.industry.sector.waterPerKwh * Math.exp(rng.normal(0, 0.15));
  const bill = kwh * POWER_PRICE + water * WATER_PRICE;
  let owed = arrears;
  if (owed > 0) owed = rng.chance(0.55) ? owed + bill : 0;
  else if (rng.chance(stressed ? state.arrearsRate * 3 : state.arrearsRate)) owed = bill;
  return { kwh, water, arrears: owed };
}

/**
 * Monthly electricity and water use with arrears (水电). Usage follows revenue through an industry intensity;
 * arrears are rare and persistent, more frequent for risky borrowers and during a revenue drop.
 */
export function drawUtilities(
  rng: Rng,
  p: BorrowerProfile,
  state: UtilityState,
): { rows: UtilityMonth[]; arrears: number } {
  const rows: UtilityMonth[] = [];
  let arrears = state.arrears;
  for (let t = 0; t < p.months; t++) {
    const m = p.windowStart + t;
    if (m < p.activeFrom) continue;
    const stressed = p.distressFrom >= 0 && t >= p.distressFrom;
    const step = utilityMonth(rng, p, state, p.revenue[t] as number, arrears, stressed);
    arrears = step.arrears;
    rows.push({
      month: isoMonth(m),
      electricityKwh: yuan(step.kwh),
      waterTons: Math.round(step.water * 10) / 10,
      arrears: yuan(step.arrears),
    });
  }
  return { rows, arrears };
}
