import { RiskError } from '../../core/errors.js';
import { assess, assessMany, replay } from '../../decisions/assess.js';
import type { Assessment } from '../../decisions/assessment.js';
import type { LoadedRelease } from '../../decisions/release.js';
import { normaliseApplication } from '../../ingest/schemas.js';
import type { BookFigures } from '../../store/store.js';
import type { BookView } from '../book.js';
import type { RouteDeps } from '../deps.js';
import { issuesOf, validationError } from '../errors.js';
import { type RouteSpec, route } from '../route.js';
import {
  application,
  assessment,
  batchAnswer,
  batchBody,
  fastApplicationBody,
  fastBatchBody,
  idempotencyHeaders,
  idParams,
  replayAnswer,
  storedAssessment,
} from '../schemas.js';

/**
 * Assessments: one, a batch, read back, replayed. Every assessment is made by the one `assess` of the
 * decisions module under the active release and stored (release id, input digest, input and output) before
 * it is answered, so nothing answered is unrecorded; an `Idempotency-Key` makes a retry return the stored
 * answer instead of writing again.
 */

/** Loose input (text numbers, Chinese labels) to canonical form, as the file readers do, before validation. */
function normalised(body: unknown): unknown {
  return body !== null && typeof body === 'object' ? normaliseApplication(body) : body;
}

function keyOf(headers: Record<string, unknown>): string | undefined {
  const r = idempotencyHeaders.safeParse({ 'idempotency-key': headers['idempotency-key'] });
  if (!r.success) throw validationError('headers', issuesOf(r.error, headers, ['headers']));
  return r.data['idempotency-key'];
}

function countDecisions(list: readonly Assessment[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const a of list) out[a.decision] = (out[a.decision] ?? 0) + 1;
  return out;
}

