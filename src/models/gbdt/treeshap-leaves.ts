import type { Forest } from './forest.js';

/**
 * The per-leaf tables of path-dependent TreeSHAP (the idea of Fast TreeSHAP v2, Yang 2021) for some trees
 * of a forest, and the pattern bookkeeping of every node.
 *
 * For a leaf with value v whose path meets d distinct features (elements; a feature met twice is one
 * element whose zero fraction z is the product of its cover ratios and whose one fraction is 1 only when
 * the row follows every edge on it), the row's pattern M is the set of elements with one fraction 1.
 * With Shapley weights w(s) = s!(d − s − 1)!/d! and A(M) = Σ_{S ⊆ M} w(|S|) Π_{k ∉ S} z_k, the leaf adds
 *   v · (1 − z_i)/z_i · A(M \ {i})  to an element i in M, and  −v · A(M)  to an element not in M.
 * The tables T(M) = v · A(M) hold 2^d numbers per leaf. Elements are numbered in the order the path meets
 * them, so a node's pattern is a bit set over the elements of its path.
 */
export class LeafTables {
  /**
   * Per internal node: how its children's patterns follow from its own. The hot child (the side the row
   * takes) gets pattern | setBit, the cold child pattern & clearMask: a feature met first here sets its
   * bit on the hot side; a feature met again clears it on the cold side.
   */
  readonly setBit: Int32Array;
  readonly clearMask: Int32Array;
  /** Per node: the number of elements on the path above it (for a leaf, its own element count d). */
  readonly pathElements: Int32Array;
  /** Per leaf node: offset of its table T in `tables` and of its elements in elemFeature/elemRatio. */
  readonly tableAt: Int32Array;
  readonly elemAt: Int32Array;
  readonly tables: Float64Array;
  readonly elemFeature: Int32Array;
  /** Per element: (1 − z)/z, the factor of the contribution of an element in the pattern. */
  readonly elemRatio: Float64Array;

  /** Builds the tables of the leaves of the given trees. */
  constructor(forest: Forest, trees: readonly number[]) {
    const nodes = forest.feature.length;
    this.setBit = new Int32Array(nodes);
    this.clearMask = new Int32Array(nodes).fill(-1);
    this.pathElements = new Int32Array(nodes);
    this.tableAt = new Int32Array(nodes);
    this.elemAt = new Int32Array(nodes);
    const tables: number[] = [];
    const elemFeature: number[] = [];
    const elemRatio: number[] = [];
    const pathF: number[] = [];
    const pathZ: number[] = [];
    const walk = (node: number): void => {
      this.pathElements[node] = pathF.length;
      if (forest.isLeaf(node)) {
        this.tableAt[node] = tables.length;
        this.elemAt[node] = elemFeature.length;
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
    for (const t of trees) walk(forest.roots[t] as number);
    this.tables = Float64Array.from(tables);
    this.elemFeature = Int32Array.from(elemFeature);
    this.elemRatio = Float64Array.from(elemRatio);
  }

  /**
   * Adds leaf `node`'s contributions for pattern `mask` to out[outAt + slot(feature)·stride], where slotOf
   * maps a feature to its slot.
   */
  addLeaf(
    node: number,
    mask: number,
    slotOf: Int32Array,
    out: Float64Array,
    outAt: number,
    stride: number,
  ): void {
    const d = this.pathElements[node] as number;
    const tb = this.tableAt[node] as number;
    const eb = this.elemAt[node] as number;
    const here = this.tables[tb + mask] as number;
    for (let e = 0; e < d; e++) {
      const bit = 1 << e;
      const j = outAt + (slotOf[this.elemFeature[eb + e] as number] as number) * stride;
      if ((mask & bit) !== 0)
        out[j]! += (this.elemRatio[eb + e] as number) * (this.tables[tb + (mask ^ bit)] as number);
      else out[j]! -= here;
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
