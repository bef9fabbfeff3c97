import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sampleApplications, startTestApi, type TestApi } from './harness.js';

/**
 * The bank side end to end over HTTP: matching stores referrals, each bank sees its own inbox only (in the
 * bank's view), acts on its own referrals only, funds, reports a default that moves the programme's
 * compensation rate, and guarantees loans under a batch programme. Every bank route is tried with another
 * bank's key and must answer 403.
 */

let api: TestApi;
let referral: { id: string; bankId: string; agreementId: string; amount: number };
let owner: string;
let stranger: string;

beforeAll(async () => {
  api = await startTestApi();
  const apps = await sampleApplications(300);
  const batch = await api.call('POST', '/v1/assessments/batch', {
    key: api.keys.risk,
    body: { applications: apps },
  });
  expect(batch.status).toBe(201);
  const approved = batch.body.assessments.filter((a: { decision: string }) => a.decision === 'approve');
  expect(approved.length).toBeGreaterThan(5);
  const m = await api.call('POST', '/v1/matches', {
    key: api.keys.risk,
    body: { assessmentIds: [...batch.body.assessments.map((a: { id: string }) => a.id), 'no-such-id'] },
  });
  expect(m.status).toBe(201);
  expect(m.body.unknownAssessments).toEqual(['no-such-id']);
  expect(m.body.referrals.length).toBeGreaterThan(2);
  expect(m.body.notCandidates.length).toBeGreaterThanOrEqual(batch.body.assessments.length - approved.length);
  referral = m.body.referrals[0];
  owner = await api.keyFor(referral.bankId);
  const other = api.bankA === referral.bankId ? api.bankB : api.bankA;
  stranger = await api.keyFor(other);
});
afterAll(async () => {
  await api.close();
});

describe('bank inbox', () => {
  it("a bank reads its own referrals in the bank's view, with status filter and cursor pages", async () => {
    const all = await api.call('GET', `/v1/banks/${referral.bankId}/referrals?limit=500`, { key: owner });
    expect(all.status).toBe(200);
    expect(all.body.items.every((r: { bankId: string }) => r.bankId === referral.bankId)).toBe(true);
    for (const r of all.body.items) {
      expect(r.referral).not.toHaveProperty('alternatives');
      expect(r.referral).not.toHaveProperty('guarantorNetValue');
      expect(r.referral).not.toHaveProperty('value');
    }
    // The risk team sees the whole referral.
    const full = await api.call('GET', `/v1/banks/${referral.bankId}/referrals`, { key: api.keys.risk });
    expect(full.body.items[0].referral).toHaveProperty('alternatives');
    // Pages of one, in order, cover the list exactly once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
      const page = await api.call('GET', `/v1/banks/${referral.bankId}/referrals?limit=1${q}`, {
        key: owner,
      });
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((r: { id: string }) => r.id));
      cursor = page.body.nextCursor;
    } while (cursor !== null);
    expect(seen).toEqual(all.body.items.map((r: { id: string }) => r.id));
    const declined = await api.call('GET', `/v1/banks/${referral.bankId}/referrals?status=declined,funded`, {
      key: owner,
    });
    expect(declined.body.items).toEqual([]);
    const badStatus = await api.call('GET', `/v1/banks/${referral.bankId}/referrals?status=lost`, {
      key: owner,
    });
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error.issues[0].path.slice(0, 2)).toEqual(['query', 'status']);
    const badCursor = await api.call('GET', `/v1/banks/${referral.bankId}/referrals?cursor=zzz`, {
      key: owner,
    });
    expect(badCursor.status).toBe(400);
  });

  it("another bank's key gets 403 on every bank route for this bank's records", async () => {
    expect((await api.call('GET', `/v1/banks/${referral.bankId}/referrals`, { key: stranger })).status).toBe(
      403,
    );
    for (const action of ['accept', 'decline', 'funded']) {
      const r = await api.call('POST', `/v1/referrals/${referral.id}/${action}`, {
        key: stranger,
        body: action === 'decline' ? { reason: 'not ours' } : {},
      });
      expect([action, r.status]).toEqual([action, 403]);
    }
    // Nothing changed for the owner.
    const mine = await api.call('GET', `/v1/banks/${referral.bankId}/referrals?status=new&limit=500`, {
      key: owner,
    });
    expect(mine.body.items.map((r: { id: string }) => r.id)).toContain(referral.id);
    // An unknown bank (for the risk team) is 404; for a bank key any other bank id is 403.
    expect((await api.call('GET', '/v1/banks/no-bank/referrals', { key: api.keys.risk })).status).toBe(404);
    expect((await api.call('GET', '/v1/banks/no-bank/referrals', { key: owner })).status).toBe(403);
  });
});

