import { describeValue, RiskError } from '../core/errors.js';
import { isoDate } from '../ingest/schemas.js';

/** Output formats of `writeSampleDir`: the CSV directory, `applications.jsonl`, or both. */
export const SAMPLE_FORMATS = ['csv', 'json', 'both'] as const;
/** One output format. */
export type SampleFormat = (typeof SAMPLE_FORMATS)[number];

/** Generator options after defaults (see `resolveSampleOptions`). */
export interface SampleOptions {
  /** Number of borrowers. */
  readonly n: number;
  /** Seed of every random stream. */
  readonly seed: number;
  /** Months of monthly history before each as-of date (default 24). */
  readonly months: number;
  /** Share of rows carrying a dirty value (default 0.01). */
  readonly dirty: number;
  /** Share of dirty rows that are invalid rather than merely messy (default 0.1). */
  readonly invalidShare: number;
  /** The last as-of date (default 2025-12-31); as-of dates spread over the year before it. */
  readonly asOfEnd: string;
  /** Months of monitoring snapshots after origination (default 12). */
  readonly monitoringMonths: number;
}

/** What callers may pass: `n` and `seed` are required, the rest default. */
export type SampleOptionsInput = Pick<SampleOptions, 'n' | 'seed'> &
  Partial<Omit<SampleOptions, 'n' | 'seed'>>;

/** Defaults of the optional settings. */
export const SAMPLE_DEFAULTS = {
  months: 24,
  dirty: 0.01,
  invalidShare: 0.1,
  asOfEnd: '2025-12-31',
  monitoringMonths: 12,
} as const;

function fail(label: string, allowed: string, received: unknown): never {
  throw new RiskError(
    'E_SAMPLES_OPTIONS',
    `${label} must be ${allowed}, received ${describeValue(received)}`,
    {
      path: [label],
      expected: allowed,
      received,
    },
  );
}

function int(label: string, v: unknown, lo: number, hi: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi)
    fail(label, `an integer from ${lo} to ${hi}`, v);
  return v;
}

function rate(label: string, v: unknown, hi: number): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > hi)
    fail(label, `a number from 0 to ${hi}`, v);
  return v;
}

/**
 * Validates generator options and fills the defaults.
 * @param label how to name an option in an error (the CLI passes its flag names)
 * @throws E_SAMPLES_OPTIONS naming the option, what was allowed and what was received
 * @example resolveSampleOptions({ n: 5000, seed: 42 }).months // 24
 */
export function resolveSampleOptions(
  input: SampleOptionsInput,
  label: (key: string) => string = (key) => key,
): SampleOptions {
  const asOfEnd = input.asOfEnd ?? SAMPLE_DEFAULTS.asOfEnd;
  if (!isoDate.safeParse(asOfEnd).success) fail(label('asOfEnd'), 'a real date YYYY-MM-DD', asOfEnd);
  return {
    n: int(label('n'), input.n, 1, 100_000_000),
    seed: int(label('seed'), input.seed, 0, 0xffffffff),
    months: int(label('months'), input.months ?? SAMPLE_DEFAULTS.months, 1, 60),
    dirty: rate(label('dirty'), input.dirty ?? SAMPLE_DEFAULTS.dirty, 0.5),
    invalidShare: rate(label('invalidShare'), input.invalidShare ?? SAMPLE_DEFAULTS.invalidShare, 1),
    asOfEnd,
    monitoringMonths: int(
      label('monitoringMonths'),
      input.monitoringMonths ?? SAMPLE_DEFAULTS.monitoringMonths,
      1,
      36,
    ),
  };
}
