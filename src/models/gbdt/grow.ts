import { MAX_CHUNKS } from './arrays.js';
import type { BinnedData } from './binning.js';
import {
  CHUNK_OUT,
  chunkStart,
  JOB_WORDS,
  SEARCH_WORDS,
  TASK_HISTOGRAM,
  TASK_HISTOGRAM_LIST,
  TASK_PARTITION,
  TASK_PARTITION_LIST,
  TASK_ROOT,
  TASK_SEARCH_LIST,
  TASK_SETTLE,
  TASK_SETTLE_LIST,
  type TrainArrays,
} from './kernels.js';
import {
  findCategoricalSplit,
  findNumericSplit,
  gainGivenOutput,
  leafOutput,
  type NodeStats,
  SplitInfo,
  type SplitParams,
} from './split.js';
import type { Team } from './team.js';
import { emptyTree, type Tree } from './tree.js';

/** Limits on the shape of one tree, beside the split parameters. */
export interface GrowParams extends SplitParams {
  readonly maxDepth: number;
  readonly maxLeaves: number;
}

/** A leaf while the tree grows: its rows are idx[start, end). */
interface GrowLeaf extends NodeStats {
  start: number;
  end: number;
  readonly depth: number;
  /** Unshrunk output, clipped to [lo, hi]. */
  readonly output: number;
  /** Offset of its histogram in the pool, or −1. */
  hist: number;
  best: SplitInfo | null;
  /** The internal node this leaf hangs from (-1 for the root) and on which side. */
  parent: number;
  isLeft: boolean;
  /** True once the leaf's value has been added to its rows' margins (see TreeGrower.split). */
  settled: boolean;
  /** Its two children once it is split (level by level growth works them out before the tree is written). */
  kids: [GrowLeaf, GrowLeaf] | null;
}

/**
 * Row × feature updates below which a histogram is built by one thread (a hand-over costs microseconds;
 * 16,000 updates take some 20 µs in the WebAssembly loop). With 16,000 rather than 60,000, and partitions
 * cut from 8,192 rather than 32,768 rows, 83% rather than 70% of the kernels' time on the GBDT bench falls
 * in tasks the second thread can share (counted on one thread, issue 12).
 */
const PARALLEL_UPDATES = 16_000;
/** Feature groups a large histogram is cut into (more balance the threads better, but each re-reads the rows). */
const HISTOGRAM_CHUNKS = 4;
/** Rows per chunk of a partition (a node is cut from two chunks' worth). */
const PARTITION_ROWS = 4096;
/**
 * Best-first trees are worked out level-wise on two threads when they may hold at least all but
 * 1/PRUNED_SHARE of the leaves of a full tree of their depth (15 leaves at depth 4: a full tree has at
 * most one split more), since the splits worked out and not kept are wasted.
 */
const PRUNED_SHARE = 4;

/**
 * Grows regression trees on gradient/hessian pairs, best-first (the leaf with the largest gain splits
 * next) up to maxLeaves and maxDepth, with monotone bounds propagated LightGBM's "basic" way. Histograms,
 * partitions and margin updates run as team tasks (kernels.ts) on the training arrays; histograms live in
 * a pool of fixed-size slots reused across trees.
 */
export class TreeGrower {
  private readonly histSize: number;
  /** Free histogram slots (offsets into a.hist), and how many slots the pool holds. */
  private readonly free: number[] = [];
  private slots: number;

  /**
   * A grower on the training arrays `a` (whose histogram pool it takes over) and a team to run its tasks;
   * `growable` says whether the pool may be replaced by a larger one (not while a helper thread shares it).
   */
  constructor(
    private readonly data: BinnedData,
    private readonly params: GrowParams,
    private readonly a: TrainArrays,
    private readonly team: Team,
    private growable: boolean,
  ) {
    const p = data.bins.length;
    this.histSize = 3 * (a.offsets[p - 1]! + a.nBins[p - 1]!);
    this.slots = a.hist.length / this.histSize;
    for (let k = this.slots - 1; k >= 0; k--) this.free.push(k * this.histSize);
    // A tree's rows are read from a.bag: every row unless boosting writes a bag there before each tree.
    for (let i = 0; i < a.n; i++) a.bag[i] = i;
  }

