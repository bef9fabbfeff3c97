// The MLP part of the model benchmark (issue 12 part 3): training time, peak RSS, leaked tensors and test
// AUC of the MLP on a 40k-row loan file (a `rongdan samples` sample of 40,000 borrowers, 12 months, its
// features as `rongdan features build` writes them, default_12m as the target), scored on a 10k-row file
// of another seed. Next to it, from the same interleaved runs: the MLP with the settings it had before
// issue 12 (256-row batches, learning rate 1e-3, patience 10), and scikit-learn's MLPClassifier (the same
// 64→32 layers, early stopping) on the same files. Each fit runs in a child process, so its peak RSS is its own.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { readCsvFrame } from '../../src/core/frame.js';
import { auc } from '../../src/evaluation/metrics.js';
import { writeFeaturesCsv } from '../../src/features/batch.js';
import { loadCatalog } from '../../src/features/catalog.js';
import { compileCatalog } from '../../src/features/plan.js';
import { parseApplication } from '../../src/ingest/validate.js';
import { datasetPart, prepareDataset } from '../../src/models/dataset.js';
import { initMlpBackend } from '../../src/models/mlp/backend.js';
import { Mlp } from '../../src/models/mlp/mlp.js';
import { generateApplications } from '../../src/samples/generate.js';
import { PYTHON } from './peers.js';
import { fmtSpread, int, interleave, loadNote, RUNS, secs, spreadOf } from './spread.js';

const TRAIN_ROWS = 40_000;
const TEST_ROWS = 10_000;
const TARGET = 'default_12m';
/** The MLP's settings before issue 12, to show what the new defaults changed. */
const BEFORE = { batchSize: 256, learningRate: 1e-3, patience: 10 };

/** One fit: seconds, epochs, RSS and tensors around it, test AUC. */
interface MlpRun {
  readonly rows: number;
  readonly seconds: number;
  /** CPU seconds of the fit (all threads): on a loaded machine a steadier figure than the wall time. */
  readonly cpuSeconds: number;
  readonly epochs: number;
  readonly bestEpoch: number;
  /** RSS once the file is read and prepared, before the fit. */
  readonly rssBeforeFitMiB: number;
  readonly peakMiB: number;
  readonly tensorsBefore: number;
  readonly tensorsAfter: number;
  readonly testAuc: number;
}

/** Writes a loan file: features of `n` generated borrowers and their 12-month default. */
export async function writeLoanFile(path: string, n: number, seed: number): Promise<void> {
  const targets = new Map<string, string>();
  function* apps(): Generator<ReturnType<typeof parseApplication>> {
    for (const { application, outcome } of generateApplications({ n, seed, months: 12, dirty: 0 })) {
      targets.set(outcome.borrowerId, String(outcome.default12m));
      yield parseApplication(application);
    }
  }
  await writeFeaturesCsv(compileCatalog(loadCatalog()), apps(), path, { targets, targetColumn: TARGET });
}

async function readPart(path: string): Promise<ReturnType<typeof datasetPart>> {
  const ds = prepareDataset(await readCsvFrame(path), {
    target: TARGET,
    validationShare: 0,
    seed: 0,
    exclude: ['borrower_id'],
  });
  return datasetPart(ds, ds.train);
}

/** The child: reads the training file, fits the MLP on every row (its own 20% early-stopping split). */
export async function mlpChild(train: string, test: string, params: string): Promise<MlpRun> {
  await initMlpBackend();
  const part = await readPart(train);
  const rssBeforeFitMiB = process.memoryUsage().rss / 2 ** 20;
  const tensorsBefore = tf.memory().numTensors;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const model = new Mlp({ seed: 0, ...(JSON.parse(params) as object) }).fit(part.x, part.y);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  const testPart = await readPart(test);
  const testAuc = auc(testPart.y, model.predictProba(testPart.x));
  const h = model.history();
  model.dispose();
  return {
    rows: part.x.nRows,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    epochs: h.epochs,
    bestEpoch: h.bestEpoch,
    rssBeforeFitMiB,
    peakMiB,
    tensorsBefore,
    tensorsAfter: tf.memory().numTensors,
    testAuc,
  };
}

