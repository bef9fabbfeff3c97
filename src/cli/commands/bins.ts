import type { Command } from 'commander';

/** Registers `rongdan bins export`. */
export function registerBinsCommands(program: Command): void {
  const bins = program.command('bins').description("a scorecard's bins as an editable file (train --bins)");
  bins
    .command('export')
    .description(
      "write every variable's cuts, category groups and special/missing handling of a scorecard to JSON",
    )
    .requiredOption('--model <dir>', 'scorecard model directory (or its model.json)')
    .requiredOption('--out <file>', 'bins file to write')
    .action(async (opts: { model: string; out: string }) =>
      (await import('../bins.js')).binsExportCommand(opts),
    );
}
