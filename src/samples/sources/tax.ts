import type { Rng } from '../../core/rng.js';
import type { Tax, TaxFiling } from '../../ingest/schemas.js';
import { isoMonth, quarterOf } from '../calendar.js';
import { yuan } from '../money.js';
import type { BorrowerProfile } from '../profile.js';
import { sigmoid } from '../risk.js';

/** Small-scale taxpayers pay no VAT on quarterly sales up to 30万 and 1% above it (2023-2027 relief). */
const SMALL_SCALE_EXEMPT_QUARTER = 300_000;
const SMALL_SCALE_RATE = 0.01;
/** Small low-profit enterprises pay an effective 5% corporate income tax. */
const SMALL_PROFIT_CIT = 0.05;

/** Whether a borrower files VAT monthly as a general taxpayer (一般纳税人) or quarterly as a small-scale one. */
export function isGeneralTaxpayer(rng: Rng, p: BorrowerProfile): boolean {
  return p.entity.type === 'company' && (p.annualRevenue > 5_000_000 || rng.chance(0.3));
}

/** The share of revenue a borrower reports to the tax bureau (cash sales of small shops go unreported). */
function reportingRatio(rng: Rng, p: BorrowerProfile): number {
  switch (p.entity.type) {
    case 'company':
      return rng.between(0.9, 1);
    case 'cooperative':
      return rng.between(0.6, 0.95);
    case 'individual_business':
      return rng.between(0.45, 0.9);
    case 'farmer':
      return rng.between(0.3, 0.8);
  }
}

/**
 * The tax credit grade (纳税信用等级): M for firms under a year old, otherwise a noisy view of z. Individual
 * businesses often have none and farmers never do.
 */
function creditGrade(rng: Rng, p: BorrowerProfile): Tax['creditGrade'] {
  if (p.entity.type === 'farmer') return undefined;
  if (p.entity.type === 'individual_business' && rng.chance(0.4)) return undefined;
  if (p.ageYears < 1) return 'M';
  const s = -p.z + rng.normal(0, 1.1);
  return s > 1.1 ? 'A' : s > -0.5 ? 'B' : s > -1.1 ? 'M' : s > -2 ? 'C' : 'D';
}

/**
 * Tax filings over the window: monthly for general taxpayers, quarterly for small-scale ones, with reported
 * revenue, VAT and income tax. Risky borrowers file zero returns (零申报) more often, and their revenue path
 * already carries any drop before the as-of date. Also returns the share of revenue reported, for monitoring.
 */
export function drawTax(rng: Rng, p: BorrowerProfile, general: boolean): { tax: Tax; ratio: number } {
  const grade = creditGrade(rng, p);
  const ratio = reportingRatio(rng, p);
  const valueAddedShare = rng.between(0.15, 0.4);
  const margin = p.industry.sector.margin + rng.normal(0, 0.03) - 0.02 * p.z;
  const zeroBase = 0.015 + 0.12 * sigmoid(1.5 * p.z - 2.5);
  const filings: TaxFiling[] = [];
  const zeroAt = (t: number): boolean =>
    rng.chance(p.distressFrom >= 0 && t >= p.distressFrom ? zeroBase * 3 : zeroBase);

  if (general) {
    let quarterProfit = 0;
    for (let t = 0; t < p.months; t++) {
      const month = p.windowStart + t;
      if (month < p.activeFrom) continue;
      const revenue = zeroAt(t) ? 0 : (p.revenue[t] as number) * ratio;
      quarterProfit += revenue * margin;
      const quarterEnd = month % 3 === 2;
      const incomeTax = quarterEnd ? Math.max(0, quarterProfit) * SMALL_PROFIT_CIT : 0;
      if (quarterEnd) quarterProfit = 0;
      filings.push({
        period: isoMonth(month),
        revenue: yuan(revenue),
        vat: yuan(revenue * p.industry.sector.vatRate * valueAddedShare),
        incomeTax: yuan(incomeTax),
      });
    }
    return { tax: grade === undefined ? { filings } : { creditGrade: grade, filings }, ratio };
  }

  // Quarterly filings cover whole quarters that end before the as-of month.
  const first = Math.ceil(p.windowStart / 3) * 3;
  for (let q = first; q + 2 < p.asOfMonth; q += 3) {
    if (q + 2 < p.activeFrom) continue;
    let revenue = 0;
    for (let k = 0; k < 3; k++) {
      const t = q + k - p.windowStart;
      if (t >= 0 && q + k >= p.activeFrom) revenue += (p.revenue[t] as number) * ratio;
    }
    if (zeroAt(q + 2 - p.windowStart)) revenue = 0;
    const vat = revenue > SMALL_SCALE_EXEMPT_QUARTER ? revenue * SMALL_SCALE_RATE : 0;
    let incomeTax = 0;
    if (p.entity.type === 'company') incomeTax = Math.max(0, revenue * margin) * SMALL_PROFIT_CIT;
    else if (p.entity.type === 'individual_business' && revenue > SMALL_SCALE_EXEMPT_QUARTER)
      incomeTax = revenue * rng.between(0.005, 0.012);
    filings.push({
      period: quarterOf(q),
      revenue: yuan(revenue),
      vat: yuan(vat),
      incomeTax: yuan(incomeTax),
    });
  }
  return { tax: grade === undefined ? { filings } : { creditGrade: grade, filings }, ratio };
}