  /**
   * Grows one tree on the gradients in a.gh, the bag rows (a.bag[0 … nBag), ascending; all rows when
   * nBag is null) and the first nFeatures of a.features, and adds its leaf values to a.margin for those
   * rows. Leaf values are multiplied by `shrinkage`.
   */
  grow(nBag: number | null, nFeatures: number, shrinkage: number): Tree {
    const prm = this.params;
    const { idx, ip, fp } = this.a;
    const n = nBag ?? this.a.n;
    // The root's histogram and its sums in one task (TASK_ROOT); the histogram is freed below if the
    // root cannot split.
    const rootHist = this.take();
    const groups = this.featureGroups(n, nFeatures);
    ip.set([rootHist, n, nFeatures, groups], 2);
    this.team.run(TASK_ROOT, groups + 1);
    const g = fp[0]!;
    const h = fp[1]!;
    const rootOut = leafOutput(g, h, prm.lambdaL1, prm.lambdaL2, -Infinity, Infinity);
    const root: GrowLeaf = {
      start: 0,
      end: n,
      depth: 0,
      g,
      h,
      c: n,
      lo: -Infinity,
      hi: Infinity,
      output: rootOut,
      gainShift: gainGivenOutput(g, h, prm.lambdaL1, prm.lambdaL2, rootOut) + prm.minSplitGain,
      hist: -1,
      best: null,
      parent: -1,
      isLeft: false,
      settled: false,
      kids: null,
    };
    const leaves: GrowLeaf[] = [root];
    root.hist = rootHist;
    if (this.canSplit(root)) this.findBest([root], nFeatures);
    else {
      this.free.push(rootHist);
      root.hist = -1;
    }
    const tree = emptyTree();
    // With room for every leaf a full tree of maxDepth has, every leaf that can split does, whichever
    // order they are taken in: all splits of a level are then worked out together (one task per step for
    // the threads instead of one per node), and the tree is written in best-first order as before.
    // With room for nearly all of them (the defaults: 15 leaves at depth 4) and a helper thread, the full
    // tree is worked out the same way and the best-first loop below keeps the splits best-first growth
    // takes (a node's best split depends on its rows alone); the values of the leaves kept are then added
    // to the margins at the end. A full tree costs a few splits more, which repays only on two threads.
    const full = 2 ** prm.maxDepth;
    const levelWise = prm.maxLeaves >= full;
    const pruned = !levelWise && this.team.threads > 1 && prm.maxLeaves >= full - full / PRUNED_SHARE;
    if (levelWise || pruned) this.growLevels(root, nFeatures, shrinkage, pruned);
    while (leaves.length < prm.maxLeaves) {
      let pick = -1;
      let bestGain = Number.NEGATIVE_INFINITY;
      for (let l = 0; l < leaves.length; l++) {
        const b = (leaves[l] as GrowLeaf).best;
        if (b !== null && b.gain > bestGain) {
          bestGain = b.gain;
          pick = l;
        }
      }
      if (pick < 0) break;
      if (levelWise || pruned) this.record(pick, leaves, tree, shrinkage);
      else this.split(pick, leaves, tree, nFeatures, shrinkage);
    }
    if (pruned) this.settleLeaves(leaves, shrinkage);
    const out = tree as { numLeaves: number } & Tree;
    out.numLeaves = leaves.length;
    out.leafValue.length = 0;
    out.leafCount.length = 0;
    out.leafWeight.length = 0;
    const margin = this.a.margin;
    for (const leaf of leaves) {
      const v = leaf.output * shrinkage;
      out.leafValue.push(v);
      out.leafCount.push(leaf.c);
      out.leafWeight.push(leaf.h);
      if (!leaf.settled) for (let i = leaf.start; i < leaf.end; i++) margin[idx[i]!]! += v;
      if (leaf.hist >= 0) this.free.push(leaf.hist);
      leaf.hist = -1;
    }
    return out;
  }

