import type { SplitParams } from './split.js';

/**
 * The training kernels that a helper thread can share with the main one. Each task is cut into chunks
 * (of rows, or of features for histograms) whose results do not depend on which thread ran them nor on
 * how the task was cut, so that training gives the same trees with one thread or two.
 *
 * These functions are also sent to the helper thread as source text (see team.ts): they must use only
 * their arguments, globals (Math, Atomics) and functions of this module, never an import or a
 * module-level constant (the helper has neither, and a bundler may rename them). The split search task
 * lives in split.ts beside the functions it calls, under the same rule (searchListTask).
 */

/** The arrays every kernel works on; backed by SharedArrayBuffers when a helper thread runs. */
export interface TrainArrays {
  /** The split parameters, and per feature its monotone direction (+1, −1, 0) and 1 when categorical:
   * what the split search (on the main thread) reads beside the histograms. */
  readonly split: SplitParams;
  readonly monotone: Int8Array;
  readonly isCat: Uint8Array;
  /** Training rows and features. */
  readonly n: number;
  readonly p: number;
  /** Bin codes column by column (colBins[f·n + r]) and row by row (rowBins[r·p + f]). */
  readonly colBins: Uint8Array;
  readonly rowBins: Uint8Array;
  /** Gradients and hessians interleaved: gh[2r], gh[2r + 1]. */
  readonly gh: Float64Array;
  readonly margin: Float64Array;
  readonly y: Float64Array;
  /** Row weights, or empty when every row weighs 1. */
  readonly w: Float64Array;
  /** The rows of this round's bag, ascending. */
  readonly bag: Int32Array;
  /** Row indices, each tree leaf's rows contiguous; `right` is scratch space for partitions. */
  readonly idx: Int32Array;
  readonly right: Int32Array;
  /** The histogram pool: per feature and bin, [gradient sum, hessian sum, row count]. */
  hist: Float64Array;
  /** Per feature: its first bin in a histogram, and its number of bins. */
  readonly offsets: Int32Array;
  readonly nBins: Int32Array;
  /** This tree's features, ascending. */
  readonly features: Int32Array;
  /** Per bin code, 1 when the categorical split being applied sends it left: 256 bytes per chunk of a
   * task (a job list's chunk c reads its own at 256·c; single-node tasks read the first). */
  readonly catMask: Uint8Array;
  /** A job list: JOB_WORDS words per chunk of the list tasks (TASK_PARTITION_LIST …), see those. */
  readonly jobs: Int32Array;
  /** Split searches: SEARCH_WORDS doubles per chunk of TASK_SEARCH_LIST in and out, and per chunk 257
   * words for the categories a categorical split sends left (see searchListTask). */
  readonly search: Float64Array;
  readonly cats: Int32Array;
  /** Task parameters (see the task kernels below) and per-chunk results from index CHUNK_OUT; fp holds
   * the two margin increments of a settle, per chunk for TASK_SETTLE_LIST (fp[2c], fp[2c + 1]). */
  readonly ip: Int32Array;
  readonly fp: Float64Array;
  /**
   * Synchronisation words of the threads (see team.ts): [0] the task's sequence number, [1] the claim
   * word (sequence << 16 | next chunk), [2] chunks done, [3] 1 when the helper failed, [4] 1 to stop it.
   */
  readonly ctrl: Int32Array;
  /**
   * The WebAssembly memory every array above lives in, and the histogram module compiled for it (wasm.ts);
   * both null where the arrays are plain buffers. `wasm` is the module's instance on this thread, set by
   * attachWasm on each thread (an instance cannot be sent to another thread).
   */
  readonly memory: WebAssembly.Memory | null;
  readonly wasmModule: WebAssembly.Module | null;
  wasm: TrainWasm | null;
}

