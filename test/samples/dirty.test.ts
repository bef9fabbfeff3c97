import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLICATIONS_FILE, SOURCE_FILES } from '../../src/ingest/layout.js';
import { BENIGN_KINDS, INVALID_KINDS, withThousands } from '../../src/samples/dirty.js';
import { type SampleSummary, writeSampleDir } from '../../src/samples/write.js';
import { readCsv, tempDir } from './helpers.js';

const RATE = 0.04;
let clean = '';
let dirty = '';
let summary: SampleSummary;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const a = await tempDir('clean');
  const b = await tempDir('dirty');
  cleanups.push(a.cleanup, b.cleanup);
  clean = a.dir;
  dirty = b.dir;
  await writeSampleDir({ n: 600, seed: 13, months: 12, dirty: 0, out: clean });
  summary = await writeSampleDir({ n: 600, seed: 13, months: 12, dirty: RATE, out: dirty });
});
afterAll(async () => {
  for (const c of cleanups) await c();
});

describe('dirty values', () => {
  it('dirty about the requested share of rows, and exactly the rows listed in dirty.csv', async () => {
    let rows = 0;
    let changed = 0;
    const changedKeys = new Set<string>();
    for (const layout of [APPLICATIONS_FILE, ...SOURCE_FILES]) {
      const a = (await readFile(join(clean, layout.file), 'utf8')).split('\n');
      const b = (await readFile(join(dirty, layout.file), 'utf8')).split('\n');
      expect(b.length, layout.file).toBe(a.length);
      for (let k = 1; k < a.length; k++) {
        if (a[k] === '') continue;
        rows++;
        if (a[k] !== b[k]) {
          changed++;
          changedKeys.add(`${layout.file}:${k}`);
        }
      }
    }
    const share = changed / rows;
    expect(share).toBeGreaterThan(RATE * 0.8);
    expect(share).toBeLessThan(RATE * 1.2);
    expect(summary.rows.rows).toBe(rows);
    expect(summary.rows.dirty).toBe(changed);
    const marks = (await readCsv(join(dirty, 'dirty.csv'))).records;
    expect(marks).toHaveLength(changed);
  });

  it('makes about the default tenth of dirty rows invalid, and uses every kind', async () => {
    const marks = (await readCsv(join(dirty, 'dirty.csv'))).records;
    const invalid = marks.filter((m) => m[6] === '0').length;
    expect(invalid / marks.length).toBeGreaterThan(0.05);
    expect(invalid / marks.length).toBeLessThan(0.16);
    const kinds = new Set(marks.map((m) => m[5]));
    for (const k of [...BENIGN_KINDS, ...INVALID_KINDS]) expect(kinds.has(k), k).toBe(true);
    // Invalid kinds and only those are flagged invalid.
    for (const m of marks)
      expect(m[6] === '0').toBe((INVALID_KINDS as readonly string[]).includes(m[5] as string));
  });

  it('writes the dirty value into the named cell', async () => {
    const marks = (await readCsv(join(dirty, 'dirty.csv'))).records.slice(0, 200);
    const files = new Map<string, { header: string[]; records: string[][] }>();
    for (const [id, file, subject, row, column, , , value] of marks) {
      if (!files.has(file as string)) files.set(file as string, await readCsv(join(dirty, file as string)));
      const { header, records } = files.get(file as string) as { header: string[]; records: string[][] };
      const mine = records.filter((r) => r[0] === id);
      const rec = mine[Number(row)] as string[];
      if (subject !== '') expect(rec[1]).toBe(subject);
      expect(rec[header.indexOf(column as string)]).toBe(value);
    }
  });

  it('groups thousands like a spreadsheet would', () => {
    expect(withThousands(1234567.5)).toBe('1,234,567.5');
    expect(withThousands(1000)).toBe('1,000');
    expect(withThousands(999)).toBe('999');
    expect(withThousands(-25000)).toBe('-25,000');
  });
});
