import { createReadStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { CsvWriter, readCsvBlocks } from '../core/csv.js';
import { type Issue, RiskError } from '../core/errors.js';
import {
  APPLICATIONS_FILE,
  type FileLayout,
  headerOf,
  SOURCE_FILES,
  SOURCE_TAGS,
  type SourceTag,
} from './layout.js';
import { type Application, applicationSchema, normaliseApplication } from './schemas.js';
import { toIssues } from './validate.js';

/** Options shared by the readers. */
export interface ReadOptions {
  /**
   * Path of a rejects CSV. Without it the first bad application stops the read with an error naming file,
   * row and column; with it every bad application is skipped and each of its problems written there.
   */
  readonly rejects?: string;
  /** Called every few thousand applications with the number read so far (accepted + rejected). */
  readonly onProgress?: (read: number) => void;
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
      throw new RiskError('E_INPUT_INVALID', rejects.map((r) => r.message).join('; '), {
        ...(first === undefined ? {} : { file: first.file, row: first.row, column: first.column }),
        issues: rejects.map((r) => ({ path: [r.file, r.row, r.column], message: r.message })),
      });
    }
    this.writer ??= new CsvWriter(this.path, REJECT_HEADER);
    this.count++;
    for (const r of rejects) await this.writer.write([r.borrowerId, r.file, r.row, r.column, r.message]);
  }

  async close(): Promise<void> {
    // An empty rejects file is still written, so that "no rejects" is visible.
    if (this.path !== undefined) this.writer ??= new CsvWriter(this.path, REJECT_HEADER);
    await this.writer?.close();
  }
}

/** A forward-only cursor over one source file's records, grouped by borrower id. */
class FileCursor {
  private readonly blocks: AsyncGenerator<{ firstRow: number; records: string[][] }>;
  private records: string[][] = [];
  private firstRow = 1;
  private at = 0;
  done = false;

  constructor(
    readonly layout: FileLayout,
    readonly path: string,
  ) {
    this.blocks = readCsvBlocks(path, (header) => checkHeader(path, header, headerOf(layout)));
  }

  /** The borrower id of the current record when its block is loaded; null when the next block is needed. */
  peekLoaded(): string | null {
    return this.at < this.records.length ? ((this.records[this.at] as string[])[0] as string) : null;
  }

  /** The borrower id of the current record, loading the next block when needed. */
  async peekId(): Promise<string | undefined> {
    while (this.at >= this.records.length) {
      if (this.done) return undefined;
      const next = await this.blocks.next();
      if (next.done === true) {
        this.done = true;
        return undefined;
      }
      this.records = next.value.records;
      this.firstRow = next.value.firstRow;
      this.at = 0;
    }
    return (this.records[this.at] as string[])[0];
  }