/** The exports of the training module (see wasm.ts); pointers in bytes. */
export interface TrainWasm {
  /** Histogram rows added one or two at a time. */
  rows1: WasmRows;
  rows2: WasmRows;
  /** partitionChunk's loop: (idx, right, s0, s1, col, t, dr, mask) → the end of the left rows. */
  partitionNumeric: (...args: number[]) => number;
  partitionCategorical: (...args: number[]) => number;
  /** settleChunk's loop: (idx, s0, s1, col, t, dr, mask, margin, fp). */
  settleNumeric: (...args: number[]) => void;
  settleCategorical: (...args: number[]) => void;
  /** gradientChunk's loop: (margin, y, w, bag, gh, k0, k1, useBag, useW). */
  gradients: (...args: number[]) => void;
  /** The histogram subtraction: (to, from, count) → to[i] −= from[i] over count doubles. */
  subtract: (to: number, from: number, count: number) => void;
  /** memmove within the memory: (to, from, bytes). */
  copy: (to: number, from: number, bytes: number) => void;
  /** memset to zero: (to, bytes). */
  zero: (to: number, bytes: number) => void;
}
type WasmRows = (
  hist: number,
  idx: number,
  start: number,
  end: number,
  gh: number,
  bins: number,
  p: number,
  features: number,
  qa: number,
  qb: number,
  offsets: number,
) => void;

/** Instantiates the histogram module on this thread's view of the arrays (a.wasm), where there is one. */
export function attachWasm(a: TrainArrays): void {
  const { memory, wasmModule } = a;
  a.wasm =
    memory === null || wasmModule === null
      ? null
      : (new WebAssembly.Instance(wasmModule, { env: { memory, exp: Math.exp } })
          .exports as unknown as TrainWasm);
}

/** A task's kernel: runs chunk c of the task whose parameters are in a.ip (ip[0] is its id, ip[1] its
 * number of chunks). */
export type Kernel = (a: TrainArrays, c: number) => void;

/** Task ids (ip[0]), each the index of its kernel in team.ts's table. */
export const TASK_GRADIENTS = 1;
export const TASK_HISTOGRAM = 2;
export const TASK_PARTITION = 3;
export const TASK_SETTLE = 4;
export const TASK_PARTITION_LIST = 5;
export const TASK_SETTLE_LIST = 6;
export const TASK_HISTOGRAM_LIST = 7;
export const TASK_SEARCH_LIST = 8;
export const TASK_ROOT = 9;
/** Words per job of a job list (a.jobs), and doubles per split search (a.search). */
export const JOB_WORDS = 8;
export const SEARCH_WORDS = 24;
/** Where partition chunks write their left and right counts: ip[CHUNK_OUT + 2c], ip[CHUNK_OUT + 2c + 1]. */
export const CHUNK_OUT = 16;

/** Gradients: ip[2] rows, those of the bag when ip[3] = 1 (else rows 0 …). */
export function gradientTask(a: TrainArrays, c: number): void {
  gradientChunk(a, c, a.ip[1]!, a.ip[2]!, a.ip[3]!);
}

/**
 * Histogram: into hist[ip[2] …] over rows idx[ip[4] … ip[5]) and the first ip[6] entries of features,
 * then subtracted from the histogram at ip[3] unless it is −1.
 */
export function histogramTask(a: TrainArrays, c: number): void {
  const ip = a.ip;
  histogramChunk(a, c, ip[1]!, ip[2]!, ip[3]!, ip[4]!, ip[5]!, ip[6]!);
}

/**
 * Partition: rows idx[ip[2] … ip[3]) at the split on feature ip[4], threshold bin ip[5], missing to the
 * right when ip[6] = 1, categorical (by catMask) when ip[7] = 1.
 */
export function partitionTask(a: TrainArrays, c: number): void {
  const ip = a.ip;
  partitionChunk(a, c, ip[1]!, ip[2]!, ip[3]!, ip[4]!, ip[5]!, ip[6]!, ip[7]!);
}

/** Settle: as partition, adding fp[1] to the margins of rows going left and fp[0] to the others. */
export function settleTask(a: TrainArrays, c: number): void {
  const ip = a.ip;
  settleChunk(a, c, ip[1]!, ip[2]!, ip[3]!, ip[4]!, ip[5]!, ip[6]!, ip[7]!);
}

/**
 * The list tasks run the splits of a whole tree level as one task (one hand-over between the threads
 * instead of one per node). Chunk c is job c of a.jobs, words [8c …]: for a partition or a settle,
 * [start, end, piece, pieces, feature, threshold bin, missing right, categorical] (the piece of the node's
 * rows idx[start, end) cut into `pieces`), with catMask at 256·c, counts written to ip[CHUNK_OUT + 2c …]
 * and, for a settle, the increments at fp[2c], fp[2c + 1].
 */
export function partitionListTask(a: TrainArrays, c: number): void {
  splitJob(a, c, partitionChunk, c);
}

/** A settle per job (see partitionListTask). */
export function settleListTask(a: TrainArrays, c: number): void {
  splitJob(a, c, settleChunk, 2 * c);
}

