import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { writeFeaturesCsv } from '../../src/features/batch.js';
import { getDefaultCatalog } from '../../src/features/catalog.js';
import { compileCatalog } from '../../src/features/plan.js';
import { isGrouped } from '../../src/ingest/grouping.js';
import { type ReadCounts, readApplicationsDir } from '../../src/ingest/readers.js';
import type { ApplicationInput } from '../../src/ingest/schemas.js';
import { ApplicationDirWriter } from '../../src/ingest/writers.js';
import { syntheticApplication } from '../features/synthetic.js';

const plan = compileCatalog(getDefaultCatalog());

async function sortedDir(n: number): Promise<string> {
  const rng = new Rng(77);
  const apps: ApplicationInput[] = [];
  for (let i = 0; i < n; i++)
    apps.push(syntheticApplication(rng, `S${i}`, { invoicesPerMonth: 3, absentRate: 0.15, emptyRate: 0.1 }));
  const dir = mkdtempSync(join(tmpdir(), 'rongdan-group-test-'));
  const w = new ApplicationDirWriter(dir);
  for (const a of apps) await w.write(a);
  await w.close();
  return dir;
}

/** Copies a directory with every source file's data rows permuted by a seeded shuffle, plus extra lines. */
function shuffledCopy(dir: string, seed: number, extra: (file: string) => string[] = () => []): string {
  const out = mkdtempSync(join(tmpdir(), 'rongdan-group-shuffled-'));
  const rng = new Rng(seed);
  for (const file of readdirSync(dir)) {
    const lines = readFileSync(join(dir, file), 'utf8').trim().split('\n');
    const rows = lines.slice(1);
    if (file !== 'applications.csv') {
      for (let i = rows.length - 1; i > 0; i--) {
        const j = rng.int(i + 1);
        [rows[i], rows[j]] = [rows[j] as string, rows[i] as string];
      }
    }
    rows.push(...extra(file));
    writeFileSync(join(out, file), `${[lines[0], ...rows].join('\n')}\n`);
  }
  return out;
}

async function featureText(
  dir: string,
  options: { counts?: ReadCounts; runRows?: number; rejects?: string } = {},
) {
  const out = join(mkdtempSync(join(tmpdir(), 'rongdan-group-out-')), 'f.csv');
  await writeFeaturesCsv(plan, readApplicationsDir(dir, options), out);
  return readFileSync(out, 'utf8');
}

const dataRows = (path: string): number => readFileSync(path, 'utf8').trim().split('\n').length - 1;

describe('order-free grouping', () => {
  it('rows in any order give the features of the sorted input, in memory and by sorted runs on disk', async () => {
    const dir = await sortedDir(40);
    const expected = await featureText(dir);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1e9 }),
        fc.constantFrom(3, 50, 500_000),
        async (seed, runRows) => {
          expect(await featureText(shuffledCopy(dir, seed), { runRows })).toBe(expected);
        },
      ),
      { numRuns: 6 },
    );
  });

  it('read = used + rejected in every file, each read row counted once, orphans and bad rows included', async () => {
    const dir = await sortedDir(30);
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 1e9 }),
        fc.integer({ min: 0, max: 5 }),
        fc.integer({ min: 0, max: 3 }),
        async (seed, orphans, bad) => {
          const copy = shuffledCopy(dir, seed, (file) => {
            if (file !== 'invoices.csv') return [];
            const rows: string[] = [];
            for (let i = 0; i < orphans; i++) rows.push(`NOBODY${i},2024-01-0${i + 1},sales,10,1,C1,valid`);
            for (let i = 0; i < bad; i++) rows.push(`S${i},2024-13-40,sales,-1,1,C1,valid`);
            return rows;
          });
          const counts: ReadCounts = new Map();
          const rejects = join(copy, 'rejects.out');
          await featureText(copy, { counts, rejects, runRows: 40 });
          for (const file of readdirSync(copy).filter((f) => f.endsWith('.csv'))) {
            const c = counts.get(file);
            expect(c, file).toBeDefined();
            expect(c?.read, file).toBe(dataRows(join(copy, file)));
            expect((c?.used ?? 0) + (c?.rejected ?? 0), file).toBe(c?.read);
          }
          const inv = counts.get('invoices.csv');
          // Orphans are rejected alone; a bad row takes its borrower's other rows with it.
          expect(inv?.rejected).toBeGreaterThanOrEqual(orphans + bad);
          expect(counts.get('applications.csv')?.rejected).toBe(
            new Set(Array.from({ length: bad }, (_, i) => i)).size,
          );
        },
      ),
      { numRuns: 8 },
    );
  });
});

describe('isGrouped', () => {
  const order = new Map([
    ['A', 0],
    ['B', 1],
  ]);
  const file = (text: string): string => {
    const path = join(mkdtempSync(join(tmpdir(), 'rongdan-isgrouped-')), 'f.csv');
    writeFileSync(path, text);
    return path;
  };
  it('reads the first field of each line, with or without a final line break, and unknown ids last', async () => {
    expect(await isGrouped(file('borrower_id,x\nA,1\nA,2\nB,3\n'), order)).toBe(true);
    expect(await isGrouped(file('borrower_id,x\nA,1\nB,3\nA,2'), order)).toBe(false);
    expect(await isGrouped(file('borrower_id,x\nA,1\nZ,9\nB,3\n'), order)).toBe(false);
    expect(await isGrouped(file('borrower_id,x\r\nA,1\r\nB,3\r\nZ,9\r\n'), order)).toBe(true);
  });
  it('parses records when a quoted field may hold a line break', async () => {
    expect(await isGrouped(file('borrower_id,x\nA,"1\nB,2"\nB,3\n'), order)).toBe(true);
    expect(await isGrouped(file('borrower_id,x\nB,"1\nA,2"\nA,3\n'), order)).toBe(false);
  });
});
