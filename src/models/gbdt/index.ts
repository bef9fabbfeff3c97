export { applyBins, type BinnedData, type FeatureBins, fitBins } from './binning.js';
export {
  GBDT_KIND,
  type GbdtArtifactState,
  type GbdtFitted,
  GradientBoostingClassifier,
  type ShapValues,
} from './classifier.js';
export { dumpGbdt, type GbdtDump } from './dump.js';
export { Forest, RowEncoder } from './forest.js';
export {
  GBDT_OPTION_SPECS,
  type GbdtOptions,
  type GbdtParams,
  gbdtOptionsSchema,
  MIN_DATA_IN_LEAF_RULE,
  minDataInLeafFor,
  parseGbdtOptions,
  withSizedDefaults,
} from './options.js';
export { type GbdtModel, logLoss, type TrainGbdtOptions, trainGbdt } from './train.js';
export type { Tree } from './tree.js';
export { TreeShap, type TreeShapMethod } from './treeshap.js';
export { RecursiveTreeShap } from './treeshap-recursive.js';
export { TableTreeShap } from './treeshap-tables.js';
