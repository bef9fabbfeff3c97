import { RiskError } from '../core/errors.js';
import { foldSplits, stratifiedKFold } from '../evaluation/cv.js';
import { auc, brier, ks, logLoss } from '../evaluation/metrics.js';
import { datasetPart, parseSpecialSpecs, prepareDataset } from '../models/dataset.js';
import { modelFamily } from '../models/registry.js';
import { requireDataRows } from './data-checks.js';
import { DEFAULT_COMPARE_MODELS } from './options.js';
import { type CommandIo, parseParams, readWithProgress } from './train.js';

/** Options of `rongdan compare`. */
export interface CompareCommandOptions {
  readonly data: string;
  readonly target: string;
  readonly models: readonly string[];
  readonly cv: number;
  readonly seed: number;
  readonly positive?: string;
  readonly weight?: string;
  readonly exclude?: readonly string[];
  readonly special?: readonly string[];
  readonly categorical?: readonly string[];
  /** `family.key=value` parameters, e.g. `gbdt.nEstimators=300`. */
  readonly param?: readonly string[];
  readonly json: boolean;
  readonly progress: boolean;
}

/** One model's results over the folds. */
export interface CompareRow {
  readonly model: string;
  readonly foldAuc: readonly number[];
  readonly meanAuc: number;
  readonly sdAuc: number;
  /** Metrics of the out-of-fold predictions (every row predicted once, by the model that did not see it). */
  readonly oofAuc: number;
  readonly oofKs: number;
  readonly oofBrier: number;
  readonly oofLogLoss: number;
  readonly trainSeconds: number;
  readonly predictRowsPerSecond: number;
}

/** What `runCompare` measured. */
export interface CompareResult {
  readonly data: string;
  readonly rows: number;
  readonly badRate: number;
  readonly folds: number;
  readonly seed: number;
  readonly models: readonly CompareRow[];
}

/**
 * Checks that every --param names one of the compared families (`gbdt.nEstimators=300`): a parameter
 * without a family prefix, or for a family not compared, would otherwise be silently dropped.
 * @throws E_CLI_PARAM naming the parameter and the expected `family.key=value`
 */
export function checkFamilyParams(specs: readonly string[], models: readonly string[]): void {
  for (const spec of specs) {
    const dot = spec.indexOf('.');
    const eq = spec.indexOf('=');
    const family = dot > 0 && (eq < 0 || dot < eq) ? spec.slice(0, dot) : undefined;
    if (family === undefined || !models.includes(family)) {
      throw new RiskError(
        'E_CLI_PARAM',
        family === undefined
          ? `--param ${JSON.stringify(spec)} names no model family: compare expects family.key=value, e.g. gbdt.nEstimators=300, with family one of ${models.join(', ')}`
          : `--param ${JSON.stringify(spec)} names family ${family}, which is not compared (--models ${models.join(',')})`,
        {
          path: ['param'],
          expected: `family.key=value with family in ${models.join(' | ')}`,
          received: spec,
        },
      );
    }
  }
}

function paramsFor(model: string, specs: readonly string[]): Record<string, unknown> {
  const prefix = `${model}.`;
  return parseParams(specs.filter((s) => s.startsWith(prefix)).map((s) => s.slice(prefix.length)));
}

/**
 * `rongdan compare`: trains each named model family on the same stratified, seeded folds and measures
 * each on the rows it did not see, so the figures are comparable side by side.
 * @throws E_OPTIONS_INVALID for an unknown model or a bad fold count; E_CLI_PARAM for a --param without a
 *   compared family; E_CLI_NO_ROWS for a header-only file; and the codes of `prepareDataset`
 * @example await runCompare({ data: 'f.csv', target: 'bad', models: ['scorecard', 'gbdt'], cv: 5, ... }, io);
 */
