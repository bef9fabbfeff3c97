import type { Command } from 'commander';
import { MATCH_DEFAULTS, OBJECTIVES } from '../../matching/match.js';
import type { MatchFlags } from '../match.js';
import { DEFAULT_AGREEMENTS } from '../options.js';

/** Registers `rongdan match`. */
export function registerMatchCommands(program: Command): void {
  program
    .command('match')
    .description('place approved borrowers with partner banks under quotas, caps and concentration limits')
    .requiredOption('--assessments <file>', 'assessments, JSON Lines')
    .option('--banks <file>', 'banks JSON', 'data-samples/banks.json')
    .option('--agreements <file>', 'agreements JSON', DEFAULT_AGREEMENTS)
    .option('--out <file>', 'referrals JSON', 'referrals.json')
    .option('--objective <name>', OBJECTIVES.join('|'), 'amount')
    .option('--method <m>', 'exact|decompose|greedy', 'decompose')
    .option('--top-k <k>', 'referrals per borrower', '1')
    .option(
      '--safety-factor <f>',
      "plan each programme's expected compensation rate to this share of its cap",
      String(MATCH_DEFAULTS.safetyFactor),
    )
    .option(
      '--to-date <file>',
      'programme totals to date, JSON {"<agreement id>": {"guaranteed": yuan, "compensated": yuan}}',
    )
    .option('--json', 'print the summary as JSON')
    .action(async (o: MatchFlags) => (await import('../match.js')).matchCommand(o));
}
