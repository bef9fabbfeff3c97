import type { Artifact } from '../core/artifact.js';
import type { Frame } from '../core/frame.js';
import type { Logger } from '../core/logger.js';

/**
 * The estimator contract (scikit-learn's, see style.md §3.1):
 * - `new X(options)` stores options only; `fit` validates them with a zod schema (E_OPTIONS_INVALID) and
 *   returns `this`; the input frame is never mutated;
 * - learned state lives in one typed field, read through `fitted()`, which throws E_NOT_FITTED before fit;
 * - `predictProba(x)` gives the probability of the positive class (bad = 1) per row;
 * - `toArtifact()` and a static `fromArtifact(a)` round-trip through the JSON envelope.
 */
export interface Estimator {
  readonly kind: string;
  fit(x: Frame, y: ArrayLike<number>, options?: FitOptions): this;
  predictProba(x: Frame): Float64Array;
  toArtifact(): Artifact;
  readonly isFitted: boolean;
  /** `fit` honours `FitOptions.rows` and `validation.rows`: it reads row subsets in place. */
  readonly fitsRowSubsets?: boolean;
}

/** What `fit` may be given beside the data. */
export interface FitOptions {
  /** One non-negative weight per row; defaults to 1. */
  readonly sampleWeight?: ArrayLike<number>;
  /** Held-out data for early stopping or calibration (`rows`: only these rows of its `x`, as `rows` below). */
  readonly validation?: {
    readonly x: Frame;
    readonly y: ArrayLike<number>;
    readonly rows?: Int32Array;
  };
  /**
   * Fit on these rows of `x` only, in this order, read in place instead of from a copy of the frame;
   * `y` and `sampleWeight` still hold one value per row of `x`. Only for estimators whose
   * `fitsRowSubsets` is true.
   */
  readonly rows?: Int32Array;
  readonly logger?: Logger;
  /** Called as work proceeds, for progress bars. */
  readonly onProgress?: (done: number, total: number) => void;
}

/** One reason a row scored worse than it could have: the variable, what it cost, and its text. */
export interface Reason {
  readonly feature: string;
  /**
   * Points lost against the best value (scorecard, logistic) or contribution to the log-odds of default
   * (GBDT TreeSHAP, MLP occlusion); larger = worse.
   */
  readonly impact: number;
  /** The bin or value that produced it, as text. */
  readonly value: string;
  readonly zh?: string;
  readonly en?: string;
}

/** An estimator that can say why a row scored as it did. */
export interface Explainer {
  reasons(x: Frame, k: number): Reason[][];
}
