import { once } from 'node:events';
import { createReadStream, createWriteStream, mkdirSync, type ReadStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
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

/** Splits a whole CSV text into its header and records (for small files and tests). */
export function parseCsvText(text: string): { header: string[]; records: string[][] } {
  const reader = new CsvRecordReader('(text)');
  reader.push(text, true);
  const header = reader.header();
  const records: string[][] = [];
  if (header === undefined) return { header: [''], records };
  for (;;) {
    const fields: string[] = [];
    if (reader.next(fields) < 0) break;
    records.push(fields);
  }
  return { header, records };
}

/** `CsvRecordReader.next` found no complete record in the text loaded so far: call `load` and ask again. */
export const CSV_NEED_MORE = -1;
/** `CsvRecordReader.next` reached the end of the file. */
export const CSV_END = -2;

/**
 * Reads a CSV file one record at a time into a reused array, keeping only the current chunk of text in
 * memory: no array per block, line or record, so a reader merging a dozen large files holds a few MiB.
 * Records follow RFC 4180 (quoted fields may hold commas, doubled quotes and line breaks); CRLF line ends
 * and a BOM are accepted, and empty lines are skipped without counting as rows.
 * @example
 * const r = new CsvRecordReader('tax.csv');
 * const header = await r.readHeader();
 * const fields: string[] = [];
 * for (let n = r.next(fields); n !== CSV_END; n = r.next(fields)) {
 *   if (n === CSV_NEED_MORE) await r.load();
 *   else use(fields, n, r.row);
 * }
 */
export class CsvRecordReader {
  private text = '';
  private pos = 0;
  /**
   * Index of the next '"' (and ',') at or after `pos`: −1 when the rest of the loaded text has none, −2
   * when not searched since it changed. Kept between records, because a search that finds none scans to
   * the end of the chunk, which for every line of a file without quotes (or commas) would be quadratic.
   */
  private quoteAt = -2;
  private commaAt = -2;
  private ended = false;
  private chunks: AsyncIterator<string> | undefined;
  private stream: ReadStream | undefined;
  private headerFields: string[] | undefined;
  /** The 1-based data-row number of the record last returned by `next` (the header is row 0). */
  row = 0;

  /**
   * @param path the file to read, named in errors
   * @param highWaterMark bytes read at a time
   */
  constructor(
    readonly path: string,
    private readonly highWaterMark = 1 << 20,
  ) {}

  /** Bytes of the file read so far (a progress measure whose total is the file size). */
  get bytesRead(): number {
    return this.stream?.bytesRead ?? 0;
  }

  /** Appends text as if read from the file (`last`: no more follows); for parsing strings in memory. */
  push(text: string, last: boolean): void {
    this.text = this.pos === 0 ? this.text + text : this.text.slice(this.pos) + text;
    this.pos = 0;
    this.quoteAt = -2;
    this.commaAt = -2;
    if (last) this.ended = true;
  }

  /**
   * Reads the next chunk of the file into the buffer.
   * @throws E_IO when the file cannot be read
   */
  async load(): Promise<void> {
    if (this.ended) return;
    if (this.chunks === undefined) {
      this.stream = createReadStream(this.path, { encoding: 'utf8', highWaterMark: this.highWaterMark });
      this.chunks = (this.stream as AsyncIterable<string>)[Symbol.asyncIterator]();
    }
    let next: IteratorResult<string>;
    try {
      next = await this.chunks.next();
    } catch (err) {
      throw new RiskError(
        'E_IO',
        `cannot read ${this.path}: ${(err as Error).message}`,
        { file: this.path },
        { cause: err },
      );
    }
    if (next.done === true) this.push('', true);
    else this.push(next.value, false);
  }

  /** Stops reading and releases the file (for a reader dropped before its end). */
  close(): void {
    this.stream?.destroy();
    this.ended = true;
  }

  /**
   * The header's fields (BOM stripped), reading as much of the file as it takes.
   * @throws E_CSV_PARSE when the file is empty
   */
  async readHeader(): Promise<string[]> {
    for (;;) {
      const header = this.header();
      if (header !== undefined) return header;
      if (this.ended)
        throw new RiskError('E_CSV_PARSE', `${this.path} is empty: expected a header row`, {
          file: this.path,
        });
      await this.load();
    }
  }

  /** The header once the loaded text holds it whole; undefined before (or for an empty text at its end). */
  header(): string[] | undefined {
    if (this.headerFields !== undefined) return this.headerFields;
    const fields: string[] = [];
    const n = this.parse(fields);
    if (n < 0) return undefined;
    const first = fields[0] as string;
    if (first.charCodeAt(0) === 0xfeff) fields[0] = first.slice(1);
    this.headerFields = fields;
    return fields;
  }

  /**
   * Parses the next record into `fields` (overwritten from index 0 and truncated to the record's length)
   * and returns its number of fields; or CSV_NEED_MORE when the loaded text holds no complete record, or
   * CSV_END at the end of the file. The header must have been read first.
   * @throws E_CSV_PARSE naming file and row for a malformed quoted field
   */
  next(fields: string[]): number {
    if (this.headerFields === undefined && this.header() === undefined) {
      if (!this.ended) return CSV_NEED_MORE;
      throw new RiskError('E_CSV_PARSE', `${this.path} is empty: expected a header row`, { file: this.path });
    }
    const n = this.parse(fields);
    if (n >= 0) this.row++;
    return n;
  }

  private parse(fields: string[]): number {
    const text = this.text;
    for (;;) {
      const start = this.pos;
      let nl = text.indexOf('\n', start);
      if (nl < 0) {
        // The last line of a file need not end with a line break; a blank remainder is no record.
        if (!this.ended) return CSV_NEED_MORE;
        if (text.slice(start).trim() === '') return CSV_END;
        nl = text.length;
      }
      if (this.quoteAt !== -1 && this.quoteAt < start) this.quoteAt = text.indexOf('"', start);
      if (this.quoteAt >= 0 && this.quoteAt < nl) return this.parseQuoted(fields, start);
      this.pos = nl + 1;
      const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
      if (end === start) continue;
      let n = 0;
      let at = start;
      let comma = this.commaAt;
      if (comma !== -1 && comma < at) comma = text.indexOf(',', at);
      while (comma >= 0 && comma < end) {
        fields[n++] = text.slice(at, comma);
        at = comma + 1;
        comma = text.indexOf(',', at);
      }
      fields[n++] = text.slice(at, end);
      this.commaAt = comma;
      if (fields.length !== n) fields.length = n;
      return n;
    }
  }

  /** A record holding quotes: its logical line runs to the first line break outside quotes. */
  private parseQuoted(fields: string[], start: number): number {
    const text = this.text;
    let inside = false;
    let at = start;
    let nl = -1;
    let lf = -2;
    for (;;) {
      const q = text.indexOf('"', at);
      if (lf !== -1 && lf < at) lf = text.indexOf('\n', at);
      if (lf >= 0 && (q < 0 || lf < q)) {
        if (!inside) {
          nl = lf;
          break;
        }
        at = lf + 1;
      } else if (q >= 0) {
        inside = !inside;
        at = q + 1;
      } else break;
    }
    if (nl < 0) {
      if (!this.ended) return CSV_NEED_MORE;
      nl = text.length;
    }
    this.pos = nl + 1;
    this.quoteAt = -2;
    this.commaAt = -2;
    const line = text.slice(start, nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl);
    let parsed: string[];
    try {
      parsed = parseCsvLine(line);
    } catch (err) {
      const row = this.headerFields === undefined ? 0 : this.row + 1;
      throw new RiskError('E_CSV_PARSE', `${this.path} row ${row}: ${(err as Error).message}`, {
        file: this.path,
        row,
      });
    }
    for (let i = 0; i < parsed.length; i++) fields[i] = parsed[i] as string;
    fields.length = parsed.length;
    return parsed.length;
  }
}

/**
 * Reads every record of a CSV file after its header, calling `each` with the reused fields array, the
 * record's field count and its data row (a callback, not a generator: no promise per record).
 * @example await forEachRecord('ids.csv', (fields) => ids.push(fields[0]));
 */
export async function forEachRecord(
  path: string,
  each: (fields: string[], count: number, row: number) => void,
  highWaterMark = 1 << 18,
): Promise<void> {
  const reader = new CsvRecordReader(path, highWaterMark);
  await reader.readHeader();
  const fields: string[] = [];
  for (;;) {
    const n = reader.next(fields);
    if (n === CSV_NEED_MORE) {
      await reader.load();
      continue;
    }
    if (n === CSV_END) return;
    each(fields, n, reader.row);
  }
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
  const reader = new CsvRecordReader(path, highWaterMark);
  onHeader(await reader.readHeader());
  let records: string[][] = [];
  let firstRow = 1;
  for (;;) {
    const fields: string[] = [];
    const n = reader.next(fields);
    if (n >= 0) {
      records.push(fields);
      continue;
    }
    if (records.length > 0) {
      yield { firstRow, records, bytesRead: reader.bytesRead };
      firstRow += records.length;
      records = [];
    }
    if (n === CSV_END) return;
    await reader.load();
  }
}

/**
 * An upper bound on the data records of a CSV file, from a byte scan for line breaks (no parsing): the
 * lines after the header, counting a last line without a line break. Blank lines and line breaks inside
 * quoted fields make it larger than the true count, never smaller. Lets a reader size its columns once
 * instead of growing them by doubling (twice the memory at the end, and a copy).
 * @returns undefined when the file cannot be read as a regular file (the caller then grows as it goes)
 * @example await csvRecordBound('train.csv') // 40000 for a header and 40,000 rows
 */
export async function csvRecordBound(path: string): Promise<number | undefined> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, 'r');
    if (!(await handle.stat()).isFile()) return undefined;
    const buf = Buffer.allocUnsafe(1 << 20);
    let lines = 0;
    let last = 10;
    for (;;) {
      const { bytesRead } = await handle.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      for (let at = buf.indexOf(10, 0); at >= 0 && at < bytesRead; at = buf.indexOf(10, at + 1)) lines++;
      last = buf[bytesRead - 1] as number;
    }
    // A last line without a line break is a line too; the header is not a record.
    return Math.max(0, lines + (last === 10 ? 0 : 1) - 1);
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

