import { RiskError } from '../../core/errors.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import { Rng } from '../../core/rng.js';
import { type BinnedData, binCount, type FeatureBins } from './binning.js';
import { TreeGrower } from './grow.js';
import type { GbdtParams } from './options.js';
import { categoricalMasks, leafOfBinned, type Tree } from './tree.js';

/** What training learns: everything prediction, explanation and the dump need. */
export interface GbdtModel {
  readonly featureNames: readonly string[];
  readonly bins: readonly FeatureBins[];
  /** Per feature: +1, -1 or 0, in feature order. */
  readonly monotone: readonly number[];
  /** The starting log-odds (weighted base rate), added before the trees. */
  readonly initScore: number;
  readonly trees: readonly Tree[];
  /** Rounds run before stopping (≥ trees.length when early stopping cut the trees back to the best). */
  readonly roundsRun: number;
  /** Validation log loss after each round run, when a validation set was given. */
  readonly validLogLoss: readonly number[];
}

/** Extra inputs of trainGbdt. */
export interface TrainGbdtOptions {
  readonly sampleWeight?: Float64Array;
  /** Validation rows binned with the training layout (applyBins), for early stopping. */
  readonly validation?: {
    readonly data: BinnedData;
    readonly y: Float64Array;
    readonly sampleWeight?: Float64Array;
  };
  readonly logger?: Logger;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Histogram gradient boosting on log loss (the low-level layer; GradientBoostingClassifier wraps it).
 * Each round: gradients p − y and hessians p(1 − p) (times the row weight), a seeded row bag and feature
 * subset, one tree grown best-first, margins updated; with a validation set, early stopping keeps the
 * round with the lowest validation log loss.
 * @throws E_DATA_INVALID when y is not 0/1 or has one class only; E_OPTIONS_INVALID for a monotone
 *   constraint on an unknown or categorical feature
 * @example const model = trainGbdt(applyBins(frame, frame.names, fitBins(frame, o)), y, params);
 */
export function trainGbdt(
  data: BinnedData,
  y: Float64Array,
  params: GbdtParams,
  options: TrainGbdtOptions = {},
): GbdtModel {
  const logger = options.logger ?? silentLogger;
  const n = data.nRows;
  const p = data.bins.length;
  checkTarget(y, n, 'y');
  const w = options.sampleWeight;
  const monotone = monotoneVector(data, params.monotoneConstraints);

  let sw = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    const wi = w === undefined ? 1 : (w[i] as number);
    sw += wi;
    sy += wi * (y[i] as number);
  }
  if (!(sw > 0) || sy <= 0 || sy >= sw) {
    throw new RiskError('E_DATA_INVALID', 'y must contain both classes (0 and 1) with positive weight', {
      path: ['y'],
      expected: 'both classes',
      received: sy <= 0 ? 'only 0' : 'only 1',
    });
  }
  const initScore = Math.log(sy / sw / (1 - sy / sw));
  const margin = new Float64Array(n).fill(initScore);
  const gh = new Float64Array(2 * n);

  const grower = new TreeGrower(data, params, Int8Array.from(monotone));
  const rng = new Rng(params.seed);
  const rowPerm = new Int32Array(n);
  for (let i = 0; i < n; i++) rowPerm[i] = i;
  const nBag = params.subsample < 1 ? Math.max(1, Math.round(params.subsample * n)) : n;
  const bag = nBag < n ? new Int32Array(nBag) : null;
  const inBag = bag === null ? null : new Uint8Array(n);
  const featPerm = new Int32Array(p);
  for (let f = 0; f < p; f++) featPerm[f] = f;
  const nFeat = Math.max(1, Math.round(params.colsampleByTree * p));
  const allFeatures = featPerm.slice();
  const nBinsOf = (f: number): number => binCount(data.info[f] as FeatureBins);

  const valid = options.validation;
  if (valid !== undefined) checkTarget(valid.y, valid.data.nRows, 'validation.y');
  const validMargin = valid === undefined ? null : new Float64Array(valid.data.nRows).fill(initScore);
  const validLoss: number[] = [];
  const patience = valid === undefined ? 0 : params.earlyStoppingRounds;
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestRounds = 0;

