import type { Command } from 'commander';
import { DEFAULT_REPLAY_WINDOW_SECONDS } from '../../api/webhooks.js';
import { DB_OPTION, OUTBOX_STATUSES as STATUSES } from '../options.js';

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
    .action(async (o: { bank: string; url: string; secret?: string; db?: string }) =>
      (await import('../webhooks.js')).webhooksSetCommand(o),
    );

  wh.command('outbox')
    .description('counts of outbox messages by state, and the messages in one state')
    .option('--status <status>', `list the messages in this state (${STATUSES.join(', ')})`)
    .option(...DB_OPTION)
    .action(async (o: { status?: string; db?: string }) =>
      (await import('../webhooks.js')).webhooksOutboxCommand(o),
    );

  wh.command('requeue <id>')
    .description('send a dead-lettered message again')
    .option(...DB_OPTION)
    .action(async (id: string, o: { db?: string }) =>
      (await import('../webhooks.js')).webhooksRequeueCommand(id, o),
    );

  wh.command('deliver')
    .description('deliver due messages until none is due (the server also runs a deliverer)')
    .option('--seed <n>', 'seed of the backoff jitter', '1')
    .option(...DB_OPTION)
    .action(async (o: { seed: string; db?: string }) =>
      (await import('../webhooks.js')).webhooksDeliverCommand(o),
    );

  wh.command('receive')
    .description("an example bank receiver: verifies each signature and prints each event's JSON")
    .requiredOption('--secret <secret>', "the bank's signing secret (from `webhooks set`)")
    .option('--port <n>', 'port', '8787')
    .option('--host <host>', 'interface', '127.0.0.1')
    .option('--window <seconds>', 'replay window', String(DEFAULT_REPLAY_WINDOW_SECONDS))
    .action(async (o: { secret: string; port: string; host: string; window: string }) =>
      (await import('../webhooks.js')).webhooksReceiveCommand(o),
    );
}
