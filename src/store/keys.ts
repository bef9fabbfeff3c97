import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CreatedApiKey, Store } from './store.js';

/**
 * API key format: `rdk_<id>_<secret>`. The id (12 hex characters) is public and indexes the row; the secret
 * is 32 random bytes (base64url) of which only the sha256 is stored. A key is looked up by its id and its
 * secret's hash compared in constant time, so neither timing nor a database dump gives a key away. A secret
 * of 256 random bits needs no slow hash (there is nothing to brute-force as with a password).
 */

const KEY_PATTERN = /^rdk_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;

/** A fresh key: the clear text (shown once), its public id and the hash to store. */
export function generateApiKey(): { key: string; id: string; secretHash: string } {
  const id = randomBytes(6).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { key: `rdk_${id}_${secret}`, id, secretHash: hashSecret(secret) };
}

/** sha256 hex of a key's secret part. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Splits a presented key into id and secret, or null when it is not of the key format. */
export function parseApiKey(presented: string): { id: string; secret: string } | null {
  const m = KEY_PATTERN.exec(presented);
  return m === null ? null : { id: m[1] as string, secret: m[2] as string };
}

/** True when `secret` hashes to `storedHash`; compares the digests in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The server's start-up step: on an empty key table, makes an admin key and returns it (once, ever: a later
 * start, or a second process starting at the same time, gets null).
 * @example const first = await firstAdminKey(store); if (first) process.stdout.write(firstAdminKeyMessage(first));
 */
export function firstAdminKey(store: Store): Promise<CreatedApiKey | null> {
  return store.createFirstAdminKey();
}

/** What the server prints with the first admin key: the key, that it is shown once, and how to make others. */
export function firstAdminKeyMessage(created: CreatedApiKey): string {
  return [
    '',
    'First admin key (shown this once, only its hash is stored):',
    '',
    `  ${created.key}`,
    '',
    'Use it as "Authorization: Bearer <key>". Make keys for the risk team and for banks with',
    '  npx rongdan keys create --role risk --name "risk team"',
    '  npx rongdan keys create --role bank --bank <bank id>',
    'and list or revoke them with `npx rongdan keys list` / `npx rongdan keys revoke <id>`.',
    '',
  ].join('\n');
}
