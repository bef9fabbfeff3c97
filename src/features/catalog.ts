import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { describeValue, formatPath, RiskError } from '../core/errors.js';
import { CATALOG_SOURCES, SOURCE_SPECS, type TableSpec } from './sources.js';

/**
 * The feature catalog: features as data (JSON files in `features/`), validated at load. Each entry names
 * its source, an aggregation family, the field and filters it reads, a month window, its unit, the
 * expected monotone direction (`increasing`: a higher value means higher risk), how undefined values are
 * filled, and a description in Chinese and English.
 *
 * Month windows: month 0 is the as-of month (its days up to the as-of date); a window of W months covers
 * the W complete calendar months before the as-of month (months 1..W). `includeAsOfMonth` adds month 0,
 * for event counts where last week's inquiry must not be missed. Records dated after the as-of date are
 * ignored. A source absent from the application gives NaN for all its features, never 0.
 */

/** The aggregation families the engine implements. */
export const AGGREGATIONS = [
  'value',
  'sum',
  'mean',
  'min',
  'max',
  'last',
  'count',
  'months_with',
  'months_since',
  'max_run',
  'growth',
  'slope',
  'cv',
  'top_share',
  'hhi',
  'distinct',
  'ratio',
  'custom',
] as const;
export type Aggregation = (typeof AGGREGATIONS)[number];

/** The longest window a catalog entry may ask for, in months. */
export const MAX_WINDOW = 120;

const filterValue = z.union([z.string(), z.boolean()]);

/** The zod schema of one catalog entry (structure only; cross-field rules are checked after it). */
export const catalogEntrySchema = z
  .object({
    name: z
      .string()
      .regex(/^[a-z][a-z0-9_]*$/, 'expected snake_case: a-z, 0-9 and _, starting with a letter'),
    type: z.enum(['numeric', 'categorical']).default('numeric'),
    source: z.enum(CATALOG_SOURCES),
    table: z.string().min(1).optional(),
    aggregation: z.enum(AGGREGATIONS),
    field: z.string().min(1).optional(),
    window: z.number().int().min(1).max(MAX_WINDOW).optional(),
    includeAsOfMonth: z.boolean().default(false),
    filters: z.record(z.string(), z.union([filterValue, z.array(filterValue).min(1)])).default({}),
    numerator: z.string().min(1).optional(),
    denominator: z.string().min(1).optional(),
    function: z.string().min(1).optional(),
    inputs: z.array(z.string().min(1)).default([]),
    params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
    unit: z.string().min(1),
    direction: z.enum(['increasing', 'decreasing', 'none']),
    missing: z
      .object({
        /** The value given when the aggregation is undefined on present data (no event, 0 denominator). */
        onUndefined: z.union([z.literal('nan'), z.number()]).default('nan'),
        /** Values with a special meaning that binning should keep in a bin of their own. */
        special: z.array(z.number()).default([]),
      })
      .strict()
      .default({ onUndefined: 'nan', special: [] }),
    description: z.object({ zh: z.string().trim().min(1), en: z.string().trim().min(1) }).strict(),
  })
  .strict();

/** One validated catalog entry. */
export type CatalogEntry = z.infer<typeof catalogEntrySchema>;
/** What a catalog file may hold before defaults are applied. */
export type CatalogEntryInput = z.input<typeof catalogEntrySchema>;

/** Where an entry came from, for error messages. */
export interface EntryOrigin {
  readonly file: string;
  /** The entry's index inside its file. */
  readonly index: number;
}

/** A validated catalog: entries in output order, with where each came from. */
export interface Catalog {
  readonly entries: readonly CatalogEntry[];
  readonly origins: readonly EntryOrigin[];
}

const fileSchema = z.object({ description: z.string().optional(), features: z.array(z.unknown()) }).strict();

/** Aggregations over a record table's month series. */
const SERIES_AGGREGATIONS: ReadonlySet<Aggregation> = new Set([
  'sum',
  'mean',
  'min',
  'max',
  'last',
  'count',
  'months_with',
  'months_since',
  'max_run',
  'growth',
  'slope',
  'cv',
]);
/** Aggregations that need a window (those whose value over all history has no clear meaning). */
const NEEDS_WINDOW: ReadonlySet<Aggregation> = new Set([
  'mean',
  'min',
  'last',
  'months_with',
  'months_since',
  'max_run',
  'growth',
  'slope',
  'cv',
  'top_share',
  'hhi',
  'distinct',
]);
/** Aggregations whose field defaults to `count` (records): e.g. months with any invoice. */
const COUNT_DEFAULT: ReadonlySet<Aggregation> = new Set([
  'count',
  'distinct',
  'months_with',
  'months_since',
  'max_run',
]);
/** Aggregations for which the partial as-of month may join the window (no per-month average is taken). */
const AS_OF_MONTH_OK: ReadonlySet<Aggregation> = new Set(['sum', 'count', 'max', 'months_since']);

