import { join } from 'node:path';
import type { z } from 'zod';
import { CsvWriter } from '../core/csv.js';
import { describeValue, RiskError } from '../core/errors.js';
import { columnsHint } from '../core/frame.js';
import { buildRecord, columnPlans } from './cells.js';
import { APPLICATIONS_FILE, type FileLayout, headerOf, type SourceTag } from './layout.js';
import { type ColumnRule, layoutOf, type ResolvedMapping, type TableMapping } from './mapping.js';
import {
  bankFlowSchema,
  enterpriseSchema,
  facilitySchema,
  guaranteeGivenSchema,
  inquirySchema,
  invoiceSchema,
  isIsoDate,
  judicialRecordSchema,
  ownerSchema,
  socialInsuranceMonthSchema,
  taxFilingSchema,
  taxSchema,
  utilityMonthSchema,
} from './schemas.js';
import type { InputSource, InputTable } from './tables.js';
import { entityTypeOfName, parseDate, parseMonth, parseNumber } from './values.js';

/**
 * Applies a column mapping to an input (src/ingest/tables.ts), writing the canonical layout: each input
 * row is mapped cell by cell and checked against its source's schema on its own, so one bad invoice is
 * rejected alone (counted, with the reason) rather than taking its borrower with it. When the input has no
 * applications table (an invoice export holds none), one application per borrower id seen is derived,
 * listing the mapped sources. Every input row ends up mapped or rejected: read = mapped + rejected.
 */

/** Longest message kept in a reject or an example (the first failure of the issue's trial was 1.37 MB). */
export const MAX_MESSAGE = 300;

/** Caps a message's length, saying how much was cut. */
export function capMessage(message: string, max = MAX_MESSAGE): string {
  return message.length <= max
    ? message
    : `${message.slice(0, max - 30)}… (${message.length - max + 30} more characters)`;
}

/** What a column of an input table gave. */
export interface ColumnCount {
  /** Rows whose input cell was not empty. */
  parsed: number;
  /** Rows given a canonical value. */
  mapped: number;
  /** Rows rejected because of this column. */
  rejected: number;
  /** Up to three rejected values with the reason. */
  readonly examples: string[];
}

/** What one input table gave a canonical file. */
export interface TableCount {
  readonly canonical: string;
  readonly input: string;
  read: number;
  mapped: number;
  rejected: number;
  readonly columns: Map<string, ColumnCount>;
}

/** A mapped row that was rejected. */
export interface MappingReject {
  readonly borrowerId: string;
  readonly file: string;
  readonly row: number;
  readonly column: string;
  readonly message: string;
}

/** Options of `mapInput`. */
export interface MapOptions {
  /** The folder to write the canonical layout into; without it nothing is written (`ingest check`). */
  readonly out?: string;
  /** Called for each rejected row; throw from it to stop at the first (`--strict`). */
  readonly onReject?: (reject: MappingReject) => void | Promise<void>;
}

/** What a mapping run did. */
export interface MapResult {
  readonly tables: readonly TableCount[];
  /** Borrowers with an application (given or derived). */
  readonly borrowers: number;
  readonly asOf: string | undefined;
  /** Canonical files written, by name (`invoices.csv`). */
  readonly files: readonly string[];
  /** Names of the extra borrower columns written to extras.csv. */
  readonly extras: readonly string[];
  /** Names of the outcome columns written to outcomes.csv. */
  readonly outcomes: readonly string[];
}

/** The row schema each canonical source file is checked against. */
const ROW_SCHEMAS: Readonly<Record<string, z.ZodType>> = {
  'enterprise.csv': enterpriseSchema,
  'owner.csv': ownerSchema,
  'tax_grades.csv': taxSchema.pick({ creditGrade: true }),
  'tax_filings.csv': taxFilingSchema,
  'invoices.csv': invoiceSchema,
  'bank_flows.csv': bankFlowSchema,
  'bureau_facilities.csv': facilitySchema,
  'bureau_guarantees.csv': guaranteeGivenSchema,
  'bureau_inquiries.csv': inquirySchema,
  'judicial.csv': judicialRecordSchema,
  'utilities.csv': utilityMonthSchema,
  'social_insurance.csv': socialInsuranceMonthSchema,
};

const isDateColumn = (c: string): boolean => c === 'as_of' || c === 'date' || c.endsWith('_date');
const isMonthColumn = (c: string): boolean => c === 'month';