/** Runs job c of a partition or settle list with `chunk`, its mask at 256·c and `last` as last argument. */
export function splitJob(a: TrainArrays, c: number, chunk: typeof partitionChunk, last: number): void {
  const j = a.jobs;
  const o = 8 * c;
  chunk(a, j[o + 2]!, j[o + 3]!, j[o]!, j[o + 1]!, j[o + 4]!, j[o + 5]!, j[o + 6]!, j[o + 7]!, 256 * c, last);
}

/**
 * A histogram per job, words [hist, parent, start, end, group, groups]: feature group `group` of
 * `groups` of the first ip[2] features (see histogramTask).
 */
export function histogramListTask(a: TrainArrays, c: number): void {
  const j = a.jobs;
  const o = 8 * c;
  histogramChunk(a, j[o + 4]!, j[o + 5]!, j[o]!, j[o + 1]!, j[o + 2]!, j[o + 3]!, a.ip[2]!);
}

/**
 * A tree's root, over its rows bag[0 … ip[3]) (the bag in ascending order, or every row): chunks 0 …
 * ip[5] − 1 build feature groups of its histogram at ip[2] (the first ip[4] features), and the last chunk
 * copies the rows into idx and adds up their gradients and hessians into fp[0], fp[1] in row order, so
 * that the one pass the root needs on its own runs beside the histogram rather than before it.
 */
export function rootTask(a: TrainArrays, c: number): void {
  const ip = a.ip;
  const groups = ip[5]!;
  if (c < groups) histogramChunk(a, c, groups, ip[2]!, -1, 0, ip[3]!, ip[4]!, a.bag);
  else rootSums(a, ip[3]!);
}

/** The root's rows bag[0 … n) into idx, and the sums of their gradients and hessians into fp[0], fp[1]. */
export function rootSums(a: TrainArrays, n: number): void {
  const { idx, gh, bag, fp } = a;
  let g = 0;
  let h = 0;
  for (let i = 0; i < n; i++) {
    const r = bag[i]!;
    idx[i] = r;
    g += gh[2 * r]!;
    h += gh[2 * r + 1]!;
  }
  fp[0] = g;
  fp[1] = h;
}

/** The first position of chunk c when [start, end) is cut into nc chunks. */
export function chunkStart(start: number, end: number, c: number, nc: number): number {
  return start + Math.floor(((end - start) * c) / nc);
}

/**
 * Log-loss gradients p − y and hessians p(1 − p) (floored so that no row has zero curvature), times the
 * row weight, for chunk c of the `count` rows (bag rows when useBag = 1). The WebAssembly twin (wasm.ts
 * gradients) gives the same doubles two rows at a time, about four times as fast as Math.exp here.
 */
export function gradientChunk(a: TrainArrays, c: number, nc: number, count: number, useBag: number): void {
  const { gh, margin, y, w, bag } = a;
  const k0 = chunkStart(0, count, c, nc);
  const k1 = chunkStart(0, count, c + 1, nc);
  const x = a.wasm;
  if (x !== null) {
    const [mb, yb, wb, bb, gb] = [
      margin.byteOffset,
      y.byteOffset,
      w.byteOffset,
      bag.byteOffset,
      gh.byteOffset,
    ];
    x.gradients(mb, yb, wb, bb, gb, k0, k1, useBag, w.length > 0 ? 1 : 0);
    return;
  }
  if (useBag === 0 && w.length === 0) {
    for (let i = k0; i < k1; i++) {
      const pr = 1 / (1 + Math.exp(-margin[i]!));
      gh[2 * i] = pr - y[i]!;
      gh[2 * i + 1] = Math.max(pr * (1 - pr), 1e-16);
    }
    return;
  }
  if (useBag === 1 && w.length === 0) {
    for (let k = k0; k < k1; k++) {
      const i = bag[k]!;
      const pr = 1 / (1 + Math.exp(-margin[i]!));
      gh[2 * i] = pr - y[i]!;
      gh[2 * i + 1] = Math.max(pr * (1 - pr), 1e-16);
    }
    return;
  }
  for (let k = k0; k < k1; k++) {
    const i = useBag === 1 ? bag[k]! : k;
    const pr = 1 / (1 + Math.exp(-margin[i]!));
    const g = pr - y[i]!;
    const h = Math.max(pr * (1 - pr), 1e-16);
    gh[2 * i] = w.length > 0 ? g * w[i]! : g;
    gh[2 * i + 1] = w.length > 0 ? h * w[i]! : h;
  }
}

