import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApplications } from '../../src/samples/generate.js';
import { streamSeed } from '../../src/samples/streams.js';
import { writeSampleDir } from '../../src/samples/write.js';
import { hashTree, tempDir } from './helpers.js';

const dirs: { dir: string; cleanup: () => Promise<void> }[] = [];

beforeAll(async () => {
  for (let k = 0; k < 3; k++) dirs.push(await tempDir(`det${k}`));
});
afterAll(async () => {
  for (const d of dirs) await d.cleanup();
});

describe('sample determinism', () => {
  it('writes byte-identical files for the same n, seed and months, and different ones for another seed', async () => {
    const [a, b, c] = dirs.map((d) => d.dir) as [string, string, string];
    const base = { n: 300, months: 12, dirty: 0.02, format: 'both' as const };
    await writeSampleDir({ ...base, seed: 7, out: a });
    await writeSampleDir({ ...base, seed: 7, out: b });
    await writeSampleDir({ ...base, seed: 8, out: c });
    const [ha, hb, hc] = [await hashTree(a), await hashTree(b), await hashTree(c)];
    expect(Object.keys(ha).sort()).toEqual([
      'agreements.json',
      'applications.csv',
      'applications.jsonl',
      'bank_flows.csv',
      'banks.json',
      'bureau_facilities.csv',
      'bureau_guarantees.csv',
      'bureau_inquiries.csv',
      'dirty.csv',
      'enterprise.csv',
      'invoices.csv',
      'judicial.csv',
      'manifest.json',
      'monitoring/loans.csv',
      'monitoring/snapshots.csv',
      'outcomes.csv',
      'owner.csv',
      'social_insurance.csv',
      'tax_filings.csv',
      'tax_grades.csv',
      'utilities.csv',
    ]);
    expect(hb).toEqual(ha);
    expect(hc['applications.csv']).not.toBe(ha['applications.csv']);
    expect(hc['invoices.csv']).not.toBe(ha['invoices.csv']);
    // Banks and agreements are presets: the seed does not touch them.
    expect(hc['banks.json']).toBe(ha['banks.json']);
  });

  it('gives borrower i the same data whatever n is (one stream per borrower)', () => {
    const short = [...generateApplications({ n: 20, seed: 3, months: 6 })];
    const long = [...generateApplications({ n: 60, seed: 3, months: 6 })].slice(0, 20);
    expect(long.map((g) => JSON.stringify(g.application))).toEqual(
      short.map((g) => JSON.stringify(g.application)),
    );
  });

  it('changes nothing clean when only the dirty rate changes', () => {
    const clean = [...generateApplications({ n: 50, seed: 5, months: 6, dirty: 0 })];
    const dirty = [...generateApplications({ n: 50, seed: 5, months: 6, dirty: 0.3 })];
    expect(dirty.map((g) => g.outcome)).toEqual(clean.map((g) => g.outcome));
    const untouched = dirty.filter((g) => g.dirt.length === 0);
    expect(untouched.length).toBeGreaterThan(0);
    for (const g of untouched) {
      const twin = clean[g.profile.index];
      expect(JSON.stringify(g.application)).toBe(JSON.stringify(twin?.application));
    }
  });

  it('spreads stream seeds: neighbouring borrowers and streams get unrelated seeds', () => {
    const seeds = new Set<number>();
    for (let i = 0; i < 1000; i++) for (let s = 1; s <= 3; s++) seeds.add(streamSeed(42, i, s));
    expect(seeds.size).toBe(3000);
  });
});