  private canSplit(leaf: GrowLeaf): boolean {
    const p = this.params;
    return leaf.depth < p.maxDepth && leaf.c >= 2 * p.minDataInLeaf && leaf.h >= 2 * p.minChildWeight;
  }

  /**
   * Builds the histogram of rows idx[start, end) in slot `hist`, and subtracts it from slot `parent`
   * unless that is −1. Large ones are cut into feature groups that both threads take from.
   */
  private build(hist: number, parent: number, start: number, end: number, nFeatures: number): void {
    const ip = this.a.ip;
    ip[2] = hist;
    ip[3] = parent;
    ip[4] = start;
    ip[5] = end;
    ip[6] = nFeatures;
    this.team.run(TASK_HISTOGRAM, this.featureGroups(end - start, nFeatures));
  }

  /** Feature groups a histogram of `rows` rows is built in: more than one only when two threads share it. */
  private featureGroups(rows: number, nFeatures: number): number {
    const big = this.team.threads > 1 && rows * nFeatures >= PARALLEL_UPDATES;
    return big ? Math.min(nFeatures, HISTOGRAM_CHUNKS) : 1;
  }

  /** A free histogram slot; the pool grows if none is left. */
  private take(): number {
    const slot = this.free.pop();
    if (slot !== undefined) return slot;
    if (!this.growable) {
      // A shared pool is sized for every leaf that can hold a histogram, so this should not happen; if
      // it does, the helper thread (which cannot see a new pool) is let go and the pool grows as usual.
      this.team.close();
      this.growable = true;
    }
    const old = this.a.hist;
    const grown = new Float64Array(2 * old.length);
    grown.set(old);
    this.a.hist = grown;
    for (let k = 2 * this.slots - 1; k > this.slots; k--) this.free.push(k * this.histSize);
    const slot2 = this.slots * this.histSize;
    this.slots *= 2;
    return slot2;
  }

  /** Finds the best split of each leaf given that can split; frees the histograms of the others. */
  private findBest(leaves: readonly GrowLeaf[], nFeatures: number): void {
    for (const leaf of leaves) {
      if (this.canSplit(leaf)) this.search(leaf, nFeatures);
      if (leaf.best === null && leaf.hist >= 0) {
        this.free.push(leaf.hist);
        leaf.hist = -1;
      }
    }
  }

  private search(leaf: GrowLeaf, nFeatures: number): void {
    const best = new SplitInfo();
    best.gain = 0;
    const { hist, offsets, nBins, features, isCat, monotone, split } = this.a;
    for (let i = 0; i < nFeatures; i++) {
      const f = features[i]!;
      const base = leaf.hist + 3 * offsets[f]!;
      if (isCat[f] === 1) findCategoricalSplit(hist, base, nBins[f]!, f, leaf, split, best);
      else findNumericSplit(hist, base, nBins[f]!, f, monotone[f]!, leaf, split, best);
    }
    if (best.found) leaf.best = best;
  }

