import {
  type Artifact,
  createArtifact,
  type DataFingerprint,
  fingerprintFrame,
  verifyArtifact,
} from '../../core/artifact.js';
import { RiskError } from '../../core/errors.js';
import type { Frame } from '../../core/frame.js';
import { pickRows, stratifiedSplit } from '../dataset.js';
import type { Estimator, Explainer, FitOptions, Reason } from '../estimator.js';
import type { TrainedModel } from '../model.js';
import { pointsFromPd, scalingOf } from '../points.js';
import { cellText, type FeatureDescriber, reasonTexts } from '../reason-text.js';
import { gbdtStateSchema } from './artifact-schema.js';
import { applyBins, fitBins } from './binning.js';
import { dumpGbdt, type GbdtDump } from './dump.js';
import { Forest, RowEncoder } from './forest.js';
import { type GbdtOptions, type GbdtParams, parseGbdtOptions, withSizedDefaults } from './options.js';
import { checkTarget, type GbdtModel, trainGbdt } from './train.js';
import { TreeShap } from './treeshap.js';

/** The learned state of a GradientBoostingClassifier. */
export interface GbdtFitted {
  readonly params: GbdtParams;
  readonly model: GbdtModel;
  readonly fingerprint: DataFingerprint | null;
}

/** The `state` of a GBDT artifact: the model without its feature names (kept in the envelope). */
export type GbdtArtifactState = Omit<GbdtModel, 'featureNames'>;

/** SHAP values of a frame: the expected margin and one contribution per row and feature. */
export interface ShapValues {
  /** Expected margin over the training cover (initial score + each tree's cover-weighted mean). */
  readonly base: number;
  /** n × p, row-major, in featureNames order: base + Σ_j values[i·p + j] = margin of row i. */
  readonly values: Float64Array;
  readonly featureNames: readonly string[];
}

export type { FeatureDescriber } from '../reason-text.js';

const BLOCK = 4096;
/** Mixed into the seed for the early-stopping holdout (any constant: a stream of its own). */
const HOLDOUT_STREAM = 0x5eed_0e5;
/** The artifact kind (and `kind`) of GradientBoostingClassifier. */
export const GBDT_KIND = 'gbdt';

/**
 * Gradient-boosted trees for probability of default (the estimator layer over trainGbdt): histogram
 * boosting on log loss with monotone constraints, learned missing directions, categorical splits, early
 * stopping, exact TreeSHAP explanations and a LightGBM-style dump. Every frame column is a feature;
 * categorical columns are split as categories.
 * @example
 * const gbdt = new GradientBoostingClassifier({ nEstimators: 300, maxDepth: 4, monotoneConstraints: { overdue_days: 1 } });
 * gbdt.fit(train, y, { validation: { x: valid, y: yValid } });
 * const pd = gbdt.predictProba(test);
 * const why = gbdt.reasons(test, 3);
 */
export class GradientBoostingClassifier implements Estimator, Explainer, TrainedModel {
  readonly kind = GBDT_KIND;
  private state: GbdtFitted | null = null;
  private cache: { forest: Forest; shap: TreeShap | null } | null = null;

  /** Stores the options; they are validated by `fit` (E_OPTIONS_INVALID). */
  constructor(readonly options: GbdtOptions = {}) {}

  /** True once fit() or fromArtifact() has given the model its state. */
  get isFitted(): boolean {
    return this.state !== null;
  }

  /** The learned state. @throws E_NOT_FITTED before fit */
  fitted(): GbdtFitted {
    if (this.state === null) {
      throw new RiskError(
        'E_NOT_FITTED',
        'this GradientBoostingClassifier is not fitted: call fit() or fromArtifact() first',
      );
    }
    return this.state;
  }

  /** Feature names in model order. @throws E_NOT_FITTED before fit */
  get featureNames(): readonly string[] {
    return this.fitted().model.featureNames;
  }

