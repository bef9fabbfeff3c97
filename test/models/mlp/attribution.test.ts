import { beforeAll, describe, expect, it } from 'vitest';
import { Frame, numeric } from '../../../src/core/frame.js';
import { defaultReference, inputMeans } from '../../../src/models/mlp/attribution.js';
import { initMlpBackend } from '../../../src/models/mlp/backend.js';
import { Mlp } from '../../../src/models/mlp/mlp.js';
import { creditSample } from '../../binning/fixture.js';
import { matrixRows } from './synthetic.js';

const train = creditSample(800, 21);
const test = creditSample(50, 22);
let model: Mlp;

beforeAll(async () => {
  await initMlpBackend();
  model = new Mlp({ hiddenLayers: [8], maxEpochs: 15, patience: 3, batchSize: 64, seed: 3 }).fit(
    train.x,
    train.y,
  );
}, 60_000);

const logit = (p: number): number => Math.log(p / (1 - p));

describe('MLP occlusion reasons', () => {
  it('impact = logit(row) − logit(row with the feature at its training mean)', () => {
    const reasons = model.reasons(test.x, 5);
    const means = new Map(
      model
        .fitted()
        .preprocessing.inputs.flatMap((i) =>
          i.kind === 'numeric' && !i.missingIndicator ? [[i.name, i.mean]] : [],
        ),
    ) as Map<string, number>;
    const pd = model.predictProba(test.x);
    let checked = 0;
    reasons.forEach((row, i) => {
      for (const r of row) {
        const mean = means.get(r.feature);
        if (mean === undefined) continue;
        // The same row with this one feature set to the average borrower's value.
        const one = test.x.take(Int32Array.from([i]));
        const occluded = Frame.fromColumns(
          one.columns.map((c) => (c.name === r.feature ? numeric(c.name, [mean]) : c)),
        );
        const expected = logit(pd[i] as number) - logit(model.predictProba(occluded)[0] as number);
        expect(r.impact).toBeCloseTo(expected, 3);
        expect(r.impact).toBeGreaterThan(0);
        checked++;
      }
      for (let k = 1; k < row.length; k++)
        expect(row[k - 1]?.impact).toBeGreaterThanOrEqual(row[k]?.impact ?? 0);
    });
    expect(checked).toBeGreaterThan(10);
  });

  it('keeps the reference in the artifact, and has a documented default for older ones', () => {
    const a = model.toArtifact();
    const ref = a.state.reference;
    expect(ref).toHaveLength(model.fitted().preprocessing.width);
    const p = model.fitted().preprocessing;
    expect(defaultReference(p)).toHaveLength(p.width);
    const x = Float32Array.from([1, 2, 3, 4]);
    const two = new Float32Array(2);
    expect(inputMeans(matrixRows({ x, y: two, w: two, rows: 2, width: 2 }))).toEqual([2, 3]);
  });
});
