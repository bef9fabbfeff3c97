import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { systemClock } from '../core/clock.js';
import { RiskError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { buildReport } from '../report/html.js';
import { type LabelledDataOptions, loadLabelledData } from './evaluate.js';
import type { CommandIo } from './train.js';

/** Options of `rongdan report`. */
export interface ReportCommandOptions extends LabelledDataOptions {
  readonly out: string;
  readonly title?: string;
  /** Stamp the generation time in the header (the page is then no longer reproducible byte for byte). */
  readonly timestamp: boolean;
}

/** What `runReport` wrote. */
export interface ReportSummary {
  readonly out: string;
  readonly bytes: number;
  readonly charts: number;
  readonly rows: number;
}

/** Sends vega's warnings to stderr, one line each: the CLI's stand-in for a structured logger. */
export function stderrLogger(io: CommandIo): Logger {
  const line = (level: string) => (obj: object, msg?: string) => {
    io.stderr.write(`${level}: ${msg ?? ''} ${JSON.stringify(obj)}\n`);
  };
  return { debug() {}, info() {}, warn: line('warning'), error: line('error') };
}

/**
 * `rongdan report`: one self-contained HTML page of a saved model on a labelled CSV (see `buildReport`).
 * @throws the codes of `loadLabelledData`; E_IO when the page cannot be written
 */
export async function runReport(opts: ReportCommandOptions, io: CommandIo): Promise<ReportSummary> {
  const d = await loadLabelledData(opts, io);
  const html = await buildReport(d.model, d.x, d.y, {
    dataLabel: opts.data,
    modelLabel: opts.model,
    logger: stderrLogger(io),
    ...(opts.title === undefined ? {} : { title: opts.title }),
    ...(d.baseline === undefined ? {} : { baseline: d.baseline, baselineLabel: opts.baseline ?? '' }),
    ...(d.weights === undefined ? {} : { weights: d.weights }),
    ...(opts.timestamp ? { clock: systemClock } : {}),
  });
  try {
    writeFileSync(opts.out, html);
  } catch (err) {
    throw new RiskError(
      'E_IO',
      `cannot write the report to ${opts.out}: ${(err as Error).message}`,
      { file: opts.out },
      { cause: err },
    );
  }
  return {
    out: opts.out,
    bytes: Buffer.byteLength(html),
    charts: html.match(/<svg /g)?.length ?? 0,
    rows: d.y.length,
  };
}

/** Registers `rongdan report`. */
export function registerReportCommands(program: Command): void {
  program
    .command('report')
    .description(
      'write a self-contained HTML report of a saved model on a labelled CSV (metrics, charts, binning)',
    )
    .requiredOption('--model <dir>', 'model directory (or its model.json)')
    .requiredOption('--data <file>', 'labelled CSV')
    .requiredOption('--out <file>', 'HTML file to write')
    .option('--target <column>', 'target column (default: the one the model was trained on)')
    .option('--positive <value>', 'the target value that means bad (= 1)')
    .option('--weight <column>', 'column of non-negative row weights')
    .option('--baseline <file>', 'CSV to measure PSI and CSI against (e.g. the training data)')
    .option('--title <text>', 'page title')
    .option('--timestamp', 'stamp the generation time in the header', false)
    .option('--no-progress', 'no progress bars')
    .action(async (opts: ReportCommandOptions) => {
      const io: CommandIo = { stdout: process.stdout, stderr: process.stderr };
      const s = await runReport(opts, io);
      io.stdout.write(
        `wrote ${s.out}: ${s.rows} rows, ${s.charts} charts, ${(s.bytes / 1024).toFixed(0)} KiB\n`,
      );
    });
}
