import { startServer } from '../api/server.js';

/** `rongdan serve`: starts the service and stops it cleanly on SIGINT / SIGTERM. */
export async function serveCommand(o: {
  port?: string;
  host?: string;
  banks?: string;
  agreements?: string;
  webhooks: boolean;
  db?: string;
}): Promise<void> {
  const running = await startServer({
    ...(o.port !== undefined ? { port: Number(o.port) } : {}),
    ...(o.host !== undefined ? { host: o.host } : {}),
    ...(o.banks !== undefined ? { banks: o.banks } : {}),
    ...(o.agreements !== undefined ? { agreements: o.agreements } : {}),
    ...(o.db !== undefined ? { db: o.db } : {}),
    deliverWebhooks: o.webhooks,
  });
  const stop = () => {
    running.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