  /** Splits leaves[pick] best-first: writes the node, then partitions its rows and searches its children. */
  private split(pick: number, leaves: GrowLeaf[], tree: Tree, nFeatures: number, shrinkage: number): void {
    const leaf = leaves[pick] as GrowLeaf;
    const s = leaf.best as SplitInfo;
    leaf.kids = this.children(leaf);
    const [left, right] = this.record(pick, leaves, tree, shrinkage);
    const parentHist = leaf.hist;
    leaf.hist = -1;
    this.describeSplit(leaf, s);
    if (!this.canSplit(left) && !this.canSplit(right)) {
      // Neither child will split again: their rows are needed only to add the leaf values to the margins,
      // which one pass does without partitioning them.
      this.a.fp[0] = s.rightOut * shrinkage;
      this.a.fp[1] = s.leftOut * shrinkage;
      this.team.run(TASK_SETTLE, this.rowChunks(leaf.end - leaf.start));
      left.settled = true;
      right.settled = true;
      this.free.push(parentHist);
      return;
    }
    const mid = this.partition(leaf.start, leaf.end);
    left.end = mid;
    right.start = mid;
    // Build the smaller child's histogram and get the larger one's by subtraction from the parent.
    const [small, large] = left.c <= right.c ? [left, right] : [right, left];
    small.hist = this.take();
    this.build(small.hist, parentHist, small.start, small.end, nFeatures);
    large.hist = parentHist;
    this.findBest([left, right], nFeatures);
  }

  /**
   * Writes the split of leaves[pick] (whose children are in its kids) into the tree as the next internal
   * node, and puts its children in its place in `leaves` (left) and at the end (right); returns them.
   */
  private record(pick: number, leaves: GrowLeaf[], tree: Tree, shrinkage: number): [GrowLeaf, GrowLeaf] {
    const leaf = leaves[pick] as GrowLeaf;
    const s = leaf.best as SplitInfo;
    const kids = leaf.kids as [GrowLeaf, GrowLeaf];
    const node = tree.splitFeature.length;
    const info = this.data.info[s.feature];
    tree.splitFeature.push(s.feature);
    tree.thresholdBin.push(s.thresholdBin);
    tree.threshold.push(info?.kind === 'numeric' ? (info.upper[s.thresholdBin - 1] as number) : 0);
    tree.defaultLeft.push(s.defaultLeft ? 1 : 0);
    tree.catLeft.push(s.catLeft === null ? null : s.catLeft.map((b) => b - 1));
    tree.splitGain.push(s.gain);
    tree.internalValue.push(leaf.output * shrinkage);
    tree.internalCount.push(leaf.c);
    tree.internalWeight.push(leaf.h);
    tree.leftChild.push(~pick);
    tree.rightChild.push(~leaves.length);
    if (leaf.parent >= 0) {
      if (leaf.isLeft) tree.leftChild[leaf.parent] = node;
      else tree.rightChild[leaf.parent] = node;
    }
    kids[0].parent = node;
    kids[1].parent = node;
    leaves[pick] = kids[0];
    leaves.push(kids[1]);
    return kids;
  }

  /** The two children of a leaf at its best split, over the leaf's rows until they are partitioned. */
  private children(leaf: GrowLeaf): [GrowLeaf, GrowLeaf] {
    const s = leaf.best as SplitInfo;
    // Monotone bounds: the children of a constrained split are separated at the midpoint of their outputs.
    let loL = leaf.lo;
    let hiL = leaf.hi;
    let loR = leaf.lo;
    let hiR = leaf.hi;
    const mono = this.a.monotone[s.feature]!;
    if (mono !== 0) {
      const m = (s.leftOut + s.rightOut) / 2;
      if (mono > 0) {
        hiL = Math.min(hiL, m);
        loR = Math.max(loR, m);
      } else {
        loL = Math.max(loL, m);
        hiR = Math.min(hiR, m);
      }
    }
    const p = this.params;
    const child = (
      g: number,
      h: number,
      c: number,
      out: number,
      lo: number,
      hi: number,
      isLeft: boolean,
    ): GrowLeaf => ({
      start: leaf.start,
      end: leaf.end,
      depth: leaf.depth + 1,
      g,
      h,
      c,
      lo,
      hi,
      output: out,
      gainShift: gainGivenOutput(g, h, p.lambdaL1, p.lambdaL2, out) + p.minSplitGain,
      hist: -1,
      best: null,
      parent: -1,
      isLeft,
      settled: false,
      kids: null,
    });
    return [
      child(s.leftG, s.leftH, s.leftC, s.leftOut, loL, hiL, true),
      child(s.rightG, s.rightH, s.rightC, s.rightOut, loR, hiR, false),
    ];
  }

