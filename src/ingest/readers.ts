import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CSV_END, CSV_NEED_MORE, CsvRecordReader, CsvWriter, forEachRecord } from '../core/csv.js';
import { type Issue, RiskError } from '../core/errors.js';
import { buildRecord, type ColumnPlan, columnPlans, detached } from './cells.js';
import { capMessage } from './convert.js';
import { type GroupedFile, isGrouped, sortByApplication, sortDir } from './grouping.js';
import { APPLICATIONS_FILE, type FileLayout, headerOf, SOURCE_FILES, SOURCE_TAGS } from './layout.js';
import { type Application, normaliseApplication } from './schemas.js';
import { safeParseApplication, toIssues } from './validate.js';

/** Options shared by the readers. */
export interface ReadOptions {
  /**
   * Path of a rejects CSV. Without it the first bad application stops the read with an error naming file,
   * row and column; with it every bad application is skipped and each of its problems written there.
   */
  readonly rejects?: string;
  /** Called every few thousand applications with the number read so far (accepted + rejected). */
  readonly onProgress?: (read: number) => void;
  /**
   * Bytes read from each CSV file at a time (default 256 KiB). The directory reader holds about two chunks
   * of text per file, so a dozen files keep ~10 MiB whatever their size; larger chunks only cost memory.
   */
  readonly chunkBytes?: number;
  /**
   * Filled with rows read, used and rejected per file (keyed by file name): every row read is either used
   * by an accepted application or rejected — with its application, out of order, or with no application.
   */
  readonly counts?: ReadCounts;
  /** Rows a sort run of an ungrouped source file holds in memory (see src/ingest/grouping.ts). */
  readonly runRows?: number;
}

/** Rows of one file: read = used + rejected. */
export interface FileCount {
  read: number;
  used: number;
  rejected: number;
}

/** Row counts by file name. */
export type ReadCounts = Map<string, FileCount>;

/** The count of `file` in `counts`, created at zero. */
export function countOf(counts: ReadCounts, file: string): FileCount {
  let c = counts.get(file);
  if (c === undefined) {
    c = { read: 0, used: 0, rejected: 0 };
    counts.set(file, c);
  }
  return c;
}

/** One problem with a record, located in its source file. */
export interface Reject {
  readonly borrowerId: string;
  readonly file: string;
  readonly row: number;
  readonly column: string;
  readonly message: string;
}

const REJECT_HEADER = ['borrower_id', 'file', 'row', 'column', 'message'];

/** Collects rejects into a CSV file, or throws on the first when no file was given. */
class RejectSink {
  private writer: CsvWriter | undefined;
  count = 0;

  constructor(private readonly path: string | undefined) {}

  async add(rejects: readonly Reject[]): Promise<void> {
    const first = rejects[0];
    if (this.path === undefined) {
      // Each message already names its file, row and column.
      throw new RiskError('E_INPUT_INVALID', capMessage(rejects.map((r) => r.message).join('; ')), {
        ...(first === undefined ? {} : { file: first.file, row: first.row, column: first.column }),
        issues: rejects.map((r) => ({ path: [r.file, r.row, r.column], message: r.message })),
      });
    }
    this.writer ??= new CsvWriter(this.path, REJECT_HEADER);
    this.count++;
    for (const r of rejects)
      await this.writer.write([r.borrowerId, r.file, r.row, r.column, capMessage(r.message)]);
  }

  async close(): Promise<void> {
    // An empty rejects file is still written, so that "no rejects" is visible.
    if (this.path !== undefined) this.writer ??= new CsvWriter(this.path, REJECT_HEADER);
    await this.writer?.close();
  }
}

function checkHeader(path: string, header: readonly string[], expected: readonly string[]): void {
  const got = header.map((h) => h.trim());
  if (got.length !== expected.length || got.some((h, i) => h !== expected[i])) {
    throw new RiskError(
      'E_CSV_COLUMN',
      `${path}: expected columns ${expected.join(',')}, received ${got.join(',')}`,
      {
        file: path,
        expected: expected.join(','),
        received: got.join(','),
      },
    );
  }
}

