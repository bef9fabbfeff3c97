import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPLICATIONS_FILE, headerOf, SOURCE_FILES, type SourceTag } from '../../src/ingest/layout.js';
import { parseApplication } from '../../src/ingest/validate.js';
import { DIRT_COLUMNS, OUTCOME_COLUMNS, writeSampleDir } from '../../src/samples/write.js';
import { readCsv, tempDir } from './helpers.js';

let dir = '';
let cleanup: () => Promise<void> = async () => {};

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('layout'));
  await writeSampleDir({ n: 400, seed: 9, months: 12, dirty: 0.01, format: 'both', out: dir });
});
afterAll(() => cleanup());

/** The tag in the `sources` column that a file's rows belong to. */
function tagOf(file: string, subject: string | undefined): SourceTag {
  const layout = SOURCE_FILES.find((l) => l.file === file);
  if (layout?.bySubject) return `bureau.${subject}` as SourceTag;
  return layout?.source as SourceTag;
}

describe('the CSV sample directory', () => {
  it('writes every file with the header of src/ingest/layout.ts', async () => {
    for (const layout of [APPLICATIONS_FILE, ...SOURCE_FILES]) {
      const { header } = await readCsv(join(dir, layout.file));
      expect(header, layout.file).toEqual(headerOf(layout));
    }
    expect((await readCsv(join(dir, 'outcomes.csv'))).header).toEqual([...OUTCOME_COLUMNS]);
    expect((await readCsv(join(dir, 'dirty.csv'))).header).toEqual([...DIRT_COLUMNS]);
  });

  it('keeps each borrower contiguous and in applications.csv order, with rows only for listed sources', async () => {
    const apps = (await readCsv(join(dir, 'applications.csv'))).records;
    expect(apps).toHaveLength(400);
    const order = new Map(apps.map((r, k) => [r[0] as string, k]));
    const sources = new Map(apps.map((r) => [r[0] as string, new Set((r[2] as string).split(';'))]));
    for (const layout of SOURCE_FILES) {
      const { records } = await readCsv(join(dir, layout.file));
      let last = -1;
      const seen = new Set<string>();
      let previous = '';
      for (const r of records) {
        const id = r[0] as string;
        const k = order.get(id);
        expect(k, `${layout.file} ${id}`).toBeDefined();
        expect(k as number).toBeGreaterThanOrEqual(last);
        if (id !== previous) {
          expect(seen.has(id), `${layout.file}: ${id} is not contiguous`).toBe(false);
          seen.add(id);
        }
        previous = id;
        last = k as number;
        expect(sources.get(id)?.has(tagOf(layout.file, layout.bySubject ? r[1] : undefined))).toBe(true);
      }
    }
  });

  it('writes outcomes in the same order, with a date exactly for the defaults', async () => {
    const apps = (await readCsv(join(dir, 'applications.csv'))).records.map((r) => r[0]);
    const outcomes = (await readCsv(join(dir, 'outcomes.csv'))).records;
    expect(outcomes.map((r) => r[0])).toEqual(apps);
    for (const [, flag, date] of outcomes) {
      expect(['0', '1']).toContain(flag);
      expect(flag === '1').toBe(/^\d{4}-\d{2}-\d{2}$/.test(date ?? ''));
    }
  });

  it('writes applications.jsonl in the API shape, one line per borrower, matching the CSV', async () => {
    const lines = (await readFile(join(dir, 'applications.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(400);
    const apps = (await readCsv(join(dir, 'applications.csv'))).records;
    const dirtyIds = new Set(
      (await readCsv(join(dir, 'dirty.csv'))).records.filter((r) => r[6] === '0').map((r) => r[0]),
    );
    lines.forEach((line, k) => {
      const app = JSON.parse(line) as { id: string; asOf: string };
      expect(app.id).toBe(apps[k]?.[0]);
      expect(app.asOf).toBe(apps[k]?.[1]);
      if (!dirtyIds.has(app.id)) expect(() => parseApplication(app)).not.toThrow();
    });
  });

  it('writes banks, agreements and a manifest that records the options', async () => {
    const banks = JSON.parse(await readFile(join(dir, 'banks.json'), 'utf8')) as unknown[];
    const agreements = JSON.parse(await readFile(join(dir, 'agreements.json'), 'utf8')) as unknown[];
    expect(banks.length).toBeGreaterThanOrEqual(12);
    expect(agreements.length).toBeGreaterThanOrEqual(6);
    const manifest = JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as {
      options: Record<string, unknown>;
      summary: { borrowers: number };
    };
    expect(manifest.options).toMatchObject({ n: 400, seed: 9, months: 12, dirty: 0.01, format: 'both' });
    expect(manifest.summary.borrowers).toBe(400);
  });
});
