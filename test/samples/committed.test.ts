import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { csvCell } from '../../src/core/csv.js';
import { applicationRow, SOURCE_FILES, sourceRows } from '../../src/ingest/layout.js';
import { generateBorrower } from '../../src/samples/generate.js';
import { resolveSampleOptions } from '../../src/samples/options.js';

const DIR = join(import.meta.dirname, '../../data-samples');
const HEAD = 150;

async function lines(file: string): Promise<string[]> {
  return (await readFile(join(DIR, file), 'utf8')).split('\n');
}

const line = (cells: readonly unknown[]) => cells.map(csvCell).join(',');

describe('the committed sample in data-samples/', () => {
  it('was written by the command its README gives', async () => {
    const readme = await readFile(join(DIR, 'README.md'), 'utf8');
    expect(readme).toContain('samples generate --n 5000 --seed 42 --months 12 --out data-samples');
    const manifest = JSON.parse(await readFile(join(DIR, 'manifest.json'), 'utf8')) as { options: object };
    expect(manifest.options).toEqual({
      ...resolveSampleOptions({ n: 5000, seed: 42, months: 12 }),
      format: 'csv',
    });
  });

  it('matches the generator row for row (first borrowers of every file)', async () => {
    // Each borrower is a pure function of (options, index), so the head of the sample can be checked alone.
    const o = resolveSampleOptions({ n: 5000, seed: 42, months: 12 });
    const borrowers = Array.from({ length: HEAD }, (_, i) => generateBorrower(o, i));
    const apps = await lines('applications.csv');
    const outcomes = await lines('outcomes.csv');
    borrowers.forEach((g, i) => {
      expect(apps[i + 1]).toBe(line(applicationRow(g.application)));
      expect(outcomes[i + 1]).toBe(
        line([g.outcome.borrowerId, g.outcome.default12m, g.outcome.defaultDate ?? '']),
      );
    });
    for (const layout of SOURCE_FILES) {
      const expected = borrowers.flatMap((g) => sourceRows(g.application, layout).map(line));
      const actual = (await lines(layout.file)).slice(1, expected.length + 1);
      expect(actual, layout.file).toEqual(expected);
    }
  });
});
