import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  type Artifact,
  type ColumnParse,
  canonicalJson,
  createArtifact,
  loadArtifact,
  saveArtifact,
  type TargetInfo,
} from '../core/artifact.js';
import { RiskError } from '../core/errors.js';
import { describeFeature } from '../features/catalog.js';
import { calibrated, calibratorFromJson } from './calibration.js';
import type { Estimator } from './estimator.js';
import { GBDT_OPTION_SPECS, GradientBoostingClassifier, gbdtOptionsSchema } from './gbdt/index.js';
import { LogisticRegression, logisticOptionsSchema } from './logistic.js';
import { MLP_WEIGHTS_FILE } from './mlp/io.js';
import type { Mlp } from './mlp/mlp.js';
import { MLP_OPTION_SPECS, mlpOptionsSchema } from './mlp/options.js';
import type { TrainedModel } from './model.js';
import { describeOptions, type OptionHelp } from './option-help.js';
import type { OptionSpec } from './option-specs.js';
import { Scorecard, scorecardOptionsSchema } from './scorecard.js';
import { scorecardCard, scorecardSql } from './scorecard-export.js';

/** What a family may take from the training data beside its own parameters. */
export interface TrainContext {
  readonly seed: number;
  /** Special values per feature column, typed by column kind. */
  readonly special: Readonly<Record<string, readonly (number | string)[]>>;
  /** The feature columns the model will be fitted on, when known. */
  readonly features?: readonly { readonly name: string; readonly kind: 'numeric' | 'categorical' }[];
}

/**
 * Monotone constraints from the feature catalog's expected directions (increasing risk → +1, decreasing
 * → -1), for the numeric features of the training data that the catalog knows: more overdue never lowers
 * risk. Explicit constraints given as parameters win.
 */
export function catalogMonotoneConstraints(features: TrainContext['features'] = []): Record<string, -1 | 1> {
  const out: Record<string, -1 | 1> = {};
  for (const f of features) {
    if (f.kind !== 'numeric') continue;
    const d = describeFeature(f.name)?.direction;
    if (d === 'increasing') out[f.name] = 1;
    else if (d === 'decreasing') out[f.name] = -1;
  }
  return out;
}

/** A trainable model family: how the CLI creates, loads and saves it. One entry per `--model` value. */
export interface ModelFamily {
  /** The `--model` name, which is also the artifact kind. */
  readonly name: string;
  readonly description: string;
  /** A new, unfitted estimator from `--param` values and the training context. */
  create(params: Readonly<Record<string, unknown>>, context: TrainContext): Estimator & TrainedModel;
  /** Rebuilds a fitted model from its (verified) artifact; `dir` is where files written beside it live. */
  fromArtifact(artifact: Artifact, dir?: string): TrainedModel;
  /** The artifact to save, when the family writes part of itself beside model.json (default toArtifact()). */
  artifactOf?(model: Estimator & TrainedModel): Artifact;
  /** Writes binary files beside model.json (e.g. TF.js weights). */
  saveBeside?(model: Estimator & TrainedModel, dir: string): Promise<string[]>;
  /** Extra files written beside model.json: file name → content. */
  files?(model: TrainedModel): Readonly<Record<string, string>>;
  /** Parameters for refitting on all rows, from a model fitted with early stopping on held-out rows. */
  refitParams?(model: Estimator & TrainedModel): Record<string, unknown>;
  /**
   * Parameters for the fit that only measures the settings on held-out rows before a refit replaces it:
   * what only the saved model needs can be skipped there.
   */
  holdoutParams?(): Record<string, unknown>;
  /** One-off setup before the family's first fit or load (e.g. starting a compute backend). */
  prepare?(): Promise<void>;
  /** Every `--param` key with type, default and meaning, read from the family's option schema. */
  paramHelp?(): OptionHelp[];
}

/** The allowed range in words of each key of an option table. */
function allowedOf(specs: Readonly<Record<string, OptionSpec>>): Record<string, string> {
  return Object.fromEntries(Object.entries(specs).map(([k, v]) => [k, v.allowed]));
}

const scorecardFamily: ModelFamily = {
  name: 'scorecard',
  description: 'optimal binning + WoE + L2 logistic regression, integer points (base score, odds, PDO)',
  create: (params, ctx) => {
    const special = { ...ctx.special, ...((params.special as Record<string, (number | string)[]>) ?? {}) };
    return new Scorecard({ seed: ctx.seed, ...params, special } as ConstructorParameters<
      typeof Scorecard
    >[0]);
  },
  fromArtifact: (a) => Scorecard.fromArtifact(a),
  paramHelp: () => describeOptions(scorecardOptionsSchema),
  // The refit has no held-out rows: it keeps the stepwise choice made (and validated) before it.
  refitParams: (model) => {
    const step = (model as Scorecard).fitted().stepwise;
    return step === undefined ? {} : { stepwiseResult: step };
  },
  files: (model) => {
    const card = model as Scorecard;
    return {
      'scorecard.json': `${JSON.stringify(scorecardCard(card), null, 1)}\n`,
      'scorecard.sql': `-- score = the sum of one CASE per variable; pd = 1 / (1 + exp((score - offset) / factor))\n${scorecardSql(card)}\n`,
    };
  },
};

