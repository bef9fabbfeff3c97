/**
 * The seeded multi-source sample generator (data-samples/README.md): stream borrowers with
 * `generateApplications`, or write a whole sample directory with `writeSampleDir`.
 */
import { writeSampleDir } from './write.js';

export { AGREEMENTS } from './agreements.js';
export { BANKS } from './banks.js';
export type { DirtKind, DirtMark } from './dirty.js';
export {
  borrowerId,
  type GeneratedBorrower,
  generateApplications,
  generateBorrower,
  type OriginationState,
  type SampleOutcome,
} from './generate.js';
export type { InForceLoan, LoanStatus, Snapshot } from './monitoring.js';
export {
  resolveSampleOptions,
  SAMPLE_DEFAULTS,
  SAMPLE_FORMATS,
  type SampleFormat,
  type SampleOptions,
  type SampleOptionsInput,
} from './options.js';
export type { BorrowerProfile } from './profile.js';
export { type SampleSummary, type WriteSampleOptions, writeSampleDir } from './write.js';

/**
 * Another name for `writeSampleDir` (generate a sample and write it asynchronously), for benchmarks.
 * @example const summary = await generateSamples({ n: 100_000, seed: 1, out: '/tmp/sample' });
 */
export const generateSamples = writeSampleDir;
