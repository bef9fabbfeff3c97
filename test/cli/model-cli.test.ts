import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFamilyParams, runCompare } from '../../src/cli/compare.js';
import { dateColumn, requireDataRows } from '../../src/cli/data-checks.js';
import { formatEvaluateResult, runEvaluate } from '../../src/cli/evaluate.js';
import { DEFAULT_COMPARE_MODELS } from '../../src/cli/options.js';
import { formatPredictSummary, runPredict } from '../../src/cli/predict.js';
import { type CommandIo, runTrain } from '../../src/cli/train.js';
import { parseCsvText } from '../../src/core/csv.js';
import { categorical, Frame, numeric } from '../../src/core/frame.js';
import { creditSample } from '../binning/fixture.js';
import { codeOf } from '../fixtures/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'rongdan-model-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quiet = (): CommandIo => {
  const w = new Writable({ write: (_c, _e, done) => done() });
  return { stdout: w, stderr: w };
};

/** A labelled CSV with a date column; `edit` may change cells of a row. */
function writeCsv(path: string, n: number, seed: number, edit?: (row: string[], i: number) => void): void {
  const { x, y } = creditSample(n, seed);
  const header = [...x.names, 'apply_date', 'bad'];
  const lines = [header.join(',')];
  for (let i = 0; i < n; i++) {
    const row = [
      ...x.names.map((name) => String(x.cell(i, name) ?? '')),
      `2024-${String((i % 12) + 1).padStart(2, '0')}-15`,
      String(y[i]),
    ];
    edit?.(row, i);
    lines.push(row.join(','));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

const data = join(dir, 'train.csv');
const headerOnly = join(dir, 'header.csv');
const unseen = join(dir, 'unseen.csv');
const modelDir = join(dir, 'logistic');

beforeAll(async () => {
  writeCsv(data, 1500, 31);
  writeFileSync(headerOnly, `${readFileSync(data, 'utf8').split('\n')[0]}\n`);
  // region is column 3 of the fixture (age, income, util, region, noise): two unseen levels, 7 rows.
  const regionAt = creditSample(1, 1).x.names.indexOf('region');
  writeCsv(unseen, 200, 32, (row, i) => {
    if (i < 5) row[regionAt] = 'atlantis';
    else if (i < 7) row[regionAt] = 'lemuria';
  });
  await runTrain(
    {
      data,
      target: 'bad',
      model: 'logistic',
      out: modelDir,
      seed: 1,
      validation: 0.2,
      exclude: ['apply_date'],
      progress: false,
    },
    quiet(),
  );
}, 60_000);

describe('evaluate', () => {
  it('prints a score-band table of points for a logistic model, summing to the rows', async () => {
    const r = await runEvaluate({ model: modelDir, data, json: true, progress: false }, quiet());
    const b = r.evaluation.bands;
    expect(b.scoreName).toBe('points');
    expect(b.rows.reduce((s, row) => s + row.count, 0)).toBe(1500);
    expect(b.total.count).toBe(1500);
    expect(b.rows.at(-1)?.cumApprovalRate).toBeCloseTo(1, 12);
    // Safest band first: the first band's bad rate is below the last one's.
    expect(b.rows[0]?.badRate).toBeLessThan(b.rows.at(-1)?.badRate ?? 0);
    expect(formatEvaluateResult(r)).toContain('score bands of points');
  });

  it('refuses a header-only file and a --date that is not a date column, by code', async () => {
    await expect(
      runEvaluate({ model: modelDir, data: headerOnly, json: false, progress: false }, quiet()),
    ).rejects.toMatchObject({ code: 'E_CLI_NO_ROWS' });
    await expect(
      runEvaluate(
        { model: modelDir, data, date: 'age', ootFrom: '2024-06-01', json: false, progress: false },
        quiet(),
      ),
    ).rejects.toMatchObject({ code: 'E_CLI_DATE_COLUMN' });
    const oot = await runEvaluate(
      { model: modelDir, data, date: 'apply_date', ootFrom: '2024-07-01', json: false, progress: false },
      quiet(),
    );
    expect(oot.outOfTime?.outOfTime.bands.total.count).toBe(750);
  });
});

describe('predict', () => {
  it('writes a score column for a logistic model and counts unseen categories per column', async () => {
    const out = join(dir, 'scores.csv');
    const s = await runPredict(
      { model: modelDir, data: unseen, out, reasons: 2, lang: 'en', progress: false },
      quiet(),
    );
    expect(s.unseen).toEqual([{ column: 'region', rows: 7, levels: ['atlantis', 'lemuria'] }]);
    expect(formatPredictSummary(s, out)).toContain('unseen categories in region: 7 rows');
    const csv = parseCsvText(readFileSync(out, 'utf8'));
    const at = csv.header.indexOf('score');
    expect(at).toBeGreaterThan(0);
    expect(csv.records.every((r) => Number.isInteger(Number(r[at])))).toBe(true);
  });

  it('refuses a header-only file', async () => {
    await expect(
      runPredict(
        {
          model: modelDir,
          data: headerOnly,
          out: join(dir, 'x.csv'),
          reasons: 0,
          lang: 'en',
          progress: false,
        },
        quiet(),
      ),
    ).rejects.toMatchObject({ code: 'E_CLI_NO_ROWS' });
  });
});

describe('compare', () => {
  const base = { data, target: 'bad', cv: 3, seed: 1, json: false, progress: false, exclude: ['apply_date'] };

  it('refuses a --param without a compared family prefix, naming family.key=value', async () => {
    await expect(runCompare({ ...base, models: ['gbdt'], param: ['foo=5'] }, quiet())).rejects.toMatchObject({
      code: 'E_CLI_PARAM',
      message: expect.stringContaining('family.key=value'),
    });
    expect(codeOf(() => checkFamilyParams(['mlp.maxEpochs=3'], ['gbdt']))).toBe('E_CLI_PARAM');
    expect(codeOf(() => checkFamilyParams(['gbdt.nEstimators=3'], ['gbdt']))).toBeUndefined();
    expect(DEFAULT_COMPARE_MODELS).toEqual(['scorecard', 'gbdt', 'mlp']);
  });

  it('refuses a header-only file', async () => {
    await expect(
      runCompare({ ...base, data: headerOnly, models: ['logistic'] }, quiet()),
    ).rejects.toMatchObject({
      code: 'E_CLI_NO_ROWS',
    });
  });
});

describe('data checks', () => {
  it('reads ISO and yyyymmdd dates, keeps missing cells, refuses other columns', () => {
    const f = Frame.fromColumns([
      categorical('d', ['2024-01-31', null, '2024-02-29T10:00:00Z']),
      numeric('n', [20240131, Number.NaN, 20231231]),
      numeric('age', [24, 35, 41]),
      categorical('text', ['2024-01-31', 'soon', '2024-03-01']),
      categorical('empty', [null, null, null]),
    ]);
    expect(dateColumn(f, 'd')).toEqual(['2024-01-31', null, '2024-02-29T10:00:00Z']);
    expect(dateColumn(f, 'n')).toEqual(['2024-01-31', null, '2023-12-31']);
    for (const c of ['age', 'text', 'empty', 'absent'])
      expect(codeOf(() => dateColumn(f, c))).toBe('E_CLI_DATE_COLUMN');
    expect(codeOf(() => requireDataRows(Frame.fromColumns([numeric('a', [])]), 'f.csv'))).toBe(
      'E_CLI_NO_ROWS',
    );
    expect(codeOf(() => requireDataRows(f, 'f.csv'))).toBeUndefined();
  });
});
