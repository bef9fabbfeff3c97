import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import cliProgress from 'cli-progress';
import { CsvRecordReader, CsvWriter } from '../core/csv.js';
import { describeValue, RiskError } from '../core/errors.js';
import { readExtras, readTargets, type WriteFeaturesSummary, writeFeaturesCsv } from '../features/batch.js';
import { loadCatalog } from '../features/catalog.js';
import { compileCatalog } from '../features/plan.js';
import { type MappingReject, type MapResult, mapInput } from '../ingest/convert.js';
import { resolveFor } from '../ingest/mapping.js';
import { type ReadCounts, readApplicationsDir, readApplicationsJsonl } from '../ingest/readers.js';
import type { Application } from '../ingest/schemas.js';
import { openInput } from '../ingest/tables.js';

/** The flags of `features build`, as commander hands them over. */
export interface BuildFlags {
  readonly input?: string;
  readonly out?: string;
  /** Rejects file; default beside the output (`features.rejects.csv`). */
  readonly rejects?: string;
  /** Stop at the first bad row or application instead of writing it to the rejects file. */
  readonly strict?: boolean;
  /** A mapping file or preset name: the input is in a foreign layout (see src/ingest/mapping.ts). */
  readonly mapping?: string;
  readonly catalog?: string;
  readonly target?: string;
}

/** What a build did, for the summary and for tests. */
export interface BuildResult extends WriteFeaturesSummary {
  readonly read: number;
  readonly rejected: number;
  readonly seconds: number;
  readonly targetColumn: string | undefined;
  /** Rows read, used and rejected per canonical file. */
  readonly counts: ReadCounts;
  /** The mapping stage, when the input was mapped: rows read, mapped and rejected per input table. */
  readonly mapped?: MapResult;
  /** Where rejects went (undefined with --strict). */
  readonly rejectsPath: string | undefined;
  readonly extraColumns: readonly string[];
}

/** Counts the lines of a file (fast, for the progress bar's total); header excluded when asked. */
async function countLines(path: string, header: boolean): Promise<number> {
  let n = 0;
  let last = 10;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) n++;
    last = chunk[chunk.length - 1] ?? 10;
  }
  if (last !== 10) n++;
  return Math.max(0, header ? n - 1 : n);
}

/** The default rejects file beside an output: `features.csv` → `features.rejects.csv`. */
export function rejectsBeside(out: string): string {
  return out.replace(/(\.csv)?$/i, '.rejects.csv');
}

/** The target column to join: the one asked for, or the only one outcomes.csv holds. */
async function targetColumnOf(outcomes: string, asked: string | undefined): Promise<string> {
  if (asked !== undefined) return asked;
  const reader = new CsvRecordReader(outcomes, 1 << 16);
  const header = (await reader.readHeader()).map((h) => h.trim());
  reader.close();
  if (header.includes('default_12m')) return 'default_12m';
  const others = header.filter((h) => h !== 'borrower_id' && !h.endsWith('_date'));
  return others.length === 1 ? (others[0] as string) : 'default_12m';
}

/**
 * The batch behind `rongdan features build`: streams the applications of a CSV sample directory or a
 * JSON Lines file through the feature engine into a CSV, joining `outcomes.csv`'s target (and extras.csv's
 * borrower columns) found beside the input. With `mapping`, the input (a folder, CSV file or workbook in a
 * foreign layout) is first mapped onto the canonical layout in a temporary folder. Bad rows and
 * applications go to the rejects file (beside the output by default) and are counted per file; `strict`
 * stops at the first instead.
 * @throws E_OPTIONS_INVALID for missing flags, E_IO for a missing input, E_INPUT_INVALID for a bad record
 *   with `strict`, E_FEATURE_CATALOG for a bad catalog, E_MAPPING_* for a bad mapping
 * @example await buildFeatures({ input: 'data-samples', out: 'features.csv' });
 */
