import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CSV_END, CSV_NEED_MORE, CsvRecordReader, CsvWriter, parseCsvText } from '../../src/core/csv.js';
import { RiskError } from '../../src/core/errors.js';

/** Every record of a file with its row number, read a few bytes at a time to cross chunk boundaries. */
async function readAll(
  path: string,
  chunk: number,
): Promise<{ header: string[]; rows: [number, string[]][] }> {
  const reader = new CsvRecordReader(path, chunk);
  const header = await reader.readHeader();
  const rows: [number, string[]][] = [];
  const fields: string[] = [];
  for (;;) {
    const n = reader.next(fields);
    if (n === CSV_END) break;
    if (n === CSV_NEED_MORE) await reader.load();
    else {
      expect(fields).toHaveLength(n);
      rows.push([reader.row, [...fields]]);
    }
  }
  return { header, rows };
}

function file(text: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'rongdan-csvr-')), 'f.csv');
  writeFileSync(path, text);
  return path;
}

async function errorOf(p: Promise<unknown>): Promise<RiskError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(RiskError);
    return err as RiskError;
  }
  throw new Error('expected an error');
}

const cellText = fc.string({
  unit: fc.constantFrom('a', 'b', ' ', ',', '"', '\n', '\r', '中', '1'),
  maxLength: 6,
});

describe('CsvRecordReader', () => {
  it('reads back what CsvWriter wrote, quotes and line breaks included, whatever the chunk size', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(cellText, { minLength: 2, maxLength: 4 }), { maxLength: 30 }),
        fc.constantFrom(3, 7, 64, 1 << 16),
        async (records, chunk) => {
          const path = join(mkdtempSync(join(tmpdir(), 'rongdan-csvr-')), 'f.csv');
          const w = new CsvWriter(path, ['a', 'b']);
          for (const r of records) await w.write(r);
          await w.close();
          const { header, rows } = await readAll(path, chunk);
          expect(header).toEqual(['a', 'b']);
          expect(rows.map(([, r]) => r)).toEqual(records);
          expect(rows.map(([row]) => row)).toEqual(records.map((_, i) => i + 1));
        },
      ),
      { numRuns: 150, seed: 3 },
    );
  });

  it('strips a BOM and CRLF line ends, skips empty lines without counting them, and reads a last line without a break', async () => {
    const path = file('\ufeffid,v\r\n1,"x\r\ny"\r\n\r\n2,z\n\n3,');
    const { header, rows } = await readAll(path, 4);
    expect(header).toEqual(['id', 'v']);
    expect(rows).toEqual([
      [1, ['1', 'x\r\ny']],
      [2, ['2', 'z']],
      [3, ['3', '']],
    ]);
    expect(parseCsvText('id,v\n1,2').records).toEqual([['1', '2']]);
    expect(parseCsvText('')).toEqual({ header: [''], records: [] });
  });

  it('names file and row of an unterminated quote, even at the end of the file', async () => {
    const path = file('id,v\n1,ok\n2,"never closed\n3,x\n');
    const err = await errorOf(readAll(path, 5));
    expect(err.code).toBe('E_CSV_PARSE');
    expect(err.message).toBe(`${path} row 2: unterminated quoted field starting at character 2`);
    expect(err.details).toMatchObject({ file: path, row: 2 });
    const after = file('id,v\n1,"a"b\n');
    expect((await errorOf(readAll(after, 64))).message).toBe(
      `${after} row 1: unexpected character after a closing quote at character 5`,
    );
  });

  it('an empty file has no header; a missing file is an E_IO error', async () => {
    const empty = file('');
    expect((await errorOf(readAll(empty, 64))).message).toBe(`${empty} is empty: expected a header row`);
    const blank = file('\n\n  ');
    expect((await errorOf(readAll(blank, 64))).code).toBe('E_CSV_PARSE');
    const missing = join(tmpdir(), 'rongdan-no-such-dir', 'f.csv');
    const err = await errorOf(readAll(missing, 64));
    expect(err.code).toBe('E_IO');
    expect(err.message).toMatch(/^cannot read .*f\.csv: ENOENT/);
  });

  it('reports the bytes read so far', async () => {
    const path = file(`id\n${'x\n'.repeat(1000)}`);
    const reader = new CsvRecordReader(path, 256);
    expect(reader.bytesRead).toBe(0);
    await reader.readHeader();
    expect(reader.bytesRead).toBe(256);
  });
});
