import type { Command } from 'commander';
import type { ExportCommandOptions } from '../export.js';

/** Registers `rongdan export`. */
export function registerExportCommands(program: Command): void {
  program
    .command('export')
    .description(
      "a model's tables for Excel: scorecard points per bin and scaling, binning tables, selection, metrics; with --data also lift and screening",
    )
    .requiredOption('--model <dir>', 'model directory (model.json)')
    .requiredOption('--out <path>', 'FILE.xlsx (one sheet per table) or a directory (one CSV per table)')
    .option('--data <file>', 'labelled CSV: metrics, lift and screening tables on it')
    .option('--target <column>', 'target column of --data (default: the one the model was trained on)')
    .option('--positive <value>', 'the target value that means bad (= 1)')
    .option('--lang <lang>', 'language of headers: zh | en', 'zh')
    .option('--no-progress', 'no progress bars')
    .action(async (opts: ExportCommandOptions) => (await import('../export.js')).exportCommand(opts));
}
