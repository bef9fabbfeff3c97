import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LiveBook } from '../../src/api/book.js';
import { readPartners, SERVER_DEFAULTS } from '../../src/api/server.js';
import { parsePortfolioPolicy } from '../../src/decisions/portfolio.js';
import type { Application } from '../../src/ingest/schemas.js';
import { sampleApplications, shippedRelease, startTestApi, type TestApi } from './harness.js';

/**
 * The live portfolio book: assessments are checked against the loans in force in the store, store the book
 * they saw, and replay against that book even after it moved; /v1/portfolio shows the same book.
 */

let api: TestApi;
let app: Application;
let bank: string;
const { agreements } = readPartners(SERVER_DEFAULTS.banks, SERVER_DEFAULTS.agreements);

type Rule = { id: string; value: number; fired: boolean };
const rule = (a: { rules: Rule[] }, id: string) => a.rules.find((r) => r.id === id) as Rule;

beforeAll(async () => {
  api = await startTestApi();
  bank = await api.keyFor('icbc-sc');
  // An approved sample application of a company (its loans count at the small/micro weight).
  for (const a of await sampleApplications(100)) {
    const r = await api.call('POST', '/v1/assessments/batch', {
      key: api.keys.risk,
      body: { applications: [a] },
    });
    if (r.body.assessments[0].decision === 'approve' && a.enterprise?.entityType === 'company') {
      app = a;
      break;
    }
  }
  expect(app).toBeDefined();
});
afterAll(async () => {
  await api.close();
});

/** A loan guaranteed at once under the batch programme fund-batch-sc, to the sample borrower. */
async function guarantee(ref: string, amount: number): Promise<void> {
  const r = await api.call('POST', '/v1/programmes/fund-batch-sc/guarantees', {
    key: bank,
    body: {
      loans: [
        {
          loanRef: ref,
          borrowerId: app.id,
          amount,
          tenorMonths: 12,
          region: '510104',
          industry: 'C1711',
          entityType: 'company',
        },
      ],
    },
  });
  expect(r.body.results[0]).toMatchObject({ ok: true });
}

/** Assesses the sample application now: the answer, its status, and the book stored with it. */
async function assessNow() {
  const r = await api.call('POST', '/v1/assessments', { key: api.keys.risk, body: app });
  const stored = await api.call('GET', `/v1/assessments/${r.body.id}`, { key: api.keys.risk });
  return { status: r.status, body: r.body, book: stored.body.book };
}

describe('the live portfolio book', () => {
  it("a loan in force changes the next assessment's concentration figure; replay after more loans is identical", async () => {
    const policy = (await shippedRelease()).release.policy.portfolio;
    const base = policy?.netAssets as number; // the concentration base (no stakes netted, domain.md §3.1)
    const first = await assessNow();
    const empty = { loans: 0, grossBalance: 0, weightedLiability: 0, clientBalance: 0, groupBalance: 0 };
    expect(first.book).toEqual({ version: 0, ...empty });
    const limit1 = first.body.limit.amount as number;
    expect(rule(first.body, 'portfolio_single_client').value).toBeCloseTo(limit1 / base, 12);

    await guarantee('BOOK-1', 5_000_000);
    const second = await assessNow();
    expect(second.status).toBe(201); // the same input against another book is another assessment
    expect(second.body.id).not.toBe(first.body.id);
    expect(second.book).toMatchObject({
      version: 1,
      loans: 1,
      grossBalance: 5_000_000,
      clientBalance: 5_000_000,
    });
    // The borrower's 5M in force now counts in its concentration (and in the weighted liability, at 75%).
    const limit2 = (second.body.limit?.amount ?? 0) as number;
    expect(rule(second.body, 'portfolio_single_client').value).toBeCloseTo((5_000_000 + limit2) / base, 12);
    expect(second.book.weightedLiability).toBe(3_750_000);

    // /v1/portfolio shows the same book.
    const p = await api.call('GET', '/v1/portfolio', { key: api.keys.risk });
    expect(p.body.bookVersion).toBe(1);
    expect(p.body.status.singleClient.top[0]).toMatchObject({ id: app.id, amount: 5_000_000 });
    expect(p.body.status.weightedLiability).toBe(3_750_000);

    // The book moves on: two more loans, one defaulted. Both stored assessments still replay identically.
    await guarantee('BOOK-2', 3_000_000);
    await guarantee('BOOK-3', 2_000_000);
    const loans = await api.store.listLoans({ agreementId: 'fund-batch-sc', status: 'active' });
    const third = loans.find((l) => (l.payload as { loanRef: string }).loanRef === 'BOOK-3');
    const d = await api.call('POST', `/v1/loans/${third?.id}/default`, {
      key: api.keys.risk,
      body: { unpaidPrincipal: 2_000_000 },
    });
    expect(d.status).toBe(200);
    expect(await api.store.bookVersion()).toBe(4);
    for (const a of [first.body, second.body]) {
      const r = await api.call('POST', `/v1/assessments/${a.id}/replay`, { key: api.keys.risk });
      expect([r.body.identical, r.body.differences]).toEqual([true, []]);
    }
    const third3 = await assessNow();
    expect(third3.book).toMatchObject({ version: 4, loans: 2, clientBalance: 8_000_000 });
  });

  it('another process sees the loans at its next check (one version read), and rebuilds any earlier version', async () => {
    const other = new LiveBook(api.store, parsePortfolioPolicy({}), agreements);
    const before = await other.current();
    // Another process guarantees a loan (straight through the store, under another batch programme).
    const g = await api.store.guaranteeLoan({
      agreementId: 'zj-local-batch',
      bankId: 'mybank',
      loanRef: 'BOOK-4',
      borrowerId: app.id,
      amount: 1_000_000,
      admit: () => null,
    });
    expect(g.ok).toBe(true);
    const after = await other.current();
    expect(after.version).toBe(before.version + 1);
    expect(after.portfolio.clientExposure(app.id) - before.portfolio.clientExposure(app.id)).toBe(1_000_000);
    // Version 1 of the first test: one loan of 5M.
    const v1 = await other.at(1);
    expect([v1.loans.length, v1.portfolio.clientExposure(app.id)]).toEqual([1, 5_000_000]);
  });
});