  /** Takes the current record and its 1-based data row number. */
  take(): { record: string[]; row: number } {
    const record = this.records[this.at] as string[];
    const row = this.firstRow + this.at;
    this.at++;
    return { record, row };
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

/** Where each list element of an application came from, to name file, row and column in errors. */
interface Provenance {
  readonly applicationRow: number;
  /** file name → data row numbers of the rows taken, by subject for bureau files. */
  readonly rows: Map<string, number[]>;
}

function setPath(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let obj = target;
  for (let i = 0; i < path.length - 1; i++) {
    const key = path[i] as string;
    obj[key] ??= {};
    obj = obj[key] as Record<string, unknown>;
  }
  obj[path[path.length - 1] as string] = value;
}

/** Turns one CSV record into the object it describes; empty cells are left out (absent, not zero). */
function recordToObject(
  layout: FileLayout,
  record: readonly string[],
  offset: number,
): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  layout.columns.forEach(([, path], i) => {
    const cell = record[offset + i] ?? '';
    if (path[0] === '$history') {
      const t = cell.trim();
      obj.overdueHistory = t === '' ? [] : Array.from(t, (ch) => (ch >= '0' && ch <= '9' ? Number(ch) : ch));
      return;
    }
    if (cell.trim() === '') return;
    setPath(obj, path, cell);
  });
  return obj;
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
  for (const layout of SOURCE_FILES) {
    const subject = layout.bySubject ? String(path[1]) : null;
    const prefix = layout.bySubject ? ['bureau', subject as string, ...layout.target] : layout.target;
    if (!prefix.every((p, i) => path[i] === p)) continue;
    if (layout.many && typeof path[prefix.length] !== 'number') continue;
    const index = layout.many ? (path[prefix.length] as number) : 0;
    const rest = path.slice(prefix.length + (layout.many ? 1 : 0)).map(String);
    const key = subject === null ? layout.file : `${layout.file}#${subject}`;
    const row = prov.rows.get(key)?.[index];
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

/**
 * Streams the applications of a CSV sample directory (layout of src/ingest/layout.ts), validating each
 * with the zod schemas. Source files are read as a merge of streams, so memory stays flat for any size.
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
  const cursors = SOURCE_FILES.filter((l) => existsSync(join(dir, l.file))).map(
    (l) => new FileCursor(l, join(dir, l.file)),
  );
  const sink = new RejectSink(options.rejects);
  const seen = new Set<string>();
  const validTags = new Set<string>(SOURCE_TAGS);
  let read = 0;
  const blocks = readCsvBlocks(appsPath, (h) => checkHeader(appsPath, h, headerOf(APPLICATIONS_FILE)));
  try {
    for await (const block of blocks) {
      for (let r = 0; r < block.records.length; r++) {
        const record = block.records[r] as string[];
        const row = block.firstRow + r;
        const id = (record[0] ?? '').trim();
        const problems: Reject[] = [];
        const at = (file: string, rowNo: number, column: string, message: string): void => {
          problems.push({
            borrowerId: id,
            file,
            row: rowNo,
            column,
            message: `${file} row ${rowNo} column ${column}: ${message}`,
          });
        };
        if (record.length !== APPLICATIONS_FILE.columns.length + 1) {
          at(
            APPLICATIONS_FILE.file,
            row,
            '',
            `expected ${APPLICATIONS_FILE.columns.length + 1} fields, received ${record.length}`,
          );
        }
        if (id === '')
          at(APPLICATIONS_FILE.file, row, 'borrower_id', 'expected a borrower id, received an empty cell');
        else if (seen.has(id)) at(APPLICATIONS_FILE.file, row, 'borrower_id', `borrower ${id} appears twice`);
        seen.add(id);

        const app = { id, ...recordToObject(APPLICATIONS_FILE, record, 1) } as Record<string, unknown>;
        const tags = String(app.$sources ?? '')
          .split(';')
          .map((t) => t.trim())
          .filter((t) => t !== '');
        delete app.$sources;
        for (const t of tags) {
          if (!validTags.has(t))
            at(
              APPLICATIONS_FILE.file,
              row,
              'sources',
              `unknown source ${JSON.stringify(t)}; allowed: ${SOURCE_TAGS.join(', ')}`,
            );
        }
        const listed = new Set(tags as SourceTag[]);
        for (const tag of listed) {
          if (tag === 'tax') app.tax = { filings: [] };
          else if (tag === 'bureau.enterprise' || tag === 'bureau.owner') {
            app.bureau ??= {};
            (app.bureau as Record<string, unknown>)[tag.slice(7)] = emptyReport();
          } else if (tag !== 'enterprise' && tag !== 'owner') app[tag] = [];
        }

        const prov: Provenance = { applicationRow: row, rows: new Map() };
        for (const cursor of cursors) {
          for (;;) {
            // Awaiting only at block boundaries: a promise per record cost a fifth of the read time.
            const next = cursor.peekLoaded() ?? (await cursor.peekId());
            if (next === undefined) break;
            if (next !== id) {
              if (seen.has(next)) {
                const { row: badRow } = cursor.take();
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
            const { record: rec, row: srcRow } = cursor.take();
            const layout = cursor.layout;
            const width = headerOf(layout).length;
            if (rec.length !== width) {
              at(layout.file, srcRow, '', `expected ${width} fields, received ${rec.length}`);
              continue;
            }
            const subject = layout.bySubject ? (rec[1] ?? '').trim() : null;
            const tag = (subject === null ? layout.source : `bureau.${subject}`) as SourceTag;
            if (subject !== null && subject !== 'enterprise' && subject !== 'owner') {
              at(
                layout.file,
                srcRow,
                'subject',
                `expected enterprise or owner, received ${JSON.stringify(subject)}`,
              );
              continue;
            }
            if (!listed.has(tag)) {
              at(
                layout.file,
                srcRow,
                'borrower_id',
                `borrower ${id} has a ${tag} row but its sources column does not list ${tag}`,
              );
              continue;
            }
            const obj = recordToObject(layout, rec, subject === null ? 1 : 2);
            const base = (
              subject === null ? app : (app.bureau as Record<string, unknown>)[subject]
            ) as Record<string, unknown>;
            const key = subject === null ? layout.file : `${layout.file}#${subject}`;
            if (layout.many) {
              let list = base;
              for (const p of layout.target.slice(0, -1)) list = list[p] as Record<string, unknown>;
              (list[layout.target[layout.target.length - 1] as string] as unknown[]).push(obj);
            } else if (layout.file === 'tax_grades.csv') {
              Object.assign(app.tax as object, obj);
            } else {
              if (base[layout.target[0] as string] !== undefined) {
                at(layout.file, srcRow, 'borrower_id', `borrower ${id} has more than one row`);
                continue;
              }
              base[layout.target[0] as string] = obj;
            }
            const rowsOf = prov.rows.get(key);
            if (rowsOf === undefined) prov.rows.set(key, [srcRow]);
            else rowsOf.push(srcRow);
          }
        }
        for (const tag of ['enterprise', 'owner'] as const) {
          if (listed.has(tag) && app[tag] === undefined) {
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
        if (problems.length > 0) {
          await sink.add(problems);
          continue;
        }
        const parsed = applicationSchema.safeParse(normaliseApplication(app, true));
        if (!parsed.success) {
          await sink.add(toIssues(parsed.error).map((issue: Issue) => locatedReject(issue, id, prov)));
          continue;
        }
        yield parsed.data;
      }
    }
    for (const cursor of cursors) {
      const left = await cursor.peekId();
      if (left !== undefined) {
        const { row: badRow } = cursor.take();
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
  }
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
      if (app !== undefined) yield app;
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
        if (app !== undefined) yield app;
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
  const parsed = applicationSchema.safeParse(normaliseApplication(value, true));
  if (parsed.success) return parsed.data;
  const id = typeof (value as { id?: unknown })?.id === 'string' ? (value as { id: string }).id : '';
  await sink.add(
    toIssues(parsed.error).map((issue) => ({
      borrowerId: id,
      file: path,
      row: at,
      column: issue.path.join('.'),
      message: `${path} ${unit} ${at}: ${issue.message}`,
    })),
  );
  return undefined;
}
