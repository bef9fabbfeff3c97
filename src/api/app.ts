import { randomUUID } from 'node:crypto';
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import express, { type Express, type Request, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { pinoHttp } from 'pino-http';
import { RiskError } from '../core/errors.js';
import { parsePortfolioPolicy } from '../decisions/portfolio.js';
import { maybeCaller } from './auth.js';
import { LiveBook } from './book.js';
import type { AppDeps, RouteDeps } from './deps.js';
import { docsHandlers } from './docs.js';
import { errorHandler, notFound } from './errors.js';
import { createMetrics } from './metrics.js';
import { DatabaseRateLimitStore } from './rate-limit.js';
import { mountRoutes, type RouteSpec, registerRoutes } from './route.js';
import { assessmentRoutes } from './routes/assessments.js';
import { bankingRoutes } from './routes/banking.js';
import { serviceRoutes } from './routes/service.js';

/** The header the request id comes in (when the caller sets a sane one) and is echoed in. */
export const REQUEST_ID_HEADER = 'x-request-id';

const SANE_ID = /^[\w.:-]{1,100}$/;

/** Every route of the API, in one table (the express app and /openapi.json are both made from it). */
export function apiRoutes(d: RouteDeps): RouteSpec[] {
  return [...assessmentRoutes(d), ...bankingRoutes(d), ...serviceRoutes(d)];
}

/** The OpenAPI 3.1 document of the routes, generated from the zod schemas that validate them. */
export function openApiDocument(routes: readonly RouteSpec[], releaseId: string) {
  const registry = new OpenAPIRegistry();
  registerRoutes(registry, routes);
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Rongdan',
      version: '0.1.0',
      description:
        'Credit-risk scoring and bank matching for financing guarantee institutions (融担). Active release: ' +
        `${releaseId}. Every error is { error: { code, status, message, requestId, issues? } } with a stable code.`,
    },
    servers: [{ url: '/' }],
  });
}

/**
 * Builds the HTTP app from its collaborators. It never listens (tests call it in process; `server.ts`
 * listens): helmet headers, a request id echoed in `X-Request-Id`, pino-http logs, latency metrics by route
 * template, per-key rate limits, the route table, /openapi.json, /docs, /metrics, then 404 and the one
 * error handler.
 * @example const app = createApp({ store, release, clock, logger, banks, agreements, monitoring });
 */
export function createApp(deps: AppDeps): Express {
  const metrics = deps.metrics ?? createMetrics();
  const d: RouteDeps = {
    ...deps,
    metrics,
    // The release's portfolio limits when it carries them, else the module's defaults (domain.md §3).
    book: new LiveBook(
      deps.store,
      parsePortfolioPolicy(deps.release.release.policy.portfolio ?? {}),
      deps.agreements,
    ),
    options: {
      rateLimit: deps.options?.rateLimit ?? { windowMs: 60_000, limit: 6_000 },
      bodyLimit: deps.options?.bodyLimit ?? '1mb',
      batchBodyLimit: deps.options?.batchBodyLimit ?? '32mb',
      ...(deps.options?.docsScriptUrl !== undefined ? { docsScriptUrl: deps.options.docsScriptUrl } : {}),
    },
  };
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');

  app.use(
    pinoHttp({
      logger: deps.logger,
      genReqId: (req, res) => {
        const given = req.headers[REQUEST_ID_HEADER];
        const id = typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
        res.setHeader(REQUEST_ID_HEADER, id);
        return id;
      },
      // Never the headers: the Authorization header carries a key.
      serializers: {
        req: (req: { id: unknown; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          url: req.url,
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, err) =>
        err !== undefined || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    }),
  );
  app.use(helmet());
  app.use((req, res, next) => {
    const end = metrics.requestSeconds.startTimer();
    res.on('finish', () =>
      end({
        method: req.method,
        route: (res.locals.route as string | undefined) ?? '(unmatched)',
        status: res.statusCode,
      }),
    );
    next();
  });

  const limiter: RequestHandler = rateLimit({
    windowMs: d.options.rateLimit.windowMs,
    limit: d.options.rateLimit.limit,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req: Request) => `key:${maybeCaller(req)?.id ?? 'none'}`,
    // Several processes share one PostgreSQL: the count lives there (SQLite serves one process: in memory).
    ...(deps.store.dialect === 'postgres' ? { store: new DatabaseRateLimitStore(deps.store) } : {}),
    handler: (req, res, next) => {
      const reset = (req as Request & { rateLimit?: { resetTime?: Date } }).rateLimit?.resetTime;
      const retryAfter = Math.max(
        1,
        Math.ceil(((reset?.getTime() ?? Date.now() + d.options.rateLimit.windowMs) - Date.now()) / 1000),
      );
      res.setHeader('Retry-After', String(retryAfter));
      next(
        new RiskError(
          'E_API_RATE_LIMITED',
          `more than ${d.options.rateLimit.limit} requests in ${d.options.rateLimit.windowMs / 1000} s with this key; retry after ${retryAfter} s`,
          { retryAfter },
        ),
      );
    },
    validate: false,
  });

  const routes = apiRoutes(d);
  const router = express.Router();
  mountRoutes(router, routes, deps.store, {
    afterAuth: limiter,
    onRoute: (res, template) => {
      res.locals.route = template;
    },
  });
  app.use(router);

  const doc = openApiDocument(routes, deps.release.release.id);
  app.get('/openapi.json', (_req, res) => {
    res.locals.route = '/openapi.json';
    res.json(doc);
  });
  const docs = docsHandlers(doc as never, d.options.docsScriptUrl);
  app.get(
    '/docs',
    (_req, res, next) => {
      res.locals.route = '/docs';
      next();
    },
    docs.page,
  );
  if (docs.script !== null) app.get('/docs/scalar.js', docs.script);
  app.get('/metrics', async (_req, res) => {
    res.locals.route = '/metrics';
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  app.use(notFound);
  app.use(errorHandler(deps.logger));
  return app;
}
