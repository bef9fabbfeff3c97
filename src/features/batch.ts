import { CsvWriter, csvCell, MISSING_TOKENS, readCsvBlocks } from '../core/csv.js';
import { RiskError } from '../core/errors.js';
import type { Application } from '../ingest/schemas.js';
import { computeFeatures } from './engine.js';
import type { FeaturePlan } from './plan.js';

/**
 * The batch path: applications stream in (from a CSV directory, JSON Lines or memory), each goes through
 * `computeFeatures` — the very function a single API request uses — and its row is written out at once,
 * so a million borrowers never sit in memory.
 */

/** One computed row. `values` is reused for the next row: copy it if you keep it. */
export interface FeatureRow {
  readonly id: string;
  readonly values: Float64Array;
}

/**
 * Streams feature rows, one per application, computed by `computeFeatures`.
 * @example for await (const { id, values } of featureRows(plan, readApplicationsDir(dir))) use(id, values);
 */
export async function* featureRows(
  plan: FeaturePlan,
  apps: AsyncIterable<Application> | Iterable<Application>,
): AsyncGenerator<FeatureRow> {
  const values = new Float64Array(plan.features.length);
  for await (const app of apps) {
    computeFeatures(plan, app, values);
    yield { id: app.id, values };
  }
}

/**
 * The CSV header of a feature file: borrower_id, the as-of date (for out-of-time splits: `train --date
 * as_of`), the features in catalog order, then the target if any.
 */
export function featureHeader(
  plan: FeaturePlan,
  targetColumn?: string,
  extraColumns: readonly string[] = [],
): string[] {
  return [
    'borrower_id',
    'as_of',
    ...plan.names,
    ...extraColumns,
    ...(targetColumn === undefined ? [] : [targetColumn]),
  ];
}

/** Borrower columns passed through to the feature file (extras.csv of a mapped export). */
export interface ExtraColumns {
  readonly names: readonly string[];
  readonly values: ReadonlyMap<string, readonly string[]>;
}

/** Options of `writeFeaturesCsv`. */
export interface WriteFeaturesOptions {
  /** Target values by borrower id (e.g. from outcomes.csv), appended as the last column. */
  readonly targets?: ReadonlyMap<string, string>;
  /** The target column's name; default `default_12m`. */
  readonly targetColumn?: string;
  /** Borrower columns written after the features (a bank's rating, a segment), as they are. */
  readonly extras?: ExtraColumns;
  /** Called every 1,024 rows and at the end with the number of rows written. */
  readonly onRow?: (written: number) => void;
}

/** What a feature file holds once written. */
export interface WriteFeaturesSummary {
  readonly rows: number;
  readonly features: number;
  /** Rows whose borrower had a target (0 when no targets were given). */
  readonly withTarget: number;
}

/**
 * Computes features for a stream of applications and writes them as CSV: `borrower_id`, the features in
 * catalog order (categoricals as their level, missing as an empty cell), then the target when given.
 * @throws E_IO when the file cannot be written
 * @example await writeFeaturesCsv(plan, readApplicationsDir('data-samples'), 'features.csv');
 */
export async function writeFeaturesCsv(
  plan: FeaturePlan,
  apps: AsyncIterable<Application> | Iterable<Application>,
  path: string,
  options: WriteFeaturesOptions = {},
): Promise<WriteFeaturesSummary> {
  const targets = options.targets;
  const targetColumn = targets === undefined ? undefined : (options.targetColumn ?? 'default_12m');
  const extras = options.extras;
  const noExtras = extras === undefined ? '' : ','.repeat(extras.names.length);
  const writer = new CsvWriter(path, featureHeader(plan, targetColumn, extras?.names));
  const n = plan.features.length;
  const levels = plan.features.map((f) => f.levels);
  const values = new Float64Array(n);
  let rows = 0;
  let withTarget = 0;
  try {
    // The applications are iterated here rather than through `featureRows`: a second async generator in
    // between cost a promise per row. The line is the cells `featureText` gives, joined by commas.
    for await (const app of apps) {
      computeFeatures(plan, app, values);
      // Numbers and catalog levels never hold a comma, quote or line break; only the id and target may.
      let line = `${csvCell(app.id)},${app.asOf}`;
      for (let i = 0; i < n; i++) {
        const v = values[i] as number;
        const names = levels[i];
        line += Number.isNaN(v) ? ',' : names === undefined ? `,${v}` : `,${names[v] ?? ''}`;
      }
      if (extras !== undefined) {
        const e = extras.values.get(app.id);
        line += e === undefined ? noExtras : `,${e.map(csvCell).join(',')}`;
      }
      if (targets !== undefined) {
        const t = targets.get(app.id);
        if (t !== undefined) withTarget++;
        line += `,${csvCell(t ?? '')}`;
      }
      await writer.writeLine(line);
      rows++;
      if (options.onRow !== undefined && (rows & 1023) === 0) options.onRow(rows);
    }
  } finally {
    await writer.close();
  }
  options.onRow?.(rows);
  return { rows, features: n, withTarget };
}

/**
 * Reads every column but `borrower_id` of a CSV keyed by it (extras.csv), as they are.
 * @throws E_CSV_COLUMN when the file lacks `borrower_id`
 * @example const extras = await readExtras('canon/extras.csv');
 */
export async function readExtras(path: string): Promise<ExtraColumns> {
  const values = new Map<string, string[]>();
  let names: string[] = [];
  let idAt = -1;
  const onHeader = (header: string[]): void => {
    idAt = header.indexOf('borrower_id');
    if (idAt < 0)
      throw new RiskError(
        'E_CSV_COLUMN',
        `${path}: expected a borrower_id column, received ${header.join(', ')}`,
        {
          file: path,
          column: 'borrower_id',
        },
      );
    names = header.filter((_, i) => i !== idAt);
  };
  for await (const block of readCsvBlocks(path, onHeader)) {
    for (const record of block.records) {
      const id = (record[idAt] ?? '').trim();
      values.set(
        id,
        names.map((_, j) => (record[j < idAt ? j : j + 1] ?? '').trim()),
      );
    }
  }
  return { names, values };
}

/**
 * Reads a target column keyed by `borrower_id` (e.g. `default_12m` of outcomes.csv). Missing cells are
 * skipped, so a borrower without an outcome gets an empty target.
 * @throws E_CSV_COLUMN when the file lacks `borrower_id` or the column; E_IO when unreadable
 * @example const targets = await readTargets('data-samples/outcomes.csv');
 */
export async function readTargets(path: string, column = 'default_12m'): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let idAt = -1;
  let valueAt = -1;
  const onHeader = (header: string[]): void => {
    idAt = header.indexOf('borrower_id');
    valueAt = header.indexOf(column);
    if (idAt < 0 || valueAt < 0) {
      throw new RiskError(
        'E_CSV_COLUMN',
        `${path}: expected columns borrower_id and ${column}, received ${header.join(', ')}`,
        { file: path, column: idAt < 0 ? 'borrower_id' : column },
      );
    }
  };
  for await (const block of readCsvBlocks(path, onHeader)) {
    for (const record of block.records) {
      const id = record[idAt];
      const value = record[valueAt];
      if (id === undefined || value === undefined || MISSING_TOKENS.has(value.trim())) continue;
      out.set(id, value.trim());
    }
  }
  return out;
}
