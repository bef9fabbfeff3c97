import type { Frame } from '../../core/frame.js';
import { checkKind, type FeatureBins, levelRemap } from './binning.js';
import { PerfectForest } from './perfect.js';
import type { Tree } from './tree.js';

/**
 * The trees flattened into typed arrays for fast prediction on raw values. Node k of tree t sits at
 * roots[t] + k for internal nodes and roots[t] + numLeaves − 1 + leaf for leaves.
 *
 * Rows are encoded (encodeRows) as numbers: a numeric feature as its value with missing as −Infinity, a
 * categorical one as its training bin code (0 = missing or unseen). A numeric node sends x left when
 * lo ≤ x ≤ threshold, where lo is −Infinity when missing goes left and −MAX_VALUE when it goes right:
 * one comparison pair, no branch on missingness. A categorical node looks the code up in `catLeft`.
 */
export class Forest {
  readonly nTrees: number;
  readonly nFeatures: number;
  readonly initScore: number;
  /** Per node: feature index (0 for a leaf, whose children are itself). */
  readonly feature: Int32Array;
  readonly threshold: Float64Array;
  readonly lower: Float64Array;
  /** Per node: offset of its lookup in catLeft (one byte per bin code), or −1 for a numeric split. */
  readonly catOffset: Int32Array;
  readonly catLeft: Uint8Array;
  /** Per node: left child at 2k, right child at 2k + 1; a leaf points at itself. */
  readonly children: Int32Array;
  /** Per node: leaf value (0 for internal nodes). */
  readonly value: Float64Array;
  /** Per node: training rows reaching it (the cover of TreeSHAP). */
  readonly cover: Float64Array;
  readonly roots: Int32Array;
  readonly depths: Int32Array;
  /** The same trees in the pointer-free layout addMargins uses, when they are all shallow enough. */
  private readonly perfect: PerfectForest | null;

  constructor(trees: readonly Tree[], bins: readonly FeatureBins[], initScore: number) {
    this.nTrees = trees.length;
    this.nFeatures = bins.length;
    this.initScore = initScore;
    let nodes = 0;
    let catBytes = 0;
    for (const t of trees) {
      nodes += 2 * t.numLeaves - 1;
      t.catLeft.forEach((set, k) => {
        if (set !== null) catBytes += binsOf(bins, t.splitFeature[k] as number);
      });
    }
    this.feature = new Int32Array(nodes);
    this.threshold = new Float64Array(nodes);
    this.lower = new Float64Array(nodes);
    this.catOffset = new Int32Array(nodes).fill(-1);
    this.catLeft = new Uint8Array(catBytes);
    this.children = new Int32Array(2 * nodes);
    this.value = new Float64Array(nodes);
    this.cover = new Float64Array(nodes);
    this.roots = new Int32Array(trees.length);
    this.depths = new Int32Array(trees.length);
    let base = 0;
    let catAt = 0;
    trees.forEach((t, ti) => {
      this.roots[ti] = base;
      const inner = t.numLeaves - 1;
      const at = (child: number): number => (child >= 0 ? base + child : base + inner + ~child);
      for (let k = 0; k < inner; k++) {
        const node = base + k;
        const f = t.splitFeature[k] as number;
        const dl = t.defaultLeft[k] === 1;
        this.feature[node] = f;
        this.threshold[node] = t.threshold[k] as number;
        this.lower[node] = dl ? Number.NEGATIVE_INFINITY : -Number.MAX_VALUE;
        const set = t.catLeft[k];
        if (set !== null && set !== undefined) {
          this.catOffset[node] = catAt;
          this.catLeft[catAt] = dl ? 1 : 0;
          for (const level of set) this.catLeft[catAt + level + 1] = 1;
          catAt += binsOf(bins, f);
        }
        this.children[2 * node] = at(t.leftChild[k] as number);
        this.children[2 * node + 1] = at(t.rightChild[k] as number);
        this.cover[node] = t.internalCount[k] as number;
      }
      for (let l = 0; l < t.numLeaves; l++) {
        const node = base + inner + l;
        this.children[2 * node] = node;
        this.children[2 * node + 1] = node;
        this.value[node] = t.leafValue[l] as number;
        this.cover[node] = t.leafCount[l] as number;
      }
      this.depths[ti] = depthOf(this.children, base);
      base += 2 * t.numLeaves - 1;
    });
    this.perfect = PerfectForest.fits(this) ? new PerfectForest(this) : null;
  }

