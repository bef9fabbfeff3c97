import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { getDefaultCatalog } from '../../src/features/catalog.js';
import { computeFeatures } from '../../src/features/engine.js';
import { cvOf, growthOf, meanOf, monthsWith, runningTotals, sumOf } from '../../src/features/kernels.js';
import { compileCatalog, type FeaturePlan, OP, RUN_STRIDE } from '../../src/features/plan.js';
import { parseApplication } from '../../src/ingest/validate.js';
import { syntheticApplication } from './synthetic.js';

/**
 * Running passes (issue 12 part 4): windows that start on the same slot read their sum or count from one
 * pass. They must give what each op's own loop gave, to the last bit.
 */
describe('running passes', () => {
  const series = fc.array(fc.oneof(fc.double({ min: -1e9, max: 1e9, noNaN: true }), fc.constant(0)), {
    minLength: 1,
    maxLength: 40,
  });

  it('give sumOf and monthsWith of every window from the same start, bit for bit', () => {
    fc.assert(
      fc.property(series, fc.nat(3), (xs, pad) => {
        const vals = Float64Array.from([...new Array<number>(pad).fill(7), ...xs]);
        const sums = new Float64Array(xs.length + 2);
        const counts = new Float64Array(xs.length + 2);
        runningTotals(vals, pad, xs.length, false, sums, 2);
        runningTotals(vals, pad, xs.length, true, counts, 2);
        for (let k = 0; k < xs.length; k++) {
          expect(Object.is(sums[2 + k], sumOf(vals, pad, pad + k))).toBe(true);
          expect(counts[2 + k]).toBe(monthsWith(vals, pad, pad + k));
        }
      }),
    );
  });

  it('feed cv and growth the flow mean they would compute themselves', () => {
    fc.assert(
      fc.property(series, (xs) => {
        const vals = Float64Array.from(xs);
        const obs = new Float64Array(xs.length);
        const to = xs.length - 1;
        const mean = sumOf(vals, 0, to) / xs.length;
        expect(Object.is(mean, meanOf(vals, obs, 0, to, false))).toBe(true);
        expect(Object.is(cvOf(vals, obs, 0, to, false, mean), cvOf(vals, obs, 0, to, false))).toBe(true);
        const w = Math.floor(xs.length / 2);
        if (w === 0) return;
        // growth's first slot is the as-of month, its recent window slots 1..w.
        const recent = sumOf(vals, 1, w) / w;
        expect(Object.is(growthOf(vals, obs, 0, w, false, recent), growthOf(vals, obs, 0, w, false))).toBe(
          true,
        );
      }),
    );
  });

  it('serve the default catalog: 57 ops in 15 passes, with the same rows as without them', () => {
    const plan = compileCatalog(getDefaultCatalog());
    expect([plan.runs.length / RUN_STRIDE, plan.ops.filter((o) => o.at >= 0).length]).toEqual([15, 57]);
    // The same catalog with every op on its own loop.
    const loops = compileCatalog(getDefaultCatalog());
    for (const op of loops.ops) op.at = -1;
    const noRuns: FeaturePlan = { ...loops, runs: new Int32Array(0) };
    const rng = new Rng(12);
    for (let i = 0; i < 200; i++) {
      const app = parseApplication(syntheticApplication(rng, `S${i}`, { absentRate: 0.2, emptyRate: 0.1 }));
      const a = computeFeatures(plan, app);
      const b = computeFeatures(noRuns, app);
      for (let j = 0; j < a.length; j++)
        if (!Object.is(a[j], b[j])) expect([plan.names[j], a[j]]).toEqual([plan.names[j], b[j]]);
    }
    expect(plan.ops.some((o) => o.at >= 0 && o.kind === OP.months_with)).toBe(true);
  });
});
