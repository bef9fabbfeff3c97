import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { categorical, Frame, numeric } from '../../src/core/frame.js';
import {
  auc,
  brier,
  calibrationTable,
  csi,
  evaluateBinary,
  gini,
  ks,
  liftTable,
  logLoss,
  populationStability,
  psi,
  rocCurve,
  stabilityBand,
} from '../../src/evaluation/metrics.js';
import { codeOf } from '../fixtures/errors.js';

/** The Mann-Whitney statistic by brute force over every (bad, good) pair, ties counting one half. */
function mannWhitney(y: number[], s: number[], w?: number[]): number {
  let wins = 0;
  let pairs = 0;
  for (let i = 0; i < y.length; i++) {
    if (y[i] !== 1) continue;
    for (let j = 0; j < y.length; j++) {
      if (y[j] !== 0) continue;
      const pw = (w?.[i] ?? 1) * (w?.[j] ?? 1);
      pairs += pw;
      const a = s[i] as number;
      const b = s[j] as number;
      wins += pw * (a > b ? 1 : a === b ? 0.5 : 0);
    }
  }
  return wins / pairs;
}

/** Labels with at least one of each class, scores with many ties (small integers). */
const labelled = fc
  .array(fc.tuple(fc.constantFrom(0, 1), fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 3 })), {
    minLength: 2,
    maxLength: 60,
  })
  .filter((rows) => rows.some((r) => r[0] === 1) && rows.some((r) => r[0] === 0));

