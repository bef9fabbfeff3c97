// How the GBDT defaults were chosen (issue 12 part 2; docs/gbdt-defaults.md) and the check that they hold:
// our GradientBoostingClassifier against XGBoost (../shared/bench/peers.py, the models benchmark's peer) on
// the same repeated seeded splits of the public credit files (German 1k, Taiwan 30k, Home Credit 5k) and of
// generated samples of other sizes (`rongdan samples generate` + `features build`, default 2k and 20k rows).
//
//   npx tsx test/bench/gbdt-defaults.ts check [--repeats 3]   ours at defaults (and at the old defaults) vs XGBoost
//   npx tsx test/bench/gbdt-defaults.ts grid  [--repeats 2]   the candidate grid, ranked by mean rank over datasets
//   options: --work DIR (splits, samples and peer results are cached there), --datasets a,b, --configs a,b,
//            --sizes 2000,20000 (generated samples), --holdout NAME (leave a dataset out of the ranking)
//
// Splits: per repeat r (seed r), files of ≤ 6,000 rows get a stratified 5-fold split, larger ones a stratified
// 70/30 holdout. Our model is fitted as the models benchmark fits it — on the whole training file through
// the registry (seed r), scored on the test file — and XGBoost by peers.py on the same files.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Frame, readCsvFrame } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import { auc } from '../../src/evaluation/metrics.js';
import { datasetPart, prepareDataset } from '../../src/models/dataset.js';
import type { Estimator } from '../../src/models/estimator.js';
import type { GbdtOptions } from '../../src/models/gbdt/options.js';
import type { TrainedModel } from '../../src/models/model.js';
import { modelFamily } from '../../src/models/registry.js';
import { makeSplits, type PeerResult, peersUnavailable, runPeers } from './peers.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** Files of at most this many rows get 5 folds per repeat; larger ones one 70/30 holdout. */
const KFOLD_MAX_ROWS = 6000;

/** The defaults before issue 12 (LightGBM's): 100 rounds at 0.1, no early stopping without a validation set. */
const OLD_DEFAULTS: GbdtOptions = {
  nEstimators: 100,
  learningRate: 0.1,
  maxDepth: 6,
  maxLeaves: 31,
  minChildWeight: 1e-3,
  minDataInLeaf: 20,
  lambdaL2: 1,
  subsample: 1,
  colsampleByTree: 1,
  earlyStoppingRounds: 20,
  validationFraction: 0,
};

/** A candidate: GBDT options, plus `minLeafShare` (min rows in a leaf as a share of the training rows,
 * clamped to [minLeafLo, minLeafHi]) and `refit` (refit on every row with the rounds early stopping chose,
 * as `rongdan train` does). */
interface Candidate {
  readonly name: string;
  readonly options: GbdtOptions;
  readonly minLeafShare?: number;
  readonly minLeafLo?: number;
  readonly minLeafHi?: number;
  readonly refit?: boolean;
}

