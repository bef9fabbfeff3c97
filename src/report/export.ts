import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import ExcelJS from 'exceljs';
import type { BinningTable } from '../binning/table.js';
import { csvCell } from '../core/csv.js';
import { ioError, RiskError } from '../core/errors.js';
import type { LiftRow } from '../evaluation/metrics.js';
import { displayWidth } from '../evaluation/model-evaluation.js';
import { type ScreeningResult, screeningReasonText } from '../evaluation/screening.js';
import { describeFeature } from '../features/catalog.js';
import type { ScorecardCard } from '../models/scorecard-export.js';
import { binRowLabel, type LabelKey, type Lang, label } from './labels.js';

/**
 * Tables for a validation team's Excel: the scorecard (points per bin, scaling), binning tables, the
 * screening table and metrics, each as one sheet of an XLSX workbook (header row frozen and filtered,
 * number formats) or one CSV file (UTF-8 with a byte-order mark, so that Excel shows Chinese headers).
 * Cells keep full precision; formats only change how Excel shows them.
 */

/** How a column's numbers are shown in Excel. */
export type CellFormat = 'text' | 'general' | 'int' | 'number' | 'percent' | 'points';

const NUM_FMT: Record<CellFormat, string | undefined> = {
  text: undefined,
  general: undefined,
  int: '#,##0',
  number: '0.0000',
  percent: '0.00%',
  points: '0',
};

/** One column of an exported table: its row key, its header (a label key) and its format. */
export interface ExportColumn {
  readonly key: string;
  readonly label: LabelKey;
  readonly format: CellFormat;
}

/** A cell: text, a number, or empty. */
export type ExportCell = string | number | null;

/** One exported table: a sheet of the workbook or one CSV file. */
export interface ExportTable {
  /** The sheet's name (a label key) and the CSV file's base name. */
  readonly sheet: LabelKey;
  readonly file: string;
  readonly columns: readonly ExportColumn[];
  readonly rows: readonly Readonly<Record<string, ExportCell>>[];
}

const col = (key: string, format: CellFormat, lbl: LabelKey = key as LabelKey): ExportColumn => ({
  key,
  label: lbl,
  format,
});

/** A variable's description from the feature catalog in the language, or '' when it is not a catalog feature. */
export function variableDescription(name: string, lang: Lang): string {
  try {
    return describeFeature(name)?.[lang] ?? '';
  } catch {
    // Without a readable catalog a description is only a nicety: the variable name still identifies it.
    return '';
  }
}

/** A number that JSON and Excel can both hold (NaN and ±∞ become empty cells). */
function num(v: number | null | undefined): number | null {
  return v === null || v === undefined || !Number.isFinite(v) ? null : v;
}

/**
 * The screening table, one row per variable in the result's order (IV, largest first).
 * @example writeXlsx('screen.xlsx', [screeningExportTable(result, 'zh')], 'zh')
 */
export function screeningExportTable(result: ScreeningResult, lang: Lang): ExportTable {
  const hasPsi = result.slices.length > 1;
  return {
    sheet: 'sheetScreening',
    file: 'screening',
    columns: [
      col('variable', 'text'),
      col('description', 'text'),
      col('type', 'text'),
      col('missingRate', 'percent'),
      col('unique', 'int'),
      col('topValue', 'text'),
      col('topShare', 'percent'),
      col('iv', 'number'),
      col('gini', 'number'),
      col('ks', 'number'),
      ...(hasPsi ? [col('psi', 'number')] : []),
      col('cluster', 'text'),
      col('clusterSize', 'int'),
      col('vif', 'number'),
      col('decision', 'text'),
      col('reason', 'text'),
    ],
    rows: result.variables.map((r) => ({
      variable: r.variable,
      description: variableDescription(r.variable, lang),
      type: label(r.type === 'id-like' ? 'idLike' : r.type, lang),
      missingRate: r.missingRate,
      unique: r.unique,
      topValue: r.topValue,
      topShare: r.topShare,
      iv: num(r.iv),
      gini: num(r.gini),
      ks: num(r.ks),
      ...(hasPsi ? { psi: num(r.psi) } : {}),
      cluster: r.cluster,
      clusterSize: r.clusterSize,
      vif: num(r.vif),
      decision: label(r.decision, lang),
      reason: screeningReasonText(r, result.options, lang),
    })),
  };
}

