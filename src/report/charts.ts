import type { TopLevelSpec } from 'vega-lite';
import type { BinningTable } from '../binning/table.js';
import type { CalibrationRow, LiftRow } from '../evaluation/metrics.js';
import type { HistogramBar, KsCurve, RocPoint } from './curves.js';
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
export function rocSpec(points: readonly RocPoint[], aucValue: number): TopLevelSpec {
  return {
    config: CONFIG,
    title: `ROC curve — AUC ${fmt(aucValue)}`,
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
            title: 'false positive rate (goods declined)',
            scale: { domain: [0, 1] },
          },
          y: {
            field: 'y',
            type: 'quantitative',
            title: 'true positive rate (bads caught)',
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
export function ksSpec(curve: KsCurve): TopLevelSpec {
  const values = curve.points.flatMap((p) => [
    { depth: p.depth, share: p.bads, curve: 'bads' },
    { depth: p.depth, share: p.goods, curve: 'goods' },
  ]);
  return {
    config: CONFIG,
    title: `KS curve — KS ${fmt(curve.ks)} at ${(curve.depth * 100).toFixed(1)}% declined`,
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
            title: 'share of population declined (riskiest first)',
            scale: { domain: [0, 1] },
            axis: { format: '%' },
          },
          y: {
            field: 'share',
            type: 'quantitative',
            title: 'cumulative share',
            scale: { domain: [0, 1] },
            axis: { format: '%' },
          },
          color: {
            field: 'curve',
            type: 'nominal',
            title: null,
            scale: { domain: ['bads', 'goods'], range: [BAD, GOOD] },
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
export function scoreDistributionSpec(bars: readonly HistogramBar[], scoreName: string): TopLevelSpec {
  return {
    config: CONFIG,
    title: 'Score distribution by class',
    width: WIDTH,
    height: HEIGHT,
    data: { values: bars.map((b) => ({ ...b })) },
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
        title: 'share of class',
        stack: null,
        axis: { format: '%' },
      },
      color: {
        field: 'cls',
        type: 'nominal',
        title: null,
        scale: { domain: ['bad', 'good'], range: [BAD, GOOD] },
        legend: { orient: 'top-right' },
      },
    },
  } as TopLevelSpec;
}

/**
 * Calibration plot: mean predicted PD against observed default rate per decile, with the ideal diagonal.
 * @example calibrationSpec(calibrationTable(y, pd))
 */
export function calibrationSpec(rows: readonly CalibrationRow[]): TopLevelSpec {
  let top = 0;
  for (const r of rows) top = Math.max(top, r.meanPd, r.observedRate);
  const max = Math.min(1, Math.ceil(top * 1.1 * 20) / 20 || 0.05);
  return {
    config: CONFIG,
    title: 'Calibration by decile of predicted PD',
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
            title: 'mean predicted PD',
            scale: { domain: [0, max] },
            axis: { format: '%' },
          },
          y: {
            field: 'y',
            type: 'quantitative',
            title: 'observed default rate',
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
export function gainsSpec(rows: readonly LiftRow[]): TopLevelSpec {
  const values = [{ x: 0, y: 0 }, ...rows.map((r) => ({ x: r.cumCountShare, y: r.gain }))];
  return {
    config: CONFIG,
    title: 'Cumulative gains by decile',
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
            title: 'share of population declined',
            scale: { domain: [0, 1] },
            axis: { format: '%' },
          },
          y: {
            field: 'y',
            type: 'quantitative',
            title: 'share of bads caught',
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
 * One variable's WoE by bin as horizontal bars, in bin order: green where the bin is safer than average
 * (WoE > 0, more goods than bads relative to the whole), red where it is riskier.
 * @example woeSpec(model.binningTables()[0])
 */
export function woeSpec(table: BinningTable): TopLevelSpec {
  const labels = table.rows.map((r, i) => `${i + 1}. ${r.label}`);
  return {
    config: CONFIG,
    title: `${table.variable} — IV ${fmt(table.iv)}`,
    width: 300,
    height: Math.max(60, 20 * table.rows.length),
    data: {
      values: table.rows.map((r, i) => ({
        bin: labels[i],
        woe: r.woe,
        safer: r.woe >= 0 ? 'safer' : 'riskier',
      })),
    },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'bin', type: 'nominal', title: null, sort: labels, axis: { labelLimit: 220 } },
      x: { field: 'woe', type: 'quantitative', title: 'WoE' },
      color: {
        field: 'safer',
        type: 'nominal',
        legend: null,
        scale: { domain: ['safer', 'riskier'], range: ['#27ae60', BAD] },
      },
    },
  } as TopLevelSpec;
}

/**
 * Variable importance as horizontal bars, largest first, at most `top` variables.
 * @example importanceSpec(model.importance(), 25)
 */
export function importanceSpec(
  items: readonly { readonly feature: string; readonly value: number }[],
  top = 30,
): TopLevelSpec {
  const shown = [...items].sort((a, b) => b.value - a.value).slice(0, top);
  return {
    config: CONFIG,
    title: items.length > top ? `Variable importance (top ${top} of ${items.length})` : 'Variable importance',
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
        axis: { labelLimit: 240 },
      },
      x: { field: 'value', type: 'quantitative', title: 'importance' },
    },
  } as TopLevelSpec;
}
