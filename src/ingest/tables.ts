import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, extname, join } from 'node:path';
import ExcelJS from 'exceljs';
import { CsvRecordReader, readCsvBlocks } from '../core/csv.js';
import { RiskError } from '../core/errors.js';

/**
 * Input tables for a mapping: the CSV files of a folder, one CSV file, or the sheets of an Excel workbook
 * (exceljs), each read as a header and rows of cells. A cell is a string (CSV, Excel text), a number, a
 * Date (an Excel date cell) or a boolean; an empty cell is undefined.
 */

/** One row of an input table: its number (CSV: data row, the header being 0; Excel: the sheet's row). */
export interface InputRow {
  readonly row: number;
  readonly cells: readonly unknown[];
}

/** A table of the input. */
export interface InputTable {
  /** What a mapping calls it: the file name (`发票.csv`) or the sheet name (`进项发票信息`). */
  readonly name: string;
  /** Where it is, for messages: `dir/发票.csv` or `book.xlsx#进项发票信息`. */
  readonly where: string;
  readonly header: readonly string[];
  rows(): AsyncIterable<InputRow>;
}

/** The tables of an input, by the names a mapping may use. */
export interface InputSource {
  readonly path: string;
  /** The names of its tables, for messages. */
  readonly names: readonly string[];
  /** The table a mapping's `file` names (`发票`, `发票.csv` and a sheet name all work), or undefined. */
  table(name: string): InputTable | undefined;
}

const stem = (name: string): string => name.replace(/\.(csv|xlsx)$/i, '');

async function csvTable(path: string, name: string): Promise<InputTable> {
  const probe = new CsvRecordReader(path, 1 << 16);
  const header = (await probe.readHeader()).map((h) => h.trim());
  probe.close();
  return {
    name,
    where: path,
    header,
    async *rows() {
      for await (const block of readCsvBlocks(path, () => {}, 1 << 18)) {
        for (let i = 0; i < block.records.length; i++) {
          const cells = (block.records[i] as string[]).map((c) => (c.trim() === '' ? undefined : c));
          yield { row: block.firstRow + i, cells };
        }
      }
    },
  };
}

/** An exceljs cell value as a plain value: rich text joined, a formula's result, a hyperlink's text. */
function plainCell(v: ExcelJS.CellValue): unknown {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v.trim() === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return v;
  if (typeof v === 'object') {
    if ('richText' in v) return v.richText.map((r) => r.text).join('');
    if ('result' in v) return plainCell(v.result as ExcelJS.CellValue);
    if ('text' in v) return String(v.text);
    if ('error' in v) return undefined;
  }
  return String(v);
}

async function workbookTables(path: string): Promise<InputTable[]> {
  const book = new ExcelJS.Workbook();
  try {
    await book.xlsx.readFile(path);
  } catch (err) {
    throw new RiskError(
      'E_IO',
      `cannot read the workbook ${path}: ${(err as Error).message}`,
      { file: path },
      { cause: err },
    );
  }
  const tables: InputTable[] = [];
  book.eachSheet((sheet) => {
    const rows: InputRow[] = [];
    let header: string[] | undefined;
    sheet.eachRow({ includeEmpty: false }, (row) => {
      // exceljs rows are 1-based with an unused slot 0.
      const values = (row.values as ExcelJS.CellValue[]).slice(1).map(plainCell);
      if (header === undefined) header = values.map((v) => (v === undefined ? '' : String(v).trim()));
      else rows.push({ row: row.number, cells: values });
    });
    tables.push({
      name: sheet.name,
      where: `${path}#${sheet.name}`,
      header: header ?? [],
      async *rows() {
        yield* rows;
      },
    });
  });
  return tables;
}

/**
 * Opens an input: a folder (its .csv files, and the sheets of its .xlsx files), a CSV file, or a workbook.
 * @throws E_IO when the path does not exist or a workbook cannot be read
 * @example const src = await openInput('export.xlsx'); src.table('进项发票信息');
 */
export async function openInput(path: string): Promise<InputSource> {
  if (!existsSync(path)) throw new RiskError('E_IO', `--input ${path} does not exist`, { file: path });
  const tables: InputTable[] = [];
  const add = async (file: string): Promise<void> => {
    const ext = extname(file).toLowerCase();
    if (ext === '.csv') tables.push(await csvTable(file, basename(file)));
    else if (ext === '.xlsx') tables.push(...(await workbookTables(file)));
  };
  if (statSync(path).isDirectory()) {
    for (const f of readdirSync(path).sort()) await add(join(path, f));
  } else await add(path);
  return {
    path,
    names: tables.map((t) => t.name),
    table: (name) => tables.find((t) => t.name === name) ?? tables.find((t) => stem(t.name) === stem(name)),
  };
}
