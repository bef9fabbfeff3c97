import { z } from 'zod';

const nums = z.array(z.number());
const ints = z.array(z.number().int());

/** The shape of one stored tree (see Tree); checked when an artifact is loaded. */
export const treeSchema = z
  .object({
    numLeaves: z.number().int().min(1),
    splitFeature: ints,
    threshold: nums,
    thresholdBin: ints,
    defaultLeft: z.array(z.union([z.literal(0), z.literal(1)])),
    catLeft: z.array(z.array(z.number().int().min(0)).nullable()),
    leftChild: ints,
    rightChild: ints,
    splitGain: nums,
    internalValue: nums,
    internalCount: nums,
    internalWeight: nums,
    leafValue: nums,
    leafCount: nums,
    leafWeight: nums,
  })
  .refine(
    (t) =>
      [
        t.splitFeature,
        t.threshold,
        t.thresholdBin,
        t.defaultLeft,
        t.catLeft,
        t.leftChild,
        t.rightChild,
      ].every((a) => a.length === t.numLeaves - 1) &&
      [t.leafValue, t.leafCount, t.leafWeight].every((a) => a.length === t.numLeaves) &&
      [...t.leftChild, ...t.rightChild].every((c) => (c >= 0 ? c < t.numLeaves - 1 : ~c < t.numLeaves)),
    { message: 'tree arrays disagree with numLeaves or a child index is out of range' },
  );

/** The shape of a GBDT artifact's state; checked when an artifact is loaded. */
export const gbdtStateSchema = z.object({
  bins: z.array(
    z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('numeric'), upper: nums, min: z.number(), max: z.number() }),
      z.object({ kind: z.literal('categorical'), levels: z.array(z.string()) }),
    ]),
  ),
  monotone: z.array(z.union([z.literal(-1), z.literal(0), z.literal(1)])),
  initScore: z.number(),
  trees: z.array(treeSchema),
  roundsRun: z.number().int().min(0),
  validLogLoss: nums,
});
