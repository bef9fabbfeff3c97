import type { BinningTable } from '../binning/table.js';
import { GENERATED_BY } from '../core/artifact.js';
import type { Clock } from '../core/clock.js';
import type { Frame } from '../core/frame.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { type BandTable, scoreBands } from '../evaluation/bands.js';
import { outOfTimeSplit } from '../evaluation/cv.js';
import { auc, ks, psi, rocCurve } from '../evaluation/metrics.js';
import { evaluateModel, type ModelEvaluation, scoreSample } from '../evaluation/model-evaluation.js';
import type { TrainedModel } from '../models/model.js';
import {
  beeswarmSpec,
  calibrationSpec,
  cutoffSpec,
  gainsSpec,
  importanceSpec,
  ksSpec,
  type MonthPoint,
  monthlySpec,
  rocSpec,
  scoreDistributionSpec,
  woeSpec,
} from './charts.js';
import { ksCurve, rocPoints, scoreHistogram } from './curves.js';
import { selectionReason } from './export.js';
import { featureDescription, type Lang, type TextKey, text } from './i18n.js';
import { binRowLabel } from './labels.js';
import { count, escapeHtml, htmlPage, htmlTable, metaList, num, pct } from './page.js';
import { shapSummary } from './shap.js';
import { renderSvg } from './svg.js';

/** What the report says about where its inputs came from, and how to cut the data. */
export interface ReportOptions {
  /** The data file (or any label) shown in the header. */
  readonly dataLabel: string;
  /** The model directory (or any label) shown in the header. */
  readonly modelLabel?: string;
  readonly title?: string;
  /** Language of every label (default en); zh also shows the catalog's Chinese feature descriptions. */
  readonly lang?: Lang;
  /** A baseline sample (e.g. the training data) for the PSI and CSI section. */
  readonly baseline?: Frame;
  readonly baselineLabel?: string;
  readonly weights?: ArrayLike<number>;
  /** Metrics the artifact recorded at training (train_auc, validation_ks, oot_rows …), shown side by side. */
  readonly recorded?: Readonly<Record<string, number>>;
  /** ISO dates of the rows (the --date column): the monthly series, and with `ootFrom` the out-of-time split. */
  readonly dates?: readonly (string | null)[];
  /** Rows dated on or after this form the out-of-time part. */
  readonly ootFrom?: string;
  /** Where this data is the model's training data: all rows, or the in-time part (states the caveat). */
  readonly inSample?: 'all' | 'inTime';
  /** When given, the header carries the time of generation; without it the page is reproducible byte for byte. */
  readonly clock?: Clock;
  /** Receives vega's warnings. */
  readonly logger?: Logger;
}

export { escapeHtml } from './page.js';

type T = (key: TextKey, fill?: Readonly<Record<string, string | number>>) => string;

function band(b: string): string {
  return `<span class="band-${b}">${b}</span>`;
}

function metricsTable(e: ModelEvaluation, t: T): string {
  const m = e.metrics;
  const rows: string[][] = [
    ['AUC', num(m.auc), escapeHtml(t('aucMeaning'))],
    ['Gini', num(m.gini), escapeHtml(t('giniMeaning'))],
    ['KS', num(m.ks), `${escapeHtml(t('ksMeaning'))} (PD ≥ ${num(m.ksThreshold)})`],
    ['Brier', num(m.brier), escapeHtml(t('brierMeaning'))],
    [escapeHtml(t('logLoss')), num(m.logLoss), escapeHtml(t('logLossMeaning'))],
  ];
  if (e.psi !== undefined) {
    rows.push([
      `PSI (${e.scoreName})`,
      `${num(e.psi.value)} ${band(e.psi.band)}`,
      escapeHtml(t('psiMeaning')),
    ]);
  }
  return htmlTable([t('metric'), t('value'), t('meaning')], rows, { className: 'metrics' });
}

/** One column of the side-by-side table: the figures of one part, any of them possibly absent. */
interface PartColumn {
  readonly name: string;
  readonly rows?: number;
  readonly badRate?: number;
  readonly auc?: number;
  readonly gini?: number;
  readonly ks?: number;
  readonly brier?: number;
  readonly logLoss?: number;
  readonly psi?: number;
}

