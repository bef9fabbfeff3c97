import { describeValue, RiskError } from '../core/errors.js';
import type { Assessment } from '../decisions/assessment.js';
import { type Agreement, type Bank, totalQuota } from '../ingest/partners.js';
import { type EconomicsOptions, type PairEconomics, pairEconomics } from './economics.js';
import { candidateReason, type Exclusion, eligibility, requestedTenor } from './eligibility.js';
import {
  type AssignmentMethod,
  type AssignmentProblem,
  type AssignmentSolution,
  ProblemBuilder,
} from './optimiser/problem.js';
import { solveAssignment } from './optimiser/solve.js';

/** What the optimiser maximises. */
export const OBJECTIVES = ['amount', 'guarantor_value', 'borrower_savings'] as const;
/** One of the values above. */
export type Objective = (typeof OBJECTIVES)[number];

/** Defaults of the problem build; each is configurable. */
export const MATCH_DEFAULTS = {
  /** Plan each programme's expected compensation rate to this fraction of its cap (inferred; configurable). */
  safetyFactor: 0.8,
  /** Reference all-in cost against which borrower savings are measured (domain.md §7.3: ~5.28% average). */
  referenceAllIn: 0.0528,
  /**
   * Weight of the guarantor's net value added to the amount objective (inferred): banks that can lend the same
   * amount tie on it, and the tie then goes to the terms better for the guarantor instead of to the solver.
   */
  amountTieBreak: 0.001,
} as const;

/** A bank × agreement option. */
export interface MatchOption {
  readonly bank: Bank;
  readonly agreement: Agreement;
}

/** Programme totals to date (for the cap row: Σ (EC − c·amount) x ≤ c·G0 − C0). */
export interface ProgrammeToDate {
  readonly guaranteed: number;
  readonly compensated: number;
}

/** Options of buildProblem / match. */
export interface MatchOptions {
  readonly objective?: Objective;
  readonly topK?: number;
  readonly safetyFactor?: number;
  readonly toDate?: Readonly<Record<string, ProgrammeToDate>>;
  readonly economics?: Partial<EconomicsOptions>;
}

/** The built problem and what it needs to be read back. */
export interface BuiltProblem {
  readonly problem: AssignmentProblem;
  readonly options: readonly MatchOption[];
  readonly candidates: readonly Assessment[];
  /** Per pair: its economics. */
  readonly economics: readonly PairEconomics[];
  /** Per candidate: its ineligible options with why. */
  readonly excluded: readonly { readonly option: number; readonly reasons: readonly Exclusion[] }[][];
  /** Assessments that are not candidates, with why. */
  readonly notCandidates: readonly { readonly id: string; readonly reason: Exclusion }[];
  /** Programmes excluded because they are already past their line (capacity < 0), their breach action. */
  readonly pausedProgrammes: readonly string[];
}

/** The GB/T 4754 section letter a bank's industry concentration counts by. */
export const industrySection = (code: string | null): string => (code ?? '?').slice(0, 1);
/** The region prefix a bank's region concentration counts by. */
export const regionKey = (code: string | null, digits: number): string => (code ?? '?').slice(0, digits);

function pairValue(e: PairEconomics, objective: Objective, years: number): number {
  if (objective === 'amount') return e.amount + MATCH_DEFAULTS.amountTieBreak * e.guarantorNetValue;
  if (objective === 'guarantor_value') return e.guarantorNetValue;
  return (MATCH_DEFAULTS.referenceAllIn - e.borrowerAllIn) * e.amount * years;
}

/**
 * Builds the assignment problem: candidates × eligible options, a quota row per bank × agreement (its quota
 * less what is used), an expected compensation-rate row per programme (≤ cap × safety factor), and per bank an
 * industry-section and a region concentration row (share × total quota less the book's exposure there); the
 * per-borrower limit and approval lines cap each pair's amount (see pairAmountWithBinding).
 * Deterministic: borrowers in input order, options in bank-then-agreement order.
 * @throws E_MATCH_INPUT for bad options
 */
