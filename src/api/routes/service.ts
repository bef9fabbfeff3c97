import { RiskError } from '../../core/errors.js';
import { evaluateLoan } from '../../decisions/warning.js';
import { roundFen } from '../../matching/money.js';
import { loanField } from '../book.js';
import type { RouteDeps } from '../deps.js';
import { programmeStatusOf } from '../programmes.js';
import { type RouteSpec, route } from '../route.js';
import {
  evaluationsAnswer,
  evaluationsBody,
  healthAnswer,
  portfolioAnswer,
  releaseAnswer,
} from '../schemas.js';

/** Monitoring, portfolio, the active release, health and readiness. */
export function serviceRoutes(d: RouteDeps): RouteSpec[] {
  return [
    route({
      method: 'post',
      path: '/v1/monitoring/evaluations',
      tag: 'monitoring',
      summary: 'Early-warning evaluation (保后预警) of in-force loans from their month-end snapshots',
      roles: ['admin', 'risk'],
      body: evaluationsBody,
      bodyLimit: d.options.batchBodyLimit,
      responses: { 200: { description: 'One evaluation per loan', schema: evaluationsAnswer } },
      handler: ({ body }) => {
        const levels: Record<string, number> = {};
        const evaluations = body.loans.map(({ loan, snapshots }) => {
          const e = evaluateLoan(d.monitoring.policy, d.monitoring.model, loan, snapshots, body.month);
          if (e !== null) levels[e.level] = (levels[e.level] ?? 0) + 1;
          return { borrowerId: loan.borrowerId, evaluation: e };
        });
        return { body: { policyId: d.monitoring.policy.id, evaluations, levels } };
      },
    }),
    route({
      method: 'get',
      path: '/v1/portfolio',
      tag: 'portfolio',
      summary:
        'The guarantee book: regulatory leverage, single-client and group concentration, by bank and industry',
      description:
        "The live book new assessments are checked against: the decisions module's Portfolio over the loans in force in the store at `bookVersion` (weighted liability against " +
        '10× / 15× net assets, single client ≤ 10%, related group ≤ 15%, policy ratios; domain.md §3), plus ' +
        'the balance by bank and industry section and every programme status.',
      roles: ['admin', 'risk'],
      responses: { 200: { description: 'The portfolio', schema: portfolioAnswer } },
      handler: async () => {
        // The same book new assessments are checked against (one store version).
        const view = await d.book.current();
        const loans = view.loans;
        const byBank = new Map<string, number>();
        const byIndustry = new Map<string, number>();
        let gross = 0;
        for (const l of loans) {
          const section = (loanField(view.borrowers, l, 'industry') ?? '?').slice(0, 1);
          byBank.set(l.bankId, (byBank.get(l.bankId) ?? 0) + l.amount);
          byIndustry.set(section, (byIndustry.get(section) ?? 0) + l.amount);
          gross += l.amount;
        }
        const lines = (m: Map<string, number>) =>
          [...m]
            .sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1))
            .map(([id, v]) => ({ id, balance: roundFen(v), share: gross > 0 ? v / gross : 0 }));
        const programmes = await Promise.all(
          d.agreements.map(async (ag) =>
            programmeStatusOf(ag, await d.store.getProgramme(ag.id), d.banks, loans),
          ),
        );
        return {
          body: {
            asOf: d.clock.now().toISOString(),
            bookVersion: view.version,
            status: view.portfolio.status(),
            byBank: lines(byBank),
            byIndustry: lines(byIndustry),
            programmes,
          },
        };
      },
    }),
    route({
      method: 'get',
      path: '/v1/releases/active',
      tag: 'releases',
      summary: 'The release every new assessment is made under: its models (pinned by sha256) and policy',
      roles: ['admin', 'risk'],
      responses: { 200: { description: 'The active release', schema: releaseAnswer } },
      handler: () => {
        const r = d.release;
        const model = (m: { path: string; sha256: string }) => ({ path: m.path, sha256: m.sha256 });
        return {
          body: {
            id: r.release.id,
            description: r.release.description,
            champion: model(r.champion),
            challenger: r.challenger === null ? null : model(r.challenger),
            policy: r.release.policy,
          },
        };
      },
    }),
    route({
      method: 'get',
      path: '/healthz',
      tag: 'operations',
      summary: 'Liveness: the process answers',
      roles: 'public',
      responses: { 200: { description: 'Alive', schema: healthAnswer } },
      handler: () => ({ body: { status: 'ok' } }),
    }),
    route({
      method: 'get',
      path: '/readyz',
      tag: 'operations',
      summary: 'Readiness: the database answers and a release is loaded',
      roles: 'public',
      responses: { 200: { description: 'Ready', schema: healthAnswer }, 503: { description: 'Not ready' } },
      handler: async () => {
        try {
          await d.store.ping();
        } catch (err) {
          throw new RiskError(
            'E_API_NOT_READY',
            `the ${d.store.dialect} database does not answer: ${String(err)}`,
          );
        }
        return { body: { status: 'ready', release: d.release.release.id, database: d.store.dialect } };
      },
    }),
  ];
}
