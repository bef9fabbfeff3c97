import type { Rng } from '../../core/rng.js';
import type { BankFlowMonth } from '../../ingest/schemas.js';
import { isoMonth } from '../calendar.js';
import { yuan } from '../money.js';
import type { BorrowerProfile } from '../profile.js';

/** The state of a borrower's main account that monitoring carries on after the as-of date. */
export interface AccountState {
  /** Share of revenue that passes through the account. */
  readonly throughput: number;
  /** Mean outflow ÷ inflow: above 1 drains the account. */
  readonly burn: number;
  readonly balance: number;
}

/** How a borrower's account behaves: riskier ones keep thinner buffers and spend a little more than they take. */
export function accountState(rng: Rng, p: BorrowerProfile): AccountState {
  const throughput = p.entity.type === 'company' ? rng.between(0.8, 1.25) : rng.between(0.45, 1.1);
  const burn = 1 + 0.012 * p.z + rng.normal(0, 0.01);
  const buffer = Math.exp(rng.normal(Math.log(0.6) - 0.4 * p.z, 0.6));
  return { throughput, burn, balance: (p.annualRevenue / 12) * throughput * buffer };
}

/** One month of the account given the revenue: inflow, outflow and the new balance (an overdraft is rare). */
export function accountMonth(
  rng: Rng,
  state: AccountState,
  revenue: number,
  balance: number,
): { inflow: number; outflow: number; balance: number } {
  const inflow = revenue * state.throughput * Math.exp(rng.normal(0, 0.12));
  let outflow = inflow * (state.burn + rng.normal(0, 0.06));
  // Outflow beyond the balance needs an overdraft, which small firms rarely have.
  if (balance + inflow - outflow < 0 && !rng.chance(0.1)) outflow = (balance + inflow) * rng.between(0.9, 1);
  outflow = Math.max(0, outflow);
  return { inflow, outflow, balance: balance + inflow - outflow };
}

/**
 * Monthly statements of the main settlement account (银行流水) over the window, with the number of distinct
 * counterparties. Signals: low and falling balances, outflow above inflow, and the revenue drop.
 */
export function drawBankFlows(
  rng: Rng,
  p: BorrowerProfile,
  state: AccountState,
): { rows: BankFlowMonth[]; balance: number } {
  const rows: BankFlowMonth[] = [];
  let balance = state.balance;
  const breadth = Math.exp(rng.normal(0, 0.4));
  for (let t = 0; t < p.months; t++) {
    const m = p.windowStart + t;
    if (m < p.activeFrom) continue;
    const step = accountMonth(rng, state, p.revenue[t] as number, balance);
    balance = step.balance;
    rows.push({
      month: isoMonth(m),
      inflow: yuan(step.inflow),
      outflow: yuan(step.outflow),
      endBalance: yuan(balance),
      counterparties: Math.max(1, Math.round((2 + Math.sqrt(step.inflow / 2_000)) * breadth)),
    });
  }
  return { rows, balance };
}
