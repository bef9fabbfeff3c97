import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../src/cli/train.js';
import { runVintage } from '../../src/cli/vintage.js';
import { scoreBands } from '../../src/evaluation/bands.js';
import { auc, ks } from '../../src/evaluation/metrics.js';
import { GradientBoostingClassifier } from '../../src/models/gbdt/index.js';
import type { TrainedModel } from '../../src/models/model.js';
import { cutoffSpec } from '../../src/report/charts.js';
import { buildReport } from '../../src/report/html.js';
import { fitWoeModel, makeSample } from './fixture.js';

const train = makeSample(3000, 1);
const test = makeSample(2000, 2, 0.2);
const model = fitWoeModel(train.x, train.y);
// Six months of dates, the last two out of time.
const dates = Array.from({ length: 2000 }, (_, i) => `2025-0${1 + (i % 6)}-15`);
const OOT_FROM = '2025-05-01';

/** Only links inside the page: the SVG namespace names are never fetched. */
function expectOffline(html: string): void {
  expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|@font-face|\bsrc=/i);
  const urls = html.match(/https?:\/\/[^\s"')]+/g) ?? [];
  expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']));
  for (const m of html.matchAll(/href="([^"]*)"/g)) expect(m[1]).toMatch(/^#/);
}

/** The cells of the rows of the first table whose opening tag matches `open`. */
function tableRows(html: string, open: string): string[][] {
  const start = html.indexOf(open);
  const body = html.slice(start, html.indexOf('</table>', start));
  return [...body.matchAll(/<tr(?: class="total")?>(.*?)<\/tr>/g)].map((m) =>
    [...(m[1] as string).matchAll(/<t[dh]>(.*?)<\/t[dh]>/g)].map((c) => c[1] as string),
  );
}

const num = (s: string) => Number(s.replace(/,/g, ''));

describe('report in Chinese', () => {
  // The income variable renamed to a catalog feature, so its Chinese description shows.
  const catalogModel: TrainedModel = {
    ...model,
    binningTables: () =>
      (model.binningTables?.() ?? []).map((t) =>
        t.variable === 'income' ? { ...t, variable: 'owner_annual_income', userSet: true } : t,
      ),
  };
  let html = '';
  beforeAll(async () => {
    html = await buildReport(catalogModel, test.x, test.y, {
      dataLabel: 'test.csv',
      lang: 'zh',
      inSample: 'all',
    });
  });

  it('labels every section in Chinese, with the catalog descriptions', () => {
    expect(html).toContain('<html lang="zh-CN">');
    for (const word of [
      '模型评估报告',
      '模型指标',
      '区分度与校准',
      '分数段与审批阈值',
      '分箱表',
      '坏账率',
      '好坏比',
      '累计通过率',
    ]) {
      expect(html).toContain(word);
    }
    expect(html).toContain('家庭年收入');
    for (const english of [
      'Binning tables',
      'Metrics</h2>',
      'Score bands',
      'bad rate</th>',
      'Calibration by decile',
    ]) {
      expect(html).not.toContain(english);
    }
    expectOffline(html);
  });

  it('states the in-sample caveat, marks user-set variables and hides empty bins', () => {
    expect(html).toContain('本次数据即模型的训练样本（样本内）');
    expect(html).toContain('<span class="tag">人工分箱</span>');
    // region's Missing bin is empty in the sample: hidden, and said so.
    expect(html).toContain('1 个空箱已隐藏');
  });

  it('sorts the binning tables by IV, with the bad-rate line over the WoE bars', () => {
    const tables = [...(model.binningTables?.() ?? [])].sort((a, b) => b.iv - a.iv);
    const order = tables.map((t) =>
      html.indexOf(`<h3>${t.variable === 'income' ? 'owner_annual_income' : t.variable}`),
    );
    expect(order.every((p) => p > 0)).toBe(true);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(html).toContain('坏账率</text>');
  });
});

describe('report side by side and by month', () => {
  let html = '';
  const recorded = {
    train_rows: 3000,
    train_auc: 0.8123,
    train_ks: 0.5,
    validation_rows: 600,
    validation_auc: 0.7701,
  };
  beforeAll(async () => {
    html = await buildReport(model, test.x, test.y, {
      dataLabel: 'test.csv',
      recorded,
      dates,
      ootFrom: OOT_FROM,
    });
  });

  it('puts the recorded training and validation figures beside this data, in time and out of time', () => {
    const rows = tableRows(html, '<table class="side">');
    expect(rows[0]).toEqual([
      'Metric',
      'training (in-sample)',
      'validation (at fit)',
      'this data (all rows)',
      'this data: in time',
      'this data: out of time',
    ]);
    const pd = model.predictProba(test.x);
    const inTime = dates.map((d, i) => (d < OOT_FROM ? i : -1)).filter((i) => i >= 0);
    const oot = dates.map((d, i) => (d >= OOT_FROM ? i : -1)).filter((i) => i >= 0);
    const part = (rows: number[]) =>
      auc(
        rows.map((r) => test.y[r] as number),
        rows.map((r) => pd[r] as number),
      );
    const aucRow = rows.find((r) => r[0] === 'AUC') ?? [];
    expect(aucRow.slice(1)).toEqual([
      '0.8123',
      '0.7701',
      auc(test.y, pd).toFixed(4),
      part(inTime).toFixed(4),
      part(oot).toFixed(4),
    ]);
    const rowsRow = rows.find((r) => r[0] === 'Rows') ?? [];
    expect(rowsRow.slice(1).map(num)).toEqual([3000, 600, 2000, inTime.length, oot.length]);
    // Out of time is measured against in time; the training column has no PSI.
    expect((rows.find((r) => r[0] === 'PSI') ?? [])[1]).toBe('—');
    expect((rows.find((r) => r[0] === 'PSI') ?? [])[5]).not.toBe('—');
  });

  it('gives AUC, KS, bad rate and PSI per month of the date column', () => {
    const rows = tableRows(html, '<h2>Monthly series</h2>').filter((r) => /^\d{4}-\d{2}$/.test(r[0] ?? ''));
    expect(rows.map((r) => r[0])).toEqual(['2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06']);
    const pd = model.predictProba(test.x);
    const march = dates.map((d, i) => (d.startsWith('2025-03') ? i : -1)).filter((i) => i >= 0);
    const y = march.map((r) => test.y[r] as number);
    const p = march.map((r) => pd[r] as number);
    const row = rows[2] ?? [];
    expect(num(row[1] as string)).toBe(march.length);
    expect(row[3]).toBe(auc(y, p).toFixed(4));
    expect(row[4]).toBe(ks(y, p).ks.toFixed(4));
    expect(html).toContain('AUC, KS, bad rate and PSI by month');
  });

  it('has a band table whose rows sum to its total row', () => {
    const rows = tableRows(html, '<table class="bands">');
    const body = rows.slice(1, -1);
    const total = rows.at(-1) ?? [];
    expect(total[0]).toBe('total');
    expect(body.length).toBeGreaterThanOrEqual(5);
    for (const col of [1, 2, 3]) {
      expect(body.reduce((s, r) => s + num(r[col] as string), 0)).toBe(num(total[col] as string));
    }
    expect(num(total[1] as string)).toBe(2000);
    // The last band's cumulative approval is everyone.
    expect(body.at(-1)?.[5]).toBe('100.0%');
    expect(html).toContain('Cut-off: approval rate against bad rate of the approved');
  });
});

describe('report of a GBDT', () => {
  const gbdt = new GradientBoostingClassifier({
    nEstimators: 20,
    maxDepth: 3,
    minDataInLeaf: 20,
    seed: 1,
  }).fit(train.x, train.y);
  let html = '';
  beforeAll(async () => {
    html = await buildReport(gbdt, test.x, test.y, { dataLabel: 'test.csv' });
  });

  it('has the TreeSHAP summary: mean |SHAP| per feature and a beeswarm', () => {
    expect(html).toContain('<h2>TreeSHAP summary</h2>');
    expect(html).toMatch(/id="beeswarm-1"/);
    expect(html).toContain('SHAP beeswarm (top 2 variables)');
    const shap = gbdt.shapValues(test.x);
    const p = shap.featureNames.length;
    const rows = tableRows(html, '<table class="words">').slice(1);
    for (const [j, name] of shap.featureNames.entries()) {
      let s = 0;
      for (let i = 0; i < test.x.nRows; i++) s += Math.abs(shap.values[i * p + j] as number);
      expect(rows.find((r) => r[0] === name)?.[1]).toBe((s / test.x.nRows).toFixed(4));
    }
    // One dot per drawn row per top feature (600 of 2,000 rows drawn).
    expect(html).toContain('rows drawn in the beeswarm: 600');
    expectOffline(html);
  });
});

/** A CommandIo that keeps what is written. */
function memoryIo(): CommandIo {
  const sink = () =>
    new Writable({
      write(_chunk, _enc, done) {
        done();
      },
    });
  return { stdout: sink(), stderr: sink() };
}

describe('rongdan vintage on the sample book', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'rongdan-vintage-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads every loan, finds the 37 defaults, and writes a Chinese report that works offline', async () => {
    const out = join(dir, 'vintage.html');
    const r = await runVintage(
      { input: 'data-samples/monitoring', out, json: false, lang: 'zh', timestamp: false },
      memoryIo(),
    );
    expect(r.rejected).toEqual({ loans: 0, snapshots: 0 });
    expect(r.analysis.counts.loans).toBe(1240);
    expect(r.analysis.counts.defaults).toBe(37);
    expect(r.analysis.cohorts.reduce((s, c) => s + c.loans, 0)).toBe(1240);
    for (const [i, row] of r.analysis.roll.rates.entries()) {
      if ((r.analysis.roll.rowTotals[i] as number) > 0)
        expect(row.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 12);
    }
    const html = readFileSync(out, 'utf8');
    for (const word of ['账龄曲线', '逾期迁徙矩阵', '累计违约率（按笔数）', '口径说明', '正常'])
      expect(html).toContain(word);
    expect(html.match(/<svg /g)).toHaveLength(4);
    expectOffline(html);
  });

  it('refuses an unknown language', async () => {
    await expect(
      runVintage({ input: 'data-samples/monitoring', json: true, lang: 'fr', timestamp: false }, memoryIo()),
    ).rejects.toMatchObject({ code: 'E_OPTIONS_INVALID' });
  });
});

describe('cut-off chart', () => {
  /** The text marks' labels of a cut-off spec. */
  function labels(spec: ReturnType<typeof cutoffSpec>): string[] {
    const values = (spec as { data: { values: { band: string }[] } }).data.values;
    return values.map((v) => v.band);
  }

  it('labels each point with the threshold that approves its band and the safer ones', () => {
    const score = [700, 690, 650, 640, 610, 600, 560, 550];
    const y = [0, 0, 0, 1, 0, 1, 1, 1];
    const points = scoreBands(score, y, { higherIsSafer: true, edges: [600, 650] });
    // Safest first: points ≥ 650, then ≥ 600, then everyone (≥ the minimum, 550).
    expect(labels(cutoffSpec(points))).toEqual(['≥650', '≥600', '≥550']);
    const pd = scoreBands([0.01, 0.02, 0.05, 0.2], [0, 0, 1, 1], { higherIsSafer: false, edges: [0.03] });
    // Lowest PD first: PD below 0.03, then every PD up to and including the maximum.
    expect(labels(cutoffSpec(pd))).toEqual(['<0.03', '≤0.2']);
  });
});
