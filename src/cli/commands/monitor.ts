import type { Command } from 'commander';
import { BEHAVIOUR_MODEL_DIR } from '../options.js';

/** Registers `monitor` (early warning of the in-force book) and `monitor-features` (the training table). */
export function registerMonitorCommands(program: Command): void {
  program
    .command('monitor')
    .description('early warning (保后预警): evaluate every in-force loan at its latest snapshot or --month')
    .requiredOption('--input <dir>', 'data directory with monitoring/loans.csv and monitoring/snapshots.csv')
    .requiredOption('--out <file>', 'JSON Lines of WarningEvaluation, one per loan')
    .option('--month <YYYY-MM>', 'evaluate as of this month-end instead of the latest snapshot')
    .option('--model <dir>', 'behavioural PD model', BEHAVIOUR_MODEL_DIR)
    .option('--no-model', 'rules and overdue floors only, no behavioural PD')
    .option('--policy-2007', 'the 2007 overdue floors instead of the 2023 rule')
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'no progress bar')
    .action(async (o: Record<string, unknown>) => (await import('../monitor.js')).monitorCommand(o));
  program
    .command('monitor-features')
    .description('write the behavioural feature table (loan-months, default within 6 months) for train')
    .requiredOption('--input <dir>', 'data directory with monitoring/')
    .requiredOption('--out <file>', 'CSV to write')
    .action(async (o: { input: string; out: string }) =>
      (await import('../monitor.js')).monitorFeaturesCommand(o),
    );
}
