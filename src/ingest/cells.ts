import { RiskError } from '../core/errors.js';
import type { FileLayout } from './layout.js';
import { fieldNormaliser } from './normalise.js';
import { applicationSchema } from './schemas.js';

/**
 * CSV cells to record objects, by the layout's columns. Each column knows its field in the application
 * schema and that field's normaliser (src/ingest/normalise.ts), so a cell is trimmed, read as a number or
 * a code, etc. while the record is built: the result is what building the record from raw cells and then
 * normalising it whole gave, without the second walk over every record. An empty cell is left out (absent,
 * not zero), for the schema to judge.
 */

/** How one CSV column becomes part of a record. */
export interface ColumnPlan {
  /** The record key, and the key of the nested object holding it (owner assets, request), or null. */
  readonly key: string;
  readonly parent: string | null;
  /** The overdue-history column: one character per month of the repayment grid, oldest first. */
  readonly history: boolean;
  readonly normalise: (value: unknown) => unknown;
}

/**
 * The column plans of a layout whose records sit at `base` in the application (e.g. ['invoices'], or
 * ['bureau', 'enterprise', 'facilities']). Columns whose path starts with '$' other than the history
 * (the applications file's `sources`) get a plan that keeps the cell as it is.
 * @throws E_INPUT_INVALID when a column's path is not a field of the schema
 */
export function columnPlans(layout: FileLayout, base: readonly string[]): ColumnPlan[] {
  return layout.columns.map(([column, path]) => {
    if (path[0] === '$history') {
      const normalise = fieldNormaliser(applicationSchema, [...base, 'overdueHistory']);
      return { key: 'overdueHistory', parent: null, history: true, normalise };
    }
    if (path.length > 2)
      throw new RiskError(
        'E_INPUT_INVALID',
        `${layout.file} column ${column}: expected a path of one or two keys, received ${path.join('.')}`,
      );
    const key = path[path.length - 1] as string;
    const parent = path.length === 2 ? (path[0] as string) : null;
    const normalise = key.startsWith('$') ? keep : fieldNormaliser(applicationSchema, [...base, ...path]);
    return { key, parent, history: false, normalise };
  });
}

const keep = (v: unknown): unknown => v;

/** True for a cell that trims to nothing, without trimming the common cell that starts with a visible ASCII. */
export function isBlank(cell: string): boolean {
  if (cell.length === 0) return true;
  const c = cell.charCodeAt(0);
  return !(c > 32 && c < 127) && cell.trim() === '';
}

/**
 * A copy of a long string that shares no memory with the text it was cut from. V8 keeps a substring of 13
 * or more characters as a view of its parent, here a whole chunk of a file, so one credit code kept in an
 * application would keep 256 KiB of CSV text alive with it.
 * @example detached(chunk.slice(a, b)) // same characters, chunk free to go
 */
export function detached(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1);
}

/** The repayment grid of a history cell: digits become numbers, anything else stays for the schema to reject. */
function historyOf(cell: string, element: (value: unknown) => unknown): unknown[] {
  const t = cell.trim();
  const out: unknown[] = [];
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return Array.from(t, (ch) => element(ch >= '0' && ch <= '9' ? Number(ch) : ch));
    out.push(element(c - 48));
  }
  return out;
}

/**
 * Builds the record of one CSV row from its fields `offset` … `offset + plans.length − 1` (`count` fields
 * were read; a missing one reads as empty).
 * @example buildRecord(columnPlans(invoicesLayout, ['invoices']), fields, fields.length, 1)
 */
export function buildRecord(
  plans: readonly ColumnPlan[],
  fields: readonly string[],
  count: number,
  offset: number,
): Record<string, unknown> {
  const obj: Record<string, unknown> = {};
  for (let i = 0; i < plans.length; i++) {
    const plan = plans[i] as ColumnPlan;
    const at = offset + i;
    const cell = at < count ? (fields[at] as string) : '';
    if (plan.history) {
      obj[plan.key] = historyOf(cell, plan.normalise);
      continue;
    }
    if (isBlank(cell)) continue;
    let target = obj;
    if (plan.parent !== null) {
      // Made for any non-empty cell, even one that normalises to nothing (","), as building then normalising did.
      target = obj[plan.parent] as Record<string, unknown>;
      if (target === undefined) {
        target = {};
        obj[plan.parent] = target;
      }
    }
    const value = plan.normalise(cell);
    if (value !== undefined) target[plan.key] = typeof value === 'string' ? detached(value) : value;
  }
  return obj;
}
