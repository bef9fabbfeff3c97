import {
  CSV_END,
  CSV_NEED_MORE,
  CsvRecordReader,
  csvRecordBound,
  MISSING_TOKENS,
  readCsvBlocks,
} from './csv.js';
import { RiskError } from './errors.js';

/** A numeric column: NaN marks a missing value. */
export interface NumericColumn {
  readonly kind: 'numeric';
  readonly name: string;
  readonly values: Float64Array;
}

/** A categorical column: codes index `levels`; -1 marks a missing value. */
export interface CategoricalColumn {
  readonly kind: 'categorical';
  readonly name: string;
  readonly codes: Int32Array;
  readonly levels: readonly string[];
}

export type Column = NumericColumn | CategoricalColumn;

/**
 * A columnar table of typed arrays: the one tabular type models train and score on.
 * Frames are immutable; `select`, `take` and `with` return new frames sharing unchanged columns.
 * @example const f = Frame.fromColumns([numeric('age', [30, 41]), categorical('region', ['a', null])]);
 */
export class Frame {
  readonly nRows: number;
  readonly columns: readonly Column[];
  private readonly index: Map<string, number>;

  constructor(columns: readonly Column[]) {
    const n = columns.length === 0 ? 0 : columnLength(columns[0] as Column);
    const index = new Map<string, number>();
    columns.forEach((c, i) => {
      if (columnLength(c) !== n) {
        throw new RiskError('E_FRAME_SHAPE', `column ${c.name} has ${columnLength(c)} rows, expected ${n}`);
      }
      if (index.has(c.name)) throw new RiskError('E_FRAME_SHAPE', `column ${c.name} appears twice`);
      index.set(c.name, i);
    });
    this.nRows = n;
    this.columns = columns;
    this.index = index;
  }

  static fromColumns(columns: readonly Column[]): Frame {
    return new Frame(columns);
  }

  get names(): string[] {
    return this.columns.map((c) => c.name);
  }

  has(name: string): boolean {
    return this.index.has(name);
  }

  /** The named column. @throws E_FRAME_SHAPE when absent */
  column(name: string): Column {
    const i = this.index.get(name);
    if (i === undefined) {
      throw new RiskError('E_FRAME_SHAPE', `no column named ${name}; ${columnsHint(this.names, name)}`, {
        column: name,
      });
    }
    return this.columns[i] as Column;
  }

  /** The named column, which must be numeric. */
  numeric(name: string): Float64Array {
    const c = this.column(name);
    if (c.kind !== 'numeric')
      throw new RiskError('E_FRAME_SHAPE', `column ${name} is categorical, expected numeric`);
    return c.values;
  }

  select(names: readonly string[]): Frame {
    return new Frame(names.map((n) => this.column(n)));
  }

  drop(names: readonly string[]): Frame {
    const gone = new Set(names);
    return new Frame(this.columns.filter((c) => !gone.has(c.name)));
  }

  /** Adds or replaces a column. */
  with(column: Column): Frame {
    const i = this.index.get(column.name);
    if (i === undefined) return new Frame([...this.columns, column]);
    const cols = this.columns.slice();
    cols[i] = column;
    return new Frame(cols);
  }

  /**
   * The rows at the given indices, in that order. All rows in order give this frame itself (frames are
   * immutable): a training part that is the whole file then costs no second copy of every column.
   */
  take(rows: ArrayLike<number>): Frame {
    const n = rows.length;
    if (n === this.nRows && isIdentity(rows)) return this;
    return new Frame(
      this.columns.map((c): Column => {
        if (c.kind === 'numeric') {
          const v = new Float64Array(n);
          for (let i = 0; i < n; i++) v[i] = c.values[rows[i] as number] as number;
          return { kind: 'numeric', name: c.name, values: v };
        }
        const codes = new Int32Array(n);
        for (let i = 0; i < n; i++) codes[i] = c.codes[rows[i] as number] as number;
        return { kind: 'categorical', name: c.name, codes, levels: c.levels };
      }),
    );
  }

  /** The value of one cell as a JS value: number, string or null for missing. */
  cell(row: number, name: string): number | string | null {
    const c = this.column(name);
    if (c.kind === 'numeric') {
      const v = c.values[row] as number;
      return Number.isNaN(v) ? null : v;
    }
    const code = c.codes[row] as number;
    return code < 0 ? null : (c.levels[code] as string);
  }
}

