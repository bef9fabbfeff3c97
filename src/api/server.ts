import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { systemClock } from '../core/clock.js';
import { RiskError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import { loadActiveRelease, loadRelease, RELEASES_DIR, releaseFile } from '../decisions/release.js';
import { DEFAULT_WARNING_POLICY } from '../decisions/warning-policy.js';
import { type Agreement, type Bank, parseAgreement, parseBank } from '../ingest/partners.js';
import { openModel } from '../models/registry.js';
import { firstAdminKey, firstAdminKeyMessage } from '../store/keys.js';
import { openStore, storeOptionsFromEnv } from '../store/open.js';
import { createApp } from './app.js';
import { createMetrics } from './metrics.js';
import { WebhookDeliverer } from './webhooks.js';

/** Where the server finds its data when nothing else is said (the shipped sample partners and models). */
export const SERVER_DEFAULTS = {
  port: 3000,
  host: '127.0.0.1',
  banks: 'data-samples/banks.json',
  agreements: 'data-samples/agreements.json',
  behaviourModel: 'models/behaviour-gbdt/1.0.0/behaviour-model.json',
} as const;

/** How to start the server (each falls back to the environment, then to `SERVER_DEFAULTS`). */
export interface ServerOptions {
  readonly port?: number;
  readonly host?: string;
  /** A SQLite file; else DATABASE_URL (PostgreSQL), RONGDAN_DB, or var/rongdan.sqlite. */
  readonly db?: string;
  readonly banks?: string;
  readonly agreements?: string;
  /** Deliver webhooks from the outbox in this process (default true). */
  readonly deliverWebhooks?: boolean;
  /** Where the start-up notes (first key, address) go; default stdout. */
  readonly print?: (text: string) => void;
  readonly env?: NodeJS.ProcessEnv;
}

/** A running server. */
export interface RunningServer {
  readonly server: Server;
  readonly url: string;
  /** Stops taking connections, stops the deliverer, closes the store. */
  close(): Promise<void>;
}

function readJsonArray<T>(path: string, parse: (v: unknown) => T, what: string): T[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new RiskError(
      'E_IO',
      `cannot read the ${what} file ${path}: ${String(cause)}`,
      { file: path },
      { cause },
    );
  }
  if (!Array.isArray(json))
    throw new RiskError('E_AGREEMENT_INVALID', `${path}: expected an array of ${what}`, { file: path });
  return json.map(parse);
}

/** Reads and validates the partner banks and agreements the service matches against. */
export function readPartners(
  banksPath: string,
  agreementsPath: string,
): { banks: Bank[]; agreements: Agreement[] } {
  return {
    banks: readJsonArray(banksPath, parseBank, 'banks'),
    agreements: readJsonArray(agreementsPath, parseAgreement, 'agreements'),
  };
}

/**
 * Starts the service: opens the store (SQLite under var/ with no set-up, or PostgreSQL from DATABASE_URL),
 * loads the active release, the partners and the behavioural model, prints a first admin key on an empty
 * database (once, ever), starts the webhook deliverer and listens.
 * @example const s = await startServer({ port: 0 }); fetch(`${s.url}/healthz`); await s.close();
 */
export async function startServer(o: ServerOptions = {}): Promise<RunningServer> {
  const env = o.env ?? process.env;
  const print = o.print ?? ((t: string) => process.stdout.write(t));
  const logger = pino({ level: env.LOG_LEVEL ?? 'info' });
  const store = await openStore(o.db !== undefined ? { path: o.db } : storeOptionsFromEnv(env));
  try {
    const release = await loadActiveRelease(env.RONGDAN_RELEASES ?? RELEASES_DIR);
    const { banks, agreements } = readPartners(
      o.banks ?? env.RONGDAN_BANKS ?? SERVER_DEFAULTS.banks,
      o.agreements ?? env.RONGDAN_AGREEMENTS ?? SERVER_DEFAULTS.agreements,
    );
    const model = (await openModel(env.RONGDAN_BEHAVIOUR_MODEL ?? SERVER_DEFAULTS.behaviourModel)).model;
    const metrics = createMetrics(true);
    const app = createApp({
      store,
      release,
      releaseById: (id) => loadRelease(releaseFile(id, env.RONGDAN_RELEASES ?? RELEASES_DIR)),
      clock: systemClock,
      logger,
      banks,
      agreements,
      monitoring: { policy: DEFAULT_WARNING_POLICY, model },
      metrics,
      ...(env.RONGDAN_RATE_LIMIT !== undefined
        ? { options: { rateLimit: { windowMs: 60_000, limit: Number(env.RONGDAN_RATE_LIMIT) } } }
        : {}),
    });

    const first = await firstAdminKey(store);
    if (first !== null) print(firstAdminKeyMessage(first));

    const deliverer =
      (o.deliverWebhooks ?? true)
        ? new WebhookDeliverer({
            store,
            clock: systemClock,
            rng: new Rng(Date.now() >>> 0),
            logger,
            onReport: metrics.onDelivery,
          })
        : null;
    deliverer?.start(1000);

    const port = o.port ?? (env.PORT !== undefined ? Number(env.PORT) : SERVER_DEFAULTS.port);
    const host = o.host ?? env.HOST ?? SERVER_DEFAULTS.host;
    const server = await new Promise<Server>((resolve, reject) => {
      const s = app.listen(port, host, (err?: Error) => (err ? reject(err) : resolve(s)));
      s.once('error', reject);
    });
    // Keep-alive longer than a typical proxy's idle timeout, so the proxy closes first (no reset races).
    server.keepAliveTimeout = 65_000;
    const addr = server.address() as AddressInfo;
    const url = `http://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;
    print(
      `Rongdan serves release ${release.release.id} on ${store.dialect} at ${url}\n` +
        `  docs ${url}/docs · OpenAPI ${url}/openapi.json · metrics ${url}/metrics\n`,
    );
    let closed = false;
    return {
      server,
      url,
      close: async () => {
        if (closed) return;
        closed = true;
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeIdleConnections();
        });
        await deliverer?.stop();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}
