import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhook, WEBHOOK_HEADERS } from '../../src/api/webhooks.js';
import type { Clock } from '../../src/core/clock.js';

/** One request a test receiver got. */
export interface Received {
  readonly eventId: string;
  readonly type: string;
  readonly body: string;
  readonly verified: boolean;
  readonly answered: number;
}

/**
 * A real local HTTP receiver that checks every signature with `verifyWebhook` and answers 500 to the first
 * `failFirst` tries of each event (or always, with `failFirst: Infinity`), 200 after.
 */
export async function startReceiver(opts: { secret: string; clock: Clock; failFirst: number }) {
  const got: Received[] = [];
  const tries = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const v = verifyWebhook(opts.secret, req.headers, body, opts.clock.now());
      const eventId = String(req.headers[WEBHOOK_HEADERS.eventId] ?? '');
      const n = (tries.get(eventId) ?? 0) + 1;
      tries.set(eventId, n);
      const answered = !v.ok ? 401 : n <= opts.failFirst ? 500 : 200;
      got.push({
        eventId,
        type: String(req.headers[WEBHOOK_HEADERS.eventType]),
        body,
        verified: v.ok,
        answered,
      });
      res.statusCode = answered;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/rongdan/webhooks`,
    got,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
