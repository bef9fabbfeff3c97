import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { CsvWriter } from '../core/csv.js';
import { Rng } from '../core/rng.js';
import type { Application } from '../ingest/schemas.js';

/**
 * A 金税 invoice export derived from sample borrowers, in the tax bureau's own layout, to try the mapping
 * path as a real user meets it: Chinese headers (企业代号, 发票号码, 开票日期, 销方/购方单位代号, 金额, 税额,
 * 价税合计, 发票状态), Chinese status words (有效发票, 作废发票), red-letter invoices as negative amounts,
 * all purchase invoices then all sales invoices (export order, not grouped by firm), masked firm names
 * and no registration data. The firm sheet carries a bank's internal rating (信誉评级 A–D, every D firm
 * defaulted, as in the public SME credit file) and the outcome (是否违约 是/否).
 */

/** Options of `writeJinshuiExport`. */
export interface JinshuiOptions {
  /** `xlsx`: one workbook with three sheets; `csv`: three CSV files (dates spelled 2017/7/18 and 20170718). */
  readonly format: 'xlsx' | 'csv';
  readonly seed?: number;
}

/** What was written. */
export interface JinshuiSummary {
  readonly firms: number;
  readonly defaulted: number;
  readonly purchases: number;
  readonly sales: number;
  readonly red: number;
  readonly files: readonly string[];
}

const FIRM_HEADER = ['企业代号', '企业名称', '信誉评级', '是否违约'];
const PURCHASE_HEADER = [
  '企业代号',
  '发票号码',
  '开票日期',
  '销方单位代号',
  '金额',
  '税额',
  '价税合计',
  '发票状态',
];
const SALES_HEADER = [
  '企业代号',
  '发票号码',
  '开票日期',
  '购方单位代号',
  '金额',
  '税额',
  '价税合计',
  '发票状态',
];

const round2 = (x: number): number => Math.round(x * 100) / 100;

/**
 * Writes the export of the given borrowers (with their 0/1 outcome) into `dir`.
 * @example await writeJinshuiExport(apps, targets, 'var/jinshui', { format: 'xlsx' });
 */
export async function writeJinshuiExport(
  apps: readonly Application[],
  defaults: ReadonlyMap<string, number>,
  dir: string,
  options: JinshuiOptions,
): Promise<JinshuiSummary> {
  const rng = new Rng(options.seed ?? 2020);
  const firms: unknown[][] = [];
  const purchases: unknown[][] = [];
  const sales: unknown[][] = [];
  let invoiceNo = 1_000_000;
  let red = 0;
  let defaulted = 0;
  apps.forEach((app, i) => {
    const code = `E${i + 1}`;
    const bad = defaults.get(app.id) === 1;
    if (bad) defaulted++;
    // A bank's rating that knows the outcome in part: D only for defaulters, as in the public file.
    const grade = app.tax?.creditGrade;
    const rating =
      bad && rng.chance(0.6) ? 'D' : grade === 'A' ? 'A' : grade === 'C' || grade === 'D' ? 'C' : 'B';
    const name = app.enterprise?.name ?? '个体经营部';
    firms.push([code, `***${name.slice(Math.min(3, name.length - 2))}`, rating, bad ? '是' : '否']);
    for (const inv of app.invoices ?? []) {
      const negative = inv.status === 'red';
      if (negative) red++;
      const sign = negative ? -1 : 1;
      const total = round2(inv.amount + inv.tax);
      const date = new Date(`${inv.date}T00:00:00Z`);
      const row = [
        code,
        String(invoiceNo++).padStart(8, '0'),
        date,
        inv.counterpartyId,
        sign * inv.amount,
        sign * inv.tax,
        sign * total,
        inv.status === 'void' ? '作废发票' : '有效发票',
      ];
      (inv.direction === 'sales' ? sales : purchases).push(row);
    }
  });
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  if (options.format === 'xlsx') {
    const book = new ExcelJS.Workbook();
    const sheet = (name: string, header: string[], rows: unknown[][]): void => {
      const ws = book.addWorksheet(name);
      ws.addRow(header);
      for (const r of rows) ws.addRow(r);
      ws.getColumn(3).numFmt = 'yyyy-mm-dd';
    };
    sheet('企业信息', FIRM_HEADER, firms);
    sheet('进项发票信息', PURCHASE_HEADER, purchases);
    sheet('销项发票信息', SALES_HEADER, sales);
    const path = join(dir, '发票数据.xlsx');
    await book.xlsx.writeFile(path);
    files.push(path);
  } else {
    const spell = [
      (d: Date) => `${d.getUTCFullYear()}/${d.getUTCMonth() + 1}/${d.getUTCDate()}`,
      (d: Date) => d.toISOString().slice(0, 10).replace(/-/g, ''),
    ];
    const write = async (name: string, header: string[], rows: unknown[][], k: number): Promise<void> => {
      const path = join(dir, name);
      const w = new CsvWriter(path, header);
      for (const r of rows)
        await w.write(r.map((c) => (c instanceof Date ? (spell[k] as (d: Date) => string)(c) : c)));
      await w.close();
      files.push(path);
    };
    await write('企业信息.csv', FIRM_HEADER, firms, 0);
    await write('进项发票信息.csv', PURCHASE_HEADER, purchases, 0);
    await write('销项发票信息.csv', SALES_HEADER, sales, 1);
  }
  return { firms: firms.length, defaulted, purchases: purchases.length, sales: sales.length, red, files };
}

/**
 * Picks borrowers with invoices for an export: every defaulter first up to `badShare` of `n`, then the
 * rest, in sample order, so a small export still holds enough defaults to train on.
 */
export function pickFirms(
  apps: readonly Application[],
  defaults: ReadonlyMap<string, number>,
  n: number,
  badShare = 0.25,
): Application[] {
  const withInvoices = apps.filter((a) => (a.invoices?.length ?? 0) > 0);
  const bad = withInvoices.filter((a) => defaults.get(a.id) === 1).slice(0, Math.round(n * badShare));
  const good = withInvoices.filter((a) => defaults.get(a.id) === 0).slice(0, n - bad.length);
  const chosen = new Set([...bad, ...good].map((a) => a.id));
  return withInvoices.filter((a) => chosen.has(a.id));
}
