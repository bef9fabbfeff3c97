import { type Command, Option } from 'commander';
import type { CompareCommandOptions } from '../compare.js';
import { collect, DEFAULT_COMPARE_MODELS, list, MODEL_FAMILY_NAMES } from '../options.js';

/** Registers `rongdan compare`. */
export function registerCompareCommands(program: Command): void {
  program
    .command('compare')
    .description('train several model families on the same CV folds and print them side by side')
    .requiredOption('--data <file>', 'a CSV with a header')
    .requiredOption('--target <column>', 'the 0/1 (or --positive) target column')
    .addOption(
      new Option('--models <list>', `comma-separated model families: ${MODEL_FAMILY_NAMES.join(', ')}`)
        .argParser(list)
        // An empty default, described as the real one: `list` appends, so a real default would stay in front.
        .default([], DEFAULT_COMPARE_MODELS.join(',')),
    )
    .option('--cv <k>', 'number of stratified folds', (v) => Number(v), 5)
    .option('--seed <n>', 'seed of the folds and the models', (v) => Number(v), 42)
    .option('--positive <value>', 'the target value that means bad')
    .option('--weight <column>', 'row weights')
    .option('--exclude <columns>', 'columns to leave out', list, [])
    .option('--special <COL=V1|V2>', 'special values of a column (repeatable)', collect, [])
    .option('--categorical <columns>', 'columns read as categorical', list, [])
    .option(
      '--param <family.key=value>',
      'a model parameter (repeatable), e.g. gbdt.nEstimators=300',
      collect,
      [],
    )
    .option('--json', 'print JSON instead of a table', false)
    .option('--no-progress', 'no progress bars')
    .action(async (flags: Omit<CompareCommandOptions, 'models'> & { models: string[] }) =>
      (await import('../compare.js')).compareCommand(flags),
    );
}