function where(origin: EntryOrigin, position: number, name: string | undefined): string {
  const label = name === undefined ? '' : ` "${name}"`;
  return `${origin.file} entry ${origin.index}${label} (catalog index ${position})`;
}

function fail(
  origin: EntryOrigin,
  position: number,
  name: string | undefined,
  field: string,
  msg: string,
): never {
  throw new RiskError('E_FEATURE_CATALOG', `${where(origin, position, name)}: ${field}: ${msg}`, {
    file: origin.file,
    index: origin.index,
    position,
    entry: name,
    path: [field],
  });
}

/** The table an entry reads, or undefined for scalar and derived entries. */
export function entryTable(entry: CatalogEntry): TableSpec | undefined {
  const spec = SOURCE_SPECS[entry.source];
  const key = entry.table ?? spec.defaultTable;
  return key === undefined ? undefined : spec.tables[key];
}

/** Checks one entry's cross-field rules against the source registry. */
function checkEntry(e: CatalogEntry, origin: EntryOrigin, pos: number): void {
  const f: (field: string, msg: string) => never = (field, msg) => fail(origin, pos, e.name, field, msg);
  const spec = SOURCE_SPECS[e.source];
  const agg = e.aggregation;
  const derived = agg === 'ratio' || agg === 'custom';
  if (e.source === 'derived' && !derived)
    f('source', `"derived" is only for ratio and custom, received ${agg}`);
  if (agg !== 'ratio' && (e.numerator !== undefined || e.denominator !== undefined))
    f('numerator', `only a ratio has a numerator and denominator, received aggregation ${agg}`);
  if (agg !== 'custom' && e.function !== undefined)
    f('function', `only a custom feature names a function, received aggregation ${agg}`);
  if (!derived && e.inputs.length > 0)
    f('inputs', `only ratio and custom features take inputs, received ${agg}`);
  if (e.type === 'categorical' && agg !== 'value')
    f('type', `a categorical feature must use aggregation "value", received ${agg}`);
  if (e.includeAsOfMonth && !AS_OF_MONTH_OK.has(agg))
    f('includeAsOfMonth', `allowed only with ${[...AS_OF_MONTH_OK].join(', ')}, received ${agg}`);

  if (agg === 'value') {
    if (e.field === undefined)
      f('field', `expected one of ${Object.keys(spec.scalars).join(', ')}, received nothing`);
    const scalar = spec.scalars[e.field as string];
    if (scalar === undefined) {
      const allowed = Object.keys(spec.scalars);
      f(
        'field',
        `source ${e.source} has ${allowed.length === 0 ? 'no scalar fields' : `scalar fields ${allowed.join(', ')}`}, received ${describeValue(e.field)}`,
      );
    }
    if (scalar.type !== e.type) f('type', `field ${e.field} is ${scalar.type}, received type ${e.type}`);
    if (e.window !== undefined) f('window', `a value has no window, received ${e.window}`);
    if (Object.keys(e.filters).length > 0) f('filters', 'a value takes no filters');
    if (e.table !== undefined) f('table', `a value reads no table, received ${describeValue(e.table)}`);
    return;
  }
  if (derived) {
    if (e.field !== undefined || e.table !== undefined || e.window !== undefined)
      f('field', `a ${agg} feature reads other features, not a field, table or window`);
    if (Object.keys(e.filters).length > 0) f('filters', `a ${agg} feature takes no filters`);
    if (agg === 'ratio') {
      if (e.numerator === undefined) f('numerator', 'expected the name of a feature, received nothing');
      if (e.denominator === undefined) f('denominator', 'expected the name of a feature, received nothing');
      if (e.source !== 'derived') f('source', `a ratio's source is "derived", received ${e.source}`);
      if (e.inputs.length > 0) f('inputs', 'a ratio names its inputs as numerator and denominator');
    } else if (e.function === undefined) {
      f('function', 'expected the name of a registered custom function, received nothing');
    }
    return;
  }

  // A record aggregation.
  const tableNames = Object.keys(spec.tables);
  if (tableNames.length === 0)
    f('aggregation', `source ${e.source} has no record tables, so ${agg} does not apply; use "value"`);
  if (e.table !== undefined && spec.tables[e.table] === undefined)
    f('table', `source ${e.source} has tables ${tableNames.join(', ')}, received ${describeValue(e.table)}`);
  const table = entryTable(e);
  if (table === undefined) f('table', `source ${e.source} needs a table: one of ${tableNames.join(', ')}`);
  const t = table as TableSpec;
  const concentration = agg === 'top_share' || agg === 'hhi' || agg === 'distinct';
  if (concentration && !t.counterparty)
    f('aggregation', `${agg} needs records with a counterparty (invoices), received source ${e.source}`);
  if (!concentration && !SERIES_AGGREGATIONS.has(agg)) f('aggregation', `unsupported aggregation ${agg}`);

  if (concentration) {
    // The scanner keeps each counterparty's amount; distinct counts the counterparties.
    const want = agg === 'distinct' ? 'count' : 'amount';
    if (e.field !== undefined && e.field !== want)
      f(
        'field',
        `${agg} is computed over counterparty amounts; omit field or use "${want}", received ${describeValue(e.field)}`,
      );
  }
  const fieldName =
    e.field ??
    (concentration
      ? agg === 'distinct'
        ? 'count'
        : 'amount'
      : COUNT_DEFAULT.has(agg)
        ? 'count'
        : undefined);
  if (fieldName === undefined)
    f('field', `expected one of ${Object.keys(t.fields).join(', ')}, received nothing`);
  const field = t.fields[fieldName as string];
  if (field === undefined)
    f(
      'field',
      `table ${t.id} has fields ${Object.keys(t.fields).join(', ')}, received ${describeValue(fieldName)}`,
    );
  if (agg === 'count' && fieldName !== 'count')
    f('field', `count counts records; omit field, received ${fieldName}`);
  if (agg === 'sum' && field.reduce !== 'sum')
    f(
      'field',
      `sum needs a flow field, ${fieldName} is a ${field.reduce === 'mean' ? 'level' : 'worst-of'} field`,
    );

  if (!t.dated) {
    if (e.window !== undefined)
      f('window', `table ${t.id} is undated, so it takes no window, received ${e.window}`);
    if (!['sum', 'count', 'max'].includes(agg))
      f('aggregation', `table ${t.id} is undated: only sum, count and max apply, received ${agg}`);
  } else if (NEEDS_WINDOW.has(agg) && e.window === undefined) {
    f('window', `${agg} needs a window in months (1-${MAX_WINDOW}), received nothing`);
  }
  if (agg === 'growth' && (e.window as number) * 2 > MAX_WINDOW)
    f('window', `growth compares two windows, so 2 × window must be ≤ ${MAX_WINDOW}, received ${e.window}`);
  if (agg === 'top_share') {
    const k = e.params.k;
    if (typeof k !== 'number' || !Number.isInteger(k) || k < 1)
      f('params.k', `top_share needs an integer k ≥ 1, received ${describeValue(k)}`);
  }
  for (const [dimName, raw] of Object.entries(e.filters)) {
    const dim = t.dims.find((d) => d.name === dimName);
    if (dim === undefined) {
      const names = t.dims.map((d) => d.name);
      f(
        `filters.${dimName}`,
        `table ${t.id} ${names.length === 0 ? 'has no filters' : `filters on ${names.join(', ')}`}, received ${dimName}`,
      );
    }
    for (const v of Array.isArray(raw) ? raw : [raw]) {
      if (!dim.values.includes(String(v)))
        f(`filters.${dimName}`, `expected one of ${dim.values.join(', ')}, received ${describeValue(v)}`);
    }
  }
}

