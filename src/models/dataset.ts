import { RiskError } from '../core/errors.js';
import { type Column, columnsHint, type Frame } from '../core/frame.js';
import { Rng } from '../core/rng.js';

/** How to turn any CSV frame into training data (the `train` command's options). */
export interface DatasetOptions {
  /** The target column: 0/1, or any two values with `positive` naming the bad one. */
  readonly target: string;
  /** The value of the target that means bad (= 1), for a text or non-0/1 target. */
  readonly positive?: string | undefined;
  /** A column of non-negative row weights. */
  readonly weight?: string | undefined;
  /** A date column (ISO date, yyyymmdd, or any number) for an out-of-time split with `ootFrom`. */
  readonly date?: string | undefined;
  /** Rows dated on or after this are held out as out-of-time. */
  readonly ootFrom?: string | undefined;
  readonly exclude?: readonly string[] | undefined;
  /** Special values per column, as text: numbers for a numeric column, levels for a categorical one. */
  readonly special?: Readonly<Record<string, readonly string[]>> | undefined;
  /** Share of the (in-time) rows held out for validation, stratified by target; default 0.2. */
  readonly validationShare?: number | undefined;
  readonly seed?: number | undefined;
  /** Drop columns named like an id (ID, borrower_id, SK_ID_CURR…) whose values are all distinct; default true. */
  readonly autoExcludeIds?: boolean | undefined;
}

/** Training data: features, target, weights and the row split, with what was left out and why. */
export interface Dataset {
  /** Feature columns of every row (target, weight, date, excluded and id columns removed). */
  readonly x: Frame;
  readonly y: Float64Array;
  readonly weight: Float64Array | undefined;
  readonly train: Int32Array;
  readonly validation: Int32Array;
  readonly oot: Int32Array;
  /** Special values per feature column, typed by the column's kind. */
  readonly special: Record<string, (number | string)[]>;
  readonly excluded: readonly { readonly column: string; readonly reason: string }[];
}

/** A part of a dataset: its rows of x, y and weights. */
export interface DataPart {
  readonly x: Frame;
  readonly y: Float64Array;
  readonly weight: Float64Array | undefined;
}

/** A categorical column whose every level is an ISO date (YYYY-MM-DD), such as a feature file's as_of. */
export function isDateColumn(c: Column): boolean {
  return (
    c.kind === 'categorical' && c.levels.length > 0 && c.levels.every((l) => /^\d{4}-\d{2}-\d{2}$/.test(l))
  );
}

/** Column names that look like a row id: ID, borrower_id, SK_ID_CURR, customerId. */
export const ID_NAME = /(^|[_\-. ])(id|ID|Id)($|[_\-. ])|[a-z]Id$/;

/**
 * True for a column named like a row id whose values are all present and distinct.
 * @example isIdColumn(numeric('ID', [1, 2, 3])) // true
 */
export function isIdColumn(c: Column): boolean {
  if (!ID_NAME.test(c.name)) return false;
  if (c.kind === 'categorical') {
    if (c.levels.length !== c.codes.length) return false;
    for (const code of c.codes) if (code < 0) return false;
    return true;
  }
  const sorted = c.values.slice().sort();
  for (let i = 0; i < sorted.length; i++) {
    const v = sorted[i] as number;
    if (Number.isNaN(v) || (i > 0 && v === sorted[i - 1])) return false;
  }
  return true;
}

/**
 * Parses `COL=V1|V2` special-value specs (repeatable) into a map.
 * @throws E_OPTIONS_INVALID on a spec without `=` or without values
 * @example parseSpecialSpecs(['age=-1|999']) // { age: ['-1', '999'] }
 */
