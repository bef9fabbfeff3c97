import type { TopLevelSpec } from 'vega-lite';
import type { BinningTable, BinRow } from '../binning/table.js';
import type { BandRow, BandTable } from '../evaluation/bands.js';
import { type CalibrationRow, formatEdge, type LiftRow } from '../evaluation/metrics.js';
import type { HistogramBar, KsCurve, RocPoint } from './curves.js';
import { type Lang, text } from './i18n.js';
import { binRowLabel } from './labels.js';
import { FONT_FAMILY } from './page.js';

/**
 * vega-lite specs of the report's charts, built from already-reduced data (never raw rows). Pure functions:
 * the same numbers always give the same spec, and `renderSvg` turns a spec into inline SVG.
 */

const WIDTH = 380;
const HEIGHT = 260;
export const BAD = '#c0392b';
export const GOOD = '#2471a3';

/** Shared look: system fonts only (the page embeds none; CJK ones where installed), light grid, titles on the left. */
export const CONFIG = {
  font: FONT_FAMILY,
  view: { stroke: '#ddd' },
  axis: { labelFontSize: 11, titleFontSize: 12, gridColor: '#eee', titleFontWeight: 'normal' },
  legend: { labelFontSize: 11, titleFontSize: 11, orient: 'bottom-right' },
  title: { fontSize: 14, anchor: 'start', fontWeight: 'bold', offset: 10 },
} as const;

function fmt(v: number, digits = 3): string {
  return v.toFixed(digits);
}

const diagonal = {
  data: {
    values: [
      { x: 0, y: 0 },
      { x: 1, y: 1 },
    ],
  },
  mark: { type: 'line', color: '#999', strokeDash: [4, 4], strokeWidth: 1 },
  encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
} as const;

/**
 * ROC curve with the chance diagonal.
 * @example rocSpec(rocPoints(rocCurve(y, pd)), 0.78)
 */
export function rocSpec(points: readonly RocPoint[], aucValue: number, lang: Lang = 'en'): TopLevelSpec {
  return {
    config: CONFIG,
    title: `${text(lang, 'rocTitle')} ${fmt(aucValue)}`,
    width: WIDTH,
    height: HEIGHT,
    layer: [
      diagonal,
      {
        data: { values: points.map((p) => ({ x: p.fpr, y: p.tpr })) },
        mark: { type: 'line', color: BAD, strokeWidth: 2, clip: true },
        encoding: {
          x: {
            field: 'x',
            type: 'quantitative',
            title: text(lang, 'fpr'),
            scale: { domain: [0, 1] },
          },
          y: {
            field: 'y',
            type: 'quantitative',
            title: text(lang, 'tpr'),
            scale: { domain: [0, 1] },
          },
          order: { field: 'x', type: 'quantitative' },
        },
      },
    ],
  } as TopLevelSpec;
}

/**
 * KS chart: cumulative shares of bads and goods declined against population depth, with the KS gap drawn.
 * @example ksSpec(ksCurve(rocCurve(y, pd), badRate))
 */
export function ksSpec(curve: KsCurve, lang: Lang = 'en'): TopLevelSpec {
  const bads = text(lang, 'badsCurve');
  const goods = text(lang, 'goodsCurve');
  const values = curve.points.flatMap((p) => [
    { depth: p.depth, share: p.bads, curve: bads },
    { depth: p.depth, share: p.goods, curve: goods },
  ]);
  return {
    config: CONFIG,
    title: `${text(lang, 'ksTitle')} ${fmt(curve.ks)} (${text(lang, 'ksAt')} ${(curve.depth * 100).toFixed(1)}%)`,
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: { values },
        mark: { type: 'line', strokeWidth: 2, clip: true },
        encoding: {
          x: {
            field: 'depth',
            type: 'quantitative',
            title: text(lang, 'declinedShare'),
            scale: { domain: [0, 1] },
            axis: { format: '%' },
          },
          y: {
            field: 'share',
            type: 'quantitative',
            title: text(lang, 'cumShare'),
            scale: { domain: [0, 1] },
            axis: { format: '%' },
          },
          color: {
            field: 'curve',
            type: 'nominal',
            title: null,
            scale: { domain: [bads, goods], range: [BAD, GOOD] },
          },
          order: { field: 'depth', type: 'quantitative' },
        },
      },
      {
        data: {
          values: [
            {
              depth: curve.depth,
              lo: Math.min(curve.bads, curve.goods),
              hi: Math.max(curve.bads, curve.goods),
            },
          ],
        },
        mark: { type: 'rule', color: '#333', strokeWidth: 1.5, strokeDash: [3, 2] },
        encoding: {
          x: { field: 'depth', type: 'quantitative' },
          y: { field: 'lo', type: 'quantitative' },
          y2: { field: 'hi' },
        },
      },
    ],
  } as TopLevelSpec;
}