function isIdentity(rows: ArrayLike<number>): boolean {
  for (let i = 0; i < rows.length; i++) if (rows[i] !== i) return false;
  return true;
}

function columnLength(c: Column): number {
  return c.kind === 'numeric' ? c.values.length : c.codes.length;
}

/** Builds a numeric column; null, undefined and NaN become missing. */
export function numeric(name: string, values: ArrayLike<number | null | undefined>): NumericColumn {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = v === null || v === undefined ? Number.NaN : v;
  }
  return { kind: 'numeric', name, values: out };
}

/** Builds a categorical column with levels in order of first appearance; null and undefined are missing. */
export function categorical(name: string, values: ArrayLike<string | null | undefined>): CategoricalColumn {
  const levels: string[] = [];
  const seen = new Map<string, number>();
  const codes = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (v === null || v === undefined) {
      codes[i] = -1;
      continue;
    }
    let code = seen.get(v);
    if (code === undefined) {
      code = levels.length;
      levels.push(v);
      seen.set(v, code);
    }
    codes[i] = code;
  }
  return { kind: 'categorical', name, codes, levels };
}

/** Options for reading a CSV into a frame. */
export interface ReadFrameOptions {
  /** Columns forced to categorical even when every value parses as a number (e.g. codes with leading zeros). */
  readonly categorical?: readonly string[];
  /** Columns forced to numeric: a non-numeric value there is an error naming file, row and column. */
  readonly numeric?: readonly string[];
  /** Extra tokens read as missing, beyond MISSING_TOKENS. */
  readonly missing?: readonly string[];
  /**
   * Called after each block with the number of data rows and of file bytes read so far (for progress bars:
   * the file size is the bytes' total).
   */
  readonly onProgress?: (rows: number, bytes: number) => void;
}

/**
 * A growable column under construction: numeric while every value parses, categorical after. A column that
 * turns textual after some numbers cannot rebuild their text from the parsed values ("01" and "1.0" both
 * read 1), so it leaves those rows pending (code −2) and `readCsvFrame` reads their text again.
 */
class ColumnBuilder {
  kind: 'numeric' | 'categorical';
  values: Float64Array;
  codes: Int32Array | undefined;
  levels: string[] = [];
  private levelIndex = new Map<string, number>();
  length = 0;
  /** Rows before this one hold numbers read before the column turned textual: their text is pending. */
  pendingRows = 0;

  /** @param capacity rows to make room for at once (the file's record bound); more grow by doubling */
  constructor(
    readonly name: string,
    private readonly forced: 'numeric' | 'categorical' | undefined,
    capacity: number,
  ) {
    this.kind = forced ?? 'numeric';
    if (this.kind === 'categorical') {
      this.codes = new Int32Array(capacity);
      this.values = new Float64Array(0);
    } else this.values = new Float64Array(capacity);
  }

  push(raw: string, missing: ReadonlySet<string>, file: string, row: number): void {
    if (this.length === this.values.length && this.kind === 'numeric') this.values = grow(this.values);
    if (this.kind === 'categorical' && this.length === (this.codes as Int32Array).length) {
      const next = new Int32Array(Math.max(1024, this.length * 2));
      next.set(this.codes as Int32Array);
      this.codes = next;
    }
    const text = raw.trim();
    if (missing.has(text)) {
      if (this.kind === 'numeric') this.values[this.length++] = Number.NaN;
      else (this.codes as Int32Array)[this.length++] = -1;
      return;
    }
    if (this.kind === 'numeric') {
      const v = Number(text);
      if (Number.isFinite(v)) {
        this.values[this.length++] = v;
        return;
      }
      if (this.forced === 'numeric') {
        throw new RiskError(
          'E_CSV_VALUE',
          `${file} row ${row} column ${this.name}: expected a number, received ${JSON.stringify(raw)}`,
          { file, row, column: this.name, expected: 'a number', received: raw },
        );
      }
      this.toCategorical();
    }
    (this.codes as Int32Array)[this.length++] = this.code(text);
  }

