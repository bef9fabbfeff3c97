import type { Command } from 'commander';
import { collect, integer, list, share } from '../options.js';
import type { TrainCommandOptions } from '../train.js';

/** Registers `rongdan train`. */
export function registerTrainCommands(program: Command): void {
  program
    .command('train')
    .description('train a model on any CSV with a header and a 0/1 (or --positive) target column')
    .requiredOption('--data <file>', 'training CSV with a header row')
    .requiredOption('--target <column>', 'target column: 0/1, or two values with --positive')
    .requiredOption('--out <dir>', 'model directory to write (model.json, model-card.md, …)')
    .option('--model <family>', 'model family: scorecard | gbdt | mlp | logistic', 'scorecard')
    .option('--calibrate <method>', 'calibrate the pd on the validation rows: platt | isotonic')
    .option('--seed <n>', 'seed of every random choice', integer, 0)
    .option('--positive <value>', 'the target value that means bad (= 1)')
    .option('--weight <column>', 'column of non-negative row weights')
    .option('--date <column>', 'date column (excluded from features; used by --oot-from)')
    .option('--oot-from <date>', 'rows dated on or after this are held out as out-of-time')
    .option('--exclude <columns>', 'comma-separated columns to leave out', list)
    .option(
      '--special <COL=V1|V2>',
      'special values of a column, each in its own bin (repeatable; to share a bin: --param special.COL=[[V1,V2]])',
      collect,
    )
    .option('--categorical <columns>', 'comma-separated columns to read as categorical', list)
    .option(
      '--numeric <columns>',
      'comma-separated columns to read as numbers (an unreadable value is an error)',
      list,
    )
    .option(
      '--ordered <COL=A|B|C>',
      'an ordered categorical column, lowest level first, read as its rank (repeatable)',
      collect,
    )
    .option('--validation <share>', 'share of in-time rows held out for validation', share, 0.2)
    .option(
      '--no-refit',
      'save the model fitted without the validation rows (default: refit on all in-time rows)',
    )
    .option('--param <key=value>', 'model parameter, e.g. pdo=40 or maxBins=6 (repeatable)', collect)
    .option('--bins <file>', "scorecard: take each listed variable's cuts and groups from a bins file")
    .option('--select <direction>', 'scorecard stepwise selection: forward | backward | both')
    .option('--select-by <criterion>', 'stepwise criterion: aic | bic | ks (validation KS); default aic')
    .option('--json', 'print the summary as JSON')
    .option('--help-params <model>', 'list every --param key of a model family and exit')
    .option('--no-progress', 'no progress bars')
    .on('option:help-params', function (this: Command) {
      // The keys come from the model registry, loaded by the action: like --help, the list needs no
      // --data, --target or --out.
      for (const o of this.options) o.mandatory = false;
    })
    .action(async (opts: TrainCommandOptions) => (await import('../train.js')).trainCommand(opts));
}