export function parseSpecialSpecs(specs: readonly string[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    const col = eq > 0 ? spec.slice(0, eq).trim() : '';
    const values = eq > 0 ? spec.slice(eq + 1).split('|') : [];
    if (col === '' || values.length === 0 || values.every((v) => v === '')) {
      throw new RiskError(
        'E_OPTIONS_INVALID',
        `--special must look like COL=V1|V2, received ${JSON.stringify(spec)}`,
        {
          path: ['special'],
          expected: 'COL=V1|V2',
          received: spec,
        },
      );
    }
    out[col] = [...(out[col] ?? []), ...values];
  }
  return out;
}

/**
 * The named column, for an option that names one (`target`, or a flag such as `--date`).
 * @throws E_OPTIONS_INVALID naming the option, the nearest column and the columns there are
 */
export function requireColumn(frame: Frame, name: string, option: string): Column {
  if (!frame.has(name)) {
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `${option}: no column named ${JSON.stringify(name)}; ${columnsHint(frame.names, name)}`,
      { path: [option.replace(/^--/, '')], expected: 'a column of the data', received: name },
    );
  }
  return frame.column(name);
}

/** Reads the target as 0/1. Row numbers in errors are 1-based data rows, as in the CSV reader. */
function parseTarget(c: Column, positive: string | undefined): Float64Array {
  const n = c.kind === 'numeric' ? c.values.length : c.codes.length;
  const y = new Float64Array(n);
  const text = (i: number): string | null => {
    if (c.kind === 'numeric') {
      const v = c.values[i] as number;
      return Number.isNaN(v) ? null : String(v);
    }
    const code = c.codes[i] as number;
    return code < 0 ? null : (c.levels[code] as string);
  };
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    const t = text(i);
    if (t === null) {
      throw new RiskError('E_DATA_INVALID', `target ${c.name} is missing at row ${i + 1}`, {
        row: i + 1,
        column: c.name,
        expected: positive === undefined ? '0 or 1' : `a value (bad = ${positive})`,
        received: null,
      });
    }
    if (positive === undefined) {
      if (t !== '0' && t !== '1') {
        throw new RiskError(
          'E_DATA_INVALID',
          `target ${c.name} at row ${i + 1} must be 0 or 1, received ${JSON.stringify(t)} (pass --positive VALUE for another coding)`,
          { row: i + 1, column: c.name, expected: '0 or 1', received: t },
        );
      }
      y[i] = t === '1' ? 1 : 0;
      continue;
    }
    seen.add(t);
    if (seen.size > 2) {
      throw new RiskError(
        'E_DATA_INVALID',
        `target ${c.name} at row ${i + 1} holds a third value ${JSON.stringify(t)}: expected two values, bad = ${JSON.stringify(positive)}`,
        { row: i + 1, column: c.name, expected: 'two distinct values', received: t },
      );
    }
    y[i] = t === positive || (c.kind === 'numeric' && Number(positive) === Number(t)) ? 1 : 0;
  }
  if (positive !== undefined && !y.includes(1)) {
    throw new RiskError(
      'E_DATA_INVALID',
      `target ${c.name} never holds the positive value ${JSON.stringify(positive)}; its values are ${[...seen].map((v) => JSON.stringify(v)).join(', ')}`,
      { column: c.name, expected: `some rows equal to ${positive}`, received: [...seen] },
    );
  }
  return y;
}

function parseWeight(c: Column): Float64Array {
  if (c.kind !== 'numeric') {
    throw new RiskError('E_DATA_INVALID', `weight column ${c.name} must be numeric, received text values`, {
      column: c.name,
      expected: 'numbers ≥ 0',
      received: c.levels[0],
    });
  }
  c.values.forEach((v, i) => {
    if (!(v >= 0) || !Number.isFinite(v)) {
      throw new RiskError(
        'E_DATA_INVALID',
        `weight ${c.name} at row ${i + 1} must be a number ≥ 0, received ${v}`,
        {
          row: i + 1,
          column: c.name,
          expected: 'a number ≥ 0',
          received: v,
        },
      );
    }
  });
  return c.values;
}

