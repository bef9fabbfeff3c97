import type { BinningTable } from '../binning/table.js';
import { GENERATED_BY } from '../core/artifact.js';
import type { Clock } from '../core/clock.js';
import type { Frame } from '../core/frame.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { rocCurve } from '../evaluation/metrics.js';
import { evaluateModel, type ModelEvaluation, scoreSample } from '../evaluation/model-evaluation.js';
import type { TrainedModel } from '../models/model.js';
import {
  calibrationSpec,
  gainsSpec,
  importanceSpec,
  ksSpec,
  rocSpec,
  scoreDistributionSpec,
  woeSpec,
} from './charts.js';
import { ksCurve, rocPoints, scoreHistogram } from './curves.js';
import { renderSvg } from './svg.js';

/** What the report says about where its inputs came from. */
export interface ReportOptions {
  /** The data file (or any label) shown in the header. */
  readonly dataLabel: string;
  /** The model directory (or any label) shown in the header. */
  readonly modelLabel?: string;
  readonly title?: string;
  /** A baseline sample (e.g. the training data) for the PSI and CSI section. */
  readonly baseline?: Frame;
  readonly baselineLabel?: string;
  readonly weights?: ArrayLike<number>;
  /** When given, the header carries the time of generation; without it the page is reproducible byte for byte. */
  readonly clock?: Clock;
  /** Receives vega's warnings. */
  readonly logger?: Logger;
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes text for HTML content and attribute values.
 * @example escapeHtml('<5 & >2') // '&lt;5 &amp; &gt;2'
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] as string);
}

const STYLE = `
body{font-family:Helvetica,Arial,sans-serif;color:#222;margin:0;background:#f6f7f9}
main{max-width:1240px;margin:0 auto;padding:24px 32px 48px;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:36px 0 12px;border-bottom:2px solid #2471a3;padding-bottom:4px}
h3{font-size:15px;margin:24px 0 8px}
.sub{color:#666;margin:0 0 16px}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0;font-size:14px}
dl.meta dt{color:#666}dl.meta dd{margin:0;font-family:Menlo,Consolas,monospace;word-break:break-all}
table{border-collapse:collapse;font-size:13px;margin:4px 0 12px}
th,td{padding:4px 10px;border-bottom:1px solid #e3e3e3;text-align:right;white-space:nowrap}
th{background:#f0f3f7;font-weight:600}th:first-child,td:first-child{text-align:left}
tr.total td{font-weight:600;border-top:2px solid #bbb}
.metrics td:nth-child(2){font-family:Menlo,Consolas,monospace}.metrics td:nth-child(3),.metrics th:nth-child(3){text-align:left;white-space:normal;color:#555}
.grid{display:flex;flex-wrap:wrap;gap:24px}
.chart{flex:0 0 auto}.chart svg{display:block;max-width:100%;height:auto}
.bin{display:flex;flex-wrap:wrap;gap:24px;align-items:flex-start;margin-bottom:8px;border-bottom:1px solid #eee;padding-bottom:12px}
.band-stable{color:#1e8449}.band-moderate{color:#b9770e}.band-significant{color:#c0392b;font-weight:600}
.note{color:#666;font-size:13px}
footer{margin-top:40px;color:#888;font-size:12px}
`;

function num(v: number, digits = 4): string {
  return Number.isFinite(v) ? v.toFixed(digits) : '—';
}

function pct(v: number, digits = 2): string {
  return Number.isFinite(v) ? `${(100 * v).toFixed(digits)}%` : '—';
}

function count(v: number): string {
  return Number.isInteger(v) ? v.toLocaleString('en-US') : v.toFixed(1);
}

function htmlTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  options: { readonly className?: string; readonly total?: readonly string[] } = {},
): string {
  const head = `<tr>${header.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('\n');
  const total =
    options.total === undefined
      ? ''
      : `\n<tr class="total">${options.total.map((c) => `<td>${c}</td>`).join('')}</tr>`;
  const cls = options.className === undefined ? '' : ` class="${options.className}"`;
  return `<table${cls}>\n<thead>${head}</thead>\n<tbody>\n${body}${total}\n</tbody>\n</table>`;
}

function band(b: string): string {
  return `<span class="band-${b}">${b}</span>`;
}

function metricsTable(e: ModelEvaluation): string {
  const m = e.metrics;
  const rows: string[][] = [
    ['AUC', num(m.auc), 'probability that a random bad scores riskier than a random good'],
    ['Gini', num(m.gini), '2·AUC − 1'],
    [
      'KS',
      num(m.ks),
      `largest gap between the bad and good score distributions (at PD ≥ ${num(m.ksThreshold)})`,
    ],
    ['Brier', num(m.brier), 'mean squared error of the PD'],
    ['Log loss', num(m.logLoss), 'cross-entropy of the PD'],
  ];
  if (e.psi !== undefined) {
    rows.push([
      `PSI (${e.scoreName})`,
      `${num(e.psi.value)} ${band(e.psi.band)}`,
      'score stability against the baseline (&lt; 0.10 stable, 0.10–0.25 moderate, &gt; 0.25 significant)',
    ]);
  }
  return htmlTable(['metric', 'value', 'meaning'], rows, { className: 'metrics' });
}

function binningSection(table: BinningTable, svg: string): string {
  const rows = table.rows.map((r) => [
    escapeHtml(r.label),
    count(r.count),
    pct(r.countShare),
    count(r.nonEvents),
    count(r.events),
    pct(r.eventRate),
    num(r.woe),
    num(r.iv),
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
    'total',
    count(n),
    pct(1),
    count(goods),
    count(bads),
    pct(n > 0 ? bads / n : Number.NaN),
    '',
    num(table.iv),
  ];
  return `<div class="bin"><div class="chart">${svg}</div><div>
<h3>${escapeHtml(table.variable)} <span class="note">(${table.kind}; IV ${num(table.iv)}, Gini ${num(table.gini)}, KS ${num(table.ks)})</span></h3>
${htmlTable(['bin', 'count', 'share', 'goods', 'bads', 'bad rate', 'WoE', 'IV'], rows, { total })}
</div></div>`;
}

/**
 * Builds the one-page, self-contained HTML report of a model on a labelled sample: header (model kind,
 * data, rows, bad rate, generator), the metrics table, ROC, KS, score distribution by class, calibration and
 * gains charts, the calibration and lift tables, variable importance, the binning tables with WoE bars and,
 * with a baseline, PSI and CSI. Charts are vega-lite rendered to inline SVG; no scripts, fonts or links.
 * @param x the features (the target already split off); y the 0/1 target
 * @throws E_DATA_INVALID as `evaluateBinary` (e.g. a sample with one class)
 * @example const html = await buildReport(model, x, y, { dataLabel: 'test.csv', modelLabel: 'models/sc/1' });
 */
export async function buildReport(
  model: TrainedModel,
  x: Frame,
  y: Float64Array,
  options: ReportOptions,
): Promise<string> {
  const logger = options.logger ?? silentLogger;
  const scored = scoreSample(model, x, y);
  const evaluation = evaluateModel(model, x, y, {
    scored,
    ...(options.baseline === undefined ? {} : { baseline: options.baseline }),
    ...(options.weights === undefined ? {} : { weights: options.weights }),
  });
  const m = evaluation.metrics;
  const roc = rocCurve(y, scored.pd, options.weights);
  const render = (spec: Parameters<typeof renderSvg>[0], id: string): Promise<string> =>
    renderSvg(spec, id, logger);
  const dist =
    scored.points === undefined
      ? scoreDistributionSpec(scoreHistogram(y, scored.pd), 'predicted PD')
      : scoreDistributionSpec(scoreHistogram(y, scored.points), 'score (points, higher = safer)');
  const charts = await Promise.all([
    render(rocSpec(rocPoints(roc), m.auc), 'roc'),
    render(ksSpec(ksCurve(roc, m.eventRate)), 'ks'),
    render(dist, 'dist'),
    render(calibrationSpec(m.calibration), 'calib'),
    render(gainsSpec(m.lift), 'gains'),
  ]);
  const importance = model.importance?.() ?? [];
  const tables = model.binningTables?.() ?? [];
  const importanceSvg = importance.length > 0 ? await render(importanceSpec(importance), 'imp') : '';
  const binSvgs = await Promise.all(tables.map((t, i) => render(woeSpec(t), `woe${i + 1}`)));

  const title = options.title ?? 'Model evaluation report';
  const meta: [string, string][] = [
    ['model kind', model.kind],
    ...(options.modelLabel === undefined ? [] : [['model', options.modelLabel] as [string, string]]),
    ['data', options.dataLabel],
    ['rows', count(m.rows)],
    ['bads', `${count(m.events)} (bad rate ${pct(m.eventRate)})`],
    ['features', String(model.featureNames.length)],
    ...(options.baseline === undefined
      ? []
      : [
          ['baseline', `${options.baselineLabel ?? 'given'} (${count(options.baseline.nRows)} rows)`] as [
            string,
            string,
          ],
        ]),
    ['generated by', GENERATED_BY],
    ...(options.clock === undefined
      ? []
      : [['generated at', options.clock.now().toISOString()] as [string, string]]),
  ];

  const calibration = htmlTable(
    ['decile', 'rows', 'PD range', 'mean PD', 'observed rate', 'expected bads', 'bads'],
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
    ['decile', 'rows', 'PD range', 'bads', 'bad rate', 'lift', 'cum. population', 'gain', 'cum. lift'],
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

  const parts: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(`${title} — ${model.kind}`)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body><main>',
    `<h1>${escapeHtml(title)}</h1>`,
    `<p class="sub">${escapeHtml(model.kind)} on ${escapeHtml(options.dataLabel)}</p>`,
    `<dl class="meta">${meta.map(([k, v]) => `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`).join('')}</dl>`,
    '<h2>Metrics</h2>',
    metricsTable(evaluation),
    '<h2>Discrimination and calibration</h2>',
    `<div class="grid">${charts.map((svg) => `<div class="chart">${svg}</div>`).join('\n')}</div>`,
    '<h3>Calibration by decile of predicted PD</h3>',
    calibration,
    '<h3>Lift and gains by decile (riskiest first)</h3>',
    lift,
  ];
  if (importanceSvg !== '') {
    parts.push('<h2>Variable importance</h2>', `<div class="chart">${importanceSvg}</div>`);
  }
  const selection = model.variableSelection?.() ?? [];
  if (selection.length > 0) {
    parts.push(
      '<h2>Variable selection</h2>',
      htmlTable(
        ['variable', 'kept', 'reason'],
        selection.map((v) => [escapeHtml(v.variable), v.selected ? 'yes' : 'no', escapeHtml(v.reason)]),
      ),
    );
  }
  if (tables.length > 0) {
    parts.push(
      '<h2>Binning tables</h2>',
      '<p class="note">WoE = ln(share of goods / share of bads): positive (green) bins are safer than average, negative (red) riskier.</p>',
      ...tables.map((t, i) => binningSection(t, binSvgs[i] as string)),
    );
  }
  if (evaluation.psi !== undefined && evaluation.csi !== undefined) {
    parts.push(
      '<h2>Stability against the baseline</h2>',
      `<h3>PSI of the ${evaluation.scoreName === 'points' ? 'score' : 'PD'}: ${num(evaluation.psi.value)} ${band(evaluation.psi.band)}</h3>`,
      htmlTable(
        ['bin', 'baseline share', 'actual share', 'contribution'],
        evaluation.psi.bins.map((b) => [
          escapeHtml(b.label),
          pct(b.expectedShare),
          pct(b.actualShare),
          num(b.contribution),
        ]),
      ),
      '<h3>CSI per variable</h3>',
      htmlTable(
        ['variable', 'CSI', 'band'],
        [...evaluation.csi]
          .sort((a, b) => b.value - a.value)
          .map((c) => [escapeHtml(c.variable), num(c.value), band(c.band)]),
      ),
    );
  }
  parts.push(
    `<footer>${escapeHtml(GENERATED_BY)} · charts: vega-lite, rendered to SVG</footer>`,
    '</main></body>',
    '</html>',
    '',
  );
  return parts.join('\n');
}
