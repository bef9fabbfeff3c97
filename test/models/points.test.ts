import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { type Artifact, canonicalJson, sha256 } from '../../src/core/artifact.js';
import { categorical, Frame, numeric } from '../../src/core/frame.js';
import { GradientBoostingClassifier } from '../../src/models/gbdt/index.js';
import { LogisticRegression } from '../../src/models/logistic.js';
import { initMlpBackend } from '../../src/models/mlp/backend.js';
import { Mlp } from '../../src/models/mlp/mlp.js';
import type { TrainedModel } from '../../src/models/model.js';
import { DEFAULT_SCALE, pdFromScore, pointsFromPd, scaling, scalingOf } from '../../src/models/points.js';
import { cellText, MISSING_TEXT, reasonTexts } from '../../src/models/reason-text.js';
import { Scorecard } from '../../src/models/scorecard.js';
import { creditSample } from '../binning/fixture.js';

/** An artifact as saved before a field existed: the fields dropped, the checksum sealed again. */
function withoutFields(a: Artifact, params: readonly string[], state: readonly string[]): Artifact {
  const p = { ...(a.params as Record<string, unknown>) };
  for (const k of params) delete p[k];
  const s = { ...(a.state as Record<string, unknown>) };
  for (const k of state) delete s[k];
  const { sha256: _old, ...rest } = { ...a, params: p, state: s };
  return { ...rest, sha256: sha256(canonicalJson(rest)) } as Artifact;
}

/** Checks that a score never rises with the PD: sorted by PD, the points never go up. */
function expectNonIncreasing(pd: Float64Array, score: Float64Array): void {
  const order = Array.from(pd.keys()).sort((a, b) => (pd[a] as number) - (pd[b] as number));
  let violations = 0;
  for (let k = 1; k < order.length; k++) {
    const a = order[k - 1] as number;
    const b = order[k] as number;
    if ((pd[b] as number) > (pd[a] as number) && (score[b] as number) > (score[a] as number)) violations++;
  }
  expect(violations).toBe(0);
}

describe('pointsFromPd', () => {
  const s = scaling(600, 50, 20);

  it('puts the base odds at the base score and doubles the odds every PDO', () => {
    expect(Array.from(pointsFromPd([1 / 51, 1 / 101, 1 / 201, 1 / 26], s))).toEqual([600, 620, 640, 580]);
    expect(pdFromScore(600, s)).toBeCloseTo(1 / 51, 12);
  });

  it('is non-increasing in the PD, finite at 0 and 1, NaN for NaN (property)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 200 }),
        (a, b, pdo) => {
          const sc = scaling(500, 20, pdo);
          const [pa, pb] = pointsFromPd([Math.min(a, b), Math.max(a, b)], sc);
          expect(Number.isFinite(pa) && Number.isFinite(pb)).toBe(true);
          expect(pa).toBeGreaterThanOrEqual(pb as number);
        },
      ),
    );
    expect(Number.isNaN(pointsFromPd([Number.NaN], s)[0])).toBe(true);
  });

  it('uses the scorecard defaults as its default scale', () => {
    expect(DEFAULT_SCALE).toEqual({ baseScore: 600, baseOdds: 50, pdo: 20 });
    expect(scalingOf(DEFAULT_SCALE)).toEqual(s);
  });
});

