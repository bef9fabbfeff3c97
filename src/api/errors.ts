import type { ErrorRequestHandler, RequestHandler } from 'express';
import { z } from 'zod';
import { ERROR_CODES, type ErrorCode, RiskError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/**
 * The API's one error shape and its central handler (hono's `HTTPException` + one `onError`): every failure
 * leaves the service as `{ error: { code, status, message, requestId, issues? } }` with a stable code from
 * the RiskError registry, so a client branches on `code`, never on a message.
 */

/** One bad field of a request: where, zod's code, a message, and what was received (briefly). */
export const apiIssueSchema = z
  .object({
    path: z.array(z.union([z.string(), z.number()])),
    code: z.string(),
    message: z.string(),
    received: z.unknown().optional(),
  })
  .strict();
/** One bad field (see `apiIssueSchema`). */
export type ApiIssue = z.infer<typeof apiIssueSchema>;

/** The body of every error answer. */
export const errorBodySchema = z
  .object({
    error: z
      .object({
        code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]),
        status: z.number().int(),
        message: z.string(),
        requestId: z.string().optional(),
        issues: z.array(apiIssueSchema).optional(),
      })
      .strict(),
  })
  .strict()
  .meta({ id: 'Error' });
/** The body of every error answer (see `errorBodySchema`). */
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** A short, JSON-safe picture of a received value (strings cut, objects named, never the whole body). */
function brief(value: unknown): unknown {
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (typeof value === 'string') return value.length > 60 ? `${value.slice(0, 57)}...` : value;
  if (Array.isArray(value)) return `array(${value.length})`;
  return typeof value;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/**
 * Every zod issue as an API issue, with the value found at its path in the input. An unknown key is
 * reported at the key itself (zod puts it on the parent), so each bad field has its own line.
 */
export function issuesOf(error: z.ZodError, input: unknown, prefix: readonly string[] = []): ApiIssue[] {
  const out: ApiIssue[] = [];
  for (const i of error.issues) {
    const path = i.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
    if (i.code === 'unrecognized_keys') {
      for (const k of i.keys)
        out.push({
          path: [...prefix, ...path, k],
          code: i.code,
          message: `unknown field ${JSON.stringify(k)}`,
          received: brief(valueAt(input, [...i.path, k])),
        });
      continue;
    }
    const received = brief(valueAt(input, i.path));
    out.push({
      path: [...prefix, ...path],
      code: i.code,
      message: i.message,
      ...(received !== undefined ? { received } : {}),
    });
  }
  return out;
}

/** A validation failure as a RiskError carrying every issue. */
export function validationError(where: string, issues: ApiIssue[]): RiskError {
  const head = issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`)
    .join('; ');
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more)` : '';
  return new RiskError('E_API_VALIDATION', `invalid ${where}: ${head}${more}`, { issues });
}

/** The error body for a code; `issues` when the details carry them. */
export function errorBody(err: RiskError, requestId?: string): ErrorBody {
  const issues = err.details.issues as ApiIssue[] | undefined;
  return {
    error: {
      code: err.code,
      status: err.status,
      message: err.message,
      ...(requestId !== undefined ? { requestId } : {}),
      ...(issues !== undefined && issues.length > 0 ? { issues } : {}),
    },
  };
}

/** Errors body-parser raises (JSON syntax, size, charset), mapped to our codes. */
function fromParser(err: { type?: unknown; status?: unknown; message?: unknown }): RiskError | null {
  switch (err.type) {
    case 'entity.parse.failed':
      return new RiskError('E_API_JSON', `the body is not valid JSON: ${String(err.message)}`);
    case 'entity.too.large':
      return new RiskError('E_API_TOO_LARGE', `the body is larger than the limit: ${String(err.message)}`);
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new RiskError('E_API_MEDIA_TYPE', String(err.message));
    default:
      if (typeof err.status === 'number' && err.status >= 400 && err.status < 500)
        return new RiskError('E_API_VALIDATION', `bad request: ${String(err.message)}`);
      return null;
  }
}

/** The RiskError an unknown thrown value becomes. A 5xx code is kept only for real failures (logged). */
export function toRiskError(err: unknown): RiskError {
  if (err instanceof RiskError) return err;
  if (err !== null && typeof err === 'object') {
    const mapped = fromParser(err as { type?: unknown; status?: unknown; message?: unknown });
    if (mapped !== null) return mapped;
  }
  return new RiskError(
    'E_API_INTERNAL',
    'an unexpected error occurred; it has been logged',
    {},
    { cause: err },
  );
}

/** The request id pino-http set (or none). */
export function requestIdOf(req: { id?: unknown }): string | undefined {
  return typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id) : undefined;
}

/**
 * The central error handler: one JSON shape for every error, 5xx logged with the cause, never a stack to
 * the client. Express calls it for thrown and rejected handlers alike (express 5).
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const e = toRiskError(err);
    const id = requestIdOf(req as { id?: unknown });
    if (e.status >= 500)
      logger.error(
        {
          err: e.cause instanceof Error ? { message: e.cause.message, stack: e.cause.stack } : String(err),
          requestId: id,
          code: e.code,
        },
        'request failed',
      );
    if (res.headersSent) return;
    if (e.code === 'E_API_RATE_LIMITED' && typeof e.details.retryAfter === 'number')
      res.setHeader('Retry-After', String(e.details.retryAfter));
    res.status(e.status).json(errorBody(e, id));
  };
}

/** The last route: anything unmatched is a 404 in the one shape. */
export const notFound: RequestHandler = (req, _res, next) => {
  next(new RiskError('E_API_NOT_FOUND', `no route ${req.method} ${req.path}`));
};