type Cells = readonly unknown[];
/** A compiled rule: the canonical text of a row's cell (undefined: empty), or an error message. */
type Compiled = (cells: Cells) => { value: string | undefined; error?: string; received?: unknown };

function indexOf(table: InputTable, column: string, at: string): number {
  const i = table.header.indexOf(column);
  if (i < 0)
    throw new RiskError(
      'E_MAPPING_COLUMN',
      `mapping ${at}: input column ${JSON.stringify(column)} is not in ${table.where}; its ${columnsHint(table.header, column)}`,
      { file: table.where, column, path: at.split('.') },
    );
  return i;
}

const text = (v: unknown): string => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v).trim());

function compileRule(rule: ColumnRule, canonical: string, table: InputTable, at: string): Compiled {
  const r = typeof rule === 'string' || Array.isArray(rule) ? { from: rule } : rule;
  if (r.const !== undefined) {
    const value = String(r.const);
    return () => ({ value });
  }
  // Of a list of alternatives (企业代号 or 纳税人识别号), those the table has; at least one must be there.
  const names = Array.isArray(r.from) ? r.from : [r.from as string];
  const present = names.filter((c) => table.header.includes(c));
  const froms = (present.length > 0 ? present : names.slice(0, 1)).map((c) =>
    indexOf(table, c, `${at}.from`),
  );
  const neg = r.negative === undefined ? -1 : indexOf(table, r.negative.from, `${at}.negative.from`);
  const other = r.notEqual === undefined ? -1 : indexOf(table, r.notEqual, `${at}.notEqual`);
  const values = r.values;
  const asDate = r.date === true || isDateColumn(canonical);
  const asMonth = isMonthColumn(canonical);
  const asNumber = r.unit !== undefined || r.abs === true;
  return (cells) => {
    if (neg >= 0 && r.negative !== undefined) {
      const n = parseNumber(cells[neg]);
      if (n !== undefined && n < 0) return { value: r.negative.value };
    }
    let raw: unknown;
    const self = other >= 0 ? text(cells[other] ?? '') : undefined;
    for (const i of froms) {
      raw = cells[i];
      if (raw !== undefined && raw !== '' && (self === undefined || text(raw) !== self)) break;
      raw = undefined;
    }
    if (raw === undefined || (typeof raw === 'string' && raw.trim() === '')) return { value: undefined };
    if (r.derive === 'entity-type') return { value: entityTypeOfName(raw) };
    if (values !== undefined) {
      const hit = values[text(raw)];
      if (hit !== undefined) return { value: String(hit) };
    }
    if (asMonth) {
      const m = parseMonth(raw);
      return m === undefined
        ? { value: undefined, error: 'expected a month (2017-07, 2017/7, 201707 or a date)', received: raw }
        : { value: m };
    }
    if (asDate) {
      const d = parseDate(raw);
      return d === undefined
        ? {
            value: undefined,
            error: 'expected a date (2017-07-18, 2017/7/18, 20170718 or an Excel serial day)',
            received: raw,
          }
        : { value: d };
    }
    if (asNumber) {
      const n = parseNumber(raw, r.unit ?? 'yuan');
      if (n === undefined) return { value: undefined, error: 'expected a number', received: raw };
      return { value: String(r.abs === true ? Math.abs(n) : n) };
    }
    if (typeof raw === 'number') return { value: String(raw) };
    return { value: text(raw) };
  };
}

/** The tag a canonical source file contributes to an application's `sources` column. */
function tagsOf(layout: FileLayout): SourceTag[] {
  if (layout.bySubject) return ['bureau.enterprise', 'bureau.owner'];
  return [layout.source as SourceTag];
}

/** A canonical file being written (or only counted). */
class Output {
  private writer: CsvWriter | undefined;
  constructor(
    readonly name: string,
    readonly header: readonly string[],
    dir: string | undefined,
  ) {
    if (dir !== undefined) this.writer = new CsvWriter(join(dir, name), header);
  }
  async write(cells: readonly unknown[]): Promise<void> {
    await this.writer?.write(cells);
  }
  async close(): Promise<void> {
    await this.writer?.close();
  }
}

/** The day after an ISO date. */
function dayAfter(iso: string): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

/** The last day of a YYYY-MM month. */
function monthEnd(month: string): string {
  const [y, m] = month.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).toISOString().slice(0, 10);
}

function mappingTable(source: InputSource, t: TableMapping, at: string): InputTable {
  const table = source.table(t.file);
  if (table === undefined)
    throw new RiskError(
      'E_MAPPING_COLUMN',
      `mapping ${at}.file: ${JSON.stringify(t.file)} is not in ${source.path}; it holds ${source.names.join(', ') || 'no tables'}`,
      { file: source.path, path: [...at.split('.'), 'file'] },
    );
  return table;
}

