import { describeValue, RiskError } from '../core/errors.js';
import type { Agreement, PartyRole } from '../ingest/partners.js';
import { splitFen, toFen, toYuan } from './money.js';

/**
 * The loss engine (domain.md §1.3, §2.2, §9): a default flows through an agreement. The paying guarantor
 * compensates the bank the covered share of the covered base (unpaid principal, plus interest only under
 * principal + interest cover), the upstream parties reimburse it by share, and net recoveries return pro
 * rata to what each party bore. All money is split in whole fen, so it is conserved exactly.
 */

/** One default to run through an agreement, in yuan. */
export interface LossCase {
  /** The guaranteed principal of the loan. */
  readonly principal: number;
  readonly unpaidPrincipal: number;
  /** Unpaid interest at default; covered only under `principal_interest` (domain.md §1.2 Xiamen). */
  readonly interest?: number;
  /** Gross recovery (追偿) collected later. */
  readonly recovery?: number;
  /** Costs of collecting it (legal, auction), netted before the split (domain.md §1.1 worked flow). */
  readonly recoveryCosts?: number;
  /**
   * The programme's cumulative guaranteed amount including this loan. Without it there are no programme totals:
   * the cap is not applied and no programme state is reported (one loan is not a programme).
   */
  readonly guaranteedToDate?: number;
  /** The programme's cumulative compensation before this default; default 0 (needs guaranteedToDate). */
  readonly compensatedToDate?: number;
}

/** One party's money in a loss, yuan to the fen. */
export interface PartyMoney {
  readonly role: PartyRole;
  readonly name: string;
  readonly share: number;
  /** The loss it carried before recovery. */
  readonly bore: number;
  /** What it got back from net recovery. */
  readonly recovered: number;
  /** bore − recovered. */
  readonly netLoss: number;
}

/** Programme state after a default: the running compensation rate against the warning line and the cap. */
export interface ProgrammeState {
  readonly guaranteedToDate: number;
  readonly compensatedToDate: number;
  readonly rate: number;
  readonly warningLine: number;
  readonly cap: number;
  readonly status: 'normal' | 'warning' | 'breached';
  /** The actions now in force (e.g. `pause_new_business`), from the agreement's onWarning / onBreach. */
  readonly actions: readonly string[];
}

/** The whole flow of one default, yuan to the fen. */
export interface LossFlow {
  readonly agreementId: string;
  readonly coverageBase: 'principal' | 'principal_interest';
  readonly totalLoss: number;
  /** The base the cover applies to (unpaid principal, plus interest under principal + interest cover). */
  readonly coveredBase: number;
  /** Interest left with the bank because the cover is principal only. */
  readonly uncoveredInterest: number;
  /** What the agreement would have the guarantor pay: covered base × coverage ratio. */
  readonly compensationDue: number;
  /** What it paid the bank (less than due when a stop-compensation cap binds). */
  readonly compensationPaid: number;
  /** Due − paid: carried by the bank because the cap was reached. */
  readonly cappedByBreach: number;
  /** The upstream reimbursements to the paying guarantor, by party index. */
  readonly claims: readonly { readonly name: string; readonly role: PartyRole; readonly amount: number }[];
  readonly netRecovery: number;
  /** Guarantee side's recovery that offsets the receivable (应收代偿款), up to the compensation paid. */
  readonly receivableOffset: number;
  /** Recovery above the loss: the paying guarantor's 追偿收入 (domain.md §1.3 accounting). */
  readonly recoveryIncome: number;
  readonly parties: readonly PartyMoney[];
  /** Null when no programme totals were given (see LossCase.guaranteedToDate). */
  readonly programme: ProgrammeState | null;
}

function money(field: string, v: number | undefined, dflt: number): number {
  const x = v ?? dflt;
  if (!Number.isFinite(x) || x < 0)
    throw new RiskError(
      'E_LOSS_INPUT',
      `${field} must be a non-negative amount in yuan, received ${describeValue(v)}`,
      {
        path: [field],
        expected: 'a number ≥ 0',
        received: v,
      },
    );
  return x;
}

/**
 * Runs one default through an agreement.
 * @param agreement a validated agreement (exactly one bank party; coverage ratio = non-bank shares)
 * @param c the default: unpaid principal and interest, recovery and its costs, the programme's totals to date
 * @returns each party's money and the programme's state after the default
 * @throws E_LOSS_INPUT for a negative amount or unpaid principal above principal
 * @example runLoss(anhui4321, { principal: 100, unpaidPrincipal: 100 }) // guarantor pays 80, nets 40
 */
