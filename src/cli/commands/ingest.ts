import type { Command } from 'commander';
import type { IngestFlags } from '../ingest.js';

/**
 * `rongdan ingest check|map|example`: what a foreign input would give, the canonical layout written from
 * it, and a 金税-layout example export to try them on.
 * @example npx tsx src/cli/main.ts ingest check --input export.xlsx --mapping jinshui
 */
export function registerIngestCommands(program: Command): void {
  const ingest = program.command('ingest').description('read real exports: column mappings, Excel, checks');
  ingest
    .command('check')
    .description('report per file and column what would be read (parsed, mapped, rejected, with examples)')
    .option('--input <path>', 'a folder, a CSV file or an .xlsx workbook (required)')
    .option('--mapping <file>', 'a mapping (YAML/JSON) or preset: jinshui, jinshui-one-file, canonical')
    .action(async (flags: IngestFlags) => (await import('../ingest.js')).ingestCheckCommand(flags));
  ingest
    .command('map')
    .description('write the canonical layout (applications.csv, invoices.csv …) of a mapped input')
    .option('--input <path>', 'a folder, a CSV file or an .xlsx workbook (required)')
    .option('--mapping <file>', 'a mapping (YAML/JSON) or preset: jinshui, jinshui-one-file, canonical')
    .option('--out <dir>', 'the folder to write (required)')
    .option('--rejects <file>', 'rejected rows (default: <out>/rejects.csv)')
    .option('--strict', 'stop at the first bad row instead')
    .action(async (flags: IngestFlags) => (await import('../ingest.js')).ingestMapCommand(flags));
  ingest
    .command('example')
    .description('write a 金税-layout invoice export derived from the sample, to try mappings on')
    .option('--input <dir>', 'a canonical sample folder', undefined)
    .option('--out <dir>', 'the folder to write (required)')
    .option('--firms <n>', 'number of firms', '100')
    .option('--format <format>', 'xlsx | csv', 'xlsx')
    .option('--seed <int>', 'seed of the rating draw', '2020')
    .action(async (flags: { input?: string; out?: string; firms: string; format: string; seed: string }) =>
      (await import('../ingest.js')).ingestExampleCommand(flags),
    );
}
