import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RiskError } from '../../src/core/errors.js';
import { KEY_CACHE_MS, referralId } from '../../src/store/kysely-store.js';
import { MAX_BATCH, type NewAssessment, type Store } from '../../src/store/store.js';
import { agreement, newAssessment, referral } from './fixtures.js';
import { type FreshDatabase, type StoreHarness, steppingClock } from './harness.js';

/** Runs `p` and returns the RiskError code it rejected with (fails when it resolved). */
export async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof RiskError) return err.code;
    throw err;
  }
  throw new Error('expected a rejection');
}

/** The store contract: every dialect must pass exactly these tests. */
export function storeContract(h: StoreHarness): void {
  let db: FreshDatabase;
  let clock: ReturnType<typeof steppingClock>;
  let store: Store;
  beforeEach(async () => {
    db = await h.fresh();
    clock = steppingClock();
    store = await db.open(clock);
  });
  afterEach(async () => {
    await db.drop();
  });

  describe(`${h.name}: assessments`, () => {
    it('round-trips input and output exactly, with the release, digest and clock time', async () => {
      const item = newAssessment(1);
      const saved = await store.saveAssessment(item);
      expect(saved.replayed).toBe(false);
      const got = await store.getAssessment(item.assessment.id);
      expect(got).toEqual({
        id: item.assessment.id,
        applicationId: 'app-1',
        releaseId: 'test',
        inputDigest: item.assessment.inputDigest,
        decision: 'approve',
        input: item.input,
        output: item.assessment,
        createdAt: '2026-06-30T08:00:00.000Z',
        book: null,
        outputJson: JSON.stringify(item.assessment),
      });
      expect(JSON.stringify(got?.output)).toBe(JSON.stringify(item.assessment));
      expect(saved.rows[0]).toEqual(got);
      expect(await store.getAssessment('nope')).toBeNull();
    });

    it('concurrent single saves commit in groups; each is answered with its row, a bad one fails alone', async () => {
      const items = Array.from({ length: 40 }, (_, i) => newAssessment(100 + i));
      const twice = newAssessment(100); // the same assessment sent twice at once is one row
      const bad = newAssessment(999, { applicationId: null as never }); // the database refuses it (NOT NULL)
      const answers = await Promise.allSettled([...items, twice, bad].map((i) => store.saveAssessment(i)));
      const ok = answers.slice(0, 41).map((a) => (a.status === 'fulfilled' ? a.value.rows[0]?.id : a.reason));
      expect(ok).toEqual([...items, twice].map((i) => i.assessment.id));
      expect(answers[41]?.status).toBe('rejected');
      const stored = await store.getAssessments(items.map((i) => i.assessment.id));
      expect(stored.map((a) => a.output)).toEqual(items.map((i) => i.assessment));
      expect(await store.getAssessment(bad.assessment.id)).toBeNull();
      // Saved again later: the stored row is answered, not a new one.
      clock.advance(1000);
      const again = await store.saveAssessment(items[0] as NewAssessment);
      expect(again.rows[0]?.createdAt).toBe(stored[0]?.createdAt);
    });

    it('a retry with the same key returns the stored row; another body under the key is a conflict', async () => {
      const first = await store.saveAssessment(newAssessment(1), { idempotencyKey: 'k-1' });
      clock.advance(60_000);
      const again = await store.saveAssessment(newAssessment(1), { idempotencyKey: 'k-1' });
      expect(again.replayed).toBe(true);
      expect(again.rows).toEqual(first.rows);
      expect(again.rows[0]?.createdAt).toBe('2026-06-30T08:00:00.000Z');
      expect(await codeOf(store.saveAssessment(newAssessment(2), { idempotencyKey: 'k-1' }))).toBe(
        'E_STORE_CONFLICT',
      );
      // A key is scoped: the same key on a batch is another request.
      expect(await codeOf(store.saveAssessments([newAssessment(1)], { idempotencyKey: 'k-1' }))).toBe(
        'E_STORE_CONFLICT',
      );
      expect(await store.getAssessment(newAssessment(2).assessment.id)).toBeNull();
    });

    it('concurrent saves under one key store one row and all return it', async () => {
      const peers = await db.peers(6, clock);
      const results = await Promise.all(
        peers.map((s) => s.saveAssessment(newAssessment(7), { idempotencyKey: 'same' })),
      );
      expect(results.filter((r) => !r.replayed)).toHaveLength(1);
      for (const r of results) expect(r.rows[0]?.id).toBe(newAssessment(7).assessment.id);
    });

    it('a batch of 1,000 is stored in order; a retried batch key returns the same rows', async () => {
      const items = Array.from({ length: MAX_BATCH }, (_, i) => newAssessment(i + 1));
      const saved = await store.saveAssessments(items, { idempotencyKey: 'batch-1' });
      expect(saved.rows.map((r) => r.id)).toEqual(items.map((i) => i.assessment.id));
      const again = await store.saveAssessments(items, { idempotencyKey: 'batch-1' });
      expect(again.replayed).toBe(true);
      expect(again.rows.map((r) => r.id)).toEqual(saved.rows.map((r) => r.id));
      expect((await store.getAssessments(items.map((i) => i.assessment.id).reverse())).length).toBe(
        MAX_BATCH,
      );
      expect(await codeOf(store.saveAssessments([...items, newAssessment(5000)]))).toBe('E_STORE_INPUT');
      expect(await codeOf(store.saveAssessments([]))).toBe('E_STORE_INPUT');
    });

    it('a batch that fails in the database leaves nothing behind, not even its key', async () => {
      const items = Array.from({ length: 300 }, (_, i) => newAssessment(i + 1));
      // A row the database refuses (NOT NULL) in the middle of the batch.
      const bad = newAssessment(150, { applicationId: null as unknown as string });
      items[149] = bad;
      await expect(store.saveAssessments(items, { idempotencyKey: 'b' })).rejects.toThrow();
      expect(await store.getAssessments(items.map((i) => i.assessment.id))).toEqual([]);
      items[149] = newAssessment(150);
      const ok = await store.saveAssessments(items, { idempotencyKey: 'b' });
      expect(ok.replayed).toBe(false);
      expect(ok.rows).toHaveLength(300);
    });

    it('the same assessment stored twice without a key is one row (its id is a digest)', async () => {
      await store.saveAssessment(newAssessment(3));
      clock.advance(1000);
      const again = await store.saveAssessments([newAssessment(3), newAssessment(4)]);
      expect(again.rows.map((r) => r.createdAt)).toEqual([
        '2026-06-30T08:00:00.000Z',
        '2026-06-30T08:00:01.000Z',
      ]);
    });
  });

  describe(`${h.name}: referrals`, () => {
    it('stores referrals once (deterministic ids) and lists a bank inbox page by page, every row once', async () => {
      const banks = ['bank-a', 'bank-b', 'bank-c'];
      const made: string[] = [];
      for (let i = 0; i < 237; i++) {
        // Several rows share a timestamp, so the order must fall back on the id.
        if (i % 7 === 0) clock.advance(1000);
        const r = referral(`as-${i}`, banks[i % 3] as string);
        made.push(referralId(r));
        await store.createReferrals([r]);
      }
      const again = await store.createReferrals([referral('as-0', 'bank-a')]);
      expect(again[0]?.id).toBe(made[0]);
      for (const bank of banks) {
        const seen: string[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await store.listReferrals({ bankId: bank, cursor, limit: 10 });
          for (const r of page.items) expect(r.bankId).toBe(bank);
          seen.push(...page.items.map((r) => r.id));
          cursor = page.nextCursor;
          pages++;
        } while (cursor !== null);
        const expected = made.filter((_, i) => banks[i % 3] === bank);
        expect(seen.length).toBe(expected.length);
        expect(new Set(seen)).toEqual(new Set(expected));
        expect(pages).toBe(Math.ceil(expected.length / 10));
        const full = await store.listReferrals({ bankId: bank, limit: 500 });
        expect(full.items.map((r) => r.id)).toEqual(seen);
      }
      expect(await codeOf(store.listReferrals({ bankId: 'bank-a', cursor: 'garbage' }))).toBe(
        'E_STORE_INPUT',
      );
      expect(await codeOf(store.listReferrals({ bankId: 'bank-a', limit: 0 }))).toBe('E_STORE_INPUT');
    });

    it('stores a match of 3,000 referrals in one call (statements chunked under the parameter caps)', async () => {
      await store.setWebhookEndpoint({ bankId: 'bank-b', url: 'http://127.0.0.1:9/hook' });
      const many = Array.from({ length: 3000 }, (_, i) =>
        referral(`as-${i}`, i % 2 === 0 ? 'bank-a' : 'bank-b'),
      );
      const stored = await store.createReferrals(many);
      expect(stored.map((r) => r.id)).toEqual(many.map(referralId));
      expect((await store.outboxCounts()).pending).toBe(1500);
      expect((await store.getAssessments(stored.map((r) => r.assessmentId))).length).toBe(0);
    });

    it('filters by status and pages the filtered list', async () => {
      const rs = await store.createReferrals(
        Array.from({ length: 30 }, (_, i) => referral(`as-${i}`, 'bank-a')),
      );
      for (const r of rs.slice(0, 12)) await store.transitionReferral({ id: r.id, to: 'accepted' });
      for (const r of rs.slice(12, 15))
        await store.transitionReferral({ id: r.id, to: 'declined', note: '额度不足' });
      const accepted: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await store.listReferrals({ bankId: 'bank-a', status: 'accepted', cursor, limit: 5 });
        accepted.push(...page.items.map((r) => r.id));
        cursor = page.nextCursor;
      } while (cursor !== null);
      expect(accepted.sort()).toEqual(
        rs
          .slice(0, 12)
          .map((r) => r.id)
          .sort(),
      );
      const some = await store.listReferrals({ bankId: 'bank-a', status: ['new', 'declined'], limit: 100 });
      expect(some.items.length).toBe(18);
      expect(some.items.filter((r) => r.status === 'declined').every((r) => r.note === '额度不足')).toBe(
        true,
      );
    });

    it('moves along the allowed transitions only, with versions, bank scope and clear errors', async () => {
      const [r] = await store.createReferrals([referral('as-1', 'bank-a')]);
      if (r === undefined) throw new Error('no referral');
      expect(r).toMatchObject({ status: 'new', version: 1, amount: 1_000_000, agreementId: 'ah-4321' });
      expect(await codeOf(store.transitionReferral({ id: r.id, to: 'accepted', bankId: 'bank-b' }))).toBe(
        'E_STORE_FORBIDDEN',
      );
      expect(await codeOf(store.transitionReferral({ id: 'ref_x', to: 'accepted' }))).toBe(
        'E_STORE_NOT_FOUND',
      );
      expect(await codeOf(store.transitionReferral({ id: r.id, to: 'accepted', expectedVersion: 3 }))).toBe(
        'E_STORE_CONFLICT',
      );
      expect(await codeOf(store.fundReferral({ id: r.id }))).toBe('E_STORE_CONFLICT');
      const acc = await store.transitionReferral({
        id: r.id,
        to: 'accepted',
        bankId: 'bank-a',
        expectedVersion: 1,
      });
      expect(acc).toMatchObject({ status: 'accepted', version: 2 });
      expect(await codeOf(store.transitionReferral({ id: r.id, to: 'accepted' }))).toBe('E_STORE_CONFLICT');
      expect((await store.getReferral(r.id))?.version).toBe(2);
    });

    it('concurrent accepts of one referral: exactly one wins, the rest get a conflict', async () => {
      const [r] = await store.createReferrals([referral('as-1', 'bank-a')]);
      if (r === undefined) throw new Error('no referral');
      await store.setWebhookEndpoint({ bankId: 'bank-a', url: 'http://127.0.0.1:9/hook' });
      const peers = await db.peers(8, clock);
      const outcomes = await Promise.allSettled(
        peers.map((s, i) => s.transitionReferral({ id: r.id, to: i % 2 === 0 ? 'accepted' : 'declined' })),
      );
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(7);
      for (const l of lost) expect((l.reason as RiskError).code).toBe('E_STORE_CONFLICT');
      const after = await store.getReferral(r.id);
      expect(after?.version).toBe(2);
      // Only the winner's change was announced.
      const events = await store.listOutbox({ bankId: 'bank-a' });
      expect(events.map((e) => e.type).filter((t) => t !== 'referral.created')).toEqual([
        `referral.${after?.status}`,
      ]);
    });
  });

  describe(`${h.name}: loans, defaults and programme totals`, () => {
    it('funding adds to the programme; a default runs the loss flow on its totals and stores each party', async () => {
      const ah = agreement('ah-4321');
      const rs = await store.createReferrals([referral('as-1', 'bank-a'), referral('as-2', 'bank-a')]);
      for (const r of rs) await store.transitionReferral({ id: r.id, to: 'accepted' });
      const f1 = await store.fundReferral({
        id: rs[0]?.id ?? '',
        bankId: 'bank-a',
        payload: { loanNo: 'L1' },
      });
      expect(f1.referral.status).toBe('funded');
      expect(f1.loan).toMatchObject({ amount: 1_000_000, status: 'active', payload: { loanNo: 'L1' } });
      expect(await codeOf(store.fundReferral({ id: rs[1]?.id ?? '', amount: 2_000_000 }))).toBe(
        'E_STORE_INPUT',
      );
      const f2 = await store.fundReferral({ id: rs[1]?.id ?? '', amount: 600_000.5 });
      expect(await store.getProgramme('ah-4321')).toMatchObject({
        guaranteedToDate: 1_600_000.5,
        compensatedToDate: 0,
        quotaUsed: 1_600_000.5,
        loans: 2,
        defaults: 0,
      });
      const d = await store.recordDefault({
        loanId: f1.loan.id,
        bankId: 'bank-a',
        agreement: ah,
        loss: { unpaidPrincipal: 600_000, interest: 12_345.67 },
      });
      // 4321 at 80% principal cover: the guarantor pays 480,000 (domain.md §1.1).
      expect(d.flow.compensationPaid).toBe(480_000);
      expect(d.flow.programme?.guaranteedToDate).toBe(1_600_000.5);
      expect(d.programme).toMatchObject({ compensatedToDate: 480_000, quotaUsed: 600_000.5, defaults: 1 });
      const bore = d.flow.parties.reduce((s, p) => s + Math.round(p.bore * 100), 0);
      expect(bore).toBe(Math.round(d.flow.totalLoss * 100));
      expect((await store.getReferral(rs[0]?.id ?? ''))?.status).toBe('defaulted');
      expect((await store.getDefault(f1.loan.id))?.flow).toEqual(d.flow);
      expect(
        await codeOf(
          store.recordDefault({ loanId: f1.loan.id, agreement: ah, loss: { unpaidPrincipal: 1 } }),
        ),
      ).toBe('E_STORE_CONFLICT');
      expect(
        await codeOf(
          store.recordDefault({
            loanId: f2.loan.id,
            bankId: 'bank-z',
            agreement: ah,
            loss: { unpaidPrincipal: 1 },
          }),
        ),
      ).toBe('E_STORE_FORBIDDEN');
      expect(
        await codeOf(
          store.recordDefault({
            loanId: f2.loan.id,
            agreement: agreement('ah-520'),
            loss: { unpaidPrincipal: 1 },
          }),
        ),
      ).toBe('E_STORE_INPUT');
      // A loss-flow input error rolls the whole default back.
      expect(
        await codeOf(
          store.recordDefault({ loanId: f2.loan.id, agreement: ah, loss: { unpaidPrincipal: 9e9 } }),
        ),
      ).toBe('E_LOSS_INPUT');
      expect((await store.getLoan(f2.loan.id))?.status).toBe('active');
      expect((await store.getProgramme('ah-4321')).defaults).toBe(1);
      // Repaid in full: the quota (guarantee balance) is freed, the referral closed, and it ends only once.
      const repaid = await store.repayLoan({ loanId: f2.loan.id, bankId: 'bank-a' });
      expect(repaid.loan.status).toBe('repaid');
      expect(repaid.programme).toMatchObject({
        quotaUsed: 0,
        guaranteedToDate: 1_600_000.5,
        compensatedToDate: 480_000,
      });
      expect((await store.getReferral(rs[1]?.id ?? ''))?.status).toBe('repaid');
      expect(await codeOf(store.repayLoan({ loanId: f2.loan.id }))).toBe('E_STORE_CONFLICT');
      expect(await codeOf(store.repayLoan({ loanId: 'loan_none' }))).toBe('E_STORE_NOT_FOUND');
    });

    it('concurrent defaults in one programme each see the compensation before them', async () => {
      const ah = agreement('ah-4321');
      const rs = await store.createReferrals(
        Array.from({ length: 6 }, (_, i) => referral(`as-${i}`, 'bank-a')),
      );
      const loans = [];
      for (const r of rs) {
        await store.transitionReferral({ id: r.id, to: 'accepted' });
        loans.push((await store.fundReferral({ id: r.id })).loan);
      }
      const peers = await db.peers(6, clock);
      const ds = await Promise.all(
        loans.map((l, i) =>
          peers[i]?.recordDefault({ loanId: l.id, agreement: ah, loss: { unpaidPrincipal: 100_000 } }),
        ),
      );
      const seenBefore = ds.map(
        (d) => (d?.flow.programme?.compensatedToDate ?? 0) - (d?.flow.compensationPaid ?? 0),
      );
      expect(seenBefore.sort((a, b) => a - b)).toEqual([0, 80_000, 160_000, 240_000, 320_000, 400_000]);
      expect(await store.getProgramme('ah-4321')).toMatchObject({ compensatedToDate: 480_000, quotaUsed: 0 });
    });

    it('direct guarantees are admitted under the programme lock: no two take the last room', async () => {
      const peers = await db.peers(5, clock);
      const room = 2_500_000;
      const results = await Promise.all(
        peers.map((s, i) =>
          s.guaranteeLoan({
            agreementId: 'fund-batch-sc',
            bankId: 'bank-a',
            loanRef: `L-${i}`,
            borrowerId: `b-${i}`,
            amount: 1_000_000,
            admit: (p) =>
              p.quotaUsed + 1_000_000 > room
                ? { code: 'quota_full', zh: '额度已满', en: 'quota is full' }
                : null,
          }),
        ),
      );
      expect(results.filter((r) => r.ok)).toHaveLength(2);
      expect(results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.refusal.code))).toEqual([
        'quota_full',
        'quota_full',
        'quota_full',
      ]);
      expect(await store.getProgramme('fund-batch-sc')).toMatchObject({
        guaranteedToDate: 2_000_000,
        loans: 2,
      });
      const first = results.find((r) => r.ok);
      if (first === undefined || !first.ok) throw new Error('none admitted');
      const ref = (first.loan.payload as { loanRef: string }).loanRef;
      const again = await store.guaranteeLoan({
        agreementId: 'fund-batch-sc',
        bankId: 'bank-a',
        loanRef: ref,
        borrowerId: 'x',
        amount: 1_000_000,
        admit: () => ({ code: 'never', zh: '', en: '' }),
      });
      expect(again).toMatchObject({ ok: true, replayed: true });
      expect(await store.listLoans({ agreementId: 'fund-batch-sc' })).toHaveLength(2);
    });

    it('every change to the loans in force moves the book version; the book at any version reads back', async () => {
      expect(await store.bookVersion()).toBe(0);
      const g = (loanRef: string) =>
        store.guaranteeLoan({
          agreementId: 'fund-batch-sc',
          bankId: 'bank-a',
          loanRef,
          borrowerId: loanRef,
          amount: 1_000,
          admit: () => null,
        });
      const a = await g('V-1');
      const b = await g('V-2');
      await store.guaranteeLoan({
        agreementId: 'fund-batch-sc',
        bankId: 'bank-a',
        loanRef: 'V-3',
        borrowerId: 'x',
        amount: 1_000,
        admit: () => ({ code: 'no', zh: '', en: '' }),
      });
      expect(await store.bookVersion()).toBe(2); // a refusal changes nothing
      if (!a.ok || !b.ok) throw new Error('not admitted');
      await store.repayLoan({ loanId: a.loan.id });
      expect(await store.bookVersion()).toBe(3);
      const ids = async (v: number) => (await store.loansInBook(v)).map((l) => l.id);
      expect(await ids(0)).toEqual([]);
      expect(await ids(1)).toEqual([a.loan.id]);
      expect(await ids(2)).toEqual([a.loan.id, b.loan.id]);
      expect(await ids(3)).toEqual([b.loan.id]);
      await expect(store.loansInBook(-1)).rejects.toMatchObject({ code: 'E_STORE_INPUT' });
    });

    it("direct guarantees see the bank's own principal in force under the programme, not the programme's", async () => {
      const seen: Array<[number, number]> = [];
      const admitAll = (p: { quotaUsed: number }, bank: number) => {
        seen.push([p.quotaUsed, bank]);
        return null;
      };
      const g = (bankId: string, loanRef: string, agreementId = 'fund-batch-sc') =>
        store.guaranteeLoan({
          agreementId,
          bankId,
          loanRef,
          borrowerId: loanRef,
          amount: 1_000_000,
          admit: admitAll,
        });
      await g('bank-a', 'own-1');
      await g('bank-a', 'own-2');
      await g('bank-b', 'own-3');
      await g('bank-a', 'own-4', 'psbc-jsd');
      await g('bank-a', 'own-5', 'psbc-jsd');
      // Programme totals grow with every loan; the bank's own use only with its loans under that programme.
      expect(seen).toEqual([
        [0, 0],
        [1_000_000, 1_000_000],
        [2_000_000, 0],
        [0, 0],
        [1_000_000, 1_000_000],
      ]);
    });
  });

  describe(`${h.name}: API keys`, () => {
    it('keys are stored hashed: the clear key and its secret appear nowhere in the database', async () => {
      const admin = await store.createApiKey({ role: 'admin', name: 'ops' });
      const bank = await store.createApiKey({ role: 'bank', bankId: 'bank-a' });
      expect(admin.key).toMatch(/^rdk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
      const dump = await db.dump(store);
      for (const k of [admin.key, bank.key]) {
        expect(dump.includes(k)).toBe(false);
        expect(dump.includes(k.slice(17))).toBe(false);
      }
      expect(dump.includes(admin.record.id)).toBe(true);
      expect(await store.authenticate(admin.key)).toEqual(admin.record);
      expect(await store.authenticate(bank.key)).toMatchObject({ role: 'bank', bankId: 'bank-a' });
      const listed = await store.listApiKeys();
      expect(listed).toHaveLength(2);
      expect(JSON.stringify(listed).includes(admin.key.slice(17))).toBe(false);
    });

    it('rate-limit windows are counted in the database, shared by every store on it', async () => {
      const [other] = await db.peers(1, clock);
      if (other === undefined) throw new Error('no peer');
      const hits: number[] = [];
      for (let i = 0; i < 4; i++) hits.push((await (i % 2 ? other : store).hitRateLimit('k', 1000)).hits);
      expect(hits).toEqual([1, 2, 3, 4]);
      const concurrent = await Promise.all(Array.from({ length: 6 }, () => other.hitRateLimit('k', 1000)));
      expect(concurrent.map((r) => r.hits).sort((a, b) => a - b)).toEqual([5, 6, 7, 8, 9, 10]);
      expect(concurrent[0]?.resetAt.toISOString()).toBe('2026-06-30T08:00:01.000Z');
      await store.unhitRateLimit('k');
      clock.advance(999);
      expect((await store.hitRateLimit('k', 1000)).hits).toBe(10);
      clock.advance(1); // the window is over: a new one starts now
      expect(await store.hitRateLimit('k', 1000)).toEqual({
        hits: 1,
        resetAt: new Date('2026-06-30T08:00:02.000Z'),
      });
      await store.resetRateLimit('k');
      expect((await other.hitRateLimit('k', 1000)).hits).toBe(1);
      expect(await codeOf(store.hitRateLimit('k', 0))).toBe('E_STORE_INPUT');
    });

    it('a key is trusted for KEY_CACHE_MS once read; a revocation elsewhere takes effect within it', async () => {
      const [other] = await db.peers(1, clock);
      if (other === undefined) throw new Error('no peer');
      const k = await store.createApiKey({ role: 'risk' });
      expect(await other.authenticate(k.key)).toMatchObject({ id: k.record.id });
      await store.revokeApiKey(k.record.id);
      expect(await store.authenticate(k.key)).toBeNull(); // through the store that revoked it: at once
      clock.advance(KEY_CACHE_MS - 1);
      expect(await other.authenticate(k.key)).toMatchObject({ id: k.record.id }); // another process: cached …
      clock.advance(1);
      expect(await other.authenticate(k.key)).toBeNull(); // … until KEY_CACHE_MS has passed
      // A wrong secret with a cached key's id is never a hit.
      const live = await store.createApiKey({ role: 'risk' });
      expect(await store.authenticate(live.key)).not.toBeNull();
      expect(
        await store.authenticate(`${live.key.slice(0, -1)}${live.key.endsWith('A') ? 'B' : 'A'}`),
      ).toBeNull();
    });

    it('rejects tampered, malformed and revoked keys; validates roles', async () => {
      const k = await store.createApiKey({ role: 'risk' });
      const flipped = k.key.slice(0, -1) + (k.key.endsWith('A') ? 'B' : 'A');
      expect(await store.authenticate(flipped)).toBeNull();
      expect(await store.authenticate('')).toBeNull();
      expect(await store.authenticate('Bearer x')).toBeNull();
      expect(await store.authenticate(k.key.replace(k.record.id, '000000000000'))).toBeNull();
      clock.advance(5000);
      const revoked = await store.revokeApiKey(k.record.id);
      expect(revoked.revokedAt).toBe('2026-06-30T08:00:05.000Z');
      expect(await store.authenticate(k.key)).toBeNull();
      expect((await store.revokeApiKey(k.record.id)).revokedAt).toBe(revoked.revokedAt);
      expect(await codeOf(store.revokeApiKey('nope'))).toBe('E_STORE_NOT_FOUND');
      expect(await codeOf(store.createApiKey({ role: 'bank' }))).toBe('E_STORE_INPUT');
      expect(await codeOf(store.createApiKey({ role: 'risk', bankId: 'bank-a' }))).toBe('E_STORE_INPUT');
      expect(await codeOf(store.createApiKey({ role: 'root' as 'admin' }))).toBe('E_STORE_INPUT');
    });

    it('the first admin key is made once, even when several processes start together', async () => {
      const peers = await db.peers(5, clock);
      const made = await Promise.all(peers.map((s) => s.createFirstAdminKey()));
      const keys = made.filter((m) => m !== null);
      expect(keys).toHaveLength(1);
      expect(keys[0]?.record.role).toBe('admin');
      expect(await store.createFirstAdminKey()).toBeNull();
      expect(await store.listApiKeys()).toHaveLength(1);
    });
  });

  describe(`${h.name}: outbox`, () => {
    it('writes an event in the same transaction as each change, only for banks with an endpoint', async () => {
      await store.setWebhookEndpoint({ bankId: 'bank-a', url: 'http://127.0.0.1:9/hook' });
      const rs = await store.createReferrals([referral('as-1', 'bank-a'), referral('as-2', 'bank-b')]);
      await store.createReferrals([referral('as-1', 'bank-a')]);
      await store.transitionReferral({ id: rs[0]?.id ?? '', to: 'accepted' });
      await codeOf(store.transitionReferral({ id: rs[0]?.id ?? '', to: 'declined' }));
      await store.fundReferral({ id: rs[0]?.id ?? '' });
      const events = await store.listOutbox();
      expect(events.map((e) => [e.bankId, e.type])).toEqual([
        ['bank-a', 'referral.created'],
        ['bank-a', 'referral.accepted'],
        ['bank-a', 'referral.funded'],
      ]);
      // A bank's event carries its referral without the guarantor's figures or the other banks weighed.
      const created = JSON.parse(events[0]?.body ?? '{}');
      expect(Object.keys(created.data.referral)).not.toContain('alternatives');
      expect(Object.keys(created.data.referral)).not.toContain('guarantorNetValue');
      expect(created.data.referral).toMatchObject({
        bankId: 'bank-a',
        amount: 1_000_000,
        lossByParty: [{ amount: 3200 }],
      });
      const body = JSON.parse(events[1]?.body ?? '{}');
      expect(body).toMatchObject({
        id: events[1]?.id,
        type: 'referral.accepted',
        data: { id: rs[0]?.id, status: 'accepted' },
      });
      expect(await store.outboxCounts()).toEqual({ pending: 3, delivering: 0, delivered: 0, dead: 0 });
    });

    it('concurrent claims never hand one message to two deliverers; an expired lease is claimed again', async () => {
      await store.setWebhookEndpoint({
        bankId: 'bank-a',
        url: 'http://127.0.0.1:9/hook',
        secret: 's'.repeat(32),
      });
      await store.createReferrals(Array.from({ length: 40 }, (_, i) => referral(`as-${i}`, 'bank-a')));
      const peers = await db.peers(4, clock);
      const claims = await Promise.all(peers.map((s) => s.claimOutbox({ limit: 15, leaseMs: 60_000 })));
      const ids = claims.flat().map((m) => m.id);
      expect(ids.length).toBe(40);
      expect(new Set(ids).size).toBe(40);
      expect(claims.flat()[0]).toMatchObject({
        url: 'http://127.0.0.1:9/hook',
        secret: 's'.repeat(32),
        attempts: 1,
      });
      expect(await store.claimOutbox({ limit: 100, leaseMs: 60_000 })).toEqual([]);
      clock.advance(60_001);
      const again = await store.claimOutbox({ limit: 100, leaseMs: 60_000 });
      expect(again.length).toBe(40);
      expect(again[0]?.attempts).toBe(2);
      await store.completeOutbox(again[0]?.id ?? '', { kind: 'dead', error: 'HTTP 500' });
      await store.requeueOutbox(again[0]?.id ?? '');
      expect(await codeOf(store.requeueOutbox(again[1]?.id ?? ''))).toBe('E_STORE_CONFLICT');
      expect(await store.outboxCounts()).toEqual({ pending: 1, delivering: 39, delivered: 0, dead: 0 });
    });
  });
}
