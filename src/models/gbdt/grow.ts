import type { BinnedData } from './binning.js';
import { binCount } from './binning.js';
import { buildHistogram, subtractHistogram, toRowMajor } from './histogram.js';
import {
  findCategoricalSplit,
  findNumericSplit,
  gainGivenOutput,
  leafOutput,
  type NodeStats,
  SplitInfo,
  type SplitParams,
} from './split.js';
import { emptyTree, type Tree } from './tree.js';

/** Limits on the shape of one tree, beside the split parameters. */
export interface GrowParams extends SplitParams {
  readonly maxDepth: number;
  readonly maxLeaves: number;
}

/** A leaf while the tree grows: its rows are idx[start, end). */
interface GrowLeaf extends NodeStats {
  readonly start: number;
  readonly end: number;
  readonly depth: number;
  /** Unshrunk output, clipped to [lo, hi]. */
  readonly output: number;
  hist: Float64Array | null;
  best: SplitInfo | null;
  /** The internal node this leaf hangs from (-1 for the root) and on which side. */
  parent: number;
  isLeft: boolean;
}

/** Where each leaf's in-bag rows sit in `rows` after growing: rows[leafStart[l] … leafEnd[l]). */
export interface GrownTree {
  readonly tree: Tree;
  readonly rows: Int32Array;
  readonly leafStart: Int32Array;
  readonly leafEnd: Int32Array;
}

/**
 * Grows regression trees on gradient/hessian pairs, best-first (the leaf with the largest gain splits
 * next) up to maxLeaves and maxDepth, with monotone bounds propagated LightGBM's "basic" way. Buffers
 * are allocated once and reused across trees.
 */
export class TreeGrower {
  private readonly nBins: Int32Array;
  private readonly offsets: Int32Array;
  private readonly isCat: Uint8Array;
  private readonly idx: Int32Array;
  private readonly tmp: Int32Array;
  private readonly rowBins: Uint8Array;
  private readonly histSize: number;
  private readonly pool: Float64Array[] = [];

  constructor(
    private readonly data: BinnedData,
    private readonly params: GrowParams,
    private readonly monotone: Int8Array,
  ) {
    const p = data.bins.length;
    this.nBins = new Int32Array(p);
    this.offsets = new Int32Array(p);
    this.isCat = new Uint8Array(p);
    let total = 0;
    data.info.forEach((fi, f) => {
      this.nBins[f] = binCount(fi);
      this.offsets[f] = total;
      this.isCat[f] = fi.kind === 'categorical' ? 1 : 0;
      total += binCount(fi);
    });
    this.histSize = total * 3;
    this.idx = new Int32Array(data.nRows);
    this.tmp = new Int32Array(data.nRows);
    this.rowBins = toRowMajor(data.bins, data.nRows);
  }