const logisticFamily: ModelFamily = {
  name: 'logistic',
  description: 'L2 logistic regression on standardised numeric and one-hot categorical columns (baseline)',
  create: (params) => new LogisticRegression(params as ConstructorParameters<typeof LogisticRegression>[0]),
  fromArtifact: (a) => LogisticRegression.fromArtifact(a),
  paramHelp: () => describeOptions(logisticOptionsSchema),
};

const gbdtFamily: ModelFamily = {
  name: 'gbdt',
  description:
    'histogram gradient boosting: monotone constraints, missing direction, categorical splits, TreeSHAP',
  create: ({ monotone, ...params }, ctx) => {
    // `monotone=none` turns the catalog's constraints off; explicit monotoneConstraints are merged over them.
    const fromCatalog = monotone === 'none' ? {} : catalogMonotoneConstraints(ctx.features);
    const explicit = (params.monotoneConstraints as Record<string, -1 | 0 | 1> | undefined) ?? {};
    return new GradientBoostingClassifier({
      seed: ctx.seed,
      ...params,
      monotoneConstraints: { ...fromCatalog, ...explicit },
    } as ConstructorParameters<typeof GradientBoostingClassifier>[0]);
  },
  fromArtifact: (a) => GradientBoostingClassifier.fromArtifact(a),
  paramHelp: () => [
    ...describeOptions(gbdtOptionsSchema, allowedOf(GBDT_OPTION_SPECS)),
    {
      key: 'monotone',
      type: '"none"',
      default: '(catalog directions)',
      meaning: "none turns off the feature catalog's monotone constraints (train only)",
    },
  ],
  refitParams: (model) => ({
    nEstimators: Math.max(1, (model as GradientBoostingClassifier).dumpModel().tree_info.length),
    earlyStoppingRounds: 0,
  }),
  files: (model) => ({
    'trees.json': `${JSON.stringify((model as GradientBoostingClassifier).dumpModel())}\n`,
  }),
};

/**
 * The MLP's module, imported by its family's `prepare`: it brings TF.js (~50 MB and a second of start-up),
 * which a scorecard or GBDT command does not need.
 */
let mlpModule: typeof import('./mlp/mlp.js') | undefined;

function mlpClass(): typeof Mlp {
  if (mlpModule === undefined) {
    throw new RiskError(
      'E_MLP_BACKEND',
      "the MLP needs the TF.js wasm backend: await the family's prepare() (or openModel) first",
      { expected: 'wasm', received: 'none started' },
    );
  }
  return mlpModule.Mlp;
}

const mlpFamily: ModelFamily = {
  name: 'mlp',
  description: 'multilayer perceptron on TensorFlow.js (wasm backend), standardisation and one-hot inside',
  prepare: async () => {
    const [mlp, backend] = await Promise.all([import('./mlp/mlp.js'), import('./mlp/backend.js')]);
    await backend.initMlpBackend();
    mlpModule = mlp;
  },
  paramHelp: () => describeOptions(mlpOptionsSchema, allowedOf(MLP_OPTION_SPECS)),
  create: (params, ctx) =>
    new (mlpClass())({ seed: ctx.seed, ...params } as ConstructorParameters<typeof Mlp>[0]),
  // The refit on every in-time row runs the epochs early stopping chose, with nothing held out again.
  refitParams: (model) => ({
    maxEpochs: Math.max(1, (model as unknown as Mlp).history().bestEpoch),
    patience: 0,
    validationFraction: 0,
  }),
  // Permutation importance (2 s of a 40k-row fit) describes the saved model: the refit computes it.
  holdoutParams: () => ({ importanceRepeats: 0 }),
  fromArtifact: (a, dir) => {
    const weightsFile = (a.state as { weights?: { file?: unknown } }).weights?.file;
    if (typeof weightsFile === 'string' && dir !== undefined) {
      return mlpClass().fromArtifact(
        a as Parameters<typeof Mlp.fromArtifact>[0],
        readFileSync(join(dir, weightsFile)),
      );
    }
    return mlpClass().fromArtifact(a as Parameters<typeof Mlp.fromArtifact>[0]);
  },
  // The weights go beside the envelope through the TF.js io handler, not inline.
  artifactOf: (model) => (model as unknown as Mlp).toArtifact({ weightsFile: MLP_WEIGHTS_FILE }),
  saveBeside: async (model, dir) => {
    await (model as unknown as Mlp).saveWeights(dir);
    return [join(dir, MLP_WEIGHTS_FILE)];
  },
};

