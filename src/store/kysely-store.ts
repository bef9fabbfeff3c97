import { createHash, randomBytes } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Clock } from '../core/clock.js';
import { RiskError } from '../core/errors.js';
import { type LossFlow, runLoss } from '../matching/loss.js';
import { toFen, toYuan } from '../matching/money.js';
import type { Referral } from '../matching/referrals.js';
import { generateApiKey, parseApiKey, secretMatches } from './keys.js';
import type {
  ApiKeyTable,
  AssessmentTable,
  Database,
  LoanTable,
  OutboxTable,
  ProgrammeTable,
  ReferralTable,
} from './schema.js';
import {
  type ApiKeyRecord,
  type BankReferral,
  type ClaimedMessage,
  type CreatedApiKey,
  type DeliveryOutcome,
  type DirectGuarantee,
  type EventType,
  type FundReferral,
  type GuaranteeResult,
  KEY_ROLES,
  type KeyRole,
  MAX_BATCH,
  type NewApiKey,
  type NewAssessment,
  type OutboxCounts,
  type OutboxMessage,
  type OutboxStatus,
  type ProgrammeTotals,
  REFERRAL_STATUSES,
  REFERRAL_TRANSITIONS,
  type RecordedDefault,
  type ReferralPage,
  type ReferralQuery,
  type ReferralStatus,
  type ReferralTransition,
  type ReportDefault,
  type SavedAssessments,
  type SaveOptions,
  type Store,
  type StoreDialect,
  type StoredAssessment,
  type StoredLoan,
  type StoredReferral,
  type WebhookEndpoint,
} from './store.js';

type Db = Kysely<Database>;
type Tx = Transaction<Database>;

const sha256 = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/** A single save waiting for its group commit. */
interface GroupedSave {
  readonly item: NewAssessment;
  readonly row: AssessmentTable;
  readonly resolve: (saved: SavedAssessments) => void;
  readonly reject: (err: unknown) => void;
}

/** Rows per group commit at most (one statement; under both dialects' parameter caps). */
const GROUP_MAX = 200;

/** A stored assessment as just written (no read back). */
function asWritten(i: NewAssessment, row: AssessmentTable): StoredAssessment {
  return {
    id: row.id,
    applicationId: row.application_id,
    releaseId: row.release_id,
    inputDigest: row.input_digest,
    decision: i.assessment.decision,
    input: i.input,
    output: i.assessment,
    createdAt: row.created_at,
    book: i.book ?? null,
    outputJson: row.output_json,
  };
}

/** How long an authenticated key is trusted without a read (revocation elsewhere takes effect within it). */
export const KEY_CACHE_MS = 5_000;
/** Keys kept in that cache at most (it is emptied when full). */
const KEY_CACHE_MAX = 10_000;

/** Deterministic referral id: storing the same match twice finds the same row. */
export function referralId(r: Pick<Referral, 'assessmentId' | 'bankId' | 'agreementId'>): string {
  return `ref_${sha256(`${r.assessmentId}|${r.bankId}|${r.agreementId}`).slice(0, 24)}`;
}

/**
 * A referral as its bank may see it (inbox and webhooks): the borrower, money, risk split and reasons of this
 * referral, without the guarantor's internal figures (its objective value and net value) or the other banks
 * it was weighed against.
 */
export function referralForBank(r: StoredReferral): BankReferral {
  const { alternatives: _others, value: _value, guarantorNetValue: _net, ...shown } = r.referral;
  return { ...r, referral: shown };
}

/** An event to write to the outbox. */
interface OutboxEvent {
  readonly bankId: string;
  readonly type: EventType;
  /** The referral or loan it is about, and the version it announces (together: the event's identity). */
  readonly subjectId: string;
  readonly version: number;
  readonly data: unknown;
}

/** Splits rows for statements under both dialects' parameter caps. */
function chunks<T>(xs: readonly T[], size = 500): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; i += size) out.push(xs.slice(i, i + size));
  return out;
}

function conflict(message: string, details: Record<string, unknown> = {}): RiskError {
  return new RiskError('E_STORE_CONFLICT', message, details);
}
function notFound(what: string, id: string): RiskError {
  return new RiskError('E_STORE_NOT_FOUND', `no ${what} has id ${JSON.stringify(id)}`, {
    path: ['id'],
    received: id,
  });
}
function badInput(field: string, expected: string, received: unknown): RiskError {
  return new RiskError(
    'E_STORE_INPUT',
    `${field} must be ${expected}, received ${JSON.stringify(received)}`,
    {
      path: [field],
      expected,
      received,
    },
  );
}

function toAssessment(r: Selectable<AssessmentTable>): StoredAssessment {
  return {
    id: r.id,
    applicationId: r.application_id,
    releaseId: r.release_id,
    inputDigest: r.input_digest,
    decision: r.decision as StoredAssessment['decision'],
    input: JSON.parse(r.input_json),
    output: JSON.parse(r.output_json),
    createdAt: r.created_at,
    book: r.book_json === null ? null : JSON.parse(r.book_json),
    outputJson: r.output_json,
  };
}

