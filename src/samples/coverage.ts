import type { Rng } from '../core/rng.js';
import type { SourceTag } from '../ingest/layout.js';
import type { EntityType } from './catalog/entity-types.js';
import type { BorrowerProfile } from './profile.js';

/**
 * The chance that each source was collected, by entity type (README "Missing sources"). Farmers rarely file
 * taxes or insure staff; individual businesses seldom have an enterprise credit report. Invoices come through
 * the tax bureau, so they are only collected when tax is.
 */
export const COVERAGE: Readonly<Record<SourceTag, Readonly<Record<EntityType, number>>>> = {
  enterprise: { company: 0.97, individual_business: 0.95, farmer: 0.9, cooperative: 0.97 },
  owner: { company: 0.85, individual_business: 0.9, farmer: 0.92, cooperative: 0.8 },
  tax: { company: 0.92, individual_business: 0.6, farmer: 0.15, cooperative: 0.7 },
  invoices: { company: 0.9, individual_business: 0.55, farmer: 0.4, cooperative: 0.65 },
  bankFlows: { company: 0.72, individual_business: 0.6, farmer: 0.45, cooperative: 0.65 },
  'bureau.enterprise': { company: 0.8, individual_business: 0.15, farmer: 0, cooperative: 0.6 },
  'bureau.owner': { company: 0.85, individual_business: 0.9, farmer: 0.9, cooperative: 0.8 },
  judicial: { company: 0.95, individual_business: 0.9, farmer: 0.85, cooperative: 0.95 },
  utilities: { company: 0.6, individual_business: 0.55, farmer: 0.3, cooperative: 0.45 },
  socialInsurance: { company: 0.85, individual_business: 0.35, farmer: 0.05, cooperative: 0.5 },
};

/** Riskier borrowers hand over a little less data: the odds of a source being absent grow by this per unit of z. */
const ABSENCE_SLOPE = 0.15;

/** Which sources a borrower's application carries. */
export function drawCoverage(rng: Rng, p: BorrowerProfile): Set<SourceTag> {
  const present = new Set<SourceTag>();
  for (const tag of Object.keys(COVERAGE) as SourceTag[]) {
    const base = COVERAGE[tag][p.entity.type];
    if (base <= 0) {
      rng.uniform();
      continue;
    }
    const odds = (base / (1 - Math.min(base, 0.999))) * Math.exp(-ABSENCE_SLOPE * p.z);
    const chance = odds / (1 + odds);
    if (rng.chance(chance)) present.add(tag);
  }
  if (!present.has('tax')) present.delete('invoices');
  return present;
}
