import type { Command } from 'commander';
import { DB_OPTION } from '../options.js';
import type { ServeFlags } from '../serve.js';

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
    .action(async (o: ServeFlags) => (await import('../serve.js')).serveCommand(o));
}
