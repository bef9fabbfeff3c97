import { RiskError } from '../../core/errors.js';
import type { Agreement, Bank } from '../../ingest/partners.js';
import { buildProblem, solveMatch } from '../../matching/match.js';
import { toReferrals } from '../../matching/referrals.js';
import { referralForBank } from '../../store/index.js';
import type { StoredReferral } from '../../store/store.js';
import { bankScope, type Caller, requireBank } from '../auth.js';
import type { RouteDeps } from '../deps.js';
import {
  liveQuotaUse,
  programmeLines,
  programmeStatusOf,
  quotaKey,
  roomRefusal,
  standardsRefusals,
} from '../programmes.js';
import { type RouteSpec, route } from '../route.js';
import {
  acceptBody,
  bankParams,
  declineBody,
  defaultAnswer,
  defaultBody,
  fundedAnswer,
  fundedBody,
  guaranteesAnswer,
  guaranteesBody,
  idParams,
  inboxAnswer,
  inboxQuery,
  matchAnswer,
  matchBody,
  programmeStatus,
  storedReferral,
} from '../schemas.js';

/**
 * Matching, the banks' referral inbox and what banks do with a referral (accept, decline, fund), defaults on
 * loans (the loss flow), programme status, and batch (见贷即保) guarantees. A bank key sees and acts on its
 * own bank's records only: the path's bank must be its own (403 otherwise), and every store call is scoped
 * to its bank (the store refuses another bank's record with 403); what it reads is the bank's view of a
 * referral, without the guarantor's value figures or the other banks that were weighed.
 */

/** What a caller may see of a stored referral. */
function view(caller: Caller | null, r: StoredReferral): unknown {
  return caller?.role === 'bank' ? referralForBank(r) : r;
}

/** The route handlers' lookups of the shipped partner data. */
function partners(d: RouteDeps) {
  const agreement = (id: string): Agreement => {
    const ag = d.agreements.find((a) => a.id === id);
    if (ag === undefined) throw new RiskError('E_AGREEMENT_UNKNOWN', `no programme (agreement) has id ${id}`);
    return ag;
  };
  const bank = (id: string): Bank => {
    const b = d.banks.find((x) => x.id === id);
    if (b === undefined) throw new RiskError('E_AGREEMENT_UNKNOWN', `no bank has id ${id}`);
    return b;
  };
  const status = async (ag: Agreement) =>
    programmeStatusOf(
      ag,
      await d.store.getProgramme(ag.id),
      d.banks,
      await d.store.listLoans({ status: 'active' }),
    );
  return { agreement, bank, status };
}

/** A bank key may read a programme only when its bank has signed it. */
function requireSigned(caller: Caller | null, ag: Agreement): void {
  if (caller?.role === 'bank' && !ag.bankIds.includes(caller.bankId ?? ''))
    throw new RiskError('E_API_FORBIDDEN', `bank ${caller.bankId} has not signed programme ${ag.id}`);
}

/** Accept or decline: one conditional update in the store, so of concurrent calls exactly one wins. */
function transitionRoute(d: RouteDeps, to: 'accepted' | 'declined'): RouteSpec {
  const accept = to === 'accepted';
  return route({
    method: 'post',
    path: `/v1/referrals/{id}/${accept ? 'accept' : 'decline'}`,
    tag: 'banks',
    summary: accept
      ? 'The bank accepts a new referral (of concurrent accepts exactly one wins; the rest get 409)'
      : 'The bank declines a new referral, with its reason',
    roles: ['admin', 'bank'],
    params: idParams,
    body: accept ? acceptBody : declineBody,
    responses: {
      200: { description: accept ? 'Accepted' : 'Declined', schema: storedReferral },
      404: { description: 'Unknown referral' },
      409: { description: 'Not new any more, or another version' },
    },
    handler: async ({ params, body, caller }) => {
      const b = body as { note?: string; reason?: string; expectedVersion?: number };
      const note = b.note ?? b.reason;
      const r = await d.store.transitionReferral({
        id: params.id,
        to,
        ...bankScope(caller as Caller),
        ...(b.expectedVersion !== undefined ? { expectedVersion: b.expectedVersion } : {}),
        ...(note !== undefined ? { note } : {}),
      });
      return { body: view(caller, r) };
    },
  });
}