/**
 * A comparable key of a date-like value: ms since the epoch for an ISO date (yyyy-mm or yyyy-mm-dd…) or a
 * yyyymmdd integer, the number itself otherwise; NaN when neither.
 */
export function dateKey(v: string | number): number {
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 1_000_01_01 && v <= 2_999_12_31) {
      return Date.UTC(Math.floor(v / 10000), (Math.floor(v / 100) % 100) - 1, v % 100);
    }
    return v;
  }
  const t = v.trim();
  const iso = /^(\d{4})-(\d{2})(?:-(\d{2}))?/.exec(t);
  if (iso !== null)
    return Date.UTC(Number(iso[1]), Number(iso[2]) - 1, iso[3] === undefined ? 1 : Number(iso[3]));
  return t === '' ? Number.NaN : dateKey(Number(t));
}

function splitOot(c: Column, ootFrom: string): { inTime: number[]; oot: number[] } {
  const from = dateKey(ootFrom);
  if (Number.isNaN(from)) {
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `--oot-from must be an ISO date, yyyymmdd or a number, received ${JSON.stringify(ootFrom)}`,
      {
        path: ['ootFrom'],
        expected: 'a date',
        received: ootFrom,
      },
    );
  }
  const keys = c.kind === 'numeric' ? null : c.levels.map(dateKey);
  const n = c.kind === 'numeric' ? c.values.length : c.codes.length;
  const inTime: number[] = [];
  const oot: number[] = [];
  for (let i = 0; i < n; i++) {
    let k: number;
    let raw: unknown;
    if (c.kind === 'numeric') {
      raw = c.values[i];
      k = Number.isNaN(raw as number) ? Number.NaN : dateKey(raw as number);
    } else {
      const code = c.codes[i] as number;
      raw = code < 0 ? null : c.levels[code];
      k = code < 0 ? Number.NaN : ((keys as number[])[code] as number);
    }
    if (Number.isNaN(k)) {
      throw new RiskError(
        'E_DATA_INVALID',
        `date ${c.name} at row ${i + 1} is not a date, received ${JSON.stringify(raw)}`,
        {
          row: i + 1,
          column: c.name,
          expected: 'an ISO date, yyyymmdd or a number',
          received: raw,
        },
      );
    }
    (k >= from ? oot : inTime).push(i);
  }
  return { inTime, oot };
}

/** A seeded split of rows holding out `share` of each class (rounded), both returned in ascending order. */
export function stratifiedSplit(
  rows: readonly number[],
  y: Float64Array,
  share: number,
  seed: number,
): { train: Int32Array; validation: Int32Array } {
  const rng = new Rng(seed);
  const held: number[] = [];
  const kept: number[] = [];
  for (const cls of [0, 1]) {
    const idx = rows.filter((r) => y[r] === cls);
    rng.shuffle(idx);
    const k = Math.round(share * idx.length);
    held.push(...idx.slice(0, k));
    kept.push(...idx.slice(k));
  }
  return { train: Int32Array.from(kept).sort(), validation: Int32Array.from(held).sort() };
}

/**
 * Prepares any CSV frame for training: the target as 0/1, weights, excluded and id columns dropped,
 * special values typed per column, an out-of-time split by date and a seeded, stratified validation split.
 * @throws E_OPTIONS_INVALID for an unknown column or a bad option; E_DATA_INVALID for a bad target,
 *   weight or date, naming the row and value
 * @example const ds = prepareDataset(frame, { target: 'default', exclude: ['name'], seed: 1 });
 */