  private code(text: string): number {
    let c = this.levelIndex.get(text);
    if (c === undefined) {
      c = this.levels.length;
      this.levels.push(text);
      this.levelIndex.set(text, c);
    }
    return c;
  }

  /** Missing rows stay missing; rows that held a number become pending until their text is read again. */
  private toCategorical(): void {
    const codes = new Int32Array(this.values.length);
    for (let i = 0; i < this.length; i++) {
      if (Number.isNaN(this.values[i] as number)) codes[i] = -1;
      else {
        codes[i] = -2;
        this.pendingRows = i + 1;
      }
    }
    this.codes = codes;
    this.kind = 'categorical';
    this.values = new Float64Array(0);
  }

  /**
   * Codes the pending rows from their raw text (`texts[i]` for row i < pendingRows), renumbering levels
   * so that they stay in order of first appearance, as if the column had been read as text throughout.
   */
  resolvePending(texts: readonly (string | undefined)[], missing: ReadonlySet<string>): void {
    const old = this.levels;
    const codes = this.codes as Int32Array;
    this.levels = [];
    this.levelIndex = new Map();
    const lut = new Int32Array(old.length).fill(-1);
    for (let i = 0; i < this.length; i++) {
      const c = codes[i] as number;
      if (c === -2) {
        const text = (texts[i] as string).trim();
        codes[i] = missing.has(text) ? -1 : this.code(text);
      } else if (c >= 0) {
        let k = lut[c] as number;
        if (k < 0) {
          k = this.code(old[c] as string);
          lut[c] = k;
        }
        codes[i] = k;
      }
    }
    this.pendingRows = 0;
  }

  /**
   * The column, once. A buffer of the exact length is handed over as it is (the usual case: sized by the
   * record bound); a longer one is copied to its length and released, so that the builders of a wide file
   * never hold a second copy of every column at once.
   */
  build(): Column {
    const exact = <T extends Float64Array | Int32Array>(a: T): T =>
      (a.length === this.length ? a : a.slice(0, this.length)) as T;
    const column: Column =
      this.kind === 'numeric'
        ? { kind: 'numeric', name: this.name, values: exact(this.values) }
        : {
            kind: 'categorical',
            name: this.name,
            codes: exact(this.codes as Int32Array),
            levels: this.levels,
          };
    this.values = new Float64Array(0);
    this.codes = undefined;
    return column;
  }
}

function grow(a: Float64Array): Float64Array {
  const next = new Float64Array(Math.max(1024, a.length * 2));
  next.set(a);
  return next;
}

/**
 * Reads any CSV with a header into a frame, detecting numeric and categorical columns. A column is numeric
 * while every value parses as a number; at its first text value it turns categorical, and every level keeps
 * the text exactly as written ("01" stays "01"): the rows read before the change are read again from the
 * start of the file, only as far as needed and only for such columns, so the common case is one pass.
 * @throws E_CSV_COLUMN on duplicate or empty header names, E_CSV_VALUE when a row has the wrong field count
 *   or a forced-numeric column holds text
 * @example const frame = await readCsvFrame('train.csv', { categorical: ['region'] });
 */
