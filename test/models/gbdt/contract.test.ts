import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../src/core/artifact.js';
import { RiskError } from '../../../src/core/errors.js';
import { Frame, numeric } from '../../../src/core/frame.js';
import { memoryLogger } from '../../../src/core/logger.js';
import { GradientBoostingClassifier, parseGbdtOptions } from '../../../src/models/gbdt/index.js';
import { minDataInLeafFor } from '../../../src/models/gbdt/options.js';
import { auc, creditSample, slice } from './helpers.js';

const sample = creditSample(3000, 11);
const train = slice(sample, 0, 2000);
const test = slice(sample, 2000, 3000);
const small = { nEstimators: 30, maxDepth: 4, maxLeaves: 15, earlyStoppingRounds: 0 };

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof RiskError) return `${err.code}: ${err.message}`;
    throw err;
  }
  return undefined;
}

describe('GradientBoostingClassifier contract', () => {
  it('has documented defaults and fits with them', () => {
    const d = parseGbdtOptions({});
    // docs/gbdt-defaults.md: chosen by test/bench/gbdt-defaults.ts against XGBoost over several files.
    expect(d).toMatchObject({
      nEstimators: 2000,
      learningRate: 0.05,
      maxDepth: 4,
      maxLeaves: 15,
      minChildWeight: 1,
      minDataInLeaf: 20,
      lambdaL1: 0,
      lambdaL2: 1,
      subsample: 0.8,
      colsampleByTree: 0.5,
      maxBins: 255,
      earlyStoppingRounds: 50,
      validationFraction: 0.1,
      maxCatThreshold: 4,
      minDataPerGroup: 100,
      catSmooth: 10,
      seed: 42,
      monotoneConstraints: {},
    });
    const m = new GradientBoostingClassifier().fit(train.x, train.y);
    expect(m.kind).toBe('gbdt');
    const { model, params } = m.fitted();
    // Early stopping on the held-out 10% chose the rounds (it ran 50 past the best), then every row was
    // refitted for exactly that many.
    expect(model.trees.length).toBeGreaterThan(10);
    expect(model.roundsRun).toBe(model.trees.length + 50);
    expect(model.validLogLoss).toHaveLength(model.roundsRun);
    expect(params.minDataInLeaf).toBe(minDataInLeafFor(2000));
    // Near the oracle (the true log-odds) on held-out rows; the old defaults (100 trees of 31 leaves at 0.1,
    // no early stopping) needed a margin of 0.06 here.
    const oracle = auc(test.y, test.logit);
    expect(oracle).toBeCloseTo(0.7967, 3);
    expect(auc(test.y, m.predictProba(test.x))).toBeGreaterThan(oracle - 0.03);
  });

  it('sizes the minimum leaf to the rows unless it is given', () => {
    expect([100, 800, 2000, 30_000].map(minDataInLeafFor)).toEqual([5, 8, 20, 100]);
    const sized = new GradientBoostingClassifier({ ...small }).fit(
      slice(train, 0, 800).x,
      slice(train, 0, 800).y,
    );
    expect(sized.fitted().params.minDataInLeaf).toBe(8);
    const given = new GradientBoostingClassifier({ ...small, minDataInLeaf: 30 }).fit(train.x, train.y);
    expect(given.fitted().params.minDataInLeaf).toBe(30);
  });

  it('holds no rows out when a validation set is given, and checks labels before holding out', () => {
    const v = slice(sample, 2000, 2500);
    const m = new GradientBoostingClassifier({ nEstimators: 400 }).fit(train.x, train.y, {
      validation: { x: v.x, y: v.y },
    });
    // The given rows decide and the trees are cut back to the best round: no refit.
    expect(m.fitted().model.validLogLoss).toHaveLength(m.fitted().model.roundsRun);
    expect(m.fitted().model.trees.length).toBeLessThan(m.fitted().model.roundsRun);
    const y = Float64Array.from(train.y);
    y[7] = 2;
    expect(code(() => new GradientBoostingClassifier().fit(train.x, y))).toMatch(
      /^E_DATA_INVALID: y\[7\] must be 0 or 1/,
    );
  });

  it('stores options without validating them until fit', () => {
    const m = new GradientBoostingClassifier({ maxDepth: -3 });
    expect(m.options).toEqual({ maxDepth: -3 });
    expect(code(() => m.fit(train.x, train.y))).toMatch(
      /^E_OPTIONS_INVALID: gbdt option maxDepth must be an integer in \[1, 30\], received -3$/,
    );
  });

  it('throws E_NOT_FITTED before fit', () => {
    const m = new GradientBoostingClassifier();
    expect(m.isFitted).toBe(false);
    for (const call of [
      () => m.predictProba(test.x),
      () => m.predictMargin(test.x),
      () => m.shapValues(test.x),
      () => m.reasons(test.x, 3),
      () => m.importance(),
      () => m.dumpModel(),
      () => m.toArtifact(),
      () => m.featureNames,
    ]) {
      expect(code(call)).toMatch(/^E_NOT_FITTED/);
    }
  });

  it('does not mutate its inputs', () => {
    const before = canonicalJson(train.x.columns);
    const y = train.y.slice();
    const w = new Float64Array(train.y.length).fill(1.5);
    const valid = { x: test.x, y: test.y.slice() };
    const validBefore = canonicalJson(test.x.columns);
    new GradientBoostingClassifier({ ...small, subsample: 0.7 }).fit(train.x, y, {
      sampleWeight: w,
      validation: valid,
    });
    expect(canonicalJson(train.x.columns)).toBe(before);
    expect(canonicalJson(test.x.columns)).toBe(validBefore);
    expect(y).toEqual(train.y);
    expect(valid.y).toEqual(test.y);
    expect(Array.from(w).every((v) => v === 1.5)).toBe(true);
  });

  it('round-trips through JSON and predicts identically', () => {
    const m = new GradientBoostingClassifier({ ...small, colsampleByTree: 0.8 }).fit(train.x, train.y);
    const text = JSON.stringify(m.toArtifact());
    const back = GradientBoostingClassifier.fromArtifact(JSON.parse(text));
    expect(back.featureNames).toEqual(train.x.names);
    expect(Array.from(back.predictMargin(test.x))).toEqual(Array.from(m.predictMargin(test.x)));
    expect(Array.from(back.shapValues(test.x).values)).toEqual(Array.from(m.shapValues(test.x).values));
    expect(canonicalJson(back.toArtifact())).toBe(canonicalJson(m.toArtifact()));
  });

  it('gives a byte-identical artifact for the same seed, and another for another seed', () => {
    const opts = { ...small, subsample: 0.6, colsampleByTree: 0.6, binSampleSize: 500 };
    const a = canonicalJson(new GradientBoostingClassifier(opts).fit(train.x, train.y).toArtifact());
    const b = canonicalJson(new GradientBoostingClassifier(opts).fit(train.x, train.y).toArtifact());
    const c = canonicalJson(
      new GradientBoostingClassifier({ ...opts, seed: 7 }).fit(train.x, train.y).toArtifact(),
    );
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('rejects bad options with E_OPTIONS_INVALID naming option, range and value', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ learningRate: 0 }, /learningRate must be a number in \(0, 1\], received 0/],
      [{ subsample: 1.5 }, /subsample must be a number in \(0, 1\], received 1.5/],
      [{ maxBins: 256 }, /maxBins must be an integer in \[3, 255\], received 256/],
      [{ nEstimators: 2.5 }, /nEstimators must be an integer in \[1, 100000\], received 2.5/],
      [{ lambdaL2: -1 }, /lambdaL2 must be a finite number >= 0, received -1/],
      [{ maxDepht: 3 }, /gbdt option maxDepht is not known/],
      [
        { monotoneConstraints: { overdue: 2 } },
        /monotoneConstraints.overdue must be an object mapping feature names to -1, 0 or 1, received 2/,
      ],
      [{ monotoneConstraints: { nope: 1 } }, /monotoneConstraints.nope names no feature/],
      [
        { monotoneConstraints: { region: 1 } },
        /monotoneConstraints.region must be 0 for a categorical feature, received 1/,
      ],
    ];
    for (const [opts, msg] of cases) {
      const m = code(() => new GradientBoostingClassifier(opts as never).fit(train.x, train.y));
      expect(m).toMatch(/^E_OPTIONS_INVALID/);
      expect(m).toMatch(msg);
    }
    expect(
      code(() => new GradientBoostingClassifier(small).fit(train.x, train.y).reasons(test.x, 0)),
    ).toMatch(/^E_OPTIONS_INVALID: reasons k must be an integer >= 1, received 0/);
  });

  it('rejects unusable data with E_DATA_INVALID or E_FRAME_SHAPE', () => {
    const m = new GradientBoostingClassifier(small);
    const y2 = train.y.slice();
    y2[5] = 2;
    expect(code(() => m.fit(train.x, y2))).toMatch(/^E_DATA_INVALID: y\[5\] must be 0 or 1, received 2/);
    expect(code(() => m.fit(train.x, train.y.subarray(1)))).toMatch(
      /^E_DATA_INVALID: y must have one label per row/,
    );
    expect(code(() => m.fit(train.x, new Float64Array(train.y.length)))).toMatch(
      /^E_DATA_INVALID: y must contain both classes/,
    );
    expect(
      code(() => m.fit(train.x, train.y, { sampleWeight: new Float64Array(train.y.length).fill(-1) })),
    ).toMatch(/^E_DATA_INVALID: sampleWeight\[0\] must be a finite number >= 0, received -1/);
    m.fit(train.x, train.y);
    expect(code(() => m.predictProba(test.x.drop(['income'])))).toMatch(
      /^E_FRAME_SHAPE: no column named income/,
    );
    const wrongKind = test.x.with(numeric('region', new Float64Array(test.x.nRows)));
    expect(code(() => m.predictProba(wrongKind))).toMatch(
      /^E_DATA_INVALID: column region must be categorical as in training/,
    );
  });

  it('refuses tampered or foreign artifacts', () => {
    const a = new GradientBoostingClassifier(small).fit(train.x, train.y).toArtifact();
    const tampered = JSON.parse(JSON.stringify(a));
    tampered.state.initScore += 1;
    expect(code(() => GradientBoostingClassifier.fromArtifact(tampered))).toMatch(
      /^E_MODEL_ARTIFACT_CHECKSUM/,
    );
    expect(code(() => GradientBoostingClassifier.fromArtifact({ ...a, kind: 'scorecard' }))).toMatch(
      /^E_MODEL_ARTIFACT_KIND/,
    );
    expect(code(() => GradientBoostingClassifier.fromArtifact({ nope: 1 }))).toMatch(
      /^E_MODEL_ARTIFACT_INVALID/,
    );
  });

  it('scores columns by name whatever their order, ignoring extra columns', () => {
    const m = new GradientBoostingClassifier(small).fit(train.x, train.y);
    const shuffled = Frame.fromColumns([...test.x.columns].reverse()).with(
      numeric('extra', new Float64Array(test.x.nRows)),
    );
    expect(Array.from(m.predictProba(shuffled))).toEqual(Array.from(m.predictProba(test.x)));
  });

  it('reports progress and logs through the given logger only', () => {
    const logger = memoryLogger();
    const progress: number[] = [];
    new GradientBoostingClassifier(small).fit(train.x, train.y, {
      logger,
      onProgress: (done) => progress.push(done),
    });
    expect(progress).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(logger.entries.some((e) => e.msg === 'gbdt: trained')).toBe(true);
  });

  it('ranks importance by gain, largest first, with the informative features on top', () => {
    const m = new GradientBoostingClassifier(small).fit(train.x, train.y);
    const imp = m.importance();
    expect(imp.map((r) => r.feature).sort()).toEqual([...train.x.names].sort());
    for (let i = 1; i < imp.length; i++) expect(imp[i - 1]!.value).toBeGreaterThanOrEqual(imp[i]!.value);
    expect(imp[imp.length - 1]!.feature).toBe('noise');
    const splits = m.importance('split');
    const total = m.fitted().model.trees.reduce((s, t) => s + t.numLeaves - 1, 0);
    expect(splits.reduce((s, r) => s + r.value, 0)).toBe(total);
    expect(m.report()).toMatch(/^GBDT: 30 trees \(30 rounds run\), 5 features/);
  });
});