function measured(name: string, e: ModelEvaluation): PartColumn {
  const m = e.metrics;
  return {
    name,
    rows: m.rows,
    badRate: m.eventRate,
    auc: m.auc,
    gini: m.gini,
    ks: m.ks,
    brier: m.brier,
    logLoss: m.logLoss,
    ...(e.psi === undefined ? {} : { psi: e.psi.value }),
  };
}

/** The columns train.ts recorded in the artifact (`<part>_rows`, `_auc`, `_gini`, `_ks`). */
function recordedColumns(recorded: Readonly<Record<string, number>>, t: T): PartColumn[] {
  const parts: [string, TextKey][] = [
    ['train', 'partTraining'],
    ['validation', 'partValidation'],
    ['oot', 'partOotAtFit'],
  ];
  return parts
    .filter(([p]) => recorded[`${p}_auc`] !== undefined)
    .map(([p, key]) => {
      const get = (m: string) => recorded[`${p}_${m}`];
      const col: Record<string, number | string> = { name: t(key) };
      for (const m of ['rows', 'auc', 'gini', 'ks']) {
        const v = get(m);
        if (v !== undefined) col[m] = v;
      }
      return col as unknown as PartColumn;
    });
}

function sideBySideTable(columns: readonly PartColumn[], t: T): string {
  const show = (v: number | undefined, f: (x: number) => string) => (v === undefined ? '—' : f(v));
  const lines: [string, (c: PartColumn) => string][] = [
    [t('rows'), (c) => show(c.rows, count)],
    [t('badRate'), (c) => show(c.badRate, (v) => pct(v))],
    ['AUC', (c) => show(c.auc, (v) => num(v))],
    ['Gini', (c) => show(c.gini, (v) => num(v))],
    ['KS', (c) => show(c.ks, (v) => num(v))],
    ['Brier', (c) => show(c.brier, (v) => num(v))],
    [t('logLoss'), (c) => show(c.logLoss, (v) => num(v))],
    ['PSI', (c) => show(c.psi, (v) => num(v))],
  ];
  return htmlTable(
    [t('metric'), ...columns.map((c) => c.name)],
    lines.map(([name, f]) => [escapeHtml(name), ...columns.map(f)]),
    { className: 'side' },
  );
}

/** Rows of each month of the date column, in month order; rows without a date are left out (and counted). */
function monthsOf(dates: readonly (string | null)[]): { months: Map<string, number[]>; undated: number } {
  const months = new Map<string, number[]>();
  let undated = 0;
  dates.forEach((d, i) => {
    const m = d === null ? '' : d.trim().slice(0, 7);
    if (!/^\d{4}-\d{2}$/.test(m)) {
      undated++;
      return;
    }
    const list = months.get(m);
    if (list === undefined) months.set(m, [i]);
    else list.push(i);
  });
  return { months: new Map([...months.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1))), undated };
}

/** One month of the monthly series; AUC and KS are NaN for a month with one class only. */
interface MonthRow {
  readonly month: string;
  readonly rows: number;
  readonly badRate: number;
  readonly auc: number;
  readonly ks: number;
  readonly psi: number;
}

/**
 * AUC and KS on the PD (the risk direction), PSI on the score the model reports (points, else PD) against the
 * reference (default: the first month).
 */
function monthlySeries(
  months: ReadonlyMap<string, readonly number[]>,
  pd: Float64Array,
  score: Float64Array,
  y: Float64Array,
  reference: Float64Array | undefined,
  weights: ArrayLike<number> | undefined,
): MonthRow[] {
  const first = [...months.values()][0] ?? [];
  const ref = reference ?? Float64Array.from(first, (r) => score[r] as number);
  return [...months.entries()].map(([month, rows]) => {
    const s = Float64Array.from(rows, (r) => score[r] as number);
    const p = Float64Array.from(rows, (r) => pd[r] as number);
    const yy = Float64Array.from(rows, (r) => y[r] as number);
    const w = weights === undefined ? undefined : Float64Array.from(rows, (r) => weights[r] as number);
    let bads = 0;
    let total = 0;
    for (let i = 0; i < yy.length; i++) {
      const wi = w === undefined ? 1 : (w[i] as number);
      bads += (yy[i] as number) * wi;
      total += wi;
    }
    const both = bads > 0 && bads < total;
    return {
      month,
      rows: rows.length,
      badRate: total > 0 ? bads / total : Number.NaN,
      auc: both ? auc(yy, p, w) : Number.NaN,
      ks: both ? ks(yy, p, w).ks : Number.NaN,
      psi: psi(ref, s).value,
    };
  });
}

