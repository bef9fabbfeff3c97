import { systemClock } from '../core/clock.js';
import { type VintageAnalysis, vintageAnalysis } from '../evaluation/vintage.js';
import { buildVintageReport, formatVintage } from '../report/vintage-report.js';
import { readBook } from './monitor.js';
import { langOption, stderrLogger, writeReport } from './report.js';
import type { CommandIo } from './train.js';

/** Options of `rongdan vintage`. */
export interface VintageCommandOptions {
  /** The monitoring folder (loans.csv, snapshots.csv), or a sample folder holding monitoring/. */
  readonly input: string;
  readonly out?: string;
  readonly json: boolean;
  readonly lang: string;
  readonly maxMob?: string;
  readonly timestamp: boolean;
}

/** What `runVintage` computed and wrote. */
export interface VintageResult {
  readonly analysis: VintageAnalysis;
  /** Rows the readers rejected (counted, not used). */
  readonly rejected: { readonly loans: number; readonly snapshots: number };
  readonly out?: string;
}

/**
 * `rongdan vintage`: vintage curves and roll rates of a monitoring book, as text or JSON on stdout and,
 * with `out`, a self-contained HTML report.
 * @throws E_OPTIONS_INVALID for a bad --lang or --max-mob; E_IO for a missing input or unwritable output;
 *   E_CSV_COLUMN for a wrong header
 */
export async function runVintage(opts: VintageCommandOptions, io: CommandIo): Promise<VintageResult> {
  const lang = langOption(opts.lang);
  const maxMob = opts.maxMob === undefined ? undefined : Number(opts.maxMob);
  const { loans, snaps } = await readBook(opts.input);
  const analysis = vintageAnalysis(loans.rows, snaps.rows, maxMob === undefined ? {} : { maxMob });
  const rejected = { loans: loans.rejects.length, snapshots: snaps.rejects.length };
  if (opts.out === undefined) return { analysis, rejected };
  const html = await buildVintageReport(analysis, {
    lang,
    inputLabel: opts.input,
    logger: stderrLogger(io),
    ...(opts.timestamp ? { clock: systemClock } : {}),
  });
  writeReport(opts.out, html);
  return { analysis, rejected, out: opts.out };
}

/** JSON has no NaN: an empty roll-rate row or an absent compensation rate is written as null. */
function jsonNumbers(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

/** `rongdan vintage`: the curves and roll rates as tables or JSON, and the report. */
export async function vintageCommand(opts: VintageCommandOptions): Promise<void> {
  const io: CommandIo = { stdout: process.stdout, stderr: process.stderr };
  const r = await runVintage(opts, io);
  io.stdout.write(
    opts.json ? `${JSON.stringify(r, jsonNumbers, 2)}\n` : formatVintage(r.analysis, langOption(opts.lang)),
  );
  if (!opts.json && (r.rejected.loans > 0 || r.rejected.snapshots > 0)) {
    io.stderr.write(`rejected rows: ${r.rejected.loans} loans, ${r.rejected.snapshots} snapshots\n`);
  }
  if (r.out !== undefined && !opts.json) io.stdout.write(`wrote ${r.out}\n`);
}