/**
 * Builds the histogram at hOff for chunk c of the features (features[0 … nf)) over rows rows[start, end)
 * (a.idx unless given), then, unless pOff is −1, subtracts it from the parent's at pOff (which thereby
 * becomes the sibling's: the subtraction trick). Rows are read four at a time: their updates are independent unless they hit
 * the same bin, where the order of the statements keeps the row order, so each bin adds its rows in
 * index order, whoever runs the chunk.
 */
export function histogramChunk(
  a: TrainArrays,
  c: number,
  nc: number,
  hOff: number,
  pOff: number,
  start: number,
  end: number,
  nf: number,
  rows = a.idx,
): void {
  const { hist, offsets, nBins, features, p } = a;
  const fa = chunkStart(0, nf, c, nc);
  const fb = chunkStart(0, nf, c + 1, nc);
  // The pool may have been replaced by a larger one outside the WebAssembly memory (TreeGrower.take).
  const x = hist.buffer === a.idx.buffer ? a.wasm : null;
  for (let q = fa; q < fb; q++) {
    const f = features[q]!;
    const from = hOff + 3 * offsets[f]!;
    const count = 3 * nBins[f]!;
    if (x !== null) x.zero(hist.byteOffset + 8 * from, 8 * count);
    else hist.fill(0, from, from + count);
  }
  if (x !== null) {
    const { gh, rowBins } = a;
    const h = hist.byteOffset + 8 * hOff;
    const pairs = start + ((end - start) & ~1);
    const [ib, gb, bb, fe, of] = [
      rows.byteOffset,
      gh.byteOffset,
      rowBins.byteOffset,
      features.byteOffset,
      offsets.byteOffset,
    ];
    x.rows2(h, ib, start, pairs, gb, bb, p, fe, fa, fb, of);
    x.rows1(h, ib, pairs, end, gb, bb, p, fe, fa, fb, of);
  } else if (nf === p) accumulateRange(a, hOff, rows, start, end, fa, fb);
  else accumulateList(a, hOff, rows, start, end, fa, fb);
  if (pOff < 0) return;
  for (let q = fa; q < fb; q++) {
    const f = features[q]!;
    const from = 3 * offsets[f]!;
    const to = from + 3 * nBins[f]!;
    if (x !== null)
      x.subtract(hist.byteOffset + 8 * (pOff + from), hist.byteOffset + 8 * (hOff + from), to - from);
    else for (let k = from; k < to; k++) hist[pOff + k]! -= hist[hOff + k]!;
  }
}

/** Adds rows idx[start, end) (idx: a.idx or the bag) to the histogram at hOff for features fa … fb − 1 (all features in use). */
export function accumulateRange(
  a: TrainArrays,
  hOff: number,
  idx: Int32Array,
  start: number,
  end: number,
  fa: number,
  fb: number,
): void {
  const { hist, offsets, gh, rowBins, p } = a;
  let i = start;
  for (; i + 3 < end; i += 4) {
    const r0 = idx[i]!;
    const r1 = idx[i + 1]!;
    const r2 = idx[i + 2]!;
    const r3 = idx[i + 3]!;
    const g0 = gh[2 * r0]!;
    const h0 = gh[2 * r0 + 1]!;
    const g1 = gh[2 * r1]!;
    const h1 = gh[2 * r1 + 1]!;
    const g2 = gh[2 * r2]!;
    const h2 = gh[2 * r2 + 1]!;
    const g3 = gh[2 * r3]!;
    const h3 = gh[2 * r3 + 1]!;
    const b0 = r0 * p;
    const b1 = r1 * p;
    const b2 = r2 * p;
    const b3 = r3 * p;
    for (let f = fa; f < fb; f++) {
      const o = hOff + 3 * offsets[f]!;
      const k0 = o + 3 * rowBins[b0 + f]!;
      const k1 = o + 3 * rowBins[b1 + f]!;
      const k2 = o + 3 * rowBins[b2 + f]!;
      const k3 = o + 3 * rowBins[b3 + f]!;
      hist[k0]! += g0;
      hist[k0 + 1]! += h0;
      hist[k0 + 2]! += 1;
      hist[k1]! += g1;
      hist[k1 + 1]! += h1;
      hist[k1 + 2]! += 1;
      hist[k2]! += g2;
      hist[k2 + 1]! += h2;
      hist[k2 + 2]! += 1;
      hist[k3]! += g3;
      hist[k3 + 1]! += h3;
      hist[k3 + 2]! += 1;
    }
  }
  for (; i < end; i++) {
    const r = idx[i]!;
    const g = gh[2 * r]!;
    const h = gh[2 * r + 1]!;
    const rb = r * p;
    for (let f = fa; f < fb; f++) {
      const k = hOff + 3 * (offsets[f]! + rowBins[rb + f]!);
      hist[k]! += g;
      hist[k + 1]! += h;
      hist[k + 2]! += 1;
    }
  }
}

