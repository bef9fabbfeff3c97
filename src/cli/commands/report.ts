import type { Command } from 'commander';
import type { ReportCommandOptions } from '../report.js';

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
    .option('--lang <lang>', 'language of every label: zh | en', 'en')
    .option(
      '--date <column>',
      'date column: monthly AUC, KS, bad rate and PSI (with --oot-from also in time / out of time side by side)',
    )
    .option('--oot-from <date>', 'rows dated on or after this form the out-of-time part')
    .option('--timestamp', 'stamp the generation time in the header', false)
    .option('--no-progress', 'no progress bars')
    .action(async (opts: ReportCommandOptions) => (await import('../report.js')).reportCommand(opts));
}
