import type { Rng } from '../../core/rng.js';
import type { Owner } from '../../ingest/schemas.js';
import { yuan } from '../money.js';
import type { BorrowerProfile } from '../profile.js';

/**
 * The owner's household (实际控制人及家庭): size, income, assets and debts. Debt is the profile's debt-to-income
 * times income, so household leverage feeds the latent risk; deposits are thinner for riskier households.
 */
export function drawOwner(rng: Rng, p: BorrowerProfile): Owner {
  const adults = p.marital === 'married' ? 2 : 1;
  const children = p.marital === 'single' ? 0 : Math.min(3, rng.poisson(p.ownerAge < 35 ? 0.9 : 1.4));
  const elders = rng.chance(0.3) ? 1 + (rng.chance(0.4) ? 1 : 0) : 0;
  const workingChild = p.ownerAge > 48 && rng.chance(0.3) ? 1 : 0;
  const dependents = children + elders;
  const income = p.householdIncome;

  const ownsHome = rng.chance(0.55 + (income > 200_000 ? 0.2 : 0));
  const property = ownsHome
    ? p.region.homePrice * Math.exp(rng.normal(0, 0.4)) * Math.min(2.5, (income / 150_000) ** 0.3)
    : 0;
  const vehicles = rng.chance(0.6)
    ? rng.between(50_000, 150_000) * Math.min(3, (income / 150_000) ** 0.4)
    : 0;
  const deposits = income * Math.exp(rng.normal(Math.log(0.45) - 0.35 * p.z, 0.7));

  const debt = p.dti * income;
  const mortgage = ownsHome && debt > 0 ? debt * rng.between(0.3, 0.75) : 0;
  const consumer = (debt - mortgage) * rng.between(0.1, 0.45);
  const business = debt - mortgage - consumer;

  return {
    age: p.ownerAge,
    maritalStatus: p.marital,
    householdSize: adults + dependents + workingChild,
    dependents,
    annualIncome: yuan(income),
    assets: { property: yuan(property), vehicles: yuan(vehicles), deposits: yuan(deposits) },
    liabilities: { mortgage: yuan(mortgage), consumer: yuan(consumer), business: yuan(business) },
  };
}