describe('auc', () => {
  it('matches a hand count on a small sample', () => {
    // Pairs (bad, good): 0.35>0.1, 0.35<0.4, 0.8>0.1, 0.8>0.4 → 3 of 4.
    expect(auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.75);
    expect(gini([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toBe(0.5);
  });

  it('counts a tie as one half', () => {
    // Pairs: 0.5=0.5 (½), 0.5>0.2, 0.9>0.5, 0.9>0.2 → 3.5 of 4.
    expect(auc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9])).toBe(0.875);
    expect(auc([0, 1, 0, 1], [0.3, 0.3, 0.3, 0.3])).toBe(0.5);
  });

  it('is 1 for a perfect ranking and 0 for a reversed one', () => {
    expect(auc([0, 0, 1], [0.1, 0.2, 0.3])).toBe(1);
    expect(auc([0, 0, 1], [0.3, 0.2, 0.1])).toBe(0);
  });

  it('equals the Mann-Whitney statistic (property, with ties and weights)', () => {
    fc.assert(
      fc.property(labelled, (rows) => {
        const y = rows.map((r) => r[0]);
        const s = rows.map((r) => r[1]);
        const w = rows.map((r) => r[2] + 1);
        expect(auc(y, s)).toBeCloseTo(mannWhitney(y, s), 12);
        expect(auc(y, s, w)).toBeCloseTo(mannWhitney(y, s, w), 12);
      }),
    );
  });

  it('equals the Mann-Whitney statistic on larger, sorted and heavily tied samples', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(0, 1), fc.double({ min: -5, max: 5, noNaN: true })), {
          minLength: 100,
          maxLength: 400,
        }),
        fc.constantFrom('as-is', 'sorted', 'reversed', 'rounded'),
        (rows, shape) => {
          fc.pre(rows.some((r) => r[0] === 1) && rows.some((r) => r[0] === 0));
          let s = rows.map((r) => r[1]);
          if (shape === 'rounded') s = s.map((v) => Math.round(v));
          const order = rows.map((_, i) => i);
          if (shape === 'sorted') order.sort((a, b) => (s[a] as number) - (s[b] as number));
          if (shape === 'reversed') order.sort((a, b) => (s[b] as number) - (s[a] as number));
          const y = order.map((i) => rows[i]?.[0] as number);
          const ss = order.map((i) => s[i] as number);
          expect(auc(y, ss)).toBeCloseTo(mannWhitney(y, ss), 12);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('treats an integer weight as that many copies of the row', () => {
    fc.assert(
      fc.property(labelled, (rows) => {
        const copies = rows.flatMap((r) => Array.from({ length: r[2] }, () => r));
        fc.pre(copies.some((r) => r[0] === 1) && copies.some((r) => r[0] === 0));
        const weighted = auc(
          rows.map((r) => r[0]),
          rows.map((r) => r[1]),
          rows.map((r) => r[2]),
        );
        const expanded = auc(
          copies.map((r) => r[0]),
          copies.map((r) => r[1]),
        );
        expect(weighted).toBeCloseTo(expanded, 12);
      }),
    );
  });

  it('is unchanged by a strictly increasing transform of the score', () => {
    fc.assert(
      fc.property(labelled, (rows) => {
        const y = rows.map((r) => r[0]);
        const s = rows.map((r) => r[1]);
        expect(
          auc(
            y,
            s.map((v) => Math.exp(v) * 3 - 1),
          ),
        ).toBeCloseTo(auc(y, s), 12);
      }),
    );
  });

  it('rejects bad labels, non-finite scores, length mismatches, negative weights and one class', () => {
    expect(codeOf(() => auc([0, 2], [0.1, 0.2]))).toBe('E_DATA_INVALID');
    expect(codeOf(() => auc([0, 1], [0.1, Number.NaN]))).toBe('E_DATA_INVALID');
    expect(codeOf(() => auc([0, 1], [0.1]))).toBe('E_DATA_INVALID');
    expect(codeOf(() => auc([0, 1], [0.1, 0.2], [1, -1]))).toBe('E_DATA_INVALID');
    expect(codeOf(() => auc([1, 1], [0.1, 0.2]))).toBe('E_DATA_INVALID');
    expect(() => auc([0, 1, 3], [0.1, 0.2, 0.3])).toThrow(/label at row 2 must be 0 or 1, received 3/);
  });
});

describe('rocCurve and ks', () => {
  it('walks distinct thresholds from (0,0) to (1,1)', () => {
    const roc = rocCurve([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]);
    expect(Array.from(roc.thresholds)).toEqual([Number.POSITIVE_INFINITY, 0.8, 0.4, 0.35, 0.1]);
    expect(Array.from(roc.tpr)).toEqual([0, 0.5, 0.5, 1, 1]);
    expect(Array.from(roc.fpr)).toEqual([0, 0, 0.5, 0.5, 1]);
  });

  it('gives KS as the largest gap between TPR and FPR, first where it is reached', () => {
    expect(ks([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])).toEqual({ ks: 0.5, threshold: 0.8 });
    // Tied rows cannot be separated: with one tie group the curves only meet at the ends.
    expect(ks([0, 1, 0, 1], [0.3, 0.3, 0.3, 0.3]).ks).toBe(0);
    expect(ks([0, 0, 0, 1, 1], [1, 2, 3, 4, 5])).toEqual({ ks: 1, threshold: 4 });
  });

  it('agrees with a brute-force KS over every cut (property)', () => {
    fc.assert(
      fc.property(labelled, (rows) => {
        const y = rows.map((r) => r[0]);
        const s = rows.map((r) => r[1]);
        const bads = y.filter((v) => v === 1).length;
        const goods = y.length - bads;
        let best = 0;
        for (const t of new Set(s)) {
          let tp = 0;
          let fp = 0;
          rows.forEach((r) => {
            if (r[1] >= t) {
              if (r[0] === 1) tp++;
              else fp++;
            }
          });
          best = Math.max(best, Math.abs(tp / bads - fp / goods));
        }
        expect(ks(y, s).ks).toBeCloseTo(best, 12);
      }),
    );
  });

  it('makes the area under the ROC points equal the AUC (trapezoid rule)', () => {
    fc.assert(
      fc.property(labelled, (rows) => {
        const y = rows.map((r) => r[0]);
        const s = rows.map((r) => r[1]);
        const roc = rocCurve(y, s);
        let area = 0;
        for (let i = 1; i < roc.fpr.length; i++) {
          area +=
            ((roc.fpr[i] as number) - (roc.fpr[i - 1] as number)) *
            (((roc.tpr[i] as number) + (roc.tpr[i - 1] as number)) / 2);
        }
        expect(area).toBeCloseTo(auc(y, s), 12);
      }),
    );
  });
});

describe('brier and logLoss', () => {
  it('match hand-computed values', () => {
    expect(brier([0, 1], [0.2, 0.6])).toBeCloseTo(0.1, 15);
    // −(ln 0.8 + ln 0.6 + ln 0.9) / 3
    expect(logLoss([0, 1, 1], [0.2, 0.6, 0.9])).toBeCloseTo(0.2797765635793423, 14);
    expect(logLoss([0, 1], [0.5, 0.5])).toBeCloseTo(Math.LN2, 15);
  });

  it('weight rows', () => {
    // Weights 3 and 1: (3·0.04 + 0.16) / 4
    expect(brier([0, 1], [0.2, 0.6], [3, 1])).toBeCloseTo(0.07, 15);
  });

  it('clip a confident miss to a finite loss', () => {
    const loss = logLoss([1], [0]);
    expect(loss).toBeCloseTo(-Math.log(1e-15), 6);
  });

  it('reject probabilities outside [0, 1]', () => {
    expect(codeOf(() => brier([0, 1], [0.2, 1.2]))).toBe('E_DATA_INVALID');
    expect(codeOf(() => logLoss([0, 1], [-0.1, 0.5]))).toBe('E_DATA_INVALID');
    expect(codeOf(() => brier([], []))).toBe('E_DATA_INVALID');
  });
});

describe('calibrationTable', () => {
  const pd = Array.from({ length: 20 }, (_, i) => (i + 1) / 100);
  const y = pd.map((_, i) => (i % 4 === 3 ? 1 : 0));

  it('groups rows by decile of predicted pd', () => {
    const table = calibrationTable(y, pd);
    expect(table).toHaveLength(10);
    expect(table[0]).toEqual({
      bin: 1,
      count: 2,
      minPd: 0.01,
      maxPd: 0.02,
      meanPd: 0.015,
      expectedEvents: 0.03,
      events: 0,
      observedRate: 0,
    });
    // Rows 3 and 7 (0-based) are bad: row 3 sits in decile 2 with row 2.
    expect(table[1]?.events).toBe(1);
    expect(table[1]?.observedRate).toBe(0.5);
    expect(table[9]?.meanPd).toBeCloseTo(0.195, 15);
  });

  it('sums back to the whole sample (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom(0, 1), fc.integer({ min: 0, max: 20 })), {
          minLength: 1,
          maxLength: 80,
        }),
        fc.integer({ min: 1, max: 12 }),
        (rows, bins) => {
          const yy = rows.map((r) => r[0]);
          const pp = rows.map((r) => r[1] / 20);
          const table = calibrationTable(yy, pp, { bins });
          expect(table.length).toBeLessThanOrEqual(bins);
          expect(table.reduce((s, r) => s + r.count, 0)).toBe(rows.length);
          expect(table.reduce((s, r) => s + r.events, 0)).toBe(yy.reduce((s: number, v) => s + v, 0));
          expect(table.reduce((s, r) => s + r.expectedEvents, 0)).toBeCloseTo(
            pp.reduce((s, v) => s + v, 0),
            10,
          );
          // Groups are ordered and never overlap, because ties are kept together.
          for (let i = 1; i < table.length; i++) {
            expect((table[i] as { minPd: number }).minPd).toBeGreaterThan(
              (table[i - 1] as { maxPd: number }).maxPd,
            );
          }
        },
      ),
    );
  });

  it('keeps a tie group whole', () => {
    const table = calibrationTable([0, 1, 0, 1], [0.3, 0.3, 0.3, 0.3]);
    expect(table).toHaveLength(1);
    expect(table[0]?.count).toBe(4);
    expect(table[0]?.observedRate).toBe(0.5);
  });

  it('rejects a bad bin count', () => {
    expect(codeOf(() => calibrationTable([0, 1], [0.1, 0.2], { bins: 0 }))).toBe('E_OPTIONS_INVALID');
    expect(codeOf(() => calibrationTable([0, 1], [0.1, 0.2], { bins: 2.5 }))).toBe('E_OPTIONS_INVALID');
  });
});

