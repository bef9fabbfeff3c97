import { existsSync, readFileSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { formatPath, RiskError } from '../core/errors.js';
import { APPLICATIONS_FILE, type FileLayout, headerOf, SOURCE_FILES } from './layout.js';

/**
 * Column mappings: how a foreign layout (a 金税 invoice export, a bank's statement, an account manager's
 * Excel sheet) becomes the canonical one of src/ingest/layout.ts. A mapping is data (YAML or JSON), checked
 * by the zod schema below; each canonical file (`tables` key) is fed by one or more input tables (a CSV file
 * of the input folder, or a sheet of a workbook), and each canonical column by a rule: a rename, a constant,
 * a value map, a date or number reading, a sign convention, or a field derived from another.
 */

/**
 * How one canonical column is filled from an input row. A bare string is a rename (`from`); a list of
 * names takes the first non-empty of those columns.
 */
export const columnRuleSchema = z.union([
  z.string().min(1, 'expected an input column name'),
  z.array(z.string().min(1, 'expected an input column name')).min(1),
  z
    .object({
      /** The input column; with a list, the first non-empty one (企业代号 or 纳税人识别号). */
      from: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
      /** A constant for every row (the direction of a one-direction invoice file). */
      const: z.union([z.string(), z.number(), z.boolean()]).optional(),
      /** Input value → canonical value (有效发票 → valid); values not listed pass as they are. */
      values: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
      /** Read a date in any spelling (2017/7/18, 20170718, Excel serial days). */
      date: z.literal(true).optional(),
      /** Read a number in this unit: 万元 → yuan (`wan`), percent → fraction; separators and signs always. */
      unit: z.enum(['yuan', 'wan', 'percent']).optional(),
      /** Keep the magnitude of a signed number (a negative 价税合计 is a red-letter invoice). */
      abs: z.boolean().optional(),
      /** When this input column holds a negative number, the canonical value is `value` (status red). */
      negative: z
        .object({ from: z.string().min(1), value: z.string().min(1) })
        .strict()
        .optional(),
      /** With a list `from`: skip values equal to this column's (the counterparty is the other party). */
      notEqual: z.string().min(1).optional(),
      /** Derive the value: `entity-type` from the legal-form suffix of the name in `from`. */
      derive: z.enum(['entity-type']).optional(),
    })
    .strict()
    .refine((r) => (r.from === undefined) !== (r.const === undefined), {
      message: 'give exactly one of from and const',
    }),
]);
export type ColumnRule = z.infer<typeof columnRuleSchema>;

/** One input table feeding a canonical file. */
export const tableMappingSchema = z
  .object({
    /** The input: a file of the input folder (`发票.csv`), or a sheet of the workbook (`进项发票信息`). */
    file: z.string().min(1, 'expected a file or sheet name'),
    columns: z.record(z.string(), columnRuleSchema),
    /** applications only: borrower columns passed through to the feature file (a bank's rating, a segment). */
    extra: z
      .record(z.string().regex(/^[a-z][a-z0-9_]*$/, 'expected a snake_case name'), columnRuleSchema)
      .optional(),
  })
  .strict();
export type TableMapping = z.infer<typeof tableMappingSchema>;

/** The canonical files a mapping may fill: the layout's, plus outcomes (targets by borrower). */
export const MAPPED_FILES = [
  'applications',
  ...SOURCE_FILES.map((l) => l.file.replace(/\.csv$/, '')),
  'outcomes',
] as const;

export const mappingSchema = z
  .object({
    /** A shipped preset to start from (see `PRESETS`); this file's tables replace the preset's. */
    preset: z.string().optional(),
    description: z.string().optional(),
    /**
     * The as-of date when no applications table gives one: an ISO date, or `latest` — the day after the
     * latest date in the mapped data (an export is scored as of the day it was taken).
     */
    asOf: z
      .union([z.literal('latest'), z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected YYYY-MM-DD')])
      .default('latest'),
    /** Renames input files or sheets the preset names (`进项发票信息: purchases.csv`). */
    files: z.record(z.string(), z.string().min(1)).default({}),
    tables: z
      .record(z.string(), z.union([tableMappingSchema, z.array(tableMappingSchema).min(1)]))
      .default({}),
  })
  .strict();
export type Mapping = z.infer<typeof mappingSchema>;

/** A mapping with its tables as lists and checked against the canonical layout. */
export interface ResolvedMapping {
  readonly asOf: string;
  readonly tables: ReadonlyMap<string, readonly TableMapping[]>;
  readonly description?: string;
}

const PRESET_DIR = join(dirname(fileURLToPath(import.meta.url)), 'presets');

/** The names of the shipped presets (src/ingest/presets/*.yaml). */
export const PRESETS = ['jinshui', 'jinshui-one-file', 'canonical'] as const;

/** The layout of a canonical file name (`invoices` → invoices.csv's), or undefined for outcomes. */
export function layoutOf(name: string): FileLayout | undefined {
  if (name === 'applications') return APPLICATIONS_FILE;
  return SOURCE_FILES.find((l) => l.file === `${name}.csv`);
}

/** The canonical columns a mapping may fill in a file. */
function allowedColumns(name: string): readonly string[] | undefined {
  const layout = layoutOf(name);
  return layout === undefined ? undefined : headerOf(layout);
}

interface RawIssue {
  readonly path: readonly PropertyKey[];
  readonly message: string;
  readonly code?: string;
  readonly errors?: readonly (readonly RawIssue[])[];
}

/**
 * The most specific issue: inside a union (a rule may be a name, a list or an object), the issue that got
 * furthest into the value, so the message names the entry that is wrong rather than "Invalid input".
 */
function deepestIssue(
  issues: readonly RawIssue[],
  prefix: readonly (string | number)[],
): { path: (string | number)[]; message: string } {
  let best: { path: (string | number)[]; message: string } | undefined;
  for (const issue of issues) {
    const path = [...prefix, ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    const found =
      issue.code === 'invalid_union' && issue.errors !== undefined && issue.errors.length > 0
        ? issue.errors
            .map((branch) => deepestIssue(branch, path))
            .reduce((a, b) => (b.path.length > a.path.length ? b : a))
        : { path, message: issue.message };
    if (best === undefined || found.path.length > best.path.length) best = found;
  }
  return best ?? { path: [...prefix], message: 'invalid' };
}

function invalid(source: string, path: readonly (string | number)[], message: string): RiskError {
  return new RiskError('E_MAPPING_INVALID', `${source}: mapping ${formatPath(path)}: ${message}`, {
    file: source,
    path,
  });
}

/**
 * Checks a parsed mapping (from a file, a preset or memory): the zod schema, then every table against the
 * canonical layout. Each error names the entry (`tables.invoices[1].columns.amout`).
 * @throws E_MAPPING_INVALID naming the entry, what was expected and what was received
 * @example resolveMapping(parseYaml(text), 'mine.yaml')
 */
export function resolveMapping(value: unknown, source = '(mapping)'): ResolvedMapping {
  const parsed = mappingSchema.safeParse(value);
  if (!parsed.success) {
    const { path, message } = deepestIssue(parsed.error.issues, []);
    throw invalid(source, path, message);
  }
  const m = parsed.data;
  const base = m.preset === undefined ? undefined : loadPreset(m.preset, source);
  const tables = new Map<string, TableMapping[]>(
    base === undefined ? [] : [...base.tables].map(([k, v]) => [k, [...v]]),
  );
  for (const [name, t] of Object.entries(m.tables)) tables.set(name, Array.isArray(t) ? t : [t]);
  for (const [name, list] of tables) {
    if (!(MAPPED_FILES as readonly string[]).includes(name))
      throw invalid(
        source,
        ['tables', name],
        `unknown canonical file ${JSON.stringify(name)}; expected one of ${MAPPED_FILES.join(', ')}`,
      );
    const allowed = allowedColumns(name);
    list.forEach((t, i) => {
      const at = ['tables', name, i];
      if (t.columns.borrower_id === undefined)
        throw invalid(
          source,
          [...at, 'columns'],
          'expected a borrower_id rule (the column holding the borrower id)',
        );
      for (const col of Object.keys(t.columns)) {
        if (allowed !== undefined && !allowed.includes(col))
          throw invalid(
            source,
            [...at, 'columns', col],
            `unknown canonical column; expected one of ${allowed.join(', ')}`,
          );
      }
      if (t.extra !== undefined && name !== 'applications')
        throw invalid(
          source,
          [...at, 'extra'],
          'extra columns pass through from the applications table only',
        );
    });
    if (m.files !== undefined)
      tables.set(
        name,
        list.map((t) => ({ ...t, file: m.files[t.file] ?? t.file })),
      );
  }
  return {
    asOf: m.asOf,
    tables,
    ...(m.description === undefined
      ? base?.description === undefined
        ? {}
        : { description: base.description }
      : { description: m.description }),
  };
}

function loadPreset(name: string, from: string): ResolvedMapping {
  if (!(PRESETS as readonly string[]).includes(name))
    throw invalid(
      from,
      ['preset'],
      `unknown preset ${JSON.stringify(name)}; expected one of ${PRESETS.join(', ')}`,
    );
  if (name === 'canonical') return identityMapping();
  return loadMapping(join(PRESET_DIR, `${name}.yaml`));
}

/**
 * Reads a mapping file (YAML or JSON), or a shipped preset by name (`--mapping jinshui`).
 * @throws E_IO for a missing file, E_MAPPING_INVALID for a bad one (naming the entry)
 * @example const m = loadMapping('jinshui');
 */
export function loadMapping(pathOrPreset: string): ResolvedMapping {
  if (!existsSync(pathOrPreset) && (PRESETS as readonly string[]).includes(pathOrPreset))
    return loadPreset(pathOrPreset, pathOrPreset);
  if (!existsSync(pathOrPreset))
    throw new RiskError(
      'E_IO',
      `--mapping ${pathOrPreset}: no such file, and not a preset (${PRESETS.join(', ')})`,
      { file: pathOrPreset },
    );
  const text = readFileSync(pathOrPreset, 'utf8');
  let value: unknown;
  try {
    value = extname(pathOrPreset) === '.json' ? JSON.parse(text) : parseYaml(text, { merge: true });
  } catch (err) {
    throw new RiskError(
      'E_MAPPING_INVALID',
      `${pathOrPreset}: not valid YAML/JSON: ${(err as Error).message}`,
      {
        file: pathOrPreset,
      },
    );
  }
  return resolveMapping(value, pathOrPreset);
}

/**
 * The mapping that reads the canonical layout as it is (a workbook with one sheet per file of the layout,
 * named `invoices` or `invoices.csv`): one table per canonical file among `available` (the input's table
 * names; all when not given).
 */
export function identityMapping(available?: readonly string[]): ResolvedMapping {
  const tables = new Map<string, TableMapping[]>();
  const stems = available?.map((n) => n.replace(/\.csv$/i, ''));
  for (const name of MAPPED_FILES) {
    if (stems !== undefined && !stems.includes(name)) continue;
    const layout = layoutOf(name);
    const header = layout === undefined ? ['borrower_id'] : headerOf(layout);
    tables.set(name, [{ file: name, columns: Object.fromEntries(header.map((h) => [h, h])) }]);
  }
  return { asOf: 'latest', tables };
}

/**
 * The mapping for an input: the named file or preset, or — without one, or with `canonical` — the identity
 * mapping over the input's own tables.
 * @example resolveFor(await openInput('book.xlsx'), undefined)
 */
export function resolveFor(
  source: { readonly names: readonly string[] },
  mapping: string | undefined,
): ResolvedMapping {
  return mapping === undefined || mapping === 'canonical'
    ? identityMapping(source.names)
    : loadMapping(mapping);
}
