import { Command } from 'commander';
import { registerAgreementCommands } from './commands/agreements.js';
import { registerBinsCommands } from './commands/bins.js';
import { registerCompareCommands } from './commands/compare.js';
import { registerDecisionCommands } from './commands/decisions.js';
import { registerDemoCommands } from './commands/demo.js';
import { registerEvaluateCommands } from './commands/evaluate.js';
import { registerExportCommands } from './commands/export.js';
import { registerFeatureCommands } from './commands/features.js';
import { registerIngestCommands } from './commands/ingest.js';
import { registerKeyCommands } from './commands/keys.js';
import { registerMatchCommands } from './commands/match.js';
import { registerMonitorCommands } from './commands/monitor.js';
import { registerPortfolioCommands } from './commands/portfolio.js';
import { registerPredictCommands } from './commands/predict.js';
import { registerReportCommands } from './commands/report.js';
import { registerSampleCommands } from './commands/samples.js';
import { registerScreenCommands } from './commands/screen.js';
import { registerServeCommands } from './commands/serve.js';
import { registerSimulateCommands } from './commands/simulate.js';
import { registerTrainCommands } from './commands/train.js';
import { registerVintageCommands } from './commands/vintage.js';
import { registerWebhookCommands } from './commands/webhooks.js';

/**
 * The `rongdan` command line: each stage registers its own commands. Registering loads no command's
 * implementation (see commands/), so building the program and printing help stay cheap.
 */
export function buildProgram(): Command {
  const program = new Command('rongdan')
    .description('Credit-risk scoring and bank matching for financing guarantee institutions (融担)')
    .version('0.1.0');
  registerSampleCommands(program);
  registerFeatureCommands(program);
  registerIngestCommands(program);
  registerScreenCommands(program);
  registerTrainCommands(program);
  registerBinsCommands(program);
  registerPredictCommands(program);
  registerEvaluateCommands(program);
  registerReportCommands(program);
  registerExportCommands(program);
  registerCompareCommands(program);
  registerDemoCommands(program);
  registerAgreementCommands(program);
  registerMatchCommands(program);
  registerMonitorCommands(program);
  registerKeyCommands(program);
  registerWebhookCommands(program);
  registerDecisionCommands(program);
  registerSimulateCommands(program);
  registerPortfolioCommands(program);
  registerVintageCommands(program);
  registerServeCommands(program);
  return program;
}
