import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RiskError } from '../../src/core/errors.js';
import { readApplicationsDir, readApplicationsJsonl } from '../../src/ingest/readers.js';
import type { Application, ApplicationInput } from '../../src/ingest/schemas.js';
import { parseApplication } from '../../src/ingest/validate.js';
import { ApplicationDirWriter } from '../../src/ingest/writers.js';
import { fullApplication, thinApplication } from '../fixtures/applications.js';

async function collect(gen: AsyncGenerator<Application>): Promise<Application[]> {
  const out: Application[] = [];
  for await (const a of gen) out.push(a);
  return out;
}

async function writeDir(apps: ApplicationInput[]): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'rongdan-read-'));
  const w = new ApplicationDirWriter(dir);
  for (const a of apps) await w.write(a);
  await w.close();
  return dir;
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

/** Replaces one cell of a CSV file, addressed by data row (1-based) and column name. */
function editCell(path: string, row: number, column: string, value: string): void {
  const lines = readFileSync(path, 'utf8').split('\n');
  const col = (lines[0] as string).split(',').indexOf(column);
  const cells = (lines[row] as string).split(',');
  cells[col] = value;
  lines[row] = cells.join(',');
  writeFileSync(path, lines.join('\n'));
}

describe('CSV sample directory', () => {
  const apps = [fullApplication('B001'), thinApplication('B002'), fullApplication('B003')];

  it('round-trips applications through the CSV layout, absent and empty sources included', async () => {
    const emptyInvoices = { ...fullApplication('B004'), invoices: [], judicial: [] };
    const dir = await writeDir([...apps, emptyInvoices]);
    const read = await collect(readApplicationsDir(dir));
    expect(read).toEqual([...apps, emptyInvoices].map(parseApplication));
    expect(read[1]?.invoices).toBeUndefined(); // absent: unknown
    expect(read[3]?.invoices).toEqual([]); // present: checked, none found
  });

  it('a bad cell stops the read with an error naming file, row and column', async () => {
    const dir = await writeDir(apps);
    editCell(join(dir, 'enterprise.csv'), 3, 'credit_code', '91350100M000100Y44');
    const err = await errorOf(collect(readApplicationsDir(dir)));
    expect(err.code).toBe('E_INPUT_INVALID');
    expect(err.message).toBe(
      'enterprise.csv row 3 column credit_code: enterprise.creditCode: invalid unified social credit code: check character should be 3, received 4',
    );
    expect(err.details).toMatchObject({ file: 'enterprise.csv', row: 3, column: 'credit_code' });
  });

  it('locates a bad invoice by its own row in invoices.csv', async () => {
    const dir = await writeDir(apps);
    editCell(join(dir, 'invoices.csv'), 5, 'amount', '-10');
    const err = await errorOf(collect(readApplicationsDir(dir)));
    expect(err.details).toMatchObject({ file: 'invoices.csv', row: 5, column: 'amount' });
  });

  it('with a rejects file, bad applications are set aside and the rest are read', async () => {
    const dir = await writeDir(apps);
    editCell(join(dir, 'bank_flows.csv'), 1, 'month', '2025/04');
    editCell(join(dir, 'owner.csv'), 2, 'age', '12');
    const rejects = join(dir, 'rejects.csv');
    const read = await collect(readApplicationsDir(dir, { rejects }));
    expect(read.map((a) => a.id)).toEqual(['B002']);
    const lines = readFileSync(rejects, 'utf8').trim().split('\n');
    expect(lines[0]).toBe('borrower_id,file,row,column,message');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 4).join(','))).toEqual([
      'B001,bank_flows.csv,1,month',
      'B003,owner.csv,2,age',
    ]);
  });

  it('rows of a source not listed in sources are rejected, not silently dropped', async () => {
    const dir = await writeDir(apps);
    editCell(join(dir, 'applications.csv'), 1, 'sources', 'enterprise;owner');
    const err = await errorOf(collect(readApplicationsDir(dir)));
    expect(err.message).toMatch(/^tax_grades\.csv row 1 column borrower_id: .*does not list tax/);
  });

  it('a wrong header is an E_CSV_COLUMN error listing expected and received columns', async () => {
    const dir = await writeDir(apps);
    const path = join(dir, 'utilities.csv');
    writeFileSync(path, readFileSync(path, 'utf8').replace('water_tons', 'water'));
    const err = await errorOf(collect(readApplicationsDir(dir)));
    expect(err.code).toBe('E_CSV_COLUMN');
    expect(err.message).toMatch(
      /expected columns borrower_id,month,electricity_kwh,water_tons,arrears, received .*water,/,
    );
  });

  it('rows out of applications order are grouped, not rejected: same applications as in order', async () => {
    const dir = await writeDir(apps);
    const sorted = await collect(readApplicationsDir(dir));
    const path = join(dir, 'social_insurance.csv');
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    writeFileSync(path, `${[lines[0], ...lines.slice(1).reverse()].join('\n')}\n`);
    const counts = new Map();
    expect(await collect(readApplicationsDir(dir, { counts }))).toEqual(sorted);
    expect(counts.get('social_insurance.csv')).toEqual({
      read: lines.length - 1,
      used: lines.length - 1,
      rejected: 0,
    });
  });
});

describe('JSON Lines', () => {
  it('reads one application per line and names the line of a bad one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rongdan-jsonl-'));
    const path = join(dir, 'apps.jsonl');
    const bad = { ...fullApplication('B009'), asOf: '2025-13-01' };
    writeFileSync(
      path,
      [fullApplication('B001'), thinApplication('B002'), bad].map((a) => JSON.stringify(a)).join('\n'),
    );
    const err = await errorOf(collect(readApplicationsJsonl(path)));
    expect(err.message).toBe(
      `${path} line 3: asOf: expected a real calendar date YYYY-MM-DD, received "2025-13-01"`,
    );
    const rejects = join(dir, 'rejects.csv');
    const read = await collect(readApplicationsJsonl(path, { rejects }));
    expect(read.map((a) => a.id)).toEqual(['B001', 'B002']);
    expect(readFileSync(rejects, 'utf8')).toContain('B009');
  });

  it('also reads a JSON array file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rongdan-json-'));
    const path = join(dir, 'apps.json');
    writeFileSync(path, JSON.stringify([fullApplication('B001'), thinApplication('B002')], null, 2));
    const read = await collect(readApplicationsJsonl(path));
    expect(read).toEqual([fullApplication('B001'), thinApplication('B002')].map(parseApplication));
  });
});
