import { createServer } from 'node:http';
import { verifyWebhook, WebhookDeliverer } from '../api/webhooks.js';
import { systemClock } from '../core/clock.js';
import { RiskError } from '../core/errors.js';
import { Rng } from '../core/rng.js';
import type { OutboxStatus } from '../store/store.js';
import { withStore } from './keys.js';
import { OUTBOX_STATUSES } from './options.js';

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

/** `rongdan webhooks set`: prints the signing secret. */
export async function webhooksSetCommand(o: {
  bank: string;
  url: string;
  secret?: string;
  db?: string;
}): Promise<void> {
  const e = await withStore(o, (s) =>
    s.setWebhookEndpoint({
      bankId: o.bank,
      url: o.url,
      ...(o.secret !== undefined ? { secret: o.secret } : {}),
    }),
  );
  console.log(e.secret);
  process.stderr.write(`bank ${e.bankId} → ${e.url}; events are signed with the secret above\n`);
}

/** `rongdan webhooks outbox`. */
export async function webhooksOutboxCommand(o: { status?: string; db?: string }): Promise<void> {
  const status = o.status as OutboxStatus | undefined;
  if (status !== undefined && !OUTBOX_STATUSES.includes(status))
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `--status must be one of ${OUTBOX_STATUSES.join(', ')}, received ${JSON.stringify(o.status)}`,
    );
  const [counts, list] = await withStore(o, async (s) => [
    await s.outboxCounts(),
    status === undefined ? [] : await s.listOutbox({ status }),
  ]);
  console.log(JSON.stringify(counts));
  for (const m of list)
    console.log([m.id, m.bankId, m.type, m.attempts, m.nextAttemptAt, m.lastError ?? '-'].join('\t'));
}

/** `rongdan webhooks requeue`. */
export async function webhooksRequeueCommand(id: string, o: { db?: string }): Promise<void> {
  await withStore(o, (s) => s.requeueOutbox(id));
  console.log(`requeued ${id}`);
}

/** `rongdan webhooks deliver`: delivers until none is due. */
export async function webhooksDeliverCommand(o: { seed: string; db?: string }): Promise<void> {
  const reports = await withStore(o, (store) =>
    new WebhookDeliverer({ store, clock: systemClock, rng: new Rng(Number(o.seed)) }).drain(),
  );
  const by = (k: string) => reports.filter((r) => r.outcome === k).length;
  console.log(`delivered ${by('delivered')}, to retry ${by('retry')}, dead ${by('dead')}`);
}

/** `rongdan webhooks receive`: the example receiver. */
export function webhooksReceiveCommand(o: {
  secret: string;
  port: string;
  host: string;
  window: string;
}): void {
  startReceiver({ secret: o.secret, port: Number(o.port), host: o.host, window: Number(o.window) });
}