/**
 * Score distribution by class: overlaid histograms, each class normalised to its own total.
 * @param scoreName axis title, e.g. 'score (points)' or 'predicted PD'
 * @example scoreDistributionSpec(scoreHistogram(y, points), 'score (points)')
 */
export function scoreDistributionSpec(
  bars: readonly HistogramBar[],
  scoreName: string,
  lang: Lang = 'en',
): TopLevelSpec {
  const cls = { bad: text(lang, 'bad'), good: text(lang, 'good') };
  return {
    config: CONFIG,
    title: text(lang, 'distTitle'),
    width: WIDTH,
    height: HEIGHT,
    data: { values: bars.map((b) => ({ ...b, cls: cls[b.cls] })) },
    mark: { type: 'bar', opacity: 0.55, binSpacing: 0 },
    encoding: {
      // binned: the bars are pre-computed bins, drawn upright from zero rather than as ranged bars.
      x: {
        field: 'lo',
        type: 'quantitative',
        bin: { binned: true },
        title: scoreName,
        scale: { zero: false },
      },
      x2: { field: 'hi' },
      y: {
        field: 'share',
        type: 'quantitative',
        title: text(lang, 'classShare'),
        stack: null,
        axis: { format: '%' },
      },
      color: {
        field: 'cls',
        type: 'nominal',
        title: null,
        scale: { domain: [cls.bad, cls.good], range: [BAD, GOOD] },
        legend: { orient: 'top-right' },
      },
    },
  } as TopLevelSpec;
}

/**
 * Calibration plot: mean predicted PD against observed default rate per decile, with the ideal diagonal.
 * @example calibrationSpec(calibrationTable(y, pd))
 */
export function calibrationSpec(rows: readonly CalibrationRow[], lang: Lang = 'en'): TopLevelSpec {
  let top = 0;
  for (const r of rows) top = Math.max(top, r.meanPd, r.observedRate);
  const max = Math.min(1, Math.ceil(top * 1.1 * 20) / 20 || 0.05);
  return {
    config: CONFIG,
    title: text(lang, 'calibTitle'),
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: {
          values: [
            { x: 0, y: 0 },
            { x: max, y: max },
          ],
        },
        mark: { type: 'line', color: '#999', strokeDash: [4, 4], strokeWidth: 1 },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
      {
        data: { values: rows.map((r) => ({ x: r.meanPd, y: r.observedRate, n: r.count })) },
        mark: { type: 'line', point: { filled: true, size: 50, color: BAD }, color: BAD, strokeWidth: 2 },
        encoding: {
          x: {
            field: 'x',
            type: 'quantitative',
            title: text(lang, 'meanPd'),
            scale: { domain: [0, max] },
            axis: { format: '%' },
          },
          y: {
            field: 'y',
            type: 'quantitative',
            title: text(lang, 'observedRate'),
            scale: { domain: [0, max] },
            axis: { format: '%' },
          },
          order: { field: 'x', type: 'quantitative' },
        },
      },
    ],
  } as TopLevelSpec;
}

/**
 * Cumulative gains: share of all bads caught against share of population declined, riskiest decile first.
 * @example gainsSpec(liftTable(y, pd))
 */
export function gainsSpec(rows: readonly LiftRow[], lang: Lang = 'en'): TopLevelSpec {
  const values = [{ x: 0, y: 0 }, ...rows.map((r) => ({ x: r.cumCountShare, y: r.gain }))];
  return {
    config: CONFIG,
    title: text(lang, 'gainsTitle'),
    width: WIDTH,
    height: HEIGHT,
    layer: [
      diagonal,
      {
        data: { values },
        mark: { type: 'line', point: { filled: true, size: 40, color: BAD }, color: BAD, strokeWidth: 2 },
        encoding: {
          x: {
            field: 'x',
            type: 'quantitative',
            title: text(lang, 'declinedShare'),
            scale: { domain: [0, 1] },
            axis: { format: '%' },
          },
          y: {
            field: 'y',
            type: 'quantitative',
            title: text(lang, 'badsCaught'),
            scale: { domain: [0, 1] },
            axis: { format: '%' },
          },
          order: { field: 'x', type: 'quantitative' },
        },
      },
    ],
  } as TopLevelSpec;
}

