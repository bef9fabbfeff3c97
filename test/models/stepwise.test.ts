import { describe, expect, it } from 'vitest';
import type { RiskError } from '../../src/core/errors.js';
import { Frame, numeric } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import {
  designOf,
  erfc,
  logisticTests,
  twoSidedPValue,
  varianceInflation,
} from '../../src/models/inference.js';
import { fitLogistic } from '../../src/models/logistic.js';
import { Scorecard } from '../../src/models/scorecard.js';
import { scoreKs, stepwise } from '../../src/models/stepwise.js';

/** 3 informative columns (log-odds effects 1.2, 0.7, 0.35) and 5 pure-noise columns, all standard normal. */
function constructed(n: number, seed: number): { names: string[]; columns: Float64Array[]; y: Float64Array } {
  const rng = new Rng(seed);
  const names = ['strong', 'medium', 'weak', 'noise1', 'noise2', 'noise3', 'noise4', 'noise5'];
  const columns = names.map(() => new Float64Array(n));
  const y = new Float64Array(n);
  const beta = [1.2, 0.7, 0.35, 0, 0, 0, 0, 0];
  for (let i = 0; i < n; i++) {
    let eta = -1;
    columns.forEach((c, j) => {
      c[i] = rng.normal();
      eta += (beta[j] as number) * (c[i] as number);
    });
    y[i] = rng.uniform() < 1 / (1 + Math.exp(-eta)) ? 1 : 0;
  }
  return { names, columns, y };
}

const fitSettings = { l2: 0, maxIter: 100, tol: 1e-10 };

describe('stepwise selection', () => {
  const data = constructed(6000, 11);

  it('forward by BIC adds the informative columns strongest first and no noise', () => {
    const r = stepwise(data, { direction: 'forward', criterion: 'bic', ...fitSettings });
    expect(r.steps.map((s) => [s.action, s.variable])).toEqual([
      ['add', 'strong'],
      ['add', 'medium'],
      ['add', 'weak'],
    ]);
    expect(r.variables).toEqual(['strong', 'medium', 'weak']);
    // Every step lowers BIC, and each step starts where the last ended.
    r.steps.forEach((s, i) => {
      expect(s.after).toBeLessThan(s.before);
      expect(s.before).toBe(i === 0 ? r.start : r.steps[i - 1]?.after);
    });
  });

  it('backward by BIC removes the five noise columns and keeps the three informative ones', () => {
    const r = stepwise(data, { direction: 'backward', criterion: 'bic', ...fitSettings });
    expect(r.variables).toEqual(['strong', 'medium', 'weak']);
    expect(r.steps.map((s) => s.action)).toEqual(Array(5).fill('remove'));
    expect(r.steps.map((s) => s.variable).sort()).toEqual(['noise1', 'noise2', 'noise3', 'noise4', 'noise5']);
  });

  it('both by AIC and forward by validation KS start with the informative columns in order', () => {
    const both = stepwise(data, { direction: 'both', criterion: 'aic', ...fitSettings });
    expect(both.variables.slice(0, 3)).toEqual(['strong', 'medium', 'weak']);
    expect(both.steps.slice(0, 3).map((s) => s.variable)).toEqual(['strong', 'medium', 'weak']);
    const held = constructed(4000, 12);
    const ks = stepwise(
      { ...data, validation: { columns: held.columns, y: held.y } },
      { direction: 'forward', criterion: 'ks', ...fitSettings },
    );
    expect(ks.rows).toBe('validation');
    expect(ks.start).toBe(0);
    expect(ks.steps.slice(0, 3).map((s) => s.variable)).toEqual(['strong', 'medium', 'weak']);
    expect(ks.steps.every((s) => s.after > s.before)).toBe(true);
  });

  it('refuses KS without validation rows', () => {
    let err: unknown;
    try {
      stepwise(data, { direction: 'forward', criterion: 'ks', ...fitSettings });
    } catch (e) {
      err = e;
    }
    expect((err as RiskError).code).toBe('E_OPTIONS_INVALID');
    expect((err as RiskError).message).toMatch(/selectBy ks needs validation rows/);
  });

  it('measures KS with ties kept together', () => {
    expect(scoreKs(Float64Array.from([0.1, 0.4, 0.35, 0.8]), Float64Array.from([0, 0, 1, 1]))).toBeCloseTo(
      0.5,
      12,
    );
    // All scores equal: no separation at all.
    expect(scoreKs(new Float64Array(4), Float64Array.from([0, 1, 0, 1]))).toBe(0);
  });
});

