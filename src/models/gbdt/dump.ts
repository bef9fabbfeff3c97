import type { FeatureBins } from './binning.js';
import type { GbdtModel } from './train.js';
import type { Tree } from './tree.js';

/** An internal node of LightGBM's JSON dump. */
export interface DumpSplitNode {
  readonly split_index: number;
  readonly split_feature: number;
  readonly split_gain: number;
  /** A number for '<=' splits; for '==' splits the level indices going left, joined by '||'. */
  readonly threshold: number | string;
  readonly decision_type: '<=' | '==';
  readonly default_left: boolean;
  readonly missing_type: 'NaN' | 'None';
  readonly internal_value: number;
  readonly internal_weight: number;
  readonly internal_count: number;
  readonly left_child: DumpNode;
  readonly right_child: DumpNode;
}

/** A leaf of LightGBM's JSON dump. */
export interface DumpLeaf {
  readonly leaf_index: number;
  readonly leaf_value: number;
  readonly leaf_weight: number;
  readonly leaf_count: number;
}

export type DumpNode = DumpSplitNode | DumpLeaf;

/** One entry of tree_info. */
export interface DumpTree {
  readonly tree_index: number;
  readonly num_leaves: number;
  readonly num_cat: number;
  readonly shrinkage: number;
  readonly tree_structure: DumpNode;
}

/** The whole dump, in the shape of LightGBM's `Booster.dump_model()`. */
export interface GbdtDump {
  readonly name: 'tree';
  readonly version: 'v4';
  readonly num_class: 1;
  readonly num_tree_per_iteration: 1;
  readonly label_index: 0;
  readonly max_feature_idx: number;
  readonly objective: 'binary sigmoid:1';
  readonly average_output: false;
  readonly feature_names: readonly string[];
  readonly monotone_constraints: readonly number[];
  readonly feature_infos: Readonly<
    Record<
      string,
      {
        readonly min_value: number;
        readonly max_value: number;
        readonly values: readonly (number | string)[];
      }
    >
  >;
  readonly tree_info: readonly DumpTree[];
  readonly feature_importances: Readonly<Record<string, number>>;
}

/**
 * Writes a model in LightGBM's JSON dump vocabulary. As LightGBM does with boost_from_average, the
 * initial score is folded into the first tree's values, so that the leaf values reached, summed over the
 * trees, give the margin. Categorical thresholds list indices into feature_infos[name].values.
 * @example JSON.stringify(dumpGbdt(model, 0.1), null, 1)
 */
export function dumpGbdt(model: GbdtModel, shrinkage: number): GbdtDump {
  const importances: Record<string, number> = {};
  for (const t of model.trees) {
    t.splitFeature.forEach((f) => {
      const name = model.featureNames[f] as string;
      importances[name] = (importances[name] ?? 0) + 1;
    });
  }
  const infos: Record<string, { min_value: number; max_value: number; values: (number | string)[] }> = {};
  model.featureNames.forEach((name, f) => {
    const fi = model.bins[f] as FeatureBins;
    infos[name] =
      fi.kind === 'numeric'
        ? { min_value: fi.min, max_value: fi.max, values: [] }
        : { min_value: 0, max_value: fi.levels.length - 1, values: [...fi.levels] };
  });
  return {
    name: 'tree',
    version: 'v4',
    num_class: 1,
    num_tree_per_iteration: 1,
    label_index: 0,
    max_feature_idx: model.featureNames.length - 1,
    objective: 'binary sigmoid:1',
    average_output: false,
    feature_names: model.featureNames,
    monotone_constraints: model.monotone,
    feature_infos: infos,
    tree_info: model.trees.map((t, i) => ({
      tree_index: i,
      num_leaves: t.numLeaves,
      num_cat: t.catLeft.filter((c) => c !== null).length,
      shrinkage,
      tree_structure: dumpNode(t, t.numLeaves > 1 ? 0 : ~0, i === 0 ? model.initScore : 0),
    })),
    feature_importances: importances,
  };
}

function dumpNode(t: Tree, node: number, bias: number): DumpNode {
  if (node < 0) {
    const l = ~node;
    return {
      leaf_index: l,
      leaf_value: (t.leafValue[l] as number) + bias,
      leaf_weight: t.leafWeight[l] as number,
      leaf_count: t.leafCount[l] as number,
    };
  }
  const cat = t.catLeft[node] ?? null;
  return {
    split_index: node,
    split_feature: t.splitFeature[node] as number,
    split_gain: t.splitGain[node] as number,
    threshold: cat === null ? (t.threshold[node] as number) : cat.join('||'),
    decision_type: cat === null ? '<=' : '==',
    default_left: t.defaultLeft[node] === 1,
    missing_type: 'NaN',
    internal_value: (t.internalValue[node] as number) + bias,
    internal_weight: t.internalWeight[node] as number,
    internal_count: t.internalCount[node] as number,
    left_child: dumpNode(t, t.leftChild[node] as number, bias),
    right_child: dumpNode(t, t.rightChild[node] as number, bias),
  };
}