/**
 * One variable's WoE by bin as bars, in bin order, with the bin's bad rate as a line on a second axis: green
 * bars where the bin is safer than average (WoE > 0), red where riskier. Pass the rows to draw (empty bins
 * already left out).
 * @example woeSpec(table, table.rows.filter((r) => r.count > 0), 'zh')
 */
export function woeSpec(
  table: BinningTable,
  rows: readonly BinRow[] = table.rows,
  lang: Lang = 'en',
): TopLevelSpec {
  const labels = rows.map(
    (r, i) => `${i + 1}. ${r.label.length > 28 ? `${r.label.slice(0, 27)}…` : binRowLabel(r.label, lang)}`,
  );
  const safer = text(lang, 'good');
  const riskier = text(lang, 'bad');
  const x = {
    field: 'bin',
    type: 'nominal',
    title: null,
    sort: labels,
    axis: { labelAngle: rows.length > 4 ? -35 : 0, labelLimit: 160 },
  };
  return {
    config: CONFIG,
    title: `${table.variable} — IV ${fmt(table.iv)}`,
    width: Math.max(220, 56 * rows.length),
    height: 200,
    data: {
      values: rows.map((r, i) => ({
        bin: labels[i],
        woe: r.woe,
        badRate: r.eventRate,
        side: r.woe >= 0 ? safer : riskier,
      })),
    },
    layer: [
      {
        mark: { type: 'bar', opacity: 0.85 },
        encoding: {
          x,
          y: { field: 'woe', type: 'quantitative', title: text(lang, 'woe') },
          color: {
            field: 'side',
            type: 'nominal',
            legend: null,
            scale: { domain: [safer, riskier], range: ['#27ae60', BAD] },
          },
        },
      },
      {
        mark: { type: 'line', color: '#34495e', strokeWidth: 2, point: { color: '#34495e', size: 36 } },
        encoding: {
          x,
          y: {
            field: 'badRate',
            type: 'quantitative',
            title: text(lang, 'badRate'),
            // -90 like the left axis: vega's default 90 turns a Chinese title on its side, reading downwards.
            axis: {
              format: '.0%',
              orient: 'right',
              titleColor: '#34495e',
              titleAngle: -90,
              titleBaseline: 'top',
            },
          },
        },
      },
    ],
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}

/**
 * The approval threshold a band row stands for: approving this band and every safer one means points at or
 * above its lower edge, or a PD below its upper edge (at or below it for the last, closed band). Shorter
 * than the band's interval, so that neighbouring points' labels do not run into each other.
 */
function cutoffLabel(table: BandTable, r: BandRow): string {
  if (table.scoreName === 'points') return `≥${formatEdge(r.lower)}`;
  return `${r.label.endsWith(']') ? '≤' : '<'}${formatEdge(r.upper)}`;
}

/**
 * The cut-off chart of a score-band table: cumulative approval rate (x) against the bad rate of the approved
 * (y), one point per band boundary from the safest band down, labelled with the threshold that approves it.
 * @example cutoffSpec(scoreBands(points, y, { higherIsSafer: true }), 'zh')
 */
export function cutoffSpec(table: BandTable, lang: Lang = 'en'): TopLevelSpec {
  const values = table.rows
    .filter((r) => r.count > 0)
    .map((r) => ({
      approval: r.cumApprovalRate,
      badRate: r.cumBadRateApproved,
      band: cutoffLabel(table, r),
    }));
  return {
    config: CONFIG,
    title: text(lang, 'cutoffTitle'),
    width: WIDTH,
    height: HEIGHT,
    data: { values },
    layer: [
      {
        mark: { type: 'line', color: BAD, strokeWidth: 2, point: { color: BAD, filled: true, size: 40 } },
        encoding: {
          x: {
            field: 'approval',
            type: 'quantitative',
            title: text(lang, 'approvalRate'),
            scale: { domain: [0, 1] },
            axis: { format: '%' },
          },
          y: {
            field: 'badRate',
            type: 'quantitative',
            title: text(lang, 'cumBadApproved'),
            axis: { format: '.1%' },
          },
          order: { field: 'approval', type: 'quantitative' },
        },
      },
      {
        mark: { type: 'text', align: 'left', dx: 6, dy: -6, fontSize: 9, color: '#555' },
        encoding: {
          x: { field: 'approval', type: 'quantitative' },
          y: { field: 'badRate', type: 'quantitative' },
          text: { field: 'band', type: 'nominal' },
        },
      },
    ],
  } as TopLevelSpec;
}

/** One dot of the SHAP beeswarm. */
export interface BeeswarmDot {
  readonly feature: string;
  readonly shap: number;
  /** Rank of the row's value among the sample's values of this feature, 0 (lowest) to 1; null = missing. */
  readonly rank: number | null;
  /** Vertical offset within the feature's row, −1 to 1, so that dense regions spread out. */
  readonly jitter: number;
}

/**
 * The SHAP beeswarm: one row per feature (largest mean |SHAP| at the top), one dot per sampled row, x = its
 * SHAP value, colour = the rank of its value (blue low, red high, grey missing).
 * @param features top features, in display order
 * @example beeswarmSpec(dots, ['tax_revenue_growth_12m', 'bureau_overdue_max'], 'zh')
 */
export function beeswarmSpec(
  dots: readonly BeeswarmDot[],
  features: readonly string[],
  lang: Lang = 'en',
): TopLevelSpec {
  const rank = text(lang, 'valueRank');
  const missing = text(lang, 'missing');
  return {
    config: CONFIG,
    title: `${text(lang, 'beeswarmTitle')} ${features.length} ${text(lang, 'beeswarmTitleEnd')}`,
    width: 520,
    height: { step: 34 },
    data: { values: dots.map((d) => ({ ...d, missing: d.rank === null ? missing : null })) },
    layer: [
      {
        mark: { type: 'rule', color: '#999', strokeDash: [3, 3] },
        data: { values: [{ zero: 0 }] },
        encoding: { x: { field: 'zero', type: 'quantitative' } },
      },
      {
        mark: { type: 'circle', size: 14, opacity: 0.75 },
        encoding: {
          y: { field: 'feature', type: 'nominal', sort: features, title: null, axis: { labelLimit: 360 } },
          yOffset: { field: 'jitter', type: 'quantitative', scale: { domain: [-1.2, 1.2] } },
          x: { field: 'shap', type: 'quantitative', title: text(lang, 'shapValue') },
          color: {
            condition: { test: 'datum.rank === null', value: '#bbb' },
            field: 'rank',
            type: 'quantitative',
            title: rank,
            scale: { range: ['#2471a3', '#d7dbdd', BAD], domain: [0, 0.5, 1] },
            legend: { orient: 'right', format: '.0%', gradientLength: 120 },
          },
        },
      },
    ],
  } as TopLevelSpec;
}

/** One month of the monthly series. */
export interface MonthPoint {
  readonly month: string;
  readonly metric: string;
  readonly value: number;
}

/**
 * The monthly series as small multiples, one panel per metric (AUC, KS, bad rate, PSI), sharing the month
 * axis; each panel has its own y scale.
 * @example monthlySpec([{ month: '2025-01', metric: 'AUC', value: 0.74 }], 'en')
 */
export function monthlySpec(
  points: readonly MonthPoint[],
  metrics: readonly string[],
  lang: Lang = 'en',
): TopLevelSpec {
  return {
    config: CONFIG,
    title: text(lang, 'monthlyChart'),
    data: { values: points.map((p) => ({ ...p })) },
    facet: {
      row: {
        field: 'metric',
        type: 'nominal',
        sort: metrics,
        title: null,
        header: { labelAngle: 0, labelAlign: 'left' },
      },
    },
    spec: {
      width: 720,
      height: 90,
      mark: { type: 'line', color: GOOD, point: { color: GOOD, size: 30 } },
      encoding: {
        x: { field: 'month', type: 'ordinal', title: text(lang, 'month'), axis: { labelAngle: -45 } },
        y: { field: 'value', type: 'quantitative', title: null, scale: { zero: false } },
      },
    },
    resolve: { scale: { y: 'independent' } },
  } as TopLevelSpec;
}

/**
 * Variable importance as horizontal bars, largest first, at most `top` variables.
 * @example importanceSpec(model.importance(), 25)
 */
export function importanceSpec(
  items: readonly { readonly feature: string; readonly value: number }[],
  top = 30,
  lang: Lang = 'en',
  axisTitle = text(lang, 'importanceAxis'),
): TopLevelSpec {
  const shown = [...items].sort((a, b) => b.value - a.value).slice(0, top);
  const title = axisTitle === text(lang, 'importanceAxis') ? text(lang, 'importance') : axisTitle;
  return {
    config: CONFIG,
    title: items.length > top ? `${title} (top ${top} / ${items.length})` : title,
    width: WIDTH,
    height: Math.max(60, 18 * shown.length),
    data: { values: shown.map((i) => ({ feature: i.feature, value: i.value })) },
    mark: { type: 'bar', color: GOOD },
    encoding: {
      y: {
        field: 'feature',
        type: 'nominal',
        title: null,
        sort: shown.map((i) => i.feature),
        axis: { labelLimit: 360 },
      },
      x: { field: 'value', type: 'quantitative', title: axisTitle },
    },
  } as TopLevelSpec;
}