/** Checks references between entries: unique names, known ratio operands, no cycles. */
function checkReferences(entries: readonly CatalogEntry[], origins: readonly EntryOrigin[]): void {
  const byName = new Map<string, number>();
  entries.forEach((e, i) => {
    const first = byName.get(e.name);
    if (first !== undefined) {
      const o = origins[first] as EntryOrigin;
      fail(
        origins[i] as EntryOrigin,
        i,
        e.name,
        'name',
        `duplicate name, first defined at ${o.file} entry ${o.index}`,
      );
    }
    byName.set(e.name, i);
  });
  const refsOf = (e: CatalogEntry): [string, string][] =>
    e.aggregation === 'ratio'
      ? [
          ['numerator', e.numerator as string],
          ['denominator', e.denominator as string],
        ]
      : e.inputs.map((n, k) => [`inputs[${k}]`, n]);
  entries.forEach((e, i) => {
    for (const [field, ref] of refsOf(e)) {
      const j = byName.get(ref);
      if (j === undefined)
        fail(origins[i] as EntryOrigin, i, e.name, field, `unknown feature ${describeValue(ref)}`);
      if ((entries[j] as CatalogEntry).type !== 'numeric')
        fail(
          origins[i] as EntryOrigin,
          i,
          e.name,
          field,
          `feature ${ref} is categorical; expected a numeric one`,
        );
    }
  });
  // Depth-first search for a cycle among ratio and custom inputs.
  const state = new Uint8Array(entries.length);
  const visit = (i: number): void => {
    if (state[i] === 2) return;
    const e = entries[i] as CatalogEntry;
    if (state[i] === 1) fail(origins[i] as EntryOrigin, i, e.name, 'inputs', 'the feature depends on itself');
    state[i] = 1;
    for (const [, ref] of refsOf(e)) visit(byName.get(ref) as number);
    state[i] = 2;
  };
  for (let i = 0; i < entries.length; i++) visit(i);
}

