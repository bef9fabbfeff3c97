import { RiskError } from '../core/errors.js';
import { displayWidth, splitTarget } from '../evaluation/model-evaluation.js';
import {
  type Screening,
  type ScreeningOptionsInput,
  type ScreeningResult,
  type ScreeningRow,
  screeningReasonText,
  screenVariables,
  timeSlices,
} from '../evaluation/screening.js';
import { detectColumnTypes } from '../models/column-types.js';
import { requireColumn } from '../models/dataset.js';
import { binningExportTable, screeningExportTable, writeTables } from '../report/export.js';
import { type Lang, label, parseLang } from '../report/labels.js';
import { type CommandIo, parseParams, progressBar, readWithProgress } from './train.js';

/** Options of `rongdan screen`, as commander hands them over. */
export interface ScreenCommandOptions {
  readonly data: string;
  readonly target: string;
  readonly positive?: string;
  /** Date column for PSI between time slices (with `slices` or `ootFrom`). */
  readonly date?: string;
  readonly slices?: number;
  readonly ootFrom?: string;
  readonly exclude?: readonly string[];
  readonly categorical?: readonly string[];
  readonly maxMissing?: number;
  readonly identical?: number;
  readonly minIv?: number;
  readonly maxCorr?: number;
  readonly maxVif?: number;
  readonly maxPsi?: number;
  /** Binning options (`maxBins=6`, `trends.age=ascending`), as `train --param`. */
  readonly param?: readonly string[];
  readonly json?: boolean;
  /** Write the screening table and every variable's binning table to an XLSX workbook. */
  readonly xlsx?: string;
  /** Write the screening table and binning tables as CSV files into this directory. */
  readonly csv?: string;
  readonly lang?: string;
  readonly progress?: boolean;
}

/** What `rongdan screen` did. */
export interface ScreenSummary extends Screening {
  readonly data: string;
  readonly target: string;
  readonly lang: Lang;
  readonly written: readonly string[];
  readonly seconds: number;
}

/** `--lang` as a language. @throws E_OPTIONS_INVALID for anything but zh or en */
export function langOption(value: string | undefined): Lang {
  const lang = parseLang(value ?? 'en');
  if (lang === undefined) {
    throw new RiskError('E_OPTIONS_INVALID', `--lang must be zh or en, received ${JSON.stringify(value)}`, {
      path: ['lang'],
      expected: 'zh or en',
      received: value,
    });
  }
  return lang;
}

/**
 * `rongdan screen`: reads any CSV as `train` does (numbers in disguise read as numbers), screens every
 * column but the target, the date and `--exclude` against the target, and writes the table as XLSX/CSV
 * when asked.
 * @throws E_CSV_* for unreadable data or an absent target; E_DATA_INVALID for a header-only file or a bad
 *   target; E_OPTIONS_INVALID for bad options, an unknown column or a --date that is not a date column
 */
export async function runScreen(opts: ScreenCommandOptions, io: CommandIo): Promise<ScreenSummary> {
  const started = performance.now();
  const lang = langOption(opts.lang);
  if ((opts.slices !== undefined || opts.ootFrom !== undefined) && opts.date === undefined) {
    throw new RiskError(
      'E_OPTIONS_INVALID',
      '--slices and --oot-from need --date COL naming the date column',
      {
        path: ['date'],
        expected: 'a date column',
        received: undefined,
      },
    );
  }
  if (opts.slices !== undefined && opts.ootFrom !== undefined) {
    throw new RiskError('E_OPTIONS_INVALID', 'give --slices N or --oot-from DATE, not both', {
      path: ['slices'],
      expected: 'one of --slices, --oot-from',
      received: [opts.slices, opts.ootFrom],
    });
  }
  const raw = await readWithProgress(opts.data, io, opts.progress ?? false, {
    categorical: opts.categorical ?? [],
  });
  if (raw.nRows === 0) {
    throw new RiskError('E_DATA_INVALID', `${opts.data} has a header but no data rows: nothing to screen`, {
      file: opts.data,
      expected: 'at least one data row',
      received: 0,
    });
  }
  const skip = [opts.target, ...(opts.date === undefined ? [] : [opts.date])];
  const frame = detectColumnTypes(raw, { categorical: opts.categorical ?? [], skip, where: opts.data }).frame;
  const { x: all, y } = splitTarget(frame, opts.target, opts.positive);
  for (const c of opts.exclude ?? []) requireColumn(all, c, '--exclude');
  let slices: ReturnType<typeof timeSlices> | undefined;
  if (opts.date !== undefined) {
    requireColumn(all, opts.date, '--date');
    slices = timeSlices(all.column(opts.date), {
      ...(opts.slices === undefined ? {} : { slices: opts.slices }),
      ...(opts.ootFrom === undefined ? {} : { ootFrom: opts.ootFrom }),
    });
  }
  const x = all.drop([...(opts.date === undefined ? [] : [opts.date]), ...(opts.exclude ?? [])]);
  const options: ScreeningOptionsInput = {
    ...(opts.maxMissing === undefined ? {} : { maxMissing: opts.maxMissing }),
    ...(opts.identical === undefined ? {} : { identical: opts.identical }),
    ...(opts.minIv === undefined ? {} : { minIv: opts.minIv }),
    ...(opts.maxCorr === undefined ? {} : { maxCorrelation: opts.maxCorr }),
    ...(opts.maxVif === undefined ? {} : { maxVif: opts.maxVif }),
    ...(opts.maxPsi === undefined ? {} : { maxPsi: opts.maxPsi }),
    binning: parseParams(opts.param ?? []),
  };
  const bar = progressBar(io, opts.progress ?? false, 'screening', '{value}/{total} variables');
  let screening: Screening;
  try {
    screening = screenVariables(x, y, options, {
      ...(slices === undefined ? {} : { slices }),
      onProgress: (done, total) => bar.update(done, total),
    });
  } finally {
    bar.stop();
  }
  const tables = () => [
    screeningExportTable(screening.result, lang),
    binningExportTable(
      screening.binnings.map((b) => b.table),
      lang,
    ),
  ];
  const written: string[] = [];
  if (opts.xlsx !== undefined) written.push(...(await writeTables(opts.xlsx, tables(), lang)));
  if (opts.csv !== undefined) written.push(...(await writeTables(opts.csv, tables(), lang)));
  return {
    ...screening,
    data: opts.data,
    target: opts.target,
    lang,
    written,
    seconds: (performance.now() - started) / 1000,
  };
}

