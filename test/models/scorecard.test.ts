import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { regularBins, type VariableBinning } from '../../src/binning/variable.js';
import { categorical, Frame, numeric } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import { auc } from '../../src/evaluation/metrics.js';
import { describeFeature } from '../../src/features/catalog.js';
import { pdFromScore, Scorecard, scaling } from '../../src/models/scorecard.js';
import { scorecardCard, scorecardSql, sqlIdentifier, sqlLiteral } from '../../src/models/scorecard-export.js';
import { creditSample, frameOfRows } from '../binning/fixture.js';

const { x, y } = creditSample(3000, 41);
const card = new Scorecard({ special: { income: [-1] } }).fit(x, y);

/** Random rows over the fixture's columns, with missing, special, unseen and out-of-range values. */
const rowArb = fc.record({
  age: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 120 })),
  income: fc.oneof(fc.constant(null), fc.constant(-1), fc.integer({ min: -5000, max: 200_000 })),
  util: fc.oneof(fc.constant(null), fc.double({ min: -1, max: 3, noNaN: true })),
  region: fc.oneof(
    fc.constant(null),
    fc.constantFrom('north', 'south', 'east', 'west', 'centre', 'rare0', 'atlantis', "o'hare"),
  ),
  noise: fc.double({ min: -5, max: 5, noNaN: true }),
});

describe('points scaling', () => {
  it('has the golden factor and offset for 600 points at 50:1, PDO 20', () => {
    const s = scaling(600, 50, 20);
    expect(s.factor).toBeCloseTo(28.8539008178, 9);
    expect(s.offset).toBeCloseTo(487.1228762045, 9);
    expect(pdFromScore(600, s)).toBeCloseTo(1 / 51, 14);
  });

  it('doubles the good:bad odds every PDO points, for any scaling', () => {
    fc.assert(
      fc.property(
        fc.double({ min: 100, max: 1000, noNaN: true }),
        fc.double({ min: 0.5, max: 200, noNaN: true }),
        fc.double({ min: 5, max: 100, noNaN: true }),
        fc.double({ min: -200, max: 200, noNaN: true }),
        (base, odds, pdo, delta) => {
          const s = scaling(base, odds, pdo);
          const goodOdds = (score: number): number => (1 - pdFromScore(score, s)) / pdFromScore(score, s);
          const at = base + delta;
          expect(goodOdds(at + pdo) / goodOdds(at)).toBeCloseTo(2, 6);
          expect(goodOdds(base)).toBeCloseTo(odds, 6);
        },
      ),
      { numRuns: 200, seed: 3 },
    );
  });

  it('moves every point by the new scale when base score and PDO change', () => {
    const wide = new Scorecard({ special: { income: [-1] }, baseScore: 500, baseOdds: 20, pdo: 40 }).fit(
      x,
      y,
    );
    expect(wide.fitted().coef).toEqual(card.fitted().coef);
    const s = wide.fitted().scaling;
    expect(s.factor).toBeCloseTo(40 / Math.LN2, 12);
    const score = wide.score(x.take([0]))[0] as number;
    expect(wide.predictProba(x.take([0]))[0]).toBeCloseTo(pdFromScore(score, s), 14);
  });
});

