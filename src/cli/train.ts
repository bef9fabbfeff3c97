import { statSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import { parseBinsFile } from '../binning/user-bins.js';
import type { ColumnParse } from '../core/artifact.js';
import { RiskError } from '../core/errors.js';
import { type Frame, readCsvFrame } from '../core/frame.js';
import { readJson } from '../decisions/release.js';
import { auc, ks } from '../evaluation/metrics.js';
import { createCalibrator } from '../models/calibration.js';
import { describeParse, detectColumnTypes, parseOrderedSpecs } from '../models/column-types.js';
import { type DataPart, datasetPart, parseSpecialSpecs, prepareDataset } from '../models/dataset.js';
import type { Estimator } from '../models/estimator.js';
import type { TrainedModel } from '../models/model.js';
import { optionHelpText } from '../models/option-help.js';
import { modelFamily, saveModel, withTraining } from '../models/registry.js';
import type { Scorecard } from '../models/scorecard.js';
import { dateColumn, requireDataRows } from './data-checks.js';

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
  /** Columns forced numeric: a value that does not parse is an error naming row and column. */
  readonly numeric?: readonly string[];
  /** Ordered categories, `COL=A|B|C` lowest first: read as their rank. */
  readonly ordered?: readonly string[];
  readonly validation: number;
  /**
   * Refit the model on every in-time row (training and validation) once the validation metrics are taken;
   * default true. Off, the saved model is the one fitted without the validation rows.
   */
  readonly refit?: boolean;
  /** Fit a probability calibrator (platt | isotonic) on the validation rows' predictions. */
  readonly calibrate?: string;
  readonly param?: readonly string[];
  readonly progress: boolean;
  /** A bins file (`rongdan bins export`): the scorecard takes its cuts and groups per variable. */
  readonly bins?: string;
  /** Stepwise selection of the scorecard's variables: forward | backward | both. */
  readonly select?: string;
  /** The stepwise criterion: aic | bic | ks (validation KS). */
  readonly selectBy?: string;
  /** Print the summary as JSON. */
  readonly json?: boolean;
  /** List the `--param` keys of this model family instead of training. */
  readonly helpParams?: string;
}

/** Where a command writes: stdout for results, stderr for progress. */
export interface CommandIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

const processIo: CommandIo = { stdout: process.stdout, stderr: process.stderr };

/** A progress bar: `update` moves it (extra `{token}` values for its format), `stop` ends its line. */
export interface ProgressBar {
  update(done: number, total: number, payload?: Readonly<Record<string, string | number>>): void;
  stop(): void;
}

/**
 * A progress bar on stderr when it is a terminal (and `enabled`), otherwise one that does nothing, so that
 * logs and pipes stay clean.
 * @param format what follows the bar: cli-progress tokens ({value}, {total}, {percentage}) and payload keys
 * @example const bar = progressBar(io, true, 'fitting'); bar.update(3, 10); bar.stop();
 */
