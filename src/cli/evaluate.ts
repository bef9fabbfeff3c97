import type { Artifact } from '../core/artifact.js';
import { RiskError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';
import { outOfTimeSplit } from '../evaluation/cv.js';
import {
  evaluateModel,
  formatEvaluation,
  type ModelEvaluation,
  splitTarget,
} from '../evaluation/model-evaluation.js';
import type { TrainedModel } from '../models/model.js';
import { openModel } from '../models/registry.js';
import { dateColumn, requireDataRows } from './data-checks.js';
import { readForModel } from './predict.js';
import type { CommandIo } from './train.js';

/** Options shared by `rongdan evaluate` and `rongdan report`: which model, which labelled data. */
export interface LabelledDataOptions {
  readonly model: string;
  readonly data: string;
  /**
   * The target column; default: the one the model was trained on (named in its artifact), or for an older
   * artifact without it, the one 0/1 column of the data that is not a model feature.
   */
  readonly target?: string;
  readonly positive?: string;
  readonly weight?: string;
  /** A second CSV (e.g. the training data) to measure PSI and CSI against. */
  readonly baseline?: string;
  readonly progress: boolean;
}

/** Options of `rongdan evaluate`. */
export interface EvaluateCommandOptions extends LabelledDataOptions {
  /** Date column and cut for an out-of-time view: rows before the cut against rows on or after it. */
  readonly date?: string;
  readonly ootFrom?: string;
  readonly json: boolean;
}

/** A model and a labelled sample, read as the model was trained (feature kinds from the artifact). */
export interface LabelledData {
  readonly model: TrainedModel;
  readonly artifact: Artifact;
  readonly target: string;
  readonly frame: Frame;
  readonly x: Frame;
  readonly y: Float64Array;
  readonly weights: Float64Array | undefined;
  readonly baseline: Frame | undefined;
}

const TARGET_NAME = /^(bad|target|default|label|y|class|outcome)$|default|target|delinq|dlq/i;

/**
 * The target when none is named: among the columns that are not model features, those holding only 0 and 1;
 * one such column is the target, and among several the one named like a target (bad, target, default…).
 * @throws E_OPTIONS_INVALID when no column or several equally likely ones qualify, listing them
 */
export function guessTarget(frame: Frame, features: readonly string[], skip: readonly string[] = []): string {
  const isFeature = new Set([...features, ...skip]);
  const binary = frame.columns.filter((c) => {
    if (isFeature.has(c.name) || c.kind !== 'numeric') return false;
    for (const v of c.values) if (v !== 0 && v !== 1) return false;
    return true;
  });
  const named = binary.filter((c) => TARGET_NAME.test(c.name));
  const pick = binary.length === 1 ? binary : named;
  if (pick.length === 1) return (pick[0] as { name: string }).name;
  throw new RiskError(
    'E_OPTIONS_INVALID',
    binary.length === 0
      ? 'no target: no column outside the model features holds only 0 and 1; name it with --target (and --positive for another coding)'
      : `several columns could be the target (${binary.map((c) => c.name).join(', ')}); name one with --target`,
    { path: ['target'], expected: 'a 0/1 column', received: binary.map((c) => c.name) },
  );
}

function weightColumn(frame: Frame, name: string): Float64Array {
  if (!frame.has(name)) {
    throw new RiskError('E_OPTIONS_INVALID', `--weight: no column named ${JSON.stringify(name)}`, {
      path: ['weight'],
      expected: 'a column of the data',
      received: name,
    });
  }
  return frame.numeric(name);
}

/**
 * The target column and its positive value: as named on the command line, else as the artifact records
 * it from training, else (older artifacts) guessed among the 0/1 columns that are not features.
 * @throws E_OPTIONS_INVALID when the artifact's target is absent from the data, or the guess fails
 */
export function resolveTarget(
  frame: Frame,
  artifact: Artifact,
  opts: Pick<LabelledDataOptions, 'target' | 'positive' | 'weight' | 'data'>,
): { column: string; positive: string | undefined } {
  if (opts.target !== undefined) return { column: opts.target, positive: opts.positive };
  const trained = artifact.target;
  if (trained !== undefined) {
    if (!frame.has(trained.column)) {
      throw new RiskError(
        'E_OPTIONS_INVALID',
        `the model was trained on target ${JSON.stringify(trained.column)}, which ${opts.data} lacks; name the target with --target`,
        { path: ['target'], expected: trained.column, received: frame.names },
      );
    }
    return { column: trained.column, positive: opts.positive ?? trained.positive };
  }
  const skip = opts.weight === undefined ? [] : [opts.weight];
  return { column: guessTarget(frame, artifact.featureNames, skip), positive: opts.positive };
}

/**
 * Loads a saved model and reads a labelled CSV for it (and the baseline CSV, when named).
 * @throws E_MODEL_ARTIFACT_* for a bad model; E_CSV_* for unreadable data; E_OPTIONS_INVALID for an unknown
 *   or ambiguous target; E_DATA_INVALID for a target that is not 0/1
 */
export async function loadLabelledData(opts: LabelledDataOptions, io: CommandIo): Promise<LabelledData> {
  const { model, artifact } = await openModel(opts.model);
  const frame = await readForModel(opts.data, artifact, io, opts.progress);
  requireDataRows(frame, opts.data);
  const { column: target, positive } = resolveTarget(frame, artifact, opts);
  const weights = opts.weight === undefined ? undefined : weightColumn(frame, opts.weight);
  const { x, y } = splitTarget(frame, target, positive);
  const baseline =
    opts.baseline === undefined ? undefined : await readForModel(opts.baseline, artifact, io, opts.progress);
  if (baseline !== undefined && opts.baseline !== undefined) requireDataRows(baseline, opts.baseline);
  return { model, artifact, target, frame, x, y, weights, baseline };
}

/** What `rongdan evaluate` measured. */
export interface EvaluateResult {
  readonly model: string;
  readonly kind: string;
  readonly data: string;
  readonly target: string;
  /** The whole file (PSI/CSI against --baseline when given). */
  readonly evaluation: ModelEvaluation;
  /** With --date and --oot-from: rows before the cut, and rows on or after it measured against them. */
  readonly outOfTime?: {
    readonly column: string;
    readonly from: string;
    readonly inTime: ModelEvaluation;
    readonly outOfTime: ModelEvaluation;
  };
}

/**
 * `rongdan evaluate`: AUC, Gini, KS, Brier, log loss, the calibration and lift tables of a saved model on a
 * labelled CSV; PSI/CSI against a baseline CSV; and an out-of-time view by date.
 * @throws the codes of `loadLabelledData`; E_OPTIONS_INVALID when only one of --date/--oot-from is given;
 *   E_CLI_DATE_COLUMN when --date does not name a date column
 */
export async function runEvaluate(opts: EvaluateCommandOptions, io: CommandIo): Promise<EvaluateResult> {
  if ((opts.date === undefined) !== (opts.ootFrom === undefined)) {
    throw new RiskError('E_OPTIONS_INVALID', '--date and --oot-from go together: name both or neither', {
      path: [opts.date === undefined ? 'date' : 'ootFrom'],
      expected: 'both --date and --oot-from',
      received: opts.date ?? opts.ootFrom,
    });
  }
  const d = await loadLabelledData(opts, io);
  const evaluation = evaluateModel(d.model, d.x, d.y, {
    ...(d.baseline === undefined ? {} : { baseline: d.baseline }),
    ...(d.weights === undefined ? {} : { weights: d.weights }),
  });
  const result = { model: opts.model, kind: d.model.kind, data: opts.data, target: d.target, evaluation };
  if (opts.date === undefined || opts.ootFrom === undefined) return result;
  const { train, test } = outOfTimeSplit(dateColumn(d.frame, opts.date), opts.ootFrom);
  const part = (rows: Int32Array): { x: Frame; y: Float64Array; w?: Float64Array } => {
    const y = Float64Array.from(rows, (r) => d.y[r] as number);
    const w = d.weights === undefined ? undefined : Float64Array.from(rows, (r) => d.weights?.[r] as number);
    return w === undefined ? { x: d.x.take(rows), y } : { x: d.x.take(rows), y, w };
  };
  const before = part(train);
  const after = part(test);
  return {
    ...result,
    outOfTime: {
      column: opts.date,
      from: opts.ootFrom,
      inTime: evaluateModel(d.model, before.x, before.y, before.w === undefined ? {} : { weights: before.w }),
      outOfTime: evaluateModel(d.model, after.x, after.y, {
        baseline: before.x,
        ...(after.w === undefined ? {} : { weights: after.w }),
      }),
    },
  };
}

/**
 * The text `rongdan evaluate` prints without --json.
 * @example io.stdout.write(formatEvaluateResult(await runEvaluate(opts, io)));
 */
export function formatEvaluateResult(r: EvaluateResult): string {
  let out = formatEvaluation(r.evaluation, `${r.data} (target ${r.target})`);
  if (r.outOfTime !== undefined) {
    const o = r.outOfTime;
    out += `\n${formatEvaluation(o.inTime, `in time: ${o.column} before ${o.from}`)}`;
    out += `\n${formatEvaluation(o.outOfTime, `out of time: ${o.column} on or after ${o.from} (PSI/CSI against in time)`)}`;
  }
  return out;
}

/** `rongdan evaluate`: measures the model and prints the tables (or JSON). */
export async function evaluateCommand(opts: EvaluateCommandOptions): Promise<void> {
  const io: CommandIo = { stdout: process.stdout, stderr: process.stderr };
  const r = await runEvaluate(opts, io);
  io.stdout.write(opts.json ? `${JSON.stringify(r, null, 2)}\n` : formatEvaluateResult(r));
}