describe('Scorecard', () => {
  it('ranks the fixture and selects the informative variables', () => {
    expect(card.featureNames).toEqual(['age', 'income', 'util', 'region']);
    expect(auc(y, card.predictProba(x))).toBeGreaterThan(0.75);
    expect(card.fitted().coef.every((c) => c < 0)).toBe(true);
  });

  it('points sum exactly to the score, and the pd is read from that score (property)', () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 40 }), (rows) => {
        const f = frameOfRows(rows);
        const points = card.points(f);
        const score = card.score(f);
        const pd = card.predictProba(f);
        for (let i = 0; i < f.nRows; i++) {
          let sum = 0;
          for (const c of points.columns) if (c.kind === 'numeric') sum += c.values[i] as number;
          expect(Number.isInteger(sum)).toBe(true);
          expect(sum).toBe(score[i]);
          expect(pd[i]).toBe(pdFromScore(sum, card.fitted().scaling));
        }
      }),
      { numRuns: 100, seed: 17 },
    );
  });

  it('rounds each bin of −factor·(β·WoE + β0/k) + offset/k, staying within k/2 of the exact score', () => {
    const s = card.fitted();
    const k = s.variables.length;
    const tables = card.binningTables();
    s.variables.forEach((_, j) => {
      tables[j]?.rows.forEach((r, b) => {
        const exact =
          s.scaling.offset / k - s.scaling.factor * ((s.coef[j] as number) * r.woe + s.intercept / k);
        expect(s.points[j]?.[b]).toBe(Math.round(exact));
      });
    });
    const sample = x.take(Array.from({ length: 200 }, (_, i) => i));
    const score = card.score(sample);
    const woe = card
      .bins(sample)
      .map((bins, j) => Array.from(bins, (b) => tables[j]?.rows[b]?.woe as number));
    for (let i = 0; i < sample.nRows; i++) {
      const logit = s.intercept + woe.reduce((a, w, j) => a + (s.coef[j] as number) * (w[i] as number), 0);
      const exact = s.scaling.offset - s.scaling.factor * logit;
      expect(Math.abs((score[i] as number) - exact)).toBeLessThanOrEqual(k / 2);
    }
  });

  it('gives reasons that cost points against each variable’s best bin, largest first', () => {
    const f = x.take(Array.from({ length: 100 }, (_, i) => i));
    const reasons = card.reasons(f, 3);
    const points = card.points(f);
    const best = new Map(
      card.featureNames.map((v, j) => {
        const rows = card.binningTables()[j]?.rows ?? [];
        const pts = card.fitted().points[j] as number[];
        return [v, Math.max(...pts.filter((_, b) => (rows[b]?.count ?? 0) > 0))];
      }),
    );
    reasons.forEach((row, i) => {
      expect(row.length).toBeLessThanOrEqual(3);
      row.forEach((r, t) => {
        const own = points.numeric(r.feature)[i] as number;
        expect(r.impact).toBe((best.get(r.feature) as number) - own);
        expect(r.impact).toBeGreaterThan(0);
        if (t > 0) expect(r.impact).toBeLessThanOrEqual(row[t - 1]?.impact as number);
      });
    });
  });

  it('refuses data where no variable passes the selection, naming the limits', () => {
    const rng = new Rng(12);
    const f = Frame.fromColumns([
      numeric(
        'n1',
        Array.from({ length: 400 }, () => rng.normal()),
      ),
    ]);
    const yy = Array.from({ length: 400 }, () => (rng.chance(0.3) ? 1 : 0));
    expect(() => new Scorecard({ maxPValue: 0.001 }).fit(f, yy)).toThrow(
      expect.objectContaining({
        code: 'E_DATA_INVALID',
        message: expect.stringContaining('minIv is 0 and maxPValue 0.001'),
      }),
    );
  });

  it('drops a wrong-sign variable (a suppressor) and refits', () => {
    const rng = new Rng(3);
    const a: number[] = [];
    const b: number[] = [];
    const yy: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const z = rng.normal();
      const av = z + rng.normal();
      const bv = z + 0.3 * rng.normal();
      a.push(av);
      b.push(bv);
      // b raises risk on its own (through z) but lowers it once a is known.
      yy.push(rng.uniform() < 1 / (1 + Math.exp(-(-1 + 2 * av - 1.5 * bv))) ? 1 : 0);
    }
    const f = Frame.fromColumns([numeric('a', a), numeric('b', b)]);
    const kept = new Scorecard({ maxCorrelation: 0.99, dropWrongSign: false }).fit(f, yy);
    expect(kept.fitted().coef[1]).toBeGreaterThan(0);
    const dropped = new Scorecard({ maxCorrelation: 0.99 }).fit(f, yy);
    expect(dropped.featureNames).toEqual(['a']);
    expect(dropped.fitted().wrongSign.map((w) => w.variable)).toEqual(['b']);
  });

  it('takes trend and text from the feature catalog for catalog variables', () => {
    // Utilisation data renamed as a catalog feature whose risk falls as it grows.
    const renamed = Frame.fromColumns([
      { ...(x.column('util') as ReturnType<typeof numeric>), name: 'ent_years_in_business' },
      x.column('age'),
    ]);
    const described = describeFeature('ent_years_in_business');
    expect(described?.direction).toBe('decreasing');
    const withCatalog = new Scorecard({ minIv: 0 }).fit(renamed, y);
    const trendOf = (c: Scorecard): unknown =>
      c.fitted().binnings.find((b) => b.variable === 'ent_years_in_business')?.trend;
    expect(trendOf(withCatalog)).toBe('descending');
    expect(trendOf(new Scorecard({ minIv: 0, useCatalog: false }).fit(renamed, y))).toBe('ascending');
    const reason = withCatalog
      .reasons(renamed, 2)
      .flat()
      .find((r) => r.feature === 'ent_years_in_business');
    expect(reason === undefined || (reason.zh === described?.zh && reason.en === described?.en)).toBe(true);
    const ageReason = withCatalog
      .reasons(renamed, 2)
      .flat()
      .find((r) => r.feature === 'age');
    // Not in the catalog: the text falls back to `column = bin`.
    if (ageReason !== undefined) expect(ageReason.zh).toBe(`age = ${ageReason.value}`);
  });
});