/** Bit of each `sources` tag in an application's listed-sources mask. */
const TAG_BITS: ReadonlyMap<string, number> = new Map(SOURCE_TAGS.map((t, i) => [t, 1 << i]));
const tagBit = (tag: string): number => TAG_BITS.get(tag) ?? 0;
const BUREAU_ENTERPRISE_BIT = tagBit('bureau.enterprise');
const BUREAU_OWNER_BIT = tagBit('bureau.owner');

/**
 * A forward-only cursor over one source file's records, grouped by borrower id: the current record sits
 * in a reused field array until it is taken, so nothing is kept per record.
 */
class FileCursor {
  private readonly reader: CsvRecordReader;
  /** The current record's fields and count; count −1 when no record is loaded. */
  readonly fields: string[] = [];
  count = -1;
  private done = false;
  private headerChecked = false;
  /** Fields per row: borrower_id, then subject for bureau files, then the columns. */
  readonly width: number;
  /** Index of the first column's field. */
  readonly offset: number;
  readonly plans: readonly ColumnPlan[];
  /** The record key of a single-row source (enterprise, owner) or the list key of a many-row one. */
  readonly key: string;
  /** For a many-row source outside the bureau: the key of the object holding the list ('tax'), or null. */
  readonly listParent: string | null;
  /** Rows taken for the current application (by subject for bureau files), to locate schema issues. */
  readonly rows: readonly number[][];
  /** The `sources` bit of this file's source (bureau files: of the enterprise report). */
  readonly bit: number;
  /** Rows taken for the current application, whether attached or not. */
  taken = 0;
  /** The file's counts. */
  readonly count$: FileCount;
  private readonly rowOf: Int32Array | undefined;

  constructor(
    readonly layout: FileLayout,
    readonly path: string,
    chunkBytes: number,
    grouped: GroupedFile,
    counts: ReadCounts,
  ) {
    this.reader = new CsvRecordReader(grouped.path, chunkBytes);
    this.rowOf = grouped.rowOf;
    this.count$ = countOf(counts, layout.file);
    this.width = headerOf(layout).length;
    this.offset = layout.bySubject ? 2 : 1;
    // Both bureau subjects share one report schema, so one set of column plans serves both.
    this.plans = columnPlans(
      layout,
      layout.bySubject ? ['bureau', 'enterprise', ...layout.target] : layout.target,
    );
    this.key = layout.target[layout.target.length - 1] as string;
    this.listParent = !layout.bySubject && layout.target.length === 2 ? (layout.target[0] as string) : null;
    this.rows = layout.bySubject ? [[], []] : [[]];
    this.bit = layout.bySubject ? BUREAU_ENTERPRISE_BIT : tagBit(layout.source as string);
  }

  /** The current record's borrower id (raw cell); null when the next chunk must be loaded; undefined at the end. */
  peekLoaded(): string | null | undefined {
    if (this.count >= 0) return this.fields[0] as string;
    if (this.done) return undefined;
    if (!this.headerChecked) {
      const header = this.reader.header();
      if (header === undefined) return null;
      checkHeader(this.path, header, headerOf(this.layout));
      this.headerChecked = true;
    }
    const n = this.reader.next(this.fields);
    if (n === CSV_NEED_MORE) return null;
    if (n === CSV_END) {
      this.done = true;
      return undefined;
    }
    this.count = n;
    return this.fields[0] as string;
  }

  /** The current record's borrower id, loading more of the file when needed; undefined at the end. */
  async peekId(): Promise<string | undefined> {
    for (;;) {
      const id = this.peekLoaded();
      if (id !== null) return id;
      if (!this.headerChecked && this.reader.header() === undefined) await this.reader.readHeader();
      else await this.reader.load();
    }
  }