  /**
   * Works out every split below `root` (whose best split is known) a level at a time, as split() does
   * node by node: the settles, the partitions and the histograms of a level each run as one task. When
   * `pruned`, the leaves' values are not settled (the tree keeps only some of the splits): every split is
   * partitioned, and settleLeaves adds the values of the leaves kept.
   */
  private growLevels(root: GrowLeaf, nFeatures: number, shrinkage: number, pruned: boolean): void {
    let level = root.best === null ? [] : [root];
    while (level.length > 0) {
      const settle: GrowLeaf[] = [];
      const part: GrowLeaf[] = [];
      for (const leaf of level) {
        leaf.kids = this.children(leaf);
        if (this.canSplit(leaf.kids[0]) || this.canSplit(leaf.kids[1])) part.push(leaf);
        else settle.push(leaf);
      }
      if (pruned) this.splitAll(settle, TASK_PARTITION_LIST, shrinkage);
      else this.splitAll(settle, TASK_SETTLE_LIST, shrinkage);
      for (const leaf of settle) {
        for (const kid of leaf.kids as [GrowLeaf, GrowLeaf]) kid.settled = !pruned;
        this.free.push(leaf.hist);
        leaf.hist = -1;
      }
      this.splitAll(part, TASK_PARTITION_LIST, shrinkage);
      this.buildAll(part, nFeatures);
      const kids = part.flatMap((leaf) => leaf.kids as [GrowLeaf, GrowLeaf]);
      this.searchAll(kids, nFeatures);
      level = kids.filter((kid) => kid.best !== null);
    }
  }

  /**
   * Settles (TASK_SETTLE_LIST) or partitions (TASK_PARTITION_LIST) the rows of the given leaves at their
   * best splits, as few tasks as the job list allows; a partition then sets the children's row ranges.
   */
  private splitAll(leaves: readonly GrowLeaf[], task: number, shrinkage: number): void {
    const { jobs, catMask, fp } = this.a;
    const write = (leaf: GrowLeaf, first: number, pieces: number): void => {
      const s = leaf.best as SplitInfo;
      const dr = s.defaultLeft ? 0 : 1;
      for (let k = 0; k < pieces; k++) {
        const c = first + k;
        jobs.set(
          [leaf.start, leaf.end, k, pieces, s.feature, s.thresholdBin, dr, s.catLeft === null ? 0 : 1],
          JOB_WORDS * c,
        );
        if (s.catLeft !== null) {
          const mask = catMask.subarray(256 * c, 256 * (c + 1));
          mask.fill(0);
          for (const b of s.catLeft) mask[b] = 1;
          mask[0] = dr ^ 1;
        }
        fp[2 * c] = s.rightOut * shrinkage;
        fp[2 * c + 1] = s.leftOut * shrinkage;
      }
    };
    const assembled = (batch: readonly [GrowLeaf, number, number][]): void => {
      for (const [leaf, first, pieces] of batch) {
        const mid = this.assemble(leaf.start, leaf.end, first, pieces);
        const [left, right] = leaf.kids as [GrowLeaf, GrowLeaf];
        left.end = mid;
        right.start = mid;
      }
    };
    const pieces = (leaf: GrowLeaf): number => this.rowChunks(leaf.end - leaf.start);
    this.runJobs(task, leaves, pieces, write, task === TASK_PARTITION_LIST ? assembled : undefined);
  }

