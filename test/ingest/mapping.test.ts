import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFeatures } from '../../src/cli/features.js';
import { parseCsvText } from '../../src/core/csv.js';
import { RiskError } from '../../src/core/errors.js';
import { capMessage, type MapResult, mapInput } from '../../src/ingest/convert.js';
import { loadMapping, resolveMapping } from '../../src/ingest/mapping.js';
import { openInput } from '../../src/ingest/tables.js';
import { entityTypeOfName, parseDate, parseMonth, parseNumber } from '../../src/ingest/values.js';

const FIXTURES = 'test/fixtures/real-layouts';

/** Maps a fixture with a mapping into a temp folder; returns the result and the canonical files as rows. */
async function mapFixture(input: string, mapping: string) {
  const out = mkdtempSync(join(tmpdir(), 'rongdan-map-'));
  const rejects: string[] = [];
  const result = await mapInput(await openInput(input), loadMapping(mapping), {
    out,
    onReject: (r) => {
      rejects.push(r.message);
    },
  });
  const table = (file: string): Record<string, string>[] => {
    const { header, records } = parseCsvText(readFileSync(join(out, file), 'utf8'));
    return records.map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] ?? ''])));
  };
  return { result, rejects, table, out };
}

function accounted(result: MapResult): void {
  for (const t of result.tables) expect(t.mapped + t.rejected, t.input).toBe(t.read);
}

async function errorOf(f: () => unknown): Promise<RiskError> {
  try {
    await f();
  } catch (err) {
    expect(err).toBeInstanceOf(RiskError);
    return err as RiskError;
  }
  throw new Error('expected an error');
}

describe('values of real exports', () => {
  it('reads dates in the spellings exports use', () => {
    expect(parseDate('2017/7/18')).toBe('2017-07-18');
    expect(parseDate('20170718')).toBe('2017-07-18');
    expect(parseDate('2017年7月18日')).toBe('2017-07-18');
    expect(parseDate('2017-07-18 10:32:00')).toBe('2017-07-18');
    expect(parseDate(42934)).toBe('2017-07-18');
    expect(parseDate('42934')).toBe('2017-07-18');
    expect(parseDate(new Date(Date.UTC(2017, 6, 18)))).toBe('2017-07-18');
    expect(parseDate('2017-02-30')).toBeUndefined();
    expect(parseDate('2017-13-45')).toBeUndefined();
    expect(parseMonth('2017年7月')).toBe('2017-07');
    expect(parseMonth('201707')).toBe('2017-07');
  });

  it('reads numbers with separators, signs, percent and 万', () => {
    expect(parseNumber('1,234,567.5')).toBe(1234567.5);
    expect(parseNumber('¥1,200')).toBe(1200);
    expect(parseNumber('(1,200)')).toBe(-1200);
    expect(parseNumber('83.70%')).toBe(0.837);
    expect(parseNumber('3.2万元')).toBe(32000);
    expect(parseNumber('1.5', 'wan')).toBe(15000);
    expect(parseNumber('12', 'percent')).toBe(0.12);
    expect(parseNumber('abc')).toBeUndefined();
  });

  it('derives the entity type from the legal-form suffix, and says nothing when the name does not', () => {
    expect(entityTypeOfName('***电器销售有限公司')).toBe('company');
    expect(entityTypeOfName('***汽修店')).toBe('individual_business');
    expect(entityTypeOfName('***建材经营部(个体工商户)')).toBe('individual_business');
    expect(entityTypeOfName('***农民专业合作社')).toBe('cooperative');
    expect(entityTypeOfName('***网店')).toBe('individual_business');
    expect(entityTypeOfName('***科技')).toBeUndefined();
  });

  it('caps a message, saying how much was cut', () => {
    const long = capMessage('x'.repeat(1_370_000));
    expect(long.length).toBeLessThan(320);
    expect(long).toMatch(/more characters\)$/);
  });
});