/** The banking routes. */
export function bankingRoutes(d: RouteDeps): RouteSpec[] {
  const p = partners(d);
  const bankRoles = ['admin', 'bank'] as const;
  const transition = (to: 'accepted' | 'declined') => transitionRoute(d, to);
  return [
    route({
      method: 'post',
      path: '/v1/matches',
      tag: 'matching',
      summary: 'Match stored assessments to banks under the programmes and store the referrals',
      description:
        'Only approvals with a positive limit are candidates. The optimiser respects each bank quota (minus ' +
        'loans in force), each programme compensation-rate cap (from its totals) and industry concentration. ' +
        'Referrals are idempotent by (assessment, bank, programme); each new one is announced to its bank.',
      roles: ['admin', 'risk'],
      body: matchBody,
      responses: { 201: { description: 'Referrals made', schema: matchAnswer } },
      handler: async ({ body }) => {
        const stored = await d.store.getAssessments(body.assessmentIds);
        const known = new Set(stored.map((s) => s.id));
        const loans = await d.store.listLoans({ status: 'active' });
        // Live loans add to each bank's use of its quota under their programme (the bank file holds the use before).
        const live = liveQuotaUse(loans);
        const banks = d.banks.map((b) => ({
          ...b,
          quotas: b.quotas.map((q) => ({
            ...q,
            used: Math.min(q.amount, q.used + (live.get(quotaKey(b.id, q.agreementId)) ?? 0)),
          })),
        }));
        const toDate: Record<string, { guaranteed: number; compensated: number }> = {};
        for (const t of await d.store.listProgrammes())
          toDate[t.agreementId] = { guaranteed: t.guaranteedToDate, compensated: t.compensatedToDate };
        const built = buildProblem(
          stored.map((s) => s.output),
          banks,
          d.agreements,
          {
            toDate,
            ...(body.objective !== undefined ? { objective: body.objective } : {}),
            ...(body.topK !== undefined ? { topK: body.topK } : {}),
          },
        );
        const sol = await solveMatch(
          built,
          body.method ?? (built.problem.nBorrowers > 2000 ? 'greedy' : 'decompose'),
        );
        const referrals = await d.store.createReferrals(toReferrals(built, sol));
        return {
          status: 201,
          body: {
            referrals,
            unknownAssessments: body.assessmentIds.filter((id) => !known.has(id)),
            notCandidates: built.notCandidates.map((n) => ({
              id: n.id,
              reason: { zh: n.reason.zh, en: n.reason.en },
            })),
            pausedProgrammes: [...built.pausedProgrammes],
            objective: sol.objective,
            gap: Number.isFinite(sol.gap) ? sol.gap : null,
          },
        };
      },
    }),
    route({
      method: 'get',
      path: '/v1/banks/{bankId}/referrals',
      tag: 'banks',
      summary: "A bank's referral inbox: filter by status, oldest first, cursor pagination",
      roles: ['admin', 'risk', 'bank'],
      params: bankParams,
      query: inboxQuery,
      responses: {
        200: { description: 'One page', schema: inboxAnswer },
        404: { description: 'Unknown bank' },
      },
      handler: async ({ params, query, caller }) => {
        requireBank(caller as Caller, params.bankId);
        p.bank(params.bankId);
        const page = await d.store.listReferrals({
          bankId: params.bankId,
          ...(query.status !== undefined ? { status: query.status } : {}),
          ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
          ...(query.limit !== undefined ? { limit: query.limit } : {}),
        });
        return { body: { items: page.items.map((r) => view(caller, r)), nextCursor: page.nextCursor } };
      },
    }),
    transition('accepted'),
    transition('declined'),
    route({
      method: 'post',
      path: '/v1/referrals/{id}/funded',
      tag: 'banks',
      summary: 'The bank reports an accepted referral funded: the loan enters the programme totals',
      roles: bankRoles,
      params: idParams,
      body: fundedBody,
      responses: {
        200: { description: 'Funded', schema: fundedAnswer },
        404: { description: 'Unknown referral' },
        409: { description: 'Not accepted' },
      },
      handler: async ({ params, body, caller }) => {
        const { amount, ...payload } = body;
        const out = await d.store.fundReferral({
          id: params.id,
          ...bankScope(caller as Caller),
          ...(amount !== undefined ? { amount } : {}),
          payload,
        });
        return { body: { referral: view(caller, out.referral), loan: out.loan } };
      },
    }),
    route({
      method: 'post',
      path: '/v1/loans/{id}/default',
      tag: 'loans',
      summary: 'Report a default on a loan: runs the loss flow and moves the programme compensation rate',
      roles: ['admin', 'risk', 'bank'],
      params: idParams,
      body: defaultBody,
      responses: {
        200: { description: 'The loss flow per party and the programme after it', schema: defaultAnswer },
        404: { description: 'Unknown loan' },
        409: { description: 'Not an active loan' },
      },
      handler: async ({ params, body, caller }) => {
        const loan = await d.store.getLoan(params.id);
        if (loan === null) throw new RiskError('E_STORE_NOT_FOUND', `no loan has id ${params.id}`);
        requireBank(caller as Caller, loan.bankId);
        const ag = p.agreement(loan.agreementId);
        const rec = await d.store.recordDefault({
          loanId: params.id,
          ...bankScope(caller as Caller),
          agreement: ag,
          // zod leaves absent optional fields out, so the parsed body is the loss case as sent.
          loss: body as { unpaidPrincipal: number },
        });
        return {
          body: { loan: rec.loan, flow: rec.flow, programme: await p.status(ag), createdAt: rec.createdAt },
        };
      },
    }),
    route({
      method: 'get',
      path: '/v1/programmes/{id}/status',
      tag: 'programmes',
      summary: 'A programme: compensation rate against its cap and warning line, quota used',
      roles: ['admin', 'risk', 'bank'],
      params: idParams,
      responses: {
        200: { description: 'The status', schema: programmeStatus },
        404: { description: 'Unknown programme' },
      },
      handler: async ({ params, caller }) => {
        const ag = p.agreement(params.id);
        requireSigned(caller, ag);
        return { body: await p.status(ag) };
      },
    }),
    route({
      method: 'post',
      path: '/v1/programmes/{id}/guarantees',
      tag: 'programmes',
      summary:
        'A bank guarantees approved loans under a batch (见贷即保) programme: at once, or refused with why',
      description:
        '"银行一次审批、融担见贷即保": each loan the bank approved is guaranteed at once when it meets the ' +
        "programme's agreed standards and the cap and quota have room (checked under the programme's lock, so " +
        'two loans cannot both take the last room); otherwise it is refused with every reason. The same ' +
        'loanRef twice returns the first answer.',
      roles: ['bank'],
      params: idParams,
      body: guaranteesBody,
      bodyLimit: d.options.batchBodyLimit,
      responses: {
        200: { description: 'One result per loan', schema: guaranteesAnswer },
        409: { description: 'Not a batch programme' },
      },
      handler: async ({ params, body, caller }) => {
        const c = caller as Caller;
        const ag = p.agreement(params.id);
        requireSigned(c, ag);
        const bankId = c.bankId as string;
        if (ag.businessMode !== 'batch')
          throw new RiskError(
            'E_API_PROGRAMME_MODE',
            `programme ${ag.id} is ${ag.businessMode}, not a batch (见贷即保) programme`,
          );
        p.bank(bankId);
        const lines = programmeLines(ag, d.banks, bankId);
        const results = [];
        for (const loan of body.loans) {
          const refusals = standardsRefusals(ag, loan);
          if (loan.assessmentId !== undefined) {
            const a = await d.store.getAssessment(loan.assessmentId);
            if (a === null || a.output.borrower.id !== loan.borrowerId || a.decision !== 'approve')
              refusals.push({
                code: 'assessment',
                zh: `评估 ${loan.assessmentId} 不存在、非该借款人或未准入`,
                en: `assessment ${loan.assessmentId} is unknown, of another borrower, or not an approval`,
              });
          }
          if (refusals.length > 0) {
            results.push({ loanRef: loan.loanRef, ok: false, refusals });
            continue;
          }
          const { loanRef, borrowerId, amount, assessmentId, ...payload } = loan;
          const g = await d.store.guaranteeLoan({
            agreementId: ag.id,
            bankId,
            loanRef,
            borrowerId,
            amount,
            ...(assessmentId !== undefined ? { assessmentId } : {}),
            payload,
            admit: (t, bankInForce) => roomRefusal(ag, t, bankInForce, amount, lines),
          });
          results.push(
            g.ok
              ? { loanRef, ok: true, replayed: g.replayed, loan: g.loan }
              : { loanRef, ok: false, refusals: [g.refusal] },
          );
        }
        const guaranteed = results.filter((r) => r.ok).length;
        return {
          body: { guaranteed, refused: results.length - guaranteed, results, programme: await p.status(ag) },
        };
      },
    }),
  ];
}
