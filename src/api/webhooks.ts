import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import { RiskError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/logger.js';
import type { Rng } from '../core/rng.js';
import type { ClaimedMessage, Store } from '../store/store.js';

/**
 * Webhooks to banks: signed, retried with backoff from the store's outbox, dead-lettered after N tries.
 *
 * Signature: HMAC-SHA256 with the bank's secret over `<timestamp>.<body>` (timestamp in Unix seconds), sent
 * as `Rongdan-Signature: t=<timestamp>,v1=<hex>`. Signing the timestamp with the body lets a receiver reject
 * a captured request replayed later (the replay window) without keeping state; the event id header lets it
 * drop a repeat, since delivery is at least once (a deliverer that dies after the POST but before recording
 * it sends the event again once its lease runs out).
 */

/** The headers a delivery carries (lower case, as Node's IncomingMessage has them). */
export const WEBHOOK_HEADERS = {
  signature: 'rongdan-signature',
  eventId: 'rongdan-event-id',
  eventType: 'rongdan-event-type',
} as const;

/** The default replay window a receiver accepts a signature in, seconds either side of its own clock. */
export const DEFAULT_REPLAY_WINDOW_SECONDS = 300;

/** Hex HMAC-SHA256 of `<timestamp>.<body>` with the secret. */
export function signPayload(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/**
 * The headers for one delivery.
 * @example fetch(url, { method: 'POST', body, headers: webhookHeaders(secret, body, clock.now(), id, type) })
 */
export function webhookHeaders(
  secret: string,
  body: string,
  now: Date,
  eventId: string,
  eventType: string,
): Record<string, string> {
  const t = Math.floor(now.getTime() / 1000);
  return {
    'content-type': 'application/json',
    [WEBHOOK_HEADERS.signature]: `t=${t},v1=${signPayload(secret, t, body)}`,
    [WEBHOOK_HEADERS.eventId]: eventId,
    [WEBHOOK_HEADERS.eventType]: eventType,
  };
}

/** Why a webhook was refused by `verifyWebhook`. */
export type WebhookRejection =
  | 'missing_signature'
  | 'malformed_signature'
  | 'outside_window'
  | 'bad_signature';

/** The answer of `verifyWebhook`: a refusal is an expected outcome for a receiver, so it is a result. */
export type WebhookVerification =
  | { readonly ok: true; readonly timestamp: number; readonly eventId: string | null }
  | { readonly ok: false; readonly reason: WebhookRejection; readonly message: string };

type HeaderBag = Headers | Readonly<Record<string, string | readonly string[] | undefined>>;

function header(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const bag = headers as Readonly<Record<string, string | readonly string[] | undefined>>;
  const key = Object.keys(bag).find((k) => k.toLowerCase() === name);
  const v = key === undefined ? undefined : bag[key];
  return typeof v === 'string' ? v : v?.[0];
}

/**
 * Checks a received webhook, for banks' receivers: the signature must be ours over this exact body and its
 * timestamp within `windowSeconds` of `now` (a replayed capture is refused once the window has passed).
 * @param secret the bank's webhook secret
 * @param headers the request headers (a fetch `Headers` or Node's `req.headers`)
 * @param body the raw body text, exactly as received (not re-serialised JSON)
 * @param now the receiver's clock
 * @param windowSeconds how far the timestamp may be from now, default 300
 * @example
 * const v = verifyWebhook(secret, req.headers, rawBody, new Date());
 * if (!v.ok) return res.status(401).end(v.message);
 */
export function verifyWebhook(
  secret: string,
  headers: HeaderBag,
  body: string,
  now: Date,
  windowSeconds = DEFAULT_REPLAY_WINDOW_SECONDS,
): WebhookVerification {
  const sig = header(headers, WEBHOOK_HEADERS.signature);
  if (sig === undefined || sig === '')
    return { ok: false, reason: 'missing_signature', message: `no ${WEBHOOK_HEADERS.signature} header` };
  const m = /^t=(\d{1,12}),v1=([0-9a-f]{64})$/.exec(sig.trim());
  if (m === null)
    return {
      ok: false,
      reason: 'malformed_signature',
      message: `${WEBHOOK_HEADERS.signature} must be t=<unix seconds>,v1=<64 hex>, received ${JSON.stringify(sig.slice(0, 100))}`,
    };
  const t = Number(m[1]);
  const skew = Math.abs(now.getTime() / 1000 - t);
  if (skew > windowSeconds)
    return {
      ok: false,
      reason: 'outside_window',
      message: `timestamp ${t} is ${Math.round(skew)} s from now, outside the ${windowSeconds} s window`,
    };
  const expected = Buffer.from(signPayload(secret, t, body), 'hex');
  const got = Buffer.from(m[2] as string, 'hex');
  if (!timingSafeEqual(expected, got))
    return {
      ok: false,
      reason: 'bad_signature',
      message: 'the signature does not match the body and secret',
    };
  return { ok: true, timestamp: t, eventId: header(headers, WEBHOOK_HEADERS.eventId) ?? null };
}

/** How a deliverer retries. */
export interface DeliveryPolicy {
  /** Tries before a message is dead-lettered. Default 8. */
  readonly maxAttempts: number;
  /** The first retry's delay, doubled each try. Default 5 s. */
  readonly baseDelayMs: number;
  /** The longest delay. Default 1 h. */
  readonly maxDelayMs: number;
  /** A POST not answered in this time is a failed try. Default 10 s. */
  readonly timeoutMs: number;
  /** How long a claimed message is held before another deliverer may take it. Default 60 s. */
  readonly leaseMs: number;
  /** Messages claimed per round. Default 20. */
  readonly batchSize: number;
}

/** The defaults above. */
export const DEFAULT_DELIVERY_POLICY: DeliveryPolicy = {
  maxAttempts: 8,
  baseDelayMs: 5_000,
  maxDelayMs: 3_600_000,
  timeoutMs: 10_000,
  leaseMs: 60_000,
  batchSize: 20,
};

/**
 * The delay before retry number `attempt` (1 = after the first failed try): exponential, capped, with
 * "equal jitter" (half fixed, half drawn), so retries of many messages after an outage spread out.
 */
export function backoffMs(attempt: number, policy: DeliveryPolicy, rng: Rng): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(exp / 2 + rng.uniform() * (exp / 2));
}

/** What happened to one message in a round (for metrics and logs). */
export interface DeliveryReport {
  readonly id: string;
  readonly bankId: string;
  readonly type: string;
  readonly attempt: number;
  readonly outcome: 'delivered' | 'retry' | 'dead';
  readonly status: number | null;
  readonly error: string | null;
  readonly ms: number;
}

/** A deliverer's collaborators. */
export interface DelivererDeps {
  readonly store: Store;
  readonly clock: Clock;
  /** Seeded: the jitter of the backoff. */
  readonly rng: Rng;
  readonly policy?: Partial<DeliveryPolicy>;
  readonly logger?: Logger;
  /** Injected for tests of the transport; the real global fetch by default. */
  readonly fetch?: typeof fetch;
  /** Called for every attempt (the server counts them in its metrics). */
  readonly onReport?: (r: DeliveryReport) => void;
}

/**
 * Takes due messages from the outbox and POSTs them. Several deliverers (in several processes) may run over
 * one database: each claims its own rows. `runOnce` does one round (tests drive it with a stepping clock);
 * `start` repeats it on a timer until `stop`.
 */
export class WebhookDeliverer {
  private readonly deps: DelivererDeps;
  private readonly policy: DeliveryPolicy;
  private readonly logger: Logger;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(deps: DelivererDeps) {
    this.deps = deps;
    this.policy = { ...DEFAULT_DELIVERY_POLICY, ...deps.policy };
    const p = this.policy;
    // A POST that could outlive its lease would let a second deliverer send the same event meanwhile.
    if (!(p.timeoutMs > 0 && p.timeoutMs < p.leaseMs))
      throw new RiskError(
        'E_OPTIONS_INVALID',
        `webhook timeoutMs must be positive and below leaseMs ${p.leaseMs}, received ${p.timeoutMs}`,
        { path: ['policy', 'timeoutMs'], received: p.timeoutMs },
      );
    if (!(Number.isInteger(p.maxAttempts) && p.maxAttempts >= 1 && p.batchSize >= 1))
      throw new RiskError(
        'E_OPTIONS_INVALID',
        `webhook maxAttempts and batchSize must be integers ≥ 1, received ${p.maxAttempts} and ${p.batchSize}`,
        { path: ['policy'] },
      );
    this.logger = deps.logger ?? silentLogger;
  }

  /** One round: claims up to a batch of due messages and delivers them concurrently. */
  async runOnce(): Promise<DeliveryReport[]> {
    const claimed = await this.deps.store.claimOutbox({
      limit: this.policy.batchSize,
      leaseMs: this.policy.leaseMs,
    });
    return Promise.all(claimed.map((m) => this.deliver(m)));
  }

  /** Rounds until none is due (or `maxRounds`); for the CLI and tests. */
  async drain(maxRounds = 1000): Promise<DeliveryReport[]> {
    const all: DeliveryReport[] = [];
    for (let i = 0; i < maxRounds; i++) {
      const r = await this.runOnce();
      if (r.length === 0) break;
      all.push(...r);
    }
    return all;
  }

  private async deliver(m: ClaimedMessage): Promise<DeliveryReport> {
    const started = this.deps.clock.now();
    const doFetch = this.deps.fetch ?? fetch;
    let status: number | null = null;
    let error: string | null = null;
    try {
      const res = await doFetch(m.url, {
        method: 'POST',
        body: m.body,
        headers: webhookHeaders(m.secret, m.body, started, m.id, m.type),
        signal: AbortSignal.timeout(this.policy.timeoutMs),
        redirect: 'manual',
      });
      status = res.status;
      // Read (and drop) the body so the connection is released.
      await res.arrayBuffer().catch(() => undefined);
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (err) {
      error = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    const ms = this.deps.clock.now().getTime() - started.getTime();
    let outcome: DeliveryReport['outcome'];
    if (error === null) {
      outcome = 'delivered';
      await this.deps.store.completeOutbox(m.id, { kind: 'delivered' });
    } else if (m.attempts >= this.policy.maxAttempts) {
      outcome = 'dead';
      await this.deps.store.completeOutbox(m.id, {
        kind: 'dead',
        error: `${error} after ${m.attempts} tries`,
      });
    } else {
      outcome = 'retry';
      const at = new Date(
        this.deps.clock.now().getTime() + backoffMs(m.attempts, this.policy, this.deps.rng),
      );
      await this.deps.store.completeOutbox(m.id, { kind: 'retry', at: at.toISOString(), error });
    }
    const report: DeliveryReport = {
      id: m.id,
      bankId: m.bankId,
      type: m.type,
      attempt: m.attempts,
      outcome,
      status,
      error,
      ms,
    };
    if (outcome === 'delivered') this.logger.debug(report, 'webhook delivered');
    else this.logger.warn(report, `webhook ${outcome}`);
    this.deps.onReport?.(report);
    return report;
  }

  /** Runs a round every `intervalMs` (a round never overlaps the previous one). */
  start(intervalMs = 1000): void {
    if (this.timer !== null) return;
    const tick = () => {
      this.running = this.runOnce()
        .catch((err: unknown) => this.logger.error({ err: String(err) }, 'webhook round failed'))
        .finally(() => {
          this.running = null;
          if (this.timer !== null) this.timer = setTimeout(tick, intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops the timer and waits for a round in progress. */
  async stop(): Promise<void> {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }
}
