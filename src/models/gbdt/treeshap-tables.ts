import type { Forest } from './forest.js';
import { LeafTables } from './treeshap-leaves.js';

/** A unit holds at most this many leaves, … */
const UNIT_LEAVES = 4;
/** … and its key (the pattern at its root, then one bit per internal node) at most this many bits. */
const UNIT_KEY_BITS = 10;
/** Rows explained together, tree by tree. */
const BLOCK = 256;

/** How one tree is cut for TableTreeShap: the nodes whose patterns are propagated, and the units. */
interface TreePlan {
  /** Internal nodes above the units, parents first. */
  readonly top: number[];
  readonly units: UnitPlan[];
  /** Table entries of all units. */
  readonly entries: number;
}

/** A subtree whose leaves' contributions are summed in one table, looked up by one key per row. */
interface UnitPlan {
  readonly root: number;
  /** Elements on the path above the root: the low bits of the key are the root's pattern over them. */
  readonly rootBits: number;
  /** Internal nodes of the unit in preorder; node j's direction (1 = right) is key bit rootBits + j. */
  readonly nodes: number[];
  /** The features the unit's leaves contribute to: the columns of its table. */
  readonly features: number[];
}

/**
 * Exact path-dependent TreeSHAP from precomputed tables (Fast TreeSHAP v2's leaf tables, see LeafTables,
 * summed further over small subtrees). Each tree is cut into units: subtrees of at most UNIT_LEAVES leaves
 * (single leaves where a subtree is too large), below a top part. A row's contributions from all leaves of
 * a unit depend only on its pattern at the unit's root and its direction at each internal node of the
 * unit, so they are summed once per model for every such key: a row then costs a walk over the tree and
 * one table row per unit, instead of d additions per leaf.
 */
export class TableTreeShap {
  private readonly trees: readonly number[];
  /** Per tree (by position in `trees`): its top nodes topNodes[topAt[k] … topAt[k + 1]). */
  private readonly topAt: Int32Array;
  private readonly topNodes: Int32Array;
  /** Per tree: its units unitAt[k] … unitAt[k + 1]. */
  private readonly unitAt: Int32Array;
  /** Per unit: root, root bits, internal nodes (unitNodes[nodeAt[u] … nodeAt[u + 1])), table, width. */
  private readonly unitRoot: Int32Array;
  private readonly unitRootBits: Int32Array;
  private readonly nodeAt: Int32Array;
  private readonly unitNodes: Int32Array;
  private readonly tableAt: Int32Array;
  private readonly width: Int32Array;
  /** Per unit: the feature of each table column, times BLOCK (the offset of its row in acc). */
  private readonly columnAt: Int32Array;
  private readonly columns: Int32Array;
  /** Per unit, column by column: the unit's contribution to the column's feature for each key. */
  private readonly tables: Float64Array;
  /** Per internal node: how its children's patterns follow from its own (see LeafTables). */
  private readonly setBit: Int32Array;
  private readonly clearMask: Int32Array;
  /** Scratch: patterns of each node of the tree being explained, for each row of the block; a unit root's
   * row becomes the unit's key. */
  private readonly masks: Int32Array;
  /** Scratch: the block's rows column-major (xt[f·BLOCK + i]), and their SHAP values in the same layout. */
  private readonly xt: Float64Array;
  private readonly acc: Float64Array;

  /** Builds the tables of the given trees (see TableTreeShap.entries for their size). */
  constructor(
    private readonly forest: Forest,
    trees: readonly number[],
  ) {
    this.trees = trees.filter((t) => !forest.isLeaf(forest.roots[t] as number));
    const plans = this.trees.map((t) => planTree(forest, t));
    const leaves = new LeafTables(forest, this.trees);
    this.setBit = leaves.setBit;
    this.clearMask = leaves.clearMask;
    const nUnits = plans.reduce((s, pl) => s + pl.units.length, 0);
    this.topAt = new Int32Array(plans.length + 1);
    this.unitAt = new Int32Array(plans.length + 1);
    this.unitRoot = new Int32Array(nUnits);
    this.unitRootBits = new Int32Array(nUnits);
    this.nodeAt = new Int32Array(nUnits + 1);
    this.tableAt = new Int32Array(nUnits);
    this.width = new Int32Array(nUnits);
    this.columnAt = new Int32Array(nUnits + 1);
    const top: number[] = [];
    const unitNodes: number[] = [];
    const columns: number[] = [];
    this.tables = new Float64Array(plans.reduce((s, pl) => s + pl.entries, 0));
    const slotOf = new Int32Array(forest.nFeatures).fill(-1);
    let u = 0;
    let tableAt = 0;
    let maxNodes = 1;
    plans.forEach((plan, k) => {
      const t = this.trees[k] as number;
      const end = t + 1 < forest.nTrees ? (forest.roots[t + 1] as number) : forest.feature.length;
      maxNodes = Math.max(maxNodes, end - (forest.roots[t] as number));
      top.push(...plan.top);
      this.topAt[k + 1] = top.length;
      for (const unit of plan.units) {
        this.unitRoot[u] = unit.root;
        this.unitRootBits[u] = unit.rootBits;
        unitNodes.push(...unit.nodes);
        this.nodeAt[u + 1] = unitNodes.length;
        this.tableAt[u] = tableAt;
        this.width[u] = unit.features.length;
        unit.features.forEach((f, s) => {
          slotOf[f] = s;
          columns.push(f * BLOCK);
        });
        this.columnAt[u + 1] = columns.length;
        fillUnitTable(forest, leaves, unit, slotOf, this.tables, tableAt);
        for (const f of unit.features) slotOf[f] = -1;
        tableAt += unitEntries(unit);
        u++;
      }
      this.unitAt[k + 1] = u;
    });
    this.topNodes = Int32Array.from(top);
    this.unitNodes = Int32Array.from(unitNodes);
    this.columns = Int32Array.from(columns);
    this.masks = new Int32Array(maxNodes * BLOCK);
    this.xt = new Float64Array(forest.nFeatures * BLOCK);
    this.acc = new Float64Array(forest.nFeatures * BLOCK);
  }

