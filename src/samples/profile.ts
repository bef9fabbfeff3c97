import type { Rng } from '../core/rng.js';
import { calendarMonth, monthOfDay } from './calendar.js';
import { ENTITY_PROFILES, type EntityProfile } from './catalog/entity-types.js';
import { INDUSTRIES, type Industry, industryWeights } from './catalog/industries.js';
import { personName } from './catalog/names.js';
import { REGIONS, type Region } from './catalog/regions.js';
import { clamp, RISK_MODEL as R, sigmoid } from './risk.js';

/** Marital status codes of ingest's owner schema. */
export type Marital = 'single' | 'married' | 'divorced' | 'widowed';

/**
 * The generator's hidden state for one borrower: who it is, its latent risk and outcome, and its monthly revenue
 * path over the history window. Sources are drawn from this; monitoring continues it after the as-of date.
 */
export interface BorrowerProfile {
  readonly index: number;
  readonly id: string;
  readonly entity: EntityProfile;
  readonly industry: Industry;
  readonly region: Region;
  readonly asOfDay: number;
  /** Month index of the as-of date; the history window ends the month before it. */
  readonly asOfMonth: number;
  /** Month index of the first month of the history window. */
  readonly windowStart: number;
  readonly months: number;
  readonly establishedDay: number;
  readonly ageYears: number;
  /** Month index of the first month with activity (the month after establishment, or the window start). */
  readonly activeFrom: number;
  readonly annualRevenue: number;
  readonly employees: number;
  readonly highTech: boolean;
  readonly specialised: boolean;
  /** A first-time borrower (首贷户): no loan in the enterprise credit report. */
  readonly firstLoan: boolean;
  readonly ownerName: string;
  readonly ownerAge: number;
  readonly marital: Marital;
  /** Annual household income, yuan. */
  readonly householdIncome: number;
  /** Household debt ÷ annual household income. */
  readonly dti: number;
  readonly structural: number;
  readonly health: number;
  /** The latent risk: higher is riskier, about N(0.2, 1). */
  readonly z: number;
  /** The true 12-month PD. */
  readonly pd: number;
  readonly defaulted: boolean;
  /** The default date as a day number, or -1. */
  readonly defaultDay: number;
  /** Annual revenue growth. */
  readonly growth: number;
  /** First window month of a revenue drop before the as-of date and its final depth, or -1 / 0. */
  readonly distressFrom: number;
  readonly distressDepth: number;
  /** Monthly revenue over the window, oldest first (0 before the firm existed). */
  readonly revenue: Float64Array;
  /** The last value of the revenue noise process, so monitoring can continue it. */
  readonly revenueNoise: number;
}

const ENTITY_WEIGHTS = ENTITY_PROFILES.map((e) => e.weight);
const REGION_WEIGHTS = REGIONS.map((r) => r.weight);
const INDUSTRY_WEIGHTS = new Map(ENTITY_PROFILES.map((e) => [e.type, Array.from(industryWeights(e.type))]));

/** The seasonal factor of an industry's revenue in a month index. */
export function seasonal(industry: Industry, month: number): number {
  const s = industry.sector;
  return 1 + s.seasonAmp * Math.cos((2 * Math.PI * (calendarMonth(month) - s.seasonPeak)) / 12);
}

/** The revenue noise sd of an entity type (individual businesses and farmers are more volatile). */
export function revenueNoiseSd(entity: EntityProfile): number {
  return entity.type === 'company' ? 0.1 : 0.16;
}

/** Options of `drawProfile`. */
export interface ProfileSpec {
  readonly index: number;
  readonly id: string;
  readonly asOfEndDay: number;
  readonly months: number;
}

/**
 * Draws one borrower's profile: entity, industry, region, dates, size, owner household, latent risk, outcome and
 * revenue path. The order of draws is fixed, so the same stream gives the same borrower.
 */