describe('Wald tests and VIF', () => {
  it('erfc and two-sided p-values match known values', () => {
    expect(twoSidedPValue(1.959963984540054)).toBeCloseTo(0.05, 14);
    expect(twoSidedPValue(2.5758293035489)).toBeCloseTo(0.01, 13);
    expect(twoSidedPValue(0)).toBe(1);
    expect(erfc(1)).toBeCloseTo(0.157299207050285, 14);
    expect(erfc(3) / 2.209049699858544e-5).toBeCloseTo(1, 12);
    expect(erfc(6) / 2.151973671249891e-17).toBeCloseTo(1, 10);
    expect(erfc(-1)).toBeCloseTo(2 - 0.157299207050285, 14);
  });

  it('gives the closed-form standard errors of a 2×2 table (Woolf) for an unpenalised fit', () => {
    // x = 0: 70 goods, 30 bads; x = 1: 40 goods, 60 bads.
    const x: number[] = [];
    const y: number[] = [];
    const add = (xv: number, yv: number, k: number) => {
      for (let i = 0; i < k; i++) {
        x.push(xv);
        y.push(yv);
      }
    };
    add(0, 0, 70);
    add(0, 1, 30);
    add(1, 0, 40);
    add(1, 1, 60);
    const X = designOf([Float64Array.from(x)], x.length);
    const fit = fitLogistic(X, Float64Array.from(y), { l2: 0, tol: 1e-12 });
    const [icpt, slope] = logisticTests(X, fit, { l2: 0 });
    expect(fit.intercept).toBeCloseTo(Math.log(30 / 70), 9);
    expect(fit.coef[0]).toBeCloseTo(Math.log((60 * 70) / (40 * 30)), 9);
    expect(icpt?.se).toBeCloseTo(Math.sqrt(1 / 30 + 1 / 70), 9);
    const se = Math.sqrt(1 / 70 + 1 / 30 + 1 / 40 + 1 / 60);
    expect(slope?.se).toBeCloseTo(se, 9);
    // Closed form z = ln(3.5) / √(1/70 + 1/30 + 1/40 + 1/60); p from Python's math.erfc(z / √2).
    expect(slope?.z).toBeCloseTo(4.192546793848968, 8);
    expect((slope?.pValue as number) / 2.7584016076997253e-5).toBeCloseTo(1, 8);
  });

  it('VIF is 1 / (1 − r²) for two columns and null for a constant one', () => {
    const rng = new Rng(5);
    const n = 2000;
    const a = Float64Array.from({ length: n }, () => rng.normal());
    const b = Float64Array.from(a, (v) => 0.6 * v + 0.8 * rng.normal());
    let sab = 0;
    let saa = 0;
    let sbb = 0;
    let ma = 0;
    let mb = 0;
    for (let i = 0; i < n; i++) {
      ma += (a[i] as number) / n;
      mb += (b[i] as number) / n;
    }
    for (let i = 0; i < n; i++) {
      sab += ((a[i] as number) - ma) * ((b[i] as number) - mb);
      saa += ((a[i] as number) - ma) ** 2;
      sbb += ((b[i] as number) - mb) ** 2;
    }
    const r = sab / Math.sqrt(saa * sbb);
    const [va, vb] = varianceInflation([a, b]);
    expect(va).toBeCloseTo(1 / (1 - r * r), 10);
    expect(vb).toBeCloseTo(1 / (1 - r * r), 10);
    expect(varianceInflation([a, new Float64Array(n).fill(3)])).toEqual([null, null]);
  });
});

describe('scorecard with stepwise', () => {
  const data = constructed(4000, 21);
  const frame = new Frame(
    data.names.map((name, j) => numeric(name, Array.from(data.columns[j] as Float64Array))),
  );

  it('keeps the stepwise choice, logs it, drops the rest with the reason, and stores tests and VIF', () => {
    const card = new Scorecard({ select: 'forward', selectBy: 'bic', maxPValue: 1, useCatalog: false }).fit(
      frame,
      data.y,
    );
    const s = card.fitted();
    expect(s.stepwise?.variables).toEqual(['strong', 'medium', 'weak']);
    expect(card.featureNames).toEqual(['strong', 'medium', 'weak']);
    const dropped = card
      .variableSelection()
      .filter((v) => !v.selected && v.reason.startsWith('dropped by stepwise'));
    expect(dropped.map((v) => v.variable).sort()).toEqual(
      s.selection
        .filter((r) => r.selected && !['strong', 'medium', 'weak'].includes(r.variable))
        .map((r) => r.variable)
        .sort(),
    );
    expect(s.tests?.coef).toHaveLength(3);
    for (const t of s.tests?.coef ?? []) {
      expect(t.pValue).toBeLessThan(1e-3);
      expect(t.vif).toBeGreaterThanOrEqual(1);
      expect(t.vif).toBeLessThan(1.2);
    }
    expect(card.stepwiseLog()[1]).toMatch(/^added strong: BIC \d+\.\d{4} → \d+\.\d{4}$/);
    const sections = card.cardSections().join('\n');
    expect(sections).toContain('## Stepwise selection');
    expect(sections).toContain('| term | coefficient | std. error | z | p-value | VIF |');
    // The artifact carries the same stepwise log and tests.
    const back = Scorecard.fromArtifact(JSON.parse(JSON.stringify(card.toArtifact())));
    expect(back.fitted().stepwise).toEqual(s.stepwise);
    expect(back.fitted().tests).toEqual(s.tests);
  });

  it('warns when a kept coefficient has the sign opposite to its WoE', () => {
    // A suppressor: b = a + u is riskier alone (risk rises with a), but given a, more u means less risk, so
    // the joint regression gives b's WoE (ascending risk) a coefficient of the wrong sign.
    const rng = new Rng(3);
    const n = 4000;
    const a: number[] = [];
    const b: number[] = [];
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const v = rng.normal();
      const u = 0.5 * rng.normal();
      a.push(v);
      b.push(v + u);
      y[i] = rng.uniform() < 1 / (1 + Math.exp(-(-1 + 2 * v - 2 * u))) ? 1 : 0;
    }
    const x = new Frame([numeric('a', a), numeric('b', b)]);
    const opts = { dropWrongSign: false, maxCorrelation: 1, useCatalog: false } as const;
    const card = new Scorecard(opts).fit(x, y);
    const wrong = card.fitted().coef.findIndex((c) => c > 0);
    expect(wrong).toBeGreaterThanOrEqual(0);
    expect(card.warnings()).toContain(
      `coefficient of ${card.featureNames[wrong]} is ${(card.fitted().coef[wrong] as number).toFixed(4)}: its sign is opposite to the WoE direction (a safer bin scores worse)`,
    );
    expect(new Scorecard({ ...opts, dropWrongSign: true }).fit(x, y).warnings()).toEqual([]);
  });
});
