import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.js';
import { assess } from '../../src/decisions/assess.js';
import type { Application } from '../../src/ingest/schemas.js';
import { LOAN, series } from '../decisions/warning-helpers.js';
import { sampleApplications, shippedRelease, startTestApi, type TestApi } from './harness.js';

let api: TestApi;
let apps: Application[];

beforeAll(async () => {
  api = await startTestApi();
  apps = await sampleApplications(120);
});
afterAll(async () => {
  await api.close();
});

describe('operations', () => {
  it('health, readiness, metrics and a request id echoed (or made)', async () => {
    const h = await api.call('GET', '/healthz', { key: null, headers: { 'x-request-id': 'trace-42' } });
    expect(h.status).toBe(200);
    expect(h.body).toEqual({ status: 'ok' });
    expect(h.headers.get('x-request-id')).toBe('trace-42');
    expect(h.headers.get('x-content-type-options')).toBe('nosniff'); // helmet
    const made = await api.call('GET', '/healthz', {
      key: null,
      headers: { 'x-request-id': 'bad id with spaces' },
    });
    expect(made.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const r = await api.call('GET', '/readyz', { key: null });
    expect(r.body).toMatchObject({ status: 'ready', database: 'sqlite' });
    const m = await api.call('GET', '/metrics', { key: null });
    expect(m.body).toContain(
      'rongdan_http_request_duration_seconds_bucket{le="0.001",method="GET",route="/healthz",status="200"}',
    );
  });

  it('/openapi.json documents every route, generated from the validating schemas', async () => {
    const { body } = await api.call('GET', '/openapi.json', { key: null });
    const paths = Object.keys(body.paths).sort();
    expect(paths).toEqual(
      [
        '/healthz',
        '/readyz',
        '/v1/assessments',
        '/v1/assessments/batch',
        '/v1/assessments/{id}',
        '/v1/assessments/{id}/replay',
        '/v1/banks/{bankId}/referrals',
        '/v1/loans/{id}/default',
        '/v1/matches',
        '/v1/monitoring/evaluations',
        '/v1/portfolio',
        '/v1/programmes/{id}/guarantees',
        '/v1/programmes/{id}/status',
        '/v1/referrals/{id}/accept',
        '/v1/referrals/{id}/decline',
        '/v1/referrals/{id}/funded',
        '/v1/releases/active',
      ].sort(),
    );
    const post = body.paths['/v1/assessments'].post;
    expect(post.requestBody.content['application/json'].schema.$ref).toBe('#/components/schemas/Application');
    expect(Object.keys(post.responses).sort()).toEqual([
      '200',
      '201',
      '400',
      '401',
      '403',
      '409',
      '413',
      '429',
    ]);
    expect(body.components.schemas.Application.properties.request.required).toEqual([
      'amount',
      'tenorMonths',
      'purpose',
    ]);
    expect(body.components.schemas.Error.properties.error.properties.code.enum).toContain('E_API_VALIDATION');
  });

  it('/docs serves the Scalar page with a server-rendered reference of every route inside its mount point', async () => {
    const res = await fetch(`${api.url}/docs`);
    const html = await res.text();
    expect(res.status).toBe(200);
    expect(html).toContain('Scalar.createApiReference');
    expect(html).toContain('<code>POST /v1/assessments</code>');
    expect(html).toContain('<code>GET /v1/banks/{bankId}/referrals</code>');
    expect(res.headers.get('content-security-policy')).toContain("'unsafe-inline'");
  });

  it('/docs works offline: the viewer script is served locally and the page names no CDN', async () => {
    const html = await (await fetch(`${api.url}/docs`)).text();
    expect(html).toContain('src="/docs/scalar.js"');
    expect(html).not.toContain('cdn.jsdelivr.net');
    const script = await fetch(`${api.url}/docs/scalar.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toContain('javascript');
    // The standalone bundle is ~3.5 MB; a stub or an error page would be far smaller.
    expect((await script.arrayBuffer()).byteLength).toBeGreaterThan(1_000_000);
  });

  it('unknown routes are 404 in the one error shape', async () => {
    const r = await api.call('GET', '/v1/nothing-here');
    expect(r.status).toBe(404);
    expect(r.body.error).toMatchObject({ code: 'E_API_NOT_FOUND', status: 404 });
    expect(typeof r.body.error.requestId).toBe('string');
  });
});

describe('authentication and roles', () => {
  it('401 without a key, with a malformed header, with an unknown or revoked key', async () => {
    expect((await api.call('GET', '/v1/releases/active', { key: null })).status).toBe(401);
    const malformed = await api.call('GET', '/v1/releases/active', {
      key: null,
      headers: { authorization: 'Basic abc' },
    });
    expect(malformed.body.error.code).toBe('E_API_UNAUTHENTICATED');
    expect((await api.call('GET', '/v1/releases/active', { key: 'rdk_000000000000_xxx' })).status).toBe(401);
    const made = await api.store.createApiKey({ role: 'risk' });
    expect((await api.call('GET', '/v1/releases/active', { key: made.key })).status).toBe(200);
    await api.store.revokeApiKey(made.record.id);
    expect((await api.call('GET', '/v1/releases/active', { key: made.key })).status).toBe(401);
  });

  it('403 for a role the route does not admit (bank on risk routes, risk on bank actions)', async () => {
    const bank = await api.call('GET', '/v1/releases/active', { key: api.keys.bankA });
    expect(bank.status).toBe(403);
    expect(bank.body.error.code).toBe('E_API_FORBIDDEN');
    expect((await api.call('POST', '/v1/assessments', { key: api.keys.bankA, body: apps[0] })).status).toBe(
      403,
    );
    expect((await api.call('GET', '/v1/portfolio', { key: api.keys.bankA })).status).toBe(403);
    expect((await api.call('POST', '/v1/referrals/x/accept', { key: api.keys.risk, body: {} })).status).toBe(
      403,
    );
  });
});

describe('assessments', () => {
  it('assesses, stores, answers idempotently by key, reads back and replays identically', async () => {
    const app = apps[0] as Application;
    const first = await api.call('POST', '/v1/assessments', {
      key: api.keys.risk,
      body: app,
      headers: { 'idempotency-key': 'k-1' },
    });
    expect(first.status).toBe(201);
    expect(first.body.applicationId).toBe(app.id);
    expect(['approve', 'refer', 'decline', 'insufficient_data']).toContain(first.body.decision);
    expect(first.headers.get('location')).toBe(`/v1/assessments/${first.body.id}`);
    const retry = await api.call('POST', '/v1/assessments', {
      key: api.keys.risk,
      body: app,
      headers: { 'idempotency-key': 'k-1' },
    });
    expect(retry.status).toBe(200);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.body).toEqual(first.body);
    const other = await api.call('POST', '/v1/assessments', {
      key: api.keys.risk,
      body: apps[1],
      headers: { 'idempotency-key': 'k-1' },
    });
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('E_STORE_CONFLICT');

    const got = await api.call('GET', `/v1/assessments/${first.body.id}`, { key: api.keys.risk });
    expect(got.body.output).toEqual(first.body);
    expect(got.body.releaseId).toBe(first.body.releaseId);
    expect(got.body.inputDigest).toBe(first.body.inputDigest);
    const replay = await api.call('POST', `/v1/assessments/${first.body.id}/replay`, { key: api.keys.risk });
    expect(replay.body).toMatchObject({ identical: true, differences: [] });
    expect((await api.call('GET', '/v1/assessments/nope', { key: api.keys.risk })).status).toBe(404);
    const metrics = await api.metrics.registry.getSingleMetricAsString('rongdan_decisions_total');
    expect(metrics).toContain(`decision="${first.body.decision}"} 1`);
  });

  it('accepts loose input (text numbers) the way the file readers do', async () => {
    const app = structuredClone(apps[2]) as unknown as { request: Record<string, unknown> };
    app.request.amount = String(app.request.amount);
    const r = await api.call('POST', '/v1/assessments', { body: app });
    expect(r.status).toBe(201);
  });

  it('a batch is assessed and stored all or nothing; a bad element names its index', async () => {
    const ok = await api.call('POST', '/v1/assessments/batch', { body: { applications: apps.slice(3, 63) } });
    expect(ok.status).toBe(201);
    expect(ok.body.count).toBe(60);
    expect(ok.body.assessments.map((a: { applicationId: string }) => a.applicationId)).toEqual(
      apps.slice(3, 63).map((a) => a.id),
    );
    // Each batch item replays alone identically (a batch books nothing between its items).
    for (const a of ok.body.assessments) {
      const r = await api.call('POST', `/v1/assessments/${a.id}/replay`);
      expect([a.applicationId, r.body.identical, r.body.differences]).toEqual([a.applicationId, true, []]);
    }
    const bad = structuredClone(apps.slice(70, 73)) as unknown as Record<string, unknown>[];
    (bad[1] as { asOf: string }).asOf = '2025-02-30';
    const r = await api.call('POST', '/v1/assessments/batch', { body: { applications: bad } });
    expect(r.status).toBe(400);
    expect(r.body.error.issues[0]).toMatchObject({
      path: ['body', 'applications', 1, 'asOf'],
      received: '2025-02-30',
    });
    // All or nothing: the valid neighbours of the bad element were not stored either.
    const release = await shippedRelease();
    // Assessed against the live book, still empty (store book version 0): its version is part of the id.
    const ids = [apps[70], apps[72]].map((a) => assess(release, a as Application, { bookId: 'book:0' }).id);
    expect(await api.store.getAssessments(ids)).toEqual([]);
    const good = await api.call('POST', '/v1/assessments/batch', {
      body: { applications: [apps[70], apps[72]] },
    });
    expect(good.body.assessments.map((a: { id: string }) => a.id)).toEqual(ids);
  });
});

describe('bad input', () => {
  it('400 lists every bad field with path, code, message and what was received', async () => {
    type Body = { request: Record<string, unknown> } & Record<string, unknown>;
    const app = structuredClone(apps[0]) as unknown as Body;
    app.request.amount = -5;
    app.request.tenorMonths = 1.5;
    app.asOf = 'yesterday';
    app.colour = 'blue';
    const r = await api.call('POST', '/v1/assessments', { body: app });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('E_API_VALIDATION');
    const byPath = Object.fromEntries(
      r.body.error.issues.map((i: { path: string[] }) => [i.path.join('.'), i]),
    );
    expect(Object.keys(byPath).sort()).toEqual([
      'body.asOf',
      'body.colour',
      'body.request.amount',
      'body.request.tenorMonths',
    ]);
    expect(byPath['body.request.amount']).toMatchObject({ code: 'too_small', received: -5 });
    expect(byPath['body.colour']).toMatchObject({ code: 'unrecognized_keys', received: 'blue' });
    expect(byPath['body.asOf'].received).toBe('yesterday');
  });

  it('invalid JSON 400, wrong media type 415, over the size limit 413', async () => {
    const j = await api.call('POST', '/v1/assessments', { body: '{"id": ' });
    expect([j.status, j.body.error.code]).toEqual([400, 'E_API_JSON']);
    const t = await api.call('POST', '/v1/assessments', {
      body: 'id=1',
      headers: { 'content-type': 'text/plain' },
    });
    expect([t.status, t.body.error.code]).toEqual([415, 'E_API_MEDIA_TYPE']);
    const big = await api.call('POST', '/v1/assessments', {
      body: { ...apps[0], pad: 'x'.repeat(1_100_000) },
    });
    expect([big.status, big.body.error.code]).toEqual([413, 'E_API_TOO_LARGE']);
  });

  it('every error code the API can answer is in the registry with its status', () => {
    for (const [code, s] of [
      ['E_API_UNAUTHENTICATED', 401],
      ['E_API_FORBIDDEN', 403],
      ['E_API_VALIDATION', 400],
      ['E_API_TOO_LARGE', 413],
      ['E_API_RATE_LIMITED', 429],
      ['E_API_NOT_FOUND', 404],
    ] as const)
      expect(ERROR_CODES[code].status).toBe(s);
  });

  it('a per-key rate limit answers 429 with Retry-After; another key is not limited', async () => {
    const limited = await startTestApi({ rateLimit: { windowMs: 60_000, limit: 3 } });
    try {
      const codes = [];
      for (let i = 0; i < 4; i++)
        codes.push((await limited.call('GET', '/v1/releases/active', { key: limited.keys.risk })).status);
      expect(codes).toEqual([200, 200, 200, 429]);
      const last = await limited.call('GET', '/v1/releases/active', { key: limited.keys.risk });
      expect(last.body.error.code).toBe('E_API_RATE_LIMITED');
      expect(Number(last.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await limited.call('GET', '/v1/releases/active', { key: limited.keys.admin })).status).toBe(
        200,
      );
    } finally {
      await limited.close();
    }
  });
});

describe('monitoring', () => {
  it('evaluates in-force loans from their snapshots; overdue days set the floor', async () => {
    const r = await api.call('POST', '/v1/monitoring/evaluations', {
      body: {
        loans: [
          { loan: LOAN, snapshots: series(6) },
          {
            loan: { ...LOAN, borrowerId: 'T1' },
            snapshots: series(6, { loanOverdueDays: 100, loanStatus: 'overdue' }),
          },
        ],
      },
    });
    expect(r.status).toBe(200);
    expect(r.body.evaluations[0].evaluation.level).toBe('normal');
    expect(r.body.evaluations[1].evaluation.overdueFloor).not.toBe('normal');
    const bad = await api.call('POST', '/v1/monitoring/evaluations', {
      body: { loans: [{ loan: LOAN, snapshots: [] }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toEqual(['body', 'loans', 0, 'snapshots']);
  });
});
