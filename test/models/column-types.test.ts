import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runPredict } from '../../src/cli/predict.js';
import { type CommandIo, runTrain } from '../../src/cli/train.js';
import { parseCsvText } from '../../src/core/csv.js';
import { categorical, Frame } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import { applyColumnTypes, detectColumnTypes, parseValue } from '../../src/models/column-types.js';
import { openModel } from '../../src/models/registry.js';

const dir = mkdtempSync(join(tmpdir(), 'rongdan-types-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quiet = (): CommandIo => {
  const w = new Writable({ write: (_c, _e, done) => done() });
  return { stdout: w, stderr: w };
};

/** A loan file as public ones spell it: rates as percent strings, terms in months, tenure in words. */
function writeLoans(path: string, n: number, seed: number): void {
  const rng = new Rng(seed);
  const lines = ['id,int_rate,term,emp_length,revol_bal,grade,zip,bad'];
  const tenure = ['< 1 year', '1 year', '3 years', '5 years', '10+ years'];
  for (let i = 0; i < n; i++) {
    const rate = 5 + rng.uniform() * 20;
    const term = rng.chance(0.3) ? 60 : 36;
    const emp = rng.int(5);
    const grade = 'ABCDEFG'[Math.min(6, Math.floor((rate - 5) / 3))] as string;
    const bal = Math.round(rng.uniform() * 2_000_000);
    const logit = -4 + 0.18 * rate + (term === 60 ? 0.5 : 0) - 0.2 * emp;
    const bad = rng.uniform() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    lines.push(
      [
        `L${i}`,
        `${rate.toFixed(2)}%`,
        ` ${term} months`,
        tenure[emp],
        `"${bal.toLocaleString('en-US')}"`,
        grade,
        `${100 + rng.int(400)}xx`,
        bad,
      ].join(','),
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

describe('type detection', () => {
  it('reads numbers in disguise', () => {
    expect(parseValue('83.70%', { parse: 'number' })).toBe(0.837);
    expect(parseValue('1,234,567', { parse: 'number' })).toBe(1234567);
    expect(parseValue(' 36 months', { parse: 'months' })).toBe(36);
    expect(parseValue('10+ years', { parse: 'years' })).toBe(10);
    expect(parseValue('< 1 year', { parse: 'years' })).toBe(0);
    expect(parseValue('C', { parse: 'ordered', levels: ['A', 'B', 'C'] })).toBe(2);
  });

  it('converts the disguised columns, keeps real categories, and warns about high-cardinality text', () => {
    const frame = Frame.fromColumns([
      categorical('rate', ['13.5%', '7%', null]),
      categorical('region', ['north', 'south', 'north']),
      categorical('zip', ['a', 'b', 'c']),
    ]);
    const d = detectColumnTypes(frame, { categorical: ['zip'] });
    expect(d.columnTypes).toEqual({ rate: { parse: 'number' } });
    const rate = d.frame.column('rate');
    expect(rate.kind).toBe('numeric');
    expect(rate.kind === 'numeric' ? Array.from(rate.values) : []).toEqual([0.135, 0.07, Number.NaN]);
    expect(d.frame.column('region').kind).toBe('categorical');
    const many = Frame.fromColumns([
      categorical(
        'zip',
        Array.from({ length: 800 }, (_, i) => `z${i}`),
      ),
    ]);
    expect(detectColumnTypes(many).warnings[0]).toMatch(/zip is text with 800 levels/);
  });

  it('round trip: train records the parses in the artifact, predict applies them identically', async () => {
    const data = join(dir, 'loans.csv');
    writeLoans(data, 3000, 5);
    const out = join(dir, 'model');
    const s = await runTrain(
      {
        data,
        target: 'bad',
        model: 'scorecard',
        out,
        seed: 1,
        validation: 0.2,
        progress: false,
        ordered: ['grade=A|B|C|D|E|F|G'],
      },
      quiet(),
    );
    expect(s.columnTypes).toEqual({
      int_rate: { parse: 'number' },
      term: { parse: 'months' },
      emp_length: { parse: 'years' },
      revol_bal: { parse: 'number' },
      grade: { parse: 'ordered', levels: ['A', 'B', 'C', 'D', 'E', 'F', 'G'] },
    });
    expect(s.warnings.some((w) => w.includes('zip is text with'))).toBe(true);
    expect(s.features).toContain('int_rate');
    const artifact = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    expect(artifact.columnTypes.int_rate).toEqual({ parse: 'number' });

    const holdout = join(dir, 'holdout.csv');
    writeLoans(holdout, 500, 6);
    const pred = join(dir, 'pred.csv');
    await runPredict(
      { model: out, data: holdout, out: pred, reasons: 0, lang: 'en', progress: false },
      quiet(),
    );
    const rows = parseCsvText(readFileSync(pred, 'utf8'));
    const { model } = await openModel(out);
    // The same parse by hand: read as text, then the recorded parses.
    const { readCsvFrame } = await import('../../src/core/frame.js');
    const raw = await readCsvFrame(holdout, { categorical: Object.keys(artifact.columnTypes) });
    const pd = model.predictProba(applyColumnTypes(raw, artifact.columnTypes).select(model.featureNames));
    const col = rows.header.indexOf('pd');
    expect(rows.records).toHaveLength(500);
    rows.records.forEach((r, i) => {
      expect(Number(r[col])).toBeCloseTo(pd[i] as number, 12);
    });
  });
});
