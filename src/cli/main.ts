#!/usr/bin/env node
import { Command } from 'commander';
import { RiskError } from '../core/errors.js';
import { registerAgreementCommands } from './agreements.js';
import { registerBinsCommands } from './bins.js';
import { registerCompareCommands } from './compare.js';
import { registerDecisionCommands } from './decisions.js';
import { registerDemoCommands } from './demo.js';
import { registerEvaluateCommands } from './evaluate.js';
import { registerExportCommands } from './export.js';
import { registerFeatureCommands } from './features.js';
import { registerIngestCommands } from './ingest.js';
import { registerKeyCommands } from './keys.js';
import { registerMatchCommands } from './match.js';
import { registerMonitorCommands } from './monitor.js';
import { registerPortfolioCommands } from './portfolio.js';
import { registerPredictCommands } from './predict.js';
import { registerReportCommands } from './report.js';
import { registerSampleCommands } from './samples.js';
import { registerScreenCommands } from './screen.js';
import { registerServeCommands } from './serve.js';
import { registerSimulateCommands } from './simulate.js';
import { registerTrainCommands } from './train.js';
import { registerVintageCommands } from './vintage.js';
import { registerWebhookCommands } from './webhooks.js';

/** The `rongdan` command line: each stage registers its own commands. */
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

/** Prints a RiskError as `E_CODE: message` and exits 2, instead of a stack trace. */
async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (err) {
    if (err instanceof RiskError) {
      process.stderr.write(`${err.code}: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
}

await main(process.argv);
