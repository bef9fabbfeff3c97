// Shared helper for benchmarks: runs ../shared/bench (make_splits.py, peers.py) with Debian's python3, so
// that our models and the Python peers are measured on the same train/test files in the same run.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** ../shared beside the repository (never copied into it); from a worktree in /work/wt/<name>, ../../shared;
 * RONGDAN_SHARED_DIR for a checkout elsewhere. */
const HERE = dirname(fileURLToPath(import.meta.url));
export const SHARED_DIR =
  process.env.RONGDAN_SHARED_DIR ??
  ['../../../shared', '../../../../shared'].map((p) => resolve(HERE, p)).find((d) => existsSync(d)) ??
  resolve(HERE, '../../../shared');
export const DATASETS_DIR = join(SHARED_DIR, 'datasets');
export const BENCH_DIR = join(SHARED_DIR, 'bench');
/** Debian's interpreter, which has python3-sklearn, python3-pandas and python3-xgboost. */
export const PYTHON = '/usr/bin/python3';

/** What make_splits.py writes beside each dataset's folds. */
export interface SplitMeta {
  readonly target: string;
  readonly scheme: string;
  readonly folds: number;
  readonly rows: number;
  readonly bad_rate: number;
}

/** One line of peers.py: a model's mean test AUC over the folds and its total training seconds. */
export interface PeerResult {
  readonly dataset: string;
  readonly model: string;
  readonly auc: number;
  readonly auc_folds: readonly number[];
  readonly train_s: number;
}

/**
 * Why the peers cannot run here, or undefined when they can: the datasets folder, the bench scripts and
 * Debian's python3 with pandas, scikit-learn and xgboost must all be present.
 */
export function peersUnavailable(): string | undefined {
  if (!existsSync(DATASETS_DIR)) return `no datasets folder at ${DATASETS_DIR}`;
  for (const script of ['make_splits.py', 'peers.py']) {
    if (!existsSync(join(BENCH_DIR, script))) return `no ${script} in ${BENCH_DIR}`;
  }
  if (!existsSync(PYTHON))
    return `no ${PYTHON} (apt-get install -y python3-sklearn python3-xgboost python3-pandas)`;
  const probe = spawnSync(PYTHON, ['-c', 'import pandas, sklearn, xgboost'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    return `${PYTHON} lacks pandas/sklearn/xgboost (apt-get install -y python3-sklearn python3-xgboost python3-pandas): ${probe.stderr.trim().split('\n').pop() ?? ''}`;
  }
  return undefined;
}

/**
 * Writes the fixed, seeded splits into `outDir` and returns each dataset's meta, by name.
 * @throws Error with the script's stderr when it fails
 */
export function makeSplits(outDir: string): Map<string, SplitMeta> {
  const r = spawnSync(PYTHON, [join(BENCH_DIR, 'make_splits.py'), DATASETS_DIR, outDir], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`make_splits.py failed (${r.status}): ${r.stderr}`);
  const metas = new Map<string, SplitMeta>();
  for (const name of readdirSync(outDir).sort()) {
    const meta = join(outDir, name, 'meta.json');
    if (existsSync(meta)) metas.set(name, JSON.parse(readFileSync(meta, 'utf8')) as SplitMeta);
  }
  return metas;
}

/**
 * Runs peers.py on the splits (all datasets, or the named ones) and parses its JSON lines.
 * @throws Error with the script's stderr when it fails
 */
export function runPeers(splitsDir: string, datasets: readonly string[] = []): PeerResult[] {
  const r = spawnSync(PYTHON, [join(BENCH_DIR, 'peers.py'), splitsDir, ...datasets], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`peers.py failed (${r.status}): ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((line) => line.trim().startsWith('{'))
    .map((line) => JSON.parse(line) as PeerResult);
}