  /** The number of distinct features on a tree's longest path (its leaf tables hold 2^d entries). */
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

  /** The table entries (8 bytes each) tree t needs. */
  static entries(forest: Forest, t: number): number {
    return forest.isLeaf(forest.roots[t] as number) ? 0 : planTree(forest, t).entries;
  }

  /**
   * Adds the SHAP values of the encoded rows (row-major) to phi, starting at row phiRow of phi. Rows are
   * taken in blocks, and each tree over a whole block; the inner loops run over the rows, which are
   * independent, so that no addition waits on the one before it.
   */
  explain(x: Float64Array, nRows: number, phi: Float64Array, phiRow = 0): void {
    const p = this.forest.nFeatures;
    const { xt, acc } = this;
    for (let r0 = 0; r0 < nRows; r0 += BLOCK) {
      const m = Math.min(BLOCK, nRows - r0);
      for (let i = 0; i < m; i++) {
        for (let f = 0; f < p; f++) xt[f * BLOCK + i] = x[(r0 + i) * p + f]!;
      }
      acc.fill(0);
      for (let k = 0; k < this.trees.length; k++) this.explainTree(k, m);
      for (let i = 0; i < m; i++) {
        const pb = (phiRow + r0 + i) * p;
        for (let f = 0; f < p; f++) phi[pb + f]! += acc[f * BLOCK + i]!;
      }
    }
  }

  /** Adds the contributions of the k-th tree for the m rows in xt to acc. */
  private explainTree(k: number, m: number): void {
    const { acc, tables, columns, unitNodes, masks } = this;
    const root = this.forest.roots[this.trees[k]!]!;
    masks.fill(0, 0, m);
    for (let q = this.topAt[k]!; q < this.topAt[k + 1]!; q++) this.propagate(this.topNodes[q]!, root, m);
    for (let u = this.unitAt[k]!; u < this.unitAt[k + 1]!; u++) {
      // The key is built in the unit root's own row of masks, which nothing else reads.
      const at = (this.unitRoot[u]! - root) * BLOCK;
      let shift = this.unitRootBits[u]!;
      for (let q = this.nodeAt[u]!; q < this.nodeAt[u + 1]!; q++) {
        this.addDirections(unitNodes[q]!, shift++, at, m);
      }
      // Column s of the unit's table is tables[tb + s·keys …]: one gather per row and column.
      const w = this.width[u]!;
      const nKeys = 1 << shift;
      const cols = this.columnAt[u]!;
      let tb = this.tableAt[u]!;
      let s = 0;
      for (; s + 1 < w; s += 2) {
        const o0 = columns[cols + s]!;
        const o1 = columns[cols + s + 1]!;
        const tb1 = tb + nKeys;
        for (let i = 0; i < m; i++) {
          const key = masks[at + i]!;
          acc[o0 + i]! += tables[tb + key]!;
          acc[o1 + i]! += tables[tb1 + key]!;
        }
        tb += 2 * nKeys;
      }
      if (s < w) {
        const o = columns[cols + s]!;
        for (let i = 0; i < m; i++) acc[o + i]! += tables[tb + masks[at + i]!]!;
      }
    }
  }

