import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { z } from 'zod';
import { RiskError } from '../core/errors.js';
import type { KeyRole } from '../store/store.js';
import { authenticate, type Caller, callerOf } from './auth.js';
import { errorBodySchema, issuesOf, validationError } from './errors.js';

/**
 * One route, declared once: its method and path, who may call it, the zod schemas of its path, query and
 * body, its answers, and its handler. `mountRoutes` turns the table into express routes (auth, body parser,
 * validation, handler) and `registerRoutes` into /openapi.json paths — so what validates and what is
 * documented are the same schemas.
 */

/** What a handler receives: the validated parts, the caller (null on public routes) and the raw request. */
export interface RouteContext<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  readonly caller: Caller | null;
  readonly req: Request;
  readonly res: Response;
}

/** A handler's answer: a status (default 200), a JSON body (or its text, sent as is), extra headers. */
export type Reply = {
  readonly status?: number;
  readonly headers?: Readonly<Record<string, string>>;
} & ({ readonly body: unknown } | { readonly json: string });

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

/** One route of the table. */
export interface RouteSpec<
  P extends Schema | undefined = Schema | undefined,
  Q extends Schema | undefined = Schema | undefined,
  B extends Schema | undefined = Schema | undefined,
> {
  readonly method: 'get' | 'post';
  /** OpenAPI style: `/v1/assessments/{id}`. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tag: string;
  /** The roles that may call it; `public` needs no key. */
  readonly roles: readonly KeyRole[] | 'public';
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /**
   * A faster validator of the same body schema (its `z.compile`), used instead of `body` on the request path;
   * it accepts, rejects and words its issues exactly as `body`, which stays the documented schema.
   */
  readonly bodyValidator?: Schema;
  /** Rewrites the parsed JSON before validation (e.g. normalising loose application input). */
  readonly prepareBody?: (body: unknown) => unknown;
  /** The JSON body limit (express `limit`), default `1mb`. */
  readonly bodyLimit?: string;
  /** Documented request headers (e.g. Idempotency-Key). */
  readonly headers?: Schema;
  readonly responses: Readonly<Record<number, { description: string; schema?: Schema }>>;
  readonly handler: (ctx: RouteContext<Out<P>, Out<Q>, Out<B>>) => Promise<Reply> | Reply;
}

/** Declares a route with its types inferred from its schemas. */
export function route<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
>(spec: RouteSpec<P, Q, B>): RouteSpec {
  return spec as unknown as RouteSpec;
}

/** `{id}` → `:id`. */
const expressPath = (p: string) => p.replace(/\{(\w+)\}/g, ':$1');

function parsePart(schema: Schema | undefined, value: unknown, where: string): unknown {
  if (schema === undefined) return undefined;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw validationError(where, issuesOf(r.error, value, [where]));
}

/** Hooks the app wraps every route with (metrics, rate limit, content type). */
export interface MountHooks {
  /** Runs after authentication, before the body is read (the per-key rate limit). */
  readonly afterAuth: RequestHandler;
  /** Called with the route template for the latency metric. */
  readonly onRoute: (res: Response, template: string) => void;
}

/** Mounts the table on a router: auth → rate limit → JSON body (its limit) → validation → handler. */
export function mountRoutes(
  router: Router,
  routes: readonly RouteSpec[],
  store: Parameters<typeof authenticate>[0],
  hooks: MountHooks,
): void {
  for (const spec of routes) {
    const chain: RequestHandler[] = [];
    chain.push((_req, res, next) => {
      hooks.onRoute(res, spec.path);
      next();
    });
    if (spec.roles !== 'public') {
      const roles = spec.roles;
      chain.push(async (req, _res, next) => {
        await authenticate(store, req, roles);
        next();
      });
      chain.push(hooks.afterAuth);
    }
    if (spec.body !== undefined) {
      chain.push((req, _res, next) => {
        // A body route takes JSON only; an empty body falls through to validation ("expected object").
        const hasBody =
          (req.headers['content-length'] ?? '0') !== '0' || req.headers['transfer-encoding'] !== undefined;
        if (hasBody && !req.is('application/json'))
          throw new RiskError(
            'E_API_MEDIA_TYPE',
            `the body must be application/json, received ${JSON.stringify(req.headers['content-type'] ?? 'no content type')}`,
          );
        next();
      });
      chain.push(express.json({ limit: spec.bodyLimit ?? '1mb', strict: false }));
    }
    chain.push(async (req, res) => {
      const params = parsePart(spec.params, req.params, 'path');
      const query = parsePart(spec.query, req.query, 'query');
      const raw = spec.prepareBody === undefined ? req.body : spec.prepareBody(req.body);
      const body = parsePart(spec.bodyValidator ?? spec.body, raw, 'body');
      const caller = spec.roles === 'public' ? null : callerOf(req);
      const reply = await spec.handler({ params, query, body, caller, req, res } as never);
      if (reply.headers !== undefined)
        for (const [k, v] of Object.entries(reply.headers)) res.setHeader(k, v);
      res.status(reply.status ?? 200);
      if ('json' in reply) res.type('application/json').send(reply.json);
      else res.json(reply.body);
    });
    router[spec.method](expressPath(spec.path), ...chain);
  }
}

const ERROR_RESPONSES: Record<number, string> = {
  400: 'Malformed input: every bad field is listed in `issues` (path, code, message, received)',
  401: 'No API key, or an unknown or revoked one',
  403: "The key's role or bank may not use this route or record",
  413: 'The body is larger than the limit',
  429: 'Too many requests with this key (see Retry-After)',
};

/** Registers the table's paths in the OpenAPI registry (with the bearer scheme and the error answers). */
export function registerRoutes(registry: OpenAPIRegistry, routes: readonly RouteSpec[]): void {
  const bearer = registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key from `rongdan keys create` (or the first admin key `npm start` prints)',
  });
  for (const spec of routes) {
    const responses: Record<string, ResponseConfig> = {};
    for (const [status, r] of Object.entries(spec.responses))
      responses[status] =
        r.schema === undefined
          ? { description: r.description }
          : { description: r.description, content: { 'application/json': { schema: r.schema } } };
    const errors = [400, ...(spec.roles === 'public' ? [] : [401, 403, 429]), ...(spec.body ? [413] : [])];
    for (const s of errors)
      responses[String(s)] ??= {
        description: ERROR_RESPONSES[s] ?? 'Error',
        content: { 'application/json': { schema: errorBodySchema } },
      };
    registry.registerPath({
      method: spec.method,
      path: spec.path,
      summary: spec.summary,
      ...(spec.description !== undefined ? { description: spec.description } : {}),
      tags: [spec.tag],
      ...(spec.roles === 'public' ? {} : { security: [{ [bearer.name]: [] }] }),
      request: {
        ...(spec.params !== undefined ? { params: spec.params as never } : {}),
        ...(spec.query !== undefined ? { query: spec.query as never } : {}),
        ...(spec.headers !== undefined ? { headers: spec.headers as never } : {}),
        ...(spec.body !== undefined
          ? { body: { required: true, content: { 'application/json': { schema: spec.body } } } }
          : {}),
      },
      responses,
    });
  }
}