describe('every family scores points on the scorecard scale', () => {
  const train = creditSample(1200, 5);
  const test = creditSample(600, 6);
  const models: Record<string, TrainedModel> = {};

  beforeAll(async () => {
    await initMlpBackend();
    models.scorecard = new Scorecard({}).fit(train.x, train.y);
    models.logistic = new LogisticRegression({ pdo: 40 }).fit(train.x, train.y);
    models.gbdt = new GradientBoostingClassifier({ nEstimators: 40, maxDepth: 3 }).fit(train.x, train.y);
    models.mlp = new Mlp({ hiddenLayers: [8], maxEpochs: 20, patience: 3, batchSize: 64, seed: 7 }).fit(
      train.x,
      train.y,
    );
  }, 120_000);

  it.each(['scorecard', 'logistic', 'gbdt', 'mlp'])('%s: score is non-increasing in its PD', (name) => {
    const m = models[name] as TrainedModel;
    const pd = m.predictProba(test.x);
    const score = m.score?.(test.x) as Float64Array;
    expect(score).toBeInstanceOf(Float64Array);
    expect(score.every((v) => Number.isInteger(v))).toBe(true);
    expectNonIncreasing(pd, score);
    // and along random subsets drawn by fast-check, to exercise ties and small samples
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: test.x.nRows - 1 }), { minLength: 2 }), (rows) => {
        const sub = Int32Array.from(rows);
        expectNonIncreasing(
          Float64Array.from(sub, (r) => pd[r] as number),
          Float64Array.from(sub, (r) => score[r] as number),
        );
      }),
      { numRuns: 30 },
    );
  });

  it('non-scorecard points are pointsFromPd of the PD on the family scale option', () => {
    const lr = models.logistic as LogisticRegression;
    expect(Array.from(lr.score(test.x))).toEqual(
      Array.from(pointsFromPd(lr.predictProba(test.x), scaling(600, 50, 40))),
    );
    const g = models.gbdt as GradientBoostingClassifier;
    expect(Array.from(g.score(test.x))).toEqual(
      Array.from(pointsFromPd(g.predictProba(test.x), scaling(600, 50, 20))),
    );
  });

  it('old artifacts without the scale (and without reason state) load with the defaults', () => {
    const scale = ['baseScore', 'baseOdds', 'pdo'];
    const lr = LogisticRegression.fromArtifact(
      withoutFields((models.logistic as LogisticRegression).toArtifact(), scale, ['contributionRange']),
    );
    const g = GradientBoostingClassifier.fromArtifact(
      withoutFields((models.gbdt as GradientBoostingClassifier).toArtifact(), scale, []),
    );
    const mlp = Mlp.fromArtifact(withoutFields((models.mlp as Mlp).toArtifact(), scale, ['reference']));
    const defaults = scaling(600, 50, 20);
    for (const m of [lr, g, mlp]) {
      expect(Array.from(m.score(test.x))).toEqual(Array.from(pointsFromPd(m.predictProba(test.x), defaults)));
      const reasons = m.reasons(test.x.take(Int32Array.from([0, 1, 2])), 2);
      expect(reasons).toHaveLength(3);
    }
    // The MLP's reasons still come out (against the default reference) for an old artifact.
    expect(mlp.reasons(test.x, 1).flat().length).toBeGreaterThan(0);
  });
});

describe('logistic reasons', () => {
  // A tiny model: one numeric and one categorical feature with a clear effect each.
  const x = Frame.fromColumns([
    numeric('debt', [0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4, 0, 1, 2, 3, 4]),
    categorical('region', [...'aabbababababbabaabba']),
  ]);
  const y = Float64Array.from([0, 0, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 1, 1, 1]);
  const lr = new LogisticRegression({ l2: 1 }).fit(x, y);
  const s = lr.fitted();
  const factor = 20 / Math.LN2;

  it('measures each variable against its best training contribution, in points', () => {
    const row = Frame.fromColumns([numeric('debt', [4]), categorical('region', ['b'])]);
    const [reasons] = lr.reasons(row, 5);
    const num = s.columns[0] as { mean: number; sd: number };
    const bDebt = s.coef[0] as number;
    expect(bDebt).toBeGreaterThan(0);
    // The best debt contribution is at debt = 0 (the 1st percentile of the training values).
    const debtImpact = factor * bDebt * ((4 - 0) / num.sd);
    const debt = reasons?.find((r) => r.feature === 'debt');
    expect(debt?.impact).toBeCloseTo(debtImpact, 9);
    // Golden values of this tiny fit (l2 = 1).
    expect(debt?.impact).toBeCloseTo(120.444706, 4);
    const region = reasons?.find((r) => r.feature === 'region');
    expect(region?.impact).toBeCloseTo(factor * Math.abs((s.coef[1] as number) - (s.coef[2] as number)), 9);
    expect(region?.impact).toBeCloseTo(43.729581, 4);
    expect(reasons?.map((r) => r.feature)).toEqual(['debt', 'region']);
    expect(debt?.value).toBe('4');
    expect(debt?.en).toBe('debt = 4');
  });

  it('gives no reason for a variable at its best value, and spells a missing value Missing', () => {
    const best = Frame.fromColumns([numeric('debt', [0]), categorical('region', ['a'])]);
    expect(lr.reasons(best, 3)).toEqual([[]]);
    const missing = Frame.fromColumns([numeric('debt', [Number.NaN]), categorical('region', [null])]);
    for (const r of lr.reasons(missing, 3)[0] ?? []) expect(r.value).toBe(MISSING_TEXT);
  });
});

describe('reason texts', () => {
  it('falls back to column = value off the catalog, and uses the catalog on it', () => {
    expect(reasonTexts('my_col', '3')).toEqual({ zh: 'my_col = 3', en: 'my_col = 3' });
    expect(reasonTexts('ent_years_in_business', '2').en).not.toContain('=');
    expect(cellText(null)).toBe('Missing');
    expect(cellText(15017.992398992625)).toBe('15018');
    expect(cellText('東')).toBe('東');
    const broken = (): never => {
      throw new Error('broken catalog');
    };
    expect(reasonTexts('x', '1', broken)).toEqual({ zh: 'x = 1', en: 'x = 1' });
  });
});