  /**
   * Runs `task` over job lists: each leaf takes pieces(leaf) consecutive jobs, written by write(leaf,
   * first job, pieces); the task runs whenever the next leaf's jobs would not fit in MAX_CHUNKS, and at the
   * end. `after` is given each run's leaves with their first job and piece count once it has run.
   */
  private runJobs(
    task: number,
    leaves: readonly GrowLeaf[],
    pieces: (leaf: GrowLeaf) => number,
    write: (leaf: GrowLeaf, first: number, pieces: number) => void,
    after?: (batch: readonly [GrowLeaf, number, number][]) => void,
  ): void {
    let batch: [GrowLeaf, number, number][] = [];
    let nJobs = 0;
    const flush = (): void => {
      this.team.run(task, nJobs);
      after?.(batch);
      batch = [];
      nJobs = 0;
    };
    for (const leaf of leaves) {
      const k = pieces(leaf);
      if (nJobs + k > MAX_CHUNKS) flush();
      write(leaf, nJobs, k);
      batch.push([leaf, nJobs, k]);
      nJobs += k;
    }
    if (nJobs > 0) flush();
  }

  /**
   * findBest for the leaves of a level: on two threads their searches run as tasks (TASK_SEARCH_LIST, a
   * leaf per chunk, each as search() would), the results read back into SplitInfos.
   */
  private searchAll(leaves: readonly GrowLeaf[], nFeatures: number): void {
    const open = leaves.filter((leaf) => this.canSplit(leaf));
    if (this.team.threads === 1 || open.length < 2) {
      this.findBest(leaves, nFeatures);
      return;
    }
    const { search: sr, cats, ip } = this.a;
    for (let at = 0; at < open.length; at += MAX_CHUNKS) {
      const batch = open.slice(at, at + MAX_CHUNKS);
      batch.forEach((leaf, c) => {
        sr.set([leaf.g, leaf.h, leaf.c, leaf.lo, leaf.hi, leaf.gainShift, leaf.hist], SEARCH_WORDS * c);
      });
      ip[2] = nFeatures;
      this.team.run(TASK_SEARCH_LIST, batch.length);
      batch.forEach((leaf, c) => {
        const o = SEARCH_WORDS * c + 7;
        if (sr[o] !== 1) return;
        const b = new SplitInfo();
        [b.gain, b.feature, b.thresholdBin] = [sr[o + 1]!, sr[o + 2]!, sr[o + 3]!];
        b.defaultLeft = sr[o + 4] === 1;
        [b.leftG, b.leftH, b.leftC] = [sr[o + 5]!, sr[o + 6]!, sr[o + 7]!];
        [b.rightG, b.rightH, b.rightC] = [sr[o + 8]!, sr[o + 9]!, sr[o + 10]!];
        [b.leftOut, b.rightOut] = [sr[o + 11]!, sr[o + 12]!];
        const n = cats[257 * c]!;
        b.catLeft = n < 0 ? null : Array.from(cats.subarray(257 * c + 1, 257 * c + 1 + n));
        leaf.best = b;
      });
    }
    for (const leaf of leaves) {
      if (leaf.best === null && leaf.hist >= 0) {
        this.free.push(leaf.hist);
        leaf.hist = -1;
      }
    }
  }

  /**
   * Adds each leaf's value (output × shrinkage) to the margins of its rows, as few tasks as the job list
   * allows: a settle job whose split sends every row left (threshold bin 255 on feature 0, missing left).
   */
  private settleLeaves(leaves: readonly GrowLeaf[], shrinkage: number): void {
    const { jobs, fp } = this.a;
    const write = (leaf: GrowLeaf, first: number, pieces: number): void => {
      leaf.settled = true;
      const v = leaf.output * shrinkage;
      for (let k = 0; k < pieces; k++) {
        jobs.set([leaf.start, leaf.end, k, pieces, 0, 255, 0, 0], JOB_WORDS * (first + k));
        fp[2 * (first + k)] = v;
        fp[2 * (first + k) + 1] = v;
      }
    };
    this.runJobs(TASK_SETTLE_LIST, leaves, (leaf) => this.rowChunks(leaf.end - leaf.start), write);
  }

