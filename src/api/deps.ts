import type { Logger as PinoLogger } from 'pino';
import type { Clock } from '../core/clock.js';
import type { LoadedRelease } from '../decisions/release.js';
import type { WarningPolicy } from '../decisions/warning-policy.js';
import type { Agreement, Bank } from '../ingest/partners.js';
import type { TrainedModel } from '../models/model.js';
import type { Store } from '../store/store.js';
import type { LiveBook } from './book.js';
import type { ApiMetrics } from './metrics.js';

/** Settings of the app (all have defaults). */
export interface AppOptions {
  /** Requests per key per window (express-rate-limit, in this process). Default 6,000 a minute. */
  readonly rateLimit?: { readonly windowMs: number; readonly limit: number };
  /** The JSON body limit of single-record routes. Default `1mb`. */
  readonly bodyLimit?: string;
  /** The JSON body limit of batch routes (≤ 1,000 records). Default `32mb`. */
  readonly batchBodyLimit?: string;
  /** Where /docs loads the Scalar bundle from; default the local copy when installed, else its CDN. */
  readonly docsScriptUrl?: string;
}

/**
 * What `createApp` is built from. Nothing here listens, reads the wall clock or the environment: the server
 * (or a test) makes each piece and hands it over.
 */
export interface AppDeps {
  readonly store: Store;
  /** The active release: every new assessment is made under it. */
  readonly release: LoadedRelease;
  /** Loads another release by id (replay of an assessment stored under an older release). */
  readonly releaseById?: (id: string) => Promise<LoadedRelease>;
  readonly clock: Clock;
  /** A pino logger (pino-http logs each request through it). */
  readonly logger: PinoLogger;
  readonly banks: readonly Bank[];
  readonly agreements: readonly Agreement[];
  /** Early-warning policy and behavioural model for monitoring evaluations (model null: rules only). */
  readonly monitoring: { readonly policy: WarningPolicy; readonly model: TrainedModel | null };
  /** Default: a fresh registry for this app. */
  readonly metrics?: ApiMetrics;
  readonly options?: AppOptions;
}

/** The deps as routes see them: metrics and options resolved. */
export interface RouteDeps extends Omit<AppDeps, 'metrics' | 'options'> {
  readonly metrics: ApiMetrics;
  /** The live portfolio book over the store's loans in force (assessments and /v1/portfolio share it). */
  readonly book: LiveBook;
  readonly options: Required<Omit<AppOptions, 'docsScriptUrl'>> & Pick<AppOptions, 'docsScriptUrl'>;
}
