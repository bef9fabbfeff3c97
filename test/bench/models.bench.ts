// Model benchmark (issue 3 part 7, issue 4 part 7): test AUC, training time and prediction speed of every
// model family (scorecard, GBDT, MLP, plain logistic regression) on the fixed splits of
// ../shared/bench/make_splits.py, printed next to the Python peers (../shared/bench/peers.py: scikit-learn
// logistic regression and HistGradientBoosting, XGBoost) measured in the same run.
// Run: npx tsx test/bench/models.bench.ts [dataset ... | loans]   (or npm run bench -- models)
// `loans` is the MLP on a generated 40k-row loan file with its peers (mlp-loans.ts, issue 12 part 3).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Frame, readCsvFrame } from '../../src/core/frame.js';
import { auc } from '../../src/evaluation/metrics.js';
import { datasetPart, prepareDataset } from '../../src/models/dataset.js';
import type { TrainedModel } from '../../src/models/model.js';
import { modelFamily } from '../../src/models/registry.js';
import { mlpChild, mlpLoanBench } from './mlp-loans.js';
import { makeSplits, type PeerResult, peersUnavailable, runPeers, type SplitMeta } from './peers.js';

const OUR_MODELS = ['scorecard', 'gbdt', 'mlp', 'logistic'] as const;
/** Every family at its defaults (issue 12: the GBDT's defaults must hold against XGBoost's settings in
 * peers.py, see docs/gbdt-defaults.md). */
const PARAMS: Readonly<Record<string, Record<string, unknown>>> = {};
const SCORING_ROWS = 1_000_000;

/** Reads a test CSV as `rongdan predict` does: each model feature in the kind it had in training. */
function readTest(
  path: string,
  model: TrainedModel,
  categories: Readonly<Record<string, unknown>>,
): Promise<Frame> {
  const categorical = Object.keys(categories).filter((c) => model.featureNames.includes(c));
  const numeric = model.featureNames.filter((f) => !categorical.includes(f));
  return readCsvFrame(path, { categorical, numeric });
}

interface Measured {
  readonly dataset: string;
  readonly model: string;
  readonly aucs: number[];
  readonly trainSeconds: number;
  readonly features: number;
  readonly predictRowsPerSecond: number;
}

interface Fitted {
  readonly model: TrainedModel;
  readonly test: Frame;
}

async function measure(
  splits: string,
  name: string,
  meta: SplitMeta,
  family: string,
): Promise<{ m: Measured; last: Fitted }> {
  const aucs: number[] = [];
  let seconds = 0;
  let features = 0;
  let last: Fitted | undefined;
  let predictSeconds = 0;
  let predictRows = 0;
  await modelFamily(family).prepare?.();
  for (let k = 0; k < meta.folds; k++) {
    const dir = join(splits, name, `fold${k}`);
    // The whole training file, as `rongdan train` refits on it: no rows held out.
    const ds = prepareDataset(await readCsvFrame(join(dir, 'train.csv')), {
      target: meta.target,
      validationShare: 0,
      seed: 0,
    });
    const train = datasetPart(ds, ds.train);
    const estimator = modelFamily(family).create(PARAMS[family] ?? {}, {
      seed: 0,
      special: ds.special,
      features: ds.x.columns,
    });
    const t0 = performance.now();
    estimator.fit(train.x, train.y);
    seconds += (performance.now() - t0) / 1000;
    // Score through the saved form, as production does.
    const artifact = estimator.toArtifact();
    const model = modelFamily(family).fromArtifact(JSON.parse(JSON.stringify(artifact)));
    const testFrame = await readTest(join(dir, 'test.csv'), model, artifact.categories);
    const y = testFrame.numeric(meta.target);
    const p0 = performance.now();
    const pd = model.predictProba(testFrame);
    predictSeconds += (performance.now() - p0) / 1000;
    predictRows += testFrame.nRows;
    aucs.push(auc(y, pd));
    features = model.featureNames.length;
    last = { model, test: testFrame };
  }
  return {
    m: {
      dataset: name,
      model: `rongdan-${family}`,
      aucs,
      trainSeconds: seconds,
      features,
      predictRowsPerSecond: predictRows / predictSeconds,
    },
    last: last as Fitted,
  };
}

/** Rows per second of predictProba (and score) on `rows` rows built by repeating the test rows. */
function scoringSpeed(fitted: Fitted, rows: number): { pd: number; points: number | undefined } {
  const idx = Int32Array.from({ length: rows }, (_, i) => i % fitted.test.nRows);
  const big = fitted.test.take(idx);
  fitted.model.predictProba(fitted.test); // warm the JIT on the small frame first
  const time = (f: () => unknown): number => {
    let best = Number.POSITIVE_INFINITY;
    for (let r = 0; r < 3; r++) {
      const t0 = performance.now();
      f();
      best = Math.min(best, (performance.now() - t0) / 1000);
    }
    return rows / best;
  };
  const pd = time(() => fitted.model.predictProba(big));
  const score = fitted.model.score;
  const points = score === undefined ? undefined : time(() => score.call(fitted.model, big));
  return { pd, points };
}

function mean(v: readonly number[]): number {
  return v.reduce((s, x) => s + x, 0) / v.length;
}

