import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/core/artifact.js';
import { createTrainArrays } from '../../../src/models/gbdt/arrays.js';
import { applyBins, fitBins, parseGbdtOptions, trainGbdt } from '../../../src/models/gbdt/index.js';
import {
  type Kernel,
  TASK_GRADIENTS,
  TASK_HISTOGRAM,
  TASK_HISTOGRAM_LIST,
  TASK_PARTITION,
  TASK_PARTITION_LIST,
  TASK_SEARCH_LIST,
  TASK_SETTLE_LIST,
  type TrainArrays,
} from '../../../src/models/gbdt/kernels.js';
import { KERNEL_SOURCE, KERNEL_TABLE, KERNELS } from '../../../src/models/gbdt/team.js';
import { creditSample, slice } from './helpers.js';

// Large enough that histograms, partitions and gradient passes are cut into chunks for two threads.
const sample = creditSample(44_000, 31);
const train = slice(sample, 0, 40_000);
const valid = slice(sample, 40_000, 44_000);

function binned(opts: Record<string, unknown>) {
  const params = parseGbdtOptions(opts);
  const info = fitBins(train.x, { maxBins: params.maxBins, sampleSize: params.binSampleSize, seed: 1 });
  return {
    params,
    data: applyBins(train.x, train.x.names, info),
    validData: applyBins(valid.x, train.x.names, info),
  };
}

describe('training on two threads', () => {
  it('grows the same trees as on one thread, to the last bit', () => {
    const { params, data, validData } = binned({
      nEstimators: 12,
      maxDepth: 5,
      maxLeaves: 20,
      subsample: 0.8,
      colsampleByTree: 0.8,
      minDataInLeaf: 5,
    });
    const weights = Float64Array.from(train.y, (_, i) => 0.5 + (i % 5) / 4);
    const run = (threads: 1 | 2) =>
      trainGbdt(data, train.y, params, {
        threads,
        sampleWeight: weights,
        validation: { data: validData, y: valid.y },
      });
    const one = run(1);
    const two = run(2);
    expect(one.trees).toHaveLength(12);
    expect(canonicalJson(two)).toBe(canonicalJson(one));
    // Categorical splits were taken, so their partitions ran through the kernels too.
    expect(one.trees.some((t) => t.catLeft.some((c) => c !== null))).toBe(true);
  });

  it('also without bagging, sampling or weights (the fast paths of the kernels)', () => {
    const { params, data } = binned({ nEstimators: 6, maxDepth: 4, maxLeaves: 16 });
    expect(canonicalJson(trainGbdt(data, train.y, params, { threads: 2 }))).toBe(
      canonicalJson(trainGbdt(data, train.y, params, { threads: 1 })),
    );
  });
});

