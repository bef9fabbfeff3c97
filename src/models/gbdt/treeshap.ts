import type { Forest } from './forest.js';
import { RecursiveTreeShap } from './treeshap-recursive.js';
import { TableTreeShap } from './treeshap-tables.js';

/** How TreeShap computes: precomputed tables where they are small, Algorithm 2 elsewhere, or one of them only. */
export type TreeShapMethod = 'auto' | 'tables' | 'recursive';

/** Trees whose paths meet more distinct features than this use Algorithm 2 under 'auto'. */
const MAX_TABLE_FEATURES = 10;
/** Table entries (8 bytes each) 'auto' allows in all, about 64 MB. */
const TABLE_BUDGET = 8_000_000;

/**
 * Exact path-dependent TreeSHAP for a forest: SHAP values of each row on the margin, which add up with
 * the expected value to the margin. Both methods give the same values (to rounding); 'auto' takes the
 * faster tables (treeshap-tables.ts) for every tree they fit and Lundberg's recursive Algorithm 2 for
 * the rest.
 * @example const ts = new TreeShap(forest); ts.explain(encodedRows, n, phi); // ts.expectedValue + Σ phi = margin
 */
export class TreeShap {
  /** The expected margin over the training cover: initScore + Σ_t Σ_leaf cover·value / root cover. */
  readonly expectedValue: number;
  private readonly tables: TableTreeShap | null;
  private readonly recursive: RecursiveTreeShap | null;
  private readonly recursiveTrees: readonly number[];

  constructor(forest: Forest, method: TreeShapMethod = 'auto') {
    let e = forest.initScore;
    for (let t = 0; t < forest.nTrees; t++) e += expectation(forest, forest.roots[t] as number);
    this.expectedValue = e;
    const tableTrees: number[] = [];
    const recursiveTrees: number[] = [];
    let budget = TABLE_BUDGET;
    for (let t = 0; t < forest.nTrees; t++) {
      if (method === 'recursive') {
        recursiveTrees.push(t);
        continue;
      }
      const d = TableTreeShap.pathFeatures(forest, t);
      const size = d <= MAX_TABLE_FEATURES ? TableTreeShap.entries(forest, t) : 0;
      if (method === 'tables' || (d <= MAX_TABLE_FEATURES && size <= budget)) {
        tableTrees.push(t);
        budget -= size;
      } else recursiveTrees.push(t);
    }
    this.tables = tableTrees.length > 0 ? new TableTreeShap(forest, tableTrees) : null;
    this.recursive = recursiveTrees.length > 0 ? new RecursiveTreeShap(forest) : null;
    this.recursiveTrees = recursiveTrees;
  }

  /** Adds the SHAP values of the encoded rows (row-major) to phi, starting at row phiRow of phi. */
  explain(x: Float64Array, nRows: number, phi: Float64Array, phiRow = 0): void {
    this.tables?.explain(x, nRows, phi, phiRow);
    if (this.recursive !== null) {
      for (const t of this.recursiveTrees) this.recursive.explainTree(t, x, nRows, phi, phiRow);
    }
  }
}

function expectation(f: Forest, node: number): number {
  if (f.isLeaf(node)) return f.value[node] as number;
  const l = f.children[2 * node] as number;
  const r = f.children[2 * node + 1] as number;
  return (
    ((f.cover[l] as number) * expectation(f, l) + (f.cover[r] as number) * expectation(f, r)) /
    (f.cover[node] as number)
  );
}