/** One variable: WoE bars with the bad-rate line, and its table without empty bins, with points if any. */
function binningSection(
  table: BinningTable,
  svg: string,
  points: readonly number[] | undefined,
  lang: Lang,
  t: T,
): string {
  const shown = table.rows.map((r, b) => ({ r, b })).filter(({ r }) => r.count > 0);
  const hidden = table.rows.length - shown.length;
  const rows = shown.map(({ r, b }) => [
    escapeHtml(binRowLabel(r.label, lang)),
    count(r.count),
    pct(r.countShare),
    count(r.nonEvents),
    count(r.events),
    pct(r.eventRate),
    num(r.woe),
    num(r.iv),
    ...(points === undefined ? [] : [String(points[b] ?? '—')]),
  ]);
  let n = 0;
  let goods = 0;
  let bads = 0;
  for (const r of table.rows) {
    n += r.count;
    goods += r.nonEvents;
    bads += r.events;
  }
  const total = [
    t('total'),
    count(n),
    pct(1),
    count(goods),
    count(bads),
    pct(n > 0 ? bads / n : Number.NaN),
    '',
    num(table.iv),
    ...(points === undefined ? [] : ['']),
  ];
  const header = [
    t('bin'),
    t('count'),
    t('share'),
    t('goods'),
    t('bads'),
    t('badRate'),
    t('woe'),
    t('iv'),
    ...(points === undefined ? [] : [t('points')]),
  ];
  const description = featureDescription(lang, table.variable);
  const tags = [
    table.userSet === true ? `<span class="tag">${escapeHtml(t('userSet'))}</span>` : '',
    hidden > 0 ? ` <span class="note">(${hidden} ${escapeHtml(t('emptyHidden'))})</span>` : '',
  ].join('');
  return `<div class="bin"><div class="chart">${svg}</div><div>
<h3>${escapeHtml(table.variable)}${tags}</h3>
<p class="note">${description === '' ? '' : `${escapeHtml(description)} · `}${escapeHtml(t(table.kind))}; IV ${num(table.iv)}, Gini ${num(table.gini)}, KS ${num(table.ks)}</p>
${htmlTable(header, rows, { total })}
</div></div>`;
}

function bandSection(table: BandTable, svg: string, t: T): string {
  const rows = table.rows.map((r) => [
    escapeHtml(r.label),
    count(r.count),
    count(r.goods),
    count(r.bads),
    pct(r.badRate),
    pct(r.cumApprovalRate, 1),
    pct(r.cumBadRateApproved),
    Number.isFinite(r.odds) ? num(r.odds, 2) : r.odds === Number.POSITIVE_INFINITY ? '∞' : '—',
    num(r.ks),
  ]);
  const tot = table.total;
  const total = [
    t('total'),
    count(tot.count),
    count(tot.goods),
    count(tot.bads),
    pct(tot.badRate),
    '',
    '',
    '',
    '',
  ];
  return `<p class="note">${escapeHtml(t('bandsNote'))}</p>
<div class="grid"><div>${htmlTable(
    [
      `${t('band')} (${table.scoreName === 'points' ? t('points') : 'PD'})`,
      t('count'),
      t('goods'),
      t('bads'),
      t('badRate'),
      t('cumApproval'),
      t('cumBadApproved'),
      t('odds'),
      'KS',
    ],
    rows,
    { total, className: 'bands' },
  )}</div><div class="chart">${svg}</div></div>`;
}