  /** Takes the current record: its fields stay readable until the next peek. Returns its data row. */
  take(): number {
    this.count = -1;
    this.taken++;
    this.count$.read++;
    const row = this.reader.row;
    return this.rowOf === undefined ? row : (this.rowOf[row - 1] as number);
  }
}

/** Where the rows of one application came from, to name file, row and column in errors. */
interface Provenance {
  readonly applicationRow: number;
  readonly cursors: readonly FileCursor[];
}

/** Maps a zod issue path back to the file, row and column it came from. */
function locate(
  path: readonly (string | number)[],
  prov: Provenance,
  sourcesFile: string,
): { file: string; row: number; column: string } {
  const fallback = { file: sourcesFile, row: prov.applicationRow, column: '' };
  const head = path[0];
  if (head === 'request' || head === 'asOf' || head === 'id') {
    const rest = path.map(String);
    const col = APPLICATIONS_FILE.columns.find(([, p]) => p.join('.') === rest.join('.'));
    return { ...fallback, column: col?.[0] ?? String(head) };
  }
  for (const cursor of prov.cursors) {
    const layout = cursor.layout;
    const subject = layout.bySubject ? String(path[1]) : null;
    const prefix = layout.bySubject ? ['bureau', subject as string, ...layout.target] : layout.target;
    if (!prefix.every((p, i) => path[i] === p)) continue;
    if (layout.many && typeof path[prefix.length] !== 'number') continue;
    const index = layout.many ? (path[prefix.length] as number) : 0;
    const rest = path.slice(prefix.length + (layout.many ? 1 : 0)).map(String);
    const row = cursor.rows[subject === 'owner' ? 1 : 0]?.[index];
    if (row === undefined) continue;
    const col =
      rest[0] === 'overdueHistory'
        ? 'overdue_history'
        : layout.columns.find(([, p]) => p.join('.') === rest.join('.'))?.[0];
    if (col === undefined && !layout.many && layout.file === 'tax_grades.csv') continue;
    return { file: layout.file, row, column: col ?? rest.join('.') };
  }
  return fallback;
}

function emptyReport(): Record<string, unknown[]> {
  return { facilities: [], guaranteesGiven: [], inquiries: [] };
}

/** A problem found while assembling an application: where, and what (see `readApplicationsDir`). */
type Report = (file: string, row: number, column: string, message: string) => void;

/**
 * Takes the current record of a cursor (a row of borrower `id`) into the application being assembled: a
 * list element, the tax grade, or a single-row source; or reports why it cannot (wrong width, unknown
 * subject, a source the sources column does not list, a second row of a single-row source).
 */
function attachRow(
  cursor: FileCursor,
  app: Record<string, unknown>,
  listed: number,
  id: string,
  at: Report,
): void {
  const layout = cursor.layout;
  const fields = cursor.fields;
  const width = cursor.count;
  const srcRow = cursor.take();
  if (width !== cursor.width) {
    at(layout.file, srcRow, '', `expected ${cursor.width} fields, received ${width}`);
    return;
  }
  const subject = layout.bySubject ? (fields[1] as string).trim() : null;
  if (subject !== null && subject !== 'enterprise' && subject !== 'owner') {
    at(layout.file, srcRow, 'subject', `expected enterprise or owner, received ${JSON.stringify(subject)}`);
    return;
  }
  if ((listed & (subject === 'owner' ? BUREAU_OWNER_BIT : cursor.bit)) === 0) {
    const tag = subject === null ? (layout.source as string) : `bureau.${subject}`;
    at(
      layout.file,
      srcRow,
      'borrower_id',
      `borrower ${id} has a ${tag} row but its sources column does not list ${tag}`,
    );
    return;
  }
  const obj = buildRecord(cursor.plans, fields, width, cursor.offset);
  if (layout.many) {
    const holder =
      subject !== null
        ? (app.bureau as Record<string, Record<string, unknown>>)[subject]
        : cursor.listParent !== null
          ? (app[cursor.listParent] as Record<string, unknown>)
          : app;
    ((holder as Record<string, unknown>)[cursor.key] as unknown[]).push(obj);
  } else if (layout.file === 'tax_grades.csv') {
    Object.assign(app.tax as object, obj);
  } else {
    if (app[cursor.key] !== undefined) {
      at(layout.file, srcRow, 'borrower_id', `borrower ${id} has more than one row`);
      return;
    }
    app[cursor.key] = obj;
  }
  (cursor.rows[subject === 'owner' ? 1 : 0] as number[]).push(srcRow);
}