async function main(): Promise<void> {
  const child = process.argv.indexOf('--mlp-child');
  if (child >= 0) {
    const [train, test, params] = process.argv.slice(child + 1) as [string, string, string];
    console.log(JSON.stringify(await mlpChild(train, test, params)));
    return;
  }
  // `loans`: the MLP on the 40k-row loan file (mlp-loans.ts); run with the datasets unless others are named.
  const only = process.argv.slice(2);
  if (only.length === 0 || only.includes('loans')) {
    const dir = mkdtempSync(join(tmpdir(), 'rongdan-loans-'));
    try {
      await mlpLoanBench(dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    if (only.length > 0 && only.every((w) => w === 'loans')) return;
  }
  const why = peersUnavailable();
  if (why !== undefined) {
    console.log(`SKIPPED model benchmark: ${why}`);
    return;
  }
  const splits = mkdtempSync(join(tmpdir(), 'rongdan-splits-'));
  try {
    const metas = makeSplits(splits);
    const wanted = process.argv.slice(2);
    const names = [...metas.keys()].filter((n) => wanted.length === 0 || wanted.includes(n));
    if (names.length === 0) {
      console.log(`SKIPPED: no dataset among ${[...metas.keys()].join(', ')} matches ${wanted.join(' ')}`);
      return;
    }
    console.log(`splits in ${splits}: ${names.map((n) => `${n} (${metas.get(n)?.scheme})`).join(', ')}`);
    // Peers first and alone: on 2 shared cores, timings taken side by side would disturb each other.
    const peers: PeerResult[] = runPeers(splits, names);
    const ours: Measured[] = [];
    let taiwan: Fitted | undefined;
    for (const name of names) {
      const meta = metas.get(name) as SplitMeta;
      for (const family of OUR_MODELS) {
        try {
          const { m, last } = await measure(splits, name, meta, family);
          ours.push(m);
          if (name === 'taiwan' && family === 'scorecard') taiwan = last;
        } catch (err) {
          console.log(`${name} ${family}: FAILED ${(err as Error).message}`);
        }
      }
    }

    const rows: string[][] = [
      ['dataset', 'model', 'test AUC', 'AUC by fold', 'train s', 'predict rows/s', 'features'],
    ];
    for (const name of names) {
      for (const m of ours.filter((o) => o.dataset === name)) {
        rows.push([
          name,
          m.model,
          mean(m.aucs).toFixed(4),
          m.aucs.map((a) => a.toFixed(3)).join(' '),
          m.trainSeconds.toFixed(2),
          Math.round(m.predictRowsPerSecond).toLocaleString('en-US'),
          String(m.features),
        ]);
      }
      for (const p of peers.filter((q) => q.dataset === name)) {
        rows.push([
          name,
          p.model,
          p.auc.toFixed(4),
          p.auc_folds.map((a) => a.toFixed(3)).join(' '),
          p.train_s.toFixed(2),
          '',
          '',
        ]);
      }
    }
    const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
    console.log('');
    for (const r of rows)
      console.log(
        r
          .map((c, i) => (i < 2 || i === 3 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0)))
          .join('  '),
      );

    console.log('\naims');
    for (const name of names) {
      const sc = ours.find((o) => o.dataset === name && o.model === 'rongdan-scorecard');
      const lr = peers.find((p) => p.dataset === name && p.model === 'sklearn-logreg');
      if (sc === undefined || lr === undefined) continue;
      const a = mean(sc.aucs);
      console.log(
        `  ${name}: scorecard AUC ${a.toFixed(4)} ${a >= lr.auc ? '>=' : '<'} sklearn-logreg ${lr.auc.toFixed(4)} → ${a >= lr.auc ? 'met' : 'NOT met'}`,
      );
    }
    for (const name of names) {
      const gb = ours.find((o) => o.dataset === name && o.model === 'rongdan-gbdt');
      const best = peers.filter((p) => p.dataset === name).sort((a, b) => b.auc - a.auc)[0];
      if (gb === undefined || best === undefined) continue;
      const a = mean(gb.aucs);
      const ok = a >= best.auc - 0.003;
      console.log(
        `  ${name}: gbdt AUC ${a.toFixed(4)} vs best peer ${best.model} ${best.auc.toFixed(4)} − 0.003 → ${ok ? 'met' : 'NOT met'}`,
      );
    }
    const tw = ours.find((o) => o.dataset === 'taiwan' && o.model === 'rongdan-scorecard');
    if (tw !== undefined) {
      console.log(
        `  taiwan: scorecard training ${tw.trainSeconds.toFixed(2)} s (aim < 2 s) → ${tw.trainSeconds < 2 ? 'met' : 'NOT met'}`,
      );
    }
    if (taiwan !== undefined) {
      const s = scoringSpeed(taiwan, SCORING_ROWS);
      const fmt = (v: number): string => `${(v / 1e6).toFixed(2)} M rows/s`;
      console.log(
        `  scoring ${SCORING_ROWS.toLocaleString('en-US')} rows (Taiwan test repeated), one thread: predictProba ${fmt(s.pd)}` +
          `${s.points === undefined ? '' : `, score ${fmt(s.points)}`} (aim ≥ 1 M rows/s) → ${s.pd >= 1e6 ? 'met' : 'NOT met'}`,
      );
    }
  } finally {
    rmSync(splits, { recursive: true, force: true });
  }
}

await main();