export function buildProblem(
  assessments: readonly Assessment[],
  banks: readonly Bank[],
  agreements: readonly Agreement[],
  o: MatchOptions = {},
): BuiltProblem {
  const objective = o.objective ?? 'amount';
  if (!OBJECTIVES.includes(objective))
    throw new RiskError(
      'E_MATCH_INPUT',
      `--objective must be one of ${OBJECTIVES.join(', ')}, received ${describeValue(objective)}`,
    );
  const k = o.topK ?? 1;
  if (!Number.isInteger(k) || k < 1)
    throw new RiskError('E_MATCH_INPUT', `--top-k must be an integer ≥ 1, received ${describeValue(o.topK)}`);
  const safety = o.safetyFactor ?? MATCH_DEFAULTS.safetyFactor;
  if (!(safety > 0 && safety <= 1))
    throw new RiskError(
      'E_MATCH_INPUT',
      `--safety-factor must be in (0, 1], received ${describeValue(o.safetyFactor)}`,
    );

  const rowNames: string[] = [];
  const capacity: number[] = [];
  const rowOf = new Map<string, number>();
  const row = (name: string, cap: number) => {
    const r = rowOf.get(name);
    if (r !== undefined) return r;
    rowOf.set(name, rowNames.length);
    rowNames.push(name);
    capacity.push(cap);
    return rowNames.length - 1;
  };

  const paused: string[] = [];
  const capCoef = new Map<string, number>();
  for (const ag of agreements) {
    const c = ag.compensation.cap * safety;
    const td = o.toDate?.[ag.id] ?? { guaranteed: 0, compensated: 0 };
    const rhs = c * td.guaranteed - td.compensated;
    if (rhs < 0) paused.push(ag.id);
    else capCoef.set(ag.id, c);
    if (rhs >= 0) row(`cap:${ag.id}`, rhs);
  }
  const options: MatchOption[] = [];
  for (const bank of banks)
    for (const ag of agreements)
      if (ag.bankIds.includes(bank.id) && capCoef.has(ag.id)) options.push({ bank, agreement: ag });
  for (const b of banks)
    for (const q of b.quotas) row(`quota:${b.id}:${q.agreementId}`, Math.max(0, q.amount - q.used));

  const candidates: Assessment[] = [];
  const notCandidates: { id: string; reason: Exclusion }[] = [];
  for (const a of assessments) {
    const r = candidateReason(a);
    if (r === null) candidates.push(a);
    else notCandidates.push({ id: a.id, reason: r });
  }

  const pb = new ProblemBuilder();
  const economics: PairEconomics[] = [];
  const excluded: { option: number; reasons: Exclusion[] }[][] = [];
  for (const a of candidates) {
    const ex: { option: number; reasons: Exclusion[] }[] = [];
    options.forEach((opt, oi) => {
      const reasons = eligibility(a, opt.bank, opt.agreement);
      if (reasons.length > 0) {
        ex.push({ option: oi, reasons });
        return;
      }
      const e = pairEconomics(a, opt.bank, opt.agreement, o.economics);
      economics.push(e);
      const c = capCoef.get(opt.agreement.id) ?? 0;
      const bank = opt.bank;
      pb.entry(row(`quota:${bank.id}:${opt.agreement.id}`, 0), e.amount);
      pb.entry(row(`cap:${opt.agreement.id}`, 0), e.expectedCompensation - c * e.amount);
      // Concentration: the bank's total quota times its share, less what its book already holds there.
      const conc = bank.concentration;
      const base = totalQuota(bank);
      const sec = industrySection(a.borrower.industry);
      const reg = regionKey(a.borrower.region, conc.regionDigits);
      const industryRoom = conc.industryShare * base - (conc.exposure.industry[sec] ?? 0);
      pb.entry(row(`conc:${bank.id}:industry:${sec}`, Math.max(0, industryRoom)), e.amount);
      const regionRoom = conc.regionShare * base - (conc.exposure.region[reg] ?? 0);
      pb.entry(row(`conc:${bank.id}:region:${reg}`, Math.max(0, regionRoom)), e.amount);
      pb.endPair(oi, pairValue(e, objective, requestedTenor(a) / 12));
    });
    excluded.push(ex);
    pb.endBorrower();
  }
  const problem = pb.build(k, capacity, rowNames);
  return { problem, options, candidates, economics, excluded, notCandidates, pausedProgrammes: paused };
}

/** Builds the problem and solves it with the named method. */
export async function solveMatch(
  built: BuiltProblem,
  method: AssignmentMethod = 'decompose',
): Promise<AssignmentSolution> {
  return solveAssignment(built.problem, { method });
}
