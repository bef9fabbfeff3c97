import type { Command } from 'commander';
import { DEFAULT_AGREEMENTS } from '../options.js';

/** Registers `rongdan agreements list|show|loss`. */
export function registerAgreementCommands(program: Command): void {
  const cmd = program.command('agreements').description('risk-sharing agreements and their loss flows');
  cmd
    .command('list')
    .option('--agreements <file>', 'agreements JSON', DEFAULT_AGREEMENTS)
    .option('--json', 'print JSON')
    .action(async (o: { agreements: string; json?: boolean }) =>
      (await import('../agreements.js')).agreementsListCommand(o),
    );
  cmd
    .command('show <id>')
    .option('--agreements <file>', 'agreements JSON', DEFAULT_AGREEMENTS)
    .action(async (id: string, o: { agreements: string }) =>
      (await import('../agreements.js')).agreementsShowCommand(id, o),
    );
  cmd
    .command('loss')
    .requiredOption('--agreement <id>', 'agreement id')
    .requiredOption('--principal <yuan>', 'guaranteed principal')
    .requiredOption('--unpaid-principal <yuan>', 'unpaid principal at default')
    .option('--interest <yuan>', 'unpaid interest')
    .option('--recovery <yuan>', 'gross recovery')
    .option('--recovery-costs <yuan>', 'costs of recovery')
    .option('--guaranteed-to-date <yuan>', "programme's cumulative guaranteed amount incl. this loan")
    .option('--compensated-to-date <yuan>', "programme's cumulative compensation before this default")
    .option('--agreements <file>', 'agreements JSON', DEFAULT_AGREEMENTS)
    .option('--json', 'print JSON')
    .action(async (o: Record<string, string | boolean | undefined>) =>
      (await import('../agreements.js')).agreementsLossCommand(o),
    );
}