/**
 * The model families the CLI can train and load, by name. To add one, append its `ModelFamily` here.
 */
export const MODEL_FAMILIES: ReadonlyMap<string, ModelFamily> = new Map(
  [scorecardFamily, gbdtFamily, mlpFamily, logisticFamily].map((f) => [f.name, f]),
);

/**
 * The family of a `--model` name or artifact kind.
 * @throws E_OPTIONS_INVALID naming the known families
 */
export function modelFamily(name: string): ModelFamily {
  const f = MODEL_FAMILIES.get(name);
  if (f === undefined) {
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `--model must be one of ${[...MODEL_FAMILIES.keys()].join(', ')}, received ${JSON.stringify(name)}`,
      { path: ['model'], expected: [...MODEL_FAMILIES.keys()].join(' | '), received: name },
    );
  }
  return f;
}

function artifactPath(path: string): string {
  try {
    return statSync(path).isDirectory() ? join(path, 'model.json') : path;
  } catch {
    return path;
  }
}

/**
 * Loads a saved model (a directory holding model.json, or the artifact file itself) as a `TrainedModel`,
 * picking the family by the artifact's kind.
 * @throws E_IO, E_JSON_PARSE, E_MODEL_ARTIFACT_* (tampered, unknown version or unknown kind)
 * @example const model = loadModel('models/scorecard/1'); model.predictProba(frame);
 */
export function loadModel(path: string): TrainedModel {
  return loadModelArtifact(path).model;
}

/**
 * Like `loadModel`, also returning the verified artifact (for its metrics and fingerprint). A calibrator in
 * the artifact is applied to the model's pd. Families with a backend to start (the MLP) must have been
 * prepared: use `openModel` for those.
 */
export function loadModelArtifact(path: string): { model: TrainedModel; artifact: Artifact } {
  const file = artifactPath(path);
  const artifact = loadArtifact(file);
  return { model: modelFromArtifact(artifact, dirname(file)), artifact };
}

/**
 * Loads a saved model of any family, first starting what its family needs (the MLP's wasm backend).
 * @throws the codes of `loadModelArtifact`, and E_MLP_BACKEND
 * @example const { model } = await openModel('models/admission-gbdt/1.0.0');
 */
export async function openModel(path: string): Promise<{ model: TrainedModel; artifact: Artifact }> {
  const file = artifactPath(path);
  const artifact = loadArtifact(file);
  await MODEL_FAMILIES.get(artifact.kind)?.prepare?.();
  return { model: modelFromArtifact(artifact, dirname(file)), artifact };
}

/** The model of a verified artifact, by its family, with its calibrator (if any) applied to the pd. */
function modelFromArtifact(artifact: Artifact, dir: string): TrainedModel {
  const family = MODEL_FAMILIES.get(artifact.kind);
  if (family === undefined) {
    throw new RiskError(
      'E_MODEL_ARTIFACT_KIND',
      `artifact kind ${JSON.stringify(artifact.kind)} is not a known model family (${[...MODEL_FAMILIES.keys()].join(', ')})`,
      { expected: [...MODEL_FAMILIES.keys()].join(' | '), received: artifact.kind },
    );
  }
  const base = family.fromArtifact(artifact, dir);
  return artifact.calibration === undefined
    ? base
    : calibrated(base, calibratorFromJson(artifact.calibration));
}

/**
 * Re-seals an artifact with evaluation metrics in its envelope (the estimator leaves them empty).
 * @example const a = withMetrics(model.toArtifact(), { validation_auc: 0.77 });
 */
export function withMetrics(artifact: Artifact, metrics: Readonly<Record<string, number>>): Artifact {
  return withTraining(artifact, { metrics });
}

/**
 * Re-seals an artifact with what training knew beside the model: metrics (merged into the envelope's) and
 * the target column, so that `evaluate`, `report` and `predict` find the target without guessing.
 * @example const a = withTraining(model.toArtifact(), { metrics, target: { column: 'bad' } });
 */
export function withTraining(
  artifact: Artifact,
  extra: {
    readonly metrics?: Readonly<Record<string, number>>;
    readonly target?: TargetInfo;
    readonly calibration?: unknown;
    readonly columnTypes?: Readonly<Record<string, ColumnParse>>;
  },
): Artifact {
  const { format: _f, schemaVersion: _v, generatedBy: _g, sha256: _s, ...body } = artifact;
  return createArtifact({
    ...body,
    metrics: { ...artifact.metrics, ...(extra.metrics ?? {}) },
    ...(extra.target === undefined ? {} : { target: extra.target }),
    ...(extra.calibration === undefined ? {} : { calibration: extra.calibration }),
    ...(extra.columnTypes === undefined || Object.keys(extra.columnTypes).length === 0
      ? {}
      : { columnTypes: extra.columnTypes }),
  });
}

