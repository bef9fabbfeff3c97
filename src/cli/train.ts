import { statSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { RiskError } from '../core/errors.js';
import { type Frame, readCsvFrame } from '../core/frame.js';
import { type DataPart, datasetPart, parseSpecialSpecs, prepareDataset } from '../models/dataset.js';
import { auc, ks } from '../models/metrics.js';
import type { TrainedModel } from '../models/model.js';
import { modelFamily, saveModel, withMetrics } from '../models/registry.js';

/** Options of `rongdan train`, as commander hands them over. */
export interface TrainCommandOptions {
  readonly data: string;
  readonly target: string;
  readonly model: string;
  readonly out: string;
  readonly seed: number;
  readonly positive?: string;
  readonly weight?: string;
  readonly date?: string;
  readonly ootFrom?: string;
  readonly exclude?: readonly string[];
  readonly special?: readonly string[];
  readonly categorical?: readonly string[];
  readonly validation: number;
  readonly param?: readonly string[];
  readonly progress: boolean;
}

/** Where a command writes: stdout for results, stderr for progress. */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

const processIo: CommandIo = { stdout: process.stdout, stderr: process.stderr };

/** A progress bar on stderr when it is a terminal (and `enabled`), otherwise nothing. */
export function progressBar(
  io: CommandIo,
  enabled: boolean,
  label: string,
): { update(done: number, total: number): void; stop(): void } {
  if (!enabled || io.stderr.isTTY !== true) return { update() {}, stop() {} };
  const bar = new SingleBar({
    format: `${label.padEnd(10)} [{bar}] {value}/{total}`,
    stream: io.stderr,
    hideCursor: true,
    clearOnComplete: false,
  });
  let started = false;
  return {
    update(done, total) {
      if (!started) {
        bar.start(total, done);
        started = true;
      } else bar.setTotal(total);
      bar.update(done);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

/**
 * Parses a `--param key=value`: numbers, true/false and JSON arrays/objects are typed; a dotted key
 * (trends.age=ascending) sets a nested field.
 * @throws E_OPTIONS_INVALID on a param without `=`
 */
export function parseParams(specs: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const spec of specs) {
    const eq = spec.indexOf('=');
    if (eq <= 0) {
      throw new RiskError(
        'E_OPTIONS_INVALID',
        `--param must look like key=value, received ${JSON.stringify(spec)}`,
        {
          path: ['param'],
          expected: 'key=value',
          received: spec,
        },
      );
    }
    const keys = spec.slice(0, eq).trim().split('.');
    const text = spec.slice(eq + 1).trim();
    let value: unknown = text;
    if (text === 'true' || text === 'false') value = text === 'true';
    else if (text !== '' && Number.isFinite(Number(text))) value = Number(text);
    else if (text.startsWith('[') || text.startsWith('{')) {
      try {
        value = JSON.parse(text);
      } catch {
        value = text;
      }
    }
    let at = out;
    keys.forEach((k, i) => {
      if (i === keys.length - 1) at[k] = value;
      else {
        let next = at[k];
        if (typeof next !== 'object' || next === null) {
          next = {};
          at[k] = next;
        }
        at = next as Record<string, unknown>;
      }
    });
  }
  return out;
}

/** AUC, KS and Gini of a model on one part of the data, under `<part>_<metric>` keys. */
function partMetrics(model: TrainedModel, part: DataPart, name: string): Record<string, number> {
  let events = 0;
  for (const v of part.y) events += v;
  if (part.y.length === 0 || events === 0 || events === part.y.length) return {};
  const pd = model.predictProba(part.x);
  const a = auc(part.y, pd, part.weight);
  return {
    [`${name}_rows`]: part.y.length,
    [`${name}_auc`]: a,
    [`${name}_gini`]: 2 * a - 1,
    [`${name}_ks`]: ks(part.y, pd, part.weight).ks,
  };
}

/** Reads a CSV with a row counter on stderr. */
export async function readWithProgress(
  path: string,
  io: CommandIo,
  progress: boolean,
  options: { categorical?: readonly string[]; numeric?: readonly string[] } = {},
): Promise<Frame> {
  let size = 0;
  try {
    size = statSync(path).size;
  } catch {
    // readCsvFrame reports the unreadable file with E_IO.
  }
  const bar = progressBar(io, progress && size > 5_000_000, 'reading');
  try {
    return await readCsvFrame(path, {
      ...options,
      onProgress: (rows) => bar.update(rows, Math.max(rows, 1)),
    });
  } finally {
    bar.stop();
  }
}

/** What `runTrain` did, for the command's output and for tests. */
export interface TrainSummary {
  readonly kind: string;
  readonly features: readonly string[];
  readonly rows: { readonly train: number; readonly validation: number; readonly oot: number };
  readonly metrics: Readonly<Record<string, number>>;
  readonly excluded: readonly { readonly column: string; readonly reason: string }[];
  readonly written: readonly string[];
  readonly seconds: number;
}

/**
 * `rongdan train`: reads any CSV, prepares the data, fits the chosen family on the training rows, measures
 * AUC/KS/Gini on train, validation and out-of-time rows, and saves the model directory.
 * @throws E_OPTIONS_INVALID, E_DATA_INVALID, E_CSV_*, E_IO
 */
export async function runTrain(opts: TrainCommandOptions, io: CommandIo = processIo): Promise<TrainSummary> {
  const started = performance.now();
  const family = modelFamily(opts.model);
  const params = parseParams(opts.param ?? []);
  const forced = opts.categorical ?? [];
  let frame = await readWithProgress(opts.data, io, opts.progress, { categorical: forced });
  // A column turns categorical at its first text value; numbers read before that keep their canonical
  // form (e.g. "01" → "1") while later ones keep their text. Reading such columns again as text gives
  // every level exactly as written, which is also how `predict` reads them.
  const textual = frame.columns
    .filter((c) => c.kind === 'categorical' && !forced.includes(c.name))
    .map((c) => c.name);
  if (textual.length > 0) {
    frame = await readWithProgress(opts.data, io, opts.progress, { categorical: [...forced, ...textual] });
  }
  const ds = prepareDataset(frame, {
    target: opts.target,
    positive: opts.positive,
    weight: opts.weight,
    date: opts.date,
    ootFrom: opts.ootFrom,
    exclude: opts.exclude,
    special: parseSpecialSpecs(opts.special ?? []),
    validationShare: opts.validation,
    seed: opts.seed,
  });
  const train = datasetPart(ds, ds.train);
  const estimator = family.create(params, { seed: opts.seed, special: ds.special });
  const bar = progressBar(io, opts.progress, 'fitting');
  try {
    estimator.fit(train.x, train.y, {
      ...(train.weight === undefined ? {} : { sampleWeight: train.weight }),
      onProgress: (done, total) => bar.update(done, total),
    });
  } finally {
    bar.stop();
  }
  const metrics = {
    ...partMetrics(estimator, train, 'train'),
    ...(ds.validation.length > 0 ? partMetrics(estimator, datasetPart(ds, ds.validation), 'validation') : {}),
    ...(ds.oot.length > 0 ? partMetrics(estimator, datasetPart(ds, ds.oot), 'oot') : {}),
  };
  const artifact = withMetrics(estimator.toArtifact(), metrics);
  const written = saveModel(opts.out, artifact, estimator, {
    data: opts.data,
    excluded: ds.excluded,
    rows: { train: ds.train.length, validation: ds.validation.length, oot: ds.oot.length },
  });
  return {
    kind: family.name,
    features: estimator.featureNames,
    rows: { train: ds.train.length, validation: ds.validation.length, oot: ds.oot.length },
    metrics,
    excluded: ds.excluded,
    written,
    seconds: (performance.now() - started) / 1000,
  };
}

function list(value: string, previous: string[] = []): string[] {
  return [
    ...previous,
    ...value
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
  ];
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function integer(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) {
    throw new RiskError('E_OPTIONS_INVALID', `expected an integer, received ${JSON.stringify(value)}`, {
      expected: 'an integer',
      received: value,
    });
  }
  return n;
}

function share(value: string): number {
  const n = Number(value);
  if (!(n >= 0 && n < 1)) {
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `--validation must be a share in [0, 1), received ${JSON.stringify(value)}`,
      {
        path: ['validation'],
        expected: 'a number in [0, 1)',
        received: value,
      },
    );
  }
  return n;
}

function printSummary(s: TrainSummary, io: CommandIo): void {
  const lines = [
    `trained ${s.kind} in ${s.seconds.toFixed(2)} s: ${s.rows.train} training rows, ${s.rows.validation} validation, ${s.rows.oot} out-of-time`,
    `features (${s.features.length}): ${s.features.join(', ')}`,
  ];
  for (const e of s.excluded) if (e.reason !== 'target') lines.push(`excluded ${e.column}: ${e.reason}`);
  for (const part of ['train', 'validation', 'oot']) {
    const a = s.metrics[`${part}_auc`];
    if (a === undefined) continue;
    lines.push(
      `${part.padEnd(10)} AUC ${a.toFixed(4)}  Gini ${(s.metrics[`${part}_gini`] as number).toFixed(4)}  KS ${(s.metrics[`${part}_ks`] as number).toFixed(4)}`,
    );
  }
  lines.push(`wrote ${s.written.join(', ')}`);
  io.stdout.write(`${lines.join('\n')}\n`);
}

/** Registers `rongdan train`. */
export function registerTrainCommands(program: Command): void {
  program
    .command('train')
    .description('train a model on any CSV with a header and a 0/1 (or --positive) target column')
    .requiredOption('--data <file>', 'training CSV with a header row')
    .requiredOption('--target <column>', 'target column: 0/1, or two values with --positive')
    .requiredOption('--out <dir>', 'model directory to write (model.json, model-card.md, …)')
    .option('--model <family>', 'model family: scorecard | logistic', 'scorecard')
    .option('--seed <n>', 'seed of every random choice', integer, 0)
    .option('--positive <value>', 'the target value that means bad (= 1)')
    .option('--weight <column>', 'column of non-negative row weights')
    .option('--date <column>', 'date column (excluded from features; used by --oot-from)')
    .option('--oot-from <date>', 'rows dated on or after this are held out as out-of-time')
    .option('--exclude <columns>', 'comma-separated columns to leave out', list)
    .option('--special <COL=V1|V2>', 'special values of a column, binned apart (repeatable)', collect)
    .option('--categorical <columns>', 'comma-separated columns to read as categorical', list)
    .option('--validation <share>', 'share of in-time rows held out for validation', share, 0.2)
    .option('--param <key=value>', 'model parameter, e.g. pdo=40 or maxBins=6 (repeatable)', collect)
    .option('--no-progress', 'no progress bars')
    .action(async (opts: TrainCommandOptions) => {
      printSummary(await runTrain(opts), processIo);
    });
}