  /**
   * Fits on every column of `x` against 0/1 labels `y` (1 = default). With `validation`, stops early when
   * its log loss has not improved for earlyStoppingRounds rounds and keeps the best round. Without it (and
   * with validationFraction > 0), holds out that share of the rows to choose the rounds the same way, then
   * refits on every row for that many rounds (docs/gbdt-defaults.md). minDataInLeaf, when not given, is
   * sized to the rows trained on (minDataInLeafFor).
   * @throws E_OPTIONS_INVALID, E_DATA_INVALID
   */
  fit(x: Frame, y: ArrayLike<number>, options: FitOptions = {}): this {
    const params = parseGbdtOptions(this.options);
    if (x.columns.length === 0 || x.nRows === 0) {
      throw new RiskError(
        'E_DATA_INVALID',
        `x must have at least one column and one row, received ${x.columns.length} columns and ${x.nRows} rows`,
      );
    }
    const yy = Float64Array.from(y);
    // Before the holdout split, which sorts rows by label.
    checkTarget(yy, x.nRows, 'y');
    const weights =
      options.sampleWeight === undefined ? undefined : checkWeights(options.sampleWeight, x.nRows);
    const part = holdOut(x, yy, weights, params, options.validation);
    const sized = (rows: number): GbdtParams => withSizedDefaults(params, this.options, rows);
    let model = fitPart(part, sized(part.x.nRows), options);
    if (part.heldOut) {
      // The held-out rows chose the rounds; every row now learns them (as `rongdan train` refits).
      const all = { x, y: yy, weights, validation: undefined, heldOut: false };
      const refit = {
        ...sized(x.nRows),
        nEstimators: Math.max(1, model.trees.length),
        earlyStoppingRounds: 0,
      };
      const full = fitPart(all, refit, options);
      model = { ...full, roundsRun: model.roundsRun, validLogLoss: model.validLogLoss };
    }
    this.state = { params: sized(x.nRows), model, fingerprint: fingerprintFrame(x, yy) };
    this.cache = null;
    return this;
  }

  private compiled(): { forest: Forest; shap: TreeShap | null } {
    const { model } = this.fitted();
    this.cache ??= { forest: new Forest(model.trees, model.bins, model.initScore), shap: null };
    return this.cache;
  }

  /** Log-odds of default per row: initial score plus the sum of the trees. */
  predictMargin(x: Frame): Float64Array {
    const { model } = this.fitted();
    const { forest } = this.compiled();
    const enc = new RowEncoder(x, model.featureNames, model.bins);
    const n = x.nRows;
    const p = model.featureNames.length;
    const out = new Float64Array(n).fill(model.initScore);
    const buf = new Float64Array(Math.min(BLOCK, n) * p);
    for (let r = 0; r < n; r += BLOCK) {
      const end = Math.min(n, r + BLOCK);
      enc.encode(r, end, buf);
      forest.addMargins(buf, end - r, out, r);
    }
    return out;
  }

  /** Probability of default per row. */
  predictProba(x: Frame): Float64Array {
    const m = this.predictMargin(x);
    for (let i = 0; i < m.length; i++) m[i] = 1 / (1 + Math.exp(-(m[i] as number)));
    return m;
  }

  /**
   * Integer points per row on the scorecard's scale (the baseScore, baseOdds and pdo options) from the PD;
   * higher = safer.
   */
  score(x: Frame): Float64Array {
    return pointsFromPd(this.predictProba(x), scalingOf(this.fitted().params));
  }

  /**
   * Exact path-dependent TreeSHAP contributions to the margin.
   * @example const { base, values } = gbdt.shapValues(frame); // base + Σ_j values[i·p + j] = margin_i
   */
  shapValues(x: Frame): ShapValues {
    const { model } = this.fitted();
    const c = this.compiled();
    c.shap ??= new TreeShap(c.forest);
    const enc = new RowEncoder(x, model.featureNames, model.bins);
    const n = x.nRows;
    const p = model.featureNames.length;
    const values = new Float64Array(n * p);
    const buf = new Float64Array(Math.min(BLOCK, n) * p);
    for (let r = 0; r < n; r += BLOCK) {
      const end = Math.min(n, r + BLOCK);
      enc.encode(r, end, buf);
      c.shap.explain(buf, end - r, values, r);
    }
    return { base: c.shap.expectedValue, values, featureNames: model.featureNames };
  }

