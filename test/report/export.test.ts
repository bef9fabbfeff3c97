import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExport } from '../../src/cli/export.js';
import { formatScreening, runScreen, type ScreenSummary } from '../../src/cli/screen.js';
import { type CommandIo, runTrain } from '../../src/cli/train.js';
import { parseCsvText } from '../../src/core/csv.js';
import { displayWidth } from '../../src/evaluation/model-evaluation.js';
import type { ScorecardCard } from '../../src/models/scorecard-export.js';
import {
  csvText,
  type ExportTable,
  screeningExportTable,
  selectionReason,
  variableDescription,
} from '../../src/report/export.js';
import { LABELS } from '../../src/report/labels.js';
import { creditSample } from '../binning/fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'rongdan-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sink(): Writable {
  return new Writable({
    write(_chunk, _enc, done) {
      done();
    },
  });
}
const io = (): CommandIo => ({ stdout: sink(), stderr: sink() });

/** The credit fixture as a CSV with an id, a month per row and a 0/1 target. */
function writeData(path: string, n: number): void {
  const { x, y } = creditSample(n, 7);
  const lines = [['loan_id', ...x.names, 'month', 'bad'].join(',')];
  for (let i = 0; i < n; i++) {
    const cells = x.names.map((name) => {
      const v = x.cell(i, name);
      return v === null ? '' : String(v);
    });
    lines.push([`L${i}`, ...cells, `2024-${String((i % 12) + 1).padStart(2, '0')}-15`, y[i]].join(','));
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

/** A sheet's rows as objects keyed by header text. */
async function readSheet(path: string, sheet: string): Promise<Record<string, unknown>[]> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(path);
  const ws = wb.getWorksheet(sheet);
  if (ws === undefined) throw new Error(`no sheet ${sheet} in ${path}`);
  const header = (ws.getRow(1).values as unknown[]).slice(1).map(String);
  const out: Record<string, unknown>[] = [];
  for (let r = 2; r <= ws.rowCount; r++) {
    const values = ws.getRow(r).values as unknown[];
    out.push(Object.fromEntries(header.map((h, c) => [h, values[c + 1] ?? null])));
  }
  return out;
}

const data = join(dir, 'data.csv');
writeData(data, 1200);
let screened: ScreenSummary;

beforeAll(async () => {
  screened = await runScreen(
    {
      data,
      target: 'bad',
      date: 'month',
      slices: 3,
      xlsx: join(dir, 'screen.xlsx'),
      csv: join(dir, 'screen-csv'),
      lang: 'zh',
    },
    io(),
  );
});

describe('rongdan screen', () => {
  it('screens every column but the target and the date, the id as id-like', () => {
    const names = screened.result.variables.map((r) => r.variable).sort();
    expect(names).toEqual(['age', 'income', 'loan_id', 'noise', 'region', 'util']);
    const id = screened.result.variables.find((r) => r.variable === 'loan_id');
    expect(id).toMatchObject({ type: 'id-like', decision: 'dropped', reason: 'id-like' });
    expect(screened.result.slices.map((s) => s.rows)).toEqual([400, 400, 400]);
    expect(screened.result.kept).toContain('age');
  });

  it('writes an XLSX whose cells hold the same numbers as the JSON', async () => {
    const rows = await readSheet(join(dir, 'screen.xlsx'), LABELS.sheetScreening.zh);
    expect(rows.map((r) => r[LABELS.variable.zh])).toEqual(screened.result.variables.map((v) => v.variable));
    screened.result.variables.forEach((v, i) => {
      const r = rows[i] as Record<string, unknown>;
      expect(r[LABELS.iv.zh]).toBe(v.iv);
      expect(r[LABELS.ks.zh]).toBe(v.ks);
      expect(r[LABELS.missingRate.zh]).toBe(v.missingRate);
      expect(r[LABELS.unique.zh]).toBe(v.unique);
      expect(r[LABELS.psi.zh]).toBe(v.psi);
      expect(r[LABELS.vif.zh]).toBe(v.vif);
      expect(r[LABELS.decision.zh]).toBe(v.decision === 'kept' ? '保留' : '剔除');
    });
    const bins = await readSheet(join(dir, 'screen.xlsx'), LABELS.sheetBinning.zh);
    const ageBins = screened.binnings.find((b) => b.variable === 'age')?.table.rows ?? [];
    const ageRows = bins.filter((r) => r[LABELS.variable.zh] === 'age');
    expect(ageRows.map((r) => r[LABELS.woe.zh])).toEqual(ageBins.map((b) => b.woe));
    expect(ageRows.map((r) => r[LABELS.count.zh])).toEqual(ageBins.map((b) => b.count));
  });

  it('freezes the header row and formats numbers', async () => {
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(join(dir, 'screen.xlsx'));
    const ws = wb.getWorksheet(LABELS.sheetScreening.zh) as ExcelJS.Worksheet;
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    const col = header.indexOf(LABELS.missingRate.zh) + 1;
    expect(ws.getRow(2).getCell(col).numFmt).toBe('0.00%');
  });

  it('writes CSV with a byte-order mark that reads back to the same table', () => {
    const text = readFileSync(join(dir, 'screen-csv', 'screening.csv'), 'utf8');
    expect(text.charCodeAt(0)).toBe(0xfeff);
    const table = screeningExportTable(screened.result, 'zh');
    expect(text).toBe(csvText(table, 'zh'));
    const { header, records } = parseCsvText(text.slice(1).replace(/\r\n/g, '\n'));
    expect(header).toEqual(table.columns.map((c) => LABELS[c.label].zh));
    records.forEach((rec, i) => {
      table.columns.forEach((c, j) => {
        const v = (table.rows[i] as ExportTable['rows'][number])[c.key] ?? null;
        expect(rec[j]).toBe(v === null ? '' : String(v));
        if (typeof v === 'number') expect(Number(rec[j])).toBe(v);
      });
    });
  });

  it('prints a text table sorted by IV, aligned in Chinese too', () => {
    const text = formatScreening(screened.result, 'zh');
    const lines = text.trimEnd().split('\n');
    const table = lines.slice(lines.indexOf('') + 1);
    expect(table[0]?.startsWith('变量')).toBe(true);
    expect(table[1]?.startsWith(screened.result.variables[0]?.variable ?? '?')).toBe(true);
    const reasonAt = (l: string) => displayWidth(l.slice(0, l.search(/保留|剔除/)));
    expect(new Set(table.slice(1).map(reasonAt)).size).toBe(1);
  });

  it('reports bad input with error codes', async () => {
    const header = join(dir, 'header-only.csv');
    writeFileSync(header, 'a,b,bad\n');
    await expect(runScreen({ data: header, target: 'bad' }, io())).rejects.toMatchObject({
      code: 'E_DATA_INVALID',
      message: expect.stringContaining('has a header but no data rows'),
    });
    await expect(runScreen({ data, target: 'default' }, io())).rejects.toMatchObject({
      code: 'E_CSV_COLUMN',
    });
    await expect(runScreen({ data, target: 'bad', date: 'age' }, io())).rejects.toMatchObject({
      code: 'E_OPTIONS_INVALID',
      message: expect.stringContaining('--date age is not a date column'),
    });
    await expect(runScreen({ data, target: 'bad', date: 'when' }, io())).rejects.toMatchObject({
      code: 'E_OPTIONS_INVALID',
    });
    await expect(runScreen({ data, target: 'bad', slices: 3 }, io())).rejects.toMatchObject({
      code: 'E_OPTIONS_INVALID',
    });
    await expect(runScreen({ data, target: 'bad', lang: 'fr' }, io())).rejects.toMatchObject({
      code: 'E_OPTIONS_INVALID',
    });
    await expect(runScreen({ data, target: 'bad', exclude: ['nope'] }, io())).rejects.toMatchObject({
      code: 'E_OPTIONS_INVALID',
    });
  });
});

describe('selectionReason', () => {
  it('translates the scorecard reasons it knows and leaves any other text as written', () => {
    expect(selectionReason('dropped: correlated with age (r = 0.812; IV 0.0311)', 'zh')).toBe(
      '剔除：与 age 相关（r = 0.812；IV 0.0311）',
    );
    expect(selectionReason('dropped: low IV (0.0100 < minIv 0.02)', 'zh')).toBe(
      '剔除：IV 0.0100 过低 < 0.02',
    );
    expect(selectionReason('dropped: stepwise (AIC)', 'zh')).toBe('dropped: stepwise (AIC)');
    expect(selectionReason('kept (IV 0.1000)', 'en')).toBe('kept (IV 0.1000)');
  });
});

describe('variableDescription', () => {
  it("gives the catalog's description of a catalog feature in the language, and '' for any other column", () => {
    expect(variableDescription('tax_revenue_growth_12m', 'zh')).toBe('近12个月纳税申报收入同比增长率');
    expect(variableDescription('tax_revenue_growth_12m', 'en')).toMatch(/revenue/i);
    expect(variableDescription('age', 'zh')).toBe('');
  });
});

describe('rongdan export', () => {
  const model = join(dir, 'card');
  beforeAll(async () => {
    await runTrain(
      {
        data,
        target: 'bad',
        model: 'scorecard',
        out: model,
        seed: 1,
        date: 'month',
        validation: 0.2,
        progress: false,
      },
      io(),
    );
  });

  it('writes the scorecard points, scaling, binning, selection and metrics with the numbers of the JSON card', async () => {
    const out = join(dir, 'card.xlsx');
    const s = await runExport({ model, out, lang: 'zh' }, io());
    expect(s.tables.map((t) => t.file)).toEqual(['scaling', 'scorecard', 'binning', 'selection', 'metrics']);
    const card = JSON.parse(readFileSync(join(model, 'scorecard.json'), 'utf8')) as ScorecardCard;
    const points = await readSheet(out, LABELS.sheetScorecard.zh);
    const expected = card.variables.flatMap((v) => v.bins.map((b) => [v.variable, b.points, b.woe, b.count]));
    expect(
      points.map((r) => [r[LABELS.variable.zh], r[LABELS.points.zh], r[LABELS.woe.zh], r[LABELS.count.zh]]),
    ).toEqual(expected);
    const scaling = await readSheet(out, LABELS.sheetScaling.zh);
    const value = (k: keyof typeof LABELS) =>
      scaling.find((r) => r[LABELS.metric.zh] === LABELS[k].zh)?.[LABELS.value.zh];
    expect([value('baseScore'), value('baseOdds'), value('pdo')]).toEqual([600, 50, 20]);
    expect(value('offset')).toBe(card.scaling.offset);
    expect(value('minScore')).toBe(card.minScore);
    const binning = await readSheet(out, LABELS.sheetBinning.zh);
    // Every candidate's bins; points only on the model's variables.
    const candidates = new Set(binning.map((r) => r[LABELS.variable.zh]));
    expect(candidates.has('noise')).toBe(true);
    const agePoints = binning.filter((r) => r[LABELS.variable.zh] === 'age').map((r) => r[LABELS.points.zh]);
    expect(agePoints).toEqual(card.variables.find((v) => v.variable === 'age')?.bins.map((b) => b.points));
    const selection = await readSheet(out, LABELS.sheetSelection.zh);
    const kept = selection.filter((r) => r[LABELS.decision.zh] === '保留');
    expect(kept.map((r) => r[LABELS.variable.zh])).toEqual(card.variables.map((v) => v.variable));
    for (const r of kept) expect(r[LABELS.reason.zh]).toMatch(/^保留（IV 0\.\d{4}）$/);
    const metrics = await readSheet(out, LABELS.sheetMetrics.zh);
    const trainAuc = metrics.find(
      (r) => r[LABELS.part.zh] === LABELS.train.zh && r[LABELS.metric.zh] === LABELS.auc.zh,
    );
    const artifact = JSON.parse(readFileSync(join(model, 'model.json'), 'utf8')) as {
      metrics: Record<string, number>;
    };
    expect(trainAuc?.[LABELS.value.zh]).toBe(artifact.metrics.train_auc);
  });

  it('adds metrics, lift and screening on --data, and writes a CSV directory in English', async () => {
    const out = join(dir, 'card-csv');
    const s = await runExport({ model, out, data, lang: 'en' }, io());
    expect(s.tables.map((t) => t.file)).toEqual([
      'scaling',
      'scorecard',
      'binning',
      'selection',
      'metrics',
      'lift',
      'screening',
    ]);
    const lift = parseCsvText(readFileSync(join(out, 'lift.csv'), 'utf8').slice(1).replace(/\r\n/g, '\n'));
    expect(lift.header[0]).toBe(LABELS.decile.en);
    expect(lift.records.reduce((t, r) => t + Number(r[1]), 0)).toBe(1200);
    const metrics = readFileSync(join(out, 'metrics.csv'), 'utf8');
    expect(metrics).toContain(`${data},AUC,`);
  });

  it('refuses one .csv file for many tables and a bad --lang', async () => {
    await expect(runExport({ model, out: join(dir, 'x.csv') }, io())).rejects.toMatchObject({
      code: 'E_OPTIONS_INVALID',
    });
    await expect(runExport({ model, out: join(dir, 'x.xlsx'), lang: 'de' }, io())).rejects.toMatchObject({
      code: 'E_OPTIONS_INVALID',
    });
  });
});