/**
 * Validates raw catalog entries (as read from JSON) and applies defaults.
 * @param raw the entries, in output order
 * @param origins where each came from (defaults to `catalog entry i`)
 * @throws E_FEATURE_CATALOG naming the entry (file, index, name) and the field at fault
 * @example const catalog = validateCatalog([{ name: 'request_amount', source: 'request', … }]);
 */
export function validateCatalog(raw: readonly unknown[], origins?: readonly EntryOrigin[]): Catalog {
  const from = origins ?? raw.map((_, index) => ({ file: 'catalog', index }));
  const entries = raw.map((item, i) => {
    const origin = from[i] as EntryOrigin;
    const r = catalogEntrySchema.safeParse(item);
    const name =
      item !== null && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string'
        ? ((item as { name: string }).name as string)
        : undefined;
    if (!r.success) {
      const issue = r.error.issues[0] as z.core.$ZodIssue;
      const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
      const received = path.reduce<unknown>(
        (v, p) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[p] : undefined),
        item,
      );
      fail(origin, i, name, formatPath(path), `${issue.message}, received ${describeValue(received)}`);
    }
    checkEntry(r.data, origin, i);
    return r.data;
  });
  checkReferences(entries, from);
  return { entries, origins: from };
}

/** The repository's `features/` folder, found from this module whether run from src/ or dist/src/. */
export function defaultCatalogDir(): string {
  for (const up of ['../../features', '../../../features']) {
    const dir = fileURLToPath(new URL(up, import.meta.url));
    if (existsSync(join(dir, '.')) && readdirSync(dir).some((f) => f.endsWith('.json'))) return dir;
  }
  throw new RiskError(
    'E_FEATURE_CATALOG',
    'no catalog found: expected JSON files in the repository features/ folder',
  );
}

/**
 * Loads and validates every `*.json` file of a catalog folder, in file-name order (files are numbered so
 * that the output column order is stable). Each file is `{ "description"?: string, "features": [...] }`.
 * @param dir the folder; defaults to the repository's `features/`
 * @throws E_FEATURE_CATALOG naming the file, the entry and the field at fault; E_IO when unreadable
 * @example const catalog = loadCatalog(); catalog.entries.length // 100
 */
export function loadCatalog(dir: string = defaultCatalogDir()): Catalog {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort();
  } catch (err) {
    throw new RiskError('E_IO', `cannot read the catalog folder ${dir}: ${(err as Error).message}`, {
      file: dir,
    });
  }
  if (files.length === 0)
    throw new RiskError('E_FEATURE_CATALOG', `${dir} holds no catalog JSON files`, { file: dir });
  const raw: unknown[] = [];
  const origins: EntryOrigin[] = [];
  for (const file of files) {
    const label = `features/${file}`;
    let doc: unknown;
    try {
      doc = JSON.parse(readFileSync(join(dir, file), 'utf8'));
    } catch (err) {
      throw new RiskError('E_FEATURE_CATALOG', `${label}: not valid JSON: ${(err as Error).message}`, {
        file: label,
      });
    }
    const parsed = fileSchema.safeParse(doc);
    if (!parsed.success)
      throw new RiskError(
        'E_FEATURE_CATALOG',
        `${label}: expected { "features": [ ... ] }: ${parsed.error.issues[0]?.message}`,
        {
          file: label,
        },
      );
    parsed.data.features.forEach((entry, index) => {
      raw.push(entry);
      origins.push({ file: label, index });
    });
  }
  return validateCatalog(raw, origins);
}

let defaultCatalog: Catalog | undefined;
let descriptions: Map<string, { zh: string; en: string; unit: string; direction: string }> | undefined;

/** The repository's catalog, loaded once. */
export function getDefaultCatalog(): Catalog {
  defaultCatalog ??= loadCatalog();
  return defaultCatalog;
}

/**
 * The texts of a feature of the repository's catalog, for reason codes and reports.
 * @returns undefined when the catalog has no such feature
 * @example describeFeature('tax_revenue_growth_12m')?.zh // '近12个月纳税申报收入同比增长率'
 */
export function describeFeature(
  name: string,
): { zh: string; en: string; unit: string; direction: string } | undefined {
  if (descriptions === undefined) {
    descriptions = new Map();
    for (const e of getDefaultCatalog().entries)
      descriptions.set(e.name, {
        zh: e.description.zh,
        en: e.description.en,
        unit: e.unit,
        direction: e.direction,
      });
  }
  return descriptions.get(name);
}