export async function runCompare(opts: CompareCommandOptions, io: CommandIo): Promise<CompareResult> {
  if (!Number.isInteger(opts.cv) || opts.cv < 2 || opts.cv > 20) {
    throw new RiskError('E_OPTIONS_INVALID', `--cv must be an integer in [2, 20], received ${opts.cv}`, {
      path: ['cv'],
      expected: 'an integer in [2, 20]',
      received: opts.cv,
    });
  }
  if (opts.models.length === 0) {
    throw new RiskError('E_OPTIONS_INVALID', '--models must name at least one model family', {
      path: ['models'],
    });
  }
  const families = opts.models.map((m) => modelFamily(m));
  checkFamilyParams(opts.param ?? [], opts.models);
  const frame = await readWithProgress(opts.data, io, opts.progress, { categorical: opts.categorical ?? [] });
  requireDataRows(frame, opts.data);
  const ds = prepareDataset(frame, {
    target: opts.target,
    positive: opts.positive,
    weight: opts.weight,
    exclude: opts.exclude,
    special: parseSpecialSpecs(opts.special ?? []),
    validationShare: 0,
    seed: opts.seed,
  });
  const all = datasetPart(ds, ds.train);
  const folds = stratifiedKFold(all.y, opts.cv, opts.seed);
  const splits = foldSplits(folds, opts.cv);
  const rows: CompareRow[] = [];
  for (const family of families) {
    await family.prepare?.();
    const params = paramsFor(family.name, opts.param ?? []);
    const oof = new Float64Array(all.y.length);
    const foldAuc: number[] = [];
    let trainSeconds = 0;
    let predictSeconds = 0;
    for (const { train, test } of splits) {
      const tr = { x: all.x.take(train), y: Float64Array.from(train, (r) => all.y[r] as number) };
      const weight =
        all.weight === undefined ? undefined : Float64Array.from(train, (r) => all.weight?.[r] as number);
      const te = { x: all.x.take(test), y: Float64Array.from(test, (r) => all.y[r] as number) };
      const estimator = family.create(params, {
        seed: opts.seed,
        special: ds.special,
        features: ds.x.columns,
      });
      const t0 = performance.now();
      estimator.fit(tr.x, tr.y, weight === undefined ? {} : { sampleWeight: weight });
      const t1 = performance.now();
      const p = estimator.predictProba(te.x);
      predictSeconds += (performance.now() - t1) / 1000;
      trainSeconds += (t1 - t0) / 1000;
      for (let i = 0; i < test.length; i++) oof[test[i] as number] = p[i] as number;
      foldAuc.push(auc(te.y, p));
    }
    const meanAuc = foldAuc.reduce((s, a) => s + a, 0) / foldAuc.length;
    const sdAuc = Math.sqrt(foldAuc.reduce((s, a) => s + (a - meanAuc) ** 2, 0) / (foldAuc.length - 1));
    rows.push({
      model: family.name,
      foldAuc,
      meanAuc,
      sdAuc,
      oofAuc: auc(all.y, oof),
      oofKs: ks(all.y, oof).ks,
      oofBrier: brier(all.y, oof),
      oofLogLoss: logLoss(all.y, oof),
      trainSeconds,
      predictRowsPerSecond: predictSeconds > 0 ? all.y.length / predictSeconds : Number.POSITIVE_INFINITY,
    });
  }
  let bad = 0;
  for (const v of all.y) bad += v;
  return {
    data: opts.data,
    rows: all.y.length,
    badRate: bad / all.y.length,
    folds: opts.cv,
    seed: opts.seed,
    models: rows,
  };
}

/** The table `rongdan compare` prints. */
export function formatCompareResult(r: CompareResult): string {
  const head = `${r.data}: ${r.rows} rows, bad rate ${(r.badRate * 100).toFixed(2)}%, ${r.folds}-fold stratified CV (seed ${r.seed})`;
  const cols = ['model', 'AUC mean±sd', 'OOF AUC', 'KS', 'Brier', 'log loss', 'train s', 'predict rows/s'];
  const lines = r.models.map((m) => [
    m.model,
    `${m.meanAuc.toFixed(4)}±${m.sdAuc.toFixed(4)}`,
    m.oofAuc.toFixed(4),
    m.oofKs.toFixed(4),
    m.oofBrier.toFixed(4),
    m.oofLogLoss.toFixed(4),
    m.trainSeconds.toFixed(2),
    Math.round(m.predictRowsPerSecond).toLocaleString('en-US'),
  ]);
  const widths = cols.map((c, i) => Math.max(c.length, ...lines.map((l) => (l[i] as string).length)));
  const fmt = (cells: readonly string[]): string =>
    cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  return [head, fmt(cols), ...lines.map(fmt)].join('\n');
}

/** `rongdan compare`: runs the comparison and prints the table (or JSON). */
export async function compareCommand(
  flags: Omit<CompareCommandOptions, 'models'> & { models: string[] },
): Promise<void> {
  const io = { stdout: process.stdout, stderr: process.stderr };
  const models = flags.models.length > 0 ? flags.models : [...DEFAULT_COMPARE_MODELS];
  const result = await runCompare({ ...flags, models }, io);
  io.stdout.write(`${flags.json ? JSON.stringify(result, null, 1) : formatCompareResult(result)}\n`);
}