  /**
   * Builds the histograms of the smaller child of each given (partitioned) leaf, the larger child taking
   * the leaf's histogram less the smaller one's, as few tasks as the job list allows.
   */
  private buildAll(leaves: readonly GrowLeaf[], nFeatures: number): void {
    const { jobs, ip } = this.a;
    ip[2] = nFeatures;
    const smaller = (leaf: GrowLeaf): [GrowLeaf, GrowLeaf] => {
      const [left, right] = leaf.kids as [GrowLeaf, GrowLeaf];
      return left.c <= right.c ? [left, right] : [right, left];
    };
    const groups = (leaf: GrowLeaf): number => {
      const [small] = smaller(leaf);
      return this.featureGroups(small.end - small.start, nFeatures);
    };
    const write = (leaf: GrowLeaf, first: number, n: number): void => {
      const [small, large] = smaller(leaf);
      small.hist = this.take();
      large.hist = leaf.hist;
      leaf.hist = -1;
      for (let k = 0; k < n; k++) {
        jobs.set([small.hist, large.hist, small.start, small.end, k, n], JOB_WORDS * (first + k));
      }
    };
    this.runJobs(TASK_HISTOGRAM_LIST, leaves, groups, write);
  }

  /** Writes split s of the leaf into the partition and settle parameters (ip[2 … 7], catMask). */
  private describeSplit(leaf: GrowLeaf, s: SplitInfo): void {
    const { ip, catMask } = this.a;
    const dr = s.defaultLeft ? 0 : 1;
    ip[2] = leaf.start;
    ip[3] = leaf.end;
    ip[4] = s.feature;
    ip[5] = s.thresholdBin;
    ip[6] = dr;
    ip[7] = s.catLeft === null ? 0 : 1;
    if (s.catLeft !== null) {
      catMask.fill(0);
      for (const b of s.catLeft) catMask[b] = 1;
      catMask[0] = dr ^ 1;
    }
  }

  /**
   * Stable partition of rows idx[start, end) by the split in ip (those going left first); returns the
   * first right position. Each chunk leaves its left rows in place and its right rows in a.right; the
   * chunks' pieces are then put together in order.
   */
  private partition(start: number, end: number): number {
    const nc = this.rowChunks(end - start);
    this.team.run(TASK_PARTITION, nc);
    return this.assemble(start, end, 0, nc);
  }

  /**
   * Puts together the pieces of a partition of rows idx[start, end) cut into `pieces` chunks whose counts
   * are at ip[CHUNK_OUT + 2·(first + k) …]; returns the first right position.
   */
  private assemble(start: number, end: number, first: number, pieces: number): number {
    const ip = this.a.ip;
    let at = start + ip[CHUNK_OUT + 2 * first]!;
    for (let k = 1; k < pieces; k++) {
      const s0 = chunkStart(start, end, k, pieces);
      const nl = ip[CHUNK_OUT + 2 * (first + k)]!;
      this.moveRows(at, s0, nl, false);
      at += nl;
    }
    const mid = at;
    for (let k = 0; k < pieces; k++) {
      const s0 = chunkStart(start, end, k, pieces);
      const nr = ip[CHUNK_OUT + 2 * (first + k) + 1]!;
      this.moveRows(at, s0, nr, true);
      at += nr;
    }
    return mid;
  }

  /** Copies `count` row indices from idx (or right) at `from` to idx at `to` (the ranges may overlap). */
  private moveRows(to: number, from: number, count: number, fromRight: boolean): void {
    const { idx, right, wasm } = this.a;
    // memory.copy where the arrays live in the WebAssembly memory: a typed array's copyWithin and set on
    // a shared buffer copy element by element, and set needs a subarray.
    if (wasm !== null)
      wasm.copy(idx.byteOffset + 4 * to, (fromRight ? right : idx).byteOffset + 4 * from, 4 * count);
    else if (fromRight) idx.set(right.subarray(from, from + count), to);
    else idx.copyWithin(to, from, from + count);
  }

  private rowChunks(rows: number): number {
    return this.team.threads > 1 ? Math.max(1, Math.min(8, Math.floor(rows / PARTITION_ROWS))) : 1;
  }
}
