import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { RiskError } from './errors.js';

/** Tokens read as missing in any CSV cell (issue 3: '', NA, NaN, null, N/A). */
export const MISSING_TOKENS: ReadonlySet<string> = new Set([
  '',
  'NA',
  'NaN',
  'nan',
  'null',
  'NULL',
  'N/A',
  'n/a',
]);

/** A block of parsed records and the 1-based data-row number of its first record (the header is row 0). */
export interface CsvBlock {
  readonly firstRow: number;
  readonly records: string[][];
  /** Bytes of the file read so far (a progress measure whose total is the file size). */
  readonly bytesRead: number;
}

/**
 * Splits one logical CSV line (RFC 4180: quotes double inside quoted fields) into fields.
 * @example parseCsvLine('a,"b,c",d') // ['a', 'b,c', 'd']
 */
export function parseCsvLine(line: string): string[] {
  if (line.indexOf('"') < 0) return line.split(',');
  const fields: string[] = [];
  let i = 0;
  const n = line.length;
  while (i <= n) {
    if (line.charCodeAt(i) === 34) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = line.indexOf('"', j);
        if (q < 0) throw new RiskError('E_CSV_PARSE', `unterminated quoted field starting at character ${i}`);
        value += line.slice(j, q);
        if (line.charCodeAt(q + 1) === 34) {
          value += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      fields.push(value);
      if (j < n && line.charCodeAt(j) !== 44) {
        throw new RiskError('E_CSV_PARSE', `unexpected character after a closing quote at character ${j}`);
      }
      i = j + 1;
    } else {
      const c = line.indexOf(',', i);
      const end = c < 0 ? n : c;
      fields.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}

/** True while a partial line has an odd number of quotes, i.e. a quoted field spans a line break. */
function insideQuotes(text: string): boolean {
  let count = 0;
  let at = text.indexOf('"');
  while (at >= 0) {
    count++;
    at = text.indexOf('"', at + 1);
  }
  return count % 2 === 1;
}

/** Splits a whole CSV text into its header and records (for small files and tests). */
export function parseCsvText(text: string): { header: string[]; records: string[][] } {
  const lines = splitLogicalLines(text.endsWith('\n') ? text : `${text}\n`).lines;
  const header = parseCsvLine(stripBom(lines.shift() ?? ''));
  return { header, records: lines.map(parseCsvLine) };
}

function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

/** Cuts complete logical lines off a text buffer; returns them and the unfinished rest. */
function splitLogicalLines(buffer: string): { lines: string[]; rest: string } {
  const lines: string[] = [];
  let start = 0;
  let pending = '';
  for (;;) {
    const nl = buffer.indexOf('\n', start);
    if (nl < 0) break;
    let piece = buffer.slice(start, nl);
    start = nl + 1;
    if (pending !== '') {
      piece = `${pending}\n${piece}`;
      pending = '';
    }
    if (piece.indexOf('"') >= 0 && insideQuotes(piece)) {
      pending = piece;
      continue;
    }
    if (piece.endsWith('\r')) piece = piece.slice(0, -1);
    if (piece.length > 0) lines.push(piece);
  }
  const rest = pending === '' ? buffer.slice(start) : `${pending}\n${buffer.slice(start)}`;
  return { lines, rest };
}

/**
 * Streams a CSV file as blocks of records, so that a file of millions of rows never sits in memory whole.
 * The header is returned first through `onHeader`; each record is an array of raw strings.
 * @throws E_IO when the file cannot be read, E_CSV_PARSE on a malformed record
 * @example for await (const block of readCsvBlocks('tax.csv', (h) => check(h))) use(block.records);
 */
export async function* readCsvBlocks(
  path: string,
  onHeader: (header: string[]) => void,
  highWaterMark = 1 << 20,
): AsyncGenerator<CsvBlock> {
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark });
  let rest = '';
  let header: string[] | undefined;
  let row = 1;
  try {
    for await (const chunk of stream as AsyncIterable<string>) {
      const { lines, rest: left } = splitLogicalLines(rest + chunk);
      rest = left;
      if (lines.length === 0) continue;
      if (header === undefined) {
        header = parseCsvLine(stripBom(lines.shift() as string));
        onHeader(header);
      }
      const records = parseLines(lines, path, row);
      yield { firstRow: row, records, bytesRead: stream.bytesRead };
      row += records.length;
    }
  } catch (err) {
    if (err instanceof RiskError) throw err;
    throw new RiskError(
      'E_IO',
      `cannot read ${path}: ${(err as Error).message}`,
      { file: path },
      { cause: err },
    );
  }
  if (rest.trim() !== '') {
    const { lines } = splitLogicalLines(`${rest}\n`);
    if (header === undefined) {
      header = parseCsvLine(stripBom(lines.shift() ?? ''));
      onHeader(header);
    }
    if (lines.length > 0)
      yield { firstRow: row, records: parseLines(lines, path, row), bytesRead: stream.bytesRead };
  } else if (header === undefined) {
    throw new RiskError('E_CSV_PARSE', `${path} is empty: expected a header row`, { file: path });
  }
}

function parseLines(lines: string[], file: string, firstRow: number): string[][] {
  const out = new Array<string[]>(lines.length);
  for (let i = 0; i < lines.length; i++) {
    try {
      out[i] = parseCsvLine(lines[i] as string);
    } catch (err) {
      throw new RiskError('E_CSV_PARSE', `${file} row ${firstRow + i}: ${(err as Error).message}`, {
        file,
        row: firstRow + i,
      });
    }
  }
  return out;
}

/** Quotes a CSV cell only when it needs it. */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Writes CSV rows to a file with back-pressure, buffering lines so that millions of rows stay fast.
 * @example const w = new CsvWriter('out.csv', ['id', 'pd']); await w.write(['a', 0.1]); await w.close();
 */
export class CsvWriter {
  private readonly stream: WriteStream;
  private buffer: string[] = [];
  private size = 0;

  constructor(path: string, header: readonly string[]) {
    this.stream = createWriteStream(path, { encoding: 'utf8' });
    this.buffer.push(header.map(csvCell).join(','));
  }

  /** Appends one row of cells. */
  async write(cells: readonly unknown[]): Promise<void> {
    let line = '';
    for (let i = 0; i < cells.length; i++) line += (i === 0 ? '' : ',') + csvCell(cells[i]);
    this.buffer.push(line);
    this.size += line.length;
    if (this.size > 1 << 20) await this.flush();
  }

  /**
   * Appends one line whose cells the caller has already formatted and quoted (see `csvCell`), for writers
   * of wide numeric rows that know which cells can never need quotes.
   */
  async writeLine(line: string): Promise<void> {
    this.buffer.push(line);
    this.size += line.length;
    if (this.size > 1 << 20) await this.flush();
  }

  private async flush(): Promise<void> {
    if (this.buffer.length === 0) return;
    const text = `${this.buffer.join('\n')}\n`;
    this.buffer = [];
    this.size = 0;
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }

  /** Flushes and closes the file. */
  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve, reject) => {
      this.stream.once('error', reject);
      this.stream.end(() => resolve());
    });
  }
}