/** The assessment routes. */
export function assessmentRoutes(d: RouteDeps): RouteSpec[] {
  // Every assessment is checked against the live book of loans in force (when the release has portfolio
  // limits), and stored with the book's version and figures: a batch's items all against the same book, with
  // nothing booked between them (loans enter the book when funded), so each stored one replays alone.
  const checked = d.release.release.policy.portfolio !== undefined;
  const bookNow = async () => (checked ? d.book.current() : null);
  const againstBook = (view: BookView | null) =>
    view === null ? {} : { portfolio: view.unbooked, bookId: `book:${view.version}` };
  const releases = new Map<string, LoadedRelease>([[d.release.release.id, d.release]]);
  const releaseOf = async (id: string): Promise<LoadedRelease> => {
    const hit = releases.get(id);
    if (hit !== undefined) return hit;
    if (d.releaseById === undefined)
      throw new RiskError('E_RELEASE_INVALID', `release ${id} is not loaded in this service`);
    const loaded = await d.releaseById(id);
    releases.set(id, loaded);
    return loaded;
  };

  return [
    route({
      method: 'post',
      path: '/v1/assessments',
      tag: 'assessments',
      summary: 'Assess one application (admission, limit, fee) under the active release',
      description:
        'Validates the application (each bad field listed), assesses it, stores it for audit and replay, and ' +
        'answers the Assessment. 201 when stored now; 200 when an Idempotency-Key retry (or the same input ' +
        'under the same release) returned the stored one.',
      roles: ['admin', 'risk'],
      headers: idempotencyHeaders,
      body: application,
      bodyValidator: fastApplicationBody,
      prepareBody: normalised,
      responses: {
        201: { description: 'Assessed and stored', schema: assessment },
        200: { description: 'An idempotent retry: the stored assessment', schema: assessment },
        409: { description: 'The Idempotency-Key was used with another body' },
      },
      handler: async ({ body, req }) => {
        const key = keyOf(req.headers);
        const view = await bookNow();
        const made = assess(d.release, body, againstBook(view));
        const saved = await d.store.saveAssessment(
          { input: body, assessment: made, ...(view === null ? {} : { book: view.figures(body.id) }) },
          key !== undefined ? { idempotencyKey: key } : {},
        );
        const row = saved.rows[0] as (typeof saved.rows)[number];
        if (!saved.replayed) d.metrics.decisions.inc({ decision: row.output.decision });
        return {
          status: saved.replayed ? 200 : 201,
          // The text the store wrote, sent as is (serialised once).
          json: row.outputJson,
          headers: { location: `/v1/assessments/${row.id}`, 'idempotent-replayed': String(saved.replayed) },
        };
      },
    }),
    route({
      method: 'post',
      path: '/v1/assessments/batch',
      tag: 'assessments',
      summary: 'Assess up to 1,000 applications, stored all or nothing',
      roles: ['admin', 'risk'],
      headers: idempotencyHeaders,
      body: batchBody,
      bodyValidator: fastBatchBody,
      bodyLimit: d.options.batchBodyLimit,
      prepareBody: (b) => {
        const apps = (b as { applications?: unknown } | null)?.applications;
        return Array.isArray(apps) ? { ...(b as object), applications: apps.map(normalised) } : b;
      },
      responses: {
        201: { description: 'All assessed and stored in one transaction', schema: batchAnswer },
        200: { description: 'An idempotent retry: the stored batch', schema: batchAnswer },
      },
      handler: async ({ body, req }) => {
        const key = keyOf(req.headers);
        const view = await bookNow();
        const made: Assessment[] = [];
        for await (const a of assessMany(d.release, body.applications, againstBook(view))) made.push(a);
        const saved = await d.store.saveAssessments(
          made.map((a, i) => ({
            input: body.applications[i],
            assessment: a,
            ...(view === null ? {} : { book: view.figures(a.applicationId) }),
          })),
          key !== undefined ? { idempotencyKey: key } : {},
        );
        const out = saved.rows.map((r) => r.output);
        if (!saved.replayed) for (const a of out) d.metrics.decisions.inc({ decision: a.decision });
        return {
          status: saved.replayed ? 200 : 201,
          body: {
            count: out.length,
            replayed: saved.replayed,
            decisions: countDecisions(out),
            assessments: out,
          },
          headers: { 'idempotent-replayed': String(saved.replayed) },
        };
      },
    }),
    route({
      method: 'get',
      path: '/v1/assessments/{id}',
      tag: 'assessments',
      summary: 'A stored assessment with its audit record (release, input digest, input, output)',
      roles: ['admin', 'risk'],
      params: idParams,
      responses: {
        200: { description: 'The stored assessment', schema: storedAssessment },
        404: { description: 'Unknown id' },
      },
      handler: async ({ params }) => {
        const row = await d.store.getAssessment(params.id);
        if (row === null) throw new RiskError('E_STORE_NOT_FOUND', `no assessment has id ${params.id}`);
        const { outputJson: _text, ...shown } = row;
        return { body: shown };
      },
    }),
    route({
      method: 'post',
      path: '/v1/assessments/{id}/replay',
      tag: 'assessments',
      summary: 'Recompute a stored assessment under its own release and report identical or the differences',
      roles: ['admin', 'risk'],
      params: idParams,
      responses: {
        200: { description: 'The replay', schema: replayAnswer },
        404: { description: 'Unknown id' },
      },
      handler: async ({ params }) => {
        const row = await d.store.getAssessment(params.id);
        if (row === null) throw new RiskError('E_STORE_NOT_FOUND', `no assessment has id ${params.id}`);
        // Against the book it was checked against, rebuilt at its version; the book's figures are compared too.
        const view = row.book === null ? null : await d.book.at(row.book.version);
        const r = replay(await releaseOf(row.releaseId), row.input, row.output, againstBook(view));
        const figures = view === null ? null : view.figures(row.output.borrower.id);
        const bookDiffs = Object.entries(figures ?? {})
          .filter(([k, v]) => row.book?.[k as keyof BookFigures] !== v)
          .map(([k, v]) => ({
            path: `book.${k}`,
            stored: row.book?.[k as keyof BookFigures],
            recomputed: v,
          }));
        const differences = [...bookDiffs, ...r.differences];
        return {
          body: {
            id: row.id,
            releaseId: row.releaseId,
            identical: differences.length === 0,
            book: row.book,
            differences,
            recomputed: r.recomputed,
          },
        };
      },
    }),
  ];
}