/**
 * Binning tables of many variables in one sheet: a row per bin, with the variable's IV on each row and,
 * for the scorecard's variables, the points of each bin.
 * @param points the points of each bin (table order) by variable, for the model's variables
 */
export function binningExportTable(
  tables: readonly BinningTable[],
  lang: Lang,
  points: ReadonlyMap<string, readonly number[]> = new Map(),
): ExportTable {
  const withPoints = points.size > 0;
  return {
    sheet: 'sheetBinning',
    file: 'binning',
    columns: [
      col('variable', 'text'),
      col('description', 'text'),
      col('binIndex', 'int'),
      col('bin', 'text'),
      col('count', 'int'),
      col('countShare', 'percent'),
      col('nonEvents', 'int'),
      col('events', 'int'),
      col('eventRate', 'percent'),
      col('woe', 'number'),
      col('binIv', 'number'),
      col('iv', 'number'),
      ...(withPoints ? [col('points', 'points')] : []),
    ],
    rows: tables.flatMap((t) => {
      const description = variableDescription(t.variable, lang);
      const pts = points.get(t.variable);
      return t.rows.map((r, k) => ({
        variable: t.variable,
        description,
        binIndex: k,
        bin: binRowLabel(r.label, lang),
        count: r.count,
        countShare: r.countShare,
        nonEvents: r.nonEvents,
        events: r.events,
        eventRate: r.eventRate,
        woe: r.woe,
        binIv: r.iv,
        iv: t.iv,
        ...(withPoints ? { points: pts?.[k] ?? null } : {}),
      }));
    }),
  };
}

/**
 * The scorecard as two tables: its scaling (base score, base odds, PDO, factor, offset, intercept, score
 * range) and its points per bin per variable.
 */
export function scorecardExportTables(card: ScorecardCard, lang: Lang): ExportTable[] {
  const s = card.scaling;
  const scaling: [LabelKey, ExportCell][] = [
    ['baseScore', s.baseScore],
    ['baseOdds', s.baseOdds],
    ['pdo', s.pdo],
    ['factor', s.factor],
    ['offset', s.offset],
    ['intercept', card.intercept],
    ['minScore', card.minScore],
    ['maxScore', card.maxScore],
    ['pdFormula', card.pdFormula],
  ];
  return [
    {
      sheet: 'sheetScaling',
      file: 'scaling',
      // Mixed values (600, 28.85…, a formula): Excel's General format shows each as it is.
      columns: [col('metric', 'text'), col('value', 'general')],
      rows: scaling.map(([k, v]) => ({ metric: label(k, lang), value: v })),
    },
    {
      sheet: 'sheetScorecard',
      file: 'scorecard',
      columns: [
        col('variable', 'text'),
        col('description', 'text'),
        col('coefficient', 'number'),
        col('iv', 'number'),
        col('binIndex', 'int'),
        col('bin', 'text'),
        col('count', 'int'),
        col('eventRate', 'percent'),
        col('woe', 'number'),
        col('points', 'points'),
      ],
      rows: card.variables.flatMap((v) =>
        v.bins.map((b, k) => ({
          variable: v.variable,
          description: variableDescription(v.variable, lang),
          coefficient: v.coefficient,
          iv: v.iv,
          binIndex: k,
          bin: binRowLabel(b.label, lang),
          count: b.count,
          eventRate: b.eventRate,
          woe: b.woe,
          points: b.points,
        })),
      ),
    },
  ];
}