/** accumulateRange for the features features[qa … qb) (a sample of the features is in use). */
export function accumulateList(
  a: TrainArrays,
  hOff: number,
  idx: Int32Array,
  start: number,
  end: number,
  qa: number,
  qb: number,
): void {
  const { hist, offsets, features, gh, rowBins, p } = a;
  let i = start;
  for (; i + 3 < end; i += 4) {
    const r0 = idx[i]!;
    const r1 = idx[i + 1]!;
    const r2 = idx[i + 2]!;
    const r3 = idx[i + 3]!;
    const g0 = gh[2 * r0]!;
    const h0 = gh[2 * r0 + 1]!;
    const g1 = gh[2 * r1]!;
    const h1 = gh[2 * r1 + 1]!;
    const g2 = gh[2 * r2]!;
    const h2 = gh[2 * r2 + 1]!;
    const g3 = gh[2 * r3]!;
    const h3 = gh[2 * r3 + 1]!;
    const b0 = r0 * p;
    const b1 = r1 * p;
    const b2 = r2 * p;
    const b3 = r3 * p;
    for (let q = qa; q < qb; q++) {
      const f = features[q]!;
      const o = hOff + 3 * offsets[f]!;
      const k0 = o + 3 * rowBins[b0 + f]!;
      const k1 = o + 3 * rowBins[b1 + f]!;
      const k2 = o + 3 * rowBins[b2 + f]!;
      const k3 = o + 3 * rowBins[b3 + f]!;
      hist[k0]! += g0;
      hist[k0 + 1]! += h0;
      hist[k0 + 2]! += 1;
      hist[k1]! += g1;
      hist[k1 + 1]! += h1;
      hist[k1 + 2]! += 1;
      hist[k2]! += g2;
      hist[k2 + 1]! += h2;
      hist[k2 + 2]! += 1;
      hist[k3]! += g3;
      hist[k3 + 1]! += h3;
      hist[k3 + 2]! += 1;
    }
  }
  for (; i < end; i++) {
    const r = idx[i]!;
    const g = gh[2 * r]!;
    const h = gh[2 * r + 1]!;
    const rb = r * p;
    for (let q = qa; q < qb; q++) {
      const f = features[q]!;
      const k = hOff + 3 * (offsets[f]! + rowBins[rb + f]!);
      hist[k]! += g;
      hist[k + 1]! += h;
      hist[k + 2]! += 1;
    }
  }
}

/**
 * Partitions chunk c of rows idx[start, end) by a split: rows going left stay in idx from the chunk's
 * first position, in order; rows going right go to `right` from the same position. Writes the two
 * counts to ip[CHUNK_OUT + 2·out] and ip[CHUNK_OUT + 2·out + 1] (out: c unless given). Each row is
 * written to both sides and only the side it belongs to advances, so that there is no branch on the data
 * to mispredict. A categorical split reads its mask from catMask[mask …].
 */
export function partitionChunk(
  a: TrainArrays,
  c: number,
  nc: number,
  start: number,
  end: number,
  feature: number,
  t: number,
  dr: number,
  isCat: number,
  mask = 0,
  out = c,
): void {
  const { idx, right, colBins, catMask } = a;
  const base = feature * a.n;
  const s0 = chunkStart(start, end, c, nc);
  const s1 = chunkStart(start, end, c + 1, nc);
  let l = s0;
  let r = s0;
  const x = a.wasm;
  if (x !== null) {
    const run = isCat === 1 ? x.partitionCategorical : x.partitionNumeric;
    const m = catMask.byteOffset + mask;
    l = run(idx.byteOffset, right.byteOffset, s0, s1, colBins.byteOffset + base, t, dr, m);
    r = s0 + (s1 - l);
  } else if (isCat === 1) {
    for (let i = s0; i < s1; i++) {
      const row = idx[i]!;
      const left = catMask[mask + colBins[base + row]!]!;
      idx[l] = row;
      right[r] = row;
      l += left;
      r += left ^ 1;
    }
  } else {
    for (let i = s0; i < s1; i++) {
      const row = idx[i]!;
      const b = colBins[base + row]!;
      // b <= t, except that the missing bin (b = 0, where (b − 1) >>> 31 is 1) goes right when dr = 1.
      const left = (((t - b) >>> 31) ^ 1) & (1 ^ (((b - 1) >>> 31) & dr));
      idx[l] = row;
      right[r] = row;
      l += left;
      r += left ^ 1;
    }
  }
  a.ip[16 + 2 * out] = l - s0;
  a.ip[17 + 2 * out] = r - s0;
}

