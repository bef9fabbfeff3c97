import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPartners, SERVER_DEFAULTS } from '../../src/api/server.js';
import { WebhookDeliverer } from '../../src/api/webhooks.js';
import type { Clock } from '../../src/core/clock.js';
import { Rng } from '../../src/core/rng.js';
import { startReceiver } from '../store/receiver.js';
import { sampleApplications, startTestApi, type TestApi } from './harness.js';

/**
 * Webhooks end to end: referrals made and accepted through the API write events to the outbox in the same
 * transaction; the deliverer (the store helper's, as the server runs it) sends each to a real receiver that
 * fails the first two tries of every event; with time stepped past each backoff, every event is accepted by
 * the receiver exactly once, signed, and the metrics count the deliveries and the failures.
 */

const SECRET = 'whsec_api_test_0123456789abcdef';
let t = Date.parse('2026-12-01T09:00:00Z');
const clock: Clock = { now: () => new Date(t) };
let api: TestApi;

beforeAll(async () => {
  api = await startTestApi({}, clock);
});
afterAll(async () => {
  await api.close();
});

describe('webhook delivery', () => {
  it('every event reaches a receiver that fails the first tries exactly once', async () => {
    const receiver = await startReceiver({ secret: SECRET, clock, failFirst: 2 });
    try {
      // Events are written for banks with an endpoint (in the transaction of the change they announce).
      const { banks } = readPartners(SERVER_DEFAULTS.banks, SERVER_DEFAULTS.agreements);
      for (const b of banks)
        await api.store.setWebhookEndpoint({ bankId: b.id, url: receiver.url, secret: SECRET });
      const apps = await sampleApplications(150);
      const batch = await api.call('POST', '/v1/assessments/batch', { body: { applications: apps } });
      const firstMatch = await api.call('POST', '/v1/matches', {
        body: { assessmentIds: batch.body.assessments.map((a: { id: string }) => a.id) },
      });
      const r0 = firstMatch.body.referrals[0] as { id: string; bankId: string };
      const accepted = await api.call('POST', `/v1/referrals/${r0.id}/accept`, {
        key: await api.keyFor(r0.bankId),
        body: {},
      });
      expect(accepted.status).toBe(200);

      const deliverer = new WebhookDeliverer({
        store: api.store,
        clock,
        rng: new Rng(7),
        policy: { baseDelayMs: 1_000, maxAttempts: 5, batchSize: 50 },
        onReport: api.metrics.onDelivery,
      });
      for (let round = 0; round < 40; round++) {
        await deliverer.drain(20);
        t += 10_000; // past the longest backoff of the first retries
        const counts = await api.store.outboxCounts();
        if (counts.pending === 0 && counts.delivering === 0) break;
      }
      const counts = await api.store.outboxCounts();
      const events = firstMatch.body.referrals.length + 1;
      expect(counts).toMatchObject({ delivered: events, pending: 0, delivering: 0, dead: 0 });
      const ok = receiver.got.filter((g) => g.answered === 200);
      expect(ok.length).toBe(events);
      expect(new Set(ok.map((g) => g.eventId)).size).toBe(events);
      expect(receiver.got.every((g) => g.verified)).toBe(true);
      expect(receiver.got.length).toBe(events * 3);
      expect(ok.filter((g) => g.type === 'referral.accepted').length).toBe(1);
      const m = await api.metrics.registry.getMetricsAsJSON();
      const value = (name: string, outcome: string) =>
        m.find((x) => x.name === name)?.values.find((v) => v.labels.outcome === outcome)?.value;
      expect(value('rongdan_webhook_deliveries_total', 'delivered')).toBe(events);
      expect(value('rongdan_webhook_failures_total', 'retry')).toBe(events * 2);
    } finally {
      await receiver.close();
    }
  }, 120_000);
});
