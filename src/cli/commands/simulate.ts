import { join } from 'node:path';
import type { Command } from 'commander';
import { RELEASES_DIR } from '../../decisions/release-dir.js';
import { DEFAULT_SIMULATION_LGD } from '../../decisions/simulate.js';
import type { SimulateFlags } from '../simulate.js';

/** Registers `rongdan simulate`. */
export function registerSimulateCommands(program: Command): void {
  program
    .command('simulate')
    .description(
      'policy simulation: a candidate release against the baseline over a labelled book, side by side',
    )
    .requiredOption('--release <id|file>', 'the candidate release')
    .option('--baseline <id|file>', 'the baseline release (default: the active release)')
    .requiredOption('--input <path>', 'a sample directory or JSON Lines of applications')
    .option('--releases-dir <dir>', 'releases directory', RELEASES_DIR)
    .option(
      '--outcomes <file>',
      'outcomes CSV (borrower_id, default_12m); default outcomes.csv beside the input',
    )
    .option(
      '--lgd <x>',
      `loss given default for the expected loss (default ${DEFAULT_SIMULATION_LGD}, inferred)`,
    )
    .option('--limit <n>', 'only the first n applications')
    .option('--rejects <file>', 'bad applications', join('var', 'simulate.rejects.csv'))
    .option(
      '--portfolio',
      'check each release against the portfolio limits from the in-force book of --input',
    )
    .option('--json', 'print JSON for scripts')
    .option('--no-progress', 'no progress bar')
    .action(async (o: SimulateFlags) => (await import('../simulate.js')).simulateCommand(o));
}
