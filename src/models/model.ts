import type { BinningTable } from '../binning/table.js';
import type { Frame } from '../core/frame.js';
import type { Reason } from './estimator.js';

/**
 * What the CLI, reports and (later) the service need of any trained model, whatever its family: load it
 * from a directory, score a frame, explain rows. Implemented per family; `loadModel(dir)` picks by kind.
 */
export interface TrainedModel {
  readonly kind: string;
  readonly featureNames: readonly string[];
  /** Probability of default (bad = 1) per row. */
  predictProba(x: Frame): Float64Array;
  /**
   * Integer points per row on the scorecard's scale (base score, odds, PDO); higher = safer. The scorecard
   * sums its bin points; GBDT, MLP and logistic map their PD with `pointsFromPd` (points.ts).
   */
  score?(x: Frame): Float64Array;
  /** The top-k reasons per row. */
  reasons?(x: Frame, k: number): Reason[][];
  /** Binning tables, where the family bins. */
  binningTables?(): readonly BinningTable[];
  /**
   * Every candidate variable, kept or dropped, with the reason in words (low IV, not significant,
   * correlated, wrong sign …), where the family selects variables (scorecard).
   */
  variableSelection?(): readonly {
    readonly variable: string;
    readonly selected: boolean;
    readonly reason: string;
  }[];
  /** Variable importance, largest first. */
  importance?(): readonly { readonly feature: string; readonly value: number }[];
  /** What fitting found that a developer should read (trend breaks of user bins, wrong signs), one sentence each. */
  warnings?(): readonly string[];
  /** Family-specific Markdown sections of the model card (stepwise steps, coefficient tests). */
  cardSections?(): readonly string[];
  /** Integer points of each bin (binning-table order) of each model variable, where the family has points. */
  binPoints?(): ReadonlyMap<string, readonly number[]>;
  /** Exact per-row contributions to the margin (log-odds of default), where the family has them (GBDT). */
  shapValues?(x: Frame): FeatureContributions;
}

/** Per-row contributions: base + Σ_j values[i·p + j] = margin of row i. */
export interface FeatureContributions {
  readonly base: number;
  /** n × p, row-major, in featureNames order. */
  readonly values: Float64Array;
  readonly featureNames: readonly string[];
}
