import { RiskError } from '../../core/errors.js';
import { evaluateLoan } from '../../decisions/warning.js';
import { roundFen } from '../../matching/money.js';
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

/** Leverage cap: guarantee liability ≤ 10× net assets (domain.md §3.1; 15× for small/micro specialists). */
const LEVERAGE_CAP = 10;

/** Monitoring, portfolio, the active release, health and readiness. */
export function serviceRoutes(d: RouteDeps): RouteSpec[] {
  const policy = d.release.release.policy;
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
      summary: 'The guarantee book: leverage against net assets, borrower, industry and bank concentration',
      roles: ['admin', 'risk'],
      responses: { 200: { description: 'The portfolio', schema: portfolioAnswer } },
      handler: async () => {
        const loans = await d.store.listLoans({ status: 'active' });
        const netAssets = policy.guarantor.netAssets;
        const sum = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
        const byBorrower = new Map<string, number>();
        const byBank = new Map<string, number>();
        const byIndustry = new Map<string, number>();
        const assessed = await d.store.getAssessments(
          loans.map((l) => l.assessmentId).filter((x): x is string => x !== null),
        );
        const industryOf = new Map(assessed.map((a) => [a.id, a.output.borrower.industry]));
        const payloadIndustry = (p: unknown) =>
          typeof (p as { industry?: unknown } | null)?.industry === 'string'
            ? (p as { industry: string }).industry
            : null;
        let outstanding = 0;
        for (const l of loans) {
          outstanding += l.amount;
          sum(byBorrower, l.borrowerId, l.amount);
          sum(byBank, l.bankId, l.amount);
          const ind =
            (l.assessmentId !== null ? industryOf.get(l.assessmentId) : null) ?? payloadIndustry(l.payload);
          sum(byIndustry, (ind ?? '?').slice(0, 1), l.amount);
        }
        const share = (v: number) => (outstanding > 0 ? v / outstanding : 0);
        const limit = policy.guarantor.singleClientShare * netAssets;
        const sorted = (m: Map<string, number>) =>
          [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
        const programmes = await Promise.all(
          d.agreements.map(async (ag) =>
            programmeStatusOf(ag, await d.store.getProgramme(ag.id), d.banks, loans),
          ),
        );
        return {
          body: {
            asOf: d.clock.now().toISOString(),
            netAssets,
            outstanding: roundFen(outstanding),
            loans: loans.length,
            leverage: netAssets > 0 ? outstanding / netAssets : 0,
            leverageCap: LEVERAGE_CAP,
            concentration: {
              singleClientLimit: limit,
              topBorrowers: sorted(byBorrower)
                .slice(0, 10)
                .map(([borrowerId, v]) => ({
                  borrowerId,
                  outstanding: roundFen(v),
                  shareOfNetAssets: netAssets > 0 ? v / netAssets : 0,
                  breach: v > limit,
                })),
              byIndustry: sorted(byIndustry).map(([section, v]) => ({
                section,
                outstanding: roundFen(v),
                share: share(v),
              })),
              byBank: sorted(byBank).map(([bankId, v]) => ({
                bankId,
                outstanding: roundFen(v),
                share: share(v),
              })),
            },
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
