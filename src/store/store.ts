import type { Assessment } from '../decisions/assessment.js';
import type { Agreement } from '../ingest/partners.js';
import type { LossCase, LossFlow } from '../matching/loss.js';
import type { Referral } from '../matching/referrals.js';

/**
 * The persistence contract of the service, written once over Kysely and run on two dialects (SQLite, the
 * embedded default, and PostgreSQL when several API processes share one database). Every write that must be
 * all-or-nothing is one transaction; every status change is a conditional update (so concurrent callers
 * cannot both win); every event a bank must hear about is written to the outbox in the same transaction as
 * the change it announces. Money in yuan at the interface, kept in whole fen in the database.
 */

/** The largest batch `saveAssessments` takes in one transaction (issue 9: ≤ 1,000 applications). */
export const MAX_BATCH = 1000;

/** The database behind a store. */
export type StoreDialect = 'sqlite' | 'postgres';

// ---------------------------------------------------------------------------------------------------------
// Assessments (audit and replay)

/**
 * The portfolio book an assessment was checked against: the store's book version (the loans in force at it
 * can be read back with `loansInBook`) and the figures the checks saw, yuan.
 */
export interface BookFigures {
  readonly version: number;
  /** Loans in force on the book. */
  readonly loans: number;
  readonly grossBalance: number;
  readonly weightedLiability: number;
  /** The borrower's own counted balance on the book, and its related group's. */
  readonly clientBalance: number;
  readonly groupBalance: number;
}

/** What the API hands over to store one assessment: the validated input and the engine's answer. */
export interface NewAssessment {
  /** The validated application as assessed (stored verbatim as JSON, for replay). */
  readonly input: unknown;
  readonly assessment: Assessment;
  /** The book it was checked against, when it was (stored with it, so a replay can rebuild that book). */
  readonly book?: BookFigures;
}

/** One stored assessment: the audit record (release, input digest, input, output) and when it was stored. */
export interface StoredAssessment {
  readonly id: string;
  readonly applicationId: string;
  readonly releaseId: string;
  readonly inputDigest: string;
  readonly decision: Assessment['decision'];
  readonly input: unknown;
  readonly output: Assessment;
  /** ISO 8601, from the store's clock. */
  readonly createdAt: string;
  /** The book it was checked against, or null (stored before the live book, or checked against none). */
  readonly book: BookFigures | null;
  /** The output exactly as stored (JSON text), so an answer can send the same bytes. */
  readonly outputJson: string;
}

/** The answer of a save: the stored rows, in the order given, and whether an idempotent retry returned them. */
export interface SavedAssessments {
  readonly rows: readonly StoredAssessment[];
  /** True when the idempotency key had been seen with the same body: nothing new was written. */
  readonly replayed: boolean;
}

/** Options of a save. */
export interface SaveOptions {
  /**
   * A retry with the same key returns the rows first stored under it; the same key with another body is
   * `E_STORE_CONFLICT` (409). Keys are scoped: a single save and a batch save never share one.
   */
  readonly idempotencyKey?: string;
}

// ---------------------------------------------------------------------------------------------------------
// Referrals, loans, defaults, programmes

/** A referral's life: new → accepted | declined; accepted → funded; funded → defaulted | repaid. */
export const REFERRAL_STATUSES = ['new', 'accepted', 'declined', 'funded', 'defaulted', 'repaid'] as const;
/** One of the values above. */
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** The states each status may move to; any other move is `E_STORE_CONFLICT`. */
export const REFERRAL_TRANSITIONS: Readonly<Record<ReferralStatus, readonly ReferralStatus[]>> = {
  new: ['accepted', 'declined'],
  accepted: ['funded'],
  declined: [],
  funded: ['defaulted', 'repaid'],
  defaulted: [],
  repaid: [],
};

