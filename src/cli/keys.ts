import type { Command } from 'commander';
import { RiskError } from '../core/errors.js';
import { openStore, storeOptionsFromEnv } from '../store/open.js';
import { KEY_ROLES, type KeyRole, type Store } from '../store/store.js';

/**
 * Opens the store an operator command works on: `--db` (a SQLite file) when given, else `DATABASE_URL`
 * (PostgreSQL) or `RONGDAN_DB`, else the embedded default `var/rongdan.sqlite` — the same database
 * `npm start` serves.
 */
export function openCliStore(opts: { db?: string }): Promise<Store> {
  return openStore(opts.db !== undefined ? { path: opts.db } : storeOptionsFromEnv());
}

/** Runs `fn` on the command's store and closes it. */
export async function withStore<T>(opts: { db?: string }, fn: (s: Store) => Promise<T>): Promise<T> {
  const store = await openCliStore(opts);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

/** The option every store command takes. */
export const DB_OPTION = [
  '--db <path>',
  'SQLite file (default: DATABASE_URL, RONGDAN_DB or var/rongdan.sqlite)',
] as const;

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
    .action(async (o: { role: string; bank?: string; name?: string; db?: string }) => {
      if (!KEY_ROLES.includes(o.role as KeyRole))
        throw new RiskError(
          'E_OPTIONS_INVALID',
          `--role must be one of ${KEY_ROLES.join(', ')}, received ${JSON.stringify(o.role)}`,
        );
      const made = await withStore(o, (s) =>
        s.createApiKey({
          role: o.role as KeyRole,
          ...(o.bank !== undefined ? { bankId: o.bank } : {}),
          ...(o.name !== undefined ? { name: o.name } : {}),
        }),
      );
      console.log(made.key);
      process.stderr.write(
        `key ${made.record.id} (${made.record.role}${made.record.bankId !== null ? ` for ${made.record.bankId}` : ''}) created. ` +
          'This is the only time it is shown: keep it now. Send it as "Authorization: Bearer <key>".\n',
      );
    });

  keys
    .command('list')
    .description('list keys: id, role, bank, name, created, revoked (never the secret)')
    .option('--json', 'print JSON')
    .option(...DB_OPTION)
    .action(async (o: { json?: boolean; db?: string }) => {
      const list = await withStore(o, (s) => s.listApiKeys());
      if (o.json === true) {
        console.log(JSON.stringify(list, null, 2));
        return;
      }
      console.log(['id', 'role', 'bank', 'name', 'created', 'revoked'].join('\t'));
      for (const k of list)
        console.log(
          [k.id, k.role, k.bankId ?? '-', k.name ?? '-', k.createdAt, k.revokedAt ?? '-'].join('\t'),
        );
    });

  keys
    .command('revoke <id>')
    .description('revoke a key by its id (the rdk_<id>_… part); requests with it get 401 at once')
    .option(...DB_OPTION)
    .action(async (id: string, o: { db?: string }) => {
      const k = await withStore(o, (s) => s.revokeApiKey(id));
      console.log(`revoked ${k.id} at ${k.revokedAt}`);
    });
}
