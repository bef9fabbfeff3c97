import type { Command } from 'commander';
import { startServer } from '../api/server.js';
import { DB_OPTION } from './keys.js';

/** `rongdan serve`: the HTTP service (what `npm start` runs). Stops cleanly on SIGINT / SIGTERM. */
export function registerServeCommands(program: Command): void {
  program
    .command('serve')
    .description(
      'serve the API on the active release (SQLite under var/ by default; DATABASE_URL for PostgreSQL)',
    )
    .option('--port <n>', 'port (default PORT or 3000; 0 = any free port)')
    .option('--host <host>', 'interface to listen on (default HOST or 127.0.0.1)')
    .option('--banks <file>', 'partner banks JSON (default data-samples/banks.json)')
    .option('--agreements <file>', 'risk-sharing agreements JSON (default data-samples/agreements.json)')
    .option('--no-webhooks', 'do not deliver webhooks from this process')
    .option(...DB_OPTION)
    .action(
      async (o: {
        port?: string;
        host?: string;
        banks?: string;
        agreements?: string;
        webhooks: boolean;
        db?: string;
      }) => {
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
      },
    );
}
