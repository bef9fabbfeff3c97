import { availableParallelism, loadavg } from 'node:os';
import { RiskError } from '../../core/errors.js';
import { type Logger, silentLogger } from '../../core/logger.js';
import { Rng } from '../../core/rng.js';
import { createTrainArrays, MAX_CHUNKS } from './arrays.js';
import { type BinnedData, binCount, type FeatureBins } from './binning.js';
import { TreeGrower } from './grow.js';
import { TASK_GRADIENTS, type TrainArrays } from './kernels.js';
import type { GbdtParams } from './options.js';
import { Team } from './team.js';
import { BinnedRouter, columnMajor, type Tree } from './tree.js';

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
  /**
   * Threads to train on: 1, or 2 for a helper thread that shares histogram, gradient and partition work.
   * The trees are the same either way. Default: 2 when the training is large enough (rows × features ×
   * rounds ≥ 20 million) to repay starting a thread and a core is free (the load average is below the
   * number of cores less one half); the team drops its helper if it keeps the main thread waiting.
   */
  readonly threads?: 1 | 2;
}

/** Rows × features × rounds from which a training run starts a helper thread by default. */
const THREAD_WORK = 20_000_000;
/** Histogram pool bytes above which training stays on one thread (a shared pool cannot grow). */
const SHARED_POOL_BYTES = 512 * 1024 * 1024;
/** Histogram pool bytes a one-thread run takes up front: the pool lives in the WebAssembly memory, which
 * cannot grow, and histograms of a pool grown outside it are built by the slower JavaScript loop. */
const POOL_BYTES = 64 * 1024 * 1024;
/** Rows per chunk of the gradient pass. */
const GRADIENT_ROWS = 16_384;

/**
 * Histogram gradient boosting on log loss (the low-level layer; GradientBoostingClassifier wraps it).
 * Each round: gradients p − y and hessians p(1 − p) (times the row weight), a seeded row bag and feature
 * subset, one tree grown best-first, margins updated; with a validation set, early stopping keeps the
 * round with the lowest validation log loss.
 * @throws E_DATA_INVALID when y is not 0/1 or has one class only; E_OPTIONS_INVALID for a monotone
 *   constraint on an unknown or categorical feature; E_GBDT_WORKER when the helper thread fails
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

  // Histogram slots alive at once: one per leaf that may still split, at most min(maxLeaves, 2^maxDepth).
  const slots = Math.min(params.maxLeaves, 2 ** Math.min(params.maxDepth, 30)) + 1;
  const threads = chooseThreads(options.threads, data, params, slots);
  const valid = options.validation;
  if (valid !== undefined) checkTarget(valid.y, valid.data.nRows, 'validation.y');
  const a = createTrainArrays(
    data,
    y,
    w,
    params,
    monotone,
    threads > 1 ? slots : Math.min(slots, Math.max(8, Math.floor(POOL_BYTES / histogramBytes(data)))),
    threads > 1,
  );
  a.margin.fill(initScore);
  const team = Team.start(a, threads);
  let boosted: { trees: Tree[]; validLoss: number[]; bestRounds: number };
  let threadsAtEnd: number = threads;
  try {
    const grower = new TreeGrower(data, params, a, team, threads === 1);
    boosted = boost(data, params, a, team, grower, initScore, options);
  } finally {
    threadsAtEnd = team.threads;
    team.close();
  }
  const { trees, validLoss, bestRounds } = boosted;
  const roundsRun = trees.length;
  if (valid !== undefined && params.earlyStoppingRounds > 0 && bestRounds > 0) trees.length = bestRounds;
  // threadsAtEnd is 1 where the team dropped its helper thread for keeping the main thread waiting.
  logger.debug({ trees: trees.length, roundsRun, threads, threadsAtEnd }, 'gbdt: trained');
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

/**
 * 2 when a helper thread may share the work: asked for, or (by default) worth it on this machine; never
 * when the shared histogram pool, which cannot grow, would be too large.
 */