describe('preset jinshui: one sheet per direction (CSV files)', () => {
  it('maps the export to the canonical layout, every row accounted for', async () => {
    const { result, rejects, table } = await mapFixture(`${FIXTURES}/jinshui`, 'jinshui');
    accounted(result);
    expect(rejects).toEqual([]);
    const invoices = table('invoices.csv');
    expect(invoices).toHaveLength(37 + 89);
    // A purchase invoice: 2025/2/22, the seller is the counterparty.
    expect(invoices).toContainEqual({
      borrower_id: 'E1',
      date: '2025-02-22',
      direction: 'purchase',
      amount: '56896.7',
      tax: '7396.57',
      counterparty_id: 'S3QN547',
      status: 'valid',
    });
    // 作废发票 → void; 20250213 read as a date.
    expect(invoices).toContainEqual(
      expect.objectContaining({ borrower_id: 'E1', date: '2025-02-13', direction: 'sales', status: 'void' }),
    );
    // The red-letter invoice: negative 价税合计 → magnitude kept, status red.
    expect(invoices).toContainEqual({
      borrower_id: 'E5',
      date: '2025-04-21',
      direction: 'sales',
      amount: '67241.57',
      tax: '8741.4',
      counterparty_id: 'CD7MNF2',
      status: 'red',
    });
    const enterprise = table('enterprise.csv');
    expect(enterprise.find((e) => e.borrower_id === 'E1')).toMatchObject({
      entity_type: 'company',
      credit_code: '',
    });
    expect(enterprise.find((e) => e.borrower_id === 'E2')?.entity_type).toBe('individual_business');
    const apps = table('applications.csv');
    expect(apps).toHaveLength(8);
    expect(apps[0]).toMatchObject({ borrower_id: 'E1', sources: 'enterprise;invoices', request_amount: '' });
    expect(new Set(apps.map((a) => a.as_of)).size).toBe(1);
    expect(table('extras.csv')[0]).toEqual({ borrower_id: 'E1', bank_rating: 'A' });
    expect(table('outcomes.csv').map((o) => o.default)).toEqual(['0', '0', '0', '0', '0', '0', '1', '1']);
  });

  it('features build --mapping: the features, the extra column and the target, every row used', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'rongdan-map-build-')), 'features.csv');
    const r = await buildFeatures({ input: `${FIXTURES}/jinshui`, mapping: 'jinshui', out });
    expect(r.rows).toBe(8);
    expect(r.targetColumn).toBe('default');
    expect(r.extraColumns).toEqual(['bank_rating']);
    expect(r.counts.get('invoices.csv')).toEqual({ read: 126, used: 126, rejected: 0 });
    const mappedInvoices = (r.mapped?.tables ?? []).filter((t) => t.canonical === 'invoices.csv');
    expect(mappedInvoices.reduce((s, t) => s + t.mapped, 0)).toBe(126);
    const { header, records } = parseCsvText(readFileSync(out, 'utf8'));
    expect(header.slice(-2)).toEqual(['bank_rating', 'default']);
    expect(records[0]?.slice(-2)).toEqual(['A', '0']);
    // No request and no registration data but the name: those features are missing, not invented.
    expect(records[0]?.[header.indexOf('request_amount')]).toBe('');
    expect(records[0]?.[header.indexOf('ent_registered_capital')]).toBe('');
    const sales = records.map((r) => Number(r[header.indexOf('inv_sales_sum_12m')]));
    expect(sales.filter((v) => v > 0).length).toBeGreaterThanOrEqual(6);
  });
});