/**
 * Builds the one-page, self-contained HTML report of a model on a labelled sample, in English or Chinese:
 * header (model kind, data, rows, bad rate, generator) and the in-sample caveat where the data is the
 * training data; the metrics; training, validation and out-of-time figures side by side; the monthly series
 * of AUC, KS, bad rate and PSI by the date column; ROC, KS, score distribution, calibration and gains
 * charts with the calibration and lift tables; the score-band table and cut-off chart; variable importance;
 * for GBDT the TreeSHAP summary (mean |SHAP| and a beeswarm); variable selection with drop reasons; the
 * binning tables sorted by IV (empty bins hidden, points where the model has them, WoE bars with the bad
 * rate, user-set variables marked); and, with a baseline, PSI and CSI. Charts are vega-lite rendered to
 * inline SVG; no scripts, fonts or links.
 * @param x the features (the target already split off); y the 0/1 target
 * @throws E_DATA_INVALID as `evaluateBinary` (e.g. a sample with one class), or for a date that is not one
 *   with `ootFrom`
 * @example const html = await buildReport(model, x, y, { dataLabel: 'test.csv', modelLabel: 'models/sc/1', lang: 'zh' });
 */
export async function buildReport(
  model: TrainedModel,
  x: Frame,
  y: Float64Array,
  options: ReportOptions,
): Promise<string> {
  const lang = options.lang ?? 'en';
  const t: T = (key, fill) => text(lang, key, fill);
  const logger = options.logger ?? silentLogger;
  const weights = options.weights;
  const scored = scoreSample(model, x, y);
  const evaluation = evaluateModel(model, x, y, {
    scored,
    ...(options.baseline === undefined ? {} : { baseline: options.baseline }),
    ...(weights === undefined ? {} : { weights }),
  });
  const m = evaluation.metrics;
  const score = scored.points ?? scored.pd;
  const roc = rocCurve(y, scored.pd, weights);
  const render = (spec: Parameters<typeof renderSvg>[0], id: string): Promise<string> =>
    renderSvg(spec, id, logger);
  const dist =
    scored.points === undefined
      ? scoreDistributionSpec(scoreHistogram(y, scored.pd), t('predictedPd'), lang)
      : scoreDistributionSpec(scoreHistogram(y, scored.points), t('scorePoints'), lang);
  const charts = await Promise.all([
    render(rocSpec(rocPoints(roc), m.auc, lang), 'roc'),
    render(ksSpec(ksCurve(roc, m.eventRate), lang), 'ks'),
    render(dist, 'dist'),
    render(calibrationSpec(m.calibration, lang), 'calib'),
    render(gainsSpec(m.lift, lang), 'gains'),
  ]);

  // Out-of-time split and monthly series by the date column.
  const columns: PartColumn[] = recordedColumns(options.recorded ?? {}, t);
  columns.push(measured(t('partWhole'), evaluation));
  let inTimeScore: Float64Array | undefined;
  if (options.dates !== undefined && options.ootFrom !== undefined) {
    const { train, test } = outOfTimeSplit(options.dates, options.ootFrom);
    const part = (rows: Int32Array) => ({
      x: x.take(rows),
      y: Float64Array.from(rows, (r) => y[r] as number),
      ...(weights === undefined ? {} : { weights: Float64Array.from(rows, (r) => weights[r] as number) }),
    });
    const before = part(train);
    const after = part(test);
    inTimeScore = Float64Array.from(train, (r) => score[r] as number);
    const hasBoth = (v: Float64Array) => v.some((e) => e === 1) && v.some((e) => e === 0);
    if (hasBoth(before.y))
      columns.push(measured(t('partInTime'), evaluateModel(model, before.x, before.y, before)));
    if (hasBoth(after.y)) {
      columns.push(
        measured(t('partOot'), evaluateModel(model, after.x, after.y, { ...after, baseline: before.x })),
      );
    }
  }
  const baselineScore =
    options.baseline === undefined
      ? undefined
      : (() => {
          const b = scoreSample(model, options.baseline, new Float64Array(options.baseline.nRows));
          return b.points ?? b.pd;
        })();
  const monthly = options.dates === undefined ? undefined : monthsOf(options.dates);
  const monthRows =
    monthly === undefined || monthly.months.size === 0
      ? []
      : monthlySeries(monthly.months, scored.pd, score, y, baselineScore ?? inTimeScore, weights);
  const monthPoints: MonthPoint[] = monthRows.flatMap((r) =>
    (
      [
        ['AUC', r.auc],
        ['KS', r.ks],
        [t('badRate'), r.badRate],
        ['PSI', r.psi],
      ] as const
    ).flatMap(([metric, value]) => (Number.isFinite(value) ? [{ month: r.month, metric, value }] : [])),
  );
  const monthlySvg =
    monthPoints.length > 0
      ? await render(monthlySpec(monthPoints, ['AUC', 'KS', t('badRate'), 'PSI'], lang), 'monthly')
      : '';

  const bands = scoreBands(score, y, {
    higherIsSafer: scored.points !== undefined,
    ...(weights === undefined ? {} : { weight: weights }),
  });
  const bandSvg = await render(cutoffSpec(bands, lang), 'cutoff');

  const importance = model.importance?.() ?? [];
  const importanceSvg =
    importance.length > 0 ? await render(importanceSpec(importance, 30, lang), 'imp') : '';
  const shap = model.shapValues === undefined ? undefined : shapSummary(model.shapValues(x), x);
  const shapSvgs =
    shap === undefined || shap.top.length === 0
      ? []
      : await Promise.all([
          render(importanceSpec(shap.meanAbs, 20, lang, t('meanAbsShap')), 'shapbar'),
          render(beeswarmSpec(shap.dots, shap.top, lang), 'beeswarm'),
        ]);
  const tables = [...(model.binningTables?.() ?? [])].sort((a, b) => b.iv - a.iv);
  const points = model.binPoints?.();
  const binSvgs = await Promise.all(
    tables.map((tb, i) =>
      render(
        woeSpec(
          tb,
          tb.rows.filter((r) => r.count > 0),
          lang,
        ),
        `woe${i + 1}`,
      ),
    ),
  );

  const title = options.title ?? t('reportTitle');
  const meta: [string, string][] = [
    [t('modelKind'), model.kind],
    ...(options.modelLabel === undefined ? [] : [[t('model'), options.modelLabel] as [string, string]]),
    [t('data'), options.dataLabel],
    [t('rows'), count(m.rows)],
    [t('bads'), `${count(m.events)} (${t('badRate')} ${pct(m.eventRate)})`],
    [t('features'), String(model.featureNames.length)],
    ...(options.baseline === undefined
      ? []
      : [
          [
            t('baseline'),
            `${options.baselineLabel ?? ''} (${count(options.baseline.nRows)} ${t('rowsWord')})`,
          ] as [string, string],
        ]),
    [t('generatedBy'), GENERATED_BY],
    ...(options.clock === undefined
      ? []
      : [[t('generatedAt'), options.clock.now().toISOString()] as [string, string]]),
  ];

  const calibration = htmlTable(
    [t('calibBin'), t('rows'), t('pdRange'), t('meanPd'), t('observedRate'), t('expectedBads'), t('bads')],
    m.calibration.map((r) => [
      String(r.bin),
      count(r.count),
      `${num(r.minPd)} – ${num(r.maxPd)}`,
      pct(r.meanPd),
      pct(r.observedRate),
      num(r.expectedEvents, 1),
      count(r.events),
    ]),
  );
  const lift = htmlTable(
    [
      t('decile'),
      t('rows'),
      t('pdRange'),
      t('bads'),
      t('badRate'),
      t('lift'),
      t('cumPopulation'),
      t('gain'),
      t('cumLift'),
    ],
    m.lift.map((r) => [
      String(r.decile),
      count(r.count),
      `${num(r.minScore)} – ${num(r.maxScore)}`,
      count(r.events),
      pct(r.eventRate),
      num(r.lift, 2),
      pct(r.cumCountShare, 1),
      pct(r.gain, 1),
      num(r.cumLift, 2),
    ]),
  );
  const h2 = (key: TextKey) => `<h2>${escapeHtml(t(key))}</h2>`;
  const caveat = (key: TextKey) => `<p class="caveat">${escapeHtml(t(key))}</p>`;

  const parts: string[] = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="sub">${escapeHtml(model.kind)} · ${escapeHtml(t('on'))} ${escapeHtml(options.dataLabel)}</p>`,
    metaList(meta),
    ...(options.inSample === 'all' ? [caveat('inSample')] : []),
    h2('metrics'),
    metricsTable(evaluation, t),
  ];
  if (columns.length > 1) {
    parts.push(
      h2('sideBySide'),
      `<p class="note">${escapeHtml(t('sideBySideNote'))}</p>`,
      ...(options.inSample === 'inTime' ? [caveat('inSampleInTime')] : []),
      sideBySideTable(columns, t),
    );
  }
  if (monthRows.length > 0) {
    parts.push(
      h2('monthly'),
      `<p class="note">${escapeHtml(t('monthlyNote'))}${monthly !== undefined && monthly.undated > 0 ? ` (${monthly.undated} undated)` : ''}</p>`,
      `<div class="chart">${monthlySvg}</div>`,
      htmlTable(
        [t('month'), t('rows'), t('badRate'), 'AUC', 'KS', 'PSI'],
        monthRows.map((r) => [r.month, count(r.rows), pct(r.badRate), num(r.auc), num(r.ks), num(r.psi)]),
      ),
    );
  }
  parts.push(
    h2('discrimination'),
    `<div class="grid">${charts.map((svg) => `<div class="chart">${svg}</div>`).join('\n')}</div>`,
    `<h3>${escapeHtml(t('calibTable'))}</h3>`,
    calibration,
    `<h3>${escapeHtml(t('liftTable'))}</h3>`,
    lift,
    h2('bands'),
    bandSection(bands, bandSvg, t),
  );
  if (importanceSvg !== '') parts.push(h2('importance'), `<div class="chart">${importanceSvg}</div>`);
  if (shap !== undefined && shapSvgs.length > 0) {
    parts.push(
      h2('shap'),
      `<p class="note">${escapeHtml(t('shapNote'))} ${escapeHtml(t('shapSampled'))}: ${count(shap.sampled)}.</p>`,
      `<div class="grid">${shapSvgs.map((svg) => `<div class="chart">${svg}</div>`).join('\n')}</div>`,
      htmlTable(
        [t('variable'), t('meanAbsShap'), t('description')],
        shap.meanAbs.map((f) => [
          escapeHtml(f.feature),
          num(f.value),
          escapeHtml(featureDescription(lang, f.feature)),
        ]),
        { className: 'words' },
      ),
    );
  }
  const selection = model.variableSelection?.() ?? [];
  if (selection.length > 0) {
    parts.push(
      h2('selection'),
      htmlTable(
        [t('variable'), t('description'), t('kept'), t('reason')],
        selection.map((v) => [
          escapeHtml(v.variable),
          escapeHtml(featureDescription(lang, v.variable)),
          v.selected ? t('yes') : t('no'),
          escapeHtml(selectionReason(v.reason, lang)),
        ]),
        { className: 'words' },
      ),
    );
  }
  const warnings = model.warnings?.() ?? [];
  if (tables.length > 0) {
    parts.push(
      h2('binning'),
      `<p class="note">${escapeHtml(t('binningNote'))}</p>`,
      ...warnings.map((w) => `<p class="caveat">${escapeHtml(w)}</p>`),
      ...tables.map((tb, i) => binningSection(tb, binSvgs[i] as string, points?.get(tb.variable), lang, t)),
    );
  }
  if (evaluation.psi !== undefined && evaluation.csi !== undefined) {
    parts.push(
      h2('stability'),
      `<h3>${escapeHtml(t('psiOf'))} (${evaluation.scoreName}): ${num(evaluation.psi.value)} ${band(evaluation.psi.band)}</h3>`,
      htmlTable(
        [t('bin'), t('baselineShare'), t('actualShare'), t('contribution')],
        evaluation.psi.bins.map((b) => [
          escapeHtml(b.label),
          pct(b.expectedShare),
          pct(b.actualShare),
          num(b.contribution),
        ]),
      ),
      `<h3>${escapeHtml(t('csi'))}</h3>`,
      htmlTable(
        [t('variable'), 'CSI', ''],
        [...evaluation.csi]
          .sort((a, b) => b.value - a.value)
          .map((c) => [escapeHtml(c.variable), num(c.value), band(c.band)]),
      ),
    );
  }
  return htmlPage(lang, `${title} — ${model.kind}`, parts, `${GENERATED_BY} · ${t('footerCharts')}`);
}
