import type { Command } from 'commander';
import { RELEASES_DIR } from '../../decisions/release-dir.js';
import { DEFAULT_AGREEMENTS } from '../options.js';
import type { PortfolioFlags } from '../portfolio.js';

/** Registers `rongdan portfolio`. */
export function registerPortfolioCommands(program: Command): void {
  program
    .command('portfolio')
    .description('the in-force book against leverage, concentration and government-guarantor limits')
    .requiredOption(
      '--input <dir>',
      'a sample directory with monitoring/, enterprise.csv and agreements.json',
    )
    .option(
      '--agreements <file>',
      `agreements JSON (default: agreements.json of --input, as ${DEFAULT_AGREEMENTS})`,
    )
    .option('--month <YYYY-MM>', 'the month-end of the book (default: after the latest origination)')
    .option(
      '--release <id|file>',
      'start from this release’s portfolio policy (default: the built-in default)',
    )
    .option('--releases-dir <dir>', 'releases directory', RELEASES_DIR)
    .option('--policy <file>', 'a portfolio policy JSON laid over the default or the release’s')
    .option('--net-assets <yuan>', 'the guarantor’s net assets, yuan')
    .option('--basis <gross|retained>', 'count the whole balance or the guarantor’s retained share')
    .option('--top <n>', 'concentration lines shown', '5')
    .option('--json', 'print JSON for scripts')
    .action(async (o: PortfolioFlags) => (await import('../portfolio.js')).portfolioCommand(o));
}
