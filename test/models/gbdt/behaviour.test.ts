import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { categorical, Frame, numeric } from '../../../src/core/frame.js';
import { memoryLogger } from '../../../src/core/logger.js';
import { Rng } from '../../../src/core/rng.js';
import { GradientBoostingClassifier, logLoss } from '../../../src/models/gbdt/index.js';

/** x1's true effect rises then dips (non-monotone); x2 falls then rises; x3 is plain noise. */
function wavy(n: number, seed: number): { x: Frame; y: Float64Array } {
  const rng = new Rng(seed);
  const x1: number[] = [];
  const x2: (number | null)[] = [];
  const x3: number[] = [];
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = rng.uniform() * 10;
    const b = rng.chance(0.1) ? null : rng.uniform() * 10;
    x1.push(a);
    x2.push(b);
    x3.push(rng.normal());
    const m =
      -1 +
      0.4 * a -
      1.5 * Math.exp(-((a - 7) ** 2)) +
      (b === null ? 0 : -0.3 * b + 1.2 * Math.exp(-((b - 3) ** 2)));
    y[i] = rng.chance(1 / (1 + Math.exp(-m))) ? 1 : 0;
  }
  return { x: Frame.fromColumns([numeric('x1', x1), numeric('x2', x2), numeric('x3', x3)]), y };
}

describe('monotone constraints', () => {
  const data = wavy(4000, 3);
  const opts = { nEstimators: 60, maxDepth: 5, maxLeaves: 24, minDataInLeaf: 5, learningRate: 0.2 };
  const constrained = new GradientBoostingClassifier({ ...opts, monotoneConstraints: { x1: 1, x2: -1 } }).fit(
    data.x,
    data.y,
  );
  const free = new GradientBoostingClassifier(opts).fit(data.x, data.y);
  const grid = Array.from({ length: 101 }, (_, i) => -1 + i * 0.12);

  /** Predictions along the grid for one feature, the other features held at the drawn values. */
  const along = (
    m: GradientBoostingClassifier,
    feature: 'x1' | 'x2',
    base: { x1: number; x2: number | null; x3: number },
  ) => {
    const col = (name: 'x1' | 'x2' | 'x3') =>
      numeric(
        name,
        grid.map((g) => (name === feature ? g : base[name])),
      );
    return m.predictProba(Frame.fromColumns([col('x1'), col('x2'), col('x3')]));
  };
  const baseArb = fc.record({
    x1: fc.double({ min: -1, max: 11, noNaN: true }),
    x2: fc.option(fc.double({ min: -1, max: 11, noNaN: true }), { nil: null }),
    x3: fc.double({ min: -3, max: 3, noNaN: true }),
  });

  it('+1: risk never falls as the feature rises, whatever the other features (property)', () => {
    fc.assert(
      fc.property(baseArb, (base) => {
        const p = along(constrained, 'x1', base);
        for (let i = 1; i < p.length; i++) if ((p[i] as number) < (p[i - 1] as number)) return false;
        return true;
      }),
      { numRuns: 50, seed: 1 },
    );
  });

  it('-1: risk never rises as the feature rises (property)', () => {
    fc.assert(
      fc.property(baseArb, (base) => {
        const p = along(constrained, 'x2', base);
        for (let i = 1; i < p.length; i++) if ((p[i] as number) > (p[i - 1] as number)) return false;
        return true;
      }),
      { numRuns: 50, seed: 2 },
    );
  });

  it('is what makes the difference: without it the same data gives a non-monotone curve', () => {
    const p = along(free, 'x1', { x1: 0, x2: 5, x3: 0 });
    let drops = 0;
    for (let i = 1; i < p.length; i++) if ((p[i] as number) < (p[i - 1] as number)) drops++;
    expect(drops).toBeGreaterThan(0);
  });
});

describe('missing values', () => {
  it('learns that missing means high risk and sends missing rows that way', () => {
    const rng = new Rng(4);
    const n = 3000;
    const v: (number | null)[] = [];
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const missing = rng.chance(0.2);
      const x = rng.uniform();
      v.push(missing ? null : x);
      y[i] = rng.chance(missing ? 0.6 : 0.05 + 0.2 * x) ? 1 : 0;
    }
    const x = Frame.fromColumns([numeric('bureau_score_gap', v)]);
    const m = new GradientBoostingClassifier({
      nEstimators: 30,
      maxDepth: 2,
      learningRate: 0.1,
      earlyStoppingRounds: 0,
    }).fit(x, y);
    const grid = Frame.fromColumns([numeric('bureau_score_gap', [null, 0, 0.25, 0.5, 0.75, 1])]);
    const p = m.predictProba(grid);
    for (let i = 1; i < p.length; i++) expect(p[0] as number).toBeGreaterThan(p[i] as number);
    expect(p[0] as number).toBeCloseTo(0.6, 1);
    // The root split of the first tree sends missing values to the riskier side.
    const root = m.dumpModel().tree_info[0]?.tree_structure as {
      default_left: boolean;
      left_child: { internal_value?: number; leaf_value?: number };
      right_child: { internal_value?: number; leaf_value?: number };
    };
    const value = (c: { internal_value?: number; leaf_value?: number }) =>
      c.internal_value ?? c.leaf_value ?? 0;
    const riskierLeft = value(root.left_child) > value(root.right_child);
    expect(root.default_left).toBe(riskierLeft);
  });
});

