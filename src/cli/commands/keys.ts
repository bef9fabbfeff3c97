import type { Command } from 'commander';
import { KEY_ROLES } from '../../store/store.js';
import { DB_OPTION } from '../options.js';

/** `rongdan keys create|list|revoke`: API keys for the service (the clear key is printed once, at create). */
export function registerKeyCommands(program: Command): void {
  const keys = program
    .command('keys')
    .description('API keys: create (printed once), list (never the secret), revoke');

  keys
    .command('create')
    .description('make a key and print it once (only its sha256 is stored)')
    .requiredOption('--role <role>', `one of ${KEY_ROLES.join(', ')}`)
    .option('--bank <id>', 'the bank a bank key speaks for (required with --role bank)')
    .option('--name <name>', 'a label to recognise the key by')
    .option(...DB_OPTION)
    .action(async (o: { role: string; bank?: string; name?: string; db?: string }) =>
      (await import('../keys.js')).keysCreateCommand(o),
    );

  keys
    .command('list')
    .description('list keys: id, role, bank, name, created, revoked (never the secret)')
    .option('--json', 'print JSON')
    .option(...DB_OPTION)
    .action(async (o: { json?: boolean; db?: string }) => (await import('../keys.js')).keysListCommand(o));

  keys
    .command('revoke <id>')
    .description('revoke a key by its id (the rdk_<id>_… part); requests with it get 401 at once')
    .option(...DB_OPTION)
    .action(async (id: string, o: { db?: string }) => (await import('../keys.js')).keysRevokeCommand(id, o));
}