export function progressBar(
  io: CommandIo,
  enabled: boolean,
  label: string,
  format = '{value}/{total}',
): ProgressBar {
  if (!enabled || io.stderr.isTTY !== true) return { update() {}, stop() {} };
  const bar = new SingleBar({
    format: `${label.padEnd(10)} [{bar}] ${format}`,
    stream: io.stderr,
    hideCursor: true,
    clearOnComplete: false,
  });
  let started = false;
  return {
    update(done, total, payload = {}) {
      if (!started) {
        bar.start(total, done, payload);
        started = true;
      } else bar.setTotal(total);
      bar.update(done, payload);
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

/**
 * Reads a CSV into a frame with a progress bar on stderr whose total is the file size in bytes (the row
 * count is unknown until the end), showing megabytes and rows read.
 */
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
  const bar = progressBar(
    io,
    progress && size > 0,
    'reading',
    '{percentage}% | {mb} of {totalMb} MB | {rows} rows',
  );
  const totalMb = (size / 1e6).toFixed(1);
  try {
    return await readCsvFrame(path, {
      ...options,
      onProgress: (rows, bytes) =>
        bar.update(Math.min(bytes, size), size, { mb: (bytes / 1e6).toFixed(1), totalMb, rows }),
    });
  } finally {
    bar.stop();
  }
}

/** What `runTrain` did, for the command's output and for tests. */
export interface TrainSummary {
  readonly kind: string;
  readonly features: readonly string[];
  /** `train`: the rows the saved model was fitted on (training and validation rows when refitted). */
  readonly rows: { readonly train: number; readonly validation: number; readonly oot: number };
  /** The saved model was refitted on every in-time row after validation. */
  readonly refitted: boolean;
  readonly metrics: Readonly<Record<string, number>>;
  readonly excluded: readonly { readonly column: string; readonly reason: string }[];
  /** Text columns read as numbers, by column. */
  readonly columnTypes: Readonly<Record<string, ColumnParse>>;
  /** Warnings about the data (high-cardinality text columns). */
  readonly warnings: readonly string[];
  /** Candidate variables the model dropped, with the reason in words (scorecard). */
  readonly dropped: readonly { readonly variable: string; readonly reason: string }[];
  /** Variables binned by the user's bins file. */
  readonly userSet: readonly string[];
  /** The stepwise search in words, one line per step (empty without --select). */
  readonly stepwise: readonly string[];
  readonly written: readonly string[];
  readonly seconds: number;
}

/** Sorted union of two sorted row lists. */
function mergeRows(a: Int32Array, b: Int32Array): Int32Array {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out.sort();
}

/**
 * `rongdan train`: reads any CSV, prepares the data, fits the chosen family on the training rows and
 * measures it on the validation rows; then (unless `refit` is false) fits the same settings again on every
 * in-time row, so that no labelled row is wasted, measures AUC/KS/Gini of the saved model on its training
 * rows and on the out-of-time rows, and saves the model directory with the target named in the artifact.
 * @throws E_OPTIONS_INVALID, E_DATA_INVALID, E_CSV_*, E_IO
 */
export async function runTrain(opts: TrainCommandOptions, io: CommandIo = processIo): Promise<TrainSummary> {
  const started = performance.now();
  const family = modelFamily(opts.model);
  const params = { ...parseParams(opts.param ?? []), ...scorecardParams(opts) };
  await family.prepare?.();
  const raw = await readWithProgress(opts.data, io, opts.progress, {
    categorical: opts.categorical ?? [],
    numeric: opts.numeric ?? [],
  });
  // Numbers in disguise ("83.70%", "36 months") become numeric; the target, weight and date stay as read.
  const detected = detectColumnTypes(raw, {
    categorical: opts.categorical ?? [],
    ordered: parseOrderedSpecs(opts.ordered ?? []),
    skip: [
      opts.target,
      ...(opts.weight === undefined ? [] : [opts.weight]),
      ...(opts.date === undefined ? [] : [opts.date]),
    ],
    where: opts.data,
  });
  const frame = detected.frame;
  requireDataRows(frame, opts.data);
  if (opts.date !== undefined) dateColumn(frame, opts.date);
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
  // The validation rows as a frame of their own, copied once for the fit, the calibrator and the metrics.
  let validationCopy: DataPart | undefined;
  const validationPart = (): DataPart => {
    validationCopy ??= datasetPart(ds, ds.validation);
    return validationCopy;
  };
  const fitOn = (
    rows: Int32Array,
    label: string,
    extra: { params?: Record<string, unknown>; validate?: boolean } = {},
  ): Estimator & TrainedModel => {
    const estimator = family.create(
      { ...params, ...extra.params },
      { seed: opts.seed, special: ds.special, features: ds.x.columns },
    );
    const validate = extra.validate === true && ds.validation.length > 0;
    const bar = progressBar(io, opts.progress, label, '{value}/{total} steps');
    const onProgress = (done: number, total: number): void => bar.update(done, total);
    const sampleWeight = ds.weight === undefined ? {} : { sampleWeight: ds.weight };
    try {
      if (estimator.fitsRowSubsets === true) {
        // Read in place: no copy of the training rows (51 MB for 32k rows of the 200-column loan file).
        estimator.fit(ds.x, ds.y, {
          rows,
          ...sampleWeight,
          ...(validate ? { validation: { x: ds.x, y: ds.y, rows: ds.validation } } : {}),
          onProgress,
        });
      } else {
        const part = datasetPart(ds, rows);
        const held = validate ? validationPart() : undefined;
        estimator.fit(part.x, part.y, {
          ...(part.weight === undefined ? {} : { sampleWeight: part.weight }),
          ...(held === undefined ? {} : { validation: { x: held.x, y: held.y } }),
          onProgress,
        });
      }
    } finally {
      bar.stop();
    }
    return estimator;
  };
  if (opts.calibrate !== undefined && ds.validation.length === 0) {
    throw new RiskError('E_OPTIONS_INVALID', '--calibrate needs held-out rows: set --validation above 0', {
      path: ['calibrate'],
      expected: '--validation > 0',
      received: opts.validation,
    });
  }
  const calibrator = opts.calibrate === undefined ? undefined : createCalibrator(opts.calibrate);
  // The validation rows drive early stopping where a family has it (GBDT rounds, MLP epochs).
  const refitted = (opts.refit ?? true) && ds.validation.length > 0;
  const holdout = fitOn(ds.train, 'fitting', {
    validate: true,
    ...(refitted ? { params: family.holdoutParams?.() ?? {} } : {}),
  });
  if (calibrator !== undefined) {
    // Fitted on rows the model did not see, so the pd it produces matches observed default rates.
    const v = validationPart();
    calibrator.fit(holdout.predictProba(v.x), v.y, v.weight);
  }
  const validation = ds.validation.length > 0 ? partMetrics(holdout, validationPart(), 'validation') : {};
  validationCopy = undefined;
  const trainRows = refitted ? mergeRows(ds.train, ds.validation) : ds.train;
  // The refit has no held-out rows left, so it reuses what early stopping chose on them.
  const model = refitted
    ? fitOn(trainRows, 'refitting', { params: family.refitParams?.(holdout) ?? {} })
    : holdout;
  const metrics = {
    ...partMetrics(model, datasetPart(ds, trainRows), 'train'),
    ...validation,
    ...(ds.oot.length > 0 ? partMetrics(model, datasetPart(ds, ds.oot), 'oot') : {}),
  };
  const target = { column: opts.target, ...(opts.positive === undefined ? {} : { positive: opts.positive }) };
  const artifact = withTraining(family.artifactOf?.(model) ?? model.toArtifact(), {
    metrics,
    target,
    columnTypes: Object.fromEntries(
      Object.entries(detected.columnTypes).filter(([c]) => model.featureNames.includes(c)),
    ),
    ...(calibrator === undefined ? {} : { calibration: calibrator.toJSON() }),
  });
  const rows = { train: trainRows.length, validation: ds.validation.length, oot: ds.oot.length };
  // Rows that chose the variables no longer measure the model without bias.
  const ksCaveat =
    params.select !== undefined && params.selectBy === 'ks'
      ? 'validation metrics are optimistic: the validation rows also chose the variables (stepwise by KS); judge the model on out-of-time rows'
      : undefined;
  const written = saveModel(opts.out, artifact, model, {
    data: opts.data,
    excluded: ds.excluded,
    rows,
    lines: [
      ...(refitted
        ? [
            `validation metrics: the same settings fitted on the ${ds.train.length} training rows alone; the saved model was then refitted on all ${trainRows.length} in-time rows`,
          ]
        : []),
      ...(ksCaveat === undefined ? [] : [ksCaveat]),
    ],
  });
  written.push(...((await family.saveBeside?.(model, opts.out)) ?? []));
  return {
    kind: family.name,
    features: model.featureNames,
    rows,
    refitted,
    metrics,
    excluded: ds.excluded,
    columnTypes: detected.columnTypes,
    warnings: [
      ...detected.warnings,
      ...(model.warnings?.() ?? []),
      ...(ksCaveat === undefined ? [] : [ksCaveat]),
    ],
    userSet: Object.keys((params.userBins as Record<string, unknown> | undefined) ?? {}),
    stepwise: (model as Partial<Pick<Scorecard, 'stepwiseLog'>>).stepwiseLog?.() ?? [],
    dropped: (model.variableSelection?.() ?? [])
      .filter((v) => !v.selected)
      .map((v) => ({ variable: v.variable, reason: v.reason })),
    written,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * The scorecard parameters of `--bins`, `--select` and `--select-by` (validated by the scorecard's schema).
 * @throws E_OPTIONS_INVALID when given for another family; E_IO, E_JSON_PARSE, E_BINS_INVALID for the file
 */
function scorecardParams(opts: TrainCommandOptions): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [flag, value] of [
    ['--bins', opts.bins],
    ['--select', opts.select],
    ['--select-by', opts.selectBy],
  ] as const) {
    if (value !== undefined && opts.model !== 'scorecard')
      throw new RiskError(
        'E_OPTIONS_INVALID',
        `${flag} applies to --model scorecard, received --model ${opts.model}`,
        {
          path: [flag.slice(2)],
          expected: 'scorecard',
          received: opts.model,
        },
      );
  }
  if (opts.select !== undefined) out.select = opts.select;
  if (opts.selectBy !== undefined) {
    if (opts.select === undefined)
      throw new RiskError('E_OPTIONS_INVALID', '--select-by needs --select forward | backward | both', {
        path: ['select'],
        expected: 'forward | backward | both',
        received: 'nothing',
      });
    out.selectBy = opts.selectBy;
  }
  if (opts.bins !== undefined) {
    const file = parseBinsFile(readJson(opts.bins), opts.bins);
    out.userBins = Object.fromEntries(file.variables.map((v) => [v.variable, v]));
  }
  return out;
}

/**
 * `train --help-params MODEL`: every `--param` key of a family with its type, default and meaning.
 * @throws E_OPTIONS_INVALID for an unknown family
 */
export function helpParams(model: string): string {
  const family = modelFamily(model);
  const help = family.paramHelp?.() ?? [];
  return `--param keys of ${family.name} (${family.description}):\n${optionHelpText(help)}\n`;
}

function printSummary(s: TrainSummary, io: CommandIo): void {
  const lines = [
    `trained ${s.kind} in ${s.seconds.toFixed(2)} s: ${s.rows.train} training rows${s.refitted ? ' (refitted after validation)' : ''}, ${s.rows.validation} validation, ${s.rows.oot} out-of-time`,
    `features (${s.features.length}): ${s.features.join(', ')}`,
  ];
  for (const e of s.excluded) if (e.reason !== 'target') lines.push(`excluded ${e.column}: ${e.reason}`);
  for (const [c, p] of Object.entries(s.columnTypes)) lines.push(`read ${c} as ${describeParse(p)}`);
  for (const w of s.warnings) lines.push(`warning: ${w}`);
  // Variables without information (constant or empty: sources the data lacks) on one line, the rest each.
  if (s.userSet.length > 0)
    lines.push(`bins set by the user's bins file (${s.userSet.length}): ${s.userSet.join(', ')}`);
  lines.push(...s.stepwise);
  const empty = s.dropped.filter((d) => d.reason.includes('no information'));
  for (const d of s.dropped) if (!empty.includes(d)) lines.push(`${d.variable}: ${d.reason}`);
  if (empty.length > 0)
    lines.push(
      `dropped, no information (constant or empty): ${empty.length} variables: ${empty.map((d) => d.variable).join(', ')}`,
    );
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

/**
 * The action of `rongdan train`: trains and prints the summary, or with `--help-params` lists a family's
 * `--param` keys instead.
 */
export async function trainCommand(opts: TrainCommandOptions): Promise<void> {
  if (opts.helpParams !== undefined) {
    processIo.stdout.write(helpParams(opts.helpParams));
    return;
  }
  const summary = await runTrain(opts);
  if (opts.json === true) processIo.stdout.write(`${JSON.stringify(summary, null, 1)}\n`);
  else printSummary(summary, processIo);
}
