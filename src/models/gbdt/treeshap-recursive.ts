import type { Forest } from './forest.js';

/**
 * Exact path-dependent TreeSHAP (Lundberg, Erion & Lee 2018, "Consistent individualized feature
 * attribution for tree ensembles", Algorithm 2). Walking every root-to-leaf path once, it keeps for the
 * features met so far the weights of all subset sizes (EXTEND), removes a feature again when the path
 * splits on it twice or when a leaf is scored (UNWIND), and credits each feature with
 * (one fraction − zero fraction) × leaf value × the Shapley weight sum. The zero fraction of an edge is
 * cover(child) / cover(node) with cover = training rows; the one fraction is 1 when the row follows it.
 * The contributions of a row plus the expected value of the model add up to its margin. This is the
 * reference implementation; TreeShap uses leaf tables (treeshap-tables.ts) where paths are short.
 */
export class RecursiveTreeShap {
  private readonly pf: Int32Array;
  private readonly pz: Float64Array;
  private readonly po: Float64Array;
  private readonly pw: Float64Array;
  private x: Float64Array = new Float64Array(0);
  private xb = 0;
  private phi: Float64Array = new Float64Array(0);
  private phiBase = 0;

  constructor(private readonly forest: Forest) {
    let maxDepth = 0;
    for (let t = 0; t < forest.nTrees; t++) maxDepth = Math.max(maxDepth, forest.depths[t] as number);
    const maxd = maxDepth + 2;
    const size = (maxd * (maxd + 1)) / 2;
    this.pf = new Int32Array(size);
    this.pz = new Float64Array(size);
    this.po = new Float64Array(size);
    this.pw = new Float64Array(size);
  }

  /**
   * Adds the SHAP values of rows encoded in x (row-major, nFeatures per row) to phi (row-major, nFeatures
   * per row), starting at row `phiRow` of phi.
   */
  explain(x: Float64Array, nRows: number, phi: Float64Array, phiRow = 0): void {
    for (let t = 0; t < this.forest.nTrees; t++) this.explainTree(t, x, nRows, phi, phiRow);
  }

  /** explain() for one tree only. */
  explainTree(t: number, x: Float64Array, nRows: number, phi: Float64Array, phiRow = 0): void {
    const p = this.forest.nFeatures;
    const root = this.forest.roots[t] as number;
    if (this.forest.isLeaf(root)) return;
    this.x = x;
    this.phi = phi;
    for (let r = 0; r < nRows; r++) {
      this.xb = r * p;
      this.phiBase = (phiRow + r) * p;
      this.recurse(root, 0, 0, 1, 1, -1);
    }
  }

  private recurse(
    node: number,
    depth: number,
    parentAt: number,
    zero: number,
    one: number,
    feature: number,
  ): void {
    const { pf, pz, po, pw } = this;
    const at = parentAt + depth + 1;
    for (let i = 0; i < depth; i++) {
      pf[at + i] = pf[parentAt + i]!;
      pz[at + i] = pz[parentAt + i]!;
      po[at + i] = po[parentAt + i]!;
      pw[at + i] = pw[parentAt + i]!;
    }
    extend(pf, pz, po, pw, at, depth, zero, one, feature);
    const f = this.forest;
    if (f.isLeaf(node)) {
      const v = f.value[node]!;
      for (let i = 1; i <= depth; i++) {
        const w = unwoundSum(pz, po, pw, at, depth, i);
        this.phi[this.phiBase + pf[at + i]!]! += w * (po[at + i]! - pz[at + i]!) * v;
      }
      return;
    }
    const right = f.goesRight(this.x, this.xb, node);
    const hot = f.children[2 * node + (right ? 1 : 0)]!;
    const cold = f.children[2 * node + (right ? 0 : 1)]!;
    const cover = f.cover[node]!;
    const hotZero = f.cover[hot]! / cover;
    const coldZero = f.cover[cold]! / cover;
    const split = f.feature[node]!;
    let inZero = 1;
    let inOne = 1;
    // A feature met again on the path is taken out and put back with the product of both fractions.
    let k = 0;
    while (k <= depth && pf[at + k] !== split) k++;
    let d = depth;
    if (k <= depth) {
      inZero = pz[at + k]!;
      inOne = po[at + k]!;
      unwind(pf, pz, po, pw, at, d, k);
      d -= 1;
    }
    this.recurse(hot, d + 1, at, hotZero * inZero, inOne, split);
    this.recurse(cold, d + 1, at, coldZero * inZero, 0, split);
  }
}

function extend(
  pf: Int32Array,
  pz: Float64Array,
  po: Float64Array,
  pw: Float64Array,
  at: number,
  depth: number,
  zero: number,
  one: number,
  feature: number,
): void {
  pf[at + depth] = feature;
  pz[at + depth] = zero;
  po[at + depth] = one;
  pw[at + depth] = depth === 0 ? 1 : 0;
  for (let i = depth - 1; i >= 0; i--) {
    pw[at + i + 1]! += (one * pw[at + i]! * (i + 1)) / (depth + 1);
    pw[at + i] = (zero * pw[at + i]! * (depth - i)) / (depth + 1);
  }
}

function unwind(
  pf: Int32Array,
  pz: Float64Array,
  po: Float64Array,
  pw: Float64Array,
  at: number,
  depth: number,
  k: number,
): void {
  const one = po[at + k]!;
  const zero = pz[at + k]!;
  let next = pw[at + depth]!;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = pw[at + i]!;
      pw[at + i] = (next * (depth + 1)) / ((i + 1) * one);
      next = tmp - (pw[at + i]! * zero * (depth - i)) / (depth + 1);
    } else {
      pw[at + i] = (pw[at + i]! * (depth + 1)) / (zero * (depth - i));
    }
  }
  for (let i = k; i < depth; i++) {
    pf[at + i] = pf[at + i + 1]!;
    pz[at + i] = pz[at + i + 1]!;
    po[at + i] = po[at + i + 1]!;
  }
}

function unwoundSum(
  pz: Float64Array,
  po: Float64Array,
  pw: Float64Array,
  at: number,
  depth: number,
  k: number,
): number {
  const one = po[at + k]!;
  const zero = pz[at + k]!;
  let next = pw[at + depth]!;
  let total = 0;
  for (let i = depth - 1; i >= 0; i--) {
    if (one !== 0) {
      const tmp = (next * (depth + 1)) / ((i + 1) * one);
      total += tmp;
      next = pw[at + i]! - tmp * zero * ((depth - i) / (depth + 1));
    } else if (zero !== 0) {
      total += pw[at + i]! / zero / ((depth - i) / (depth + 1));
    }
  }
  return total;
}
