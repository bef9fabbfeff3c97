import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  type DatabaseConnection,
  type Driver,
  Kysely,
  PostgresDialect,
  type SqliteDatabase,
  SqliteDialect,
  SqliteDriver,
  sql,
} from 'kysely';
import pg from 'pg';
import { type Clock, systemClock } from '../core/clock.js';
import { RiskError } from '../core/errors.js';
import { KyselyStore } from './kysely-store.js';
import { migrateToLatest } from './migrations.js';
import type { Database } from './schema.js';
import type { Store } from './store.js';

/** Where the embedded database lives when nothing else is said (under `var/`, which git ignores). */
export const DEFAULT_SQLITE_PATH = 'var/rongdan.sqlite';

/** How to open a store. */
export interface StoreOptions {
  /** A PostgreSQL URL (`postgres://…`); when given, `path` is ignored. */
  readonly url?: string | undefined;
  /** The SQLite file (created with its folder); `:memory:` for a throw-away database. Default `var/rongdan.sqlite`. */
  readonly path?: string | undefined;
  /** The clock every stored time comes from. Default: the system clock. */
  readonly clock?: Clock;
  /** PostgreSQL pool size per process. Default 10. */
  readonly poolSize?: number;
  /**
   * SQLite `synchronous`: NORMAL (default) keeps every committed transaction through a process crash
   * (SIGKILL) in WAL mode; FULL also through a power cut, at an fsync per commit. Stores opened on one file
   * in one process share its connection, and the first one's setting.
   */
  readonly sqliteSync?: 'NORMAL' | 'FULL';
  /** Run the migrations on open. Default true. */
  readonly migrate?: boolean;
}

/** SQLite's default BEGIN is deferred: a transaction that reads before it writes can then fail with
 * SQLITE_BUSY when another process wrote meanwhile, without waiting. BEGIN IMMEDIATE takes the writer lock
 * up front (waiting up to busy_timeout), so every store transaction on SQLite is a single-writer section. */
class ImmediateSqliteDriver extends SqliteDriver {
  override async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin immediate'));
  }
}

class ImmediateSqliteDialect extends SqliteDialect {
  private readonly database: SqliteDatabase;
  constructor(database: BetterSqlite3.Database) {
    const cached = withStatementCache(database);
    super({ database: cached });
    this.database = cached;
  }
  override createDriver(): Driver {
    return new ImmediateSqliteDriver({ database: this.database });
  }
}

/**
 * Kysely's SQLite driver prepares every query afresh; preparing costs as much as running a small INSERT, so
 * the store keeps the prepared statements of the SQL texts it has seen (its queries are a fixed set; batch
 * inserts of other sizes add a few more), bounded so an odd caller cannot grow it without end.
 */
function withStatementCache(db: BetterSqlite3.Database, max = 500): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => db.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (stmt === undefined) {
        stmt = db.prepare(sql);
        if (cache.size >= max) cache.delete(cache.keys().next().value as string);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}

/** A database URL with its password masked, for messages. */
const redact = (url: string): string => url.replace(/:[^:@/]*@/, ':***@');

/** PostgreSQL's int8 (bigint columns, count(*)) read as numbers: fen and counts stay far below 2^53. */
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pg.types.builtins.INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format)) as never,
};

/**
 * Opens the store: PostgreSQL when `url` is given, else SQLite at `path` (WAL, created on first use), and
 * brings the schema up to date.
 * @throws E_STORE_CONFIG for an unusable URL or path; E_STORE_MIGRATION when a migration fails
 * @example const store = await openStore({ path: 'var/rongdan.sqlite' });
 * @example const store = await openStore({ url: process.env.DATABASE_URL });
 */