/** One stored referral: the matching engine's `Referral` plus its id, status and version. */
export interface StoredReferral {
  /** Deterministic from (assessment, bank, agreement): storing the same match twice is a no-op. */
  readonly id: string;
  readonly bankId: string;
  readonly assessmentId: string;
  readonly agreementId: string;
  readonly borrowerId: string;
  /** Yuan. */
  readonly amount: number;
  readonly status: ReferralStatus;
  /** Starts at 1; every status change adds 1 (optimistic concurrency for callers that want it). */
  readonly version: number;
  readonly referral: Referral;
  /** The bank's note with its last decision (decline reason …), or null. */
  readonly note: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** A stored referral as its bank sees it (see `referralForBank`). */
export interface BankReferral extends Omit<StoredReferral, 'referral'> {
  readonly referral: Omit<Referral, 'alternatives' | 'value' | 'guarantorNetValue'>;
}

/** A page of a bank's referrals and the opaque cursor of the next page (null at the end). */
export interface ReferralPage {
  readonly items: readonly StoredReferral[];
  readonly nextCursor: string | null;
}

/** A bank's inbox query: oldest first, in a stable order (created at, then id). */
export interface ReferralQuery {
  readonly bankId: string;
  readonly status?: ReferralStatus | readonly ReferralStatus[];
  /** From a previous page's `nextCursor`; a malformed one is `E_STORE_INPUT`. */
  readonly cursor?: string | null;
  /** 1 to 500, default 50. */
  readonly limit?: number;
}

/** A status change asked for by a bank (accept, decline) or by the service. */
export interface ReferralTransition {
  readonly id: string;
  readonly to: 'accepted' | 'declined';
  /** When given, the referral must belong to this bank (else `E_STORE_FORBIDDEN`). */
  readonly bankId?: string;
  /** When given, the referral must still be at this version (else `E_STORE_CONFLICT`). */
  readonly expectedVersion?: number;
  readonly note?: string;
}

/** A loan the guarantee stands behind: a funded referral, or a direct guarantee of a batch programme. */
export interface StoredLoan {
  readonly id: string;
  readonly referralId: string | null;
  readonly bankId: string;
  readonly agreementId: string;
  readonly borrowerId: string;
  readonly assessmentId: string | null;
  /** Guaranteed principal in yuan. */
  readonly amount: number;
  readonly status: 'active' | 'defaulted' | 'repaid';
  readonly fundedAt: string;
  /** What the bank sent with it (its loan reference, rate, tenor …). */
  readonly payload: unknown;
  readonly version: number;
}

/** Funding of an accepted referral. */
export interface FundReferral {
  readonly id: string;
  readonly bankId?: string;
  /** Yuan; defaults to the referral's amount; never above it. */
  readonly amount?: number;
  readonly payload?: unknown;
}

/** A bank's loan guaranteed at once under a batch (见贷即保) programme. */
export interface DirectGuarantee {
  readonly agreementId: string;
  readonly bankId: string;
  /** The bank's own loan reference: the same reference twice returns the first answer (idempotent). */
  readonly loanRef: string;
  readonly borrowerId: string;
  readonly assessmentId?: string;
  readonly amount: number;
  readonly payload?: unknown;
  /**
   * Runs inside the transaction, on the programme's totals locked for update, so two guarantees cannot both
   * take the last room under a cap. `bankInForce` is this bank's principal in force under this programme
   * (yuan, read under the same lock), so a quota check compares like with like. Returns null to admit, or the
   * reason to refuse (stored nowhere).
   */
  readonly admit: (programme: ProgrammeTotals, bankInForce: number) => Refusal | null;
}

/** Why a direct guarantee was refused (bilingual, with a stable code). */
export interface Refusal {
  readonly code: string;
  readonly zh: string;
  readonly en: string;
}

/** The answer of a direct guarantee. */
export type GuaranteeResult =
  | {
      readonly ok: true;
      readonly loan: StoredLoan;
      readonly programme: ProgrammeTotals;
      readonly replayed: boolean;
    }
  | { readonly ok: false; readonly refusal: Refusal; readonly programme: ProgrammeTotals };

/** A default reported on a loan; the principal and programme totals come from the store. */
export interface ReportDefault {
  readonly loanId: string;
  readonly bankId?: string;
  /** The agreement the loan is under (the API reads it from the shipped data); its id must match. */
  readonly agreement: Agreement;
  readonly loss: Omit<LossCase, 'principal' | 'guaranteedToDate' | 'compensatedToDate'>;
}

/** What a recorded default gives back: the loss flow (per party) and the programme after it. */
export interface RecordedDefault {
  readonly loan: StoredLoan;
  readonly flow: LossFlow;
  readonly programme: ProgrammeTotals;
  readonly createdAt: string;
}

/** A programme's running totals (one agreement), yuan. Zero for an agreement with no business yet. */
export interface ProgrammeTotals {
  readonly agreementId: string;
  /** Cumulative principal guaranteed (the compensation rate's denominator, domain.md §2.2). */
  readonly guaranteedToDate: number;
  /** Cumulative compensation paid (the numerator). */
  readonly compensatedToDate: number;
  /** Principal of the loans still in force (funded, neither defaulted nor repaid): the quota in use. */
  readonly quotaUsed: number;
  readonly loans: number;
  readonly defaults: number;
  readonly updatedAt: string | null;
}

// ---------------------------------------------------------------------------------------------------------
// API keys

/** Who a key speaks for. */
export const KEY_ROLES = ['admin', 'risk', 'bank'] as const;
/** One of the values above. */
export type KeyRole = (typeof KEY_ROLES)[number];

/** A stored API key as anyone may see it: never the secret, never its hash. */
export interface ApiKeyRecord {
  /** The public part of the key (`rdk_<id>_…`), safe to log. */
  readonly id: string;
  readonly role: KeyRole;
  readonly bankId: string | null;
  readonly name: string | null;
  readonly createdAt: string;
  readonly revokedAt: string | null;
}

/** A key just made: the clear key is in this answer only, once. */
export interface CreatedApiKey {
  readonly key: string;
  readonly record: ApiKeyRecord;
}

/** What a new key is for. */
export interface NewApiKey {
  readonly role: KeyRole;
  /** Required for, and only for, a bank key. */
  readonly bankId?: string;
  readonly name?: string;
}

// ---------------------------------------------------------------------------------------------------------
// Webhooks and the outbox

/** Where a bank wants its events, and the secret its signatures are made with. */
export interface WebhookEndpoint {
  readonly bankId: string;
  readonly url: string;
  /** The HMAC secret (kept in clear: the signer needs it; it is not a credential to this API). */
  readonly secret: string;
  readonly createdAt: string;
}

/** Events a bank hears about. */
export const EVENT_TYPES = [
  'referral.created',
  'referral.accepted',
  'referral.declined',
  'referral.funded',
  'loan.guaranteed',
  'loan.defaulted',
  'loan.repaid',
] as const;
/** One of the values above. */
export type EventType = (typeof EVENT_TYPES)[number];

/** Outbox row states: pending (due at `nextAttemptAt`), delivering (claimed under a lease), delivered, dead. */
export type OutboxStatus = 'pending' | 'delivering' | 'delivered' | 'dead';

/** One webhook to deliver: an event for one bank, with its delivery state. */
export interface OutboxMessage {
  /** The event id, sent as a header so a receiver can drop a repeat (delivery is at least once). */
  readonly id: string;
  readonly bankId: string;
  readonly type: EventType;
  /** The exact body to POST (JSON text), fixed when the event was written. */
  readonly body: string;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly deliveredAt: string | null;
}

/** A claimed message with where to send it. */
export interface ClaimedMessage extends OutboxMessage {
  readonly url: string;
  readonly secret: string;
}

/** The outcome of one delivery attempt, reported back by the deliverer. */
export type DeliveryOutcome =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly at: string; readonly error: string }
  | { readonly kind: 'dead'; readonly error: string };

