import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RiskError } from '../../src/core/errors.js';
import { categorical, Frame, numeric, readCsvFrame } from '../../src/core/frame.js';

function csv(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'rongdan-frame-')), 'f.csv');
  writeFileSync(path, text);
  return path;
}

describe('Frame', () => {
  it('detects numeric and categorical columns and reads missing tokens as missing', async () => {
    const f = await readCsvFrame(csv('a,b,c\n1,x,NA\n2.5,,3\nNaN,y,null\n,N/A,4\n'));
    expect(f.nRows).toBe(4);
    expect(f.column('a').kind).toBe('numeric');
    expect(Array.from(f.numeric('a'))).toEqual([1, 2.5, Number.NaN, Number.NaN]);
    const b = f.column('b');
    expect(b.kind === 'categorical' && [Array.from(b.codes), b.levels]).toEqual([
      [0, -1, 1, -1],
      ['x', 'y'],
    ]);
    expect(Array.from(f.numeric('c'))).toEqual([Number.NaN, 3, Number.NaN, 4]);
  });

  it('a column that turns out textual keeps the numbers read before as text', async () => {
    const f = await readCsvFrame(csv('code\n12\n7\nA1\n'));
    expect([f.cell(0, 'code'), f.cell(1, 'code'), f.cell(2, 'code')]).toEqual(['12', '7', 'A1']);
  });

  it('forced types and their errors name file, row and column', async () => {
    const path = csv('zip,amount\n010,5\n020,x\n');
    const f = await readCsvFrame(path, { categorical: ['zip'], numeric: ['amount'] }).catch(
      (e: unknown) => e,
    );
    expect(f).toBeInstanceOf(RiskError);
    expect((f as RiskError).message).toBe(`${path} row 2 column amount: expected a number, received "x"`);
    const g = await readCsvFrame(csv('zip,amount\n010,5\n'), { categorical: ['zip'] });
    expect(g.cell(0, 'zip')).toBe('010');
    await expect(readCsvFrame(path, { numeric: ['nope'] })).rejects.toThrow(/no column named nope/);
  });

  it('a row with the wrong number of fields is an error', async () => {
    const path = csv('a,b\n1,2\n3\n');
    await expect(readCsvFrame(path)).rejects.toThrow(`${path} row 2: expected 2 fields, received 1`);
  });

  it('take, select, with and drop', () => {
    const f = Frame.fromColumns([numeric('x', [1, 2, 3]), categorical('g', ['a', null, 'b'])]);
    const t = f.take([2, 0]);
    expect([t.cell(0, 'x'), t.cell(0, 'g'), t.cell(1, 'g')]).toEqual([3, 'b', 'a']);
    expect(f.select(['g']).names).toEqual(['g']);
    expect(f.with(numeric('x', [0, 0, 0])).cell(2, 'x')).toBe(0);
    expect(f.drop(['x']).names).toEqual(['g']);
    expect(() => Frame.fromColumns([numeric('x', [1]), numeric('y', [1, 2])])).toThrow(
      /column y has 2 rows, expected 1/,
    );
  });
});
