import { startServer } from '../api/server.js';

/** The options of `rongdan serve`, as commander hands them over. */
export interface ServeFlags {
  readonly port?: string;
  readonly host?: string;
  readonly banks?: string;
  readonly agreements?: string;
  readonly webhooks: boolean;
  readonly db?: string;
}

/** `rongdan serve`: starts the service and stops it cleanly on SIGINT / SIGTERM. */
export async function serveCommand(o: ServeFlags): Promise<void> {
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