/** The scorecard's selection reasons (binning/selection.ts, scorecard.ts) in Chinese, pattern by pattern. */
const SELECTION_ZH: readonly [RegExp, (m: RegExpExecArray) => string][] = [
  [/^kept \(IV ([\d.]+)\)$/, (m) => `保留（IV ${m[1]}）`],
  [/^dropped: no information/, () => '剔除：无信息（IV 为 0：常量或全空）'],
  [
    /^dropped: low IV \(([\d.]+)(?: < minIv ([\d.]+))?\)$/,
    (m) => `剔除：IV ${m[1]} 过低${m[2] === undefined ? '' : ` < ${m[2]}`}`,
  ],
  [/^dropped: binning not significant .*IV ([\d.]+)\)$/, (m) => `剔除：分箱不显著（似然比检验；IV ${m[1]}）`],
  [
    /^dropped: correlated with (.+) \(r = ([-\d.]+); IV ([\d.]+)\)$/,
    (m) => `剔除：与 ${m[1]} 相关（r = ${m[2]}；IV ${m[3]}）`,
  ],
  [/^dropped: beyond maxVariables \(IV ([\d.]+)\)$/, (m) => `剔除：超过变量数上限（IV ${m[1]}）`],
  [
    /^dropped: coefficient of the wrong sign \(([-\d.]+); IV ([\d.]+)\)$/,
    (m) => `剔除：回归系数符号与 WOE 方向相反（${m[1]}；IV ${m[2]}）`,
  ],
];

/**
 * A selection reason in the language: the scorecard writes English; known phrasings are translated, any
 * other text (a reason added later) stays as written rather than being guessed at.
 */
export function selectionReason(text: string, lang: Lang): string {
  if (lang === 'en') return text;
  for (const [re, zh] of SELECTION_ZH) {
    const m = re.exec(text);
    if (m !== null) return zh(m);
  }
  return text;
}

/** A model's own kept / dropped decisions (scorecard selection), with the reason in words. */
export function selectionExportTable(
  rows: readonly { variable: string; iv?: number; selected: boolean; reason: string }[],
  lang: Lang,
): ExportTable {
  return {
    sheet: 'sheetSelection',
    file: 'selection',
    columns: [
      col('variable', 'text'),
      col('description', 'text'),
      col('decision', 'text'),
      col('reason', 'text'),
    ],
    rows: rows.map((r) => ({
      variable: r.variable,
      description: variableDescription(r.variable, lang),
      decision: label(r.selected ? 'kept' : 'dropped', lang),
      reason: selectionReason(r.reason, lang),
    })),
  };
}

const PARTS: Readonly<Record<string, LabelKey>> = { train: 'train', validation: 'validation', oot: 'oot' };
const METRICS: Readonly<Record<string, LabelKey>> = {
  rows: 'rows',
  events: 'events',
  eventRate: 'eventRate',
  auc: 'auc',
  gini: 'gini',
  ks: 'ks',
  brier: 'brier',
  logLoss: 'logLoss',
};

/**
 * Metrics as rows of sample, metric and value. Keys are `<part>_<metric>` (the artifact's training metrics:
 * train_auc, oot_ks …) or a bare metric name under `part`.
 * @example metricsExportTable({ train_auc: 0.78 }, 'en') // one row: train, AUC, 0.78
 */
export function metricsExportTable(
  metrics: Readonly<Record<string, number>>,
  lang: Lang,
  part?: string,
): ExportTable {
  return {
    sheet: 'sheetMetrics',
    file: 'metrics',
    columns: [col('part', 'text'), col('metric', 'text'), col('value', 'number')],
    rows: Object.entries(metrics).map(([key, value]) => {
      // Only a known part prefix splits the key: best_iteration stays one metric name.
      const cut = key.indexOf('_');
      const split = part === undefined && cut > 0 && PARTS[key.slice(0, cut)] !== undefined;
      const p = split ? key.slice(0, cut) : (part ?? '');
      const m = split ? key.slice(cut + 1) : key;
      const pk = PARTS[p];
      const mk = METRICS[m];
      return {
        part: pk === undefined ? p : label(pk, lang),
        metric: mk === undefined ? m : label(mk, lang),
        value: num(value),
      };
    }),
  };
}

/** The lift and gains table by decile of PD, riskiest first. */
export function liftExportTable(rows: readonly LiftRow[]): ExportTable {
  return {
    sheet: 'sheetLift',
    file: 'lift',
    columns: [
      col('decile', 'int'),
      col('count', 'int'),
      col('minScore', 'number', 'minPd'),
      col('maxScore', 'number', 'maxPd'),
      col('events', 'int'),
      col('eventRate', 'percent'),
      col('cumCountShare', 'percent'),
      col('cumEvents', 'int'),
      col('gain', 'percent'),
      col('lift', 'number'),
      col('cumLift', 'number'),
    ],
    rows: rows.map((r) => ({ ...r })),
  };
}