/** Counts of outbox rows by state. */
export type OutboxCounts = Readonly<Record<OutboxStatus, number>>;

// ---------------------------------------------------------------------------------------------------------

/**
 * The store. Obtain one with `openStore` (src/store/open.ts); close it with `close()`.
 * Errors: `E_STORE_CONFLICT` (409), `E_STORE_NOT_FOUND` (404), `E_STORE_FORBIDDEN` (403), `E_STORE_INPUT` (400).
 */
export interface Store {
  readonly dialect: StoreDialect;

  /** Stores one assessment (idempotent by id and by key). */
  saveAssessment(item: NewAssessment, options?: SaveOptions): Promise<SavedAssessments>;
  /** Stores up to `MAX_BATCH` assessments in one transaction: all or nothing. */
  saveAssessments(items: readonly NewAssessment[], options?: SaveOptions): Promise<SavedAssessments>;
  getAssessment(id: string): Promise<StoredAssessment | null>;
  /** The stored assessments among `ids`, in the order of `ids` (unknown ids are left out). */
  getAssessments(ids: readonly string[]): Promise<StoredAssessment[]>;

  /** Stores referrals (idempotent by id) and writes a `referral.created` event for each new one. */
  createReferrals(referrals: readonly Referral[]): Promise<StoredReferral[]>;
  getReferral(id: string): Promise<StoredReferral | null>;
  listReferrals(query: ReferralQuery): Promise<ReferralPage>;
  /** Accept or decline: a conditional update, so of concurrent accepts exactly one wins. */
  transitionReferral(t: ReferralTransition): Promise<StoredReferral>;
  /** Accepted → funded: makes the loan and adds it to the programme's totals, in one transaction. */
  fundReferral(f: FundReferral): Promise<{ referral: StoredReferral; loan: StoredLoan }>;
  /** A batch programme's direct guarantee (见贷即保), admitted under the programme's lock. */
  guaranteeLoan(g: DirectGuarantee): Promise<GuaranteeResult>;
  getLoan(id: string): Promise<StoredLoan | null>;
  listLoans(filter?: {
    bankId?: string;
    agreementId?: string;
    status?: StoredLoan['status'];
  }): Promise<StoredLoan[]>;
  /** An active loan repaid in full: frees its quota (the guarantee balance) and closes its referral. */
  repayLoan(r: {
    loanId: string;
    bankId?: string;
  }): Promise<{ loan: StoredLoan; programme: ProgrammeTotals }>;
  /** Runs the loss flow on the programme's totals and stores it per party, in one transaction. */
  recordDefault(d: ReportDefault): Promise<RecordedDefault>;
  getDefault(loanId: string): Promise<RecordedDefault | null>;
  getProgramme(agreementId: string): Promise<ProgrammeTotals>;
  listProgrammes(): Promise<ProgrammeTotals[]>;