  /**
   * The k largest risk-raising contributions per row (positive SHAP values on the log-odds of default),
   * largest first, with the value that produced each and the catalog's zh/en description where the
   * feature is in the catalog (`column = value` where it is not).
   * @param describe where the zh/en texts come from; defaults to the repository's feature catalog
   */
  reasons(x: Frame, k: number, describe?: FeatureDescriber): Reason[][] {
    if (!Number.isInteger(k) || k < 1) {
      throw new RiskError('E_OPTIONS_INVALID', `reasons k must be an integer >= 1, received ${k}`, {
        path: ['k'],
        received: k,
      });
    }
    const { values, featureNames } = this.shapValues(x);
    const p = featureNames.length;
    const order = Array.from({ length: p }, (_, j) => j);
    const out: Reason[][] = [];
    for (let i = 0; i < x.nRows; i++) {
      const row = values.subarray(i * p, (i + 1) * p);
      order.sort((a, b) => (row[b] as number) - (row[a] as number) || a - b);
      const reasons: Reason[] = [];
      for (const j of order) {
        const impact = row[j] as number;
        if (reasons.length >= k || !(impact > 0)) break;
        const name = featureNames[j] as string;
        const value = cellText(x.cell(i, name));
        reasons.push({ feature: name, impact, value, ...reasonTexts(name, value, describe) });
      }
      out.push(reasons);
    }
    return out;
  }

  /** Variable importance, largest first: total split gain ('gain', default) or number of splits ('split'). */
  importance(type: 'gain' | 'split' = 'gain'): { feature: string; value: number }[] {
    const { model } = this.fitted();
    const sums = new Float64Array(model.featureNames.length);
    for (const t of model.trees) {
      t.splitFeature.forEach((f, k) => {
        sums[f]! += type === 'gain' ? (t.splitGain[k] as number) : 1;
      });
    }
    return model.featureNames
      .map((feature, j) => ({ feature, value: sums[j] as number }))
      .sort((a, b) => b.value - a.value || (a.feature < b.feature ? -1 : 1));
  }

  /** The trees in LightGBM's JSON dump vocabulary (see dumpGbdt). */
  dumpModel(): GbdtDump {
    const { model, params } = this.fitted();
    return dumpGbdt(model, params.learningRate);
  }

  /** A short text summary: size, stopping and the most important features. */
  report(): string {
    const { model } = this.fitted();
    const top = this.importance().slice(0, 10);
    const lines = [
      `GBDT: ${model.trees.length} trees (${model.roundsRun} rounds run), ${model.featureNames.length} features`,
      ...top.map((r) => `  ${r.feature.padEnd(32)} ${r.value.toFixed(3)}`),
    ];
    return lines.join('\n');
  }

  /** The JSON envelope: params, features, category levels, fingerprint, metrics and the trees. */
  toArtifact(): Artifact<GbdtParams, GbdtArtifactState> {
    const { params, model, fingerprint } = this.fitted();
    const { featureNames, ...state } = model;
    const categories: Record<string, readonly string[]> = {};
    model.bins.forEach((b, j) => {
      if (b.kind === 'categorical') categories[featureNames[j] as string] = b.levels;
    });
    const metrics: Record<string, number> = { trees: model.trees.length, roundsRun: model.roundsRun };
    if (model.validLogLoss.length > 0) metrics.bestValidLogLoss = Math.min(...model.validLogLoss);
    return createArtifact({
      kind: GBDT_KIND,
      params,
      featureNames,
      categories,
      dataFingerprint: fingerprint,
      metrics,
      state,
    });
  }

  /**
   * Rebuilds a fitted classifier from an artifact (as saved, or parsed from JSON).
   * @throws the verifyArtifact codes; E_MODEL_ARTIFACT_INVALID when the state is malformed
   */
  static fromArtifact(value: unknown): GradientBoostingClassifier {
    const a = verifyArtifact<unknown, unknown>(value, GBDT_KIND);
    const params = parseGbdtOptions(a.params);
    const parsed = gbdtStateSchema.safeParse(a.state);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RiskError(
        'E_MODEL_ARTIFACT_INVALID',
        `gbdt artifact state is malformed at ${issue?.path.join('.') ?? '(root)'}: ${issue?.message ?? ''}`,
      );
    }
    const state = parsed.data as GbdtArtifactState;
    const p = a.featureNames.length;
    if (state.bins.length !== p || state.monotone.length !== p) {
      throw new RiskError(
        'E_MODEL_ARTIFACT_INVALID',
        `gbdt artifact has ${p} feature names but ${state.bins.length} bin layouts`,
      );
    }
    for (const t of state.trees) {
      for (const f of t.splitFeature) {
        if (!(f >= 0 && f < p))
          throw new RiskError(
            'E_MODEL_ARTIFACT_INVALID',
            `gbdt artifact tree splits on feature ${f}, outside [0, ${p - 1}]`,
          );
      }
    }
    const est = new GradientBoostingClassifier(params);
    est.state = { params, model: { featureNames: a.featureNames, ...state }, fingerprint: a.dataFingerprint };
    return est;
  }
}

