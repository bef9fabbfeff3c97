import type { Request } from 'express';
import { RiskError } from '../core/errors.js';
import type { ApiKeyRecord, KeyRole, Store } from '../store/store.js';

/**
 * Authentication and authorisation. A request presents `Authorization: Bearer <key>`; the store looks the key
 * up by its public id and compares the secret's hash in constant time (keys are never stored in clear). No
 * key, a malformed header, or an unknown or revoked key is 401; a key whose role (or bank) may not use the
 * route or the record is 403 — distinct, so a client knows whether to fix its key or its request.
 */

/** Who is calling: the key record, attached to the request by `authenticate`. */
export type Caller = ApiKeyRecord;

const callers = new WeakMap<Request, Caller>();

/** The caller of an authenticated request (routes with roles are always authenticated first). */
export function callerOf(req: Request): Caller {
  const c = callers.get(req);
  if (c === undefined) throw new RiskError('E_API_UNAUTHENTICATED', 'this route needs an API key');
  return c;
}

/** The caller if the request was authenticated (for rate-limit keys and logs). */
export function maybeCaller(req: Request): Caller | undefined {
  return callers.get(req);
}

const BEARER = /^Bearer +(\S+) *$/i;

/**
 * Authenticates the request with the store and checks the role.
 * @throws E_API_UNAUTHENTICATED (401) without a usable key; E_API_FORBIDDEN (403) for a role not in `roles`
 */
export async function authenticate(store: Store, req: Request, roles: readonly KeyRole[]): Promise<Caller> {
  const header = req.headers.authorization;
  if (header === undefined || header === '')
    throw new RiskError(
      'E_API_UNAUTHENTICATED',
      'no API key: send "Authorization: Bearer <key>" (make one with `rongdan keys create`)',
    );
  const m = BEARER.exec(header);
  if (m === null)
    throw new RiskError('E_API_UNAUTHENTICATED', 'the Authorization header must be "Bearer <key>"');
  const caller = await store.authenticate(m[1] as string);
  if (caller === null) throw new RiskError('E_API_UNAUTHENTICATED', 'the API key is unknown or revoked');
  callers.set(req, caller);
  if (!roles.includes(caller.role))
    throw new RiskError(
      'E_API_FORBIDDEN',
      `a ${caller.role} key may not use this route; it needs one of: ${roles.join(', ')}`,
      { expected: roles.join(', '), received: caller.role },
    );
  return caller;
}

/**
 * A bank key may act only for its own bank: another bank's id in the path is 403 whether or not that bank
 * exists. Admin and risk keys pass.
 * @throws E_API_FORBIDDEN
 */
export function requireBank(caller: Caller, bankId: string): void {
  if (caller.role === 'bank' && caller.bankId !== bankId)
    throw new RiskError('E_API_FORBIDDEN', `this key speaks for bank ${caller.bankId}, not ${bankId}`, {
      expected: caller.bankId ?? '',
      received: bankId,
    });
}

/** The bank a store call is scoped to: the caller's bank for a bank key, none (all banks) otherwise. */
export function bankScope(caller: Caller): { bankId?: string } {
  return caller.role === 'bank' && caller.bankId !== null ? { bankId: caller.bankId } : {};
}
