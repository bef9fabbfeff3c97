/** Trees deeper than this keep Forest's pointer walk: a perfect layout doubles in size with each level. */
export const PERFECT_MAX_DEPTH = 12;
/** Leaf slots (about 24 bytes each with their nodes) all trees may take together, padding included. */
const PERFECT_MAX_SLOTS = 1 << 20;

/** Rows taken through all trees together; their values (2·nFeatures doubles each) stay in L1 cache. */
const BLOCK = 128;

/**
 * The flat node arrays of a Forest that the perfect layout is built from (declared here, not imported, so
 * that forest.ts can build a PerfectForest without an import circle).
 */
export interface ForestNodes {
  readonly nTrees: number;
  readonly nFeatures: number;
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly lower: Float64Array;
  readonly catOffset: Int32Array;
  readonly catLeft: Uint8Array;
  readonly children: Int32Array;
  readonly value: Float64Array;
  readonly roots: Int32Array;
  readonly depths: Int32Array;
  isLeaf(node: number): boolean;
}

/**
 * The trees of a Forest re-laid as perfect binary trees for prediction. Tree t of depth D keeps its
 * 2^D − 1 internal nodes in heap order from 1 (the children of k are 2k and 2k + 1) and its 2^D leaves
 * after them, so that a row steps from k to 2k + (goes right) without reading a child pointer and reaches
 * its leaf in exactly D steps. A leaf above depth D is padded with nodes that send every row left
 * (threshold +∞) down to the leftmost slot below it.
 *
 * A numeric node is one comparison, x > threshold → right, with no test for missing values: each block of
 * rows is copied with every feature twice, once with missing values as −∞ (always left) and once as +∞
 * (always right), and a node reads the copy whose missing values go its default way. A categorical node
 * looks the level code up in Forest's catLeft instead.
 */
export class PerfectForest {
  private readonly nTrees: number;
  private readonly nFeatures: number;
  /** Per tree: its depth, and its node and leaf offsets (less the heap index of its first one). */
  private readonly depth: Int32Array;
  private readonly nodeBase: Int32Array;
  private readonly leafBase: Int32Array;
  /** Per node: the block row where its column starts (column·BLOCK), and its threshold. */
  private readonly column: Int32Array;
  private readonly threshold: Float64Array;
  /** Per node: its lookup in catLeft (one byte per level code), or −1 for a numeric split. */
  private readonly cat: Int32Array;
  private readonly catLeft: Uint8Array;
  private readonly leaf: Float64Array;
  /** Per tree: 1 when it has a categorical split. */
  private readonly treeHasCat: Uint8Array;
  /** The current block of rows, column-major: column f then column nFeatures + f (see the class comment). */
  private readonly block: Float64Array;

  /** Lays out every tree of `forest`; all must have depth ≤ PERFECT_MAX_DEPTH (see fits). */
  constructor(forest: ForestNodes) {
    const nT = forest.nTrees;
    this.nTrees = nT;
    this.nFeatures = forest.nFeatures;
    this.depth = Int32Array.from(forest.depths);
    this.nodeBase = new Int32Array(nT);
    this.leafBase = new Int32Array(nT);
    let nodes = 0;
    let leaves = 0;
    for (let t = 0; t < nT; t++) {
      const d = this.depth[t]!;
      this.nodeBase[t] = nodes - 1;
      this.leafBase[t] = leaves - (1 << d);
      nodes += (1 << d) - 1;
      leaves += 1 << d;
    }
    this.column = new Int32Array(nodes);
    this.threshold = new Float64Array(nodes);
    this.cat = new Int32Array(nodes).fill(-1);
    this.catLeft = forest.catLeft;
    this.leaf = new Float64Array(leaves);
    this.block = new Float64Array(2 * forest.nFeatures * BLOCK);
    this.treeHasCat = new Uint8Array(nT);
    for (let t = 0; t < nT; t++) this.place(forest, t, forest.roots[t]!, 1, 0);
  }

