import type { ClientRateLimitInfo, Store as LimitStore, Options } from 'express-rate-limit';
import type { Store } from '../store/store.js';

/**
 * express-rate-limit's counters in the service's database, for several API processes on one PostgreSQL:
 * its default memory store counts per process, so N processes would let a key through N times its limit.
 * Each request is one upsert on the `rate_limits` table (a fixed window per key, on the store's clock).
 */
export class DatabaseRateLimitStore implements LimitStore {
  private readonly store: Store;
  private windowMs = 60_000;
  /** The counts are shared by every process. */
  readonly localKeys = false;
  readonly prefix = 'rl:';

  constructor(store: Store) {
    this.store = store;
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  async increment(key: string): Promise<ClientRateLimitInfo> {
    const r = await this.store.hitRateLimit(this.prefix + key, this.windowMs);
    return { totalHits: r.hits, resetTime: r.resetAt };
  }

  async decrement(key: string): Promise<void> {
    await this.store.unhitRateLimit(this.prefix + key);
  }

  async resetKey(key: string): Promise<void> {
    await this.store.resetRateLimit(this.prefix + key);
  }
}
