import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CsvWriter, parseCsvLine, parseCsvText, readCsvBlocks } from '../../src/core/csv.js';
import { RiskError } from '../../src/core/errors.js';

describe('CSV', () => {
  it('splits quoted fields with commas, doubled quotes and empties', () => {
    expect(parseCsvLine('a,"b,c",,"say ""hi"""')).toEqual(['a', 'b,c', '', 'say "hi"']);
    expect(parseCsvLine('')).toEqual(['']);
    expect(parseCsvLine('x,')).toEqual(['x', '']);
  });

  it('rejects an unterminated quote with E_CSV_PARSE', () => {
    expect(() => parseCsvLine('a,"b')).toThrow(RiskError);
  });

  it('keeps line breaks inside quotes and strips CRLF and BOM', () => {
    const { header, records } = parseCsvText('\ufeffid,note\r\n1,"two\nlines"\r\n2,plain\r\n');
    expect(header).toEqual(['id', 'note']);
    expect(records).toEqual([
      ['1', 'two\nlines'],
      ['2', 'plain'],
    ]);
  });

  it('writes what it reads back, across block boundaries', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rongdan-csv-'));
    const path = join(dir, 'x.csv');
    const w = new CsvWriter(path, ['id', 'text', 'value']);
    const rows: string[][] = [];
    for (let i = 0; i < 5000; i++) {
      const row = [`B${i}`, i % 7 === 0 ? `comma, "quote"\nline ${i}` : `t${i}`, String(i * 0.5)];
      rows.push(row);
      await w.write(row);
    }
    await w.close();
    const got: string[][] = [];
    let header: string[] = [];
    let firstRows: number[] = [];
    for await (const block of readCsvBlocks(path, (h) => (header = h), 4096)) {
      got.push(...block.records);
      firstRows = [...firstRows, block.firstRow];
    }
    expect(header).toEqual(['id', 'text', 'value']);
    expect(got).toEqual(rows);
    expect(firstRows.length).toBeGreaterThan(10);
    expect(firstRows[0]).toBe(1);
  });

  it('an empty file is an error naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rongdan-csv-'));
    const path = join(dir, 'empty.csv');
    writeFileSync(path, '');
    await expect(async () => {
      for await (const _ of readCsvBlocks(path, () => {})) void _;
    }).rejects.toThrow(`${path} is empty: expected a header row`);
    expect(readFileSync(path, 'utf8')).toBe('');
  });
});
