import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebhookDeliverer } from '../../src/api/webhooks.js';
import { Rng } from '../../src/core/rng.js';
import type { Store } from '../../src/store/store.js';
import { referral } from './fixtures.js';
import { type FreshDatabase, type StoreHarness, steppingClock } from './harness.js';
import { startReceiver } from './receiver.js';

const SECRET = 'whsec_test_secret_0123456789abcdef';

/** Webhook delivery from the outbox to a real HTTP receiver, on every dialect. */
export function deliveryContract(h: StoreHarness): void {
  let db: FreshDatabase;
  let clock: ReturnType<typeof steppingClock>;
  let store: Store;
  let receiver: Awaited<ReturnType<typeof startReceiver>> | null = null;
  const stopLater: (() => Promise<void>)[] = [];
  beforeEach(async () => {
    db = await h.fresh();
    clock = steppingClock();
    store = await db.open(clock);
  });
  afterEach(async () => {
    for (const stop of stopLater.splice(0)) await stop();
    await receiver?.close();
    receiver = null;
    await db.drop();
  });

  /** Rounds of delivery, moving the clock an hour between rounds so every retry falls due. */
  async function deliverAll(deliverer: WebhookDeliverer, rounds: number) {
    const reports = [];
    for (let i = 0; i < rounds; i++) {
      reports.push(...(await deliverer.drain()));
      clock.advance(3_600_000);
    }
    return reports;
  }

  describe(`${h.name}: webhook delivery`, () => {
    it('delivers every event exactly once to a receiver that fails the first tries, signed and backed off', async () => {
      receiver = await startReceiver({ secret: SECRET, clock, failFirst: 2 });
      await store.setWebhookEndpoint({ bankId: 'bank-a', url: receiver.url, secret: SECRET });
      const rs = await store.createReferrals(
        Array.from({ length: 25 }, (_, i) => referral(`as-${i}`, 'bank-a')),
      );
      for (const r of rs.slice(0, 5)) await store.transitionReferral({ id: r.id, to: 'accepted' });
      const deliverer = new WebhookDeliverer({
        store,
        clock,
        rng: new Rng(7),
        policy: { maxAttempts: 5, batchSize: 8 },
      });
      // The first round: every message fails once and is rescheduled 2.5 to 5 s later (equal jitter on 5 s).
      const first = await deliverer.drain();
      expect(first.map((r) => r.outcome)).toEqual(new Array(30).fill('retry'));
      const pending = await store.listOutbox({ status: 'pending' });
      for (const m of pending) {
        const wait = new Date(m.nextAttemptAt).getTime() - clock.now().getTime();
        expect(wait).toBeGreaterThanOrEqual(2_500);
        expect(wait).toBeLessThanOrEqual(5_000);
      }
      await deliverAll(deliverer, 3);
      expect(await store.outboxCounts()).toEqual({ pending: 0, delivering: 0, delivered: 30, dead: 0 });
      const ok = receiver.got.filter((g) => g.answered === 200);
      expect(ok.length).toBe(30);
      expect(new Set(ok.map((g) => g.eventId)).size).toBe(30);
      expect(receiver.got.length).toBe(90);
      expect(receiver.got.every((g) => g.verified)).toBe(true);
      expect(ok.filter((g) => g.type === 'referral.accepted').length).toBe(5);
      const body = JSON.parse(ok.find((g) => g.type === 'referral.created')?.body ?? '{}');
      expect(body).toMatchObject({ type: 'referral.created', data: { bankId: 'bank-a', status: 'new' } });
    });

    it('three deliverers on one outbox: every event reaches the receiver exactly once', async () => {
      receiver = await startReceiver({ secret: SECRET, clock, failFirst: 1 });
      await store.setWebhookEndpoint({ bankId: 'bank-a', url: receiver.url, secret: SECRET });
      await store.createReferrals(Array.from({ length: 60 }, (_, i) => referral(`as-${i}`, 'bank-a')));
      const peers = await db.peers(3, clock);
      const deliverers = peers.map(
        (s, i) => new WebhookDeliverer({ store: s, clock, rng: new Rng(i), policy: { batchSize: 7 } }),
      );
      for (let round = 0; round < 3; round++) {
        await Promise.all(deliverers.map((d) => d.drain()));
        clock.advance(3_600_000);
      }
      const ok = receiver.got.filter((g) => g.answered === 200).map((g) => g.eventId);
      expect(ok.length).toBe(60);
      expect(new Set(ok).size).toBe(60);
      expect(receiver.got.length).toBe(120);
      expect(await store.outboxCounts()).toMatchObject({ delivered: 60, pending: 0, delivering: 0 });
    });

    it('start() keeps delivering on its own until stop()', async () => {
      receiver = await startReceiver({ secret: SECRET, clock, failFirst: 0 });
      await store.setWebhookEndpoint({ bankId: 'bank-a', url: receiver.url, secret: SECRET });
      const reports: string[] = [];
      let threeDone = () => {};
      const three = new Promise<void>((resolve) => {
        threeDone = resolve;
      });
      const deliverer = new WebhookDeliverer({
        store,
        clock,
        rng: new Rng(9),
        onReport: (r) => {
          reports.push(r.outcome);
          if (reports.length === 3) threeDone();
        },
      });
      deliverer.start(5);
      stopLater.push(() => deliverer.stop());
      await store.createReferrals([1, 2, 3].map((i) => referral(`as-${i}`, 'bank-a')));
      await three;
      await deliverer.stop();
      expect(reports).toEqual(['delivered', 'delivered', 'delivered']);
      expect(receiver.got.length).toBe(3);
    });

    it('dead-letters a message after N tries, and an operator can requeue it', async () => {
      receiver = await startReceiver({ secret: SECRET, clock, failFirst: Number.POSITIVE_INFINITY });
      await store.setWebhookEndpoint({ bankId: 'bank-a', url: receiver.url, secret: SECRET });
      await store.createReferrals([referral('as-1', 'bank-a')]);
      const deliverer = new WebhookDeliverer({ store, clock, rng: new Rng(1), policy: { maxAttempts: 3 } });
      const reports = await deliverAll(deliverer, 6);
      expect(reports.map((r) => r.outcome)).toEqual(['retry', 'retry', 'dead']);
      expect(receiver.got.length).toBe(3);
      const [dead] = await store.listOutbox({ status: 'dead' });
      expect(dead?.lastError).toBe('HTTP 500 after 3 tries');
      await store.requeueOutbox(dead?.id ?? '');
      expect(await store.outboxCounts()).toMatchObject({ pending: 1, dead: 0 });
    });

    it('a crash between commit and delivery loses nothing: a new process delivers after the lease', async () => {
      receiver = await startReceiver({ secret: SECRET, clock, failFirst: 0 });
      await store.setWebhookEndpoint({ bankId: 'bank-a', url: receiver.url, secret: SECRET });
      await store.createReferrals(Array.from({ length: 12 }, (_, i) => referral(`as-${i}`, 'bank-a')));
      // A deliverer claims half and dies before sending; the process goes away without delivering the rest.
      expect((await store.claimOutbox({ limit: 6, leaseMs: 60_000 })).length).toBe(6);
      await store.close();
      const reopened = await db.open(clock);
      const deliverer = new WebhookDeliverer({ store: reopened, clock, rng: new Rng(3) });
      expect((await deliverer.drain()).length).toBe(6);
      clock.advance(60_001);
      expect((await deliverer.drain()).length).toBe(6);
      expect(new Set(receiver.got.map((g) => g.eventId)).size).toBe(12);
      expect(receiver.got.length).toBe(12);
      expect(await reopened.outboxCounts()).toMatchObject({ delivered: 12 });
    });

    it('retries when the endpoint is down (connection refused), then delivers', async () => {
      receiver = await startReceiver({ secret: SECRET, clock, failFirst: 0 });
      await store.setWebhookEndpoint({ bankId: 'bank-a', url: 'http://127.0.0.1:9/down', secret: SECRET });
      await store.createReferrals([referral('as-1', 'bank-a')]);
      const deliverer = new WebhookDeliverer({ store, clock, rng: new Rng(3) });
      const [r] = await deliverer.drain();
      expect(r?.outcome).toBe('retry');
      expect(r?.status).toBeNull();
      await store.setWebhookEndpoint({ bankId: 'bank-a', url: receiver.url, secret: SECRET });
      clock.advance(10_000);
      expect((await deliverer.drain()).map((x) => x.outcome)).toEqual(['delivered']);
    });
  });
}