/** Minimum rows in a leaf: 1% of the training rows, at least 5, at most 100. */
const LEAF_N = { minLeafShare: 0.01, minLeafLo: 5, minLeafHi: 100 } as const;
const ES = { nEstimators: 2000, earlyStoppingRounds: 50, validationFraction: 0.1 } as const;
/** The grid: one parameter at a time around a base (coordinate search), small enough for 2 shared cores. */
function grid(): Candidate[] {
  const base: GbdtOptions = {
    ...ES,
    learningRate: 0.05,
    maxDepth: 4,
    maxLeaves: 15,
    minDataInLeaf: 20,
    minChildWeight: 1,
    lambdaL2: 1,
    subsample: 0.8,
    colsampleByTree: 0.8,
  };
  const c = (name: string, o: GbdtOptions, extra: Partial<Candidate> = {}): Candidate => ({
    name,
    options: { ...base, ...o },
    ...extra,
  });
  return [
    { name: 'old-defaults', options: OLD_DEFAULTS },
    c('base', {}),
    c('lr0.1', { learningRate: 0.1 }),
    c('lr0.03', { learningRate: 0.03 }),
    c('depth3', { maxDepth: 3, maxLeaves: 8 }),
    c('depth6', { maxDepth: 6, maxLeaves: 31 }),
    c('leaf5', { minDataInLeaf: 5 }),
    c('leaf50', { minDataInLeaf: 50 }),
    c('leaf-n/100', {}, LEAF_N),
    c('mcw0.001', { minChildWeight: 1e-3 }),
    c('mcw5', { minChildWeight: 5 }),
    c('l2-5', { lambdaL2: 5 }),
    c('l2-0', { lambdaL2: 0 }),
    c('col1', { colsampleByTree: 1 }),
    c('col0.5', { colsampleByTree: 0.5 }),
    c('sub1', { subsample: 1 }),
    c('val0.2', { validationFraction: 0.2 }),
    c('pat20', { earlyStoppingRounds: 20 }),
    c('refit', {}, { refit: true }),
    c('refit-val0.2', { validationFraction: 0.2 }, { refit: true }),
    // Second round: the changes that helped one at a time in the first, combined.
    c('refit-leafn', {}, { refit: true, ...LEAF_N }),
    c('refit-leafn-depth3', { maxDepth: 3, maxLeaves: 8 }, { refit: true, ...LEAF_N }),
    c('refit-leafn-col0.5', { colsampleByTree: 0.5 }, { refit: true, ...LEAF_N }),
  ];
}

interface DataSource {
  readonly name: string;
  readonly csv: string;
  readonly target: string;
}

interface Args {
  readonly mode: 'grid' | 'check';
  readonly repeats: number;
  readonly work: string;
  readonly datasets: readonly string[];
  readonly configs: readonly string[];
  readonly sizes: readonly number[];
  readonly holdout: string | undefined;
  /** Skip the peers (their AUCs come from a check run on the same splits). */
  readonly noPeers: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const mode = argv[0] === 'grid' ? 'grid' : 'check';
  const flag = (name: string): string | undefined => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const list = (name: string): string[] => (flag(name) ?? '').split(',').filter((s) => s !== '');
  return {
    mode,
    repeats: Number(flag('repeats') ?? (mode === 'grid' ? 2 : 3)),
    work: flag('work') ?? join(tmpdir(), 'rongdan-gbdt-defaults'),
    datasets: list('datasets'),
    configs: list('configs'),
    sizes: (flag('sizes') ?? '2000,20000').split(',').map(Number),
    holdout: flag('holdout'),
    noPeers: argv.includes('--no-peers'),
  };
}