  /**
   * True when the perfect layout suits the forest: every tree shallow enough, all of them in memory, and
   * the trees bushy enough that padding them to perfect trees at most quadruples their leaves (a deep
   * tree with few leaves would spread over more cache than its walk saves).
   */
  static fits(forest: ForestNodes): boolean {
    let slots = 0;
    let leaves = 0;
    for (let t = 0; t < forest.nTrees; t++) {
      if (forest.depths[t]! > PERFECT_MAX_DEPTH) return false;
      slots += 2 ** forest.depths[t]!;
      const end = t + 1 < forest.nTrees ? forest.roots[t + 1]! : forest.feature.length;
      leaves += (end - forest.roots[t]! + 1) / 2;
    }
    return slots <= PERFECT_MAX_SLOTS && slots <= 4 * leaves;
  }

  /** Copies the subtree of Forest node `node` to heap index k (at `level`) of tree t. */
  private place(f: ForestNodes, t: number, node: number, k: number, level: number): void {
    if (level === this.depth[t]!) {
      this.leaf[this.leafBase[t]! + k] = f.value[node]!;
      return;
    }
    const at = this.nodeBase[t]! + k;
    if (f.isLeaf(node)) {
      this.threshold[at] = Number.POSITIVE_INFINITY;
      this.place(f, t, node, 2 * k, level + 1);
      return;
    }
    const missingLeft = f.lower[node] === Number.NEGATIVE_INFINITY;
    this.column[at] = (f.feature[node]! + (missingLeft ? 0 : this.nFeatures)) * BLOCK;
    this.threshold[at] = f.threshold[node]!;
    this.cat[at] = f.catOffset[node]!;
    if (f.catOffset[node]! >= 0) this.treeHasCat[t] = 1;
    this.place(f, t, f.children[2 * node]!, 2 * k, level + 1);
    this.place(f, t, f.children[2 * node + 1]!, 2 * k + 1, level + 1);
  }

  /**
   * Adds each tree's leaf value to out[outOffset + i] for the nRows rows encoded in x (row-major,
   * nFeatures per row, missing as −∞), tree after tree in order.
   */
  addMargins(x: Float64Array, nRows: number, out: Float64Array, outOffset = 0): void {
    for (let r0 = 0; r0 < nRows; r0 += BLOCK) {
      const m = Math.min(BLOCK, nRows - r0);
      this.load(x, r0, m);
      for (let t = 0; t < this.nTrees; t++) {
        if (this.treeHasCat[t] === 1) this.treeCategorical(t, m, out, outOffset + r0);
        else this.treeNumeric(t, m, out, outOffset + r0);
      }
    }
  }

  private load(x: Float64Array, r0: number, m: number): void {
    const p = this.nFeatures;
    const b = this.block;
    for (let i = 0; i < m; i++) {
      const xb = (r0 + i) * p;
      for (let f = 0; f < p; f++) {
        const v = x[xb + f]!;
        b[f * BLOCK + i] = v;
        b[(p + f) * BLOCK + i] = v === Number.NEGATIVE_INFINITY ? Number.POSITIVE_INFINITY : v;
      }
    }
  }