function toReferral(r: Selectable<ReferralTable>): StoredReferral {
  return {
    id: r.id,
    bankId: r.bank_id,
    assessmentId: r.assessment_id,
    agreementId: r.agreement_id,
    borrowerId: r.borrower_id,
    amount: toYuan(Number(r.amount_fen)),
    status: r.status as ReferralStatus,
    version: Number(r.version),
    referral: JSON.parse(r.payload_json),
    note: r.note,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toLoan(r: Omit<Selectable<LoanTable>, 'in_version' | 'out_version'>): StoredLoan {
  return {
    id: r.id,
    referralId: r.referral_id,
    bankId: r.bank_id,
    agreementId: r.agreement_id,
    borrowerId: r.borrower_id,
    assessmentId: r.assessment_id,
    amount: toYuan(Number(r.amount_fen)),
    status: r.status as StoredLoan['status'],
    fundedAt: r.funded_at,
    payload: JSON.parse(r.payload_json),
    version: Number(r.version),
  };
}

function toProgramme(agreementId: string, r: Selectable<ProgrammeTable> | undefined): ProgrammeTotals {
  return {
    agreementId,
    guaranteedToDate: toYuan(Number(r?.guaranteed_fen ?? 0)),
    compensatedToDate: toYuan(Number(r?.compensated_fen ?? 0)),
    quotaUsed: toYuan(Number(r?.quota_used_fen ?? 0)),
    loans: Number(r?.loans ?? 0),
    defaults: Number(r?.defaults ?? 0),
    updatedAt: r?.updated_at ?? null,
  };
}

function toKey(r: Selectable<ApiKeyTable>): ApiKeyRecord {
  return {
    id: r.id,
    role: r.role as KeyRole,
    bankId: r.bank_id,
    name: r.name,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  };
}

function toMessage(r: Selectable<OutboxTable>): OutboxMessage {
  return {
    id: r.id,
    bankId: r.bank_id,
    type: r.type as EventType,
    body: r.body,
    status: r.status as OutboxStatus,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    createdAt: r.created_at,
    deliveredAt: r.delivered_at,
  };
}

/** The opaque inbox cursor: the (created_at, id) of the last row of a page. */
function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id]), 'utf8').toString('base64url');
}
function decodeCursor(cursor: string): [string, string] {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string')
      return [v[0], v[1]];
  } catch {
    // falls through to the error below
  }
  throw badInput('cursor', "a cursor returned by a previous page's nextCursor", cursor);
}

/**
 * The `Store` over a Kysely instance; the same code for SQLite and PostgreSQL. The two places the dialects
 * differ are row locks (`FOR UPDATE [SKIP LOCKED]` on PostgreSQL; SQLite needs none because its write
 * transactions start with BEGIN IMMEDIATE and so hold the one writer lock) and the driver set-up in open.ts.
 */
export class KyselyStore implements Store {
  readonly dialect: StoreDialect;
  readonly db: Db;
  private readonly clock: Clock;
  private readonly onClose: () => Promise<void>;

  /** Keys that authenticated recently, by the sha256 of the presented key (never the key itself). */
  private readonly keyCache = new Map<string, { record: ApiKeyRecord; until: number }>();
  private readonly keyCacheMs: number;

  constructor(
    db: Db,
    dialect: StoreDialect,
    clock: Clock,
    onClose: () => Promise<void>,
    /** How long a key that authenticated is trusted without reading it again (0: every time). */
    keyCacheMs = KEY_CACHE_MS,
  ) {
    this.db = db;
    this.dialect = dialect;
    this.clock = clock;
    this.onClose = onClose;
    this.keyCacheMs = keyCacheMs;
  }

  private now(): string {
    return this.clock.now().toISOString();
  }

  private get pg(): boolean {
    return this.dialect === 'postgres';
  }

  // -------------------------------------------------------------------------------------------------------
  // Assessments

  async saveAssessment(item: NewAssessment, options: SaveOptions = {}): Promise<SavedAssessments> {
    return this.save([item], options, 'assessment', item.assessment.inputDigest);
  }

  async saveAssessments(
    items: readonly NewAssessment[],
    options: SaveOptions = {},
  ): Promise<SavedAssessments> {
    if (items.length === 0 || items.length > MAX_BATCH)
      throw badInput('items', `1 to ${MAX_BATCH} assessments`, `${items.length} items`);
    return this.save(
      items,
      options,
      'assessment_batch',
      sha256(items.map((i) => i.assessment.inputDigest).join('\n')),
    );
  }

  private async save(
    items: readonly NewAssessment[],
    options: SaveOptions,
    scope: string,
    digest: string,
  ): Promise<SavedAssessments> {
    const createdAt = this.now();
    const ids = items.map((i) => i.assessment.id);
    const rows: AssessmentTable[] = items.map(({ input, assessment: a, book }) => ({
      id: a.id,
      application_id: a.applicationId,
      release_id: a.releaseId,
      input_digest: a.inputDigest,
      decision: a.decision,
      input_json: JSON.stringify(input),
      output_json: JSON.stringify(a),
      created_at: createdAt,
      book_json: book === undefined ? null : JSON.stringify(book),
    }));
    const key = options.idempotencyKey;
    if (key !== undefined && (key.length === 0 || key.length > 200))
      throw badInput('idempotencyKey', 'a string of 1 to 200 characters', key);
    if (key === undefined && rows.length === 1)
      return this.grouped(items[0] as NewAssessment, rows[0] as AssessmentTable);
    return this.db.transaction().execute(async (tx) => {
      if (key !== undefined) {
        const claimed = await tx
          .insertInto('idempotency_keys')
          .values({
            key,
            scope,
            request_digest: digest,
            result_ids: JSON.stringify(ids),
            created_at: createdAt,
          })
          .onConflict((oc) => oc.column('key').doNothing())
          .executeTakeFirst();
        if (Number(claimed.numInsertedOrUpdatedRows ?? 0) === 0) {
          const seen = await tx
            .selectFrom('idempotency_keys')
            .selectAll()
            .where('key', '=', key)
            .executeTakeFirstOrThrow();
          if (seen.scope !== scope || seen.request_digest !== digest)
            throw conflict(
              `Idempotency-Key ${JSON.stringify(key)} was already used with another request body; use a new key for a new request`,
              { path: ['idempotencyKey'], received: key },
            );
          return { rows: await this.assessmentsIn(tx, JSON.parse(seen.result_ids)), replayed: true };
        }
      }
      const ins = await tx
        .insertInto('assessments')
        .values(rows)
        .onConflict((oc) => oc.column('id').doNothing())
        .executeTakeFirst();
      // The assessment id is a digest of release and input: an id already stored holds the same answer, so
      // only when some were already there is it worth reading the stored rows back.
      if (Number(ins.numInsertedOrUpdatedRows ?? 0) === rows.length)
        return { rows: items.map((i, k) => asWritten(i, rows[k] as AssessmentTable)), replayed: false };
      return { rows: await this.assessmentsIn(tx, ids), replayed: false };
    });
  }

