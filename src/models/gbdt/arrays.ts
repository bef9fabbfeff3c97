import { type BinnedData, binCount } from './binning.js';
import type { TrainArrays } from './kernels.js';
import type { SplitParams } from './split.js';
import { CTRL_WORDS } from './team.js';

/**
 * Allocates the arrays of a training run (see TrainArrays) and copies the bin codes, labels and weights
 * in. With `shared`, every buffer is a SharedArrayBuffer so that a helper thread can work on it; the
 * histogram pool then holds `histograms` histograms and cannot grow.
 */
export function createTrainArrays(
  data: BinnedData,
  y: Float64Array,
  w: Float64Array | undefined,
  params: SplitParams,
  monotone: readonly number[],
  histograms: number,
  shared: boolean,
): TrainArrays {
  const n = data.nRows;
  const p = data.bins.length;
  const buffer = (bytes: number): ArrayBufferLike =>
    shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
  const f64 = (length: number): Float64Array => new Float64Array(buffer(8 * length));
  const i32 = (length: number): Int32Array => new Int32Array(buffer(4 * length));
  const u8 = (length: number): Uint8Array => new Uint8Array(buffer(length));
  const offsets = i32(p);
  const nBins = i32(p);
  let total = 0;
  data.info.forEach((fi, f) => {
    offsets[f] = total;
    nBins[f] = binCount(fi);
    total += binCount(fi);
  });
  const colBins = u8(n * p);
  const rowBins = u8(n * p);
  data.bins.forEach((b, f) => {
    colBins.set(b, f * n);
    for (let r = 0; r < n; r++) rowBins[r * p + f] = b[r]!;
  });
  const yy = f64(n);
  yy.set(y);
  const ww = f64(w === undefined ? 0 : n);
  if (w !== undefined) ww.set(w);
  const mono = new Int8Array(buffer(p));
  mono.set(monotone);
  const isCat = u8(p);
  data.info.forEach((fi, f) => {
    isCat[f] = fi.kind === 'categorical' ? 1 : 0;
  });
  return {
    split: {
      lambdaL1: params.lambdaL1,
      lambdaL2: params.lambdaL2,
      minChildWeight: params.minChildWeight,
      minDataInLeaf: params.minDataInLeaf,
      minSplitGain: params.minSplitGain,
      catSmooth: params.catSmooth,
      catL2: params.catL2,
      maxCatThreshold: params.maxCatThreshold,
      maxCatToOnehot: params.maxCatToOnehot,
      minDataPerGroup: params.minDataPerGroup,
    },
    monotone: mono,
    isCat,
    n,
    p,
    colBins,
    rowBins,
    gh: f64(2 * n),
    margin: f64(n),
    y: yy,
    w: ww,
    bag: i32(n),
    idx: i32(n),
    right: i32(n),
    hist: f64(3 * total * histograms),
    offsets,
    nBins,
    features: i32(p),
    catMask: u8(256),
    ip: i32(16 + 2 * MAX_CHUNKS),
    fp: f64(2),
    ctrl: i32(CTRL_WORDS),
  };
}

/** The most chunks a task is cut into (partition chunks report two counts each). */
export const MAX_CHUNKS = 64;
