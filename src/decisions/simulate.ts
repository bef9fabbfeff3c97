import { RiskError } from '../core/errors.js';
import { RISK_GRADES, type RiskGrade } from '../ingest/partners.js';
import { type Assessment, DECISIONS, type Decision } from './assessment.js';

/**
 * Policy simulation: what a candidate release would have decided over a labelled book, next to the baseline
 * (the active release): decision rates, grade mix with observed bad rates, total limit, expected loss, the
 * observed bad rate of the approved, and the swap set — approved by one release and declined by the other, in
 * both directions — with counts, amounts and observed bad rates. Pure: it reads the two releases'
 * assessments of the same applications (paired by application id) and the outcomes, nothing else.
 */

/**
 * Loss given default for the expected loss (PD × LGD × limit). 0.6 is inferred, not from domain.md (which
 * gives no LGD): it matches the first release's limit policy (`limit.lgd`), so both use one figure.
 */
export const DEFAULT_SIMULATION_LGD = 0.6;

/** An observed outcome: true / 1 = bad (default within the horizon), false / 0 = good. */
export type Outcome = boolean | 0 | 1;

/** A count with its amount (limits, yuan), its expected loss and its observed bad rate. */
export interface Tally {
  readonly count: number;
  /** Sum of the granted limits, yuan. */
  readonly amount: number;
  /** Σ PD × LGD × limit, yuan. */
  readonly expectedLoss: number;
  /** How many of them have a known outcome, and how many of those went bad. */
  readonly withOutcome: number;
  readonly bad: number;
  /** bad ÷ withOutcome; null when none has an outcome. */
  readonly badRate: number | null;
}

/** One release's side of the simulation. */
export interface SimulationSide {
  readonly releaseId: string;
  readonly assessed: number;
  /** Count and share of each decision. */
  readonly decisions: Readonly<Record<Decision, { count: number; rate: number }>>;
  /** Grade mix over everything graded (count, share of the graded, observed bad rate), and the ungraded. */
  readonly grades: Readonly<Record<RiskGrade | 'none', Tally & { share: number }>>;
  /** The approved: count, total limit, expected loss, observed bad rate. */
  readonly approved: Tally;
  /** Mean PD of the approved (null when none). */
  readonly approvedMeanPd: number | null;
}

/** The comparison of two releases over one book. */
export interface Simulation {
  readonly lgd: number;
  readonly baseline: SimulationSide;
  readonly candidate: SimulationSide;
  /** Approved by the candidate, declined by the baseline (amounts and EL at the candidate's limit). */
  readonly swapIn: Tally;
  /** Approved by the baseline, declined by the candidate (amounts and EL at the baseline's limit). */
  readonly swapOut: Tally;
  /** How decisions move: baseline decision → candidate decision → count. */
  readonly transitions: Readonly<Record<Decision, Readonly<Record<Decision, number>>>>;
  /** Applications whose outcome is unknown (in every rate's denominator they are left out, and counted here). */
  readonly withoutOutcome: number;
}

/** Options of `simulate`. */
export interface SimulateOptions {
  /** Loss given default for the expected loss; default `DEFAULT_SIMULATION_LGD` (0.6, inferred). */
  readonly lgd?: number;
}

class TallyBuilder {
  count = 0;
  amount = 0;
  expectedLoss = 0;
  withOutcome = 0;
  bad = 0;

  add(a: Assessment, outcome: Outcome | undefined, lgd: number): void {
    this.count++;
    const limit = a.limit?.amount ?? 0;
    this.amount += limit;
    this.expectedLoss += (a.pd ?? 0) * lgd * limit;
    if (outcome !== undefined) {
      this.withOutcome++;
      if (outcome === true || outcome === 1) this.bad++;
    }
  }

  done(): Tally {
    return {
      count: this.count,
      amount: this.amount,
      expectedLoss: Math.round(this.expectedLoss * 100) / 100,
      withOutcome: this.withOutcome,
      bad: this.bad,
      badRate: this.withOutcome === 0 ? null : this.bad / this.withOutcome,
    };
  }
}

class SideBuilder {
  readonly decisions = new Map<Decision, number>(DECISIONS.map((d) => [d, 0]));
  readonly grades = new Map<RiskGrade | 'none', TallyBuilder>(
    [...RISK_GRADES, 'none' as const].map((g) => [g, new TallyBuilder()]),
  );
  readonly approved = new TallyBuilder();
  pdSum = 0;
  releaseId: string | null = null;
  n = 0;

  add(a: Assessment, outcome: Outcome | undefined, lgd: number): void {
    if (this.releaseId === null) this.releaseId = a.releaseId;
    else if (a.releaseId !== this.releaseId)
      throw new RiskError(
        'E_SIMULATE_INPUT',
        `assessment of ${a.applicationId}: releaseId must be ${this.releaseId} like the others on its side, received ${a.releaseId}`,
        { path: ['releaseId'], expected: this.releaseId, received: a.releaseId },
      );
    this.n++;
    this.decisions.set(a.decision, (this.decisions.get(a.decision) ?? 0) + 1);
    (this.grades.get(a.grade ?? 'none') as TallyBuilder).add(a, outcome, lgd);
    if (a.decision === 'approve') {
      this.approved.add(a, outcome, lgd);
      this.pdSum += a.pd ?? 0;
    }
  }