describe('liftTable', () => {
  const pd = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];
  const y = [1, 1, 0, 1, 0, 0, 1, 0, 0, 0];

  it('lists quintiles riskiest first with hand-computed lift and gains', () => {
    const table = liftTable(y, pd, { bins: 5 });
    expect(table.map((r) => r.events)).toEqual([2, 1, 0, 1, 0]);
    expect(table.map((r) => r.lift)).toEqual([2.5, 1.25, 0, 1.25, 0]);
    expect(table.map((r) => r.gain)).toEqual([0.5, 0.75, 0.75, 1, 1]);
    expect(table.map((r) => r.cumCountShare)).toEqual([0.2, 0.4, 0.6, 0.8, 1]);
    expect(table.map((r) => r.cumLift)).toEqual([2.5, 1.875, 1.25, 1.25, 1]);
    expect(table[0]).toMatchObject({ decile: 1, minScore: 0.8, maxScore: 0.9, eventRate: 1 });
  });

  it('reads scorecard points (higher = safer) the other way round', () => {
    const points = pd.map((p) => Math.round(600 - 100 * p));
    const table = liftTable(y, points, { bins: 5, higherIsRiskier: false });
    expect(table.map((r) => r.events)).toEqual([2, 1, 0, 1, 0]);
    expect(table[0]).toMatchObject({ minScore: 510, maxScore: 520 });
  });

  it('ends at gain 1 and cumulative lift 1', () => {
    fc.assert(
      fc.property(labelled, (rows) => {
        const table = liftTable(
          rows.map((r) => r[0]),
          rows.map((r) => r[1]),
        );
        const last = table[table.length - 1];
        expect(last?.gain).toBeCloseTo(1, 12);
        expect(last?.cumLift).toBeCloseTo(1, 12);
        expect(last?.cumCountShare).toBeCloseTo(1, 12);
      }),
    );
  });
});

