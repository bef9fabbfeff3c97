/**
 * One regression tree in LightGBM's array layout: internal nodes 0 … numLeaves − 2 (node 0 is the root),
 * children ≥ 0 are internal nodes and children < 0 are leaves (~leafIndex). Values are shrunk (learning
 * rate applied). Plain arrays, so that the tree is its own JSON.
 */
export interface Tree {
  readonly numLeaves: number;
  /** Per internal node: feature index. */
  readonly splitFeature: number[];
  /** Per internal node: raw threshold (x <= threshold goes left); 0 for categorical splits. */
  readonly threshold: number[];
  /** Per internal node: the bin code the split was found at (code <= bin goes left); 0 for categorical. */
  readonly thresholdBin: number[];
  /** Per internal node: 1 when missing (and, for categorical features, unseen) values go left. */
  readonly defaultLeft: number[];
  /** Per internal node: for categorical splits the level indices (into the feature's levels) going left. */
  readonly catLeft: (number[] | null)[];
  readonly leftChild: number[];
  readonly rightChild: number[];
  readonly splitGain: number[];
  /** Per internal node: the (shrunk) value the node would have as a leaf. */
  readonly internalValue: number[];
  /** Per internal node: in-bag training rows reaching it (the cover used by TreeSHAP). */
  readonly internalCount: number[];
  /** Per internal node: hessian sum. */
  readonly internalWeight: number[];
  readonly leafValue: number[];
  readonly leafCount: number[];
  readonly leafWeight: number[];
}

/** An empty tree to append nodes to, with one leaf. */
export function emptyTree(): Tree {
  return {
    numLeaves: 1,
    splitFeature: [],
    threshold: [],
    thresholdBin: [],
    defaultLeft: [],
    catLeft: [],
    leftChild: [],
    rightChild: [],
    splitGain: [],
    internalValue: [],
    internalCount: [],
    internalWeight: [],
    leafValue: [0],
    leafCount: [0],
    leafWeight: [0],
  };
}

/** The depth of a tree (a single leaf has depth 0). */
export function treeDepth(tree: Tree): number {
  if (tree.numLeaves <= 1) return 0;
  const walk = (node: number): number => {
    if (node < 0) return 0;
    return 1 + Math.max(walk(tree.leftChild[node] as number), walk(tree.rightChild[node] as number));
  };
  return walk(0);
}

/**
 * A tree compiled for routing rows of bin codes during training (out-of-bag and validation rows): typed
 * arrays, children of node k at 2k (left) and 2k + 1 (right), leaves as ~leaf.
 */
export class BinnedRouter {
  private readonly feature: Int32Array;
  private readonly thresholdBin: Int32Array;
  /** Per node: 1 when missing values go right. */
  private readonly missingRight: Int32Array;
  /** Per node: offset of its lookup in catLeft (1 = left, by bin code), or −1 for a numeric split. */
  private readonly catAt: Int32Array;
  private readonly catLeft: Uint8Array;
  private readonly children: Int32Array;
  private readonly leafValue: Float64Array;

  /** Compiles `tree`; nBinsOf gives each feature's number of bins (the size of a categorical lookup). */
  constructor(tree: Tree, nBinsOf: (feature: number) => number) {
    const inner = tree.numLeaves - 1;
    this.feature = Int32Array.from(tree.splitFeature);
    this.thresholdBin = Int32Array.from(tree.thresholdBin);
    this.missingRight = Int32Array.from(tree.defaultLeft, (d) => 1 - d);
    this.catAt = new Int32Array(inner).fill(-1);
    let bytes = 0;
    tree.catLeft.forEach((set, k) => {
      if (set !== null) bytes += nBinsOf(tree.splitFeature[k] as number);
    });
    this.catLeft = new Uint8Array(bytes);
    bytes = 0;
    tree.catLeft.forEach((set, k) => {
      if (set === null) return;
      this.catAt[k] = bytes;
      this.catLeft[bytes] = tree.defaultLeft[k] as number;
      for (const level of set) this.catLeft[bytes + level + 1] = 1;
      bytes += nBinsOf(tree.splitFeature[k] as number);
    });
    this.children = new Int32Array(2 * inner);
    for (let k = 0; k < inner; k++) {
      this.children[2 * k] = tree.leftChild[k] as number;
      this.children[2 * k + 1] = tree.rightChild[k] as number;
    }
    this.leafValue = Float64Array.from(tree.leafValue);
  }

  /**
   * Adds the tree's value to margin[r] for each row r of n (bin codes column-major: colBins[f·n + r])
   * whose skip[r] is 0 (every row when skip is null).
   */
  addTo(colBins: Uint8Array, n: number, skip: Uint8Array | null, margin: Float64Array): void {
    const { feature, thresholdBin, missingRight, catAt, catLeft, children, leafValue } = this;
    if (children.length === 0) {
      for (let r = 0; r < n; r++) if (skip === null || skip[r] === 0) margin[r]! += leafValue[0]!;
      return;
    }
    for (let r = 0; r < n; r++) {
      if (skip !== null && skip[r] === 1) continue;
      let node = 0;
      while (node >= 0) {
        const b = colBins[feature[node]! * n + r]!;
        const c = catAt[node]!;
        const t = thresholdBin[node]!;
        // b <= t, except that the missing bin (b = 0) goes right when missingRight is 1.
        const left =
          c < 0 ? (((t - b) >>> 31) ^ 1) & (1 ^ (((b - 1) >>> 31) & missingRight[node]!)) : catLeft[c + b]!;
        node = children[2 * node + (left ^ 1)]!;
      }
      margin[r]! += leafValue[~node]!;
    }
  }
}

/** Copies per-feature bin codes into one column-major array (colBins[f·n + r]). */
export function columnMajor(bins: readonly Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(bins.length * n);
  bins.forEach((b, f) => {
    out.set(b, f * n);
  });
  return out;
}
