import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildFeatures, buildSummaryLine } from '../../src/cli/features.js';
import { parseCsvText } from '../../src/core/csv.js';
import { Rng } from '../../src/core/rng.js';
import { featureRows, writeFeaturesCsv } from '../../src/features/batch.js';
import { getDefaultCatalog } from '../../src/features/catalog.js';
import { computeFeatures, featureText } from '../../src/features/engine.js';
import { compileCatalog } from '../../src/features/plan.js';
import type { Application, ApplicationInput } from '../../src/ingest/schemas.js';
import { parseApplication } from '../../src/ingest/validate.js';
import { ApplicationDirWriter } from '../../src/ingest/writers.js';
import { fullApplication, thinApplication } from '../fixtures/applications.js';
import { syntheticApplication } from './synthetic.js';

const plan = compileCatalog(getDefaultCatalog());

/** A mix: the shared fixtures and seeded synthetic borrowers with absent and empty sources. */
function inputs(): ApplicationInput[] {
  const rng = new Rng(20250615);
  const apps: ApplicationInput[] = [fullApplication('F1'), thinApplication('T1')];
  for (let i = 0; i < 60; i++)
    apps.push(syntheticApplication(rng, `S${i}`, { invoicesPerMonth: 4, absentRate: 0.15, emptyRate: 0.1 }));
  return apps;
}

/** The expected cells of one row, computed application by application with computeFeatures. */
function expectedCells(app: Application): string[] {
  const row = computeFeatures(plan, app);
  return [app.id, app.asOf, ...plan.names.map((_, i) => featureText(plan, i, row[i] as number))];
}

describe('batch = single', () => {
  const apps = inputs();
  const parsed = apps.map(parseApplication);
  const dir = mkdtempSync(join(tmpdir(), 'rongdan-features-'));
  const sampleDir = join(dir, 'sample');
  const targets = new Map<string, string>();

  beforeAll(async () => {
    const writer = new ApplicationDirWriter(sampleDir);
    for (const a of apps) await writer.write(a);
    await writer.close();
    // Outcomes for all but every fifth borrower, in reverse order: the join is by id, not position.
    const lines = ['borrower_id,default_12m,months_observed'];
    [...apps].reverse().forEach((a, i) => {
      if (i % 5 === 0) return;
      const y = String(i % 3 === 0 ? 1 : 0);
      targets.set(a.id, y);
      lines.push(`${a.id},${y},12`);
    });
    writeFileSync(join(sampleDir, 'outcomes.csv'), `${lines.join('\n')}\n`);
    writeFileSync(join(dir, 'apps.jsonl'), `${apps.map((a) => JSON.stringify(a)).join('\n')}\n`);
  });

  it('the CSV directory through the CLI batch gives, cell for cell, what computeFeatures gives per application', async () => {
    const out = join(dir, 'from-dir.csv');
    const result = await buildFeatures({ input: sampleDir, out });
    expect(result).toMatchObject({
      rows: apps.length,
      read: apps.length,
      rejected: 0,
      features: plan.names.length,
    });
    const { header, records } = parseCsvText(readFileSync(out, 'utf8'));
    expect(header).toEqual(['borrower_id', 'as_of', ...plan.names, 'default_12m']);
    expect(records.length).toBe(apps.length);
    let compared = 0;
    records.forEach((record, r) => {
      const app = parsed[r] as Application;
      const expected = expectedCells(app);
      expect(record.slice(0, -1)).toEqual(expected);
      compared += expected.length - 2;
      expect(record.at(-1)).toBe(targets.get(app.id) ?? '');
    });
    expect(compared).toBe(apps.length * plan.names.length);
    expect(result.withTarget).toBe(targets.size);
    expect(buildSummaryLine(result, { out })).toContain(
      `features: ${apps.length} borrowers × ${plan.names.length} features`,
    );
  });

  it('JSON Lines give the same rows, and a bad application goes to the rejects file', async () => {
    const bad = join(dir, 'with-bad.jsonl');
    const lines = apps.slice(0, 10).map((a) => JSON.stringify(a));
    lines.splice(4, 0, JSON.stringify({ ...apps[0], id: 'BAD', asOf: '2025-02-30' }));
    writeFileSync(bad, `${lines.join('\n')}\n`);
    const out = join(dir, 'from-jsonl.csv');
    const rejects = join(dir, 'rejects.csv');
    const result = await buildFeatures({ input: bad, out, rejects });
    expect(result).toMatchObject({ rows: 10, rejected: 1, targetColumn: undefined });
    const { header, records } = parseCsvText(readFileSync(out, 'utf8'));
    expect(header).toEqual(['borrower_id', 'as_of', ...plan.names]);
    records.forEach((record, r) => {
      expect(record).toEqual(expectedCells(parsed[r] as Application));
    });
    expect(readFileSync(rejects, 'utf8')).toContain('BAD');
  });

  it('the streaming generator reuses one buffer and yields every application once', async () => {
    const seen: string[] = [];
    let buffer: Float64Array | undefined;
    for await (const { id, values } of featureRows(plan, parsed)) {
      buffer ??= values;
      expect(values).toBe(buffer);
      expect(Array.from(values)).toEqual(
        Array.from(computeFeatures(plan, parsed[seen.length] as Application)),
      );
      seen.push(id);
    }
    expect(seen).toEqual(apps.map((a) => a.id));
  });

  it('refuses to run without --input or --out, naming the flag', async () => {
    await expect(buildFeatures({ out: 'x.csv' })).rejects.toMatchObject({ code: 'E_OPTIONS_INVALID' });
    await expect(buildFeatures({ input: sampleDir })).rejects.toThrow(/--out/);
    await expect(buildFeatures({ input: join(dir, 'nope'), out: join(dir, 'x.csv') })).rejects.toMatchObject({
      code: 'E_IO',
    });
  });

  it('writes an empty file with only the header for no applications', async () => {
    const out = join(dir, 'empty.csv');
    const summary = await writeFeaturesCsv(plan, [], out);
    expect(summary.rows).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(`${['borrower_id', 'as_of', ...plan.names].join(',')}\n`);
  });
});