describe('kernel source sent to the helper thread', () => {
  const run = (a: TrainArrays, c: number): void => (KERNELS[a.ip[0]!] as Kernel)(a, c);

  /** Arrays with margins, features and row indices set, and gradients computed unless `bare`. */
  function arrays(bare: boolean): TrainArrays {
    const { params, data } = binned({});
    const a = createTrainArrays(data, train.y, undefined, params, [0, -1, 0, 0, 0], 2, false);
    for (let i = 0; i < a.n; i++) a.margin[i] = ((i % 13) - 6) / 4;
    for (let i = 0; i < a.n; i++) a.idx[i] = i;
    a.features.set([0, 1, 2, 3, 4]);
    a.catMask.set([1, 0, 1, 1, 0, 1]);
    if (!bare) {
      a.ip.set([TASK_GRADIENTS, 1, a.n, 0]);
      run(a, 0);
    }
    return a;
  }
  // [name, task, chunks, parameters ip[2 …]]: partitions on util (missing to the right) and on region (by
  // catMask).
  const tasks: [string, number, number, number[]][] = [
    ['gradients', TASK_GRADIENTS, 3, [40_000, 0]],
    ['histogram', TASK_HISTOGRAM, 3, [0, -1, 0, 40_000, 5]],
    ['numeric partition', TASK_PARTITION, 3, [0, 40_000, 2, 7, 1, 0]],
    ['categorical partition', TASK_PARTITION, 3, [0, 40_000, 3, 0, 1, 1]],
  ];

  /** The kernels as the helper thread defines them, by task id. */
  function helperKernels(): Record<string, unknown> {
    // No module scope and no imports: what the helper thread has.
    const context: Record<string, unknown> = {};
    runInNewContext(`${KERNEL_SOURCE}\nvar table = ${KERNEL_TABLE};`, context);
    return context;
  }

  it('runs in a context of its own, with the same results as the main thread', () => {
    const context = helperKernels();
    const claim = context.claimChunks as (a: TrainArrays, seq: number, n: number, k: unknown) => void;
    const table = context.table as unknown[];
    for (const [name, task, chunks, params] of tasks) {
      const mine = arrays(task === TASK_GRADIENTS);
      const theirs = arrays(task === TASK_GRADIENTS);
      for (const a of [mine, theirs]) a.ip.set([task, chunks, ...params]);
      for (let c = 0; c < chunks; c++) run(mine, c);
      Atomics.store(theirs.ctrl, 1, 5 << 16);
      claim(theirs, 5, chunks, table[task]);
      expect(Atomics.load(theirs.ctrl, 2), name).toBe(chunks);
      for (const key of ['gh', 'hist', 'idx', 'right', 'ip'] as const) {
        expect(Array.from(theirs[key]), `${name} ${key}`).toEqual(Array.from(mine[key]));
      }
    }
  });

  it('runs the job lists of a tree level in its own context, with the same results as the main thread', () => {
    const context = helperKernels();
    const claim = context.claimChunks as (a: TrainArrays, seq: number, n: number, k: unknown) => void;
    const table = context.table as unknown[];
    // Two nodes: rows [0, 20,000) on util (missing right) in two pieces, rows [20,000, 40,000) on region
    // by its own mask (job 2); histograms: the first node in two feature groups, the second in one.
    const lists: [string, number, number[][]][] = [
      [
        'partition list',
        TASK_PARTITION_LIST,
        [
          [0, 20_000, 0, 2, 2, 7, 1, 0],
          [0, 20_000, 1, 2, 2, 7, 1, 0],
          [20_000, 40_000, 0, 1, 3, 0, 1, 1],
        ],
      ],
      [
        'settle list',
        TASK_SETTLE_LIST,
        [
          [0, 20_000, 0, 2, 2, 7, 1, 0],
          [0, 20_000, 1, 2, 2, 7, 1, 0],
          [20_000, 40_000, 0, 1, 3, 0, 1, 1],
        ],
      ],
      ['histogram list', TASK_HISTOGRAM_LIST, []],
    ];
    for (const [name, task, jobs] of lists) {
      const mine = arrays(false);
      const theirs = arrays(false);
      const size = mine.hist.length / 2;
      const all =
        task === TASK_HISTOGRAM_LIST
          ? [
              [0, -1, 0, 20_000, 0, 2],
              [0, -1, 0, 20_000, 1, 2],
              [size, -1, 20_000, 40_000, 0, 1],
            ]
          : jobs;
      for (const a of [mine, theirs]) {
        a.ip.set([task, all.length, 5]);
        all.forEach((job, c) => {
          a.jobs.set(job, 8 * c);
          a.fp.set([0.5 * c, -0.25 * c - 0.125], 2 * c);
        });
        a.catMask.set([0, 1, 0, 1, 1, 0], 2 * 256);
      }
      for (let c = 0; c < all.length; c++) run(mine, c);
      Atomics.store(theirs.ctrl, 1, 7 << 16);
      claim(theirs, 7, all.length, table[task]);
      expect(Atomics.load(theirs.ctrl, 2), name).toBe(all.length);
      for (const key of ['hist', 'idx', 'right', 'ip', 'margin'] as const) {
        expect(Array.from(theirs[key]), `${name} ${key}`).toEqual(Array.from(mine[key]));
      }
      // The jobs did something: rows moved right, margins moved, bins filled.
      if (task === TASK_PARTITION_LIST) expect(mine.ip[16 + 5]! > 0).toBe(true);
      if (task === TASK_SETTLE_LIST) expect(mine.margin.some((m, i) => m !== ((i % 13) - 6) / 4)).toBe(true);
      if (task === TASK_HISTOGRAM_LIST) {
        // Every row counted once per feature in use, in each of the two histograms.
        let rows = 0;
        for (let k = size + 2; k < 2 * size; k += 3) rows += mine.hist[k]!;
        expect(rows).toBe(5 * 20_000);
      }
    }
  });

  it('searches splits in its own context as the main thread does, categorical ones too', () => {
    const context = helperKernels();
    const claim = context.claimChunks as (a: TrainArrays, seq: number, n: number, k: unknown) => void;
    const pair = [arrays(false), arrays(false)] as const;
    for (const a of pair) {
      // Histograms of rows [0, 20,000) and [20,000, 40,000) in slots 0 and 1, then a search of each.
      const size = a.hist.length / 2;
      a.ip.set([TASK_HISTOGRAM_LIST, 2, 5]);
      a.jobs.set([0, -1, 0, 20_000, 0, 1, 0, 0, size, -1, 20_000, 40_000, 0, 1]);
      run(a, 0);
      run(a, 1);
      [0, 1].forEach((k) => {
        let g = 0;
        let h = 0;
        for (let i = 20_000 * k; i < 20_000 * (k + 1); i++) {
          g += a.gh[2 * i]!;
          h += a.gh[2 * i + 1]!;
        }
        a.search.set([g, h, 20_000, -Infinity, Infinity, (g * g) / (h + 1), k * size], 24 * k);
      });
      a.ip.set([TASK_SEARCH_LIST, 2, 5]);
    }
    const [mine, theirs] = pair;
    run(mine, 0);
    run(mine, 1);
    Atomics.store(theirs.ctrl, 1, 9 << 16);
    claim(theirs, 9, 2, (context.table as unknown[])[TASK_SEARCH_LIST]);
    expect(Array.from(theirs.search)).toEqual(Array.from(mine.search));
    expect(Array.from(theirs.cats)).toEqual(Array.from(mine.cats));
    // Both nodes found a split (found = 1, positive gain).
    expect([mine.search[7], mine.search[24 + 7]]).toEqual([1, 1]);
    expect(mine.search[8]! > 0).toBe(true);
  });

  it('claims no chunk of a task whose sequence number has moved on', () => {
    const context = helperKernels();
    const claim = context.claimChunks as (a: TrainArrays, seq: number, n: number, k: unknown) => void;
    const a = arrays(true);
    a.ip.set([TASK_GRADIENTS, 3, 40_000, 0]);
    Atomics.store(a.ctrl, 1, 6 << 16);
    claim(a, 5, 3, (context.table as unknown[])[TASK_GRADIENTS]);
    expect(Atomics.load(a.ctrl, 2)).toBe(0);
    expect(a.gh.every((v) => v === 0)).toBe(true);
  });
});
