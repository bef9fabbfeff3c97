import type { Command } from 'commander';
import type { VintageCommandOptions } from '../vintage.js';

/** Registers `rongdan vintage`. */
export function registerVintageCommands(program: Command): void {
  program
    .command('vintage')
    .description(
      'vintage curves (cumulative default / compensation rate by origination month × months on book) and roll rates between overdue buckets of a monitoring book',
    )
    .requiredOption(
      '--input <dir>',
      'monitoring folder (loans.csv, snapshots.csv) or a sample folder holding monitoring/',
    )
    .option('--out <file>', 'also write a self-contained HTML report')
    .option('--json', 'print JSON instead of tables', false)
    .option('--lang <lang>', 'zh | en', 'en')
    .option('--max-mob <n>', 'longest months on book shown')
    .option('--timestamp', 'stamp the generation time in the report header', false)
    .action(async (opts: VintageCommandOptions) => (await import('../vintage.js')).vintageCommand(opts));
}