  // Eight rows walk a tree side by side: each step waits on three dependent loads, so independent walks
  // keep the CPU busy (8 rows measured 2.5× one at a time). The comparison is turned into a number with
  // unary plus, which V8 compiles without a branch; a branch here would mispredict half the time.
  private treeNumeric(t: number, m: number, out: Float64Array, o: number): void {
    const { column: c, threshold: th, leaf, block: b } = this;
    const d = this.depth[t]!;
    const nb = this.nodeBase[t]!;
    const lb = this.leafBase[t]!;
    let i = 0;
    for (; i + 7 < m; i += 8) {
      let k0 = 1;
      let k1 = 1;
      let k2 = 1;
      let k3 = 1;
      let k4 = 1;
      let k5 = 1;
      let k6 = 1;
      let k7 = 1;
      for (let l = 0; l < d; l++) {
        const n0 = nb + k0;
        const n1 = nb + k1;
        const n2 = nb + k2;
        const n3 = nb + k3;
        const n4 = nb + k4;
        const n5 = nb + k5;
        const n6 = nb + k6;
        const n7 = nb + k7;
        k0 = 2 * k0 + +(b[c[n0]! + i]! > th[n0]!);
        k1 = 2 * k1 + +(b[c[n1]! + i + 1]! > th[n1]!);
        k2 = 2 * k2 + +(b[c[n2]! + i + 2]! > th[n2]!);
        k3 = 2 * k3 + +(b[c[n3]! + i + 3]! > th[n3]!);
        k4 = 2 * k4 + +(b[c[n4]! + i + 4]! > th[n4]!);
        k5 = 2 * k5 + +(b[c[n5]! + i + 5]! > th[n5]!);
        k6 = 2 * k6 + +(b[c[n6]! + i + 6]! > th[n6]!);
        k7 = 2 * k7 + +(b[c[n7]! + i + 7]! > th[n7]!);
      }
      out[o + i]! += leaf[lb + k0]!;
      out[o + i + 1]! += leaf[lb + k1]!;
      out[o + i + 2]! += leaf[lb + k2]!;
      out[o + i + 3]! += leaf[lb + k3]!;
      out[o + i + 4]! += leaf[lb + k4]!;
      out[o + i + 5]! += leaf[lb + k5]!;
      out[o + i + 6]! += leaf[lb + k6]!;
      out[o + i + 7]! += leaf[lb + k7]!;
    }
    for (; i < m; i++) {
      let k = 1;
      for (let l = 0; l < d; l++) {
        const n = nb + k;
        k = 2 * k + +(b[c[n]! + i]! > th[n]!);
      }
      out[o + i]! += leaf[lb + k]!;
    }
  }

  /** treeNumeric for a tree with categorical splits: each step tests the kind of its node. */
  private treeCategorical(t: number, m: number, out: Float64Array, o: number): void {
    const leaf = this.leaf;
    const d = this.depth[t]!;
    const nb = this.nodeBase[t]!;
    const lb = this.leafBase[t]!;
    let i = 0;
    for (; i + 7 < m; i += 8) {
      let k0 = 1;
      let k1 = 1;
      let k2 = 1;
      let k3 = 1;
      let k4 = 1;
      let k5 = 1;
      let k6 = 1;
      let k7 = 1;
      for (let l = 0; l < d; l++) {
        k0 = 2 * k0 + this.right(nb + k0, i);
        k1 = 2 * k1 + this.right(nb + k1, i + 1);
        k2 = 2 * k2 + this.right(nb + k2, i + 2);
        k3 = 2 * k3 + this.right(nb + k3, i + 3);
        k4 = 2 * k4 + this.right(nb + k4, i + 4);
        k5 = 2 * k5 + this.right(nb + k5, i + 5);
        k6 = 2 * k6 + this.right(nb + k6, i + 6);
        k7 = 2 * k7 + this.right(nb + k7, i + 7);
      }
      out[o + i]! += leaf[lb + k0]!;
      out[o + i + 1]! += leaf[lb + k1]!;
      out[o + i + 2]! += leaf[lb + k2]!;
      out[o + i + 3]! += leaf[lb + k3]!;
      out[o + i + 4]! += leaf[lb + k4]!;
      out[o + i + 5]! += leaf[lb + k5]!;
      out[o + i + 6]! += leaf[lb + k6]!;
      out[o + i + 7]! += leaf[lb + k7]!;
    }
    for (; i < m; i++) {
      let k = 1;
      for (let l = 0; l < d; l++) k = 2 * k + this.right(nb + k, i);
      out[o + i]! += leaf[lb + k]!;
    }
  }

  /** 1 when block row i goes right at node n, else 0. */
  private right(n: number, i: number): number {
    const v = this.block[this.column[n]! + i]!;
    const c = this.cat[n]!;
    return c < 0 ? +(v > this.threshold[n]!) : +(this.catLeft[c + v] === 0);
  }
}
