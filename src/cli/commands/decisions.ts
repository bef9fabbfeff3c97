import type { Command } from 'commander';
import { RELEASES_DIR } from '../../decisions/release-dir.js';
import type { AssessCommandOptions } from '../decisions.js';

/** Registers `release list|show|validate|diff`, `assess` and `replay`. */
export function registerDecisionCommands(program: Command): void {
  const release = program
    .command('release')
    .description('decision releases: models pinned by checksum and the policy as data');
  release
    .command('list')
    .description('the releases of the releases directory, the active one marked')
    .option('--dir <dir>', 'releases directory', RELEASES_DIR)
    .action(async (o: { dir: string }) => (await import('../decisions.js')).releaseListCommand(o));
  release
    .command('show [release]')
    .description(
      'a release (id or file; default the active one): models, rules, cut-offs, scale, limits, fees',
    )
    .option('--dir <dir>', 'releases directory', RELEASES_DIR)
    .option('--json', 'the release file as JSON')
    .action(async (id: string | undefined, o: { dir: string; json?: boolean }) =>
      (await import('../decisions.js')).releaseShowCommand(id, o),
    );
  release
    .command('validate [release]')
    .description('checks a release file and the checksums of every model it pins, and loads the models')
    .option('--dir <dir>', 'releases directory', RELEASES_DIR)
    .action(async (id: string | undefined, o: { dir: string }) =>
      (await import('../decisions.js')).releaseValidateCommand(id, o),
    );
  release
    .command('diff <a> <b>')
    .description('what changed in models and policy between two releases (ids or files)')
    .option('--dir <dir>', 'releases directory', RELEASES_DIR)
    .action(async (a: string, b: string, o: { dir: string }) =>
      (await import('../decisions.js')).releaseDiffCommand(a, b, o),
    );

  program
    .command('assess')
    .description(
      'admission + credit limit under a release: a batch (--input) or one application (--application)',
    )
    .option('--input <path>', 'a sample directory or JSON Lines of applications')
    .option(
      '--out <file>',
      'JSON Lines of assessments (batch); with --application, the record {input, assessment}',
    )
    .option('--application <file>', 'one application (JSON), printed for a person')
    .option('--release <id|file>', 'release id or file (default: the active release)')
    .option('--releases-dir <dir>', 'releases directory', RELEASES_DIR)
    .option('--rejects <file>', 'bad applications (default beside --out)')
    .option(
      '--book <dir>',
      'the in-force book to check new guarantees against (monitoring/ and agreements.json)',
    )
    .option('--json', 'print JSON instead of the table')
    .option('--no-progress', 'no progress bar')
    .action(async (o: AssessCommandOptions) => (await import('../decisions.js')).assessCommand(o));

  program
    .command('replay')
    .description('recomputes stored assessments from their release and input: identical, or the differences')
    .requiredOption(
      '--assessment <file>',
      'a record from assess --application --out, or JSON Lines of assessments',
    )
    .option('--input <path>', 'the applications, when the file holds assessments only')
    .option('--book <dir>', 'the in-force book the batch was assessed against (assess --book)')
    .option('--releases-dir <dir>', 'releases directory', RELEASES_DIR)
    .action(async (o: { assessment: string; input?: string; book?: string; releasesDir: string }) =>
      (await import('../decisions.js')).replayCommand(o),
    );
}
