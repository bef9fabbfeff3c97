import Database from 'better-sqlite3';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { categorical, Frame, numeric } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import { Scorecard } from '../../src/models/scorecard.js';
import { scorecardSql, sqlIdentifier } from '../../src/models/scorecard-export.js';
import { creditSample, frameOfRows } from '../binning/fixture.js';

// The SQL `CASE` export checked in a real database (SQLite through better-sqlite3): every row of a scored
// table must get exactly the scorecard's own score from the one SQL expression.

const db = new Database(':memory:');
afterAll(() => db.close());

type Cell = number | string | null;

/** Loads rows into a fresh table (numeric columns REAL, categorical TEXT) and scores them in SQL. */
function scoreInSql(card: Scorecard, frame: Frame, table: string): number[] {
  const cols = frame.columns.map((c) => `${sqlIdentifier(c.name)} ${c.kind === 'numeric' ? 'REAL' : 'TEXT'}`);
  db.exec(
    `DROP TABLE IF EXISTS ${table}; CREATE TABLE ${table} (row_no INTEGER PRIMARY KEY, ${cols.join(', ')})`,
  );
  const insert = db.prepare(`INSERT INTO ${table} VALUES (?, ${frame.columns.map(() => '?').join(', ')})`);
  db.transaction(() => {
    for (let i = 0; i < frame.nRows; i++) insert.run(i, ...frame.names.map((n): Cell => frame.cell(i, n)));
  })();
  const rows = db
    .prepare(`SELECT row_no, ${scorecardSql(card)} AS score FROM ${table} ORDER BY row_no`)
    .all() as { row_no: number; score: number }[];
  return rows.map((r) => r.score);
}

const { x, y } = creditSample(3000, 41);
const card = new Scorecard({ special: { income: [-1] } }).fit(x, y);

/** Rows at and beside every cut of every numeric variable: the boundaries where `<` must agree exactly. */
function boundaryRows(c: Scorecard): Frame {
  const s = c.fitted();
  const values = new Map<string, number[]>();
  for (const b of s.binnings) {
    if (b.kind !== 'numeric') continue;
    const v: number[] = [];
    for (const cut of b.cuts)
      v.push(cut, cut - 1e-9 * Math.max(1, Math.abs(cut)), cut + Math.abs(cut) * 1e-15);
    values.set(b.variable, v);
  }
  const n = Math.max(...[...values.values()].map((v) => v.length));
  const pick = (name: string, i: number, fallback: Cell): Cell => values.get(name)?.[i] ?? fallback;
  return Frame.fromColumns([
    numeric(
      'age',
      Array.from({ length: n }, (_, i) => pick('age', i, 40) as number),
    ),
    numeric(
      'income',
      Array.from({ length: n }, (_, i) => pick('income', i, 9000) as number),
    ),
    numeric(
      'util',
      Array.from({ length: n }, (_, i) => pick('util', i, 0.5) as number),
    ),
    categorical(
      'region',
      Array.from({ length: n }, (_, i) => ['north', 'south', null][i % 3] as string | null),
    ),
    numeric(
      'noise',
      Array.from({ length: n }, () => 0),
    ),
  ]);
}

describe('scorecard SQL in SQLite', () => {
  it('reproduces the score of every training row', () => {
    expect(scoreInSql(card, x, 'train')).toEqual(Array.from(card.score(x)));
  });

  it('agrees exactly at and beside every cut', () => {
    const f = boundaryRows(card);
    expect(f.nRows).toBeGreaterThan(5);
    expect(scoreInSql(card, f, 'cuts')).toEqual(Array.from(card.score(f)));
  });

  it('scores missing, special, unseen and out-of-range values as the card does (property)', () => {
    const row = fc.record({
      age: fc.oneof(fc.constant(null), fc.integer({ min: -10, max: 130 })),
      income: fc.oneof(fc.constant(null), fc.constant(-1), fc.integer({ min: -5000, max: 500_000 })),
      util: fc.oneof(fc.constant(null), fc.double({ min: -1, max: 3, noNaN: true })),
      region: fc.oneof(
        fc.constant(null),
        fc.constantFrom(
          'north',
          'south',
          'east',
          'west',
          'centre',
          'rare0',
          'rare2',
          'atlantis',
          "o'hare",
          '',
        ),
      ),
      noise: fc.double({ min: -5, max: 5, noNaN: true }),
    });
    fc.assert(
      fc.property(fc.array(row, { minLength: 1, maxLength: 60 }), (rows) => {
        const f = frameOfRows(rows);
        expect(scoreInSql(card, f, 'random')).toEqual(Array.from(card.score(f)));
      }),
      { numRuns: 60, seed: 29 },
    );
  });

  it('handles full-precision cuts, grouped specials, unseen levels, quoted names and numeric-looking codes', () => {
    const rng = new Rng(8);
    const n = 3000;
    const grades = ['01', '02', '03', '10', 'X'];
    const grade: string[] = [];
    const months: number[] = [];
    const ratio: number[] = [];
    const yy: number[] = [];
    for (let i = 0; i < n; i++) {
      const g = rng.int(grades.length);
      const m = rng.chance(0.1) ? (rng.chance(0.5) ? -1 : 999) : rng.int(60);
      const r = rng.normal() / 3;
      grade.push(grades[g] as string);
      months.push(m);
      ratio.push(r);
      const logit = -1.2 + 0.4 * g - 0.02 * (m < 0 ? 10 : m === 999 ? -20 : m) + 2 * r;
      yy.push(rng.uniform() < 1 / (1 + Math.exp(-logit)) ? 1 : 0);
    }
    const f = Frame.fromColumns([
      categorical('grade "A"', grade),
      numeric("months o'k", months),
      numeric('ratio', ratio),
    ]);
    const c = new Scorecard({
      special: { "months o'k": [[-1, 999]], 'grade "A"': ['X'] },
      unseen: 'worst',
      maxPValue: 1,
      useCatalog: false,
    }).fit(f, yy);
    expect(c.featureNames).toEqual(['grade "A"', "months o'k", 'ratio']);
    const cuts = c.fitted().binnings.find((b) => b.variable === 'ratio')?.cuts ?? [];
    // Cuts are full-precision doubles: the SQL must carry every digit for `<` to agree at the boundary.
    expect(cuts.some((v) => String(v).length > 12)).toBe(true);
    const atCuts = cuts.flatMap((v) => [v, v - Math.abs(v) * 1e-15, v + Math.abs(v) * 1e-15]);
    const k = atCuts.length;
    const levels = ['01', '1', '10', 'X', null, '02 ', 'Z'];
    const probe = Frame.fromColumns([
      categorical(
        'grade "A"',
        Array.from({ length: k }, (_, i) => levels[i % levels.length] ?? null),
      ),
      numeric(
        "months o'k",
        Array.from({ length: k }, (_, i) => [-1, 999, 0, 59, null, 1000, -2][i % 7] ?? null),
      ),
      numeric('ratio', atCuts),
    ]);
    const bins = c.bins(probe);
    // The probe reaches the unseen (worst) bin and both sides of the grouped special bin.
    expect(new Set(bins[0]).size).toBeGreaterThan(3);
    expect(scoreInSql(c, probe, 'codes')).toEqual(Array.from(c.score(probe)));
    expect(scoreInSql(c, f, 'codes_train')).toEqual(Array.from(c.score(f)));
  });
});
