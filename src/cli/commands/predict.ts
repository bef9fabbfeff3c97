import type { Command } from 'commander';
import { RiskError } from '../../core/errors.js';
import type { PredictCommandOptions } from '../predict.js';

/** Registers `rongdan predict`. */
export function registerPredictCommands(program: Command): void {
  program
    .command('predict')
    .description('score a CSV with a saved model: one output row per input row, in order')
    .requiredOption('--model <dir>', 'model directory (or its model.json)')
    .requiredOption('--data <file>', 'CSV to score (the target column may be absent)')
    .requiredOption('--out <file>', 'CSV to write')
    .option('--reasons <k>', 'top reasons per row', count, 3)
    .option('--lang <en|zh>', 'language of the reason text', lang, 'en')
    .option(
      '--id <columns>',
      'comma-separated input columns to copy first (default: id-like columns)',
      (v: string) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== ''),
    )
    .option('--json', 'print the summary as JSON', false)
    .option('--no-progress', 'no progress bars')
    .action(async (opts: PredictCommandOptions) => (await import('../predict.js')).predictCommand(opts));
}

function count(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 50) {
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `--reasons must be an integer in [0, 50], received ${JSON.stringify(value)}`,
      {
        path: ['reasons'],
        expected: 'an integer in [0, 50]',
        received: value,
      },
    );
  }
  return n;
}

function lang(value: string): 'en' | 'zh' {
  if (value !== 'en' && value !== 'zh') {
    throw new RiskError('E_OPTIONS_INVALID', `--lang must be en or zh, received ${JSON.stringify(value)}`, {
      path: ['lang'],
      expected: 'en | zh',
      received: value,
    });
  }
  return value;
}