const SKLEARN = `
import json, resource, sys, time
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.metrics import roc_auc_score
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
train, test = pd.read_csv(sys.argv[1]), pd.read_csv(sys.argv[2])
y, yt = train.pop("${TARGET}"), test.pop("${TARGET}")
for d in (train, test):
    d.drop(columns=["borrower_id", "as_of"], inplace=True)
cat = [c for c in train.columns if train[c].dtype == object]
num = [c for c in train.columns if c not in cat]
pre = ColumnTransformer([
    ("num", make_pipeline(SimpleImputer(add_indicator=True), StandardScaler()), num),
    ("cat", OneHotEncoder(handle_unknown="ignore"), cat)])
model = make_pipeline(pre, MLPClassifier(hidden_layer_sizes=(64, 32), early_stopping=True, random_state=0))
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
t, c = time.perf_counter(), time.process_time()
model.fit(train, y)
dt, dc = time.perf_counter() - t, time.process_time() - c
print(json.dumps({"rows": len(train), "seconds": dt, "cpuSeconds": dc, "epochs": model[-1].n_iter_, "bestEpoch": 0,
  "rssBeforeFitMiB": rss, "peakMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
  "tensorsBefore": 0, "tensorsAfter": 0, "testAuc": roc_auc_score(yt, model.predict_proba(test)[:, 1])}))
`;

function runChild(train: string, test: string, params: object): MlpRun {
  const r = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./models.bench.ts', import.meta.url)),
      '--mlp-child',
      train,
      test,
      JSON.stringify(params),
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (r.status !== 0) throw new Error(`mlp child failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as MlpRun;
}

function runSklearn(train: string, test: string): MlpRun | string {
  if (!existsSync(PYTHON)) return `no ${PYTHON}`;
  const r = spawnSync(PYTHON, ['-c', SKLEARN, train, test], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) return `sklearn failed: ${r.stderr.trim().split('\n').at(-1)}`;
  return JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as MlpRun;
}

/** Writes the two files into `dir`, runs the three fits interleaved RUNS times, prints the table. */
export async function mlpLoanBench(dir: string): Promise<void> {
  const train = join(dir, 'loans40k.csv');
  const test = join(dir, 'loans10k-test.csv');
  const t = performance.now();
  await writeLoanFile(train, TRAIN_ROWS, 12);
  await writeLoanFile(test, TEST_ROWS, 13);
  console.log(
    `\nMLP on a ${int(TRAIN_ROWS)}-row loan file (rongdan samples, seed 12, 12 months, ${TARGET}; test: ` +
      `${int(TEST_ROWS)} rows of seed 13; files written in ${((performance.now() - t) / 1000).toFixed(0)} s, not timed)`,
  );
  const sk = runSklearn(train, test);
  const runs = await interleave({
    now: () => runChild(train, test, {}),
    before: () => runChild(train, test, BEFORE),
    ...(typeof sk === 'string'
      ? {}
      : { sklearn: (r: number) => (r === 0 ? sk : (runSklearn(train, test) as MlpRun)) }),
  } as Record<string, (run: number) => MlpRun>);
  const label: Record<string, string> = {
    now: 'rongdan-mlp (defaults)',
    before: 'rongdan-mlp (pre-issue-12 settings)',
    sklearn: 'sklearn MLPClassifier (peer)',
  };
  const rows = [
    ['model', 'fit', 'fit CPU', 'epochs (best)', 'peak RSS MiB', 'RSS before fit', 'test AUC', 'tensors'],
  ];
  for (const [name, r] of Object.entries(runs)) {
    rows.push([
      label[name] ?? name,
      fmtSpread(
        spreadOf(r, (x) => x.seconds),
        secs,
      ),
      fmtSpread(
        spreadOf(r, (x) => x.cpuSeconds),
        secs,
      ),
      `${r[0]?.epochs} (${r[0]?.bestEpoch})`,
      fmtSpread(
        spreadOf(r, (x) => x.peakMiB),
        int,
      ),
      int(r[0]?.rssBeforeFitMiB ?? 0),
      (r[0]?.testAuc ?? 0).toFixed(4),
      name === 'sklearn' ? '' : `${r[0]?.tensorsBefore} → ${r[0]?.tensorsAfter}`,
    ]);
  }
  const widths = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  for (const r of rows)
    console.log(
      r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  '),
    );
  if (typeof sk === 'string') console.log(`  sklearn peer not run: ${sk}`);
  const now = runs.now as MlpRun[];
  const s = spreadOf(now, (x) => x.seconds).median;
  const peak = spreadOf(now, (x) => x.peakMiB).median;
  console.log(
    `  ${RUNS} interleaved runs, ${loadNote()}; tensors: live tensors before the fit → after fit, predict and dispose`,
  );
  console.log(
    `  aims: fit ≤ 10 s → ${s <= 10 ? 'met' : 'NOT met'} (${secs(s)}); peak RSS ≤ 300 MiB → ${peak <= 300 ? 'met' : 'NOT met'} ` +
      `(${int(peak)}, of which ${int(now[0]?.rssBeforeFitMiB ?? 0)} before the fit: Node, TF.js and the frame read from CSV)`,
  );
}
