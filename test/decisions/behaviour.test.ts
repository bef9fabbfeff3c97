import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { openBehaviourModel } from '../../src/cli/monitor.js';
import {
  BEHAVIOUR_FEATURES,
  type BehaviourRow,
  behaviourFrame,
  behaviourRows,
} from '../../src/decisions/behaviour.js';
import { auc } from '../../src/evaluation/metrics.js';
import { groupSnapshots, readMonitoringSnapshots } from '../../src/ingest/monitoring.js';
import { series, snap } from './warning-helpers.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const modelDir = join(root, 'models', 'behaviour-gbdt', '1.0.0');
const OOT_FROM = '2026-02';
let rows: BehaviourRow[] = [];

beforeAll(async () => {
  const { rows: snaps } = await readMonitoringSnapshots(
    join(root, 'data-samples', 'monitoring', 'snapshots.csv'),
  );
  rows = [...groupSnapshots(snaps).values()].flatMap((s) => behaviourRows(s));
});

describe('behavioural target', () => {
  it('labels default within 6 months, drops defaulted and censored months', () => {
    const defaulted = [...series(7), snap(8, { loanStatus: 'defaulted', loanOverdueDays: 91 })];
    expect(behaviourRows(defaulted).map((r) => [r.metrics.months_on_book, r.target])).toEqual([
      [1, 0],
      [2, 1],
      [3, 1],
      [4, 1],
      [5, 1],
      [6, 1],
      [7, 1],
    ]);
    // a surviving loan with 12 months: months 7-12 have no full horizon observed
    expect(behaviourRows(series(12)).map((r) => r.metrics.months_on_book)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(behaviourRows(series(12), 3).map((r) => r.metrics.months_on_book)).toHaveLength(9);
  });

  it('the sample gives 7,420 labelled loan-months, 171 positive', () => {
    expect(rows).toHaveLength(7420);
    expect(rows.filter((r) => r.target === 1)).toHaveLength(171);
  });
});

describe('shipped behavioural model models/behaviour-gbdt/1.0.0', () => {
  it('loads, reads the behavioural features in order and reproduces its out-of-time AUC', async () => {
    const artifact = JSON.parse(readFileSync(join(modelDir, 'behaviour-model.json'), 'utf8'));
    const model = await openBehaviourModel(modelDir);
    expect(model.featureNames).toEqual([...BEHAVIOUR_FEATURES]);
    const oot = rows.filter((r) => r.month >= OOT_FROM);
    expect(oot.length).toBe(artifact.metrics.oot_rows);
    const pd = model.predictProba(behaviourFrame(oot.map((r) => r.metrics)));
    expect(pd.every((p) => p > 0 && p < 1)).toBe(true);
    const y = Float64Array.from(oot, (r) => r.target);
    expect(auc(y, pd)).toBeCloseTo(artifact.metrics.oot_auc as number, 10);
    expect(artifact.metrics.oot_auc).toBeGreaterThan(0.95);
    expect(readFileSync(join(modelDir, 'model-card.md'), 'utf8')).toContain('out-of-time AUC');
  });

  it('early-warning value: the OOT AUC among loan-months not yet overdue', async () => {
    const model = await openBehaviourModel(modelDir);
    const oot = rows.filter((r) => r.month >= OOT_FROM && r.metrics.overdue_days === 0);
    const pd = model.predictProba(behaviourFrame(oot.map((r) => r.metrics)));
    const y = Float64Array.from(oot, (r) => r.target);
    expect(y.reduce((a, b) => a + b, 0)).toBe(EARLY.positives);
    expect(auc(y, pd)).toBeCloseTo(EARLY.auc, 6);
  });
});

/** Golden figures of the not-yet-overdue subset (stated in the model card). */
const EARLY = { positives: 14, auc: 0.8471211118 };