/** A tiny evaluator for exactly the SQL `scorecardSql` writes: a sum of CASE expressions. */
function evaluateSql(sql: string, row: Record<string, number | string | null>): number {
  const tokens =
    sql.match(/"(?:[^"]|"")*"|'(?:[^']|'')*'|-?\d+(?:\.\d+)?(?:e[+-]?\d+)?|[A-Z]+|[()+,<]/g) ?? [];
  let at = 0;
  const next = (): string => tokens[at++] as string;
  const expect_ = (t: string): void => {
    const got = next();
    if (got !== t) throw new Error(`expected ${t}, got ${got}`);
  };
  const literal = (t: string): number | string =>
    t.startsWith("'") ? t.slice(1, -1).replace(/''/g, "'") : Number(t);
  let total = 0;
  for (;;) {
    expect_('(');
    expect_('CASE');
    let value: number | undefined;
    while (tokens[at] === 'WHEN') {
      next();
      const col = next().slice(1, -1).replace(/""/g, '"');
      const v = row[col] ?? null;
      let hit: boolean;
      const op = next();
      if (op === 'IS') {
        expect_('NULL');
        hit = v === null;
      } else if (op === 'IN') {
        expect_('(');
        const list: (number | string)[] = [];
        for (;;) {
          list.push(literal(next()));
          if (next() === ')') break;
        }
        hit = v !== null && list.some((l) => l === v || (typeof l === 'number' && Number(v) === l));
      } else if (op === '<') {
        const cut = literal(next()) as number;
        hit = v !== null && Number(v) < cut;
      } else throw new Error(`unexpected ${op}`);
      expect_('THEN');
      const then = Number(next());
      if (hit && value === undefined) value = then;
    }
    expect_('ELSE');
    const otherwise = Number(next());
    expect_('END');
    expect_(')');
    total += value ?? otherwise;
    if (at >= tokens.length) return total;
    expect_('+');
  }
}

describe('scorecard export', () => {
  it('writes one SQL expression that reproduces the score on every row (property)', () => {
    const sql = scorecardSql(card);
    expect(sql.startsWith('(CASE WHEN "age" IS NULL THEN ')).toBe(true);
    expect(sql).toContain(
      `WHEN "income" IN (-1) THEN ${card.fitted().points[1]?.[regularBins(card.fitted().binnings[1] as VariableBinning)]}`,
    );
    expect(sql.split('(CASE').length - 1).toBe(4);
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 30 }), (rows) => {
        const score = card.score(frameOfRows(rows));
        rows.forEach((r, i) => {
          expect(evaluateSql(sql, r)).toBe(score[i]);
        });
      }),
      { numRuns: 100, seed: 23 },
    );
  });

  it('quotes identifiers and text literals', () => {
    expect(sqlIdentifier('a"b')).toBe('"a""b"');
    expect(sqlLiteral("o'hare")).toBe("'o''hare'");
    expect(sqlLiteral(-0.5)).toBe('-0.5');
    const cities = ["o'hare", 'paris', 'rome'];
    const badsPerTen = [8, 1, 4];
    const f = Frame.fromColumns([
      categorical(
        'city "x"',
        Array.from({ length: 30 }, (_, i) => cities[i % 3] as string),
      ),
      numeric(
        'n',
        Array.from({ length: 30 }, (_, i) => i),
      ),
    ]);
    const yy = Array.from({ length: 30 }, (_, i) =>
      Math.floor(i / 3) < (badsPerTen[i % 3] as number) ? 1 : 0,
    );
    const tiny = new Scorecard({
      minIv: 0,
      minBinShare: 0.1,
      catCutoff: 0,
      maxCorrelation: 1,
      dropWrongSign: false,
    }).fit(f, yy);
    const sql = scorecardSql(tiny);
    expect(tiny.featureNames).toContain('city "x"');
    expect(sql).toContain(`WHEN "city ""x""" IN ('o''hare') THEN`);
    for (let i = 0; i < f.nRows; i++) {
      expect(evaluateSql(sql, { 'city "x"': f.cell(i, 'city "x"'), n: f.cell(i, 'n') })).toBe(
        tiny.score(f)[i],
      );
    }
  });

  it('exports a JSON card whose conditions and points match the model', () => {
    const doc = scorecardCard(card);
    expect(doc.format).toBe('rongdan-scorecard');
    expect(doc.scaling).toMatchObject({ baseScore: 600, baseOdds: 50, pdo: 20 });
    expect(doc.variables.map((v) => v.variable)).toEqual(card.featureNames);
    expect(doc.variables.map((v) => v.userSet)).toEqual(card.featureNames.map(() => false));
    // The card's tests are the artifact's: each informative variable is significant.
    doc.variables.forEach((v, j) => {
      expect(v.standardError).toBe(card.fitted().tests?.coef[j]?.se);
      expect(v.pValue).toBeLessThan(0.05);
    });
    const age = doc.variables[0];
    expect(age?.bins[0]?.condition).toMatchObject({ type: 'range', lower: null });
    expect(age?.bins.at(-1)?.condition).toEqual({ type: 'missing' });
    expect(doc.variables[1]?.bins.at(-2)?.condition).toEqual({ type: 'special', values: [-1] });
    const region = doc.variables[3];
    expect(region?.bins.filter((b) => b.unseen)).toHaveLength(1);
    expect(region?.bins.find((b) => b.unseen)?.condition).toEqual({ type: 'missing' });
    const scores = card.score(x);
    expect(Math.min(...scores)).toBeGreaterThanOrEqual(doc.minScore);
    expect(Math.max(...scores)).toBeLessThanOrEqual(doc.maxScore);
  });
});
