import cliProgress from 'cli-progress';
import { describeValue, RiskError } from '../core/errors.js';
import { resolveSampleOptions, SAMPLE_FORMATS, type SampleFormat } from '../samples/options.js';
import { type SampleSummary, writeSampleDir } from '../samples/write.js';

/** The command-line flag of each generator option, so that errors name what the user typed. */
const FLAGS: Record<string, string> = {
  n: '--n',
  seed: '--seed',
  months: '--months',
  dirty: '--dirty',
  asOfEnd: '--as-of-end',
  invalidShare: '--invalid-share',
  monitoringMonths: '--monitoring-months',
  format: '--format',
  out: '--out',
};

/** The raw strings commander hands over. */
export interface GenerateFlags {
  n?: string;
  seed?: string;
  out?: string;
  months: string;
  dirty: string;
  format: string;
  asOfEnd: string;
  json?: boolean;
}

function optionError(flag: string, allowed: string, received: unknown): RiskError {
  return new RiskError(
    'E_SAMPLES_OPTIONS',
    `${flag} must be ${allowed}, received ${describeValue(received)}`,
    {
      path: [flag],
      expected: allowed,
      received,
    },
  );
}

/** Reads a numeric flag; the range is checked by resolveSampleOptions. */
function numberFlag(flag: string, text: string | undefined, integer: boolean): number {
  if (text === undefined) throw optionError(flag, 'given', undefined);
  const v = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(v) || (integer && !Number.isInteger(v))) {
    throw optionError(flag, integer ? 'an integer' : 'a number', text);
  }
  return v;
}

/** Describes a finished run in one line. */
export function summaryLine(s: SampleSummary, out: string): string {
  const pct = (100 * s.defaultRate).toFixed(2);
  return (
    `samples: ${s.borrowers} borrowers, default rate ${pct}% (${s.defaults}), ${s.inForce} in-force loans ` +
    `(${s.inForceDefaults} defaulted), ${s.rows.dirty} dirty rows (${s.rows.invalid} invalid), ` +
    `${s.files.length} files written to ${out}`
  );
}

async function generate(flags: GenerateFlags): Promise<void> {
  if (flags.out === undefined || flags.out.trim() === '')
    throw optionError('--out', 'a directory', flags.out);
  if (!(SAMPLE_FORMATS as readonly string[]).includes(flags.format)) {
    throw optionError('--format', `one of ${SAMPLE_FORMATS.join(', ')}`, flags.format);
  }
  const options = resolveSampleOptions(
    {
      n: numberFlag('--n', flags.n, true),
      seed: numberFlag('--seed', flags.seed, true),
      months: numberFlag('--months', flags.months, true),
      dirty: numberFlag('--dirty', flags.dirty, false),
      asOfEnd: flags.asOfEnd.trim(),
    },
    (key) => FLAGS[key] ?? key,
  );
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: 'samples |{bar}| {value}/{total} borrowers | {percentage}% | eta {eta_formatted}',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(options.n, 0);
  try {
    const summary = await writeSampleDir({
      ...options,
      out: flags.out,
      format: flags.format as SampleFormat,
      onProgress: (done) => bar.update(done),
    });
    bar.stop();
    console.log(
      flags.json ? JSON.stringify({ ...summary, out: flags.out }, null, 2) : summaryLine(summary, flags.out),
    );
  } catch (err) {
    bar.stop();
    throw err;
  }
}

/** `rongdan samples generate`. */
export async function samplesGenerateCommand(flags: GenerateFlags): Promise<void> {
  await generate(flags);
}