/**
 * Maps an input onto the canonical layout (see the module comment).
 * @throws E_MAPPING_COLUMN when the mapping names an input file or column that is not there;
 *   E_MAPPING_INVALID when `asOf: latest` finds no date
 * @example const r = await mapInput(await openInput('export.xlsx'), loadMapping('jinshui'), { out: 'canon' });
 */
export async function mapInput(
  source: InputSource,
  mapping: ResolvedMapping,
  options: MapOptions = {},
): Promise<MapResult> {
  const counts: TableCount[] = [];
  const files: string[] = [];
  /** Borrower ids in order of first appearance, with the single-row sources each has a row of. */
  const borrowers = new Map<string, Set<string>>();
  const manyTags = new Set<SourceTag>();
  let latest = '';

  const reject = async (r: MappingReject): Promise<void> => {
    await options.onReject?.({ ...r, message: capMessage(r.message) });
  };
  /** Counts a rejected row (with an example on its column) and reports it. */
  const rejectRow = async (
    count: TableCount,
    table: InputTable,
    row: number,
    id: string,
    problem: { column: string; message: string },
  ): Promise<void> => {
    count.rejected++;
    const c = count.columns.get(problem.column);
    if (c !== undefined && c.examples.length < 3 && !c.examples.includes(problem.message))
      c.examples.push(problem.message);
    await reject({
      borrowerId: id,
      file: table.where,
      row,
      column: problem.column,
      message: `${table.where} row ${row} column ${problem.column}: ${problem.message}`,
    });
  };

  // Sources first: their ids and dates decide the derived applications and `asOf: latest`.
  for (const [name, list] of mapping.tables) {
    const layout = layoutOf(name);
    if (layout === undefined || layout === APPLICATIONS_FILE) continue;
    const header = headerOf(layout);
    const out = new Output(layout.file, header, options.out);
    files.push(layout.file);
    const schema = ROW_SCHEMAS[layout.file] as z.ZodType;
    const base = layout.bySubject ? ['bureau', 'enterprise', ...layout.target] : layout.target;
    const plans = columnPlans(layout, base);
    const offset = layout.bySubject ? 2 : 1;
    for (const tag of tagsOf(layout)) if (layout.many) manyTags.add(tag);
    for (let ti = 0; ti < list.length; ti++) {
      const t = list[ti] as TableMapping;
      const at = `tables.${name}[${ti}]`;
      const table = mappingTable(source, t, at);
      const rules = header.map((col) => {
        const rule = t.columns[col];
        return rule === undefined ? undefined : compileRule(rule, col, table, `${at}.columns.${col}`);
      });
      const count = newCount(layout.file, table.where, header);
      counts.push(count);
      const dateCols = header.map((c) => isDateColumn(c) || isMonthColumn(c));
      for await (const { row, cells } of table.rows()) {
        count.read++;
        const canonical: (string | undefined)[] = [];
        let problem: { column: string; message: string } | undefined;
        header.forEach((col, i) => {
          const rule = rules[i];
          const c = count.columns.get(col) as ColumnCount;
          if (rule === undefined) {
            canonical.push(undefined);
            return;
          }
          const got = rule(cells);
          if (got.error !== undefined) {
            c.rejected++;
            const msg = `${got.error}, received ${describeValue(got.received instanceof Date ? got.received.toISOString() : got.received)}`;
            if (c.examples.length < 3) c.examples.push(msg);
            problem ??= { column: col, message: msg };
          } else if (got.value !== undefined) c.mapped++;
          canonical.push(got.value);
        });
        for (const [i, rule] of rules.entries())
          if (rule !== undefined && rowHas(t.columns[header[i] as string], cells, table))
            (count.columns.get(header[i] as string) as ColumnCount).parsed++;
        const id = canonical[0] ?? '';
        if (problem === undefined && id === '')
          problem = { column: 'borrower_id', message: 'expected a borrower id, received empty' };
        if (problem === undefined) {
          const subject = layout.bySubject ? canonical[1] : undefined;
          if (layout.bySubject && subject !== 'enterprise' && subject !== 'owner')
            problem = {
              column: 'subject',
              message: `expected enterprise or owner, received ${describeValue(subject)}`,
            };
          else {
            const fields = canonical.map((v) => v ?? '');
            const parsed = schema.safeParse(buildRecord(plans, fields, fields.length, offset));
            if (!parsed.success) {
              const issue = parsed.error.issues[0];
              const key = String(issue?.path[issue.path.length - 1] ?? '');
              const col = layout.columns.find(([, p]) => p[p.length - 1] === key)?.[0] ?? key;
              problem = {
                column: col,
                message: `${issue?.message ?? 'invalid'}, received ${describeValue(fields[header.indexOf(col)] || undefined)}`,
              };
            }
          }
        }
        if (problem !== undefined) {
          await rejectRow(count, table, row, id, problem);
          continue;
        }
        count.mapped++;
        let has = borrowers.get(id);
        if (has === undefined) {
          has = new Set();
          borrowers.set(id, has);
        }
        if (!layout.many) has.add(layout.source as string);
        for (let i = 0; i < header.length; i++) {
          const v = canonical[i];
          if (v !== undefined && dateCols[i]) {
            const day = isMonthColumn(header[i] as string) ? monthEnd(v) : v;
            if (day > latest) latest = day;
          }
        }
        await out.write(canonical);
      }
    }
    await out.close();
  }

  let asOf: string | undefined = mapping.asOf === 'latest' ? undefined : mapping.asOf;
  if (asOf === undefined && latest !== '') asOf = dayAfter(latest);
  const sourcesOf = (id: string): string => {
    const has = borrowers.get(id);
    const tags: string[] = [];
    for (const tag of ['enterprise', 'owner', 'tax', ...manyTags]) {
      if (manyTags.has(tag as SourceTag) || has?.has(tag) === true) if (!tags.includes(tag)) tags.push(tag);
    }
    return tags.join(';');
  };

  // Applications: mapped when the input has them (with extra columns), else one per borrower seen.
  const appHeader = headerOf(APPLICATIONS_FILE);
  const apps = new Output(APPLICATIONS_FILE.file, appHeader, options.out);
  files.push(APPLICATIONS_FILE.file);
  const appTables = mapping.tables.get('applications');
  const extraNames = [...new Set((appTables ?? []).flatMap((t) => Object.keys(t.extra ?? {})))];
  const extras =
    extraNames.length === 0
      ? undefined
      : new Output('extras.csv', ['borrower_id', ...extraNames], options.out);
  if (extras !== undefined) files.push('extras.csv');
  let applicationCount = 0;
  if (appTables === undefined) {
    if (asOf === undefined && borrowers.size > 0)
      throw new RiskError(
        'E_MAPPING_INVALID',
        'mapping asOf: latest found no date in the mapped data; give asOf: YYYY-MM-DD',
        {
          path: ['asOf'],
        },
      );
    for (const id of borrowers.keys()) {
      await apps.write([id, asOf, sourcesOf(id)]);
      applicationCount++;
    }
  } else {
    const seen = new Set<string>();
    for (let ti = 0; ti < appTables.length; ti++) {
      const t = appTables[ti] as TableMapping;
      const at = `tables.applications[${ti}]`;
      const table = mappingTable(source, t, at);
      const rules = appHeader.map((col) => {
        const rule = t.columns[col];
        return rule === undefined ? undefined : compileRule(rule, col, table, `${at}.columns.${col}`);
      });
      const extraRules = extraNames.map((n) => {
        const rule = t.extra?.[n];
        return rule === undefined ? undefined : compileRule(rule, n, table, `${at}.extra.${n}`);
      });
      const count = newCount(APPLICATIONS_FILE.file, table.where, [...appHeader, ...extraNames]);
      counts.push(count);
      for await (const { row, cells } of table.rows()) {
        count.read++;
        const values = rules.map((rule) => rule?.(cells));
        const id = values[0]?.value ?? '';
        const bad = values.findIndex((v) => v?.error !== undefined);
        let problem: { column: string; message: string } | undefined;
        if (bad >= 0) {
          const v = values[bad] as { error?: string; received?: unknown };
          problem = {
            column: appHeader[bad] as string,
            message: `${v.error}, received ${describeValue(v.received)}`,
          };
        } else if (id === '')
          problem = { column: 'borrower_id', message: 'expected a borrower id, received empty' };
        else if (seen.has(id)) problem = { column: 'borrower_id', message: `borrower ${id} appears twice` };
        const rowAsOf = values[1]?.value ?? asOf;
        if (problem === undefined && (rowAsOf === undefined || !isIsoDate(rowAsOf)))
          problem = {
            column: 'as_of',
            message: `expected an as-of date (column or mapping asOf), received ${describeValue(rowAsOf)}`,
          };
        values.forEach((v, i) => {
          const c = count.columns.get(appHeader[i] as string) as ColumnCount;
          if (rowHas(t.columns[appHeader[i] as string], cells, table)) c.parsed++;
          if (v?.value !== undefined) c.mapped++;
          if (v?.error !== undefined) c.rejected++;
        });
        if (problem !== undefined) {
          await rejectRow(count, table, row, id, problem);
          continue;
        }
        seen.add(id);
        count.mapped++;
        applicationCount++;
        const cellsOut = values.map((v) => v?.value);
        cellsOut[1] = rowAsOf;
        if (cellsOut[2] === undefined) cellsOut[2] = sourcesOf(id);
        await apps.write(cellsOut);
        if (extras !== undefined) {
          const ex = extraRules.map((rule, i) => {
            const got = rule?.(cells);
            const c = count.columns.get(extraNames[i] as string) as ColumnCount;
            if (rowHas(t.extra?.[extraNames[i] as string], cells, table)) c.parsed++;
            if (got?.value !== undefined) c.mapped++;
            return got?.value;
          });
          await extras.write([id, ...ex]);
        }
      }
    }
  }
  await apps.close();
  await extras?.close();

  // Outcomes: the mapped target columns by borrower.
  const outcomeNames: string[] = [];
  // An outcomes table that maps only borrower_id passes every other column through as it is.
  const outTables = mapping.tables.get('outcomes')?.map((t, ti) => {
    if (Object.keys(t.columns).length > 1) return t;
    const table = mappingTable(source, t, `tables.outcomes[${ti}]`);
    return {
      ...t,
      columns: {
        ...Object.fromEntries(table.header.filter((h) => h !== '').map((h) => [h, h])),
        ...t.columns,
      },
    };
  });
  if (outTables !== undefined) {
    const names = [
      ...new Set(outTables.flatMap((t) => Object.keys(t.columns).filter((c) => c !== 'borrower_id'))),
    ];
    outcomeNames.push(...names);
    const out = new Output('outcomes.csv', ['borrower_id', ...names], options.out);
    files.push('outcomes.csv');
    for (let ti = 0; ti < outTables.length; ti++) {
      const t = outTables[ti] as TableMapping;
      const at = `tables.outcomes[${ti}]`;
      const table = mappingTable(source, t, at);
      const rules = ['borrower_id', ...names].map((col) => {
        const rule = t.columns[col];
        return rule === undefined ? undefined : compileRule(rule, col, table, `${at}.columns.${col}`);
      });
      const count = newCount('outcomes.csv', table.where, ['borrower_id', ...names]);
      counts.push(count);
      for await (const { row, cells } of table.rows()) {
        count.read++;
        const values = rules.map((rule) => rule?.(cells)?.value);
        if ((values[0] ?? '') === '') {
          count.rejected++;
          await reject({
            borrowerId: '',
            file: table.where,
            row,
            column: 'borrower_id',
            message: `${table.where} row ${row} column borrower_id: expected a borrower id, received empty`,
          });
          continue;
        }
        count.mapped++;
        values.forEach((v, i) => {
          const col = ['borrower_id', ...names][i] as string;
          const c = count.columns.get(col) as ColumnCount;
          if (rowHas(t.columns[col], cells, table)) c.parsed++;
          if (v !== undefined) c.mapped++;
        });
        await out.write(values);
      }
    }
    await out.close();
  }
  return {
    tables: counts,
    borrowers: applicationCount,
    asOf,
    files,
    extras: extraNames,
    outcomes: outcomeNames,
  };
}

function newCount(canonical: string, input: string, columns: readonly string[]): TableCount {
  return {
    canonical,
    input,
    read: 0,
    mapped: 0,
    rejected: 0,
    columns: new Map(columns.map((c) => [c, { parsed: 0, mapped: 0, rejected: 0, examples: [] }])),
  };
}

/** True when the row's input cell for this rule is not empty (a constant always counts). */
function rowHas(rule: ColumnRule | undefined, cells: Cells, table: InputTable): boolean {
  if (rule === undefined) return false;
  const r = typeof rule === 'string' || Array.isArray(rule) ? { from: rule } : rule;
  if (r.from === undefined) return true;
  for (const c of Array.isArray(r.from) ? r.from : [r.from]) {
    const v = cells[table.header.indexOf(c)];
    if (v !== undefined && v !== '') return true;
  }
  return false;
}
