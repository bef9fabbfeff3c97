import type { Agreement, Bank } from '../ingest/partners.js';
import type { EntityType } from './catalog/entity-types.js';

/** What the sample's own bank and programme assignment looks at (the matcher proper lives in matching/). */
export interface LoanFacts {
  readonly region: string;
  readonly industry: string;
  readonly entityType: EntityType;
  readonly amount: number;
  readonly tenorMonths: number;
  readonly sciTech: boolean;
}

function inRegions(regions: readonly string[], region: string): boolean {
  return regions.length === 0 || regions.some((r) => region.startsWith(r));
}

function excluded(prefixes: readonly string[], industry: string): boolean {
  return prefixes.some((x) => industry.startsWith(x));
}

/** Whether a loan meets an agreement's eligibility, amount and tenor ranges. */
export function fitsAgreement(a: Agreement, f: LoanFacts): boolean {
  const e = a.eligibility;
  return (
    inRegions(e.regions, f.region) &&
    !excluded(e.industriesExcluded, f.industry) &&
    e.entityTypes.includes(f.entityType) &&
    f.amount >= e.amount.min &&
    f.amount <= e.amount.max &&
    f.tenorMonths >= a.tenorMonths.min &&
    f.tenorMonths <= a.tenorMonths.max &&
    (!e.sciTechOnly || f.sciTech)
  );
}

/** Whether a loan meets a bank's hard preferences under an agreement's business mode. */
export function fitsBank(b: Bank, a: Agreement, f: LoanFacts): boolean {
  return (
    b.businessModes.includes(a.businessMode) &&
    inRegions(b.regions, f.region) &&
    !excluded(b.industries.excluded, f.industry) &&
    b.entityTypes.includes(f.entityType) &&
    f.amount >= b.amount.min &&
    f.amount <= b.amount.max &&
    f.tenorMonths >= b.tenorMonths.min &&
    f.tenorMonths <= b.tenorMonths.max
  );
}
