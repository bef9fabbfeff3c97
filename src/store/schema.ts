/**
 * The tables as Kysely sees them. One schema for both dialects, so the queries are written once:
 * - times are ISO 8601 UTC text of fixed width (`Date#toISOString`), so text order is time order on both;
 * - money is whole fen in `bigint` (PostgreSQL's int8 is parsed back to a number: fen stay far below 2^53);
 * - JSON is text, kept byte for byte (an audit record must read back exactly as written; jsonb would reorder
 *   keys).
 */
export interface Database {
  assessments: AssessmentTable;
  idempotency_keys: IdempotencyTable;
  referrals: ReferralTable;
  loans: LoanTable;
  defaults: DefaultTable;
  default_parties: DefaultPartyTable;
  programmes: ProgrammeTable;
  api_keys: ApiKeyTable;
  webhook_endpoints: WebhookEndpointTable;
  outbox: OutboxTable;
  store_meta: StoreMetaTable;
  book_state: BookStateTable;
  rate_limits: RateLimitTable;
}

export interface AssessmentTable {
  id: string;
  application_id: string;
  release_id: string;
  input_digest: string;
  decision: string;
  input_json: string;
  output_json: string;
  created_at: string;
  /** The portfolio book the assessment was checked against (`BookFigures` as JSON), or null. */
  book_json: string | null;
}

/** One idempotency key: the scope it was used in, the digest of the body, and the ids it produced. */
export interface IdempotencyTable {
  key: string;
  scope: string;
  request_digest: string;
  /** JSON array of the resource ids the first request stored. */
  result_ids: string;
  created_at: string;
}

export interface ReferralTable {
  id: string;
  bank_id: string;
  assessment_id: string;
  agreement_id: string;
  borrower_id: string;
  amount_fen: number;
  status: string;
  version: number;
  payload_json: string;
  note: string | null;
  created_at: string;
  updated_at: string;
}

export interface LoanTable {
  id: string;
  referral_id: string | null;
  bank_id: string;
  agreement_id: string;
  borrower_id: string;
  assessment_id: string | null;
  amount_fen: number;
  status: string;
  funded_at: string;
  payload_json: string;
  version: number;
  /** The book version at which the loan entered the book (it is in force from then on). */
  in_version: number;
  /** The book version at which it left the book (defaulted or repaid), null while in force. */
  out_version: number | null;
}

export interface DefaultTable {
  loan_id: string;
  agreement_id: string;
  compensation_paid_fen: number;
  /** The whole `LossFlow` as JSON (the per-party rows below are its queryable part). */
  flow_json: string;
  case_json: string;
  created_at: string;
}

export interface DefaultPartyTable {
  loan_id: string;
  idx: number;
  role: string;
  name: string;
  share: number;
  bore_fen: number;
  recovered_fen: number;
  net_loss_fen: number;
}

export interface ProgrammeTable {
  agreement_id: string;
  guaranteed_fen: number;
  compensated_fen: number;
  quota_used_fen: number;
  loans: number;
  defaults: number;
  updated_at: string;
}

export interface ApiKeyTable {
  id: string;
  /** sha256 (hex) of the key's secret part; the clear key is never stored. */
  secret_hash: string;
  role: string;
  bank_id: string | null;
  name: string | null;
  created_at: string;
  revoked_at: string | null;
}

export interface WebhookEndpointTable {
  bank_id: string;
  url: string;
  secret: string;
  created_at: string;
}

export interface OutboxTable {
  id: string;
  bank_id: string;
  type: string;
  body: string;
  status: string;
  attempts: number;
  next_attempt_at: string;
  lease_until: string | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
}

/** Small facts about the database itself (e.g. that the first admin key was made). */
export interface StoreMetaTable {
  key: string;
  value: string;
}

/** One row: the version of the book of loans in force, moved by every change to it. */
export interface BookStateTable {
  id: number;
  version: number;
}

/** A fixed-window request counter per key, shared by every API process on the database. */
export interface RateLimitTable {
  key: string;
  /** Start of the current window, ms since the epoch. */
  window_start: number;
  hits: number;
}