  done(): SimulationSide {
    const rate = (c: number) => (this.n === 0 ? 0 : c / this.n);
    const decisions = Object.fromEntries(
      DECISIONS.map((d) => [
        d,
        { count: this.decisions.get(d) ?? 0, rate: rate(this.decisions.get(d) ?? 0) },
      ]),
    ) as SimulationSide['decisions'];
    const graded = this.n - (this.grades.get('none') as TallyBuilder).count;
    const grades = Object.fromEntries(
      [...this.grades].map(([g, t]) => {
        const share = g === 'none' ? rate(t.count) : graded === 0 ? 0 : t.count / graded;
        return [g, { ...t.done(), share }];
      }),
    ) as SimulationSide['grades'];
    const approved = this.approved.done();
    return {
      releaseId: this.releaseId ?? '',
      assessed: this.n,
      decisions,
      grades,
      approved,
      approvedMeanPd: approved.count === 0 ? null : this.pdSum / approved.count,
    };
  }
}

/**
 * Accumulates a simulation pair by pair, for books too large to hold: `add(baseline, candidate)` for each
 * application (in any order), then `result()`. `simulate` is this over two arrays.
 * @throws E_SIMULATE_INPUT when a pair is of different applications, an application comes twice, a side
 *   mixes releases, or the LGD is out of [0, 1]
 */
export class Simulator {
  private readonly lgd: number;
  private readonly base = new SideBuilder();
  private readonly cand = new SideBuilder();
  private readonly swapIn = new TallyBuilder();
  private readonly swapOut = new TallyBuilder();
  private readonly transitions = new Map<string, number>();
  private readonly seen = new Set<string>();
  private withoutOutcome = 0;

  constructor(
    private readonly outcomes: ReadonlyMap<string, Outcome>,
    options: SimulateOptions = {},
  ) {
    const lgd = options.lgd ?? DEFAULT_SIMULATION_LGD;
    if (!(lgd >= 0 && lgd <= 1))
      throw new RiskError('E_SIMULATE_INPUT', `lgd must be in [0, 1], received ${String(options.lgd)}`, {
        path: ['lgd'],
        expected: '[0, 1]',
        received: options.lgd,
      });
    this.lgd = lgd;
  }

  /** Adds one application's pair of assessments (baseline, candidate). */
  add(baseline: Assessment, candidate: Assessment): void {
    const id = baseline.applicationId;
    if (candidate.applicationId !== id)
      throw new RiskError(
        'E_SIMULATE_INPUT',
        `the candidate's assessment must be of application ${id} like the baseline's, received ${candidate.applicationId}`,
        { path: ['applicationId'], expected: id, received: candidate.applicationId },
      );
    if (this.seen.has(id))
      throw new RiskError('E_SIMULATE_INPUT', `application ${id} is assessed twice on one side`, {
        path: ['applicationId'],
        received: id,
      });
    this.seen.add(id);
    const outcome = this.outcomes.get(id);
    if (outcome === undefined) this.withoutOutcome++;
    this.base.add(baseline, outcome, this.lgd);
    this.cand.add(candidate, outcome, this.lgd);
    const key = `${baseline.decision}>${candidate.decision}`;
    this.transitions.set(key, (this.transitions.get(key) ?? 0) + 1);
    if (candidate.decision === 'approve' && baseline.decision === 'decline')
      this.swapIn.add(candidate, outcome, this.lgd);
    if (baseline.decision === 'approve' && candidate.decision === 'decline')
      this.swapOut.add(baseline, outcome, this.lgd);
  }

  /** The simulation of everything added. */
  result(): Simulation {
    const transitions = Object.fromEntries(
      DECISIONS.map((b) => [
        b,
        Object.fromEntries(DECISIONS.map((c) => [c, this.transitions.get(`${b}>${c}`) ?? 0])),
      ]),
    ) as Simulation['transitions'];
    return {
      lgd: this.lgd,
      baseline: this.base.done(),
      candidate: this.cand.done(),
      swapIn: this.swapIn.done(),
      swapOut: this.swapOut.done(),
      transitions,
      withoutOutcome: this.withoutOutcome,
    };
  }
}

/**
 * Compares two releases' assessments of the same book. Pairs by application id; both sides must cover the
 * same applications.
 * @param baseline the active release's assessments
 * @param candidate the candidate release's assessments
 * @param outcomes observed outcome by application (borrower) id; a missing one is left out of the bad rates
 * @throws E_SIMULATE_INPUT when the two sides do not pair up (an id missing on one side is named)
 * @example const s = simulate(active, candidate, new Map([['B1', 0], ['B2', 1]]), { lgd: 0.45 });
 */
export function simulate(
  baseline: readonly Assessment[],
  candidate: readonly Assessment[],
  outcomes: ReadonlyMap<string, Outcome>,
  options: SimulateOptions = {},
): Simulation {
  const byId = new Map<string, Assessment>();
  for (const c of candidate) {
    if (byId.has(c.applicationId))
      throw new RiskError(
        'E_SIMULATE_INPUT',
        `application ${c.applicationId} is assessed twice on one side`,
        {
          path: ['applicationId'],
          received: c.applicationId,
        },
      );
    byId.set(c.applicationId, c);
  }
  const sim = new Simulator(outcomes, options);
  for (const b of baseline) {
    const c = byId.get(b.applicationId);
    if (c === undefined)
      throw new RiskError(
        'E_SIMULATE_INPUT',
        `application ${b.applicationId} has a baseline assessment but no candidate one`,
        { path: ['applicationId'], received: b.applicationId },
      );
    sim.add(b, c);
    byId.delete(b.applicationId);
  }
  const left = byId.keys().next();
  if (!left.done)
    throw new RiskError(
      'E_SIMULATE_INPUT',
      `application ${left.value} has a candidate assessment but no baseline one (${byId.size} such)`,
      { path: ['applicationId'], received: left.value },
    );
  return sim.result();
}
