import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assessMany } from '../../src/decisions/assess.js';
import { Portfolio } from '../../src/decisions/portfolio.js';
import { type LoadedRelease, loadRelease } from '../../src/decisions/release.js';
import { readApplicationsDir } from '../../src/ingest/readers.js';
import type { Application } from '../../src/ingest/schemas.js';
import { writeSmallBookRelease } from './small-book-release.js';

/**
 * Issue 7 part 10: the portfolio limits hold for an approved batch in any order — here through the real
 * pipeline (assessMany books each approval before checking the next) on a slice of the committed sample,
 * under a release whose book is small enough for every limit to bind within the slice.
 */

const dir = mkdtempSync(join(tmpdir(), 'rongdan-portfolio-pipeline-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let release: LoadedRelease;
const apps: Application[] = [];

beforeAll(async () => {
  // Net assets 50万, concentration lifted to 100% (else the limit step already keeps each guarantee under
  // it): weighted liability ≤ 750万 (15×) binds within the slice.
  const file = writeSmallBookRelease(dir, 'small-book', 500_000);
  release = await loadRelease(file);
  for await (const a of readApplicationsDir('data-samples', { rejects: join(dir, 'rejects.csv') })) {
    apps.push(a);
    if (apps.length === 300) break;
  }
}, 120_000);

describe('portfolio limits through assessMany', () => {
  it('an approved batch never breaches, whatever the order of arrival', async () => {
    let held = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(apps, { minLength: apps.length, maxLength: apps.length }),
        async (order) => {
          const book = new Portfolio(
            release.release.policy.portfolio as NonNullable<typeof release.release.policy.portfolio>,
          );
          let approved = 0;
          for await (const a of assessMany(release, order, { portfolio: book })) {
            if (a.decision === 'approve') {
              approved++;
              expect(a.rules.filter((r) => r.id.startsWith('portfolio_') && r.fired)).toEqual([]);
            }
            if (a.rules.some((r) => r.id.startsWith('portfolio_') && r.fired)) held++;
          }
          expect(book.size).toBe(approved);
          expect(book.status().breaches).toEqual([]);
        },
      ),
      { numRuns: 10, seed: 11 },
    );
    // The limits did bind: some guarantees were held back by a portfolio rule.
    expect(held).toBeGreaterThan(0);
  }, 300_000);
});
