import { createReadStream, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { describeValue, RiskError } from '../core/errors.js';
import { readTargets, type WriteFeaturesSummary, writeFeaturesCsv } from '../features/batch.js';
import { loadCatalog } from '../features/catalog.js';
import { compileCatalog } from '../features/plan.js';
import { readApplicationsDir, readApplicationsJsonl } from '../ingest/readers.js';
import type { Application } from '../ingest/schemas.js';

/** The flags of `features build`, as commander hands them over. */
export interface BuildFlags {
  readonly input?: string;
  readonly out?: string;
  readonly rejects?: string;
  readonly catalog?: string;
  readonly target?: string;
}

/** What a build did, for the summary line and for tests. */
export interface BuildResult extends WriteFeaturesSummary {
  readonly read: number;
  readonly rejected: number;
  readonly seconds: number;
  readonly targetColumn: string | undefined;
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

/**
 * The batch behind `rongdan features build`: streams the applications of a CSV sample directory or a
 * JSON Lines file through the feature engine into a CSV, joining `outcomes.csv`'s target when the
 * directory has one.
 * @throws E_OPTIONS_INVALID for missing flags, E_IO for a missing input, E_INPUT_INVALID for a bad record
 *   when no rejects file is given, E_FEATURE_CATALOG for a bad catalog
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
  const isDir = statSync(input).isDirectory();
  const started = process.hrtime.bigint();

  let read = 0;
  const readOptions = {
    ...(flags.rejects === undefined ? {} : { rejects: flags.rejects }),
    onProgress: (n: number) => {
      read = n;
    },
  };
  let apps: AsyncGenerator<Application>;
  let targets: Map<string, string> | undefined;
  const targetColumn = flags.target ?? 'default_12m';
  if (isDir) {
    hooks.onStart?.(await countLines(join(input, 'applications.csv'), true));
    apps = readApplicationsDir(input, readOptions);
    const outcomes = join(input, 'outcomes.csv');
    if (existsSync(outcomes)) targets = await readTargets(outcomes, targetColumn);
  } else {
    hooks.onStart?.(await countLines(input, false));
    apps = readApplicationsJsonl(input, readOptions);
  }
  const summary = await writeFeaturesCsv(plan, apps, out, {
    ...(targets === undefined ? {} : { targets, targetColumn }),
    ...(hooks.onProgress === undefined ? {} : { onRow: hooks.onProgress }),
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // The readers report the applications read (accepted + rejected) when they finish.
  const total = Math.max(read, summary.rows);
  return {
    ...summary,
    read: total,
    rejected: total - summary.rows,
    seconds,
    targetColumn: targets === undefined ? undefined : targetColumn,
  };
}

/** Describes a finished build in one line. */
export function buildSummaryLine(r: BuildResult, flags: BuildFlags): string {
  const rate = r.seconds > 0 ? Math.round(r.rows / r.seconds) : r.rows;
  const parts = [
    `features: ${r.rows} borrowers × ${r.features} features written to ${flags.out} in ${r.seconds.toFixed(1)} s (${rate}/s)`,
  ];
  if (r.rejected > 0 || flags.rejects !== undefined)
    parts.push(`${r.rejected} rejected${flags.rejects === undefined ? '' : ` (see ${flags.rejects})`}`);
  if (r.targetColumn !== undefined) parts.push(`target ${r.targetColumn} joined for ${r.withTarget}`);
  return parts.join('; ');
}

/**
 * `rongdan features build --input DIR|FILE.jsonl --out FILE.csv [--rejects FILE] [--catalog DIR]`.
 * @example npx tsx src/cli/main.ts features build --input data-samples --out features.csv
 */
export function registerFeatureCommands(program: Command): void {
  const features = program.command('features').description('the feature catalog and engine');
  features
    .command('build')
    .description(
      'compute the catalog features for every application of a sample directory or JSON Lines file',
    )
    .option('--input <path>', 'a CSV sample directory or a .jsonl file of applications (required)')
    .option('--out <file>', 'the feature CSV to write (required)')
    .option('--rejects <file>', 'write invalid applications here instead of stopping at the first')
    .option('--catalog <dir>', 'a catalog folder other than the repository features/')
    .option('--target <column>', 'the outcomes.csv column to append as the target', 'default_12m')
    .action(async (flags: BuildFlags) => {
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
      } catch (err) {
        if (started) bar.stop();
        throw err;
      }
    });
  features
    .command('list')
    .description('print the catalog: name, type, source, aggregation, window, unit, direction, description')
    .option('--catalog <dir>', 'a catalog folder other than the repository features/')
    .action((flags: { catalog?: string }) => {
      const catalog = loadCatalog(flags.catalog);
      for (const e of catalog.entries) {
        const window = e.window === undefined ? '' : `${e.window}m`;
        console.log(
          [
            e.name,
            e.type,
            e.source,
            e.aggregation,
            window,
            e.unit,
            e.direction,
            e.description.zh,
            e.description.en,
          ].join('\t'),
        );
      }
    });
}
