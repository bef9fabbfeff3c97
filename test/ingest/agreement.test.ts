import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCsvText } from '../../src/core/csv.js';
import { RiskError } from '../../src/core/errors.js';
import { readApplicationsDir, readApplicationsJsonl } from '../../src/ingest/readers.js';
import { type Application, applicationSchema, normaliseApplication } from '../../src/ingest/schemas.js';
import { fastApplicationSchema, parseApplication, toIssues } from '../../src/ingest/validate.js';
import { ApplicationDirWriter } from '../../src/ingest/writers.js';
import { dirtyApplication, dropBlank } from './dirty-input.js';

/**
 * The CSV directory reader builds records cell by cell with each field's normaliser and validates them with
 * zod's compiled fast path; `parseApplication` normalises a whole JSON record and validates it. On the same
 * dirty input they must accept the same applications, give the same values (keys in the same order) and
 * reject with the same issues, the CSV reader naming the file, row and column of each.
 */

const batch = (size: number): fc.Arbitrary<Record<string, unknown>[]> =>
  fc.tuple(...Array.from({ length: size }, (_, i) => dirtyApplication(`B${i + 1}`)));

/** parseApplication's verdict: the application, or the messages of its issues. */
function verdict(input: unknown): Application | string[] {
  try {
    return parseApplication(input);
  } catch (err) {
    if (!(err instanceof RiskError)) throw err;
    return (err.details.issues ?? []).map((i) => i.message);
  }
}

async function collect(gen: AsyncGenerator<Application>): Promise<Application[]> {
  const out: Application[] = [];
  for await (const a of gen) out.push(a);
  return out;
}

/** The rejects file as rows of borrower_id, file, row, column, message. */
function rejectRows(path: string): string[][] {
  return parseCsvText(readFileSync(path, 'utf8')).records;
}

describe('the CSV path agrees with parseApplication on dirty input', () => {
  it('accepts the same applications with the same values, and rejects the rest with the same issues, located', async () => {
    let accepted = 0;
    let rejected = 0;
    await fc.assert(
      // Tiny chunks in some runs, so that records and quoted cells straddle chunk boundaries.
      fc.asyncProperty(batch(25), fc.constantFrom(97, 1 << 18), async (apps, chunkBytes) => {
        const dir = mkdtempSync(join(tmpdir(), 'rongdan-agree-'));
        const writer = new ApplicationDirWriter(dir);
        for (const app of apps) await writer.write(app as never);
        await writer.close();
        const rejects = join(dir, 'rejects.csv');
        const read = new Map(
          (await collect(readApplicationsDir(dir, { rejects, chunkBytes }))).map((a) => [a.id, a]),
        );
        const problems = rejectRows(rejects);
        for (const app of apps) {
          const id = app.id as string;
          const expected = verdict(dropBlank(app));
          if (!Array.isArray(expected)) {
            accepted++;
            // JSON text compares values and key order (the engine's hidden classes depend on the order).
            expect(JSON.stringify(read.get(id))).toBe(JSON.stringify(expected));
            continue;
          }
          rejected++;
          expect(read.has(id)).toBe(false);
          const mine = problems.filter((r) => r[0] === id);
          const messages = mine.map((r) => {
            const m = r[4] as string;
            return m.slice(m.indexOf(': ') + 2);
          });
          expect(messages.sort()).toEqual([...expected].sort());
          for (const [, file, row] of mine) {
            // Each reject points at a row of this borrower in the file it names.
            const { records } = parseCsvText(readFileSync(join(dir, file as string), 'utf8'));
            expect(records[Number(row) - 1]?.[0]).toBe(id);
          }
        }
      }),
      { numRuns: 8, seed: 20250615 },
    );
    // Both verdicts are exercised, not just one.
    expect(accepted).toBeGreaterThan(30);
    expect(rejected).toBeGreaterThan(30);
  });

  it('JSON Lines give what parseApplication gives', async () => {
    await fc.assert(
      fc.asyncProperty(batch(20), async (apps) => {
        const dir = mkdtempSync(join(tmpdir(), 'rongdan-agree-'));
        const path = join(dir, 'apps.jsonl');
        writeFileSync(path, apps.map((a) => JSON.stringify(a)).join('\n'));
        const read = new Map(
          (await collect(readApplicationsJsonl(path, { rejects: join(dir, 'r.csv') }))).map((a) => [a.id, a]),
        );
        for (const app of apps) {
          const expected = verdict(app);
          const got = read.get(app.id as string);
          expect(got === undefined ? 'rejected' : JSON.stringify(got)).toBe(
            Array.isArray(expected) ? 'rejected' : JSON.stringify(expected),
          );
        }
      }),
      { numRuns: 5, seed: 7 },
    );
  });

  it("zod's compiled schema agrees with the interpreted one: verdict, value and issues", () => {
    fc.assert(
      fc.property(dirtyApplication('B1'), (app) => {
        const input = normaliseApplication(app);
        const slow = applicationSchema.safeParse(input);
        const fast = fastApplicationSchema.safeParse(input);
        expect(fast.success).toBe(slow.success);
        if (slow.success && fast.success) expect(JSON.stringify(fast.data)).toBe(JSON.stringify(slow.data));
        if (!slow.success && !fast.success) expect(toIssues(fast.error)).toEqual(toIssues(slow.error));
      }),
      { numRuns: 400, seed: 11 },
    );
  });
});
