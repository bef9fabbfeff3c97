import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../src/core/rng.js';
import { getDefaultCatalog, loadCatalog } from '../../src/features/catalog.js';
import { computeFeatures } from '../../src/features/engine.js';
import { compileCatalog } from '../../src/features/plan.js';
import { parseApplication } from '../../src/ingest/validate.js';
import { syntheticApplication } from './synthetic.js';

const plan = compileCatalog(getDefaultCatalog());
const value = (row: Float64Array, name: string): number => row[plan.names.indexOf(name)] as number;

describe('longer history windows', () => {
  it('the catalog declares 3/6/12/24/36-month and full-history windows', () => {
    const windows = new Set(getDefaultCatalog().entries.map((e) => e.window ?? 'all'));
    for (const w of [3, 6, 12, 24, 36, 'all']) expect(windows.has(w as number)).toBe(true);
  });

  it('with 48 months of invoices, longer windows see more and the full history sees all', () => {
    const app = parseApplication(syntheticApplication(new Rng(4), 'L1', { months: 48, invoicesPerMonth: 5 }));
    const row = computeFeatures(plan, app);
    const sales = (w: string): number => value(row, `inv_sales_sum_${w}`);
    expect(sales('24m')).toBeGreaterThan(sales('12m'));
    expect(sales('36m')).toBeGreaterThan(sales('24m'));
    expect(sales('all')).toBeGreaterThan(sales('36m'));
    // Full history: every valid sales invoice up to the as-of date, to the fen.
    const total = (app.invoices ?? [])
      .filter((i) => i.direction === 'sales' && i.status === 'valid' && i.date <= app.asOf)
      .reduce((s, i) => s + i.amount, 0);
    expect(sales('all')).toBeCloseTo(total, 2);
    expect(value(row, 'inv_sales_months_active_36m')).toBeGreaterThan(
      value(row, 'inv_sales_months_active_24m'),
    );
    expect(Number.isFinite(value(row, 'inv_sales_slope_36m'))).toBe(true);
  });

  it('adding the long-history entries leaves every other feature unchanged, cell for cell', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rongdan-catalog-'));
    try {
      cpSync('features', dir, { recursive: true });
      rmSync(join(dir, '55-long-history.json'));
      const short = compileCatalog(loadCatalog(dir));
      const rng = new Rng(9);
      for (let i = 0; i < 40; i++) {
        const app = parseApplication(syntheticApplication(rng, `S${i}`, { months: 36, absentRate: 0.1 }));
        const a = computeFeatures(short, app);
        const b = computeFeatures(plan, app);
        short.names.forEach((name, k) => {
          expect(Object.is(a[k], value(b, name)) || a[k] === value(b, name), name).toBe(true);
        });
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