/**
 * Adds fp[at + 1] to the margins of chunk c of rows idx[start, end) that go left at a split, fp[at] to the
 * others (a categorical split reads its mask from catMask[mask …]).
 */
export function settleChunk(
  a: TrainArrays,
  c: number,
  nc: number,
  start: number,
  end: number,
  feature: number,
  t: number,
  dr: number,
  isCat: number,
  mask = 0,
  at = 0,
): void {
  const { idx, colBins, catMask, margin, fp } = a;
  const base = feature * a.n;
  const s0 = chunkStart(start, end, c, nc);
  const s1 = chunkStart(start, end, c + 1, nc);
  const x = a.wasm;
  if (x !== null) {
    const run = isCat === 1 ? x.settleCategorical : x.settleNumeric;
    run(
      idx.byteOffset,
      s0,
      s1,
      colBins.byteOffset + base,
      t,
      dr,
      catMask.byteOffset + mask,
      margin.byteOffset,
      fp.byteOffset + 8 * at,
    );
  } else if (isCat === 1) {
    for (let i = s0; i < s1; i++) {
      const row = idx[i]!;
      margin[row]! += fp[at + catMask[mask + colBins[base + row]!]!]!;
    }
  } else {
    for (let i = s0; i < s1; i++) {
      const row = idx[i]!;
      const b = colBins[base + row]!;
      margin[row]! += fp[at + ((((t - b) >>> 31) ^ 1) & (1 ^ (((b - 1) >>> 31) & dr)))]!;
    }
  }
}

/**
 * Claims and runs chunks of task `seq` until none is left (or a newer task replaced it). The claim word
 * holds the task's sequence number beside the next chunk, so that a thread late for one task never runs
 * a chunk of the next with the old one's idea of it.
 */
export function claimChunks(a: TrainArrays, seq: number, nChunks: number, kernel: Kernel): void {
  const ctrl = a.ctrl;
  for (;;) {
    const v = Atomics.load(ctrl, 1);
    if (v >>> 16 !== seq) return;
    const c = v & 0xffff;
    if (c >= nChunks) return;
    if (Atomics.compareExchange(ctrl, 1, v, v + 1) !== v) continue;
    kernel(a, c);
    if (Atomics.add(ctrl, 2, 1) + 1 >= nChunks) Atomics.notify(ctrl, 2);
  }
}

/** The helper thread: waits for a task, claims its chunks, and again; until told to stop. */
export function helperLoop(a: TrainArrays, kernels: readonly (Kernel | null)[]): void {
  const ctrl = a.ctrl;
  let seen = 0;
  try {
    attachWasm(a);
    for (;;) {
      // Tasks come every few tens of microseconds while a tree grows: the helper polls for a while
      // (some 0.1–0.2 ms) before it sleeps. Not longer: where another process holds a core, a polling
      // helper takes its time slices from the main thread (100,000 polls: 3.37 s on two threads against
      // 2.73 s with 10,000 and 2.74 s with 2,000, interleaved, load average 2, issue 12).
      let spins = 0;
      let seq = Atomics.load(ctrl, 0);
      while (seq === seen) {
        if (++spins > 10_000) {
          Atomics.wait(ctrl, 0, seen);
          spins = 0;
        }
        seq = Atomics.load(ctrl, 0);
      }
      if (Atomics.load(ctrl, 4) === 1) return;
      seen = seq;
      const kernel = kernels[a.ip[0]!];
      if (kernel !== null && kernel !== undefined) claimChunks(a, seq, a.ip[1]!, kernel);
    }
  } catch (err) {
    Atomics.store(ctrl, 3, 1);
    Atomics.notify(ctrl, 2);
    throw err;
  }
}
