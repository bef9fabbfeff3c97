import { Rng } from '../../core/rng.js';
import type { AssignmentProblem } from './problem.js';

/** Shape of a seeded random assignment instance. */
export interface RandomInstanceOptions {
  /** Number of borrowers. */
  nBorrowers: number;
  /** Number of bank × programme options. */
  nOptions: number;
  /** Pairs each borrower may take; default 1. */
  perBorrower?: number;
  /** Chance a borrower is eligible for an option; default 0.4. */
  eligibility?: number;
  /** Seed of the Rng. */
  seed: number;
}

// Illustrative shares for synthetic instances only: the guarantor compensates 80% of a default and a
// programme caps its compensation rate at 3% (domain.md §2.2 reports 1%–5% caps and 70%–80% guarantor shares).
const GUARANTOR_SHARE = 0.8;
const CAP_RATE = 0.03;
const INDUSTRIES = 5;

/**
 * A seeded instance shaped like the real matching problem: amounts 10万–1000万 (log-uniform), PDs 0.5%–8%,
 * each borrower eligible for a random subset of options; binding quota rows per option, programme
 * compensation-rate rows Σ (EC − c·amount)·x ≤ c·G0 − C0 (negative coefficients for low PDs), and
 * bank × industry concentration rows.
 */
export function randomInstance(o: RandomInstanceOptions): AssignmentProblem {
  const rng = new Rng(o.seed);
  const nB = o.nBorrowers;
  const nO = o.nOptions;
  const nBanks = Math.max(1, Math.round(nO / 4));
  const nProg = Math.ceil(nO / nBanks);
  const elig = o.eligibility ?? 0.4;
  const spread = Float64Array.from({ length: nO }, () => rng.between(0.01, 0.03));
  const bankShare = Float64Array.from({ length: nO }, () => rng.between(0.1, 0.3));
  const pairStart = new Int32Array(nB + 1);
  const opt: number[] = [];
  const val: number[] = [];
  const amt: number[] = [];
  const pds: number[] = [];
  const ind: number[] = [];
  const demand = new Float64Array(nO);
  for (let b = 0; b < nB; b++) {
    const amount = Math.round(1e5 * 100 ** rng.uniform());
    const pd = rng.between(0.005, 0.08);
    const industry = rng.int(INDUSTRIES);
    const first = opt.length;
    for (let j = 0; j < nO; j++) {
      if (!rng.chance(elig) && !(j === nO - 1 && opt.length === first)) continue;
      // Bank margin: spread income less the bank's share of the expected loss (LGD 45%), in yuan.
      const v = amount * ((spread[j] as number) - pd * 0.45 * (bankShare[j] as number));
      if (v <= 0) continue;
      opt.push(j);
      val.push(Math.round(v * 100) / 100);
      amt.push(amount);
      pds.push(pd);
      ind.push(industry);
      demand[j] = (demand[j] as number) + amount;
    }
    pairStart[b + 1] = opt.length;
  }
  const nP = opt.length;
  // Rows: quota per option, cap per programme, concentration per bank × industry.
  const rowNames: string[] = [];
  const capacity: number[] = [];
  for (let j = 0; j < nO; j++) {
    rowNames.push(`quota:bank-${j % nBanks}:prog-${Math.floor(j / nBanks)}`);
    // Quotas cover about 60% of a fair share of demand, so they bind.
    capacity.push(Math.round((0.6 * (demand[j] as number)) / Math.max(1, elig * nO)));
  }
  const capRow0 = rowNames.length;
  for (let g = 0; g < nProg; g++) {
    rowNames.push(`cap:prog-${g}`);
    capacity.push(Math.round(CAP_RATE * 1e6 * nB * 0.02));
  }
  const concRow0 = rowNames.length;
  const bankQuota = new Float64Array(nBanks);
  for (let j = 0; j < nO; j++)
    bankQuota[j % nBanks] = (bankQuota[j % nBanks] as number) + (capacity[j] as number);
  for (let k = 0; k < nBanks; k++)
    for (let i = 0; i < INDUSTRIES; i++) {
      rowNames.push(`conc:bank-${k}:industry:${String.fromCharCode(65 + i)}`);
      capacity.push(Math.round(0.3 * (bankQuota[k] as number)));
    }
  const usageStart = new Int32Array(nP + 1);
  const usageRow = new Int32Array(nP * 3);
  const usageCoef = new Float64Array(nP * 3);
  for (let q = 0; q < nP; q++) {
    const j = opt[q] as number;
    const a = amt[q] as number;
    const e = 3 * q;
    usageRow[e] = j;
    usageCoef[e] = a;
    usageRow[e + 1] = capRow0 + Math.floor(j / nBanks);
    usageCoef[e + 1] = Math.round(((pds[q] as number) * GUARANTOR_SHARE - CAP_RATE) * a * 100) / 100;
    usageRow[e + 2] = concRow0 + (j % nBanks) * INDUSTRIES + (ind[q] as number);
    usageCoef[e + 2] = a;
    usageStart[q + 1] = e + 3;
  }
  return {
    nBorrowers: nB,
    perBorrower: o.perBorrower ?? 1,
    pairStart,
    pairOption: Int32Array.from(opt),
    value: Float64Array.from(val),
    usageStart,
    usageRow,
    usageCoef,
    capacity: Float64Array.from(capacity),
    rowNames,
  };
}