  /** Single saves waiting for the next group commit. */
  private waiting: GroupedSave[] = [];
  private committing = false;

  /**
   * Group commit: single saves without an idempotency key that arrive while a commit runs are written together
   * in the next transaction (one statement, one commit); each is answered only once its row is committed.
   * A group that fails is retried one save at a time, so one bad row fails only its own request.
   */
  private grouped(item: NewAssessment, row: AssessmentTable): Promise<SavedAssessments> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ item, row, resolve, reject });
      if (!this.committing) {
        this.committing = true;
        setImmediate(() => void this.commitGroups());
      }
    });
  }

  private async commitGroups(): Promise<void> {
    while (this.waiting.length > 0) {
      const group = this.waiting.splice(0, GROUP_MAX);
      try {
        await this.commitGroup(group);
      } catch {
        for (const g of group) await this.commitGroup([g]).catch(g.reject);
      }
    }
    this.committing = false;
  }

  private async commitGroup(group: readonly GroupedSave[]): Promise<void> {
    // The same id twice in a group (the same input sent twice at once) is one row.
    const first = new Map<string, GroupedSave>();
    for (const g of group) if (!first.has(g.row.id)) first.set(g.row.id, g);
    const rows = [...first.values()].map((g) => g.row);
    const answers = await this.db.transaction().execute(async (tx) => {
      const inserted = new Set(
        (
          await tx
            .insertInto('assessments')
            .values(rows)
            .onConflict((oc) => oc.column('id').doNothing())
            .returning('id')
            .execute()
        ).map((r) => r.id),
      );
      // An id already stored holds the same answer; it is read back (as a single save always did).
      const stored = new Map(
        (
          await this.assessmentsIn(
            tx,
            group.filter((g) => !inserted.has(g.row.id)).map((g) => g.row.id),
          )
        ).map((a) => [a.id, a]),
      );
      return group.map((g) => {
        const w = first.get(g.row.id) as GroupedSave;
        return inserted.has(g.row.id) ? asWritten(w.item, w.row) : stored.get(g.row.id);
      });
    });
    group.forEach((g, k) => {
      const a = answers[k];
      if (a === undefined) g.reject(new Error(`assessment ${g.row.id} was neither written nor found`));
      else g.resolve({ rows: [a], replayed: false });
    });
  }

  private async assessmentsIn(db: Db | Tx, ids: readonly string[]): Promise<StoredAssessment[]> {
    const byId = new Map<string, StoredAssessment>();
    for (const part of chunks(ids))
      for (const r of await db.selectFrom('assessments').selectAll().where('id', 'in', part).execute())
        byId.set(r.id, toAssessment(r));
    return ids.flatMap((id) => byId.get(id) ?? []);
  }

  async getAssessment(id: string): Promise<StoredAssessment | null> {
    const r = await this.db.selectFrom('assessments').selectAll().where('id', '=', id).executeTakeFirst();
    return r === undefined ? null : toAssessment(r);
  }

  getAssessments(ids: readonly string[]): Promise<StoredAssessment[]> {
    return this.assessmentsIn(this.db, [...new Set(ids)]);
  }

  // -------------------------------------------------------------------------------------------------------
  // Outbox writes (always inside the caller's transaction)

  /**
   * Writes events for the banks that have a webhook endpoint (a bank without one reads its inbox instead),
   * in the caller's transaction, so an event exists exactly when the change it announces was committed.
   */
  private async emit(tx: Tx, events: readonly OutboxEvent[]): Promise<void> {
    if (events.length === 0) return;
    const banks = [...new Set(events.map((e) => e.bankId))];
    const withEndpoint = new Set<string>();
    for (const part of chunks(banks))
      for (const r of await tx
        .selectFrom('webhook_endpoints')
        .select('bank_id')
        .where('bank_id', 'in', part)
        .execute())
        withEndpoint.add(r.bank_id);
    const createdAt = this.now();
    const rows: OutboxTable[] = events
      .filter((e) => withEndpoint.has(e.bankId))
      .map((e) => {
        // Deterministic id: the same change announced twice (a retried transaction) is one event.
        const id = `evt_${sha256(`${e.type}|${e.subjectId}|${e.version}`).slice(0, 24)}`;
        return {
          id,
          bank_id: e.bankId,
          type: e.type,
          body: JSON.stringify({ id, type: e.type, createdAt, data: e.data }),
          status: 'pending',
          attempts: 0,
          next_attempt_at: createdAt,
          lease_until: null,
          last_error: null,
          created_at: createdAt,
          delivered_at: null,
        };
      });
    for (const part of chunks(rows))
      await tx
        .insertInto('outbox')
        .values(part)
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
  }

  // -------------------------------------------------------------------------------------------------------
  // Referrals

  async createReferrals(referrals: readonly Referral[]): Promise<StoredReferral[]> {
    if (referrals.length === 0) return [];
    const at = this.now();
    const rows: ReferralTable[] = referrals.map((r) => ({
      id: referralId(r),
      bank_id: r.bankId,
      assessment_id: r.assessmentId,
      agreement_id: r.agreementId,
      borrower_id: r.borrowerId,
      amount_fen: toFen(r.amount),
      status: 'new',
      version: 1,
      payload_json: JSON.stringify(r),
      note: null,
      created_at: at,
      updated_at: at,
    }));
    const ids = [...new Set(rows.map((r) => r.id))];
    return this.db.transaction().execute(async (tx) => {
      const fresh = new Set<string>();
      // In chunks: both dialects cap the parameters of one statement (SQLite 32,766; PostgreSQL 65,535).
      for (const part of chunks(rows))
        for (const r of await tx
          .insertInto('referrals')
          .values(part)
          .onConflict((oc) => oc.column('id').doNothing())
          .returning('id')
          .execute())
          fresh.add(r.id);
      const byId = new Map<string, StoredReferral>();
      for (const part of chunks(ids))
        for (const r of await tx.selectFrom('referrals').selectAll().where('id', 'in', part).execute())
          byId.set(r.id, toReferral(r));
      const out = ids.flatMap((id) => byId.get(id) ?? []);
      await this.emit(
        tx,
        out
          .filter((r) => fresh.has(r.id))
          .map((r) => ({
            bankId: r.bankId,
            type: 'referral.created',
            subjectId: r.id,
            version: r.version,
            data: referralForBank(r),
          })),
      );
      return out;
    });
  }

  async getReferral(id: string): Promise<StoredReferral | null> {
    const r = await this.db.selectFrom('referrals').selectAll().where('id', '=', id).executeTakeFirst();
    return r === undefined ? null : toReferral(r);
  }

  async listReferrals(q: ReferralQuery): Promise<ReferralPage> {
    const limit = q.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 500)
      throw badInput('limit', 'an integer in [1, 500]', limit);
    const statuses = q.status === undefined ? [] : typeof q.status === 'string' ? [q.status] : [...q.status];
    for (const s of statuses)
      if (!REFERRAL_STATUSES.includes(s))
        throw badInput('status', `one of ${REFERRAL_STATUSES.join(', ')}`, s);
    const after = q.cursor == null ? null : decodeCursor(q.cursor);
    const rows = await this.db
      .selectFrom('referrals')
      .selectAll()
      .where('bank_id', '=', q.bankId)
      .$if(statuses.length > 0, (qb) => qb.where('status', 'in', statuses))
      .$if(after !== null, (qb) =>
        qb.where((eb) =>
          eb.or([
            eb('created_at', '>', after?.[0] ?? ''),
            eb.and([eb('created_at', '=', after?.[0] ?? ''), eb('id', '>', after?.[1] ?? '')]),
          ]),
        ),
      )
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit + 1)
      .execute();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toReferral),
      nextCursor: rows.length > limit && last !== undefined ? encodeCursor(last.created_at, last.id) : null,
    };
  }

  /** Reads a referral or loan for a change: it must exist and, when a bank is named, be that bank's. */
  private async rowFor<T extends 'referrals' | 'loans'>(
    tx: Tx,
    table: T,
    id: string,
    bankId: string | undefined,
  ): Promise<Selectable<Database[T]>> {
    const row = await tx
      .selectFrom(table as 'loans')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    const what = table === 'loans' ? 'loan' : 'referral';
    if (row === undefined) throw notFound(what, id);
    if (bankId !== undefined && row.bank_id !== bankId)
      throw new RiskError('E_STORE_FORBIDDEN', `${what} ${id} belongs to another bank`, {
        path: ['id'],
        received: id,
      });
    return row as unknown as Selectable<Database[T]>;
  }

  /**
   * The one conditional update behind every status change: it moves the row only if its status is still
   * one the target may be reached from (and the version matches when asked). Under concurrency the database
   * serialises the updates of one row, and every loser finds the status changed and updates nothing.
   */
  private async move(
    tx: Tx,
    id: string,
    to: ReferralStatus,
    opts: { expectedVersion?: number | undefined; note?: string | undefined },
  ): Promise<StoredReferral> {
    const from = REFERRAL_STATUSES.filter((s) => REFERRAL_TRANSITIONS[s].includes(to));
    const updated = await tx
      .updateTable('referrals')
      .set((eb) => ({
        status: to,
        version: eb('version', '+', 1),
        updated_at: this.now(),
        ...(opts.note !== undefined ? { note: opts.note } : {}),
      }))
      .where('id', '=', id)
      .where('status', 'in', from)
      .$if(opts.expectedVersion !== undefined, (qb) => qb.where('version', '=', opts.expectedVersion ?? 0))
      .returningAll()
      .executeTakeFirst();
    if (updated !== undefined) return toReferral(updated);
    const now = await tx
      .selectFrom('referrals')
      .select(['status', 'version'])
      .where('id', '=', id)
      .executeTakeFirst();
    throw conflict(
      `referral ${id} is ${now?.status ?? 'gone'} at version ${now?.version ?? '-'}; it cannot move to ${to}` +
        (opts.expectedVersion !== undefined ? ` from version ${opts.expectedVersion}` : ''),
      { path: ['status'], expected: from.join(' | '), received: now?.status },
    );
  }

  async transitionReferral(t: ReferralTransition): Promise<StoredReferral> {
    if (t.to !== 'accepted' && t.to !== 'declined') throw badInput('to', 'accepted or declined', t.to);
    return this.db.transaction().execute(async (tx) => {
      await this.rowFor(tx, 'referrals', t.id, t.bankId);
      const r = await this.move(tx, t.id, t.to, { expectedVersion: t.expectedVersion, note: t.note });
      await this.emit(tx, [
        {
          bankId: r.bankId,
          type: t.to === 'accepted' ? 'referral.accepted' : 'referral.declined',
          subjectId: r.id,
          version: r.version,
          data: referralForBank(r),
        },
      ]);
      return r;
    });
  }

  /** Locks (PostgreSQL) or simply reads (SQLite, already the one writer) a programme's totals row. */
  private async lockProgramme(tx: Tx, agreementId: string): Promise<Selectable<ProgrammeTable>> {
    await tx
      .insertInto('programmes')
      .values({
        agreement_id: agreementId,
        guaranteed_fen: 0,
        compensated_fen: 0,
        quota_used_fen: 0,
        loans: 0,
        defaults: 0,
        updated_at: this.now(),
      })
      .onConflict((oc) => oc.column('agreement_id').doNothing())
      .execute();
    return tx
      .selectFrom('programmes')
      .selectAll()
      .where('agreement_id', '=', agreementId)
      .$if(this.pg, (qb) => qb.forUpdate())
      .executeTakeFirstOrThrow();
  }

  /** Moves the book version (row-locked on PostgreSQL, so book changes are numbered one by one). */
  private async bumpBook(tx: Tx): Promise<number> {
    const r = await tx
      .updateTable('book_state')
      .set((eb) => ({ version: eb('version', '+', 1) }))
      .where('id', '=', 1)
      .returning('version')
      .executeTakeFirstOrThrow();
    return Number(r.version);
  }

  private async addLoan(
    tx: Tx,
    loan: Omit<LoanTable, 'in_version' | 'out_version'>,
  ): Promise<ProgrammeTotals> {
    await tx
      .insertInto('loans')
      .values({ ...loan, in_version: await this.bumpBook(tx), out_version: null })
      .execute();
    const p = await tx
      .updateTable('programmes')
      .set((eb) => ({
        guaranteed_fen: eb('guaranteed_fen', '+', loan.amount_fen),
        quota_used_fen: eb('quota_used_fen', '+', loan.amount_fen),
        loans: eb('loans', '+', 1),
        updated_at: loan.funded_at,
      }))
      .where('agreement_id', '=', loan.agreement_id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toProgramme(loan.agreement_id, p);
  }

  async fundReferral(f: FundReferral): Promise<{ referral: StoredReferral; loan: StoredLoan }> {
    return this.db.transaction().execute(async (tx) => {
      const before = await this.rowFor(tx, 'referrals', f.id, f.bankId);
      const maxFen = Number(before.amount_fen);
      const amountFen = f.amount === undefined ? maxFen : toFen(f.amount);
      if (!(amountFen > 0 && amountFen <= maxFen))
        throw badInput(
          'amount',
          `a positive amount in yuan up to the referral's ${toYuan(maxFen)}`,
          f.amount,
        );
      await this.lockProgramme(tx, before.agreement_id);
      const referral = await this.move(tx, f.id, 'funded', {});
      const loan: Omit<LoanTable, 'in_version' | 'out_version'> = {
        id: `loan_${referral.id.slice(4)}`,
        referral_id: referral.id,
        bank_id: referral.bankId,
        agreement_id: referral.agreementId,
        borrower_id: referral.borrowerId,
        assessment_id: referral.assessmentId,
        amount_fen: amountFen,
        status: 'active',
        funded_at: this.now(),
        payload_json: JSON.stringify(f.payload ?? null),
        version: 1,
      };
      await this.addLoan(tx, loan);
      const stored = toLoan(loan);
      await this.emit(tx, [
        {
          bankId: referral.bankId,
          type: 'referral.funded',
          subjectId: referral.id,
          version: referral.version,
          data: { referral: referralForBank(referral), loan: stored },
        },
      ]);
      return { referral, loan: stored };
    });
  }

  async guaranteeLoan(g: DirectGuarantee): Promise<GuaranteeResult> {
    const amountFen = toFen(g.amount);
    if (!(Number.isFinite(g.amount) && amountFen > 0))
      throw badInput('amount', 'a positive amount in yuan', g.amount);
    if (g.loanRef.length === 0 || g.loanRef.length > 200)
      throw badInput('loanRef', 'a string of 1 to 200 characters', g.loanRef);
    const id = `loan_${sha256(`${g.bankId}|${g.loanRef}`).slice(0, 24)}`;
    return this.db.transaction().execute(async (tx) => {
      const programme = toProgramme(g.agreementId, await this.lockProgramme(tx, g.agreementId));
      const seen = await tx.selectFrom('loans').selectAll().where('id', '=', id).executeTakeFirst();
      if (seen !== undefined) {
        if (seen.agreement_id !== g.agreementId || Number(seen.amount_fen) !== amountFen)
          throw conflict(
            `loan reference ${JSON.stringify(g.loanRef)} was already guaranteed with other terms`,
            {
              path: ['loanRef'],
              received: g.loanRef,
            },
          );
        return { ok: true, loan: toLoan(seen), programme, replayed: true };
      }
      const { fen } = await tx
        .selectFrom('loans')
        .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('amount_fen'), eb.lit(0)).as('fen'))
        .where('agreement_id', '=', g.agreementId)
        .where('bank_id', '=', g.bankId)
        .where('status', '=', 'active')
        .executeTakeFirstOrThrow();
      const refusal = g.admit(programme, toYuan(Number(fen)));
      if (refusal !== null) return { ok: false, refusal, programme };
      const loan: Omit<LoanTable, 'in_version' | 'out_version'> = {
        id,
        referral_id: null,
        bank_id: g.bankId,
        agreement_id: g.agreementId,
        borrower_id: g.borrowerId,
        assessment_id: g.assessmentId ?? null,
        amount_fen: amountFen,
        status: 'active',
        funded_at: this.now(),
        payload_json: JSON.stringify({
          loanRef: g.loanRef,
          ...(g.payload === undefined ? {} : { data: g.payload }),
        }),
        version: 1,
      };
      const after = await this.addLoan(tx, loan);
      const stored = toLoan(loan);
      await this.emit(tx, [
        { bankId: g.bankId, type: 'loan.guaranteed', subjectId: id, version: 1, data: stored },
      ]);
      return { ok: true, loan: stored, programme: after, replayed: false };
    });
  }

  async bookVersion(): Promise<number> {
    const r = await this.db.selectFrom('book_state').select('version').where('id', '=', 1).executeTakeFirst();
    return Number(r?.version ?? 0);
  }

  async loansInBook(version: number): Promise<StoredLoan[]> {
    if (!(Number.isSafeInteger(version) && version >= 0))
      throw badInput('version', 'a book version (a whole number ≥ 0)', version);
    const rows = await this.db
      .selectFrom('loans')
      .selectAll()
      .where('in_version', '<=', version)
      .where((eb) => eb.or([eb('out_version', 'is', null), eb('out_version', '>', version)]))
      .orderBy('in_version')
      .orderBy('id')
      .execute();
    return rows.map(toLoan);
  }

  async hitRateLimit(key: string, windowMs: number): Promise<{ hits: number; resetAt: Date }> {
    if (!(Number.isSafeInteger(windowMs) && windowMs > 0))
      throw badInput('windowMs', 'a whole number of milliseconds > 0', windowMs);
    const now = this.clock.now().getTime();
    // One upsert: a new key or an expired window starts at 1 from now; a live one adds 1.
    const r = await this.db
      .insertInto('rate_limits')
      .values({ key, window_start: now, hits: 1 })
      .onConflict((oc) =>
        oc.column('key').doUpdateSet((eb) => {
          const expired = eb(eb('rate_limits.window_start', '+', windowMs), '<=', now);
          return {
            hits: eb
              .case()
              .when(expired)
              .then(1)
              .else(eb('rate_limits.hits', '+', 1))
              .end(),
            window_start: eb.case().when(expired).then(now).else(eb.ref('rate_limits.window_start')).end(),
          };
        }),
      )
      .returning(['hits', 'window_start'])
      .executeTakeFirstOrThrow();
    return { hits: Number(r.hits), resetAt: new Date(Number(r.window_start) + windowMs) };
  }

  async unhitRateLimit(key: string): Promise<void> {
    await this.db
      .updateTable('rate_limits')
      .set((eb) => ({ hits: eb('hits', '-', 1) }))
      .where('key', '=', key)
      .where('hits', '>', 0)
      .execute();
  }

  async resetRateLimit(key: string): Promise<void> {
    await this.db.deleteFrom('rate_limits').where('key', '=', key).execute();
  }

  async getLoan(id: string): Promise<StoredLoan | null> {
    const r = await this.db.selectFrom('loans').selectAll().where('id', '=', id).executeTakeFirst();
    return r === undefined ? null : toLoan(r);
  }

  async listLoans(
    filter: { bankId?: string; agreementId?: string; status?: StoredLoan['status'] } = {},
  ): Promise<StoredLoan[]> {
    const rows = await this.db
      .selectFrom('loans')
      .selectAll()
      .$if(filter.bankId !== undefined, (qb) => qb.where('bank_id', '=', filter.bankId ?? ''))
      .$if(filter.agreementId !== undefined, (qb) => qb.where('agreement_id', '=', filter.agreementId ?? ''))
      .$if(filter.status !== undefined, (qb) => qb.where('status', '=', filter.status ?? ''))
      .orderBy('funded_at')
      .orderBy('id')
      .execute();
    return rows.map(toLoan);
  }

  /** Active → defaulted | repaid, as a conditional update (a loan ends once), and its referral with it. */
  private async closeLoan(
    tx: Tx,
    loan: Selectable<LoanTable>,
    to: 'defaulted' | 'repaid',
  ): Promise<StoredLoan> {
    const out = await this.bumpBook(tx); // rolled back with the rest when the update below finds no active loan
    const moved = await tx
      .updateTable('loans')
      .set((eb) => ({ status: to, version: eb('version', '+', 1), out_version: out }))
      .where('id', '=', loan.id)
      .where('status', '=', 'active')
      .returningAll()
      .executeTakeFirst();
    if (moved === undefined)
      throw conflict(`loan ${loan.id} is ${loan.status}; only an active loan can be ${to}`, {
        path: ['loanId'],
        received: loan.status,
      });
    if (loan.referral_id !== null) await this.move(tx, loan.referral_id, to, {});
    return toLoan(moved);
  }

  async repayLoan(r: {
    loanId: string;
    bankId?: string;
  }): Promise<{ loan: StoredLoan; programme: ProgrammeTotals }> {
    return this.db.transaction().execute(async (tx) => {
      const loan = await this.rowFor(tx, 'loans', r.loanId, r.bankId);
      await this.lockProgramme(tx, loan.agreement_id);
      const stored = await this.closeLoan(tx, loan, 'repaid');
      const after = await tx
        .updateTable('programmes')
        .set((eb) => ({
          quota_used_fen: eb('quota_used_fen', '-', Number(loan.amount_fen)),
          updated_at: this.now(),
        }))
        .where('agreement_id', '=', loan.agreement_id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.emit(tx, [
        {
          bankId: loan.bank_id,
          type: 'loan.repaid',
          subjectId: loan.id,
          version: stored.version,
          data: stored,
        },
      ]);
      return { loan: stored, programme: toProgramme(loan.agreement_id, after) };
    });
  }

  async recordDefault(d: ReportDefault): Promise<RecordedDefault> {
    return this.db.transaction().execute(async (tx) => {
      const loan = await this.rowFor(tx, 'loans', d.loanId, d.bankId);
      if (d.agreement.id !== loan.agreement_id)
        throw badInput('agreement.id', `the loan's agreement ${loan.agreement_id}`, d.agreement.id);
      const before = await this.lockProgramme(tx, loan.agreement_id);
      // The flow runs on the totals as locked, so two defaults of one programme see each other's compensation.
      const flow: LossFlow = runLoss(d.agreement, {
        ...d.loss,
        principal: toYuan(Number(loan.amount_fen)),
        guaranteedToDate: toYuan(Number(before.guaranteed_fen)),
        compensatedToDate: toYuan(Number(before.compensated_fen)),
      });
      const createdAt = this.now();
      const stored = await this.closeLoan(tx, loan, 'defaulted');
      const paidFen = toFen(flow.compensationPaid);
      await tx
        .insertInto('defaults')
        .values({
          loan_id: loan.id,
          agreement_id: loan.agreement_id,
          compensation_paid_fen: paidFen,
          flow_json: JSON.stringify(flow),
          case_json: JSON.stringify(d.loss),
          created_at: createdAt,
        })
        .execute();
      await tx
        .insertInto('default_parties')
        .values(
          flow.parties.map((p, idx) => ({
            loan_id: loan.id,
            idx,
            role: p.role,
            name: p.name,
            share: p.share,
            bore_fen: toFen(p.bore),
            recovered_fen: toFen(p.recovered),
            net_loss_fen: toFen(p.netLoss),
          })),
        )
        .execute();
      const after = await tx
        .updateTable('programmes')
        .set((eb) => ({
          compensated_fen: eb('compensated_fen', '+', paidFen),
          quota_used_fen: eb('quota_used_fen', '-', Number(loan.amount_fen)),
          defaults: eb('defaults', '+', 1),
          updated_at: createdAt,
        }))
        .where('agreement_id', '=', loan.agreement_id)
        .returningAll()
        .executeTakeFirstOrThrow();
      await this.emit(tx, [
        {
          bankId: loan.bank_id,
          type: 'loan.defaulted',
          subjectId: loan.id,
          version: stored.version,
          data: { loan: stored, flow },
        },
      ]);
      return { loan: stored, flow, programme: toProgramme(loan.agreement_id, after), createdAt };
    });
  }

  async getDefault(loanId: string): Promise<RecordedDefault | null> {
    const d = await this.db
      .selectFrom('defaults')
      .selectAll()
      .where('loan_id', '=', loanId)
      .executeTakeFirst();
    if (d === undefined) return null;
    const loan = await this.getLoan(loanId);
    if (loan === null) return null;
    return {
      loan,
      flow: JSON.parse(d.flow_json),
      programme: await this.getProgramme(d.agreement_id),
      createdAt: d.created_at,
    };
  }

  async getProgramme(agreementId: string): Promise<ProgrammeTotals> {
    const r = await this.db
      .selectFrom('programmes')
      .selectAll()
      .where('agreement_id', '=', agreementId)
      .executeTakeFirst();
    return toProgramme(agreementId, r);
  }

  async listProgrammes(): Promise<ProgrammeTotals[]> {
    const rows = await this.db.selectFrom('programmes').selectAll().orderBy('agreement_id').execute();
    return rows.map((r) => toProgramme(r.agreement_id, r));
  }

  // -------------------------------------------------------------------------------------------------------
  // API keys

  async createApiKey(k: NewApiKey): Promise<CreatedApiKey> {
    return this.insertKey(this.db, k);
  }

  private async insertKey(db: Db | Tx, k: NewApiKey): Promise<CreatedApiKey> {
    if (!KEY_ROLES.includes(k.role)) throw badInput('role', KEY_ROLES.join(' | '), k.role);
    if (k.role === 'bank' && (k.bankId === undefined || k.bankId.length === 0))
      throw badInput('bankId', 'a bank id for a bank key', k.bankId ?? null);
    if (k.role !== 'bank' && k.bankId !== undefined)
      throw badInput('bankId', `nothing for a ${k.role} key (only bank keys are scoped to a bank)`, k.bankId);
    const { key, id, secretHash } = generateApiKey();
    const row: ApiKeyTable = {
      id,
      secret_hash: secretHash,
      role: k.role,
      bank_id: k.bankId ?? null,
      name: k.name ?? null,
      created_at: this.now(),
      revoked_at: null,
    };
    await db.insertInto('api_keys').values(row).execute();
    return { key, record: toKey(row) };
  }

  async listApiKeys(): Promise<ApiKeyRecord[]> {
    const rows = await this.db
      .selectFrom('api_keys')
      .selectAll()
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toKey);
  }

  async revokeApiKey(id: string): Promise<ApiKeyRecord> {
    for (const [k, v] of this.keyCache) if (v.record.id === id) this.keyCache.delete(k);
    await this.db
      .updateTable('api_keys')
      .set({ revoked_at: this.now() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .execute();
    const r = await this.db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
    if (r === undefined) throw notFound('API key', id);
    return toKey(r);
  }

  async authenticate(presented: string): Promise<ApiKeyRecord | null> {
    const parsed = parseApiKey(presented);
    if (parsed === null) return null;
    // A key that authenticated within keyCacheMs is trusted without a read: a revocation through this store
    // drops it at once; one by another process (the CLI, another API process) takes effect within keyCacheMs.
    const now = this.clock.now().getTime();
    const cacheKey = this.keyCacheMs > 0 ? sha256(presented) : '';
    const hit = this.keyCacheMs > 0 ? this.keyCache.get(cacheKey) : undefined;
    if (hit !== undefined && now < hit.until) return hit.record;
    const r = await this.db.selectFrom('api_keys').selectAll().where('id', '=', parsed.id).executeTakeFirst();
    if (r === undefined || !secretMatches(parsed.secret, r.secret_hash) || r.revoked_at !== null) {
      this.keyCache.delete(cacheKey);
      return null;
    }
    const record = toKey(r);
    if (this.keyCacheMs > 0) {
      if (this.keyCache.size >= KEY_CACHE_MAX) this.keyCache.clear();
      this.keyCache.set(cacheKey, { record, until: now + this.keyCacheMs });
    }
    return record;
  }

  async createFirstAdminKey(): Promise<CreatedApiKey | null> {
    return this.db.transaction().execute(async (tx) => {
      // A sentinel row decides which of several starting processes makes the key (the insert of the others
      // waits for the winner's commit, then does nothing).
      const won = await tx
        .insertInto('store_meta')
        .values({ key: 'first_admin_key', value: this.now() })
        .onConflict((oc) => oc.column('key').doNothing())
        .executeTakeFirst();
      if (Number(won.numInsertedOrUpdatedRows ?? 0) === 0) return null;
      const { n } = await tx
        .selectFrom('api_keys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      if (Number(n) > 0) return null;
      return this.insertKey(tx, { role: 'admin', name: 'first admin key' });
    });
  }

  // -------------------------------------------------------------------------------------------------------
  // Webhook endpoints and the outbox

  async setWebhookEndpoint(e: { bankId: string; url: string; secret?: string }): Promise<WebhookEndpoint> {
    let url: URL;
    try {
      url = new URL(e.url);
    } catch {
      throw badInput('url', 'an absolute http(s) URL', e.url);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw badInput('url', 'an http(s) URL', e.url);
    if (e.secret !== undefined && e.secret.length < 16)
      throw badInput('secret', 'at least 16 characters', `${e.secret.length} characters`);
    const row = {
      bank_id: e.bankId,
      url: url.toString(),
      secret: e.secret ?? `whsec_${randomBytes(32).toString('base64url')}`,
      created_at: this.now(),
    };
    await this.db
      .insertInto('webhook_endpoints')
      .values(row)
      .onConflict((oc) => oc.column('bank_id').doUpdateSet({ url: row.url, secret: row.secret }))
      .execute();
    return (await this.getWebhookEndpoint(e.bankId)) as WebhookEndpoint;
  }

  async getWebhookEndpoint(bankId: string): Promise<WebhookEndpoint | null> {
    const r = await this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('bank_id', '=', bankId)
      .executeTakeFirst();
    return r === undefined
      ? null
      : { bankId: r.bank_id, url: r.url, secret: r.secret, createdAt: r.created_at };
  }

  async removeWebhookEndpoint(bankId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('webhook_endpoints').where('bank_id', '=', bankId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async claimOutbox(opts: { limit: number; leaseMs: number }): Promise<ClaimedMessage[]> {
    const now = this.clock.now();
    const at = now.toISOString();
    const leaseUntil = new Date(now.getTime() + opts.leaseMs).toISOString();
    // One statement: pick the due rows (skipping rows another deliverer holds on PostgreSQL) and take them
    // under a lease. A deliverer that dies mid-delivery only delays its rows until the lease runs out.
    const claimed = await this.db
      .updateTable('outbox')
      .set((eb) => ({ status: 'delivering', lease_until: leaseUntil, attempts: eb('attempts', '+', 1) }))
      .where('id', 'in', (eb) =>
        eb
          .selectFrom('outbox')
          .select('id')
          .where((w) =>
            w.or([
              w.and([w('status', '=', 'pending'), w('next_attempt_at', '<=', at)]),
              w.and([w('status', '=', 'delivering'), w('lease_until', '<', at)]),
            ]),
          )
          .where('bank_id', 'in', (s) => s.selectFrom('webhook_endpoints').select('bank_id'))
          .orderBy('next_attempt_at')
          .orderBy('id')
          .limit(opts.limit)
          .$if(this.pg, (qb) => qb.forUpdate().skipLocked()),
      )
      .returningAll()
      .execute();
    if (claimed.length === 0) return [];
    const endpoints = await this.db
      .selectFrom('webhook_endpoints')
      .selectAll()
      .where('bank_id', 'in', [...new Set(claimed.map((c) => c.bank_id))])
      .execute();
    const byBank = new Map(endpoints.map((e) => [e.bank_id, e]));
    return claimed
      .sort((a, b) =>
        a.next_attempt_at < b.next_attempt_at
          ? -1
          : a.next_attempt_at > b.next_attempt_at
            ? 1
            : a.id < b.id
              ? -1
              : 1,
      )
      .flatMap((c) => {
        const e = byBank.get(c.bank_id);
        return e === undefined ? [] : [{ ...toMessage(c), url: e.url, secret: e.secret }];
      });
  }

  async completeOutbox(id: string, outcome: DeliveryOutcome): Promise<void> {
    const at = this.now();
    const set =
      outcome.kind === 'delivered'
        ? { status: 'delivered', delivered_at: at, lease_until: null, last_error: null }
        : outcome.kind === 'retry'
          ? { status: 'pending', next_attempt_at: outcome.at, lease_until: null, last_error: outcome.error }
          : { status: 'dead', lease_until: null, last_error: outcome.error };
    await this.db
      .updateTable('outbox')
      .set(set)
      .where('id', '=', id)
      .where('status', '=', 'delivering')
      .execute();
  }

  async listOutbox(filter: { bankId?: string; status?: OutboxStatus } = {}): Promise<OutboxMessage[]> {
    const rows = await this.db
      .selectFrom('outbox')
      .selectAll()
      .$if(filter.bankId !== undefined, (qb) => qb.where('bank_id', '=', filter.bankId ?? ''))
      .$if(filter.status !== undefined, (qb) => qb.where('status', '=', filter.status ?? ''))
      .orderBy('created_at')
      .orderBy('id')
      .execute();
    return rows.map(toMessage);
  }

  async outboxCounts(): Promise<OutboxCounts> {
    const rows = await this.db
      .selectFrom('outbox')
      .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
      .groupBy('status')
      .execute();
    const out: Record<OutboxStatus, number> = { pending: 0, delivering: 0, delivered: 0, dead: 0 };
    for (const r of rows) out[r.status as OutboxStatus] = Number(r.n);
    return out;
  }

  async requeueOutbox(id: string): Promise<void> {
    const r = await this.db
      .updateTable('outbox')
      .set({ status: 'pending', next_attempt_at: this.now(), attempts: 0, lease_until: null })
      .where('id', '=', id)
      .where('status', '=', 'dead')
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) === 0) {
      const exists = await this.db
        .selectFrom('outbox')
        .select('status')
        .where('id', '=', id)
        .executeTakeFirst();
      if (exists === undefined) throw notFound('outbox message', id);
      throw conflict(`outbox message ${id} is ${exists.status}; only a dead message can be requeued`);
    }
  }

  async ping(): Promise<void> {
    await this.db.selectFrom('store_meta').select('key').limit(1).execute();
  }

  close(): Promise<void> {
    return this.onClose();
  }
}
