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

/** `rongdan keys create`: makes a key and prints it once. */
export async function keysCreateCommand(o: {
  role: string;
  bank?: string;
  name?: string;
  db?: string;
}): Promise<void> {
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
}

/** `rongdan keys list`: the keys, never their secrets. */
export async function keysListCommand(o: { json?: boolean; db?: string }): Promise<void> {
  const list = await withStore(o, (s) => s.listApiKeys());
  if (o.json === true) {
    console.log(JSON.stringify(list, null, 2));
    return;
  }
  console.log(['id', 'role', 'bank', 'name', 'created', 'revoked'].join('\t'));
  for (const k of list)
    console.log([k.id, k.role, k.bankId ?? '-', k.name ?? '-', k.createdAt, k.revokedAt ?? '-'].join('\t'));
}

/** `rongdan keys revoke`. */
export async function keysRevokeCommand(id: string, o: { db?: string }): Promise<void> {
  const k = await withStore(o, (s) => s.revokeApiKey(id));
  console.log(`revoked ${k.id} at ${k.revokedAt}`);
}