describe('referral life', () => {
  it('of 12 concurrent accepts of one referral over HTTP exactly one wins; the rest are 409', async () => {
    const answers = await Promise.all(
      Array.from({ length: 12 }, () =>
        api.call('POST', `/v1/referrals/${referral.id}/accept`, { key: owner, body: {} }),
      ),
    );
    const codes = answers.map((a) => a.status).sort();
    expect(codes).toEqual([200, ...Array(11).fill(409)]);
    const winner = answers.find((a) => a.status === 200);
    expect(winner?.body).toMatchObject({ status: 'accepted', version: 2 });
    expect(answers.find((a) => a.status === 409)?.body.error.code).toBe('E_STORE_CONFLICT');
  });

  it('funds, reports a default (403 for another bank) and the compensation rate moves', async () => {
    const before = await api.call('GET', `/v1/programmes/${referral.agreementId}/status`, { key: owner });
    expect(before.status).toBe(200);
    const funded = await api.call('POST', `/v1/referrals/${referral.id}/funded`, {
      key: owner,
      body: { loanRef: 'L-1' },
    });
    expect(funded.status).toBe(200);
    expect(funded.body.referral.status).toBe('funded');
    const loan = funded.body.loan;
    expect(loan.amount).toBe(referral.amount);
    const mid = await api.call('GET', `/v1/programmes/${referral.agreementId}/status`, {
      key: api.keys.risk,
    });
    expect(mid.body.guaranteedToDate).toBeCloseTo(before.body.guaranteedToDate + referral.amount, 2);
    expect(mid.body.quota.used).toBeCloseTo(before.body.quota.used + referral.amount, 2);
    // The bank's own line under this programme moves by the loan.
    type Line = { bankId: string; used: number };
    const line = (s: { body: { quota: { banks: Line[] } } }) =>
      s.body.quota.banks.find((b) => b.bankId === referral.bankId)?.used ?? Number.NaN;
    expect(line(mid)).toBeCloseTo(line(before) + referral.amount, 2);

    const otherDefault = await api.call('POST', `/v1/loans/${loan.id}/default`, {
      key: stranger,
      body: { unpaidPrincipal: 1 },
    });
    expect(otherDefault.status).toBe(403);
    const bad = await api.call('POST', `/v1/loans/${loan.id}/default`, {
      key: owner,
      body: { unpaidPrincipal: -1, extra: 1 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: { path: string[] }) => i.path.join('.')).sort()).toEqual([
      'body.extra',
      'body.unpaidPrincipal',
    ]);

    const d = await api.call('POST', `/v1/loans/${loan.id}/default`, {
      key: owner,
      body: { unpaidPrincipal: referral.amount / 2 },
    });
    expect(d.status).toBe(200);
    expect(d.body.loan.status).toBe('defaulted');
    expect(d.body.flow.compensationPaid).toBeGreaterThan(0);
    const after = d.body.programme;
    expect(after.compensatedToDate).toBeCloseTo(d.body.flow.compensationPaid, 2);
    expect(after.compensationRate).toBeCloseTo(after.compensatedToDate / after.guaranteedToDate, 12);
    expect(after.compensationRate).toBeGreaterThan(before.body.compensationRate);
    expect(after.defaults).toBe(before.body.defaults + 1);
    const again = await api.call('POST', `/v1/loans/${loan.id}/default`, {
      key: owner,
      body: { unpaidPrincipal: 1 },
    });
    expect(again.status).toBe(409);
    const portfolio = await api.call('GET', '/v1/portfolio', { key: api.keys.risk });
    expect(portfolio.status).toBe(200);
    expect([10, 15]).toContain(portfolio.body.status.leverage.cap);
    const byBank = portfolio.body.byBank.reduce((t: number, l: { balance: number }) => t + l.balance, 0);
    expect(byBank).toBeCloseTo(portfolio.body.status.grossBalance, 2);
  });

  it('a declined referral needs a reason; a bank sees a programme only when it signed it', async () => {
    const inbox = await api.call('GET', `/v1/banks/${referral.bankId}/referrals?status=new`, { key: owner });
    const next = inbox.body.items[0];
    if (next !== undefined) {
      expect(
        (await api.call('POST', `/v1/referrals/${next.id}/decline`, { key: owner, body: {} })).status,
      ).toBe(400);
      const d = await api.call('POST', `/v1/referrals/${next.id}/decline`, {
        key: owner,
        body: { reason: '行业集中度已满' },
      });
      expect(d.body).toMatchObject({ status: 'declined', note: '行业集中度已满' });
    }
    const unsigned = api.bankA === referral.bankId ? api.bankB : api.bankA;
    const signedByStranger = (
      await api.call('GET', `/v1/programmes/${referral.agreementId}/status`, { key: api.keys.risk })
    ).body.quota.banks.some((b: { bankId: string }) => b.bankId === unsigned);
    const r = await api.call('GET', `/v1/programmes/${referral.agreementId}/status`, { key: stranger });
    expect(r.status).toBe(signedByStranger ? 200 : 403);
    expect((await api.call('GET', '/v1/programmes/none/status', { key: api.keys.risk })).status).toBe(404);
  });
});