export async function openStore(options: StoreOptions = {}): Promise<Store> {
  const clock = options.clock ?? systemClock;
  if (options.url !== undefined && options.url !== '') {
    const db = await connect(pgKysely(options.url, options.poolSize ?? 10), 'postgres', options);
    return new KyselyStore(db, 'postgres', clock, () => db.destroy());
  }
  const path = options.path ?? DEFAULT_SQLITE_PATH;
  if (path === ':memory:') {
    const db = await connect(sqliteKysely(path, options), 'sqlite', options);
    return new KyselyStore(db, 'sqlite', clock, () => db.destroy());
  }
  // One connection per SQLite file per process, shared by every store opened on it: better-sqlite3 is
  // synchronous, so a second connection waiting for the writer lock would block the thread the first one
  // needs to finish its transaction (a deadlock until busy_timeout). Kysely queues the shared one's users.
  const key = resolve(path);
  let entry = sharedSqlite.get(key);
  if (entry === undefined) {
    const opening = connect(sqliteKysely(path, options), 'sqlite', options);
    entry = { db: opening, refs: 0 };
    sharedSqlite.set(key, entry);
    opening.catch(() => sharedSqlite.delete(key));
  }
  entry.refs++;
  const shared = entry;
  const db = await shared.db.catch((err: unknown) => {
    shared.refs--;
    throw err;
  });
  let closed = false;
  return new KyselyStore(db, 'sqlite', clock, async () => {
    if (closed) return;
    closed = true;
    if (--shared.refs === 0 && sharedSqlite.get(key) === shared) {
      sharedSqlite.delete(key);
      await db.destroy();
    }
  });
}

const sharedSqlite = new Map<string, { db: Promise<Kysely<Database>>; refs: number }>();

function pgKysely(url: string, poolSize: number): Kysely<Database> {
  if (!/^postgres(ql)?:\/\//.test(url))
    throw new RiskError(
      'E_STORE_CONFIG',
      `DATABASE_URL must be a postgres:// or postgresql:// URL, received ${JSON.stringify(redact(url))}`,
      { path: ['url'] },
    );
  const pool = new pg.Pool({ connectionString: url, max: poolSize, types: pgTypes });
  // An idle client that loses its connection emits 'error'; without a listener that would end the process.
  pool.on('error', () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

function sqliteKysely(path: string, options: StoreOptions): Kysely<Database> {
  let sqlite: BetterSqlite3.Database;
  try {
    if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
    sqlite = new BetterSqlite3(path);
  } catch (err) {
    throw new RiskError('E_STORE_CONFIG', `cannot open the SQLite database at ${path}: ${String(err)}`, {
      path: ['path'],
      received: path,
    });
  }
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma(`synchronous = ${options.sqliteSync ?? 'NORMAL'}`);
  sqlite.pragma('busy_timeout = 10000');
  sqlite.pragma('foreign_keys = ON');
  return new Kysely<Database>({ dialect: new ImmediateSqliteDialect(sqlite) });
}

/** Checks the database answers, then migrates it; on failure closes it. */
async function connect(
  db: Kysely<Database>,
  dialect: 'sqlite' | 'postgres',
  options: StoreOptions,
): Promise<Kysely<Database>> {
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    await db.destroy();
    throw new RiskError(
      'E_STORE_CONFIG',
      `cannot reach the ${dialect} database at ${redact(options.url ?? options.path ?? DEFAULT_SQLITE_PATH)}: ${String(err)}`,
      {},
      { cause: err },
    );
  }
  try {
    if (options.migrate ?? true) await migrateToLatest(db);
  } catch (err) {
    await db.destroy();
    throw err;
  }
  return db;
}

/**
 * The store options the server and CLI take from the environment: `DATABASE_URL` (PostgreSQL) or
 * `RONGDAN_DB` (a SQLite file), else the embedded default; `RONGDAN_SQLITE_SYNC=FULL` for power-cut safety.
 */
export function storeOptionsFromEnv(
  env: NodeJS.ProcessEnv = process.env,
): Pick<StoreOptions, 'url' | 'path' | 'sqliteSync'> {
  const url = env.DATABASE_URL;
  if (url !== undefined && url !== '') return { url };
  const path = env.RONGDAN_DB;
  const sync = env.RONGDAN_SQLITE_SYNC;
  if (sync !== undefined && sync !== 'NORMAL' && sync !== 'FULL')
    throw new RiskError(
      'E_STORE_CONFIG',
      `RONGDAN_SQLITE_SYNC must be NORMAL or FULL, received ${JSON.stringify(sync)}`,
    );
  return {
    ...(path !== undefined && path !== '' ? { path } : {}),
    ...(sync !== undefined ? { sqliteSync: sync } : {}),
  };
}