  /**
   * Adds each tree's leaf value to `out` for rows encoded in X (row-major, nFeatures per row), through the
   * perfect layout (perfect.ts) when the trees fit it. Otherwise rows are taken in blocks and walked
   * through one tree at a time in lockstep, a fixed number of steps (the tree's depth; leaves point at
   * themselves), so that the walks of different rows overlap in the CPU.
   */
  addMargins(x: Float64Array, nRows: number, out: Float64Array, outOffset = 0): void {
    if (this.perfect !== null) {
      this.perfect.addMargins(x, nRows, out, outOffset);
      return;
    }
    if (this.catLeft.length === 0) {
      this.addMarginsNumeric(x, nRows, out, outOffset);
      return;
    }
    const p = this.nFeatures;
    const { feature, threshold, lower, catOffset, catLeft, children, value, roots, depths } = this;
    const pos = new Int32Array(BLOCK);
    for (let r0 = 0; r0 < nRows; r0 += BLOCK) {
      const m = Math.min(BLOCK, nRows - r0);
      for (let t = 0; t < this.nTrees; t++) {
        pos.fill(roots[t]!, 0, m);
        const depth = depths[t]!;
        for (let d = 0; d < depth; d++) {
          for (let i = 0; i < m; i++) {
            const node = pos[i]!;
            const v = x[(r0 + i) * p + feature[node]!]!;
            const c = catOffset[node]!;
            const right = c < 0 ? !(v <= threshold[node]! && v >= lower[node]!) : catLeft[c + v] === 0;
            pos[i] = children[2 * node + (right ? 1 : 0)]!;
          }
        }
        for (let i = 0; i < m; i++) out[outOffset + r0 + i]! += value[pos[i]!]!;
      }
    }
  }

  /** addMargins for forests without categorical splits: the same walk without the categorical test. */
  private addMarginsNumeric(x: Float64Array, nRows: number, out: Float64Array, outOffset: number): void {
    const p = this.nFeatures;
    const { feature, threshold, lower, children, value, roots, depths } = this;
    const pos = new Int32Array(BLOCK);
    for (let r0 = 0; r0 < nRows; r0 += BLOCK) {
      const m = Math.min(BLOCK, nRows - r0);
      for (let t = 0; t < this.nTrees; t++) {
        pos.fill(roots[t]!, 0, m);
        const depth = depths[t]!;
        for (let d = 0; d < depth; d++) {
          for (let i = 0; i < m; i++) {
            const node = pos[i]!;
            const v = x[(r0 + i) * p + feature[node]!]!;
            pos[i] = children[2 * node + (v <= threshold[node]! && v >= lower[node]! ? 0 : 1)]!;
          }
        }
        for (let i = 0; i < m; i++) out[outOffset + r0 + i]! += value[pos[i]!]!;
      }
    }
  }

  /** True when `node` is a leaf. */
  isLeaf(node: number): boolean {
    return this.children[2 * node] === node;
  }

  /** True when the row at x[base …] goes right at internal node `node`. */
  goesRight(x: Float64Array, base: number, node: number): boolean {
    const v = x[base + this.feature[node]!]!;
    const c = this.catOffset[node]!;
    return c < 0 ? !(v <= this.threshold[node]! && v >= this.lower[node]!) : this.catLeft[c + v] === 0;
  }
}

/** Rows walked together through one tree by addMargins. */
const BLOCK = 64;

function binsOf(bins: readonly FeatureBins[], f: number): number {
  const fi = bins[f] as FeatureBins;
  return fi.kind === 'numeric' ? fi.upper.length + 2 : fi.levels.length + 1;
}

function depthOf(children: Int32Array, node: number): number {
  if (children[2 * node] === node) return 0;
  return 1 + Math.max(depthOf(children, children[2 * node]!), depthOf(children, children[2 * node + 1]!));
}

/**
 * Encodes rows [start, end) of a frame for a Forest: row-major, one number per feature in model order;
 * numeric values as they are (missing → −Infinity), categorical levels as training bin codes (0 for
 * missing or unseen).
 * @throws E_FRAME_SHAPE when a feature column is absent; E_DATA_INVALID when its kind differs
 */
export class RowEncoder {
  private readonly columns: {
    values: Float64Array | null;
    codes: Int32Array | null;
    remap: Int32Array | null;
  }[];

  constructor(frame: Frame, names: readonly string[], bins: readonly FeatureBins[]) {
    this.columns = names.map((name, f) => {
      const col = frame.column(name);
      const fi = bins[f] as FeatureBins;
      checkKind(name, fi, col.kind);
      if (col.kind === 'numeric') return { values: col.values, codes: null, remap: null };
      return {
        values: null,
        codes: col.codes,
        remap: levelRemap(col.levels, fi.kind === 'categorical' ? fi.levels : []),
      };
    });
  }

  /** Writes rows [start, end) into out (row-major). */
  encode(start: number, end: number, out: Float64Array): void {
    const p = this.columns.length;
    for (let f = 0; f < p; f++) {
      const c = this.columns[f]!;
      if (c.values !== null) {
        const v = c.values;
        for (let r = start; r < end; r++) {
          const x = v[r]!;
          out[(r - start) * p + f] = Number.isNaN(x) ? Number.NEGATIVE_INFINITY : x;
        }
      } else {
        const codes = c.codes as Int32Array;
        const remap = c.remap as Int32Array;
        for (let r = start; r < end; r++) {
          const k = codes[r]!;
          out[(r - start) * p + f] = k < 0 ? 0 : remap[k]!;
        }
      }
    }
  }
}
