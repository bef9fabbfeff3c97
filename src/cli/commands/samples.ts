import type { Command } from 'commander';
import { SAMPLE_DEFAULTS } from '../../samples/options.js';
import type { GenerateFlags } from '../samples.js';

/**
 * `rongdan samples generate --n N --seed S --out DIR [--months M] [--dirty R] [--format csv|json|both]
 * [--as-of-end DATE]`: writes a seeded multi-source sample (data-samples/README.md describes it).
 * @example npx tsx src/cli/main.ts samples generate --n 5000 --seed 42 --months 12 --out data-samples
 */
export function registerSampleCommands(program: Command): void {
  const samples = program.command('samples').description('seeded multi-source sample data');
  samples
    .command('generate')
    .description(
      'generate borrowers with outcomes, monitoring snapshots, partner banks and risk-sharing agreements',
    )
    .option('--n <count>', 'number of borrowers (required)')
    .option('--seed <int>', 'seed of the generator (required)')
    .option('--out <dir>', 'output directory (required)')
    .option(
      '--months <m>',
      'months of monthly history before each as-of date',
      String(SAMPLE_DEFAULTS.months),
    )
    .option('--dirty <rate>', 'share of rows carrying a dirty value', String(SAMPLE_DEFAULTS.dirty))
    .option('--format <format>', 'csv | json | both', 'csv')
    .option('--as-of-end <date>', 'the last as-of date (YYYY-MM-DD)', SAMPLE_DEFAULTS.asOfEnd)
    .option('--json', 'print the summary as JSON', false)
    .action(async (flags: GenerateFlags) => (await import('../samples.js')).samplesGenerateCommand(flags));
}
