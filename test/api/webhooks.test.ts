import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  DEFAULT_DELIVERY_POLICY,
  signPayload,
  verifyWebhook,
  WEBHOOK_HEADERS,
  WebhookDeliverer,
  webhookHeaders,
} from '../../src/api/webhooks.js';
import type { RiskError } from '../../src/core/errors.js';
import { Rng } from '../../src/core/rng.js';

const SECRET = 'whsec_0123456789abcdef0123456789';
const NOW = new Date('2026-06-30T08:00:00.000Z');
const BODY = '{"id":"evt_1","type":"referral.created","data":{"金额":1000000}}';

describe('webhook signatures', () => {
  it('signs timestamp.body with HMAC-SHA256 (a known vector)', () => {
    // openssl: printf '1782806400.{"a":1}' | openssl dgst -sha256 -hmac key
    expect(signPayload('key', 1782806400, '{"a":1}')).toBe(
      '34269898f2d061bdf6956a5f7fdc4508fa84f40a8a0b9f8b990d2b88c52e3fc0',
    );
  });

  it('verifies its own headers, from Node headers or fetch Headers', () => {
    const h = webhookHeaders(SECRET, BODY, NOW, 'evt_1', 'referral.created');
    expect(h[WEBHOOK_HEADERS.signature]).toMatch(/^t=1782806400,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook(SECRET, h, BODY, NOW)).toEqual({
      ok: true,
      timestamp: 1782806400,
      eventId: 'evt_1',
    });
    expect(verifyWebhook(SECRET, new Headers(h), BODY, NOW).ok).toBe(true);
    const upper = Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verifyWebhook(SECRET, upper, BODY, NOW).ok).toBe(true);
  });

  it('refuses another body, another secret, a missing or malformed header', () => {
    const h = webhookHeaders(SECRET, BODY, NOW, 'evt_1', 'referral.created');
    const reason = (r: ReturnType<typeof verifyWebhook>) => (r.ok ? 'ok' : r.reason);
    expect(reason(verifyWebhook(SECRET, h, BODY.replace('1000000', '1000001'), NOW))).toBe('bad_signature');
    expect(reason(verifyWebhook(`${SECRET}x`, h, BODY, NOW))).toBe('bad_signature');
    expect(reason(verifyWebhook(SECRET, {}, BODY, NOW))).toBe('missing_signature');
    expect(reason(verifyWebhook(SECRET, { [WEBHOOK_HEADERS.signature]: 'v1=abc' }, BODY, NOW))).toBe(
      'malformed_signature',
    );
  });

  it('refuses a replay outside the window either side, accepts inside it', () => {
    const h = webhookHeaders(SECRET, BODY, NOW, 'evt_1', 'referral.created');
    const at = (s: number) => new Date(NOW.getTime() + s * 1000);
    expect(verifyWebhook(SECRET, h, BODY, at(300)).ok).toBe(true);
    expect(verifyWebhook(SECRET, h, BODY, at(-300)).ok).toBe(true);
    const late = verifyWebhook(SECRET, h, BODY, at(301));
    expect(late.ok ? 'ok' : late.reason).toBe('outside_window');
    const early = verifyWebhook(SECRET, h, BODY, at(-301));
    expect(early.ok ? 'ok' : early.reason).toBe('outside_window');
    expect(verifyWebhook(SECRET, h, BODY, at(3600), 7200).ok).toBe(true);
  });
});

describe('deliverer policy', () => {
  it('refuses a POST timeout that could outlive the lease, and zero tries', () => {
    const deps = { store: {} as never, clock: { now: () => NOW }, rng: new Rng(1) };
    const code = (policy: object) => {
      try {
        new WebhookDeliverer({ ...deps, policy });
        return 'ok';
      } catch (err) {
        return (err as RiskError).code;
      }
    };
    expect(code({})).toBe('ok');
    expect(code({ timeoutMs: 60_000, leaseMs: 60_000 })).toBe('E_OPTIONS_INVALID');
    expect(code({ maxAttempts: 0 })).toBe('E_OPTIONS_INVALID');
  });
});

describe('backoff', () => {
  it('doubles from the base, is capped, and its jitter is seeded (equal jitter: between half and all)', () => {
    const p = { ...DEFAULT_DELIVERY_POLICY, baseDelayMs: 1000, maxDelayMs: 60_000 };
    const rng = new Rng(42);
    for (let attempt = 1; attempt <= 12; attempt++) {
      const full = Math.min(60_000, 1000 * 2 ** (attempt - 1));
      const d = backoffMs(attempt, p, rng);
      expect(d).toBeGreaterThanOrEqual(full / 2);
      expect(d).toBeLessThanOrEqual(full);
    }
    const a = [1, 2, 3].map((n) => backoffMs(n, p, new Rng(5)));
    const b = [1, 2, 3].map((n) => backoffMs(n, p, new Rng(5)));
    expect(a).toEqual(b);
  });
});