/** Quotes a CSV cell only when it needs it. */
export function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  const s = String(value);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Writes text lines to a file with back-pressure, buffering them so that millions of lines stay fast.
 * @example const w = new LineWriter('apps.jsonl'); await w.writeLine('{}'); await w.close();
 */
export class LineWriter {
  private readonly stream: WriteStream;
  private buffer: string[] = [];
  private size = 0;

  constructor(path: string, firstLine?: string) {
    // An --out path in a folder that does not exist yet is created, as users expect of an output flag.
    mkdirSync(dirname(path), { recursive: true });
    this.stream = createWriteStream(path, { encoding: 'utf8' });
    if (firstLine !== undefined) this.buffer.push(firstLine);
  }

  /** Appends one line (without its line break). */
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

/**
 * Writes CSV rows to a file with back-pressure, buffering lines so that millions of rows stay fast.
 * @example const w = new CsvWriter('out.csv', ['id', 'pd']); await w.write(['a', 0.1]); await w.close();
 */
export class CsvWriter extends LineWriter {
  constructor(path: string, header: readonly string[]) {
    super(path, header.map(csvCell).join(','));
  }

  /** Appends one row of cells, quoting those that need it. */
  async write(cells: readonly unknown[]): Promise<void> {
    let line = '';
    for (let i = 0; i < cells.length; i++) line += (i === 0 ? '' : ',') + csvCell(cells[i]);
    await this.writeLine(line);
  }
}