export function prepareDataset(frame: Frame, options: DatasetOptions): Dataset {
  const y = parseTarget(requireColumn(frame, options.target, 'target'), options.positive);
  const weight =
    options.weight === undefined ? undefined : parseWeight(requireColumn(frame, options.weight, 'weight'));
  const excluded: { column: string; reason: string }[] = [{ column: options.target, reason: 'target' }];
  if (options.weight !== undefined) excluded.push({ column: options.weight, reason: 'weight' });
  if (options.ootFrom !== undefined && options.date === undefined) {
    throw new RiskError('E_OPTIONS_INVALID', '--oot-from needs --date COL naming the date column', {
      path: ['date'],
      expected: 'a date column',
      received: undefined,
    });
  }
  let inTime = Array.from({ length: frame.nRows }, (_, i) => i);
  let oot: number[] = [];
  if (options.date !== undefined) {
    const c = requireColumn(frame, options.date, 'date');
    excluded.push({ column: options.date, reason: 'date' });
    if (options.ootFrom !== undefined) ({ inTime, oot } = splitOot(c, options.ootFrom));
  }
  for (const name of options.exclude ?? []) {
    requireColumn(frame, name, 'exclude');
    if (!excluded.some((e) => e.column === name)) excluded.push({ column: name, reason: 'excluded' });
  }
  if (options.autoExcludeIds ?? true) {
    for (const c of frame.columns) {
      if (excluded.some((e) => e.column === c.name)) continue;
      if (isIdColumn(c))
        excluded.push({ column: c.name, reason: 'id (named like an id, every value distinct)' });
      // A calendar date as a category would memorise the sample period, not describe risk.
      else if (isDateColumn(c))
        excluded.push({ column: c.name, reason: 'date (use --date for an out-of-time split)' });
    }
  }
  const x = frame.drop(excluded.map((e) => e.column));
  if (x.columns.length === 0) {
    throw new RiskError(
      'E_DATA_INVALID',
      'no feature column is left after excluding the target, weight, date, ids and --exclude',
      {
        expected: 'at least one feature column',
        received: frame.names,
      },
    );
  }
  const special: Record<string, (number | string)[]> = {};
  for (const [name, values] of Object.entries(options.special ?? {})) {
    const c = requireColumn(x, name, 'special');
    special[name] =
      c.kind === 'categorical'
        ? [...values]
        : values.map((v) => {
            const num = v.trim() === '' ? Number.NaN : Number(v);
            if (!Number.isFinite(num)) {
              throw new RiskError(
                'E_OPTIONS_INVALID',
                `--special ${name}: column ${name} is numeric, so its special values must be numbers, received ${JSON.stringify(v)}`,
                { path: ['special', name], expected: 'a number', received: v },
              );
            }
            return num;
          });
  }
  if (inTime.length === 0) {
    throw new RiskError(
      'E_DATA_INVALID',
      `no row is dated before --oot-from ${options.ootFrom}: nothing left to train on`,
      {
        path: ['ootFrom'],
        expected: 'rows before the out-of-time date',
        received: options.ootFrom,
      },
    );
  }
  const share = options.validationShare ?? 0.2;
  if (!(share >= 0 && share < 1)) {
    throw new RiskError('E_OPTIONS_INVALID', `validation share must be in [0, 1), received ${share}`, {
      path: ['validationShare'],
      expected: 'a number in [0, 1)',
      received: share,
    });
  }
  const { train, validation } = stratifiedSplit(inTime, y, share, options.seed ?? 0);
  return { x, y, weight, train, validation, oot: Int32Array.from(oot), special, excluded };
}

/**
 * The rows of one part of a dataset.
 * @example const { x, y } = datasetPart(ds, ds.train);
 */
export function datasetPart(ds: Dataset, rows: Int32Array): DataPart {
  return {
    x: ds.x.take(rows),
    y: pickRows(ds.y, rows),
    weight: ds.weight === undefined ? undefined : pickRows(ds.weight, rows),
  };
}

/**
 * The values at `rows`, in that order (labels or weights of a subset of rows).
 * @example pickRows(Float64Array.of(5, 6, 7), Int32Array.of(2, 0)) // Float64Array [7, 5]
 */
export function pickRows(values: ArrayLike<number>, rows: Int32Array): Float64Array {
  const out = new Float64Array(rows.length);
  for (let i = 0; i < rows.length; i++) out[i] = values[rows[i] as number] as number;
  return out;
}