export async function buildFeatures(
  flags: BuildFlags,
  hooks: { readonly onStart?: (total: number) => void; readonly onProgress?: (done: number) => void } = {},
): Promise<BuildResult> {
  const input = flags.input;
  const out = flags.out;
  if (input === undefined || input.trim() === '')
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `--input must be a directory or a .jsonl file, received ${describeValue(input)}`,
      {
        path: ['--input'],
      },
    );
  if (out === undefined || out.trim() === '')
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `--out must be a CSV file path, received ${describeValue(out)}`,
      {
        path: ['--out'],
      },
    );
  if (!existsSync(input)) throw new RiskError('E_IO', `--input ${input} does not exist`, { file: input });
  const plan = compileCatalog(loadCatalog(flags.catalog));
  const started = process.hrtime.bigint();
  const rejectsPath = flags.strict === true ? undefined : (flags.rejects ?? rejectsBeside(out));
  const counts: ReadCounts = new Map();
  let mapped: MapResult | undefined;
  let dir = input;
  let tmp: string | undefined;
  let mappingRejects: MappingReject[] = [];
  try {
    if (flags.mapping !== undefined) {
      tmp = mkdtempSync(join(tmpdir(), 'rongdan-mapped-'));
      const result = await mapToDir(input, flags.mapping, tmp, flags.strict === true);
      mapped = result.mapped;
      mappingRejects = result.rejects;
      dir = tmp;
    }
    const isDir = statSync(dir).isDirectory();
    let read = 0;
    const readerRejects =
      rejectsPath === undefined
        ? undefined
        : join(tmp ?? mkdtempSync(join(tmpdir(), 'rongdan-rej-')), 'reader-rejects.csv');
    const readOptions = {
      ...(readerRejects === undefined ? {} : { rejects: readerRejects }),
      counts,
      onProgress: (n: number) => {
        read = n;
      },
    };
    let apps: AsyncGenerator<Application>;
    if (isDir) {
      hooks.onStart?.(await countLines(join(dir, 'applications.csv'), true));
      apps = readApplicationsDir(dir, readOptions);
    } else {
      hooks.onStart?.(await countLines(dir, false));
      apps = readApplicationsJsonl(dir, readOptions);
    }
    // outcomes.csv and extras.csv beside the input: in the folder, or beside a .jsonl file.
    const beside = isDir ? dir : dirname(dir);
    const outcomes = join(beside, 'outcomes.csv');
    let targets: Map<string, string> | undefined;
    let targetColumn: string | undefined;
    if (existsSync(outcomes)) {
      targetColumn = await targetColumnOf(outcomes, flags.target);
      targets = await readTargets(outcomes, targetColumn);
    }
    const extrasPath = join(beside, 'extras.csv');
    const extras = existsSync(extrasPath) ? await readExtras(extrasPath) : undefined;
    const summary = await writeFeaturesCsv(plan, apps, out, {
      ...(targets === undefined || targetColumn === undefined ? {} : { targets, targetColumn }),
      ...(extras === undefined ? {} : { extras }),
      ...(hooks.onProgress === undefined ? {} : { onRow: hooks.onProgress }),
    });
    if (rejectsPath !== undefined) await writeRejects(rejectsPath, mappingRejects, readerRejects);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    // The readers report the applications read (accepted + rejected) when they finish.
    const total = Math.max(read, summary.rows);
    return {
      ...summary,
      read: total,
      rejected: total - summary.rows,
      seconds,
      targetColumn: targets === undefined ? undefined : targetColumn,
      counts,
      ...(mapped === undefined ? {} : { mapped }),
      rejectsPath,
      extraColumns: extras?.names ?? [],
    };
  } finally {
    if (tmp !== undefined) rmSync(tmp, { recursive: true, force: true });
  }
}

/** Maps an input into `dir` with a mapping file or preset, collecting the rejected rows (or throwing on the first). */
export async function mapToDir(
  input: string,
  mapping: string,
  dir: string,
  strict: boolean,
): Promise<{ mapped: MapResult; rejects: MappingReject[] }> {
  const rejects: MappingReject[] = [];
  const source = await openInput(input);
  const mapped = await mapInput(source, resolveFor(source, mapping), {
    out: dir,
    onReject: (r) => {
      if (strict)
        throw new RiskError('E_INPUT_INVALID', r.message, { file: r.file, row: r.row, column: r.column });
      rejects.push(r);
    },
  });
  return { mapped, rejects };
}

/** One rejects file: the mapping stage's rows, then the reader's. */
async function writeRejects(
  path: string,
  mapping: readonly MappingReject[],
  readerPath: string | undefined,
): Promise<void> {
  const w = new CsvWriter(path, ['borrower_id', 'file', 'row', 'column', 'message']);
  for (const r of mapping) await w.write([r.borrowerId, r.file, r.row, r.column, r.message]);
  if (readerPath !== undefined && existsSync(readerPath)) {
    const lines = readFileSync(readerPath, 'utf8').split('\n').slice(1);
    for (const line of lines) if (line !== '') await w.writeLine(line);
  }
  await w.close();
}

