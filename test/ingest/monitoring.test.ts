import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { groupSnapshots, readMonitoringLoans, readMonitoringSnapshots } from '../../src/ingest/monitoring.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const sample = join(root, 'data-samples', 'monitoring');
const dir = mkdtempSync(join(tmpdir(), 'rongdan-monitoring-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const HEADER =
  'borrower_id,month,months_on_book,loan_balance,loan_overdue_days,loan_status,tax_revenue,bank_inflow,bank_end_balance,bureau_overdue_days,bureau_class,new_judicial_events,electricity_kwh,utility_arrears,insured_headcount';

describe('monitoring readers', () => {
  it('read the committed sample whole: 1,240 loans and 14,675 snapshots, read = used + rejected', async () => {
    const loans = await readMonitoringLoans(join(sample, 'loans.csv'));
    const snaps = await readMonitoringSnapshots(join(sample, 'snapshots.csv'));
    expect(loans.read).toBe(1240);
    expect(loans.rows.length + loans.rejects.length).toBe(loans.read);
    expect(snaps.read).toBe(14675);
    expect(snaps.rows.length + snaps.rejects.length).toBe(snaps.read);
    expect(snaps.rejects).toEqual([]);
    expect(groupSnapshots(snaps.rows).size).toBe(1240);
    expect(snaps.rows.filter((s) => s.loanStatus === 'defaulted')).toHaveLength(37);
    expect(loans.rows[0]).toMatchObject({ borrowerId: 'B000002', amount: 420000, tenorMonths: 12 });
  });

  it('empty cells are missing (null), not zero', async () => {
    const { rows } = await readMonitoringSnapshots(join(sample, 'snapshots.csv'));
    const first = rows[0];
    expect(first?.taxRevenue).toBeNull();
    expect(first?.bankInflow).toBeNull();
    expect(first?.newJudicialEvents).toBe(0);
  });

  it('bad rows are counted as rejects naming file, row and column, or thrown as E_MONITORING_ROW', async () => {
    const file = join(dir, 'snapshots.csv');
    writeFileSync(
      file,
      [
        HEADER,
        'X1,2025-07,1,420000,0,performing,,,,0,normal,0,2087,0,4',
        'X1,2025-13,2,420000,0,performing,,,,0,normal,0,2087,0,4',
        'X1,2025-09,3,420000,-4,performing,,,,0,normal,0,2087,0,4',
        'X1,2025-10,4,420000,0,fine,,,,0,normal,0,2087,0,4',
        'X1,2025-11,5,420000,0,performing,abc,,,0,normal,0,2087,0,4',
      ].join('\n'),
    );
    const r = await readMonitoringSnapshots(file, { onInvalid: 'collect' });
    expect(r.read).toBe(5);
    expect(r.rows).toHaveLength(1);
    expect(r.rejects.map((x) => [x.row, x.column])).toEqual([
      [2, 'month'],
      [3, 'loan_overdue_days'],
      [4, 'loan_status'],
      [5, 'tax_revenue'],
    ]);
    expect(r.rows.length + r.rejects.length).toBe(r.read);
    await expect(readMonitoringSnapshots(file)).rejects.toMatchObject({
      code: 'E_MONITORING_ROW',
      details: { row: 2, column: 'month', received: '2025-13' },
    });
  });

  it('a missing column is refused with E_CSV_COLUMN', async () => {
    const file = join(dir, 'loans.csv');
    writeFileSync(file, 'borrower_id,bank_id\nB1,zzb\n');
    await expect(readMonitoringLoans(file)).rejects.toMatchObject({
      code: 'E_CSV_COLUMN',
      message: expect.stringContaining('missing agreement_id'),
    });
  });
});
