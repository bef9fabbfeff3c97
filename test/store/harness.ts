import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import pg from 'pg';
import type { Clock } from '../../src/core/clock.js';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { openStore } from '../../src/store/open.js';
import type { Database } from '../../src/store/schema.js';
import type { Store } from '../../src/store/store.js';

/** A clock tests move by hand: deliveries and backoffs never depend on real time. */
export function steppingClock(startIso = '2026-06-30T08:00:00.000Z'): Clock & { advance(ms: number): void } {
  let t = new Date(startIso).getTime();
  return {
    now: () => new Date(t),
    advance(ms: number) {
      t += ms;
    },
  };
}

/** One empty database and ways to open stores on it. */
export interface FreshDatabase {
  /** A new store on this database (PostgreSQL: its own pool; SQLite: its own connection). */
  open(clock: Clock): Promise<Store>;
  /**
   * `n` stores that run concurrently in this process. PostgreSQL: n pools (real concurrent connections).
   * SQLite: n stores sharing the process's one connection to the file (see openStore); several processes
   * are tested apart (sqlite-processes.test.ts).
   */
  peers(n: number, clock: Clock): Promise<Store[]>;
  /** Every row of every table as text, plus (SQLite) the raw bytes of the database files. */
  dump(store: Store): Promise<string>;
  drop(): Promise<void>;
}

/** A database under test. */
export interface StoreHarness {
  readonly name: 'sqlite' | 'postgres';
  fresh(): Promise<FreshDatabase>;
}

const TABLES: readonly (keyof Database)[] = [
  'assessments',
  'idempotency_keys',
  'referrals',
  'loans',
  'defaults',
  'default_parties',
  'programmes',
  'api_keys',
  'rate_limits',
  'webhook_endpoints',
  'outbox',
  'store_meta',
];

async function dumpRows(store: Store): Promise<string> {
  const db = (store as KyselyStore).db;
  const parts: string[] = [];
  for (const t of TABLES) parts.push(JSON.stringify(await db.selectFrom(t).selectAll().execute()));
  return parts.join('\n');
}

/** SQLite on a temp file per database. */
export const sqliteHarness: StoreHarness = {
  name: 'sqlite',
  async fresh() {
    const dir = mkdtempSync(join(tmpdir(), 'rongdan-store-'));
    const path = join(dir, 'test.sqlite');
    const opened: Store[] = [];
    const open = async (clock: Clock) => {
      const s = await openStore({ path, clock });
      opened.push(s);
      return s;
    };
    return {
      open,
      async peers(n, clock) {
        return Promise.all(Array.from({ length: n }, () => open(clock)));
      },
      async dump(store) {
        let raw = '';
        for (const f of [path, `${path}-wal`])
          try {
            raw += readFileSync(f).toString('latin1');
          } catch {
            // the WAL may have been checkpointed away
          }
        return `${await dumpRows(store)}\n${raw}`;
      },
      async drop() {
        for (const s of opened) await s.close().catch(() => {});
        rmSync(dir, { recursive: true, force: true });
      },
    };
  },
};

/** The PostgreSQL server tests run against, from `TEST_DATABASE_URL` (set by .ci/run). */
export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? '';

/** A fresh database on the test server, created from the admin URL and dropped afterwards. */
export async function createTestDatabase(
  adminUrl = TEST_PG_URL,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `rongdan_t_${process.pid}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

/**
 * PostgreSQL: one database per test file (created on first use, dropped when the process exits), emptied
 * for each fresh() — so test files and tests never see each other's rows, without paying a CREATE DATABASE
 * per test.
 */
let fileDatabase: Promise<{ url: string; drop(): Promise<void> }> | null = null;

export const postgresHarness: StoreHarness = {
  name: 'postgres',
  async fresh() {
    fileDatabase ??= createTestDatabase();
    const database = await fileDatabase;
    const opened: Store[] = [];
    const open = async (clock: Clock) => {
      const s = await openStore({ url: database.url, clock, poolSize: 4 });
      opened.push(s);
      return s;
    };
    const first = await open(steppingClock());
    const db = (first as KyselyStore).db;
    await sql`truncate ${sql.join(TABLES.map((t) => sql.table(t)))}`.execute(db);
    await db.updateTable('book_state').set({ version: 0 }).execute(); // its one row stays; the book is empty
    return {
      open,
      async peers(n, clock) {
        const out: Store[] = [];
        for (let i = 0; i < n; i++) out.push(await open(clock));
        return out;
      },
      dump: dumpRows,
      async drop() {
        for (const s of opened) await s.close().catch(() => {});
      },
    };
  },
};

/** Drops the test file's PostgreSQL database (call from afterAll). */
export async function dropFileDatabase(): Promise<void> {
  if (fileDatabase === null) return;
  const d = await fileDatabase;
  fileDatabase = null;
  await d.drop();
}