/**
 * Writes tables to one XLSX workbook, one sheet per table: bold header row, frozen and with a filter,
 * number formats per column, widths fitted to the content.
 * @throws E_IO when the file cannot be written
 * @example await writeXlsx('card.xlsx', scorecardExportTables(card, 'zh'), 'zh');
 */
export async function writeXlsx(path: string, tables: readonly ExportTable[], lang: Lang): Promise<void> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'rongdan';
  for (const t of tables) {
    const ws = wb.addWorksheet(label(t.sheet, lang), { views: [{ state: 'frozen', ySplit: 1 }] });
    ws.columns = t.columns.map((c) => {
      const header = label(c.label, lang);
      const longest = Math.max(
        displayWidth(header),
        ...t.rows.slice(0, 500).map((r) => {
          const v = r[c.key];
          return typeof v === 'string' ? displayWidth(v) : 10;
        }),
      );
      const fmt = NUM_FMT[c.format];
      return {
        header,
        key: c.key,
        width: Math.min(Math.max(longest + 2, 8), 60),
        ...(fmt === undefined ? {} : { style: { numFmt: fmt } }),
      };
    });
    for (const r of t.rows) ws.addRow(Object.fromEntries(t.columns.map((c) => [c.key, r[c.key] ?? null])));
    ws.getRow(1).font = { bold: true };
    ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: t.columns.length } };
  }
  await writing(path, async () => {
    mkdirSync(dirname(path), { recursive: true });
    await wb.xlsx.writeFile(path);
  });
}

/** Runs a write, turning a file-system failure into E_IO naming the path. */
async function writing<T>(path: string, write: () => T | Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    throw ioError('write', path, err);
  }
}

/**
 * A table as CSV text: a byte-order mark (Excel then reads UTF-8, so Chinese headers show), headers in the
 * language, numbers at full precision, empty cells for missing values.
 */
export function csvText(t: ExportTable, lang: Lang): string {
  const lines = [t.columns.map((c) => csvCell(label(c.label, lang))).join(',')];
  for (const r of t.rows) lines.push(t.columns.map((c) => csvCell(r[c.key] ?? null)).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** Writes one text file (its folder created), or fails with E_IO naming it. */
function writeText(path: string, text: string): Promise<void> {
  return writing(path, () => {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  });
}

/**
 * Writes each table to `<dir>/<file>.csv`.
 * @returns the paths written
 * @throws E_IO when a file cannot be written
 */
export async function writeCsvTables(
  dir: string,
  tables: readonly ExportTable[],
  lang: Lang,
): Promise<string[]> {
  const written: string[] = [];
  for (const t of tables) {
    const path = join(dir, `${t.file}.csv`);
    await writeText(path, csvText(t, lang));
    written.push(path);
  }
  return written;
}

/**
 * Writes tables where `out` says: an `.xlsx` path gets one workbook, a `.csv` path (one table only) one
 * file, anything else is a directory of CSV files.
 * @returns the paths written
 * @throws E_OPTIONS_INVALID for a `.csv` path with several tables; E_IO
 */
export async function writeTables(
  out: string,
  tables: readonly ExportTable[],
  lang: Lang,
): Promise<string[]> {
  if (/\.xlsx$/i.test(out)) {
    await writeXlsx(out, tables, lang);
    return [out];
  }
  if (/\.csv$/i.test(out)) {
    const [only] = tables;
    if (only === undefined || tables.length > 1) {
      throw new RiskError(
        'E_OPTIONS_INVALID',
        `--out ${out} is one CSV file, but there are ${tables.length} tables: give a directory (one CSV per table) or an .xlsx file`,
        { path: ['out'], expected: 'a directory or FILE.xlsx', received: out },
      );
    }
    await writeText(out, csvText(only, lang));
    return [out];
  }
  return writeCsvTables(out, tables, lang);
}
