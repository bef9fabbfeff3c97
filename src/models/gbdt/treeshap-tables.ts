import type { Forest } from './forest.js';

/**
 * Path-dependent TreeSHAP from per-leaf tables (the idea of Fast TreeSHAP v2, Yang 2021): the same exact
 * values as Algorithm 2, with the subset sums precomputed once per model instead of once per row.
 *
 * For a leaf with value v whose path meets d distinct features (elements; a feature met twice is one
 * element whose zero fraction z is the product of its cover ratios and whose one fraction is 1 only when
 * the row follows every edge on it), the row's pattern M is the set of elements with one fraction 1.
 * With Shapley weights w(s) = s!(d − s − 1)!/d! and A(M) = Σ_{S ⊆ M} w(|S|) Π_{k ∉ S} z_k, the leaf adds
 *   v · (1 − z_i)/z_i · A(M \ {i})  to an element i in M, and  −v · A(M)  to an element not in M.
 * The tables T(M) = v · A(M) (2^d numbers per leaf) are built once; a row then costs one walk over the
 * tree (to get every leaf's pattern) and d additions per leaf.
 */
export class TableTreeShap {
  /**
   * Per internal node: how its children's patterns follow from its own. The hot child (the side the row
   * takes) gets pattern | setBit, the cold child pattern & clearMask: a feature met first here sets its
   * bit on the hot side; a feature met again clears it on the cold side.
   */
  private readonly setBit: Int32Array;
  private readonly clearMask: Int32Array;
  /** Per leaf node: offset of its table, of its elements, and its number of elements. */
  private readonly tableAt: Int32Array;
  private readonly elemAt: Int32Array;
  private readonly elemCount: Int32Array;
  private readonly tables: Float64Array;
  private readonly elemFeature: Int32Array;
  private readonly elemRatio: Float64Array;
  /** Per tree: its number of internal nodes. */
  private readonly inner: Int32Array;
  /** Scratch: the pattern of each node of the tree being explained, by position in the tree. */
  private readonly masks: Int32Array;

  /** Builds the tables of the given trees (2^d entries per leaf: see TableTreeShap.pathFeatures). */
  constructor(
    private readonly forest: Forest,
    private readonly trees: readonly number[],
  ) {
    const nodes = forest.feature.length;
    this.setBit = new Int32Array(nodes);
    this.clearMask = new Int32Array(nodes).fill(-1);
    this.tableAt = new Int32Array(nodes);
    this.elemAt = new Int32Array(nodes);
    this.elemCount = new Int32Array(nodes);
    const tables: number[] = [];
    const elemFeature: number[] = [];
    const elemRatio: number[] = [];
    let maxNodes = 1;
    this.inner = new Int32Array(forest.nTrees);
    const pathF: number[] = [];
    const pathZ: number[] = [];
    const walk = (node: number): void => {
      if (forest.isLeaf(node)) {
        this.tableAt[node] = tables.length;
        this.elemAt[node] = elemFeature.length;
        this.elemCount[node] = pathF.length;
        for (let e = 0; e < pathF.length; e++) {
          elemFeature.push(pathF[e] as number);
          const z = pathZ[e] as number;
          elemRatio.push((1 - z) / z);
        }
        leafTable(pathZ, forest.value[node] as number, tables);
        return;
      }
      const f = forest.feature[node] as number;
      let e = pathF.indexOf(f);
      const fresh = e < 0;
      if (fresh) {
        e = pathF.length;
        pathF.push(f);
        pathZ.push(1);
      }
      this.setBit[node] = fresh ? 1 << e : 0;
      this.clearMask[node] = fresh ? -1 : ~(1 << e);
      const before = pathZ[e] as number;
      for (const side of [0, 1]) {
        const child = forest.children[2 * node + side] as number;
        pathZ[e] = (before * (forest.cover[child] as number)) / (forest.cover[node] as number);
        walk(child);
      }
      pathZ[e] = before;
      if (fresh) {
        pathF.pop();
        pathZ.pop();
      }
    };
    for (const t of trees) {
      const root = forest.roots[t] as number;
      const end = t + 1 < forest.nTrees ? (forest.roots[t + 1] as number) : nodes;
      maxNodes = Math.max(maxNodes, end - root);
      this.inner[t] = (end - root - 1) / 2;
      walk(root);
    }
    this.tables = Float64Array.from(tables);
    this.elemFeature = Int32Array.from(elemFeature);
    this.elemRatio = Float64Array.from(elemRatio);
    this.masks = new Int32Array(maxNodes);
  }