/** Short Chinese names of the drop reasons, for the summary line. */
const REASON_ZH: Readonly<Record<string, string>> = {
  'id-like': '编号型',
  date: '日期列',
  empty: '缺失过多',
  constant: '单一取值',
  unstable: '不稳定',
  'low-iv': 'IV 过低',
  correlated: '高相关',
  vif: 'VIF 过高',
};

function fixed(v: number | null, digits: number): string {
  return v === null ? '-' : v.toFixed(digits);
}

function pct(v: number): string {
  return `${(100 * v).toFixed(1)}%`;
}

function padTo(text: string, width: number, left: boolean): string {
  const fill = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return left ? text + fill : fill + text;
}

/**
 * The screening table as aligned text for a terminal (sorted by IV), with a line per decision count.
 * @example io.stdout.write(formatScreening(summary.result, 'en'));
 */
export function formatScreening(result: ScreeningResult, lang: Lang): string {
  const hasPsi = result.slices.length > 1;
  const head: string[] = [
    label('variable', lang),
    label('type', lang),
    label('missingRate', lang),
    label('unique', lang),
    label('topShare', lang),
    label('iv', lang),
    label('gini', lang),
    label('ks', lang),
    ...(hasPsi ? [label('psi', lang)] : []),
    label('cluster', lang),
    label('vif', lang),
    label('reason', lang),
  ];
  const cells = (r: ScreeningRow): string[] => [
    r.variable,
    label(r.type === 'id-like' ? 'idLike' : r.type, lang),
    pct(r.missingRate),
    String(r.unique),
    pct(r.topShare),
    fixed(r.iv, 4),
    fixed(r.gini, 4),
    fixed(r.ks, 4),
    ...(hasPsi ? [fixed(r.psi, 4)] : []),
    r.cluster === null ? '' : `${r.cluster} (${r.clusterSize})`,
    r.vif === null ? '-' : r.vif >= 1e6 ? '∞' : r.vif.toFixed(2),
    screeningReasonText(r, result.options, lang),
  ];
  const body = result.variables.map(cells);
  const last = head.length - 1;
  const widths = head.map((h, i) =>
    i === last ? 0 : Math.max(displayWidth(h), ...body.map((row) => displayWidth(row[i] ?? ''))),
  );
  const line = (row: readonly string[]): string =>
    row.map((c, i) => (i === last ? c : padTo(c, widths[i] ?? 0, i <= 1 || i === last - 1))).join('  ');
  const kept = result.kept.length;
  const byReason = new Map<string, number>();
  for (const r of result.variables)
    if (r.decision === 'dropped') byReason.set(r.reason, (byReason.get(r.reason) ?? 0) + 1);
  const lines = [
    lang === 'zh'
      ? `${result.rows} 行，坏样本 ${result.events}（${pct(result.events / result.rows)}）；${result.variables.length} 个变量：保留 ${kept}，剔除 ${result.variables.length - kept}`
      : `${result.rows} rows, ${result.events} bads (${pct(result.events / result.rows)}); ${result.variables.length} variables: ${kept} kept, ${result.variables.length - kept} dropped`,
    `${lang === 'zh' ? '剔除原因' : 'dropped by'}: ${[...byReason].map(([k, n]) => `${lang === 'zh' ? (REASON_ZH[k] ?? k) : k} ${n}`).join(lang === 'zh' ? '，' : ', ') || '-'}`,
  ];
  lines.push(`${lang === 'zh' ? '保留' : 'kept'} (${kept}): ${result.kept.join(', ')}`);
  if (hasPsi) {
    lines.push(
      `${lang === 'zh' ? '时间切片（首段为 PSI 基准）' : 'time slices (the first is the PSI base)'}: ${result.slices
        .map((s) => `${s.label} (${s.rows}, ${pct(s.events / Math.max(1, s.rows))})`)
        .join('; ')}`,
    );
  }
  lines.push('', line(head), ...body.map(line));
  return `${lines.join('\n')}\n`;
}

/** `rongdan screen`: screens the variables and prints the table (or JSON). */
export async function screenCommand(opts: ScreenCommandOptions): Promise<void> {
  const io = { stdout: process.stdout, stderr: process.stderr };
  const s = await runScreen(opts, io);
  if (opts.json === true) {
    io.stdout.write(`${JSON.stringify({ data: s.data, target: s.target, ...s.result }, null, 1)}\n`);
    return;
  }
  io.stdout.write(formatScreening(s.result, s.lang));
  io.stdout.write(
    `screened in ${s.seconds.toFixed(2)} s${s.written.length > 0 ? `; wrote ${s.written.join(', ')}` : ''}\n`,
  );
}