/** The per-file table of a build: the mapping stage (if any), then the canonical files read. */
export function countsTable(r: Pick<BuildResult, 'counts' | 'mapped'>): string {
  const lines: string[] = [];
  const pad = (s: string | number, n: number): string => String(s).padStart(n);
  if (r.mapped !== undefined) {
    lines.push(
      `${'input table'.padEnd(40)} ${pad('read', 9)} ${pad('mapped', 9)} ${pad('rejected', 9)}  → canonical`,
    );
    for (const t of r.mapped.tables)
      lines.push(
        `${t.input.padEnd(40)} ${pad(t.read, 9)} ${pad(t.mapped, 9)} ${pad(t.rejected, 9)}  → ${t.canonical}`,
      );
  }
  lines.push(`${'file'.padEnd(40)} ${pad('read', 9)} ${pad('used', 9)} ${pad('rejected', 9)}`);
  for (const [file, c] of r.counts)
    lines.push(`${file.padEnd(40)} ${pad(c.read, 9)} ${pad(c.used, 9)} ${pad(c.rejected, 9)}`);
  return lines.join('\n');
}

/** Describes a finished build in one line. */
export function buildSummaryLine(r: BuildResult, flags: BuildFlags): string {
  const rate = r.seconds > 0 ? Math.round(r.rows / r.seconds) : r.rows;
  const parts = [
    `features: ${r.rows} borrowers × ${r.features} features written to ${flags.out} in ${r.seconds.toFixed(1)} s (${rate}/s)`,
  ];
  parts.push(
    `${r.rejected} applications rejected${r.rejectsPath === undefined ? '' : ` (see ${r.rejectsPath})`}`,
  );
  if (r.extraColumns.length > 0) parts.push(`extra columns ${r.extraColumns.join(', ')}`);
  if (r.targetColumn !== undefined) parts.push(`target ${r.targetColumn} joined for ${r.withTarget}`);
  return parts.join('; ');
}

/**
 * Ends quietly when the reader of stdout goes away (`features list | head`): Node reports the closed pipe
 * as an EPIPE error on stdout, which unhandled prints a stack trace.
 */
export function quietOnClosedPipe(): void {
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
}

/** One line of `features list`: a catalog entry as its listed fields. */
export interface CatalogRow {
  readonly name: string;
  readonly type: string;
  readonly source: string;
  readonly aggregation: string;
  /** `12m`, `all` for a dated aggregation over the full history, or empty where no window applies. */
  readonly window: string;
  readonly unit: string;
  readonly direction: string;
  readonly zh: string;
  readonly en: string;
}

/** The rows `features list` prints, in catalog order. */
export function catalogRows(catalog: ReturnType<typeof loadCatalog>): CatalogRow[] {
  return catalog.entries.map((e) => ({
    name: e.name,
    type: e.type,
    source: e.source,
    aggregation: e.aggregation,
    // A dated aggregation without a window reads the full history.
    window:
      e.window !== undefined
        ? `${e.window}m`
        : e.source === 'derived' || e.aggregation === 'value'
          ? ''
          : 'all',
    unit: e.unit,
    direction: e.direction,
    zh: e.description.zh,
    en: e.description.en,
  }));
}

/** `rongdan features build`: computes the features with a progress bar, then the counts. */
export async function featuresBuildCommand(flags: BuildFlags): Promise<void> {
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'features |{bar}| {value}/{total} borrowers | {percentage}% | eta {eta_formatted}',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  try {
    const result = await buildFeatures(flags, {
      onStart: (total) => {
        bar.start(total, 0);
        started = true;
      },
      onProgress: (done) => bar.update(done),
    });
    if (started) bar.stop();
    console.log(buildSummaryLine(result, flags));
    console.log(countsTable(result));
  } catch (err) {
    if (started) bar.stop();
    throw err;
  }
}

/** `rongdan features list`: the catalog as tab-separated lines or JSON. */
export function featuresListCommand(flags: { catalog?: string; json: boolean }): void {
  quietOnClosedPipe();
  const rows = catalogRows(loadCatalog(flags.catalog));
  if (flags.json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  for (const r of rows)
    console.log(
      [r.name, r.type, r.source, r.aggregation, r.window, r.unit, r.direction, r.zh, r.en].join('\t'),
    );
}
