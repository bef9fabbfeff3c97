import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { formatCompareResult, runCompare } from '../../src/cli/compare.js';
import { runPredict } from '../../src/cli/predict.js';
import { type CommandIo, runTrain, type TrainCommandOptions } from '../../src/cli/train.js';
import { parseCsvText } from '../../src/core/csv.js';
import { readCsvFrame } from '../../src/core/frame.js';
import { calibrationTable } from '../../src/evaluation/metrics.js';
import { catalogMonotoneConstraints, openModel } from '../../src/models/registry.js';
import { creditSample } from '../binning/fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'rongdan-families-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quiet = (): CommandIo => {
  const w = new Writable({ write: (_c, _e, done) => done() });
  return { stdout: w, stderr: w };
};

function writeCsv(path: string, n: number, seed: number): void {
  const { x, y } = creditSample(n, seed);
  const lines = [[...x.names, 'bad'].join(',')];
  for (let i = 0; i < n; i++) {
    lines.push([...x.names.map((name) => String(x.cell(i, name) ?? '')), String(y[i])].join(','));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

const data = join(dir, 'train.csv');
writeCsv(data, 3000, 11);
const holdout = join(dir, 'holdout.csv');
writeCsv(holdout, 3000, 12);
const base: TrainCommandOptions = {
  data,
  target: 'bad',
  model: 'gbdt',
  out: join(dir, 'gbdt'),
  seed: 3,
  validation: 0.3,
  progress: false,
};

describe('model families through the CLI', () => {
  it('gbdt: early stopping on the validation rows sets the refit rounds; round trip predicts identically', async () => {
    const s = await runTrain({ ...base, param: ['nEstimators=400', 'learningRate=0.2'] }, quiet());
    expect(s.kind).toBe('gbdt');
    const artifact = JSON.parse(readFileSync(join(base.out, 'model.json'), 'utf8'));
    // Early stopping cut the 400 rounds on the validation rows; the refit kept that count.
    expect(artifact.params.nEstimators).toBeLessThan(400);
    expect(artifact.params.earlyStoppingRounds).toBe(0);
    const trees = JSON.parse(readFileSync(join(base.out, 'trees.json'), 'utf8'));
    expect(trees.tree_info).toHaveLength(artifact.params.nEstimators);
    const out = join(dir, 'gbdt.csv');
    await runPredict(
      { model: base.out, data: holdout, out, reasons: 2, lang: 'en', progress: false },
      quiet(),
    );
    const rows = parseCsvText(readFileSync(out, 'utf8'));
    const { model } = await openModel(base.out);
    const frame = await readCsvFrame(holdout);
    const pd = model.predictProba(frame.select(model.featureNames));
    const col = rows.header.indexOf('pd');
    expect(rows.records).toHaveLength(3000);
    rows.records.slice(0, 50).forEach((r, i) => {
      expect(Number(r[col])).toBeCloseTo(pd[i] as number, 12);
    });
  });

  it('mlp: the weights go beside the envelope and load back through the io handler', async () => {
    const out = join(dir, 'mlp');
    await runTrain({ ...base, model: 'mlp', out, param: ['maxEpochs=5', 'hiddenLayers=[8]'] }, quiet());
    expect(readFileSync(join(out, 'weights.bin')).length).toBeGreaterThan(0);
    const artifact = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8'));
    expect(artifact.state.weights.file).toBe('weights.bin');
    const { model } = await openModel(out);
    expect(model.kind).toBe('mlp');
    const p = model.predictProba((await readCsvFrame(holdout)).select(model.featureNames));
    expect(p.every((v) => v > 0 && v < 1)).toBe(true);
  });

  it('--calibrate stores the calibrator in the artifact and applies it when the model is loaded', async () => {
    const out = join(dir, 'calibrated');
    // A deliberately over-confident GBDT (deep, fast, no early stopping), then isotonic calibration.
    const params = ['learningRate=0.5', 'maxDepth=8', 'nEstimators=60', 'earlyStoppingRounds=0'];
    await runTrain({ ...base, out, param: params, calibrate: 'isotonic', refit: false }, quiet());
    const raw = join(dir, 'raw');
    await runTrain({ ...base, out: raw, param: params, refit: false }, quiet());
    expect(JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).calibration.name).toBe('isotonic');
    const frame = await readCsvFrame(holdout);
    const y = frame.numeric('bad');
    const worstGap = async (path: string): Promise<number> => {
      const { model } = await openModel(path);
      const pd = model.predictProba(frame.select(model.featureNames));
      return Math.max(...calibrationTable(y, pd).map((r) => Math.abs(r.meanPd - r.observedRate)));
    };
    const rawGap = await worstGap(raw);
    const calGap = await worstGap(out);
    expect(rawGap).toBeGreaterThan(0.1);
    expect(calGap).toBeLessThan(rawGap / 2);
  });

  it('--calibrate without validation rows is refused, naming the option', async () => {
    await expect(runTrain({ ...base, calibrate: 'platt', validation: 0 }, quiet())).rejects.toMatchObject({
      code: 'E_OPTIONS_INVALID',
      message: '--calibrate needs held-out rows: set --validation above 0',
    });
  });

  it('compare trains every family on the same folds and reports each', async () => {
    const r = await runCompare(
      {
        data,
        target: 'bad',
        models: ['scorecard', 'gbdt', 'logistic'],
        cv: 3,
        seed: 5,
        json: false,
        progress: false,
      },
      quiet(),
    );
    expect(r.models.map((m) => m.model)).toEqual(['scorecard', 'gbdt', 'logistic']);
    expect(r.rows).toBe(3000);
    for (const m of r.models) {
      expect(m.foldAuc).toHaveLength(3);
      expect(m.meanAuc).toBeGreaterThan(0.6);
      expect(m.oofAuc).toBeGreaterThan(0.6);
    }
    expect(formatCompareResult(r).split('\n')[1]).toMatch(/^model\s+AUC mean±sd\s+OOF AUC/);
    await expect(
      runCompare(
        { data, target: 'bad', models: ['forest'], cv: 3, seed: 5, json: false, progress: false },
        quiet(),
      ),
    ).rejects.toMatchObject({ code: 'E_OPTIONS_INVALID' });
    await expect(
      runCompare(
        { data, target: 'bad', models: ['gbdt'], cv: 1, seed: 5, json: false, progress: false },
        quiet(),
      ),
    ).rejects.toMatchObject({ message: '--cv must be an integer in [2, 20], received 1' });
  });

  it('catalog directions become monotone constraints for numeric catalog features only', () => {
    const c = catalogMonotoneConstraints([
      { name: 'ent_years_in_business', kind: 'numeric' },
      { name: 'ent_industry_section', kind: 'categorical' },
      { name: 'not_in_catalog', kind: 'numeric' },
    ]);
    expect(c).toEqual({ ent_years_in_business: -1 });
  });
});