describe('batch guarantees (见贷即保)', () => {
  const loan = (ref: string, over: Record<string, unknown> = {}) => ({
    loanRef: ref,
    borrowerId: `B-${ref}`,
    amount: 1_000_000,
    tenorMonths: 12,
    region: '510104',
    industry: 'C1711',
    entityType: 'company',
    ...over,
  });

  it('guarantees a loan meeting the standards at once, refuses others with every reason, replays a loanRef', async () => {
    // fund-batch-sc: a batch programme icbc-sc (bankA) signed; regions 51, 50k–5M, 1–12 months.
    const key = api.keys.bankA;
    const r = await api.call('POST', '/v1/programmes/fund-batch-sc/guarantees', {
      key,
      body: {
        loans: [loan('G1'), loan('G2', { amount: 9_000_000, region: '330100', tenorMonths: 24 }), loan('G1')],
      },
    });
    expect(r.status).toBe(200);
    expect(r.body.guaranteed).toBe(2);
    expect(r.body.results[0]).toMatchObject({ loanRef: 'G1', ok: true, replayed: false });
    expect(r.body.results[2]).toMatchObject({ loanRef: 'G1', ok: true, replayed: true });
    expect(r.body.results[2].loan.id).toBe(r.body.results[0].loan.id);
    const codes = r.body.results[1].refusals.map((x: { code: string }) => x.code).sort();
    expect(codes).toEqual(['amount', 'per_borrower_cap', 'region', 'tenor']);
    expect(r.body.programme.guaranteedToDate).toBe(1_000_000);
    const p = await api.call('GET', '/v1/portfolio', { key: api.keys.risk });
    expect(p.body.byBank.find((l: { id: string }) => l.id === api.bankA)?.balance).toBe(1_000_000);
    expect(p.body.status.singleClient.top[0].amount).toBe(1_000_000);
  });

  it("checks this bank's use against its own quota there, and the programme's total against its line", async () => {
    // fund-batch-sc in the bank file: icbc-sc 650M quota (585M used before), psbc-gy 150M (127.5M used):
    // psbc-gy has 22.5M of room. icbc-sc guarantees 25M more; psbc-gy's own room is untouched by that.
    const icbc = await api.keyFor('icbc-sc');
    const psbc = await api.keyFor('psbc-gy');
    const five = (ref: string) => loan(ref, { amount: 5_000_000 });
    const big = await api.call('POST', '/v1/programmes/fund-batch-sc/guarantees', {
      key: icbc,
      body: { loans: ['I1', 'I2', 'I3', 'I4', 'I5'].map(five) },
    });
    expect(big.body.guaranteed).toBe(5);
    // The old check compared the programme's live total (≥ 25M) with psbc-gy's room (22.5M) and refused.
    const small = await api.call('POST', '/v1/programmes/fund-batch-sc/guarantees', {
      key: psbc,
      body: { loans: [loan('P1')] },
    });
    expect(small.body.results[0]).toMatchObject({ ok: true });
    // psbc-gy's own quota: 1M in force + 4 × 5M = 21M of its 22.5M room; the next 5M does not fit.
    const fill = await api.call('POST', '/v1/programmes/fund-batch-sc/guarantees', {
      key: psbc,
      body: { loans: ['P2', 'P3', 'P4', 'P5', 'P6'].map(five) },
    });
    expect(fill.body.results.map((r: { ok: boolean }) => r.ok)).toEqual([true, true, true, true, false]);
    const refusal = fill.body.results[4].refusals[0];
    expect(refusal.code).toBe('bank_quota');
    expect(refusal.en).toBe("no room in this bank's quota under the programme (used 148500000 of 150000000)");
    const line = fill.body.programme.quota.banks.find((b: { bankId: string }) => b.bankId === 'psbc-gy');
    expect(line).toMatchObject({ used: 148_500_000, available: 1_500_000 });
  });

  it('403 for a bank that has not signed, 403 for non-bank keys, 409 for a joint-review programme', async () => {
    const body = { loans: [loan('X1')] };
    expect(
      (await api.call('POST', '/v1/programmes/fund-batch-sc/guarantees', { key: api.keys.bankB, body }))
        .status,
    ).toBe(403);
    expect(
      (await api.call('POST', '/v1/programmes/fund-batch-sc/guarantees', { key: api.keys.risk, body }))
        .status,
    ).toBe(403);
    const jr = await api.call('POST', '/v1/programmes/direct-28/guarantees', { key: api.keys.bankA, body });
    expect([jr.status, jr.body.error.code]).toEqual([409, 'E_API_PROGRAMME_MODE']);
  });
});
