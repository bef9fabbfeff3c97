import { writeFileSync } from 'node:fs';
import { type Artifact, fingerprintFrame } from '../core/artifact.js';
import { systemClock } from '../core/clock.js';
import { RiskError } from '../core/errors.js';
import type { Frame } from '../core/frame.js';
import type { Logger } from '../core/logger.js';
import { outOfTimeSplit } from '../evaluation/cv.js';
import { buildReport } from '../report/html.js';
import { type Lang, parseLang } from '../report/labels.js';
import { dateColumn } from './data-checks.js';
import { type LabelledDataOptions, loadLabelledData } from './evaluate.js';
import type { CommandIo } from './train.js';

/** Options of `rongdan report`. */
export interface ReportCommandOptions extends LabelledDataOptions {
  readonly out: string;
  readonly title?: string;
  /** zh | en (default en). */
  readonly lang?: string;
  /** Date column: the monthly series, and with `ootFrom` the in-time / out-of-time columns. */
  readonly date?: string;
  readonly ootFrom?: string;
  /** Stamp the generation time in the header (the page is then no longer reproducible byte for byte). */
  readonly timestamp: boolean;
}

/** What `runReport` wrote. */
export interface ReportSummary {
  readonly out: string;
  readonly bytes: number;
  readonly charts: number;
  readonly rows: number;
  /** Where the data was found to be the model's training data. */
  readonly inSample?: 'all' | 'inTime';
}

/**
 * Whether `x` (with target `y`) is exactly the data the model was fitted on: the artifact's fingerprint
 * (columns, rows, values and target) matches. Checked on all rows, then on the in-time rows, which are what
 * `train` refits on when it holds out an out-of-time part.
 */
function trainingOverlap(
  artifact: Artifact,
  x: Frame,
  y: Float64Array,
  inTime: Int32Array | undefined,
): 'all' | 'inTime' | undefined {
  const fp = artifact.dataFingerprint;
  if (fp === null || !fp.columns.every((c) => x.has(c))) return undefined;
  const same = (rows: Int32Array | undefined): boolean => {
    const n = rows === undefined ? x.nRows : rows.length;
    if (n !== fp.rows) return false;
    const part = rows === undefined ? x : x.take(rows);
    const yy = rows === undefined ? y : Float64Array.from(rows, (r) => y[r] as number);
    return fingerprintFrame(part.select(fp.columns), yy).sha256 === fp.sha256;
  };
  if (same(undefined)) return 'all';
  return inTime !== undefined && same(inTime) ? 'inTime' : undefined;
}

/** Sends vega's warnings to stderr, one line each: the CLI's stand-in for a structured logger. */
export function stderrLogger(io: CommandIo): Logger {
  const line = (level: string) => (obj: object, msg?: string) => {
    io.stderr.write(`${level}: ${msg ?? ''} ${JSON.stringify(obj)}\n`);
  };
  return { debug() {}, info() {}, warn: line('warning'), error: line('error') };
}

/**
 * The language of a `--lang` option (default en).
 * @throws E_OPTIONS_INVALID for anything but zh or en
 */
export function langOption(value: string | undefined): Lang {
  const lang = parseLang(value ?? 'en');
  if (lang !== undefined) return lang;
  throw new RiskError('E_OPTIONS_INVALID', `--lang must be zh or en, received ${JSON.stringify(value)}`, {
    path: ['lang'],
    expected: 'zh | en',
    received: value,
  });
}

/**
 * Writes a report page.
 * @throws E_IO naming the file when it cannot be written
 */
export function writeReport(out: string, html: string): void {
  try {
    writeFileSync(out, html);
  } catch (err) {
    throw new RiskError(
      'E_IO',
      `cannot write the report to ${out}: ${(err as Error).message}`,
      { file: out },
      { cause: err },
    );
  }
}

/**
 * `rongdan report`: one self-contained HTML page of a saved model on a labelled CSV (see `buildReport`).
 * @throws the codes of `loadLabelledData`; E_IO when the page cannot be written
 */
export async function runReport(opts: ReportCommandOptions, io: CommandIo): Promise<ReportSummary> {
  const lang = langOption(opts.lang);
  if (opts.ootFrom !== undefined && opts.date === undefined) {
    throw new RiskError('E_OPTIONS_INVALID', '--oot-from needs --date (the column it cuts)', {
      path: ['ootFrom'],
      expected: '--date with --oot-from',
      received: opts.ootFrom,
    });
  }
  const d = await loadLabelledData(opts, io);
  const dates = opts.date === undefined ? undefined : dateColumn(d.frame, opts.date);
  const inTime =
    dates === undefined || opts.ootFrom === undefined ? undefined : outOfTimeSplit(dates, opts.ootFrom).train;
  const inSample = trainingOverlap(d.artifact, d.x, d.y, inTime);
  const html = await buildReport(d.model, d.x, d.y, {
    dataLabel: opts.data,
    modelLabel: opts.model,
    lang,
    recorded: d.artifact.metrics,
    ...(dates === undefined ? {} : { dates }),
    ...(opts.ootFrom === undefined ? {} : { ootFrom: opts.ootFrom }),
    ...(inSample === undefined ? {} : { inSample }),
    logger: stderrLogger(io),
    ...(opts.title === undefined ? {} : { title: opts.title }),
    ...(d.baseline === undefined ? {} : { baseline: d.baseline, baselineLabel: opts.baseline ?? '' }),
    ...(d.weights === undefined ? {} : { weights: d.weights }),
    ...(opts.timestamp ? { clock: systemClock } : {}),
  });
  writeReport(opts.out, html);
  return {
    out: opts.out,
    bytes: Buffer.byteLength(html),
    charts: html.match(/<svg /g)?.length ?? 0,
    rows: d.y.length,
    ...(inSample === undefined ? {} : { inSample }),
  };
}

/** `rongdan report`: writes the report and says what it holds. */
export async function reportCommand(opts: ReportCommandOptions): Promise<void> {
  const io: CommandIo = { stdout: process.stdout, stderr: process.stderr };
  const s = await runReport(opts, io);
  io.stdout.write(
    `wrote ${s.out}: ${s.rows} rows, ${s.charts} charts, ${(s.bytes / 1024).toFixed(0)} KiB${s.inSample === undefined ? '' : ` (in-sample: ${s.inSample === 'all' ? 'the data is the training data' : 'the in-time rows are the training data'})`}\n`,
  );
}