  /**
   * Grows one tree on gradients and hessians interleaved in `gh` (gh[2r], gh[2r + 1]), the rows `bag`
   * (ascending; null = all rows) and the features `features` (ascending). Leaf values are multiplied by
   * `shrinkage`.
   */
  grow(gh: Float64Array, bag: Int32Array | null, features: Int32Array, shrinkage: number): GrownTree {
    const prm = this.params;
    const n = bag === null ? this.data.nRows : bag.length;
    const idx = this.idx;
    let g = 0;
    let h = 0;
    if (bag === null) {
      for (let i = 0; i < n; i++) {
        idx[i] = i;
        g += gh[2 * i]!;
        h += gh[2 * i + 1]!;
      }
    } else {
      for (let i = 0; i < n; i++) {
        const r = bag[i]!;
        idx[i] = r;
        g += gh[2 * r]!;
        h += gh[2 * r + 1]!;
      }
    }
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
      hist: null,
      best: null,
      parent: -1,
      isLeft: false,
    };
    const leaves: GrowLeaf[] = [root];
    if (this.canSplit(root)) {
      root.hist = this.take();
      this.build(root.hist, features, 0, n, gh);
      this.findBest(root, features);
    }
    const tree = emptyTree();
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
      this.split(pick, leaves, tree, features, gh, shrinkage);
    }
    const leafStart = new Int32Array(leaves.length);
    const leafEnd = new Int32Array(leaves.length);
    const out = tree as { numLeaves: number } & Tree;
    out.numLeaves = leaves.length;
    out.leafValue.length = 0;
    out.leafCount.length = 0;
    out.leafWeight.length = 0;
    leaves.forEach((leaf, l) => {
      out.leafValue.push(leaf.output * shrinkage);
      out.leafCount.push(leaf.c);
      out.leafWeight.push(leaf.h);
      leafStart[l] = leaf.start;
      leafEnd[l] = leaf.end;
      if (leaf.hist !== null) this.pool.push(leaf.hist);
      leaf.hist = null;
    });
    return { tree: out, rows: idx, leafStart, leafEnd };
  }

  private canSplit(leaf: GrowLeaf): boolean {
    const p = this.params;
    return leaf.depth < p.maxDepth && leaf.c >= 2 * p.minDataInLeaf && leaf.h >= 2 * p.minChildWeight;
  }

  private build(
    hist: Float64Array,
    features: Int32Array,
    start: number,
    end: number,
    gh: Float64Array,
  ): void {
    const p = this.nBins.length;
    buildHistogram(
      hist,
      this.offsets,
      this.nBins,
      features,
      features.length === p,
      this.rowBins,
      p,
      this.idx,
      start,
      end,
      gh,
    );
  }

  private take(): Float64Array {
    return this.pool.pop() ?? new Float64Array(this.histSize);
  }

  private findBest(leaf: GrowLeaf, features: Int32Array): void {
    const best = new SplitInfo();
    best.gain = 0;
    const hist = leaf.hist as Float64Array;
    for (let i = 0; i < features.length; i++) {
      const f = features[i]!;
      const base = 3 * this.offsets[f]!;
      if (this.isCat[f] === 1) findCategoricalSplit(hist, base, this.nBins[f]!, f, leaf, this.params, best);
      else findNumericSplit(hist, base, this.nBins[f]!, f, this.monotone[f]!, leaf, this.params, best);
    }
    if (best.found) leaf.best = best;
    else {
      this.pool.push(hist);
      leaf.hist = null;
    }
  }

  private split(
    pick: number,
    leaves: GrowLeaf[],
    tree: Tree,
    features: Int32Array,
    gh: Float64Array,
    shrinkage: number,
  ): void {
    const leaf = leaves[pick] as GrowLeaf;
    const s = leaf.best as SplitInfo;
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

    const mid = this.partition(leaf, s);
    // Monotone bounds: the children of a constrained split are separated at the midpoint of their outputs.
    let loL = leaf.lo;
    let hiL = leaf.hi;
    let loR = leaf.lo;
    let hiR = leaf.hi;
    const mono = this.monotone[s.feature]!;
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
      start: number,
      end: number,
      g: number,
      h: number,
      c: number,
      out: number,
      lo: number,
      hi: number,
      isLeft: boolean,
    ): GrowLeaf => ({
      start,
      end,
      depth: leaf.depth + 1,
      g,
      h,
      c,
      lo,
      hi,
      output: out,
      gainShift: gainGivenOutput(g, h, p.lambdaL1, p.lambdaL2, out) + p.minSplitGain,
      hist: null,
      best: null,
      parent: node,
      isLeft,
    });
    const left = child(leaf.start, mid, s.leftG, s.leftH, s.leftC, s.leftOut, loL, hiL, true);
    const right = child(mid, leaf.end, s.rightG, s.rightH, s.rightC, s.rightOut, loR, hiR, false);
    leaves[pick] = left;
    leaves.push(right);

    const splitL = this.canSplit(left);
    const splitR = this.canSplit(right);
    const parentHist = leaf.hist as Float64Array;
    leaf.hist = null;
    if (!splitL && !splitR) {
      this.pool.push(parentHist);
      return;
    }
    // Build the smaller child's histogram and get the larger one's by subtraction from the parent.
    const [small, large] = left.c <= right.c ? [left, right] : [right, left];
    const smallHist = this.take();
    this.build(smallHist, features, small.start, small.end, gh);
    subtractHistogram(parentHist, smallHist, this.offsets, this.nBins, features);
    small.hist = smallHist;
    large.hist = parentHist;
    for (const c of [left, right]) {
      if (this.canSplit(c)) this.findBest(c, features);
      else {
        this.pool.push(c.hist as Float64Array);
        c.hist = null;
      }
    }
  }

  /**
   * Stable partition of the leaf's rows: those going left first. Returns the first right position. Each
   * row is written to both sides and only the side it belongs to advances, so that there is no branch
   * on the data to mispredict.
   */
  private partition(leaf: GrowLeaf, s: SplitInfo): number {
    const bins = this.data.bins[s.feature] as Uint8Array;
    const idx = this.idx;
    const tmp = this.tmp;
    const dr = s.defaultLeft ? 0 : 1;
    let l = leaf.start;
    let r = 0;
    if (s.catLeft === null) {
      const t = s.thresholdBin;
      for (let i = leaf.start; i < leaf.end; i++) {
        const row = idx[i]!;
        const b = bins[row]!;
        // b <= t, except that the missing bin (b = 0, where (b − 1) >>> 31 is 1) goes right when dr = 1.
        const left = (((t - b) >>> 31) ^ 1) & (1 ^ (((b - 1) >>> 31) & dr));
        idx[l] = row;
        tmp[r] = row;
        l += left;
        r += left ^ 1;
      }
    } else {
      const mask = new Uint8Array(this.nBins[s.feature]!);
      for (const b of s.catLeft) mask[b] = 1;
      mask[0] = dr ^ 1;
      for (let i = leaf.start; i < leaf.end; i++) {
        const row = idx[i]!;
        const left = mask[bins[row]!]!;
        idx[l] = row;
        tmp[r] = row;
        l += left;
        r += left ^ 1;
      }
    }
    idx.set(tmp.subarray(0, r), l);
    return l;
  }
}
