import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createApp } from '../../src/api/app.js';
import type { AppOptions } from '../../src/api/deps.js';
import { createMetrics } from '../../src/api/metrics.js';
import { readPartners, SERVER_DEFAULTS } from '../../src/api/server.js';
import { type Clock, fixedClock } from '../../src/core/clock.js';
import { type LoadedRelease, loadActiveRelease } from '../../src/decisions/release.js';
import { DEFAULT_WARNING_POLICY } from '../../src/decisions/warning-policy.js';
import { readApplicationsDir } from '../../src/ingest/readers.js';
import type { Application } from '../../src/ingest/schemas.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

/**
 * The API under test: the real app (createApp) over a real SQLite store in a temp folder, the shipped
 * active release and sample partners, listening on an ephemeral loopback port; keys for each role.
 */

let release: Promise<LoadedRelease> | null = null;
let apps: Promise<Application[]> | null = null;

/** The shipped active release (loaded once per test file). */
export function shippedRelease(): Promise<LoadedRelease> {
  release ??= loadActiveRelease();
  return release;
}

/** The first `n` valid applications of the committed sample (bad rows go to a temp rejects file). */
export function sampleApplications(n = 300): Promise<Application[]> {
  apps ??= (async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rd-apps-'));
    const out: Application[] = [];
    for await (const a of readApplicationsDir('data-samples', { rejects: join(dir, 'rejects.csv') })) {
      out.push(a);
      if (out.length >= 300) break;
    }
    rmSync(dir, { recursive: true, force: true });
    return out;
  })();
  return apps.then((a) => a.slice(0, n));
}

/** A running test API. */
export interface TestApi {
  readonly url: string;
  readonly store: Store;
  readonly keys: { admin: string; risk: string; bankA: string; bankB: string };
  readonly bankA: string;
  readonly bankB: string;
  readonly metrics: ReturnType<typeof createMetrics>;
  readonly dir: string;
  /** A fresh bank key for `bankId`. */
  keyFor(bankId: string): Promise<string>;
  /** fetch against the API with a key (or none) and a JSON body. */
  call(
    method: string,
    path: string,
    opts?: { key?: string | null; body?: unknown; headers?: Record<string, string> },
    // biome-ignore lint/suspicious/noExplicitAny: tests read JSON response bodies field by field
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** Starts the real app on port 0 over a fresh SQLite store. */
export async function startTestApi(
  options: AppOptions = {},
  clock: Clock = fixedClock('2026-12-01T09:00:00Z'),
  /** A PostgreSQL URL to share (several app instances over one database); default a fresh SQLite file. */
  databaseUrl?: string,
): Promise<TestApi> {
  const dir = mkdtempSync(join(tmpdir(), 'rd-api-'));
  const store = await openStore(
    databaseUrl !== undefined ? { url: databaseUrl, clock } : { path: join(dir, 'api.sqlite'), clock },
  );
  const { banks, agreements } = readPartners(SERVER_DEFAULTS.banks, SERVER_DEFAULTS.agreements);
  const metrics = createMetrics();
  const app = createApp({
    store,
    release: await shippedRelease(),
    clock,
    logger: pino({ level: 'silent' }),
    banks,
    agreements,
    monitoring: { policy: DEFAULT_WARNING_POLICY, model: null },
    metrics,
    options,
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const bankA = banks[0]?.id as string;
  const bankB = banks[1]?.id as string;
  const keys = {
    admin: (await store.createApiKey({ role: 'admin' })).key,
    risk: (await store.createApiKey({ role: 'risk' })).key,
    bankA: (await store.createApiKey({ role: 'bank', bankId: bankA })).key,
    bankB: (await store.createApiKey({ role: 'bank', bankId: bankB })).key,
  };
  return {
    url,
    store,
    keys,
    bankA,
    bankB,
    metrics,
    dir,
    keyFor: async (bankId) => (await store.createApiKey({ role: 'bank', bankId })).key,
    async call(method, path, opts = {}) {
      const headers: Record<string, string> = { ...opts.headers };
      if (opts.key !== null) headers.authorization = `Bearer ${opts.key ?? keys.admin}`;
      let body: string | undefined;
      if (opts.body !== undefined) {
        body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(url + path, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await res.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {}
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
