/** The store: one interface (store.ts), one implementation over Kysely (SQLite or PostgreSQL), opened here. */

export { firstAdminKey, firstAdminKeyMessage } from './keys.js';
export { referralForBank, referralId } from './kysely-store.js';
export { DEFAULT_SQLITE_PATH, openStore, type StoreOptions, storeOptionsFromEnv } from './open.js';
export * from './store.js';