  /** The version of the book of loans in force: every funding, direct guarantee, repayment and default moves it. */
  bookVersion(): Promise<number>;
  /** The loans in force at a book version (in force from their version in, until their version out). */
  loansInBook(version: number): Promise<StoredLoan[]>;

  /**
   * Counts one request of `key` in its fixed window of `windowMs` (a window starts at its first request, on
   * the store's clock), in one statement, so every API process on the database shares the count.
   */
  hitRateLimit(key: string, windowMs: number): Promise<{ hits: number; resetAt: Date }>;
  /** Takes one request back from the key's current window (express-rate-limit's skipped requests). */
  unhitRateLimit(key: string): Promise<void>;
  /** Forgets the key's window. */
  resetRateLimit(key: string): Promise<void>;

  /** Makes a key; the clear key is returned once and never stored. */
  createApiKey(k: NewApiKey): Promise<CreatedApiKey>;
  listApiKeys(): Promise<ApiKeyRecord[]>;
  /** Revokes a key (idempotent); `E_STORE_NOT_FOUND` for an unknown id. */
  revokeApiKey(id: string): Promise<ApiKeyRecord>;
  /** The live key a presented key belongs to, or null (unknown, revoked, malformed). Constant-time compare. */
  authenticate(presented: string): Promise<ApiKeyRecord | null>;
  /**
   * Makes an admin key when no key exists yet (safe when several processes start at once: one makes it).
   * Returns the created key, or null when keys already exist.
   */
  createFirstAdminKey(): Promise<CreatedApiKey | null>;

  /** Sets (or replaces) a bank's webhook endpoint; a secret is generated when none is given. */
  setWebhookEndpoint(e: { bankId: string; url: string; secret?: string }): Promise<WebhookEndpoint>;
  getWebhookEndpoint(bankId: string): Promise<WebhookEndpoint | null>;
  removeWebhookEndpoint(bankId: string): Promise<boolean>;

  /**
   * Claims up to `limit` due messages (pending and due, or delivering with an expired lease) for `leaseMs`:
   * safe with several deliverers (SKIP LOCKED on PostgreSQL, one writer at a time on SQLite).
   */
  claimOutbox(opts: { limit: number; leaseMs: number }): Promise<ClaimedMessage[]>;
  /** Records the outcome of an attempt on a claimed message. */
  completeOutbox(id: string, outcome: DeliveryOutcome): Promise<void>;
  listOutbox(filter?: { bankId?: string; status?: OutboxStatus }): Promise<OutboxMessage[]>;
  outboxCounts(): Promise<OutboxCounts>;
  /** A dead message back to pending, due now (an operator's retry). */
  requeueOutbox(id: string): Promise<void>;

  /** Cheap liveness of the database (for /readyz). */
  ping(): Promise<void>;
  close(): Promise<void>;
}
