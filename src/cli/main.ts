#!/usr/bin/env node
import { RiskError } from '../core/errors.js';
import { buildProgram } from './program.js';

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
