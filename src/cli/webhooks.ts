import { createServer } from 'node:http';
import type { Command } from 'commander';
import { DEFAULT_REPLAY_WINDOW_SECONDS, verifyWebhook, WebhookDeliverer } from '../api/webhooks.js';
import { systemClock } from '../core/clock.js';
import { RiskError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { OutboxStatus } from '../store/store.js';
import { DB_OPTION, withStore } from './keys.js';

const STATUSES: readonly OutboxStatus[] = ['pending', 'delivering', 'delivered', 'dead'];

/**
 * A bank's receiver, runnable as it stands: an HTTP server that checks each delivery's signature and replay
 * window with `verifyWebhook` on the raw body, answers 401 to a bad one and 204 to a good one (dropping an
 * event id it has already seen, since delivery is at least once), and prints each event as one JSON line.
 */
export function startReceiver(opts: { secret: string; port: number; host: string; window: number }) {
  const seen = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const v = verifyWebhook(opts.secret, req.headers, body, new Date(), opts.window);
      if (!v.ok) {
        process.stderr.write(`refused: ${v.reason}: ${v.message}\n`);
        res.writeHead(401).end(v.reason);
        return;
      }
      if (v.eventId !== null && seen.has(v.eventId)) {
        res.writeHead(204).end();
        return;
      }
      if (v.eventId !== null) seen.add(v.eventId);
      console.log(body);
      res.writeHead(204).end();
    });
  });
  server.listen(opts.port, opts.host, () =>
    process.stderr.write(
      `receiving webhooks on http://${opts.host}:${opts.port}/ (window ${opts.window} s)\n`,
    ),
  );
  return server;
}

/** `rongdan webhooks …`: bank endpoints, the outbox, a deliverer and an example receiver. */
export function registerWebhookCommands(program: Command): void {
  const wh = program
    .command('webhooks')
    .description('webhook endpoints of banks, the outbox, delivery, a receiver');

  wh.command('set')
    .description("set a bank's endpoint; prints the signing secret (generated unless --secret)")
    .requiredOption('--bank <id>', 'bank id')
    .requiredOption('--url <url>', 'where to POST events')
    .option('--secret <secret>', 'the signing secret (≥ 16 characters)')
    .option(...DB_OPTION)
    .action(async (o: { bank: string; url: string; secret?: string; db?: string }) => {
      const e = await withStore(o, (s) =>
        s.setWebhookEndpoint({
          bankId: o.bank,
          url: o.url,
          ...(o.secret !== undefined ? { secret: o.secret } : {}),
        }),
      );
      console.log(e.secret);
      process.stderr.write(`bank ${e.bankId} → ${e.url}; events are signed with the secret above\n`);
    });

  wh.command('outbox')
    .description('counts of outbox messages by state, and the messages in one state')
    .option('--status <status>', `list the messages in this state (${STATUSES.join(', ')})`)
    .option(...DB_OPTION)
    .action(async (o: { status?: string; db?: string }) => {
      const status = o.status as OutboxStatus | undefined;
      if (status !== undefined && !STATUSES.includes(status))
        throw new RiskError(
          'E_OPTIONS_INVALID',
          `--status must be one of ${STATUSES.join(', ')}, received ${JSON.stringify(o.status)}`,
        );
      const [counts, list] = await withStore(o, async (s) => [
        await s.outboxCounts(),
        status === undefined ? [] : await s.listOutbox({ status }),
      ]);
      console.log(JSON.stringify(counts));
      for (const m of list)
        console.log([m.id, m.bankId, m.type, m.attempts, m.nextAttemptAt, m.lastError ?? '-'].join('\t'));
    });

  wh.command('requeue <id>')
    .description('send a dead-lettered message again')
    .option(...DB_OPTION)
    .action(async (id: string, o: { db?: string }) => {
      await withStore(o, (s) => s.requeueOutbox(id));
      console.log(`requeued ${id}`);
    });

  wh.command('deliver')
    .description('deliver due messages until none is due (the server also runs a deliverer)')
    .option('--seed <n>', 'seed of the backoff jitter', '1')
    .option(...DB_OPTION)
    .action(async (o: { seed: string; db?: string }) => {
      const reports = await withStore(o, (store) =>
        new WebhookDeliverer({ store, clock: systemClock, rng: new Rng(Number(o.seed)) }).drain(),
      );
      const by = (k: string) => reports.filter((r) => r.outcome === k).length;
      console.log(`delivered ${by('delivered')}, to retry ${by('retry')}, dead ${by('dead')}`);
    });

  wh.command('receive')
    .description("an example bank receiver: verifies each signature and prints each event's JSON")
    .requiredOption('--secret <secret>', "the bank's signing secret (from `webhooks set`)")
    .option('--port <n>', 'port', '8787')
    .option('--host <host>', 'interface', '127.0.0.1')
    .option('--window <seconds>', 'replay window', String(DEFAULT_REPLAY_WINDOW_SECONDS))
    .action((o: { secret: string; port: string; host: string; window: string }) => {
      startReceiver({ secret: o.secret, port: Number(o.port), host: o.host, window: Number(o.window) });
    });
}