export async function readCsvFrame(path: string, options: ReadFrameOptions = {}): Promise<Frame> {
  const missing = new Set([...MISSING_TOKENS, ...(options.missing ?? [])]);
  const forcedCat = new Set(options.categorical ?? []);
  const forcedNum = new Set(options.numeric ?? []);
  // Columns sized once from a scan for line breaks: growing them by doubling held up to twice the data,
  // and a copy to the exact length at the end (a 40k × 200 file peaked at 170 MB for 64 MB of columns).
  const capacity = (await csvRecordBound(path)) ?? 1024;
  let builders: ColumnBuilder[] = [];
  const onHeader = (header: string[]): void => {
    const seen = new Set<string>();
    header.forEach((h, i) => {
      const name = h.trim();
      if (name === '') throw new RiskError('E_CSV_COLUMN', `${path}: header column ${i + 1} has no name`);
      if (seen.has(name)) throw new RiskError('E_CSV_COLUMN', `${path}: header names ${name} twice`);
      seen.add(name);
    });
    for (const name of [...forcedCat, ...forcedNum]) {
      if (!seen.has(name)) {
        throw new RiskError('E_CSV_COLUMN', `${path}: no column named ${name}`, { file: path, column: name });
      }
    }
    builders = header.map((h) => {
      const name = h.trim();
      return new ColumnBuilder(
        name,
        forcedCat.has(name) ? 'categorical' : forcedNum.has(name) ? 'numeric' : undefined,
        capacity,
      );
    });
  };
  // One record at a time into a reused array: records kept per block outlived the young generation and
  // grew the old one by tens of MB of dead strings before a full collection.
  const reader = new CsvRecordReader(path);
  onHeader(await reader.readHeader());
  const width = builders.length;
  const fields: string[] = [];
  let rows = 0;
  for (;;) {
    const n = reader.next(fields);
    if (n === CSV_NEED_MORE) {
      if (rows > 0) options.onProgress?.(rows, reader.bytesRead);
      await reader.load();
      continue;
    }
    if (n === CSV_END) break;
    const row = reader.row;
    if (n !== width) {
      throw new RiskError('E_CSV_VALUE', `${path} row ${row}: expected ${width} fields, received ${n}`, {
        file: path,
        row,
      });
    }
    for (let c = 0; c < width; c++)
      (builders[c] as ColumnBuilder).push(fields[c] as string, missing, path, row);
    rows++;
  }
  options.onProgress?.(rows, reader.bytesRead);
  await resolvePending(path, builders, missing);
  return new Frame(builders.map((b) => b.build()));
}

/** Reads the raw text of the rows that columns turned textual left pending, up to the last such row. */
async function resolvePending(
  path: string,
  builders: readonly ColumnBuilder[],
  missing: ReadonlySet<string>,
): Promise<void> {
  const late = builders.map((b, c) => ({ b, c })).filter(({ b }) => b.pendingRows > 0);
  if (late.length === 0) return;
  const until = Math.max(...late.map(({ b }) => b.pendingRows));
  const texts = late.map(({ b }) => new Array<string | undefined>(b.pendingRows));
  for await (const block of readCsvBlocks(path, () => {})) {
    for (let r = 0; r < block.records.length; r++) {
      const i = block.firstRow - 1 + r;
      if (i >= until) break;
      const rec = block.records[r] as string[];
      late.forEach(({ b, c }, t) => {
        if (i < b.pendingRows) (texts[t] as (string | undefined)[])[i] = rec[c] as string;
      });
    }
    if (block.firstRow - 1 + block.records.length >= until) break;
  }
  late.forEach(({ b }, t) => {
    b.resolvePending(texts[t] as (string | undefined)[], missing);
  });
}

/** Names a "no column named …" message lists in full; a longer header is cut after this many. */
const LISTED_COLUMNS = 20;

/**
 * The columns part of a "no column named …" message: the nearest name first when there is one (a typo, a
 * different case), then the names, cut after 20 with the count of the rest, so that a 200-column file does
 * not bury the message.
 * @example columnsHint(['age', 'default_12m'], 'Default_12m') // 'did you mean "default_12m"? columns are age, default_12m'
 */
export function columnsHint(names: readonly string[], wanted: string): string {
  const near = nearestName(names, wanted);
  const listed =
    names.length <= LISTED_COLUMNS
      ? names.join(', ')
      : `${names.slice(0, LISTED_COLUMNS).join(', ')}, … (${names.length - LISTED_COLUMNS} more, ${names.length} in all)`;
  return `${near === undefined ? '' : `did you mean ${JSON.stringify(near)}? `}columns are ${listed}`;
}

/** The name closest to `wanted` by edit distance (case ignored), if within a third of its length (at least 2). */
function nearestName(names: readonly string[], wanted: string): string | undefined {
  const w = wanted.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(w.length / 3)) + 1;
  for (const name of names) {
    const d = editDistance(name.toLowerCase(), w);
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return best;
}

/** Levenshtein distance: insertions, deletions and substitutions of one character each cost 1. */
function editDistance(a: string, b: string): number {
  let prev = Int32Array.from({ length: b.length + 1 }, (_, j) => j);
  let cur = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const substitute = (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur[j] = Math.min(substitute, (prev[j] as number) + 1, (cur[j - 1] as number) + 1);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length] as number;
}