/**
 * Streams the applications of a CSV sample directory (layout of src/ingest/layout.ts), validating each
 * with the zod schemas. Source files are read as a merge of streams, one record at a time, so memory stays
 * flat for any size (one chunk of text per file, and the set of ids seen).
 * @throws E_CSV_COLUMN on a wrong header, E_INPUT_INVALID on a bad record (without `rejects`), naming file,
 *   row and column
 * @example for await (const app of readApplicationsDir('data-samples')) use(app);
 */
export async function* readApplicationsDir(
  dir: string,
  options: ReadOptions = {},
): AsyncGenerator<Application> {
  const appsPath = join(dir, APPLICATIONS_FILE.file);
  if (!existsSync(appsPath)) {
    throw new RiskError('E_IO', `${dir} has no ${APPLICATIONS_FILE.file}: expected a sample directory`, {
      file: appsPath,
    });
  }
  const chunkBytes = options.chunkBytes ?? 1 << 18;
  const counts = options.counts ?? new Map<string, FileCount>();
  const appCount = countOf(counts, APPLICATIONS_FILE.file);
  const order = await applicationOrder(appsPath);
  const tmp = sortDir();
  const cursors: FileCursor[] = [];
  for (const l of SOURCE_FILES) {
    const path = join(dir, l.file);
    if (!existsSync(path)) continue;
    const header = new CsvRecordReader(path, 1 << 16);
    checkHeader(path, await header.readHeader(), headerOf(l));
    header.close();
    const grouped = (await isGrouped(path, order))
      ? { path }
      : await sortByApplication(path, headerOf(l), order, tmp.path, options.runRows);
    cursors.push(new FileCursor(l, path, chunkBytes, grouped, counts));
  }
  const sink = new RejectSink(options.rejects);
  // Every id read, to tell a duplicate application and a source row out of order from rows still to come.
  const seen = new Set<string>();
  const validTags = new Set<string>(SOURCE_TAGS);
  const appPlans = columnPlans(APPLICATIONS_FILE, []);
  const appWidth = APPLICATIONS_FILE.columns.length + 1;
  const reader = new CsvRecordReader(appsPath, chunkBytes);
  const record: string[] = [];
  let read = 0;
  try {
    checkHeader(appsPath, await reader.readHeader(), headerOf(APPLICATIONS_FILE));
    for (;;) {
      const count = reader.next(record);
      if (count === CSV_NEED_MORE) {
        await reader.load();
        continue;
      }
      if (count === CSV_END) break;
      const row = reader.row;
      appCount.read++;
      // Kept by the application and the set of ids, so not a view of the chunk of text it came from.
      const id = detached((record[0] as string).trim());
      const problems: Reject[] = [];
      const at: Report = (file, rowNo, column, message) => {
        problems.push({
          borrowerId: id,
          file,
          row: rowNo,
          column,
          message: `${file} row ${rowNo} column ${column}: ${message}`,
        });
      };
      if (count !== appWidth)
        at(APPLICATIONS_FILE.file, row, '', `expected ${appWidth} fields, received ${count}`);
      if (id === '')
        at(APPLICATIONS_FILE.file, row, 'borrower_id', 'expected a borrower id, received an empty cell');
      else if (seen.has(id)) at(APPLICATIONS_FILE.file, row, 'borrower_id', `borrower ${id} appears twice`);
      seen.add(id);

      const app = { id, ...buildRecord(appPlans, record, count, 1) } as Record<string, unknown>;
      const tags = String(app.$sources ?? '')
        .split(';')
        .map((t) => t.trim())
        .filter((t) => t !== '');
      delete app.$sources;
      let listed = 0;
      for (const t of tags) {
        if (validTags.has(t)) listed |= tagBit(t);
        else
          at(
            APPLICATIONS_FILE.file,
            row,
            'sources',
            `unknown source ${JSON.stringify(t)}; allowed: ${SOURCE_TAGS.join(', ')}`,
          );
      }
      for (const tag of SOURCE_TAGS) {
        if ((listed & tagBit(tag)) === 0) continue;
        if (tag === 'tax') app.tax = { filings: [] };
        else if (tag === 'bureau.enterprise' || tag === 'bureau.owner') {
          app.bureau ??= {};
          (app.bureau as Record<string, unknown>)[tag.slice(7)] = emptyReport();
        } else if (tag !== 'enterprise' && tag !== 'owner') app[tag] = [];
      }

      for (const cursor of cursors) {
        for (const rows of cursor.rows) rows.length = 0;
        cursor.taken = 0;
        for (;;) {
          // Awaiting only at chunk boundaries: a promise per record cost a fifth of the read time.
          let next = cursor.peekLoaded();
          if (next === null) next = await cursor.peekId();
          if (next === undefined) break;
          if (next !== id) {
            if (seen.has(next)) {
              const badRow = cursor.take();
              cursor.taken--;
              cursor.count$.rejected++;
              await sink.add([
                {
                  borrowerId: next,
                  file: cursor.layout.file,
                  row: badRow,
                  column: 'borrower_id',
                  message: `${cursor.layout.file} row ${badRow}: the rows of borrower ${next} must be contiguous and in the order of applications.csv`,
                },
              ]);
              continue;
            }
            break;
          }
          attachRow(cursor, app, listed, id, at);
        }
      }
      for (const tag of ['enterprise', 'owner'] as const) {
        if ((listed & tagBit(tag)) !== 0 && app[tag] === undefined) {
          at(
            APPLICATIONS_FILE.file,
            row,
            'sources',
            `sources lists ${tag} but ${tag}.csv has no row for borrower ${id}`,
          );
        }
      }

      read++;
      if (options.onProgress !== undefined && read % 4096 === 0) options.onProgress(read);
      const parsed = problems.length > 0 ? undefined : safeParseApplication(app);
      const accepted = parsed?.success === true;
      // Every row taken for this application is used with it or rejected with it.
      if (accepted) appCount.used++;
      else appCount.rejected++;
      for (const cursor of cursors) {
        if (accepted) cursor.count$.used += cursor.taken;
        else cursor.count$.rejected += cursor.taken;
      }
      if (parsed === undefined) {
        await sink.add(problems);
        continue;
      }
      if (!parsed.success) {
        const prov: Provenance = { applicationRow: row, cursors };
        await sink.add(toIssues(parsed.error, app).map((issue: Issue) => locatedReject(issue, id, prov)));
        continue;
      }
      yield parsed.data;
    }
    for (const cursor of cursors) {
      // Every row left over belongs to no application (or came out of order): each is counted.
      for (let left = await cursor.peekId(); left !== undefined; left = await cursor.peekId()) {
        const badRow = cursor.take();
        cursor.count$.rejected++;
        await sink.add([
          {
            borrowerId: left,
            file: cursor.layout.file,
            row: badRow,
            column: 'borrower_id',
            message: `${cursor.layout.file} row ${badRow}: borrower ${left} is not in applications.csv, or its rows are out of order`,
          },
        ]);
      }
    }
    options.onProgress?.(read);
  } finally {
    await sink.close();
    tmp.dispose();
  }
}

