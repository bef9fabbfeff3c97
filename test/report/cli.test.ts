import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerEvaluateCommands } from '../../src/cli/commands/evaluate.js';
import { formatEvaluateResult, guessTarget, runEvaluate } from '../../src/cli/evaluate.js';
import { runReport } from '../../src/cli/report.js';
import type { CommandIo } from '../../src/cli/train.js';
import { csvCell } from '../../src/core/csv.js';
import { RiskError } from '../../src/core/errors.js';
import { Frame, numeric } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import { auc, psi } from '../../src/evaluation/metrics.js';
import { loadModel, modelFamily, saveModel, withTraining } from '../../src/models/registry.js';
import { makeSample } from './fixture.js';

/** A CommandIo that keeps what is written, and is no terminal (so no progress bars). */
function memoryIo(): CommandIo & { out: () => string; err: () => string } {
  const chunks = { out: '', err: '' };
  const sink = (key: 'out' | 'err') =>
    new Writable({
      write(chunk, _enc, done) {
        chunks[key] += String(chunk);
        done();
      },
    });
  return { stdout: sink('out'), stderr: sink('err'), out: () => chunks.out, err: () => chunks.err };
}

function writeCsv(path: string, frame: Frame, extra: Record<string, readonly (string | number)[]>): void {
  const names = [...frame.names, ...Object.keys(extra)];
  const lines = [names.join(',')];
  for (let i = 0; i < frame.nRows; i++) {
    const cells = frame.names.map((n) => csvCell(frame.cell(i, n)));
    for (const col of Object.values(extra)) cells.push(csvCell(col[i]));
    lines.push(cells.join(','));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

let dir = '';
const train = makeSample(2000, 21);
const test = makeSample(1500, 22, 0.3);
// Half the test rows dated 2024, half 2025, and a 0/1 column that is not the target (a flag).
const dates = Array.from({ length: 1500 }, (_, i) => (i % 2 === 0 ? '2024-06-30' : '2025-02-01'));
const flagRng = new Rng(5);
const flags = Array.from({ length: 1500 }, () => (flagRng.chance(0.5) ? 1 : 0));

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'rongdan-eval-'));
  writeCsv(join(dir, 'train.csv'), train.x, { bad: Array.from(train.y) });
  writeCsv(join(dir, 'test.csv'), test.x, { bad: Array.from(test.y), applied: dates });
  writeCsv(join(dir, 'flagged.csv'), test.x, { bad: Array.from(test.y), flag: flags });
  const model = modelFamily('scorecard').create({}, { seed: 1, special: {} });
  model.fit(train.x, train.y);
  saveModel(join(dir, 'model'), model.toArtifact(), model);
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('rongdan evaluate', () => {
  it('takes the target the artifact names from training, before any guess', async () => {
    // Trained (say) on "flag": the guess would pick "bad", the column named like a target.
    const model = loadModel(join(dir, 'model'));
    const artifact = withTraining(JSON.parse(readFileSync(join(dir, 'model', 'model.json'), 'utf8')), {
      target: { column: 'flag' },
    });
    saveModel(join(dir, 'flag-model'), artifact, model);
    const r = await runEvaluate(
      { model: join(dir, 'flag-model'), data: join(dir, 'flagged.csv'), json: false, progress: false },
      memoryIo(),
    );
    expect(r.target).toBe('flag');
    expect(r.evaluation.metrics.auc).toBeCloseTo(
      auc(Float64Array.from(flags), model.predictProba(test.x)),
      12,
    );
    // A file without the trained target is an error naming it, unless --target names another.
    await expect(
      runEvaluate(
        { model: join(dir, 'flag-model'), data: join(dir, 'test.csv'), json: false, progress: false },
        memoryIo(),
      ),
    ).rejects.toMatchObject({ code: 'E_OPTIONS_INVALID', message: expect.stringContaining('"flag"') });
    const named = await runEvaluate(
      {
        model: join(dir, 'flag-model'),
        data: join(dir, 'test.csv'),
        target: 'bad',
        json: false,
        progress: false,
      },
      memoryIo(),
    );
    expect(named.target).toBe('bad');
  });

  it('measures a saved model on a labelled CSV, finding the 0/1 target itself', async () => {
    const io = memoryIo();
    const r = await runEvaluate(
      { model: join(dir, 'model'), data: join(dir, 'test.csv'), json: false, progress: false },
      io,
    );
    expect(r.target).toBe('bad');
    expect(r.kind).toBe('scorecard');
    const model = loadModel(join(dir, 'model'));
    expect(r.evaluation.metrics.auc).toBeCloseTo(auc(test.y, model.predictProba(test.x)), 12);
    expect(r.evaluation.metrics.rows).toBe(1500);
    expect(r.evaluation.psi).toBeUndefined();
    const text = formatEvaluateResult(r);
    expect(text).toMatch(new RegExp(`\\nAUC +${r.evaluation.metrics.auc.toFixed(4)}\\n`));
    expect(text).toContain('calibration by decile of predicted pd');
    expect(text).toContain('lift and gains by decile (riskiest first)');
  });

  it('adds PSI and CSI against a baseline CSV', async () => {
    const r = await runEvaluate(
      {
        model: join(dir, 'model'),
        data: join(dir, 'test.csv'),
        baseline: join(dir, 'train.csv'),
        json: true,
        progress: false,
      },
      memoryIo(),
    );
    const model = loadModel(join(dir, 'model'));
    const points = model.score as (f: Frame) => Float64Array;
    expect(r.evaluation.scoreName).toBe('points');
    expect(r.evaluation.psi?.value).toBeCloseTo(
      psi(points.call(model, train.x), points.call(model, test.x)).value,
      12,
    );
    // The test sample's incomes were shifted up by 0.3 in log terms: income drifts, region does not.
    const byName = new Map(r.evaluation.csi?.map((c) => [c.variable, c]));
    expect(byName.get('income')?.value).toBeGreaterThan(0.05);
    expect(byName.get('region')?.band).toBe('stable');
    // JSON output round-trips.
    expect(JSON.parse(JSON.stringify(r)).evaluation.metrics.auc).toBe(r.evaluation.metrics.auc);
  });

  it('splits out of time by a date column and compares the later rows with the earlier', async () => {
    const r = await runEvaluate(
      {
        model: join(dir, 'model'),
        data: join(dir, 'test.csv'),
        date: 'applied',
        ootFrom: '2025-01-01',
        json: false,
        progress: false,
      },
      memoryIo(),
    );
    expect(r.outOfTime?.inTime.metrics.rows).toBe(750);
    expect(r.outOfTime?.outOfTime.metrics.rows).toBe(750);
    expect(r.outOfTime?.outOfTime.psi?.band).toBe('stable');
    expect(formatEvaluateResult(r)).toContain('out of time: applied on or after 2025-01-01');
  });

  it('asks for --target when several 0/1 columns could be it, and reads --target when given', async () => {
    const opts = { model: join(dir, 'model'), data: join(dir, 'flagged.csv'), json: false, progress: false };
    // "bad" is named like a target, so it still wins over "flag".
    expect((await runEvaluate(opts, memoryIo())).target).toBe('bad');
    const frame = Frame.fromColumns([numeric('x', [1, 2]), numeric('a', [0, 1]), numeric('b', [1, 0])]);
    expect(() => guessTarget(frame, ['x'])).toThrow(/several columns could be the target \(a, b\)/);
    const flagged = await runEvaluate({ ...opts, target: 'flag' }, memoryIo());
    expect(flagged.target).toBe('flag');
    expect(flagged.evaluation.metrics.auc).toBeGreaterThan(0.4);
    expect(flagged.evaluation.metrics.auc).toBeLessThan(0.6);
  });

  it('refuses half an out-of-time request and an unknown target with coded errors', async () => {
    const base = { model: join(dir, 'model'), data: join(dir, 'test.csv'), json: false, progress: false };
    await expect(runEvaluate({ ...base, date: 'applied' }, memoryIo())).rejects.toMatchObject({
      code: 'E_OPTIONS_INVALID',
    });
    await expect(runEvaluate({ ...base, target: 'nope' }, memoryIo())).rejects.toMatchObject({
      code: 'E_CSV_COLUMN',
    });
    await expect(runEvaluate({ ...base, target: 'region' }, memoryIo())).rejects.toBeInstanceOf(RiskError);
  });

  it('is wired into commander with --json', async () => {
    const program = new Command().exitOverride();
    registerEvaluateCommands(program);
    const out: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => {
      out.push(chunk);
      return true;
    }) as typeof process.stdout.write;
    try {
      await program.parseAsync(
        [
          'evaluate',
          '--model',
          join(dir, 'model'),
          '--data',
          join(dir, 'test.csv'),
          '--json',
          '--no-progress',
        ],
        { from: 'user' },
      );
    } finally {
      process.stdout.write = write;
    }
    const json = JSON.parse(out.join(''));
    expect(json.target).toBe('bad');
    expect(json.evaluation.metrics.calibration).toHaveLength(10);
  });
});

describe('rongdan report', () => {
  it('writes one self-contained page for a saved scorecard', async () => {
    const out = join(dir, 'report.html');
    const s = await runReport(
      {
        model: join(dir, 'model'),
        data: join(dir, 'test.csv'),
        baseline: join(dir, 'train.csv'),
        out,
        timestamp: false,
        progress: false,
      },
      memoryIo(),
    );
    const html = readFileSync(out, 'utf8');
    expect(s.bytes).toBe(Buffer.byteLength(html));
    const tables = loadModel(join(dir, 'model')).binningTables?.() ?? [];
    expect(tables.length).toBeGreaterThan(0);
    // ROC, KS, distribution, calibration, gains, importance and one WoE chart per variable.
    expect(s.charts).toBe(7 + tables.length);
    expect(html).toContain('<dt>model kind</dt><dd>scorecard</dd>');
    expect(html).toContain('score (points, higher = safer)');
    expect(html).not.toContain('<script');
  });
});
