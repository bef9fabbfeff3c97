import { type BinnedData, binCount } from './binning.js';
import { attachWasm, JOB_WORDS, SEARCH_WORDS, type TrainArrays } from './kernels.js';
import type { SplitParams } from './split.js';
import { CTRL_WORDS } from './team.js';
import { trainingModule } from './wasm.js';

/** Bytes above which the arrays stay in plain buffers (and histograms in JavaScript): a 32-bit memory. */
const WASM_MAX_BYTES = 2 ** 31;
const WASM_PAGE = 65_536;

/**
 * Allocates the arrays of a training run (see TrainArrays) and copies the bin codes, labels and weights
 * in. With `shared`, every buffer is a SharedArrayBuffer so that a helper thread can work on it; the
 * histogram pool then holds `histograms` histograms and cannot grow. All arrays are cut out of one
 * WebAssembly memory (shared with `shared`) so that the histogram module (wasm.ts) can read them; where
 * that is not possible, out of plain buffers.
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
  let total = 0;
  for (const fi of data.info) total += binCount(fi);
  // Beside the arrays by row and the histograms: per chunk of a task a category mask, a job, a split
  // search and results.
  const bytes =
    2 * n * p +
    8 * n * (w === undefined ? 7 : 8) +
    24 * total * histograms +
    32 * p +
    1600 * MAX_CHUNKS +
    4096;
  const wasmModule = bytes < WASM_MAX_BYTES ? trainingModule(shared) : null;
  let memory: WebAssembly.Memory | null = null;
  if (wasmModule !== null) {
    // 16 bytes of alignment per array (at most 20 arrays) beside the sizes above.
    const pages = Math.ceil((bytes + 20 * 16) / WASM_PAGE);
    try {
      memory = new WebAssembly.Memory(
        shared ? { initial: pages, maximum: pages, shared } : { initial: pages },
      );
    } catch {
      memory = null; // not that much memory to be had in one piece: plain buffers, the same results
    }
  }
  // One buffer object for every view, so that kernels can tell a view of the memory by its buffer.
  const whole = memory?.buffer;
  let at = 0;
  const buffer = (size: number): [ArrayBufferLike, number] => {
    if (whole === undefined) return [shared ? new SharedArrayBuffer(size) : new ArrayBuffer(size), 0];
    const start = at;
    at += Math.ceil(size / 16) * 16;
    return [whole, start];
  };
  const f64 = (length: number): Float64Array => new Float64Array(...buffer(8 * length), length);
  const i32 = (length: number): Int32Array => new Int32Array(...buffer(4 * length), length);
  const u8 = (length: number): Uint8Array => new Uint8Array(...buffer(length), length);
  const offsets = i32(p);
  const nBins = i32(p);
  data.info.forEach((fi, f) => {
    offsets[f] = f === 0 ? 0 : offsets[f - 1]! + nBins[f - 1]!;
    nBins[f] = binCount(fi);
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
  const mono = new Int8Array(...buffer(p), p);
  mono.set(monotone);
  const isCat = u8(p);
  data.info.forEach((fi, f) => {
    isCat[f] = fi.kind === 'categorical' ? 1 : 0;
  });
  const arrays: TrainArrays = {
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
    catMask: u8(256 * MAX_CHUNKS),
    jobs: i32(JOB_WORDS * MAX_CHUNKS),
    search: f64(SEARCH_WORDS * MAX_CHUNKS),
    cats: i32(257 * MAX_CHUNKS),
    ip: i32(16 + 2 * MAX_CHUNKS),
    fp: f64(2 * MAX_CHUNKS),
    ctrl: i32(CTRL_WORDS),
    memory,
    wasmModule: memory === null ? null : wasmModule,
    wasm: null,
  };
  attachWasm(arrays);
  return arrays;
}

/** The most chunks a task is cut into (partition chunks report two counts each). */
export const MAX_CHUNKS = 64;
