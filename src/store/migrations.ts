import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import { RiskError } from '../core/errors.js';

/**
 * The migrations, as code, shared by both dialects: only portable column types (text, bigint, integer,
 * double precision), so the same statements build the same tables on SQLite and PostgreSQL. Add a migration
 * as a new key; never edit one that has shipped.
 */

// biome-ignore lint/suspicious/noExplicitAny: migrations run on the database as it was, not as it is typed now.
type AnyDb = Kysely<any>;

const initial: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('assessments')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('application_id', 'text', (c) => c.notNull())
      .addColumn('release_id', 'text', (c) => c.notNull())
      .addColumn('input_digest', 'text', (c) => c.notNull())
      .addColumn('decision', 'text', (c) => c.notNull())
      .addColumn('input_json', 'text', (c) => c.notNull())
      .addColumn('output_json', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('assessments_application')
      .on('assessments')
      .columns(['application_id', 'created_at'])
      .execute();

    await db.schema
      .createTable('idempotency_keys')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('scope', 'text', (c) => c.notNull())
      .addColumn('request_digest', 'text', (c) => c.notNull())
      .addColumn('result_ids', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('referrals')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('bank_id', 'text', (c) => c.notNull())
      .addColumn('assessment_id', 'text', (c) => c.notNull())
      .addColumn('agreement_id', 'text', (c) => c.notNull())
      .addColumn('borrower_id', 'text', (c) => c.notNull())
      .addColumn('amount_fen', 'bigint', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .addColumn('payload_json', 'text', (c) => c.notNull())
      .addColumn('note', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();
    // The inbox query: one bank, optionally one status, in (created_at, id) order.
    await db.schema
      .createIndex('referrals_inbox')
      .on('referrals')
      .columns(['bank_id', 'created_at', 'id'])
      .execute();
    await db.schema
      .createIndex('referrals_inbox_status')
      .on('referrals')
      .columns(['bank_id', 'status', 'created_at', 'id'])
      .execute();

    await db.schema
      .createTable('loans')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('referral_id', 'text', (c) => c.unique())
      .addColumn('bank_id', 'text', (c) => c.notNull())
      .addColumn('agreement_id', 'text', (c) => c.notNull())
      .addColumn('borrower_id', 'text', (c) => c.notNull())
      .addColumn('assessment_id', 'text')
      .addColumn('amount_fen', 'bigint', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('funded_at', 'text', (c) => c.notNull())
      .addColumn('payload_json', 'text', (c) => c.notNull())
      .addColumn('version', 'integer', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('loans_agreement').on('loans').columns(['agreement_id', 'status']).execute();
    await db.schema.createIndex('loans_bank').on('loans').columns(['bank_id', 'status']).execute();

    await db.schema
      .createTable('defaults')
      .addColumn('loan_id', 'text', (c) => c.primaryKey().references('loans.id'))
      .addColumn('agreement_id', 'text', (c) => c.notNull())
      .addColumn('compensation_paid_fen', 'bigint', (c) => c.notNull())
      .addColumn('flow_json', 'text', (c) => c.notNull())
      .addColumn('case_json', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('default_parties')
      .addColumn('loan_id', 'text', (c) => c.notNull().references('defaults.loan_id'))
      .addColumn('idx', 'integer', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('share', 'double precision', (c) => c.notNull())
      .addColumn('bore_fen', 'bigint', (c) => c.notNull())
      .addColumn('recovered_fen', 'bigint', (c) => c.notNull())
      .addColumn('net_loss_fen', 'bigint', (c) => c.notNull())
      .addPrimaryKeyConstraint('default_parties_pk', ['loan_id', 'idx'])
      .execute();

    await db.schema
      .createTable('programmes')
      .addColumn('agreement_id', 'text', (c) => c.primaryKey())
      .addColumn('guaranteed_fen', 'bigint', (c) => c.notNull())
      .addColumn('compensated_fen', 'bigint', (c) => c.notNull())
      .addColumn('quota_used_fen', 'bigint', (c) => c.notNull())
      .addColumn('loans', 'integer', (c) => c.notNull())
      .addColumn('defaults', 'integer', (c) => c.notNull())
      .addColumn('updated_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('api_keys')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('secret_hash', 'text', (c) => c.notNull())
      .addColumn('role', 'text', (c) => c.notNull())
      .addColumn('bank_id', 'text')
      .addColumn('name', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('revoked_at', 'text')
      .execute();

    await db.schema
      .createTable('webhook_endpoints')
      .addColumn('bank_id', 'text', (c) => c.primaryKey())
      .addColumn('url', 'text', (c) => c.notNull())
      .addColumn('secret', 'text', (c) => c.notNull())
      .addColumn('created_at', 'text', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('outbox')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('bank_id', 'text', (c) => c.notNull())
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('body', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull())
      .addColumn('next_attempt_at', 'text', (c) => c.notNull())
      .addColumn('lease_until', 'text')
      .addColumn('last_error', 'text')
      .addColumn('created_at', 'text', (c) => c.notNull())
      .addColumn('delivered_at', 'text')
      .execute();
    // The deliverer's scan: due rows by state and time.
    await db.schema.createIndex('outbox_due').on('outbox').columns(['status', 'next_attempt_at']).execute();

    await db.schema
      .createTable('store_meta')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
};

/**
 * The live portfolio book: a version that every change to the loans in force moves (in the same transaction),
 * each loan's versions in and out of the book (so the book at any version can be rebuilt for replay), and the
 * book an assessment was checked against. Plus the rate-limit counters shared by API processes.
 */
const liveBook: Migration = {
  async up(db: AnyDb) {
    await db.schema
      .createTable('book_state')
      .addColumn('id', 'integer', (c) => c.primaryKey())
      .addColumn('version', 'bigint', (c) => c.notNull())
      .execute();
    await db.insertInto('book_state').values({ id: 1, version: 0 }).execute();
    // Loans already stored entered the book at version 0; those already closed left it at version 0 too.
    await db.schema
      .alterTable('loans')
      .addColumn('in_version', 'bigint', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.alterTable('loans').addColumn('out_version', 'bigint').execute();
    await db.updateTable('loans').set({ out_version: 0 }).where('status', '!=', 'active').execute();
    await db.schema.createIndex('loans_book').on('loans').columns(['in_version', 'out_version']).execute();
    await db.schema.alterTable('assessments').addColumn('book_json', 'text').execute();
    await db.schema
      .createTable('rate_limits')
      .addColumn('key', 'text', (c) => c.primaryKey())
      .addColumn('window_start', 'bigint', (c) => c.notNull())
      .addColumn('hits', 'integer', (c) => c.notNull())
      .execute();
  },
};

/** Every migration, by name (names sort in the order they run). */
export const MIGRATIONS: Readonly<Record<string, Migration>> = {
  '0001_initial': initial,
  '0002_live_book': liveBook,
};

const provider: MigrationProvider = { getMigrations: async () => ({ ...MIGRATIONS }) };

/**
 * Brings a database to the latest schema. Safe with several processes starting at once (Kysely's migrator
 * takes a lock table on both dialects).
 * @throws E_STORE_MIGRATION when a migration fails (the database is left at the last good one)
 */
export async function migrateToLatest(db: AnyDb): Promise<string[]> {
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error !== undefined)
    throw new RiskError(
      'E_STORE_MIGRATION',
      `database migration failed at ${results?.find((r) => r.status === 'Error')?.migrationName ?? 'start'}: ${String(error)}`,
      {},
      { cause: error },
    );
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
