import { Worker } from 'node:worker_threads';
import { RiskError } from '../../core/errors.js';
import {
  accumulateList,
  accumulateRange,
  attachWasm,
  chunkStart,
  claimChunks,
  gradientChunk,
  gradientTask,
  helperLoop,
  histogramChunk,
  histogramListTask,
  histogramTask,
  type Kernel,
  partitionChunk,
  partitionListTask,
  partitionTask,
  rootSums,
  rootTask,
  settleChunk,
  settleListTask,
  settleTask,
  splitJob,
  type TrainArrays,
} from './kernels.js';
import {
  findCategoricalSplit,
  findNumericSplit,
  gainGivenOutput,
  leafOutput,
  SplitInfo,
  searchListTask,
  thresholdL1,
} from './split.js';

/**
 * The words of TrainArrays.ctrl: the task sequence number the helper watches, the claim word
 * (sequence << 16 | next chunk), the count of finished chunks, an error flag and a stop flag.
 */
const SEQ = 0;
const CLAIM = 1;
const DONE = 2;
const FAILED = 3;
const STOP = 4;
/** Words of ctrl. */
export const CTRL_WORDS = 8;
/** Polls of a shared word before a thread sleeps on it (some microseconds: tasks come in quick bursts). */
const SPINS = 4000;
/** Milliseconds without a finished chunk after which the helper thread counts as lost. */
const LOST_MS = 120_000;
/** Parallel tasks after which the team judges its helper, and the share of them in which it may keep the
 * main thread waiting over a millisecond before the team goes on alone: on a machine whose cores are
 * busy with other work, the OS deschedules the helper in the middle of its chunks, and waiting for it
 * costs more than its help. */
const JUDGE_AFTER = 64;
const MAX_STALL_SHARE = 1 / 8;

/**
 * The main thread and, when asked for two threads, one helper thread, running the chunks of training
 * tasks (kernels.ts) on shared arrays. Both threads claim chunks from a shared counter until none is
 * left, so that a helper the OS has not scheduled costs nothing but its own chunks: the main thread then
 * runs them all. Which thread runs a chunk never changes its result.
 */
export class Team {
  private seq = 0;
  /** Parallel tasks run, and those in which the main thread waited over a millisecond for the helper. */
  private tasks = 0;
  private stalls = 0;

  private constructor(
    private readonly a: TrainArrays,
    private worker: Worker | null,
  ) {}

  /**
   * A team of `threads` (1 or 2) threads on arrays whose buffers are SharedArrayBuffers when threads is 2.
   * @example const team = Team.start(arrays, 2); team.run(TASK_GRADIENTS, 8); team.close();
   */
  static start(a: TrainArrays, threads: number): Team {
    if (threads < 2) return new Team(a, null);
    let worker: Worker;
    try {
      // The helper instantiates the histogram module itself (attachWasm): an instance cannot be sent.
      worker = new Worker(HELPER_SOURCE, { eval: true, workerData: { ...a, wasm: null } });
    } catch {
      // No thread to be had (a resource limit): the main thread does all the work, with the same result.
      return new Team(a, null);
    }
    // A failure while running is reported through the FAILED word, which run() checks; a helper that
    // never starts claims no chunk and costs nothing.
    worker.on('error', () => {});
    worker.unref();
    return new Team(a, worker);
  }

  /** How many threads run tasks. */
  get threads(): number {
    return this.worker === null ? 1 : 2;
  }

  /**
   * Runs the task described in a.ip (its parameters already written) as nChunks chunks, on the main
   * thread and the helper, and returns once every chunk has run.
   * @throws E_GBDT_WORKER when the helper thread failed
   */
  run(task: number, nChunks: number): void {
    const { ip, ctrl } = this.a;
    ip[0] = task;
    ip[1] = nChunks;
    const kernel = KERNELS[task] as Kernel;
    if (this.worker === null || nChunks === 1) {
      for (let c = 0; c < nChunks; c++) kernel(this.a, c);
      return;
    }
    this.seq = (this.seq + 1) & 0x7fff;
    Atomics.store(ctrl, DONE, 0);
    Atomics.store(ctrl, CLAIM, this.seq << 16);
    Atomics.store(ctrl, SEQ, this.seq);
    Atomics.notify(ctrl, SEQ);
    claimChunks(this.a, this.seq, nChunks, kernel);
    if (this.waitForHelper(nChunks)) this.stalls++;
    this.tasks++;
    if (this.tasks >= JUDGE_AFTER && this.stalls > MAX_STALL_SHARE * this.tasks) this.close();
  }

