/**
 * The registry of stable error codes. Each code has an HTTP status (for the API's error mapper) and a
 * one-line meaning; the message of a thrown error names the field, what was allowed and what was received.
 */
export const ERROR_CODES = {
  E_INPUT_INVALID: { status: 400, meaning: 'an input record failed validation' },
  E_INPUT_CREDIT_CODE: { status: 400, meaning: 'a unified social credit code failed its GB 32100 check' },
  E_CSV_PARSE: { status: 400, meaning: 'a CSV file could not be parsed' },
  E_CSV_COLUMN: { status: 400, meaning: 'a CSV file lacks a required column or has an unknown one' },
  E_CSV_VALUE: { status: 400, meaning: 'a CSV cell holds a value of the wrong type' },
  E_JSON_PARSE: { status: 400, meaning: 'a JSON document could not be parsed' },
  E_FRAME_SHAPE: { status: 400, meaning: 'frame columns differ in length or a column is missing' },
  E_FEATURE_CATALOG: { status: 500, meaning: 'the feature catalog is invalid' },
  E_FEATURE_UNKNOWN: { status: 400, meaning: 'a requested feature is not in the catalog' },
  E_SAMPLES_OPTIONS: { status: 400, meaning: 'sample generator options are invalid' },
  E_OPTIONS_INVALID: { status: 400, meaning: 'estimator or command options are invalid' },
  E_NOT_FITTED: { status: 500, meaning: 'an estimator was used before fit' },
  E_DATA_INVALID: { status: 400, meaning: 'training or scoring data is unusable' },
  E_MODEL_ARTIFACT_VERSION: { status: 500, meaning: 'an artifact has an unknown major schema version' },
  E_MODEL_ARTIFACT_CHECKSUM: { status: 500, meaning: 'an artifact checksum does not match its content' },
  E_MODEL_ARTIFACT_KIND: { status: 500, meaning: 'an artifact is of another kind than expected' },
  E_MODEL_ARTIFACT_INVALID: { status: 500, meaning: 'an artifact is malformed' },
  E_IO: { status: 500, meaning: 'a file could not be read or written' },
  E_MLP_BACKEND: { status: 500, meaning: 'the TF.js wasm backend for the MLP is not active' },
  E_GBDT_WORKER: { status: 500, meaning: 'a GBDT training helper thread failed or stopped answering' },
  // agreements, loss flows and matching (src/ingest/partners.ts, src/matching/)
  E_AGREEMENT_INVALID: { status: 400, meaning: 'a risk-sharing agreement or bank failed validation' },
  E_AGREEMENT_UNKNOWN: { status: 404, meaning: 'no agreement or bank has the requested id' },
  E_LOSS_INPUT: { status: 400, meaning: 'a loss-flow input (amounts to date, recovery) is invalid' },
  E_MATCH_INPUT: { status: 400, meaning: 'matching inputs (assessments, options) are invalid' },
  // matching optimiser (src/matching/optimiser)
  E_OPTIMISER_PROBLEM: {
    status: 400,
    meaning: 'an assignment problem is malformed (CSR arrays, capacities)',
  },
  E_OPTIMISER_TOO_LARGE: { status: 413, meaning: 'an assignment problem is too large for the exact solver' },
  E_OPTIMISER_SOLVER: { status: 500, meaning: 'the HiGHS solver or its worker thread failed' },
  // early warning (保后预警): monitoring readers, warning policy and evaluation
  E_MONITORING_ROW: { status: 400, meaning: 'a monitoring loan or snapshot row failed validation' },
  E_WARNING_POLICY: { status: 400, meaning: 'a warning policy (levels, signals, thresholds) is invalid' },
  E_WARNING_INPUT: { status: 400, meaning: 'a loan or its snapshots cannot be evaluated as given' },
  // store and webhooks (src/store/, src/api/webhooks.ts)
  E_STORE_INPUT: {
    status: 400,
    meaning: 'a store call got a malformed argument (cursor, batch, amount, role)',
  },
  E_STORE_NOT_FOUND: { status: 404, meaning: 'no stored record has the requested id' },
  E_STORE_FORBIDDEN: { status: 403, meaning: "a record belongs to another bank than the caller's" },
  E_STORE_CONFLICT: {
    status: 409,
    meaning: 'a write lost a race or broke a rule: reused idempotency key, status already changed',
  },
  E_STORE_CONFIG: { status: 500, meaning: 'the database location or connection settings are invalid' },
  E_STORE_MIGRATION: { status: 500, meaning: 'the database schema could not be brought up to date' },
  E_WEBHOOK_SIGNATURE: { status: 401, meaning: 'a webhook signature is missing, stale or does not match' },
  // HTTP service (src/api/): the stable codes of the API's one error shape
  E_API_UNAUTHENTICATED: { status: 401, meaning: 'no API key, or an unknown or revoked one, was presented' },
  E_API_FORBIDDEN: { status: 403, meaning: "the key's role or bank may not use this route or record" },
  E_API_VALIDATION: { status: 400, meaning: 'a request body, path or query failed validation' },
  E_API_JSON: { status: 400, meaning: 'a request body is not valid JSON' },
  E_API_MEDIA_TYPE: { status: 415, meaning: 'a request body is not application/json' },
  E_API_TOO_LARGE: { status: 413, meaning: 'a request body is larger than the limit' },
  E_API_NOT_FOUND: { status: 404, meaning: 'no route or record answers this path' },
  E_API_RATE_LIMITED: { status: 429, meaning: 'too many requests with this key; retry after the given time' },
  E_API_NOT_READY: { status: 503, meaning: 'the service cannot reach its database or release' },
  E_API_INTERNAL: { status: 500, meaning: 'an unexpected failure inside the service (a bug: logged)' },
  E_API_PROGRAMME_MODE: {
    status: 409,
    meaning: 'a batch (见贷即保) guarantee was sent to a joint-review programme',
  },
  // decisions: releases, assessment and replay (src/decisions/release.ts, assess.ts)
  E_RELEASE_INVALID: { status: 500, meaning: 'a release file (models, policy) failed validation' },
  E_RELEASE_ARTIFACT: { status: 500, meaning: 'a model artifact of a release is missing or has changed' },
  E_ASSESS_INPUT: { status: 400, meaning: 'an application or stored assessment cannot be assessed as given' },
  // portfolio checks and policy simulation (issue 7 parts 6, 7)
  E_PORTFOLIO_POLICY: {
    status: 400,
    meaning: 'a portfolio policy (net assets, caps, weights, ratios) is invalid',
  },
  E_PORTFOLIO_EXPOSURE: { status: 400, meaning: 'an exposure cannot be booked or checked as given' },
  E_PORTFOLIO_BOOK: { status: 400, meaning: 'the in-force book cannot be built from the monitoring data' },
  E_SIMULATE_INPUT: { status: 400, meaning: 'the assessments of a policy simulation do not pair up' },
  // ingest: column mappings (issue 10)
  E_MAPPING_INVALID: { status: 400, meaning: 'a column mapping file or preset failed validation' },
  E_MAPPING_COLUMN: {
    status: 400,
    meaning: 'a mapping names an input file, sheet or column that is not there',
  },
  // Model developer's bins files (issue 11 part 1: `rongdan bins export`, `train --bins`).
  E_BINS_INVALID: {
    status: 400,
    meaning: 'a bins file (user cuts, category groups, special values) is malformed or does not fit the data',
  },
  // model CLI: data and options checks shared by evaluate, predict, compare, train, report (issue 11 part 9)
  E_CLI_NO_ROWS: { status: 400, meaning: 'a data file has a header but no data rows' },
  E_CLI_DATE_COLUMN: { status: 400, meaning: 'the column named by --date does not hold dates' },
  E_CLI_PARAM: { status: 400, meaning: 'a --param is not of the form the command expects' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** Where a bad value sits: a path inside a record, and optionally the file, row and column it came from. */
export interface ErrorDetails {
  readonly path?: readonly (string | number)[];
  readonly file?: string;
  readonly row?: number;
  readonly column?: string;
  readonly expected?: string;
  readonly received?: unknown;
  readonly issues?: readonly Issue[];
  readonly [key: string]: unknown;
}

/** One validation problem, as data (zod's shape): where, what was expected, and the message. */
export interface Issue {
  readonly path: readonly (string | number)[];
  readonly message: string;
  readonly code?: string;
}

/**
 * The one error class of the engine: a stable code, a message naming the field, and details as data.
 * @example throw new RiskError('E_OPTIONS_INVALID', 'maxBins must be an integer in [2, 100], received 0');
 */
export class RiskError extends Error {
  readonly code: ErrorCode;
  readonly details: ErrorDetails;
  readonly status: number;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'RiskError';
    this.code = code;
    this.details = details;
    this.status = ERROR_CODES[code].status;
  }
}

/** Describes a received value briefly for an error message. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value;
}

/** Formats a path such as ['tax', 3, 'revenue'] as `tax[3].revenue`. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out === '' ? '(root)' : out;
}

/**
 * A file-system failure as E_IO naming the path: `cannot write out.xlsx: EACCES …`, the original error kept
 * as the cause. The one wording for every read and write of a file.
 * @example try { writeFileSync(path, text); } catch (err) { throw ioError('write', path, err); }
 */
export function ioError(verb: 'read' | 'write' | 'create', path: string, err: unknown): RiskError {
  return new RiskError(
    'E_IO',
    `cannot ${verb} ${path}: ${(err as Error).message}`,
    { file: path },
    { cause: err },
  );
}