export function runLoss(agreement: Agreement, c: LossCase): LossFlow {
  const principal = money('principal', c.principal, 0);
  const unpaid = money('unpaidPrincipal', c.unpaidPrincipal, 0);
  if (unpaid > principal)
    throw new RiskError(
      'E_LOSS_INPUT',
      `unpaidPrincipal must not exceed principal ${principal}, received ${unpaid}`,
      {
        path: ['unpaidPrincipal'],
        received: unpaid,
      },
    );
  const interest = money('interest', c.interest, 0);
  const recovery = money('recovery', c.recovery, 0);
  const costs = money('recoveryCosts', c.recoveryCosts, 0);
  const totals = c.guaranteedToDate !== undefined;
  if (!totals && c.compensatedToDate !== undefined)
    throw new RiskError(
      'E_LOSS_INPUT',
      'compensatedToDate needs guaranteedToDate (the programme totals go together), received only compensatedToDate',
      { path: ['guaranteedToDate'], expected: 'a number ≥ 0', received: undefined },
    );
  const g0 = money('guaranteedToDate', c.guaranteedToDate, 0);
  const c0 = money('compensatedToDate', c.compensatedToDate, 0);

  const unpaidF = toFen(unpaid);
  const interestF = toFen(interest);
  const totalF = unpaidF + interestF;
  const base = agreement.coverage.base;
  const baseF = base === 'principal_interest' ? totalF : unpaidF;
  const uncoveredInterestF = totalF - baseF;
  const dueF = toFen(toYuan(baseF) * agreement.coverage.ratio);

  // Breach action "stop compensating beyond the cap" (domain.md §2.2, inferred): the guarantor pays only up
  // to cap × guaranteed − compensated so far; the bank carries the rest.
  const { cap, warningLine, onWarning, onBreach } = agreement.compensation;
  let paidF = dueF;
  if (totals && onBreach === 'stop_compensation') {
    const headroomF = Math.max(0, toFen(cap * g0) - toFen(c0));
    paidF = Math.min(dueF, headroomF);
  }

  // The first guarantor party pays the bank and claims the other non-bank parties' shares (domain.md §1.1).
  const parties = agreement.parties;
  const bankIdx = parties.findIndex((p) => p.role === 'bank');
  const payerIdx = parties.findIndex((p) => p.role === 'guarantor');
  const nonBank = parties.map((p, i) => (i === bankIdx ? 0 : p.share));
  const split = splitFen(paidF, nonBank);
  const bore = parties.map((_, i) => (i === bankIdx ? totalF - paidF : (split[i] ?? 0)));
  const claims = parties
    .map((p, i) => ({ name: p.name, role: p.role, amount: toYuan(split[i] ?? 0), i }))
    .filter((x) => x.i !== bankIdx && x.i !== payerIdx && x.amount > 0)
    .map(({ name, role, amount }) => ({ name, role, amount }));

  // Recoveries net of costs return pro rata to what each bore; anything above the whole loss is the paying
  // guarantor's 追偿收入, booked only above what was paid (domain.md §1.3).
  const netF = Math.max(0, toFen(recovery) - toFen(costs));
  const toShareF = Math.min(netF, totalF);
  const back = splitFen(toShareF, bore);
  const incomeF = netF - toShareF;
  const payer = Math.max(payerIdx, 0);
  back[payer] = (back[payer] ?? 0) + incomeF;
  let guaranteeSideBack = 0;
  for (let i = 0; i < parties.length; i++) if (i !== bankIdx) guaranteeSideBack += back[i] ?? 0;
  const offsetF = Math.min(guaranteeSideBack, paidF);

  const partyMoney: PartyMoney[] = parties.map((p, i) => ({
    role: p.role,
    name: p.name,
    share: p.share,
    bore: toYuan(bore[i] ?? 0),
    recovered: toYuan(back[i] ?? 0),
    netLoss: toYuan((bore[i] ?? 0) - (back[i] ?? 0)),
  }));

  const compensated = toYuan(toFen(c0) + paidF);
  const rate = g0 > 0 ? compensated / g0 : compensated > 0 ? Number.POSITIVE_INFINITY : 0;
  const status = rate >= cap - 1e-12 ? 'breached' : rate >= warningLine - 1e-12 ? 'warning' : 'normal';
  const actions =
    status === 'breached'
      ? [...new Set([onWarning, onBreach, 'pause_new_business'].filter((a) => a !== 'notify'))]
      : status === 'warning'
        ? [onWarning]
        : [];

  return {
    agreementId: agreement.id,
    coverageBase: base,
    totalLoss: toYuan(totalF),
    coveredBase: toYuan(baseF),
    uncoveredInterest: toYuan(uncoveredInterestF),
    compensationDue: toYuan(dueF),
    compensationPaid: toYuan(paidF),
    cappedByBreach: toYuan(dueF - paidF),
    claims,
    netRecovery: toYuan(netF),
    receivableOffset: toYuan(offsetF),
    recoveryIncome: toYuan(incomeF),
    parties: partyMoney,
    programme: totals
      ? { guaranteedToDate: g0, compensatedToDate: compensated, rate, warningLine, cap, status, actions }
      : null,
  };
}