  /** Waits until all nChunks chunks are done; true when that took more than a millisecond. */
  private waitForHelper(nChunks: number): boolean {
    const ctrl = this.a.ctrl;
    let spins = 0;
    let waits = 0;
    for (;;) {
      const done = Atomics.load(ctrl, DONE);
      if (done >= nChunks) return waits > 0;
      if (Atomics.load(ctrl, FAILED) === 1) {
        throw new RiskError('E_GBDT_WORKER', 'the GBDT training helper thread failed; train with threads: 1');
      }
      if (++spins < SPINS) continue;
      // Sleep until the helper reports a chunk done; each millisecond without one counts (and lets the
      // error flag be checked).
      if (Atomics.wait(ctrl, DONE, done, 1) !== 'timed-out') continue;
      if (++waits > LOST_MS) {
        throw new RiskError('E_GBDT_WORKER', 'the GBDT training helper thread stopped answering');
      }
    }
  }

  /** Stops the helper thread; the team goes on with the main thread alone. */
  close(): void {
    if (this.worker === null) return;
    Atomics.store(this.a.ctrl, STOP, 1);
    Atomics.add(this.a.ctrl, SEQ, 1);
    Atomics.notify(this.a.ctrl, SEQ);
    void this.worker.terminate();
    this.worker = null;
  }
}

/** The kernel of each task, by id (TASK_GRADIENTS …). */
export const KERNELS: readonly (Kernel | null)[] = [
  null,
  gradientTask,
  histogramTask,
  partitionTask,
  settleTask,
  partitionListTask,
  settleListTask,
  histogramListTask,
  searchListTask,
  rootTask,
];

/**
 * The kernels as source text, for the helper thread: it runs the very functions the main thread runs.
 * They use nothing but their arguments, globals and functions of their own module (a bundler may rename
 * imports); transpilers may wrap functions in a __name(fn, name) helper to
 * keep their names, which the text defines as the identity. KERNEL_TABLE names them by task id.
 */
export const KERNEL_SOURCE = [
  'var __name = (f) => f;',
  ...[
    chunkStart,
    attachWasm,
    gradientChunk,
    gradientTask,
    histogramChunk,
    histogramTask,
    accumulateRange,
    accumulateList,
    partitionChunk,
    partitionTask,
    settleChunk,
    settleTask,
    partitionListTask,
    settleListTask,
    splitJob,
    histogramListTask,
    rootTask,
    rootSums,
    searchListTask,
    thresholdL1,
    leafOutput,
    gainGivenOutput,
    SplitInfo,
    findNumericSplit,
    findCategoricalSplit,
    claimChunks,
    helperLoop,
  ].map(String),
].join('\n');

/** The kernel table as source text (see KERNEL_SOURCE), by the names the functions are declared with. */
export const KERNEL_TABLE = `[${KERNELS.map((k) => (k === null ? 'null' : declaredName(k))).join(', ')}]`;

/** The name in a function's own source text (a bundler may have renamed it, whatever its .name says). */
function declaredName(fn: Kernel): string {
  const m = /^function\s+([\w$]+)/.exec(String(fn));
  if (m === null) {
    throw new RiskError('E_GBDT_WORKER', `kernel ${fn.name} must be a function declaration to be sent`);
  }
  return m[1] as string;
}

const HELPER_SOURCE = `${KERNEL_SOURCE}\nhelperLoop(require('node:worker_threads').workerData, ${KERNEL_TABLE});`;