/** Borrower ids of applications.csv by first position, the order source files are grouped in. */
async function applicationOrder(path: string): Promise<Map<string, number>> {
  const order = new Map<string, number>();
  await forEachRecord(path, (fields) => {
    const id = (fields[0] as string).trim();
    if (!order.has(id)) order.set(id, order.size);
  });
  return order;
}

function locatedReject(issue: Issue, id: string, prov: Provenance): Reject {
  const where = locate(issue.path, prov, APPLICATIONS_FILE.file);
  return {
    borrowerId: id,
    ...where,
    message: `${where.file} row ${where.row} column ${where.column || '(record)'}: ${issue.message}`,
  };
}

/**
 * Streams applications from a JSON Lines file (one application per line, the API's JSON shape), or from a
 * `.json` file holding one array of applications.
 * @throws E_JSON_PARSE / E_INPUT_INVALID naming the line (without `rejects`)
 * @example for await (const app of readApplicationsJsonl('apps.jsonl')) use(app);
 */
export async function* readApplicationsJsonl(
  path: string,
  options: ReadOptions = {},
): AsyncGenerator<Application> {
  if (!existsSync(path)) throw new RiskError('E_IO', `no such file: ${path}`, { file: path });
  const sink = new RejectSink(options.rejects);
  const count = countOf(options.counts ?? new Map(), path.slice(path.lastIndexOf('/') + 1));
  const tally = (app: Application | undefined): app is Application => {
    count.read++;
    if (app === undefined) count.rejected++;
    else count.used++;
    return app !== undefined;
  };
  const lines = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  let lineNo = 0;
  let read = 0;
  let arrayText: string[] | undefined;
  try {
    for await (const line of lines) {
      lineNo++;
      if (arrayText !== undefined || (read === 0 && line.trimStart().startsWith('['))) {
        arrayText ??= [];
        arrayText.push(line);
        continue;
      }
      if (line.trim() === '') continue;
      read++;
      const app = await parseJsonRecord(line, path, lineNo, sink);
      if (tally(app)) yield app;
      if (options.onProgress !== undefined && read % 4096 === 0) options.onProgress(read);
    }
    if (arrayText !== undefined) {
      let items: unknown;
      try {
        items = JSON.parse(arrayText.join('\n'));
      } catch (err) {
        throw new RiskError('E_JSON_PARSE', `${path}: not valid JSON: ${(err as Error).message}`, {
          file: path,
        });
      }
      const list = Array.isArray(items) ? items : [];
      for (let i = 0; i < list.length; i++) {
        const app = await validateJson(list[i], path, i + 1, sink, 'item');
        if (tally(app)) yield app;
      }
      read = list.length;
    }
    options.onProgress?.(read);
  } finally {
    await sink.close();
  }
}

async function parseJsonRecord(
  line: string,
  path: string,
  lineNo: number,
  sink: RejectSink,
): Promise<Application | undefined> {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    await sink.add([
      {
        borrowerId: '',
        file: path,
        row: lineNo,
        column: '',
        message: `${path} line ${lineNo}: not valid JSON: ${(err as Error).message}`,
      },
    ]);
    return undefined;
  }
  return validateJson(value, path, lineNo, sink, 'line');
}

async function validateJson(
  value: unknown,
  path: string,
  at: number,
  sink: RejectSink,
  unit: 'line' | 'item',
): Promise<Application | undefined> {
  const parsed = safeParseApplication(normaliseApplication(value, true));
  if (parsed.success) return parsed.data;
  const id = typeof (value as { id?: unknown })?.id === 'string' ? (value as { id: string }).id : '';
  await sink.add(
    toIssues(parsed.error, value).map((issue) => ({
      borrowerId: id,
      file: path,
      row: at,
      column: issue.path.join('.'),
      message: `${path} ${unit} ${at}: ${issue.message}`,
    })),
  );
  return undefined;
}
