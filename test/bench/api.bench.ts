// API benchmark (issue 9 part 9): autocannon on loopback against POST /v1/assessments of the real app (real
// SQLite store, real release, pino logging to a file), 50 connections; in the same run a bare express route
// returning a constant (the stack's ceiling) and the assessment function called in process (the engine's
// ceiling). Each server runs in its own child process, so it has one core to itself apart from autocannon.
//   npm run bench -- api                       (30 s per server)
//   npx tsx test/bench/api.bench.ts --duration 5   (a smoke run)
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import express from 'express';
import { pino } from 'pino';
import { createApp } from '../../src/api/app.js';
import { readPartners, SERVER_DEFAULTS } from '../../src/api/server.js';
import { systemClock } from '../../src/core/clock.js';
import { assess } from '../../src/decisions/assess.js';
import { loadActiveRelease } from '../../src/decisions/release.js';
import { DEFAULT_WARNING_POLICY } from '../../src/decisions/warning-policy.js';
import { readApplicationsDir } from '../../src/ingest/readers.js';
import type { Application } from '../../src/ingest/schemas.js';
import { openStore } from '../../src/store/open.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const DURATION = arg('duration', Number(process.env.API_BENCH_DURATION ?? 30));
const CONNECTIONS = arg('connections', 50);
const tmp = mkdtempSync(join(tmpdir(), 'rd-bench-api-'));

async function applications(n: number): Promise<Application[]> {
  const out: Application[] = [];
  for await (const a of readApplicationsDir('data-samples', { rejects: join(tmp, 'rejects.csv') })) {
    out.push(a);
    if (out.length >= n) break;
  }
  return out;
}

/** Child: serve the real app or the bare route on port 0, tell the parent the port and (app) the key. */
async function child(kind: string): Promise<void> {
  let server: Server;
  let key = '';
  if (kind === 'bare') {
    const app = express();
    app.post('/v1/assessments', (_req, res) => {
      res.json({ ok: true });
    });
    server = app.listen(0, '127.0.0.1');
  } else {
    // DATABASE_URL set: the figure on PostgreSQL (as several API processes would share it).
    const url = process.env.DATABASE_URL;
    const store = await openStore(
      url !== undefined && url !== '' ? { url } : { path: join(process.argv[4] as string, 'bench.sqlite') },
    );
    key = (await store.createApiKey({ role: 'risk', name: 'bench' })).key;
    const { banks, agreements } = readPartners(SERVER_DEFAULTS.banks, SERVER_DEFAULTS.agreements);
    const app = createApp({
      store,
      release: await loadActiveRelease(),
      clock: systemClock,
      logger: pino(
        { level: 'info' },
        pino.destination({ dest: join(process.argv[4] as string, 'api.log'), sync: false }),
      ),
      banks,
      agreements,
      monitoring: { policy: DEFAULT_WARNING_POLICY, model: null },
      options: { rateLimit: { windowMs: 60_000, limit: 100_000_000 } },
    });
    server = app.listen(0, '127.0.0.1');
  }
  await new Promise((r) => server.once('listening', r));
  const cpu0 = process.cpuUsage();
  process.send?.({ port: (server.address() as AddressInfo).port, key });
  // Asked after the load: the server's CPU time since it listened (a figure a loaded machine distorts less).
  process.on('message', () => {
    const c = process.cpuUsage(cpu0);
    process.send?.({ cpuMs: (c.user + c.system) / 1000 });
  });
}

/** The server's CPU time since it listened, ms, then stops it. */
async function stop(proc: ChildProcess): Promise<number> {
  const cpu = new Promise<number>((resolve) =>
    proc.on('message', (m: { cpuMs?: number }) => {
      if (m.cpuMs !== undefined) resolve(m.cpuMs);
    }),
  );
  proc.send('cpu');
  const ms = await cpu;
  proc.kill();
  return ms;
}

function start(kind: string): Promise<{ proc: ChildProcess; port: number; key: string }> {
  const proc = fork(fileURLToPath(import.meta.url), ['--child', kind, tmp], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    proc.once('message', (m: { port: number; key: string }) => resolve({ proc, ...m }));
    proc.once('exit', (c) => reject(new Error(`${kind} server exited ${c}`)));
  });
}

interface Figures {
  /** Server CPU per request, µs (filled in after the server stops). */
  cpuUs?: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  total: number;
}

async function load(port: number, key: string, bodies: string[]): Promise<Figures> {
  let n = 0;
  const r = await autocannon({
    url: `http://127.0.0.1:${port}/v1/assessments`,
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        // A new application id each request: a new input digest, so every request is a real stored write.
        setupRequest: (req) => ({
          ...req,
          body: (bodies[n++ % bodies.length] as string).replace('"__ID__"', `"bench-${n}"`),
        }),
      },
    ],
  });
  return {
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts + r.non2xx,
    total: r.requests.total,
  };
}

async function main(): Promise<void> {
  const apps = await applications(300);
  const bodies = apps.map((a) => JSON.stringify({ ...a, id: '__ID__' }));
  const line = (name: string, f: Figures) =>
    console.log(
      `${name.padEnd(34)}${f.rps.toFixed(0).padStart(8)} req/s   p50 ${String(f.p50).padStart(4)} ms   p99 ${String(f.p99).padStart(4)} ms   errors ${f.errors} of ${f.total}   server CPU ${(f.cpuUs ?? 0).toFixed(0)} µs/request`,
    );
  console.log(
    `autocannon, ${CONNECTIONS} connections, ${DURATION} s each, loopback; servers in child processes`,
  );

  console.log(
    `load average at start: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(', ')}`,
  );
  const bare = await start('bare');
  const bareFig = await load(bare.port, '', bodies);
  bareFig.cpuUs = ((await stop(bare.proc)) * 1000) / Math.max(1, bareFig.total);
  line('bare express (constant)', bareFig);

  const api = await start('app');
  const apiFig = await load(api.port, api.key, bodies);
  apiFig.cpuUs = ((await stop(api.proc)) * 1000) / Math.max(1, apiFig.total);
  line('POST /v1/assessments (stored)', apiFig);

  const release = await loadActiveRelease();
  for (const a of apps.slice(0, 50)) assess(release, a); // warm
  let count = 0;
  const t0 = performance.now();
  const until = t0 + Math.min(DURATION, 10) * 1000;
  while (performance.now() < until)
    for (const a of apps) {
      assess(release, a);
      count++;
    }
  const perSec = count / ((performance.now() - t0) / 1000);
  console.log(
    `${'assess() in process'.padEnd(34)}${perSec.toFixed(0).padStart(8)} /s      ${(1000 / perSec).toFixed(3)} ms each`,
  );
  console.log(
    `ratio API / bare express: ${(apiFig.rps / bareFig.rps).toFixed(2)} (aim ≥ 0.4); API / in-process assess: ${(apiFig.rps / perSec).toFixed(2)}`,
  );
  console.log(
    `load average at end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(', ')}`,
  );
  console.log(
    `aims: ≥ 2,000 assessments/s ${apiFig.rps >= 2000 ? 'met' : 'NOT met'}; p99 ≤ 50 ms ${apiFig.p99 <= 50 ? 'met' : 'NOT met'}; zero errors ${apiFig.errors === 0 ? 'met' : 'NOT met'}`,
  );
  rmSync(tmp, { recursive: true, force: true });
}

if (process.argv[2] === '--child') await child(process.argv[3] as string);
else await main();