  const trees: Tree[] = [];
  for (let t = 0; t < params.nEstimators; t++) {
    logisticGradients(margin, y, w, gh);
    if (bag !== null && inBag !== null) {
      partialShuffle(rowPerm, nBag, rng);
      bag.set(rowPerm.subarray(0, nBag));
      bag.sort();
      inBag.fill(0);
      for (let i = 0; i < nBag; i++) inBag[bag[i] as number] = 1;
    }
    let features = allFeatures;
    if (nFeat < p) {
      partialShuffle(featPerm, nFeat, rng);
      features = featPerm.slice(0, nFeat).sort();
    }
    const grown = grower.grow(gh, bag, features, params.learningRate);
    const tree = grown.tree;
    trees.push(tree);

    for (let l = 0; l < tree.numLeaves; l++) {
      const v = tree.leafValue[l] as number;
      const end = grown.leafEnd[l] as number;
      for (let i = grown.leafStart[l] as number; i < end; i++) margin[grown.rows[i] as number]! += v;
    }
    if (inBag !== null) {
      const masks = categoricalMasks(tree, nBinsOf);
      for (let i = 0; i < n; i++) {
        if (inBag[i] === 0) margin[i]! += tree.leafValue[leafOfBinned(tree, data.bins, i, masks)] as number;
      }
    }

    options.onProgress?.(t + 1, params.nEstimators);
    if (valid !== undefined && validMargin !== null) {
      const masks = categoricalMasks(tree, nBinsOf);
      const vn = valid.data.nRows;
      for (let i = 0; i < vn; i++) {
        validMargin[i]! += tree.leafValue[leafOfBinned(tree, valid.data.bins, i, masks)] as number;
      }
      const loss = logLoss(validMargin, valid.y, valid.sampleWeight);
      validLoss.push(loss);
      if (loss < bestLoss) {
        bestLoss = loss;
        bestRounds = t + 1;
      } else if (patience > 0 && t + 1 - bestRounds >= patience) {
        logger.info(
          { round: t + 1, bestRounds, bestLoss },
          `gbdt: early stop, validation log loss has not improved for ${patience} rounds`,
        );
        break;
      }
    }
  }
  const roundsRun = trees.length;
  if (patience > 0 && bestRounds > 0) trees.length = bestRounds;
  logger.debug({ trees: trees.length, roundsRun }, 'gbdt: trained');
  return {
    featureNames: data.featureNames,
    bins: data.info,
    monotone,
    initScore,
    trees,
    roundsRun,
    validLogLoss: validLoss,
  };
}

/** Log-loss gradients p − y and hessians p(1 − p) (floored so that no row has zero curvature), times w. */
function logisticGradients(
  margin: Float64Array,
  y: Float64Array,
  w: Float64Array | undefined,
  gh: Float64Array,
): void {
  const n = margin.length;
  for (let i = 0; i < n; i++) {
    const pr = 1 / (1 + Math.exp(-margin[i]!));
    gh[2 * i] = pr - y[i]!;
    gh[2 * i + 1] = Math.max(pr * (1 - pr), 1e-16);
  }
  if (w !== undefined) {
    for (let i = 0; i < n; i++) {
      gh[2 * i]! *= w[i]!;
      gh[2 * i + 1]! *= w[i]!;
    }
  }
}

/** Mean (weighted) log loss of margins against 0/1 labels. */
export function logLoss(margin: Float64Array, y: Float64Array, w?: Float64Array): number {
  let s = 0;
  let sw = 0;
  for (let i = 0; i < margin.length; i++) {
    const m = margin[i] as number;
    const wi = w === undefined ? 1 : (w[i] as number);
    // log(1 + e^m) − y·m, written to stay finite for large |m|.
    const softplus = m > 0 ? m + Math.log1p(Math.exp(-m)) : Math.log1p(Math.exp(m));
    s += wi * (softplus - (y[i] as number) * m);
    sw += wi;
  }
  return s / sw;
}

function partialShuffle(a: Int32Array, k: number, rng: Rng): void {
  const n = a.length;
  for (let i = 0; i < k; i++) {
    const j = i + rng.int(n - i);
    const t = a[i] as number;
    a[i] = a[j] as number;
    a[j] = t;
  }
}

function checkTarget(y: Float64Array, n: number, path: string): void {
  if (y.length !== n) {
    throw new RiskError(
      'E_DATA_INVALID',
      `${path} must have one label per row (${n}), received ${y.length}`,
      {
        path: [path],
        expected: String(n),
        received: y.length,
      },
    );
  }
  for (let i = 0; i < n; i++) {
    const v = y[i] as number;
    if (v !== 0 && v !== 1) {
      throw new RiskError('E_DATA_INVALID', `${path}[${i}] must be 0 or 1, received ${v}`, {
        path: [path, i],
        expected: '0 or 1',
        received: v,
      });
    }
  }
}

function monotoneVector(data: BinnedData, constraints: Readonly<Record<string, number>>): number[] {
  const out = new Array<number>(data.featureNames.length).fill(0);
  for (const [name, dir] of Object.entries(constraints)) {
    const f = data.featureNames.indexOf(name);
    if (f < 0) {
      throw new RiskError(
        'E_OPTIONS_INVALID',
        `gbdt option monotoneConstraints.${name} names no feature; features are ${data.featureNames.join(', ')}`,
        { path: ['monotoneConstraints', name], expected: 'a feature name', received: name },
      );
    }
    if (dir !== 0 && data.info[f]?.kind === 'categorical') {
      throw new RiskError(
        'E_OPTIONS_INVALID',
        `gbdt option monotoneConstraints.${name} must be 0 for a categorical feature, received ${dir}`,
        { path: ['monotoneConstraints', name], expected: '0', received: dir },
      );
    }
    out[f] = dir;
  }
  return out;
}