  /** Writes the patterns of node's children from its own, for each row of the block. */
  private propagate(node: number, root: number, m: number): void {
    const { feature, threshold, lower, catOffset, catLeft, children } = this.forest;
    const { xt, masks } = this;
    const xb = feature[node]! * BLOCK;
    const at = (node - root) * BLOCK;
    const l = (children[2 * node]! - root) * BLOCK;
    const r = (children[2 * node + 1]! - root) * BLOCK;
    const set = this.setBit[node]!;
    const clear = this.clearMask[node]!;
    const c = catOffset[node]!;
    const hi = threshold[node]!;
    const lo = lower[node]!;
    for (let i = 0; i < m; i++) {
      const v = xt[xb + i]!;
      // 1 when the row goes right: then the right child is the hot one.
      const right = c < 0 ? +(v > hi) + +(v < lo) : +(catLeft[c + v] === 0);
      const mask = masks[at + i]!;
      const hot = mask | set;
      const cold = mask & clear;
      const flip = (hot ^ cold) & (0 - right);
      masks[l + i] = hot ^ flip;
      masks[r + i] = cold ^ flip;
    }
  }

  /** Sets bit `shift` of masks[at + i] when row i of the block goes right at `node`. */
  private addDirections(node: number, shift: number, at: number, m: number): void {
    const { feature, threshold, lower, catOffset, catLeft } = this.forest;
    const { xt, masks } = this;
    const xb = feature[node]! * BLOCK;
    const c = catOffset[node]!;
    if (c < 0) {
      const hi = threshold[node]!;
      const lo = lower[node]!;
      // Unary plus turns a comparison into 0/1 without a branch (the two cannot both hold: lo < hi).
      for (let i = 0; i < m; i++) {
        const v = xt[xb + i]!;
        masks[at + i]! |= (+(v > hi) + +(v < lo)) << shift;
      }
    } else {
      for (let i = 0; i < m; i++) masks[at + i]! |= +(catLeft[c + xt[xb + i]!] === 0) << shift;
    }
  }
}

/** Cuts tree t into a top part and units, top-down: a node whose subtree is small enough is a unit. */
function planTree(forest: Forest, t: number): TreePlan {
  const top: number[] = [];
  const units: UnitPlan[] = [];
  const path: number[] = [];
  const leavesOf = (node: number): number =>
    forest.isLeaf(node)
      ? 1
      : leavesOf(forest.children[2 * node] as number) + leavesOf(forest.children[2 * node + 1] as number);
  const collect = (node: number, nodes: number[], features: Set<number>): void => {
    if (forest.isLeaf(node)) return;
    nodes.push(node);
    features.add(forest.feature[node] as number);
    collect(forest.children[2 * node] as number, nodes, features);
    collect(forest.children[2 * node + 1] as number, nodes, features);
  };
  const visit = (node: number): void => {
    const nLeaves = leavesOf(node);
    if (forest.isLeaf(node) || (nLeaves <= UNIT_LEAVES && path.length + nLeaves - 1 <= UNIT_KEY_BITS)) {
      const nodes: number[] = [];
      const features = new Set(path);
      collect(node, nodes, features);
      units.push({ root: node, rootBits: path.length, nodes, features: [...features].sort((a, b) => a - b) });
      return;
    }
    top.push(node);
    const f = forest.feature[node] as number;
    const fresh = !path.includes(f);
    if (fresh) path.push(f);
    visit(forest.children[2 * node] as number);
    visit(forest.children[2 * node + 1] as number);
    if (fresh) path.pop();
  };
  visit(forest.roots[t] as number);
  top.sort((a, b) => a - b);
  return { top, units, entries: units.reduce((s, u) => s + unitEntries(u), 0) };
}

function unitEntries(unit: UnitPlan): number {
  return 2 ** (unit.rootBits + unit.nodes.length) * unit.features.length;
}

/**
 * Fills a unit's table: for every key (pattern at the root, direction at each internal node), the sum
 * of its leaves' contributions, each leaf's pattern following from the root's as the row walks down.
 */
function fillUnitTable(
  forest: Forest,
  leaves: LeafTables,
  unit: UnitPlan,
  slotOf: Int32Array,
  out: Float64Array,
  at: number,
): void {
  const keys = 2 ** (unit.rootBits + unit.nodes.length);
  const rootMask = (1 << unit.rootBits) - 1;
  const position = new Map(unit.nodes.map((n, j) => [n, unit.rootBits + j]));
  for (let key = 0; key < keys; key++) {
    const descend = (node: number, mask: number): void => {
      if (forest.isLeaf(node)) {
        leaves.addLeaf(node, mask, slotOf, out, at + key, keys);
        return;
      }
      const right = (key >> (position.get(node) as number)) & 1;
      const hot = mask | (leaves.setBit[node] as number);
      const cold = mask & (leaves.clearMask[node] as number);
      descend(forest.children[2 * node] as number, right === 0 ? hot : cold);
      descend(forest.children[2 * node + 1] as number, right === 1 ? hot : cold);
    };
    descend(unit.root, key & rootMask);
  }
}