  /** The number of distinct features on a tree's longest path, which sets its table size (2^d per leaf). */
  static pathFeatures(forest: Forest, t: number): number {
    const seen: number[] = [];
    const walk = (node: number): number => {
      if (forest.isLeaf(node)) return seen.length;
      const f = forest.feature[node] as number;
      const fresh = !seen.includes(f);
      if (fresh) seen.push(f);
      const d = Math.max(
        walk(forest.children[2 * node] as number),
        walk(forest.children[2 * node + 1] as number),
      );
      if (fresh) seen.pop();
      return d;
    };
    return walk(forest.roots[t] as number);
  }

  /**
   * Adds the SHAP values of the encoded rows (row-major) to phi, starting at row phiRow of phi. Internal
   * nodes are numbered after their parents and before the leaves, so one pass over them in order gives
   * every node's pattern, and a second pass over the leaves adds their contributions: no recursion.
   */
  explain(x: Float64Array, nRows: number, phi: Float64Array, phiRow = 0): void {
    const f = this.forest;
    const p = f.nFeatures;
    const { children, feature, threshold, lower, catOffset, catLeft } = f;
    const { setBit, clearMask, tableAt, elemAt, elemCount, tables, elemFeature, elemRatio, masks } = this;
    // Tree by tree over all rows, so that one tree's tables stay in cache.
    for (const t of this.trees) {
      const root = f.roots[t] as number;
      const inner = this.inner[t] as number;
      const leafEnd = root + 2 * inner + 1;
      for (let r = 0; r < nRows; r++) {
        const xb = r * p;
        const pb = (phiRow + r) * p;
        masks[0] = 0;
        for (let node = root; node < root + inner; node++) {
          const v = x[xb + feature[node]!]!;
          const c = catOffset[node]!;
          const right = c < 0 ? !(v <= threshold[node]! && v >= lower[node]!) : catLeft[c + v] === 0;
          const m = masks[node - root]!;
          const hot = children[2 * node + (right ? 1 : 0)]!;
          const cold = children[2 * node + (right ? 0 : 1)]!;
          masks[hot - root] = m | setBit[node]!;
          masks[cold - root] = m & clearMask[node]!;
        }
        for (let node = root + inner; node < leafEnd; node++) {
          const d = elemCount[node]!;
          const mask = masks[node - root]!;
          const tb = tableAt[node]!;
          const eb = elemAt[node]!;
          const here = tables[tb + mask]!;
          for (let e = 0; e < d; e++) {
            const bit = 1 << e;
            const j = pb + elemFeature[eb + e]!;
            if ((mask & bit) !== 0) phi[j]! += elemRatio[eb + e]! * tables[tb + (mask ^ bit)]!;
            else phi[j]! -= here;
          }
        }
      }
    }
  }
}

/**
 * Appends v · A(M) for every pattern M of a leaf with zero fractions z (A as in the class comment).
 * A(M) = Π_{k ∉ M} z_k · Σ_s w(s) · e_{|M| − s}(z_M), with e_j the elementary symmetric polynomials of the
 * zero fractions inside M; the full pattern is never looked up and gets 0.
 */
function leafTable(z: readonly number[], v: number, out: number[]): void {
  const d = z.length;
  const w = new Float64Array(d);
  // w(s) = s!(d − s − 1)!/d!, built by the ratio w(s + 1)/w(s) = (s + 1)/(d − s − 1).
  if (d > 0) w[0] = 1 / d;
  for (let s = 0; s + 1 < d; s++) w[s + 1] = ((w[s] as number) * (s + 1)) / (d - s - 1);
  const esp = new Float64Array(d + 1);
  for (let m = 0; m < 1 << d; m++) {
    let outside = 1;
    let size = 0;
    esp.fill(0);
    esp[0] = 1;
    for (let k = 0; k < d; k++) {
      const zk = z[k] as number;
      if ((m & (1 << k)) === 0) {
        outside *= zk;
        continue;
      }
      size++;
      for (let j = size; j >= 1; j--) esp[j]! += zk * (esp[j - 1] as number);
    }
    if (size === d) {
      out.push(0);
      continue;
    }
    let a = 0;
    for (let s = 0; s <= size; s++) a += (w[s] as number) * (esp[size - s] as number);
    out.push(v * outside * a);
  }
}