export function drawProfile(rng: Rng, spec: ProfileSpec): BorrowerProfile {
  const entity = ENTITY_PROFILES[rng.weighted(ENTITY_WEIGHTS)] as EntityProfile;
  const industry = INDUSTRIES[rng.weighted(INDUSTRY_WEIGHTS.get(entity.type) as number[])] as Industry;
  const region = REGIONS[rng.weighted(REGION_WEIGHTS)] as Region;

  // The as-of dates spread over the year that ends at asOfEnd.
  const asOfDay = spec.asOfEndDay - rng.int(365);
  const asOfMonth = monthOfDay(asOfDay);
  const windowStart = asOfMonth - spec.months;

  const ageYears = Math.max(0.25, entity.medianAge * Math.exp(rng.normal(0, entity.ageSd)));
  const establishedDay = asOfDay - Math.round(ageYears * 365.25);
  const activeFrom = Math.max(windowStart, monthOfDay(establishedDay) + 1);

  const sizeZ = rng.normal(0, 1);
  const logRevenue =
    Math.log(entity.medianRevenue) +
    industry.sector.sizeShift +
    region.sizeShift +
    entity.revenueSd * sizeZ +
    // Young firms have not grown yet.
    0.25 * Math.log(Math.min(ageYears, 5) / 5);
  const annualRevenue = Math.exp(logRevenue);
  const employees = Math.max(
    1,
    Math.round((annualRevenue / entity.revenuePerEmployee) * Math.exp(rng.normal(0, 0.35))),
  );
  const techSector = ['C', 'I', 'M'].includes(industry.code[0] as string);
  const highTech =
    entity.type === 'company' && techSector && rng.chance(industry.code[0] === 'C' ? 0.1 : 0.3);
  const specialised =
    entity.type === 'company' && industry.code[0] === 'C' && rng.chance(highTech ? 0.3 : 0.03);

  const firstLoan = rng.chance(ageYears < 2 ? 0.5 : 0.25);
  const ownerName = personName(rng);
  const ownerAge = Math.round(clamp(26 + Math.min(ageYears, 25) + rng.normal(8, 7), 20, 70));
  const mu = rng.uniform();
  const marital: Marital =
    ownerAge < 30 && mu < 0.45
      ? 'single'
      : mu < 0.84
        ? 'married'
        : mu < 0.93
          ? 'divorced'
          : ownerAge > 50 && mu < 0.97
            ? 'widowed'
            : 'married';
  const businessIncome =
    entity.type === 'company'
      ? Math.max(60_000, annualRevenue * industry.sector.margin * rng.between(0.3, 0.7))
      : annualRevenue * industry.sector.margin * rng.between(0.8, 1.6);
  const spouseIncome = marital === 'married' && rng.chance(0.6) ? rng.between(30_000, 100_000) : 0;
  const householdIncome = Math.max(24_000, businessIncome + spouseIncome);
  const debtFree = rng.chance(R.debtFreeShare);
  const dti = debtFree ? 0 : R.dtiMedian * Math.exp(rng.normal(0, R.dtiLogSd));

  const leverageSd = debtFree ? -1.5 : clamp(Math.log(dti / R.dtiMedian) / R.dtiLogSd, -1.5, 2.5);
  const youngTerm = R.youngFirm * Math.max(0, 1 - ageYears / R.youngYears);
  const matureTerm = R.matureFirm * clamp((ageYears - 5) / 10, 0, 1);
  const structural =
    industry.sector.risk +
    region.risk +
    entity.risk +
    R.sizeWeight * sizeZ +
    youngTerm -
    matureTerm +
    R.leverageWeight * leverageSd +
    (highTech || specialised ? -0.15 : 0);
  const health = rng.normal(0, R.healthSd);
  const z = structural + health;
  const pd = sigmoid(R.intercept + R.slope * z + rng.normal(0, R.noiseSd));
  const defaulted = rng.chance(pd);
  const defaultDay = defaulted
    ? asOfDay + R.defaultDayMin + rng.int(R.defaultDayMax - R.defaultDayMin + 1)
    : -1;

  const growth = rng.normal(R.growthMean + R.growthSlope * z, R.growthSd);
  const distressed = rng.chance(sigmoid(R.distressIntercept + R.distressSlope * z));
  const distressLength = 1 + rng.int(6);
  const distressDepth = distressed ? rng.between(0.15, 0.6) : 0;
  const distressFrom = distressed ? spec.months - distressLength : -1;

  const revenue = new Float64Array(spec.months);
  const base = annualRevenue / 12;
  const noiseSd = revenueNoiseSd(entity);
  let noise = 0;
  for (let t = 0; t < spec.months; t++) {
    noise = 0.5 * noise + rng.normal(0, noiseSd);
    const month = windowStart + t;
    if (month < activeFrom) continue;
    let level = base * Math.exp((growth * (t - (spec.months - 1))) / 12) * seasonal(industry, month);
    if (month === activeFrom && activeFrom > windowStart) level *= 0.5;
    if (distressed && t >= distressFrom)
      level *= 1 - (distressDepth * (t - distressFrom + 1)) / distressLength;
    revenue[t] = level * Math.exp(noise);
  }

  return {
    index: spec.index,
    id: spec.id,
    entity,
    industry,
    region,
    asOfDay,
    asOfMonth,
    windowStart,
    months: spec.months,
    establishedDay,
    ageYears,
    activeFrom,
    annualRevenue,
    employees,
    highTech,
    specialised,
    firstLoan,
    ownerName,
    ownerAge,
    marital,
    householdIncome,
    dti,
    structural,
    health,
    z,
    pd,
    defaulted,
    defaultDay,
    growth,
    distressFrom,
    distressDepth,
    revenue,
    revenueNoise: noise,
  };
}

/** The mean monthly revenue of a profile over its active window months (0 when none). */
export function meanRevenue(p: BorrowerProfile, fromT = 0, toT = p.months): number {
  let s = 0;
  let n = 0;
  for (let t = Math.max(0, fromT); t < Math.min(p.months, toT); t++) {
    if (p.windowStart + t < p.activeFrom) continue;
    s += p.revenue[t] as number;
    n++;
  }
  return n === 0 ? 0 : s / n;
}
