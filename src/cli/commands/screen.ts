import type { Command } from 'commander';
import { RiskError } from '../../core/errors.js';
import { collect, list } from '../options.js';
import type { ScreenCommandOptions } from '../screen.js';

/** Registers `rongdan screen`. */
export function registerScreenCommands(program: Command): void {
  program
    .command('screen')
    .description(
      'variable screening: type, missing rate, unique values, top value, IV/Gini/KS, PSI by time slice, correlation clusters, VIF, kept or dropped and why',
    )
    .requiredOption('--data <file>', 'CSV with a header row')
    .requiredOption('--target <column>', 'target column: 0/1, or two values with --positive')
    .option('--positive <value>', 'the target value that means bad (= 1)')
    .option('--date <column>', 'date column: PSI of each variable between time slices (first slice = base)')
    .option(
      '--slices <n>',
      'with --date: this many slices of equal row count (default 4)',
      number('--slices'),
    )
    .option('--oot-from <date>', 'with --date: two slices, before this date and from it')
    .option('--exclude <columns>', 'comma-separated columns to leave out', list)
    .option('--categorical <columns>', 'comma-separated columns to read as categorical', list)
    .option('--max-missing <share>', 'drop above this missing rate (default 0.9)', number('--max-missing'))
    .option(
      '--identical <share>',
      'drop when one value holds this share (default 0.95)',
      number('--identical'),
    )
    .option('--min-iv <iv>', 'drop below this IV (default 0.02)', number('--min-iv'))
    .option(
      '--max-corr <r>',
      'of two variables correlated beyond this, drop the lower IV (default 0.7)',
      number('--max-corr'),
    )
    .option('--max-vif <v>', 'drop the largest VIF while above this (default 10)', number('--max-vif'))
    .option('--max-psi <psi>', 'drop above this PSI between slices (default 0.25)', number('--max-psi'))
    .option(
      '--param <key=value>',
      'binning option, as train: maxBins=6, trends.age=ascending (repeatable)',
      collect,
    )
    .option('--json', 'print the screening table as JSON')
    .option('--xlsx <file>', 'write the screening table and the binning tables to an Excel workbook')
    .option('--csv <dir>', 'write the screening table and the binning tables as CSV files')
    .option('--lang <lang>', 'language of headers and reasons: zh | en', 'en')
    .option('--no-progress', 'no progress bars')
    .action(async (opts: ScreenCommandOptions) => (await import('../screen.js')).screenCommand(opts));
}

function number(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n)) {
      throw new RiskError(
        'E_OPTIONS_INVALID',
        `${name} must be a number, received ${JSON.stringify(value)}`,
        {
          path: [name.replace(/^--/, '')],
          expected: 'a number',
          received: value,
        },
      );
    }
    return n;
  };
}