describe('preset jinshui: a workbook', () => {
  it('reads the sheets of an .xlsx export, Excel date cells included', async () => {
    const { result, table } = await mapFixture(`${FIXTURES}/jinshui-xlsx/发票数据.xlsx`, 'jinshui');
    accounted(result);
    const invoices = table('invoices.csv');
    expect(invoices).toHaveLength(11 + 17);
    for (const inv of invoices) {
      expect(inv.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(['valid', 'void', 'red']).toContain(inv.status);
    }
    expect(table('applications.csv')).toHaveLength(5);
  });
});

describe('preset jinshui-one-file: one file with a direction column', () => {
  it('maps directions, the counterparty that is not the borrower, Chinese and serial dates; rejects the bad date alone', async () => {
    const { result, rejects, table } = await mapFixture(`${FIXTURES}/jinshui-one-file`, 'jinshui-one-file');
    accounted(result);
    expect(result.tables[0]).toMatchObject({ read: 7, mapped: 6, rejected: 1 });
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatch(/row 7 column date: expected a date .*received "2017-13-45"/);
    const inv = table('invoices.csv');
    const A = '91350100M000100Y43';
    expect(
      inv.map((r) => [
        r.borrower_id === A ? 'A' : 'B',
        r.date,
        r.direction,
        r.amount,
        r.counterparty_id,
        r.status,
      ]),
    ).toEqual([
      ['A', '2017-07-18', 'sales', '10000', 'C001', 'valid'],
      ['A', '2017-07-20', 'purchase', '5000', 'S001', 'valid'],
      ['A', '2017-07-21', 'sales', '2000', 'C002', 'red'],
      ['B', '2017-08-01', 'sales', '800', 'C001', 'void'],
      ['A', '2017-08-03', 'sales', '1200.5', 'C003', 'red'],
      ['B', '2017-08-05', 'purchase', '300', 'S002', 'valid'],
    ]);
    const apps = table('applications.csv');
    expect(apps.map((a) => [a.borrower_id, a.as_of, a.sources])).toEqual([
      [A, '2017-08-06', 'invoices'],
      ['92330106MA00000PUB', '2017-08-06', 'invoices'],
    ]);
  });
});

describe('mapping errors name the entry', () => {
  it('an unknown canonical column', async () => {
    const err = await errorOf(() =>
      resolveMapping(
        { tables: { invoices: { file: 'x', columns: { borrower_id: 'a', amout: 'b' } } } },
        'm.yaml',
      ),
    );
    expect(err.code).toBe('E_MAPPING_INVALID');
    expect(err.message).toMatch(
      /^m\.yaml: mapping tables\.invoices\[0\]\.columns\.amout: unknown canonical column; expected one of .*amount/,
    );
  });

  it('a rule with both from and const, inside the union of rule shapes', async () => {
    const err = await errorOf(() =>
      resolveMapping({
        tables: { invoices: { file: 'x', columns: { borrower_id: { from: 'a', const: 'b' } } } },
      }),
    );
    expect(err.message).toMatch(/tables\.invoices\.columns\.borrower_id: give exactly one of from and const/);
  });

  it('an unknown canonical file and an unknown preset', async () => {
    expect(
      (
        await errorOf(() =>
          resolveMapping({ tables: { invoice: { file: 'x', columns: { borrower_id: 'a' } } } }),
        )
      ).message,
    ).toMatch(/tables\.invoice: unknown canonical file "invoice"/);
    expect((await errorOf(() => resolveMapping({ preset: 'golden-tax' }))).message).toMatch(
      /preset: unknown preset "golden-tax"/,
    );
  });

  it('an input column that is not there, naming the rule and listing the columns', async () => {
    const mapping = resolveMapping({
      preset: 'jinshui',
      tables: {
        invoices: { file: '进项发票信息', columns: { borrower_id: '企业代号', amount: '不含税金额' } },
      },
    });
    const err = await errorOf(async () => mapInput(await openInput(`${FIXTURES}/jinshui`), mapping));
    expect(err.code).toBe('E_MAPPING_COLUMN');
    expect(err.message).toMatch(
      /tables\.invoices\[0\]\.columns\.amount\.from: input column "不含税金额" is not in .*进项发票信息\.csv; its columns are 企业代号, 发票号码/,
    );
  });

  it('files renames the preset sheets', async () => {
    const mapping = resolveMapping({ preset: 'jinshui', files: { 企业信息: 'firms.csv' } });
    const err = await errorOf(async () => mapInput(await openInput(`${FIXTURES}/jinshui`), mapping));
    expect(err.message).toMatch(/"firms\.csv" is not in/);
  });
});

describe('a workbook with one sheet per file of the layout', () => {
  it('gives the features of the CSV folder it was made from (mapping canonical, or none)', async () => {
    const ExcelJS = (await import('exceljs')).default;
    const { ApplicationDirWriter } = await import('../../src/ingest/writers.js');
    const { fullApplication, thinApplication } = await import('../fixtures/applications.js');
    const dir = mkdtempSync(join(tmpdir(), 'rongdan-book-'));
    const w = new ApplicationDirWriter(join(dir, 'csv'));
    for (const a of [fullApplication('F1'), thinApplication('T1')]) await w.write(a);
    await w.close();
    const { writeFileSync, readdirSync } = await import('node:fs');
    writeFileSync(join(dir, 'csv', 'outcomes.csv'), 'borrower_id,default_12m\nF1,1\nT1,0\n');
    const book = new ExcelJS.Workbook();
    for (const file of readdirSync(join(dir, 'csv'))) {
      const { header, records } = parseCsvText(readFileSync(join(dir, 'csv', file), 'utf8'));
      const sheet = book.addWorksheet(file.replace(/\.csv$/, ''));
      sheet.addRow(header);
      for (const r of records) sheet.addRow(r);
    }
    await book.xlsx.writeFile(join(dir, 'book.xlsx'));
    const fromCsv = join(dir, 'csv.features.csv');
    const fromBook = join(dir, 'book.features.csv');
    await buildFeatures({ input: join(dir, 'csv'), out: fromCsv });
    const r = await buildFeatures({ input: join(dir, 'book.xlsx'), mapping: 'canonical', out: fromBook });
    expect(r.rows).toBe(2);
    expect(r.targetColumn).toBe('default_12m');
    expect(readFileSync(fromBook, 'utf8')).toBe(readFileSync(fromCsv, 'utf8'));
  });
});