/** The rows a fit trains on and the rows its early stopping watches. */
interface FitPart {
  readonly x: Frame;
  readonly y: Float64Array;
  readonly weights: Float64Array | undefined;
  readonly validation: { readonly x: Frame; readonly y: Float64Array } | undefined;
  /** True when the validation rows were held out of x here (validationFraction), not given. */
  readonly heldOut: boolean;
}

/**
 * The given validation set; or, without one and with early stopping on, a seeded stratified
 * `validationFraction` of the rows held out for it (as scikit-learn's HistGradientBoosting does), so that
 * fit() at defaults stops where the held-out log loss does instead of running every round.
 */
function holdOut(
  x: Frame,
  y: Float64Array,
  weights: Float64Array | undefined,
  params: GbdtParams,
  given: FitOptions['validation'],
): FitPart {
  if (given !== undefined) {
    return { x, y, weights, validation: { x: given.x, y: Float64Array.from(given.y) }, heldOut: false };
  }
  const none = { x, y, weights, validation: undefined, heldOut: false };
  if (params.earlyStoppingRounds === 0 || params.validationFraction === 0) return none;
  const all = Array.from({ length: x.nRows }, (_, i) => i);
  // Its own stream of the seed, so that the split does not move with the bagging draws.
  const { train, validation } = stratifiedSplit(
    all,
    y,
    params.validationFraction,
    params.seed ^ HOLDOUT_STREAM,
  );
  // Too few rows of a class to hold any out (or to keep any in): train on all of them.
  if (validation.length === 0 || !bothClasses(y, train)) return none;
  return {
    x: x.take(train),
    y: pickRows(y, train),
    weights: weights === undefined ? undefined : pickRows(weights, train),
    validation: { x: x.take(validation), y: pickRows(y, validation) },
    heldOut: true,
  };
}

function bothClasses(y: Float64Array, rows: Int32Array): boolean {
  let bad = 0;
  for (const r of rows) bad += y[r] as number;
  return bad > 0 && bad < rows.length;
}

/** Bins the part's rows, then boosts on them (watching its validation rows, if any). */
function fitPart(part: FitPart, params: GbdtParams, options: FitOptions): GbdtModel {
  const names = part.x.names;
  const info = fitBins(part.x, {
    maxBins: params.maxBins,
    sampleSize: params.binSampleSize,
    seed: params.seed,
  });
  const v = part.validation;
  return trainGbdt(applyBins(part.x, names, info), part.y, params, {
    ...(part.weights === undefined ? {} : { sampleWeight: part.weights }),
    ...(v === undefined ? {} : { validation: { data: applyBins(v.x, names, info), y: v.y } }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
  });
}

function checkWeights(w: ArrayLike<number>, n: number): Float64Array {
  if (w.length !== n) {
    throw new RiskError(
      'E_DATA_INVALID',
      `sampleWeight must have one weight per row (${n}), received ${w.length}`,
      {
        path: ['sampleWeight'],
        received: w.length,
      },
    );
  }
  const out = Float64Array.from(w);
  for (let i = 0; i < n; i++) {
    const v = out[i] as number;
    if (!(v >= 0 && v < Number.POSITIVE_INFINITY)) {
      throw new RiskError(
        'E_DATA_INVALID',
        `sampleWeight[${i}] must be a finite number >= 0, received ${v}`,
        {
          path: ['sampleWeight', i],
          received: v,
        },
      );
    }
  }
  return out;
}
