import type { ENTITY_TYPES } from '../../ingest/schemas.js';

/** An entity type of ingest's schema: company, individual_business, farmer, cooperative. */
export type EntityType = (typeof ENTITY_TYPES)[number];

/** Per-entity-type parameters of the sample (README "Entities and sizes"). */
export interface EntityProfile {
  readonly type: EntityType;
  /** Share of borrowers. */
  readonly weight: number;
  /** Median annual revenue (yuan) and the sd of its logarithm. */
  readonly medianRevenue: number;
  readonly revenueSd: number;
  /** Median firm age in years and the sd of its logarithm. */
  readonly medianAge: number;
  readonly ageSd: number;
  /** Additive offset to the latent risk z. */
  readonly risk: number;
  /** Revenue per employee, yuan. */
  readonly revenuePerEmployee: number;
  /** Prefix of the unified social credit code: registration authority and category (GB 32100). */
  readonly codePrefix: string;
}

/**
 * Individual businesses and farmers are the commonest borrowers of a policy guarantor (domain.md §3.4: ≥80%
 * small/micro and farming), so they carry most of the weight.
 */
export const ENTITY_PROFILES: readonly EntityProfile[] = [
  {
    type: 'company',
    weight: 0.3,
    medianRevenue: 3_500_000,
    revenueSd: 0.9,
    medianAge: 5.5,
    ageSd: 0.7,
    risk: 0,
    revenuePerEmployee: 400_000,
    codePrefix: '91',
  },
  {
    type: 'individual_business',
    weight: 0.44,
    medianRevenue: 500_000,
    revenueSd: 0.8,
    medianAge: 4.5,
    ageSd: 0.75,
    risk: 0.1,
    revenuePerEmployee: 180_000,
    codePrefix: '92',
  },
  {
    type: 'farmer',
    weight: 0.19,
    medianRevenue: 220_000,
    revenueSd: 0.7,
    medianAge: 9,
    ageSd: 0.6,
    risk: 0.15,
    revenuePerEmployee: 90_000,
    codePrefix: '92',
  },
  {
    type: 'cooperative',
    weight: 0.07,
    medianRevenue: 1_200_000,
    revenueSd: 0.8,
    medianAge: 6,
    ageSd: 0.6,
    risk: 0.1,
    revenuePerEmployee: 150_000,
    codePrefix: '93',
  },
];
