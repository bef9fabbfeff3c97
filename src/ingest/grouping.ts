import { createReadStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { csvCell, forEachRecord, LineWriter } from '../core/csv.js';

/**
 * Order-free grouping of source rows by borrower. The directory reader merges one stream per source file
 * and so needs each file's rows grouped by borrower in the order of applications.csv; a real export lists
 * rows in its own order (all purchase invoices, then all sales invoices). A file already in order is
 * streamed as it is; any other is sorted by application order into a temporary copy first — in memory
 * when it is small, by sorted runs on disk merged k ways when it is not — so nothing depends on the order
 * of the input and memory stays bounded by the run size.
 */

/** A source file ready to stream: its path, and for a sorted copy the original row of each copy row. */
export interface GroupedFile {
  readonly path: string;
  /** Original 1-based data row of copy row i + 1; undefined when the file is read as it is. */
  readonly rowOf?: Int32Array;
}

/** Rows a sort run holds in memory (about 100 bytes a row of text). */
export const DEFAULT_RUN_ROWS = 500_000;

/**
 * The application-order key of a borrower id: its index in applications.csv, or `order.size` for an id
 * that has no application (kept at the end, where the reader counts it as rejected).
 */
const keyOf = (order: ReadonlyMap<string, number>, id: string): number => order.get(id.trim()) ?? order.size;

/**
 * True when the file's rows are grouped by borrower in application order (keys never decrease). A scan of
 * the first field of each line, about 5× cheaper than parsing the records; a file holding a quote, which
 * may wrap a line break inside a field, is parsed in full instead.
 */
export async function isGrouped(path: string, order: ReadonlyMap<string, number>): Promise<boolean> {
  let last = -1;
  let carry = '';
  let header = true;
  let quoted = false;
  for await (const chunk of createReadStream(path, {
    encoding: 'utf8',
    highWaterMark: 1 << 20,
  }) as AsyncIterable<string>) {
    if (chunk.indexOf('"') >= 0) {
      quoted = true;
      break;
    }
    const text = carry + chunk;
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      if (header) header = false;
      else if (nl > start) {
        const comma = text.indexOf(',', start);
        const k = keyOf(order, text.slice(start, comma < 0 || comma > nl ? nl : comma));
        if (k < last) return false;
        last = k;
      }
      start = nl + 1;
    }
    carry = text.slice(start);
  }
  if (quoted) return isGroupedParsed(path, order);
  if (!header && carry.trim() !== '') return keyOf(order, carry.slice(0, carry.indexOf(',') >>> 0)) >= last;
  return true;
}

/** `isGrouped` by parsing every record (for files with quoted fields). */
async function isGroupedParsed(path: string, order: ReadonlyMap<string, number>): Promise<boolean> {
  let last = -1;
  let grouped = true;
  await forEachRecord(path, (fields) => {
    if (!grouped) return;
    const k = keyOf(order, fields[0] as string);
    if (k < last) grouped = false;
    last = k;
  });
  return grouped;
}

interface Keyed {
  readonly key: number;
  readonly row: number;
  readonly line: string;
}

const byKeyThenRow = (a: Keyed, b: Keyed): number => a.key - b.key || a.row - b.row;

function lineOf(fields: readonly string[], count: number): string {
  let line = '';
  for (let i = 0; i < count; i++) line += (i === 0 ? '' : ',') + csvCell(fields[i]);
  return line;
}

/**
 * Writes a copy of `path` sorted by application order (stable: rows of one borrower keep their order)
 * into `dir`, returning its path and the original row of each of its rows.
 * @example const g = await sortByApplication('invoices.csv', header, order, tmp); read(g.path);
 */
export async function sortByApplication(
  path: string,
  header: readonly string[],
  order: ReadonlyMap<string, number>,
  dir: string,
  runRows = DEFAULT_RUN_ROWS,
): Promise<GroupedFile & { readonly path: string; readonly rowOf: Int32Array }> {
  const name = path.slice(path.lastIndexOf('/') + 1);
  const out = join(dir, name);
  const runs: string[] = [];
  let buffer: Keyed[] = [];
  // Swaps the buffer out before the first await: records keep arriving while a run is written.
  const flushRun = async (): Promise<void> => {
    const run = buffer.sort(byKeyThenRow);
    buffer = [];
    const runPath = join(dir, `${name}.run${runs.length}`);
    runs.push(runPath);
    const w = new LineWriter(runPath);
    // A run line must stay one line: a line break inside a quoted cell is written as a space.
    for (const r of run) await w.writeLine(`${r.key},${r.row},${r.line.replace(/[\r\n]/g, ' ')}`);
    await w.close();
  };
  const pending: Promise<void>[] = [];
  await forEachRecord(path, (fields, count, row) => {
    buffer.push({ key: keyOf(order, fields[0] as string), row, line: lineOf(fields, count) });
    if (buffer.length >= runRows) pending.push(flushRun());
  });
  await Promise.all(pending);
  const rows: number[] = [];
  const w = new LineWriter(out, header.map(csvCell).join(','));
  if (runs.length === 0) {
    buffer.sort(byKeyThenRow);
    for (const r of buffer) {
      rows.push(r.row);
      await w.writeLine(r.line);
    }
  } else {
    if (buffer.length > 0) await flushRun();
    await mergeRuns(runs, async (row, line) => {
      rows.push(row);
      await w.writeLine(line);
    });
    for (const r of runs) rmSync(r, { force: true });
  }
  await w.close();
  return { path: out, rowOf: Int32Array.from(rows) };
}

/** K-way merge of sorted run files (lines `key,row,record`), smallest (key, row) first. */
async function mergeRuns(
  runs: readonly string[],
  emit: (row: number, line: string) => Promise<void>,
): Promise<void> {
  const iters = runs.map((r) =>
    createInterface({ input: createReadStream(r, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY })[
      Symbol.asyncIterator
    ](),
  );
  const heads: (Keyed | undefined)[] = [];
  const advance = async (i: number): Promise<void> => {
    const next = await (iters[i] as AsyncIterator<string>).next();
    if (next.done) {
      heads[i] = undefined;
      return;
    }
    const text = next.value as string;
    const a = text.indexOf(',');
    const b = text.indexOf(',', a + 1);
    heads[i] = { key: Number(text.slice(0, a)), row: Number(text.slice(a + 1, b)), line: text.slice(b + 1) };
  };
  for (let i = 0; i < iters.length; i++) await advance(i);
  for (;;) {
    let best = -1;
    for (let i = 0; i < heads.length; i++) {
      const h = heads[i];
      if (h !== undefined && (best < 0 || byKeyThenRow(h, heads[best] as Keyed) < 0)) best = i;
    }
    if (best < 0) return;
    const h = heads[best] as Keyed;
    await emit(h.row, h.line);
    await advance(best);
  }
}

/** A temporary folder for sorted copies, removed by `dispose`. */
export function sortDir(): { readonly path: string; dispose(): void } {
  const path = mkdtempSync(join(tmpdir(), 'rongdan-group-'));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}