function run(cmd: string, args: readonly string[]): void {
  const r = spawnSync(cmd, args, { cwd: REPO, encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
}

/** The whole of each public file (the benchmark's fold 0 train + test) and the generated samples. */
function sources(args: Args): DataSource[] {
  const out: DataSource[] = [];
  const base = join(args.work, 'base');
  if (!existsSync(join(base, 'done'))) {
    mkdirSync(base, { recursive: true });
    makeSplits(base);
    writeFileSync(join(base, 'done'), '');
  }
  for (const name of ['german', 'home-credit-5k', 'taiwan']) {
    const meta = join(base, name, 'meta.json');
    if (!existsSync(meta)) continue;
    const full = join(base, `${name}.csv`);
    if (!existsSync(full)) {
      const train = readFileSync(join(base, name, 'fold0', 'train.csv'), 'utf8');
      const test = readFileSync(join(base, name, 'fold0', 'test.csv'), 'utf8');
      writeFileSync(full, train + test.slice(test.indexOf('\n') + 1));
    }
    out.push({
      name,
      csv: full,
      target: (JSON.parse(readFileSync(meta, 'utf8')) as { target: string }).target,
    });
  }
  for (const n of args.sizes) {
    const csv = join(args.work, `sample-${n}.csv`);
    if (!existsSync(csv)) {
      const dir = join(args.work, `sample-${n}`);
      const cli = ['--import', 'tsx', join(REPO, 'src/cli/main.ts')];
      run(process.execPath, [
        ...cli,
        'samples',
        'generate',
        '--n',
        String(n),
        '--seed',
        '7',
        '--months',
        '12',
        '--out',
        dir,
      ]);
      run(process.execPath, [
        ...cli,
        'features',
        'build',
        '--input',
        dir,
        '--out',
        csv,
        '--rejects',
        `${csv}.rejects.csv`,
      ]);
    }
    out.push({ name: `sample-${n}`, csv, target: 'default_12m' });
  }
  return out;
}

/** Splits a file into repeats × folds train/test files in make_splits.py's layout (meta.json, fold<k>/). */
async function writeSplits(src: DataSource, dir: string, repeats: number): Promise<number> {
  const metaPath = join(dir, 'meta.json');
  if (existsSync(metaPath)) {
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { folds: number; repeats: number };
    if (meta.repeats >= repeats) return meta.folds / meta.repeats;
  }
  const text = readFileSync(src.csv, 'utf8');
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const header = lines[0] as string;
  const y = (await readCsvFrame(src.csv, { numeric: [src.target] })).numeric(src.target);
  if (y.length !== lines.length - 1)
    throw new Error(`${src.csv}: ${y.length} rows but ${lines.length - 1} lines`);
  const kfold = y.length <= KFOLD_MAX_ROWS;
  const perRepeat = kfold ? 5 : 1;
  for (let r = 0; r < repeats; r++) {
    const rng = new Rng(1000 + r);
    // Each class shuffled and dealt round-robin into folds: a stratified split.
    const fold = new Int32Array(y.length);
    for (const cls of [0, 1]) {
      const rows: number[] = [];
      for (let i = 0; i < y.length; i++) if (y[i] === cls) rows.push(i);
      rng.shuffle(rows);
      rows.forEach((row, k) => {
        fold[row] = kfold ? k % 5 : k < Math.round(0.3 * rows.length) ? 0 : 1;
      });
    }
    for (let k = 0; k < perRepeat; k++) {
      const d = join(dir, `fold${r * perRepeat + k}`);
      mkdirSync(d, { recursive: true });
      const pick = (test: boolean): string =>
        `${[header, ...lines.slice(1).filter((_, i) => (fold[i] === k) === test)].join('\n')}\n`;
      writeFileSync(join(d, 'train.csv'), pick(false));
      writeFileSync(join(d, 'test.csv'), pick(true));
    }
  }
  let bad = 0;
  for (const v of y) bad += v;
  writeFileSync(
    metaPath,
    JSON.stringify({
      target: src.target,
      scheme: kfold ? 'kfold5' : 'holdout30',
      folds: repeats * perRepeat,
      repeats,
      rows: y.length,
      bad_rate: bad / y.length,
    }),
  );
  return perRepeat;
}

/** XGBoost (and HistGradientBoosting) AUC per fold, from peers.py, cached beside the splits. */
function peerAucs(splits: string, names: readonly string[]): PeerResult[] {
  const cache = join(splits, 'peers.json');
  const have: PeerResult[] = existsSync(cache)
    ? (JSON.parse(readFileSync(cache, 'utf8')) as PeerResult[])
    : [];
  const missing = names.filter((n) => !have.some((p) => p.dataset === n));
  if (missing.length > 0) {
    have.push(...runPeers(splits, missing));
    writeFileSync(cache, JSON.stringify(have));
  }
  return have;
}

interface Fold {
  readonly train: { x: Frame; y: Float64Array };
  readonly test: { x: Frame; y: Float64Array };
  readonly seed: number;
}

async function loadFolds(dir: string, target: string, folds: number, perRepeat: number): Promise<Fold[]> {
  const out: Fold[] = [];
  for (let k = 0; k < folds; k++) {
    const ds = prepareDataset(await readCsvFrame(join(dir, `fold${k}`, 'train.csv')), {
      target,
      validationShare: 0,
      seed: 0,
    });
    const train = datasetPart(ds, ds.train);
    const categorical = train.x.columns.filter((c) => c.kind === 'categorical').map((c) => c.name);
    const numeric = train.x.names.filter((n) => !categorical.includes(n));
    const testFrame = await readCsvFrame(join(dir, `fold${k}`, 'test.csv'), {
      categorical,
      numeric: [...numeric, target],
    });
    out.push({
      train: { x: train.x, y: train.y },
      test: { x: testFrame.select(train.x.names), y: testFrame.numeric(target) },
      seed: Math.floor(k / perRepeat),
    });
  }
  return out;
}

interface Score {
  readonly test: number;
  readonly train: number;
  readonly trees: number;
  readonly seconds: number;
}

function fitOne(cand: Candidate, fold: Fold): Score {
  const family = modelFamily('gbdt');
  const n = fold.train.x.nRows;
  const sized: GbdtOptions =
    cand.minLeafShare === undefined
      ? {}
      : {
          minDataInLeaf: Math.round(
            Math.min(cand.minLeafHi ?? 1e9, Math.max(cand.minLeafLo ?? 1, cand.minLeafShare * n)),
          ),
        };
  const ctx = { seed: fold.seed, special: {}, features: fold.train.x.columns };
  const t0 = performance.now();
  let model = family.create({ ...cand.options, ...sized }, ctx) as Estimator & TrainedModel;
  model.fit(fold.train.x, fold.train.y);
  if (cand.refit === true) {
    const again = family.create({ ...cand.options, ...sized, ...family.refitParams?.(model) }, ctx);
    model = again.fit(fold.train.x, fold.train.y) as Estimator & TrainedModel;
  }
  const seconds = (performance.now() - t0) / 1000;
  const trees = (model.toArtifact().metrics as Record<string, number>).trees ?? 0;
  return {
    test: auc(fold.test.y, model.predictProba(fold.test.x)),
    train: auc(fold.train.y, model.predictProba(fold.train.x)),
    trees,
    seconds,
  };
}

const mean = (v: readonly number[]): number => v.reduce((s, x) => s + x, 0) / v.length;
/** Spread: the sample standard deviation. */
const sd = (v: readonly number[]): number => {
  const m = mean(v);
  return Math.sqrt(v.reduce((s, x) => s + (x - m) ** 2, 0) / Math.max(1, v.length - 1));
};
/** Per repeat: the mean over its folds (a repeat's AUC, as the benchmark reports a dataset's AUC). */
const perRepeat = (v: readonly number[], k: number): number[] =>
  Array.from({ length: v.length / k }, (_, r) => mean(v.slice(r * k, (r + 1) * k)));

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  '))
    .join('\n');
}

async function main(): Promise<void> {
  const why = peersUnavailable();
  if (why !== undefined) {
    console.log(`SKIPPED gbdt defaults: ${why}`);
    return;
  }
  const args = parseArgs(process.argv.slice(2));
  mkdirSync(args.work, { recursive: true });
  const splits = join(args.work, `splits-r${args.repeats}`);
  const all = sources(args).filter((s) => args.datasets.length === 0 || args.datasets.includes(s.name));
  const k = new Map<string, number>();
  for (const s of all) k.set(s.name, await writeSplits(s, join(splits, s.name), args.repeats));
  // Only the peers' AUCs are used here: one OpenMP thread keeps HistGradientBoosting from spinning on a
  // loaded machine (XGBoost keeps peers.py's n_jobs=2; its trees do not depend on the thread count).
  process.env.OMP_NUM_THREADS ??= '1';
  const peers = args.noPeers
    ? []
    : peerAucs(
        splits,
        all.map((s) => s.name),
      );
  const cands =
    args.mode === 'grid'
      ? grid()
      : [
          { name: 'defaults', options: {} },
          { name: 'old-defaults', options: OLD_DEFAULTS },
        ];
  const chosen = cands.filter((c) => args.configs.length === 0 || args.configs.includes(c.name));
  const results = new Map<string, Map<string, Score[]>>();
  console.log(`machine: 2 cores shared with other work; splits in ${splits}`);
  for (const s of all) {
    const meta = JSON.parse(readFileSync(join(splits, s.name, 'meta.json'), 'utf8')) as { folds: number };
    const folds = await loadFolds(join(splits, s.name), s.target, meta.folds, k.get(s.name) as number);
    for (const c of chosen) {
      const scores = folds.map((f) => fitOne(c, f));
      const byDs = results.get(c.name) ?? new Map<string, Score[]>();
      byDs.set(s.name, scores);
      results.set(c.name, byDs);
      const xgb = peers.find((p) => p.dataset === s.name && p.model === 'xgboost-hist');
      const diff = xgb === undefined ? Number.NaN : mean(scores.map((x) => x.test)) - xgb.auc;
      console.log(
        `${s.name} ${c.name}: test AUC ${mean(scores.map((x) => x.test)).toFixed(4)} (train ${mean(scores.map((x) => x.train)).toFixed(4)}), ` +
          `vs XGBoost ${diff >= 0 ? '+' : ''}${diff.toFixed(4)}, trees ${mean(scores.map((x) => x.trees)).toFixed(0)}, ${mean(scores.map((x) => x.seconds)).toFixed(2)} s a fit`,
      );
    }
  }

  const names = all.map((s) => s.name);
  // Per dataset: ours and each peer, per repeat mean ± spread over repeats, and the difference to XGBoost.
  const rows: string[][] = [
    ['dataset', 'model', 'test AUC mean', '± sd (repeats)', 'train AUC', 'gap', 'vs XGBoost', 'trees'],
  ];
  for (const name of names) {
    const kk = k.get(name) as number;
    const xgb = peers.find((p) => p.dataset === name && p.model === 'xgboost-hist');
    const xgbRep = xgb === undefined ? [] : perRepeat(xgb.auc_folds, kk);
    for (const c of chosen) {
      const sc = results.get(c.name)?.get(name) ?? [];
      const rep = perRepeat(
        sc.map((x) => x.test),
        kk,
      );
      const tr = mean(sc.map((x) => x.train));
      rows.push([
        name,
        `rongdan ${c.name}`,
        mean(rep).toFixed(4),
        sd(rep).toFixed(4),
        tr.toFixed(4),
        (tr - mean(rep)).toFixed(4),
        xgb === undefined ? '' : (mean(rep) - mean(xgbRep)).toFixed(4),
        mean(sc.map((x) => x.trees)).toFixed(0),
      ]);
    }
    for (const p of peers.filter((q) => q.dataset === name && q.model !== 'sklearn-logreg')) {
      const rep = perRepeat(p.auc_folds, kk);
      rows.push([
        name,
        p.model,
        mean(rep).toFixed(4),
        sd(rep).toFixed(4),
        '',
        '',
        (mean(rep) - mean(xgbRep)).toFixed(4),
        '',
      ]);
    }
  }
  console.log(`\n${table(rows)}`);

  // Mean rank of each candidate over the datasets (1 = best test AUC), the held-out dataset left out.
  const ranked = names.filter((n) => n !== args.holdout);
  const rank = new Map<string, number[]>();
  for (const name of ranked) {
    const order = chosen
      .map((c) => ({ c: c.name, a: mean((results.get(c.name)?.get(name) ?? []).map((x) => x.test)) }))
      .sort((a, b) => b.a - a.a);
    order.forEach((o, i) => {
      rank.set(o.c, [...(rank.get(o.c) ?? []), i + 1]);
    });
  }
  const summary = chosen
    .map((c) => ({ c, r: mean(rank.get(c.name) ?? []) }))
    .sort((a, b) => a.r - b.r)
    .map(({ c, r }) => {
      const worst = Math.min(
        ...names.map((n) => {
          const xgb = peers.find((p) => p.dataset === n && p.model === 'xgboost-hist');
          return mean((results.get(c.name)?.get(n) ?? []).map((x) => x.test)) - (xgb?.auc ?? Number.NaN);
        }),
      );
      return [c.name, r.toFixed(2), worst.toFixed(4)];
    });
  console.log(
    `\nmean rank over ${ranked.join(', ')}${args.holdout === undefined ? '' : ` (${args.holdout} held out)`}; worst difference to XGBoost over all datasets`,
  );
  console.log(table([['candidate', 'mean rank', 'worst vs XGBoost'], ...summary]));
  writeFileSync(
    join(args.work, `results-${args.mode}.json`),
    JSON.stringify(Object.fromEntries([...results].map(([c, m]) => [c, Object.fromEntries(m)]))),
  );
}

await main();
