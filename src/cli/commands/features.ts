import type { Command } from 'commander';
import type { BuildFlags } from '../features.js';

/**
 * `rongdan features build --input DIR|FILE.jsonl --out FILE.csv [--rejects FILE] [--catalog DIR]`.
 * @example npx tsx src/cli/main.ts features build --input data-samples --out features.csv
 */
export function registerFeatureCommands(program: Command): void {
  const features = program.command('features').description('the feature catalog and engine');
  features
    .command('build')
    .description(
      'compute the catalog features for every application of a sample directory or JSON Lines file',
    )
    .option('--input <path>', 'a CSV sample directory or a .jsonl file of applications (required)')
    .option('--out <file>', 'the feature CSV to write (required)')
    .option('--rejects <file>', 'where bad rows and applications go (default: beside --out, *.rejects.csv)')
    .option('--strict', 'stop at the first bad row or application instead')
    .option(
      '--mapping <file>',
      'a mapping (YAML/JSON) or preset (jinshui, jinshui-one-file, canonical) for a foreign layout',
    )
    .option('--catalog <dir>', 'a catalog folder other than the repository features/')
    .option(
      '--target <column>',
      'the outcomes.csv column to append as the target (default: default_12m, or its only column)',
    )
    .action(async (flags: BuildFlags) => (await import('../features.js')).featuresBuildCommand(flags));
  features
    .command('list')
    .description('print the catalog: name, type, source, aggregation, window, unit, direction, description')
    .option('--catalog <dir>', 'a catalog folder other than the repository features/')
    .option('--json', 'print the catalog as a JSON array instead of tab-separated lines', false)
    .action(async (flags: { catalog?: string; json: boolean }) =>
      (await import('../features.js')).featuresListCommand(flags),
    );
}