function chooseThreads(asked: 1 | 2 | undefined, data: BinnedData, params: GbdtParams, slots: number): 1 | 2 {
  if (asked === 1 || slots * histogramBytes(data) > SHARED_POOL_BYTES) return 1;
  if (asked === 2) return 2;
  const cores = availableParallelism();
  // The load average says whether a core is free; it only decides speed, never the trees.
  const free = (loadavg()[0] as number) < cores - 0.5;
  const work = data.nRows * data.bins.length * params.nEstimators;
  return cores >= 2 && free && work >= THREAD_WORK ? 2 : 1;
}

/** Bytes of one histogram: [gradient, hessian, count] doubles per bin of every feature. */
function histogramBytes(data: BinnedData): number {
  let bins = 0;
  for (const fi of data.info) bins += binCount(fi);
  return 24 * bins;
}

/**
 * The boosting rounds: each draws its bag and features (seeded), computes gradients, grows a tree and
 * updates the margins, of the training rows and of the validation rows, until nEstimators or the early
 * stop. Returns the trees, the validation losses and the best round (0 without validation).
 */
function boost(
  data: BinnedData,
  params: GbdtParams,
  a: TrainArrays,
  team: Team,
  grower: TreeGrower,
  initScore: number,
  options: TrainGbdtOptions,
): { trees: Tree[]; validLoss: number[]; bestRounds: number } {
  const logger = options.logger ?? silentLogger;
  const { n, p, margin, bag, features, ip } = a;
  const rng = new Rng(params.seed);
  const rowPerm = new Int32Array(n);
  for (let i = 0; i < n; i++) rowPerm[i] = i;
  const nBag = params.subsample < 1 ? Math.max(1, Math.round(params.subsample * n)) : n;
  const inBag = nBag < n ? new Uint8Array(n) : null;
  const featPerm = new Int32Array(p);
  for (let f = 0; f < p; f++) featPerm[f] = f;
  const nFeat = Math.max(1, Math.round(params.colsampleByTree * p));
  features.set(featPerm);
  const nBinsOf = (f: number): number => binCount(data.info[f] as FeatureBins);

  const valid = options.validation;
  const validMargin = valid === undefined ? null : new Float64Array(valid.data.nRows).fill(initScore);
  const validBins = valid === undefined ? null : columnMajor(valid.data.bins, valid.data.nRows);
  const validLoss: number[] = [];
  const patience = valid === undefined ? 0 : params.earlyStoppingRounds;
  let bestLoss = Number.POSITIVE_INFINITY;
  let bestRounds = 0;

  const trees: Tree[] = [];
  for (let t = 0; t < params.nEstimators; t++) {
    if (inBag !== null) {
      partialShuffle(rowPerm, nBag, rng);
      inBag.fill(0);
      for (let i = 0; i < nBag; i++) inBag[rowPerm[i]!] = 1;
      // The bag in ascending row order, so that histograms add rows in the same order every time.
      for (let r = 0, k = 0; r < n; r++) {
        bag[k] = r;
        k += inBag[r]!;
      }
    }
    const rows = inBag === null ? n : nBag;
    ip[2] = rows;
    ip[3] = inBag === null ? 0 : 1;
    team.run(TASK_GRADIENTS, team.threads > 1 ? Math.min(MAX_CHUNKS, Math.ceil(rows / GRADIENT_ROWS)) : 1);
    if (nFeat < p) {
      partialShuffle(featPerm, nFeat, rng);
      features.set(featPerm.subarray(0, nFeat));
      features.subarray(0, nFeat).sort();
    }
    const tree = grower.grow(inBag === null ? null : nBag, nFeat, params.learningRate);
    trees.push(tree);

    const router = inBag !== null || validMargin !== null ? new BinnedRouter(tree, nBinsOf) : null;
    // The bag's rows got their values while the tree grew; the others are routed through it.
    if (inBag !== null) router?.addTo(a.colBins, n, inBag, margin);

    options.onProgress?.(t + 1, params.nEstimators);
    if (valid !== undefined && validMargin !== null && validBins !== null) {
      router?.addTo(validBins, valid.data.nRows, null, validMargin);
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
  return { trees, validLoss, bestRounds };
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

/** Checks one 0/1 label per row. @throws E_DATA_INVALID naming the first bad row and value */
export function checkTarget(y: Float64Array, n: number, path: string): void {
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
