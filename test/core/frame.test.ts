import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvRecordBound } from '../../src/core/csv.js';
import { RiskError } from '../../src/core/errors.js';
import { categorical, columnsHint, Frame, numeric, readCsvFrame } from '../../src/core/frame.js';

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

  it('keeps the text of numbers read before a column turned textual, exactly as written', async () => {
    // Before the fix the first rows came back as String(Number(text)): "1", "1", "1000", "5".
    const f = await readCsvFrame(csv('code,n\n01,1\n1.0,2\n,3\n1e3,4\n 5 ,5\nA1,6\n01,7\n'));
    const code = f.column('code');
    expect(code.kind).toBe('categorical');
    expect(Array.from({ length: f.nRows }, (_, i) => f.cell(i, 'code'))).toEqual([
      '01',
      '1.0',
      null,
      '1e3',
      '5',
      'A1',
      '01',
    ]);
    // Levels in order of first appearance, as if the column had been read as text throughout.
    expect(code.kind === 'categorical' && code.levels).toEqual(['01', '1.0', '1e3', '5', 'A1']);
    expect(Array.from(f.numeric('n'))).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('re-reads pending text across block boundaries and equals reading the column as text', async () => {
    const lines = ['id,code,x'];
    for (let i = 0; i < 200_000; i++) lines.push(`${i},${i === 100_000 ? 'X' : `0${i % 13}`},${i % 3}`);
    const path = csv(`${lines.join('\n')}\n`);
    const seen: [number, number][] = [];
    const auto = await readCsvFrame(path, { onProgress: (rows, bytes) => seen.push([rows, bytes]) });
    const forced = await readCsvFrame(path, { categorical: ['code'] });
    const a = auto.column('code');
    const b = forced.column('code');
    expect(a.kind === 'categorical' && b.kind === 'categorical').toBe(true);
    if (a.kind !== 'categorical' || b.kind !== 'categorical') return;
    expect(a.levels).toEqual(b.levels);
    expect(Array.from(a.codes)).toEqual(Array.from(b.codes));
    expect(auto.cell(0, 'code')).toBe('00');
    expect(auto.column('x').kind).toBe('numeric');
    // Progress counts rows and bytes, ending at the whole file.
    const last = seen[seen.length - 1] as [number, number];
    expect(last[0]).toBe(200_000);
    expect(last[1]).toBe(statSync(path).size);
    expect(seen.length).toBeGreaterThan(1);
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

  it('sizes columns from a line count: exact buffers, also with blank lines, quoted breaks and no last break', async () => {
    const text = 'a,b\n1,"x\ny"\n\n2,z\n3,w';
    const path = csv(text);
    // An upper bound: a quoted line break and a blank line count as lines, a missing last break does not hide one.
    expect(await csvRecordBound(path)).toBe(5);
    expect(await csvRecordBound(csv('a\n1\n2\n'))).toBe(2);
    expect(await csvRecordBound(csv('a'))).toBe(0);
    expect(await csvRecordBound(join(tmpdir(), 'no-such-dir-rongdan', 'f.csv'))).toBeUndefined();
    const f = await readCsvFrame(path);
    expect(f.nRows).toBe(3);
    expect(Array.from(f.numeric('a'))).toEqual([1, 2, 3]);
    const b = f.column('b');
    expect(b.kind === 'categorical' && [b.codes.length, b.levels]).toEqual([3, ['x\ny', 'z', 'w']]);
    // The common case hands over the buffer sized by the count: no spare rows, no copy.
    const exact = await readCsvFrame(csv('a,b\n1,2\n3,4\n'));
    expect(exact.numeric('a').buffer.byteLength).toBe(2 * 8);
  });

  it('take of every row in order is the frame itself; any other order is a copy', () => {
    const f = Frame.fromColumns([numeric('x', [1, 2, 3]), categorical('c', ['a', 'b', null])]);
    expect(f.take(Int32Array.from([0, 1, 2]))).toBe(f);
    const r = f.take([2, 1, 0]);
    expect(r).not.toBe(f);
    expect(Array.from(r.numeric('x'))).toEqual([3, 2, 1]);
    expect(r.cell(0, 'c')).toBeNull();
    expect(f.take([0, 1]).nRows).toBe(2);
  });
});

describe('columnsHint', () => {
  it('lists a short header whole and names the nearest column', () => {
    expect(columnsHint(['age', 'default_12m'], 'Default_12m')).toBe(
      'did you mean "default_12m"? columns are age, default_12m',
    );
    expect(columnsHint(['age', 'income'], 'target')).toBe('columns are age, income');
  });

  it('cuts a long header after 20 names and counts the rest', () => {
    const names = Array.from({ length: 200 }, (_, i) => `f${i}`);
    const hint = columnsHint(names, 'nope');
    expect(hint).toBe(`columns are ${names.slice(0, 20).join(', ')}, … (180 more, 200 in all)`);
    expect(columnsHint(names, 'f199x')).toMatch(/^did you mean "f199"\? /);
  });
});
