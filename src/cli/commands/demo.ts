import { join } from 'node:path';
import type { Command } from 'commander';
import type { DemoOptions } from '../demo.js';
import { ROOT } from '../options.js';

/** Registers `rongdan demo`. */
export function registerDemoCommands(program: Command): void {
  program
    .command('demo')
    .description('run the pipeline on the committed sample: ingest, features, shipped models, evaluation')
    .option('--input <dir>', 'a sample directory', join(ROOT, 'data-samples'))
    .option('--out <dir>', 'where to write features, rejects and predictions', join(ROOT, 'var', 'demo'))
    .option('--models <dir>', 'the shipped models folder', join(ROOT, 'models'))
    .option('--oot-from <date>', 'first as-of date of the out-of-time part', '2025-10-01')
    .option('--no-progress', 'no progress bars')
    .action(async (flags: DemoOptions) => (await import('../demo.js')).demoCommand(flags));
}
