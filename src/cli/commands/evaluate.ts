import type { Command } from 'commander';
import type { EvaluateCommandOptions } from '../evaluate.js';

/** Registers `rongdan evaluate`. */
export function registerEvaluateCommands(program: Command): void {
  program
    .command('evaluate')
    .description(
      'measure a saved model on a labelled CSV: AUC, Gini, KS, Brier, log loss, calibration, lift, score bands, PSI/CSI',
    )
    .requiredOption('--model <dir>', 'model directory (or its model.json)')
    .requiredOption('--data <file>', 'labelled CSV')
    .option('--target <column>', 'target column (default: the one the model was trained on)')
    .option('--positive <value>', 'the target value that means bad (= 1)')
    .option('--weight <column>', 'column of non-negative row weights')
    .option('--baseline <file>', 'CSV to measure PSI and CSI against (e.g. the training data)')
    .option('--date <column>', 'date column for an out-of-time view (with --oot-from)')
    .option('--oot-from <date>', 'rows dated on or after this form the out-of-time part')
    .option('--json', 'print JSON instead of tables', false)
    .option('--no-progress', 'no progress bars')
    .action(async (opts: EvaluateCommandOptions) => (await import('../evaluate.js')).evaluateCommand(opts));
}