describe('population stability', () => {
  it('computes PSI from counts by the formula', () => {
    // 0.1·ln(0.5/0.4) + 0.1·ln(0.6/0.5)
    const r = populationStability([50, 50], [40, 60]);
    expect(r.value).toBeCloseTo(0.040546510810816436, 15);
    expect(r.band).toBe('stable');
    expect(r.bins.map((b) => b.actualShare)).toEqual([0.4, 0.6]);
  });

  it('floors an empty share at epsilon', () => {
    // Shares [1, 0→1e-4] against [0.5, 0.5].
    expect(populationStability([100, 0], [50, 50]).value).toBeCloseTo(4.60431846666895, 12);
    expect(populationStability([100, 0], [50, 50], { epsilon: 0.01 }).value).toBeCloseTo(
      -0.5 * Math.log(0.5) + 0.49 * Math.log(50),
      12,
    );
  });

  it('is non-negative, zero on equal shares, and symmetric (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 0, max: 50 })), {
          minLength: 1,
          maxLength: 12,
        }),
        (pairs) => {
          const e = pairs.map((p) => p[0]);
          const a = pairs.map((p) => p[1]);
          fc.pre(e.some((v) => v > 0) && a.some((v) => v > 0));
          const v = populationStability(e, a).value;
          expect(v).toBeGreaterThanOrEqual(0);
          expect(populationStability(a, e).value).toBeCloseTo(v, 12);
          expect(
            populationStability(
              e,
              e.map((x) => 3 * x),
            ).value,
          ).toBeCloseTo(0, 12);
        },
      ),
    );
  });

  it('reads bands at 0.10 and 0.25', () => {
    expect(stabilityBand(0)).toBe('stable');
    expect(stabilityBand(0.0999)).toBe('stable');
    expect(stabilityBand(0.1)).toBe('moderate');
    expect(stabilityBand(0.25)).toBe('moderate');
    expect(stabilityBand(0.2501)).toBe('significant');
  });

  it('bins a numeric PSI on deciles of the expected values', () => {
    const expected = Array.from({ length: 100 }, (_, i) => i);
    expect(psi(expected, expected).value).toBe(0);
    const shifted = expected.map((v) => v + 50);
    const r = psi(expected, shifted);
    expect(r.bins.map((b) => b.label)).toEqual([
      '[-∞, 10)',
      '[10, 20)',
      '[20, 30)',
      '[30, 40)',
      '[40, 50)',
      '[50, 60)',
      '[60, 70)',
      '[70, 80)',
      '[80, 90)',
      '[90, +∞)',
    ]);
    expect(r.bins.map((b) => b.actualCount)).toEqual([0, 0, 0, 0, 0, 10, 10, 10, 10, 60]);
    // Five empty bins at 1e-4 against 0.1, four equal, and 0.6 against 0.1.
    expect(r.value).toBeCloseTo(4.346303496465604, 12);
    expect(r.band).toBe('significant');
  });

  it('keeps tied values in one bin and counts missing values apart', () => {
    const expected = [1, 1, 1, 1, 1, 1, 2, 3, Number.NaN, 4];
    const r = psi(expected, [1, 2, 2, Number.NaN, Number.NaN], { bins: 4 });
    // Nine finite values, quarter points at 2.25, 4.5 and 6.75 rows: the 1s (six rows) stay together,
    // 2 is the first value with ≥ 2.25 and ≥ 4.5 rows below it, 3 the first with ≥ 6.75.
    expect(r.bins.map((b) => b.label)).toEqual(['[-∞, 2)', '[2, 3)', '[3, +∞)', 'missing']);
    expect(r.bins.map((b) => b.expectedCount)).toEqual([6, 1, 2, 1]);
    expect(r.bins.map((b) => b.actualCount)).toEqual([1, 2, 0, 2]);
  });

  it('computes CSI per variable, matching categorical levels by label', () => {
    const base = Frame.fromColumns([
      numeric(
        'income',
        Array.from({ length: 10 }, (_, i) => i),
      ),
      categorical('region', ['a', 'a', 'b', 'b', 'b', 'c', 'c', 'c', 'c', null]),
    ]);
    const recent = Frame.fromColumns([
      numeric('income', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]),
      // Levels appear in another order, and one is new.
      categorical('region', ['c', 'c', 'c', 'c', 'b', 'b', 'b', 'a', 'a', 'd']),
    ]);
    const [income, region] = csi(base, recent);
    expect(income?.variable).toBe('income');
    expect(income?.value).toBe(0);
    expect(region?.variable).toBe('region');
    expect(region?.bins.map((b) => b.label)).toEqual(['a', 'b', 'c', 'd', 'missing']);
    expect(region?.bins.map((b) => b.expectedCount)).toEqual([2, 3, 4, 0, 1]);
    expect(region?.bins.map((b) => b.actualCount)).toEqual([2, 3, 4, 1, 0]);
    // Two bins move: 'd' from ε to 0.1, 'missing' from 0.1 to ε.
    expect(region?.value).toBeCloseTo(2 * (0.1 - 1e-4) * Math.log(0.1 / 1e-4), 12);
    expect(region?.band).toBe('significant');
  });

  it('refuses a column whose kind differs between the frames', () => {
    const a = Frame.fromColumns([numeric('x', [1, 2])]);
    const b = Frame.fromColumns([categorical('x', ['1', '2'])]);
    expect(codeOf(() => csi(a, b))).toBe('E_FRAME_SHAPE');
    expect(codeOf(() => csi(a, a, { variables: ['nope'] }))).toBe('E_FRAME_SHAPE');
  });
});

describe('evaluateBinary', () => {
  it('bundles the headline metrics consistently', () => {
    const y = [0, 0, 1, 1, 0, 1, 0, 0];
    const pd = [0.1, 0.4, 0.35, 0.8, 0.2, 0.6, 0.3, 0.05];
    const m = evaluateBinary(y, pd, { bins: 4 });
    expect(m.rows).toBe(8);
    expect(m.events).toBe(3);
    expect(m.eventRate).toBe(0.375);
    expect(m.auc).toBe(auc(y, pd));
    // Bads 0.35, 0.8, 0.6 against goods 0.1, 0.4, 0.2, 0.3, 0.05: 0.35 loses to 0.4 only.
    expect(m.auc).toBeCloseTo(14 / 15, 15);
    expect(m.gini).toBeCloseTo(13 / 15, 15);
    expect(m.ks).toBe(ks(y, pd).ks);
    expect(m.brier).toBe(brier(y, pd));
    expect(m.logLoss).toBe(logLoss(y, pd));
    expect(m.calibration).toHaveLength(4);
    expect(m.lift[0]?.events).toBe(2);
  });
});