/** What the model card says beside the artifact: data notes and split sizes. */
export interface CardNotes {
  readonly data?: string;
  readonly excluded?: readonly { readonly column: string; readonly reason: string }[];
  readonly rows?: Readonly<Record<string, number>>;
  /** Further notes, one line each (e.g. how the saved model was refitted). */
  readonly lines?: readonly string[];
}

function fmt(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(4);
}

/**
 * The human-readable model card (Markdown): data fingerprint, parameters, metrics, and the binning or
 * importance summary. Deterministic, like the artifact: no timestamps.
 */
export function modelCard(artifact: Artifact, model: TrainedModel, notes: CardNotes = {}): string {
  const out = [`# Model card: ${artifact.kind}`, ''];
  out.push(`- generated by ${artifact.generatedBy}, artifact schema ${artifact.schemaVersion}`);
  out.push(`- artifact sha256 \`${artifact.sha256}\``);
  out.push(`- features (${artifact.featureNames.length}): ${artifact.featureNames.join(', ')}`, '');
  out.push('## Data', '');
  if (notes.data !== undefined) out.push(`- source: ${notes.data}`);
  const t = artifact.target;
  if (t !== undefined)
    out.push(`- target: ${t.column}${t.positive === undefined ? ' (0/1)' : ` (bad = ${t.positive})`}`);
  const fp = artifact.dataFingerprint;
  if (fp !== null)
    out.push(
      `- training rows: ${fp.rows}, columns: ${fp.columns.length}`,
      `- fingerprint sha256 \`${fp.sha256}\``,
    );
  for (const [part, n] of Object.entries(notes.rows ?? {})) out.push(`- ${part} rows: ${n}`);
  for (const e of notes.excluded ?? []) out.push(`- excluded ${e.column}: ${e.reason}`);
  for (const line of notes.lines ?? []) out.push(`- ${line}`);
  out.push('', '## Parameters', '', '```json', canonicalJson(artifact.params, 1), '```', '');
  const metrics = Object.entries(artifact.metrics);
  if (metrics.length > 0) {
    out.push('## Metrics', '', '| metric | value |', '| --- | --- |');
    for (const [k, v] of metrics) out.push(`| ${k} | ${fmt(v)} |`);
    out.push('');
  }
  const tables = model.binningTables?.() ?? [];
  if (tables.length > 0) {
    out.push(
      '## Binning summary',
      '',
      '| variable | kind | bins | IV | Gini | KS |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const t of tables) {
      const used = t.rows.filter((r) => r.count > 0).length;
      const name = t.userSet === true ? `${t.variable} (user bins)` : t.variable;
      out.push(`| ${name} | ${t.kind} | ${used} | ${fmt(t.iv)} | ${fmt(t.gini)} | ${fmt(t.ks)} |`);
    }
    out.push('');
  }
  const selection = model.variableSelection?.() ?? [];
  if (selection.length > 0) {
    out.push('## Variable selection', '', '| variable | kept | reason |', '| --- | --- | --- |');
    for (const v of selection) out.push(`| ${v.variable} | ${v.selected ? 'yes' : 'no'} | ${v.reason} |`);
    out.push('');
  }
  out.push(...(model.cardSections?.() ?? []));
  const importance = model.importance?.() ?? [];
  if (importance.length > 0) {
    out.push('## Importance', '', '| feature | importance |', '| --- | --- |');
    for (const f of importance) out.push(`| ${f.feature} | ${fmt(f.value)} |`);
    out.push('');
  }
  return out.join('\n');
}

/**
 * Saves a trained model as a directory: model.json (the artifact), model-card.md, and the family's extra
 * files (a scorecard adds scorecard.json and scorecard.sql).
 * @returns the paths written
 * @throws E_IO when the directory cannot be written
 */
export function saveModel(
  dir: string,
  artifact: Artifact,
  model: TrainedModel,
  notes: CardNotes = {},
): string[] {
  const written: string[] = [];
  try {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'model.json');
    saveArtifact(path, artifact);
    written.push(path);
    writeFileSync(join(dir, 'model-card.md'), modelCard(artifact, model, notes));
    written.push(join(dir, 'model-card.md'));
    const extra = MODEL_FAMILIES.get(artifact.kind)?.files?.(model) ?? {};
    for (const [name, text] of Object.entries(extra)) {
      writeFileSync(join(dir, name), text);
      written.push(join(dir, name));
    }
  } catch (err) {
    if (err instanceof RiskError) throw err;
    throw new RiskError(
      'E_IO',
      `cannot write model to ${dir}: ${(err as Error).message}`,
      { file: dir },
      { cause: err },
    );
  }
  return written;
}