describe('categorical splits', () => {
  /** 12 levels whose risks are unrelated to their (arbitrary) order. */
  function levels(n: number, seed: number): { cat: string[]; y: Float64Array } {
    const rng = new Rng(seed);
    const effect = [2, -2, 1.5, -1.5, 2.2, -1, 0.5, -2.2, 1, -0.5, 1.8, -1.8];
    const cat: string[] = [];
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const k = rng.int(12);
      cat.push(`L${k}`);
      y[i] = rng.chance(1 / (1 + Math.exp(-(effect[k] as number)))) ? 1 : 0;
    }
    return { cat, y };
  }

  it('beat the same levels split as ordinal codes for the same tree budget', () => {
    const tr = levels(3000, 5);
    const te = levels(2000, 6);
    const opts = { nEstimators: 5, maxDepth: 2, maxLeaves: 3, learningRate: 0.5 };
    const asCat = new GradientBoostingClassifier(opts).fit(
      Frame.fromColumns([categorical('sector', tr.cat)]),
      tr.y,
    );
    const code = (c: string[]) =>
      Frame.fromColumns([
        numeric(
          'sector',
          c.map((s) => Number(s.slice(1))),
        ),
      ]);
    const asNum = new GradientBoostingClassifier(opts).fit(code(tr.cat), tr.y);
    const lossCat = logLoss(asCat.predictMargin(Frame.fromColumns([categorical('sector', te.cat)])), te.y);
    const lossNum = logLoss(asNum.predictMargin(code(te.cat)), te.y);
    expect(lossCat).toBeLessThan(lossNum - 0.05);
    const dump = asCat.dumpModel();
    const root = dump.tree_info[0]?.tree_structure as { decision_type: string; threshold: string };
    expect(root.decision_type).toBe('==');
    expect(root.threshold).toMatch(/^\d+(\|\|\d+)*$/);
    // No split sends more than maxCatThreshold (default 4) categories left.
    for (const t of asCat.fitted().model.trees)
      for (const set of t.catLeft) expect(set?.length ?? 0).toBeLessThanOrEqual(4);
    const wide = new GradientBoostingClassifier({ ...opts, maxCatThreshold: 6 }).fit(
      Frame.fromColumns([categorical('sector', tr.cat)]),
      tr.y,
    );
    expect(
      Math.max(...wide.fitted().model.trees.flatMap((t) => t.catLeft.map((c) => c?.length ?? 0))),
    ).toBeGreaterThan(4);
  });

  it('sends unseen levels the way missing values go, and reads levels by name', () => {
    const tr = levels(2000, 7);
    const m = new GradientBoostingClassifier({ nEstimators: 10, maxDepth: 3 }).fit(
      Frame.fromColumns([categorical('sector', tr.cat)]),
      tr.y,
    );
    const p = m.predictMargin(Frame.fromColumns([categorical('sector', ['never-seen', null, 'L3', 'L0'])]));
    expect(p[0]).toBe(p[1]);
    // Levels listed in another order in the scoring frame still score as their names say.
    const reordered = Frame.fromColumns([categorical('sector', ['L0', 'L3'])]);
    expect(Array.from(m.predictMargin(reordered))).toEqual([p[3], p[2]]);
  });
});

describe('early stopping', () => {
  it('stops before nEstimators on noise and keeps the best round', () => {
    const rng = new Rng(8);
    const make = (n: number) => {
      const a: number[] = [];
      const b: number[] = [];
      const y = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        a.push(rng.normal());
        b.push(rng.normal());
        y[i] = rng.chance(0.3) ? 1 : 0;
      }
      return { x: Frame.fromColumns([numeric('a', a), numeric('b', b)]), y };
    };
    const tr = make(1500);
    const va = make(1500);
    const logger = memoryLogger();
    const m = new GradientBoostingClassifier({ nEstimators: 300, maxDepth: 4, earlyStoppingRounds: 10 }).fit(
      tr.x,
      tr.y,
      {
        validation: va,
        logger,
      },
    );
    const { model } = m.fitted();
    expect(model.roundsRun).toBeLessThan(300);
    expect(model.roundsRun).toBe(model.trees.length + 10);
    const best = model.validLogLoss.indexOf(Math.min(...model.validLogLoss));
    expect(model.trees.length).toBe(best + 1);
    expect(logLoss(m.predictMargin(va.x), va.y)).toBeCloseTo(model.validLogLoss[best] as number, 12);
    expect(logger.entries.some((e) => /early stop/.test(e.msg ?? ''))).toBe(true);
    expect(m.toArtifact().metrics.bestValidLogLoss).toBe(model.validLogLoss[best]);
  });

  it('runs every round when earlyStoppingRounds is 0', () => {
    const rng = new Rng(9);
    const a = Array.from({ length: 500 }, () => rng.normal());
    const y = Float64Array.from(a, () => (rng.chance(0.3) ? 1 : 0));
    const x = Frame.fromColumns([numeric('a', a)]);
    const m = new GradientBoostingClassifier({ nEstimators: 40, earlyStoppingRounds: 0 }).fit(x, y, {
      validation: { x, y },
    });
    expect(m.fitted().model.trees).toHaveLength(40);
  });
});
