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
 * The leaf a row of bin codes reaches (bins[f][row]), for training-time traversal of out-of-bag and
 * validation rows.
 */
export function leafOfBinned(
  tree: Tree,
  bins: readonly Uint8Array[],
  row: number,
  catMasks: readonly (Uint8Array | null)[],
): number {
  if (tree.numLeaves <= 1) return 0;
  let node = 0;
  while (node >= 0) {
    const b = (bins[tree.splitFeature[node] as number] as Uint8Array)[row] as number;
    let left: boolean;
    if (b === 0) left = tree.defaultLeft[node] === 1;
    else {
      const mask = catMasks[node];
      left = mask ? mask[b] === 1 : b <= (tree.thresholdBin[node] as number);
    }
    node = left ? (tree.leftChild[node] as number) : (tree.rightChild[node] as number);
  }
  return ~node;
}

/** Per internal node, for categorical splits, a lookup by bin code (1 = goes left); null for numeric ones. */
export function categoricalMasks(tree: Tree, nBinsOf: (feature: number) => number): (Uint8Array | null)[] {
  return tree.catLeft.map((set, node) => {
    if (set === null) return null;
    const mask = new Uint8Array(nBinsOf(tree.splitFeature[node] as number));
    for (const level of set) mask[level + 1] = 1;
    return mask;
  });
}
