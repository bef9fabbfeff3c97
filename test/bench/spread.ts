// Shared benchmark helper (issue 12 part 6): run our case and its peers interleaved (ours, peer, ours,
// peer, …) so a load change on the shared machine hits both alike, then print each figure as its median
// with the min–max over the runs, next to the peer's figure from the same runs, and the load average.
import { availableParallelism, loadavg } from 'node:os';

/** Runs per figure: 3 unless BENCH_RUNS says otherwise (1 for a quick look). */
export const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3) || 3);

/** Min, median and max of a figure over several runs, with the runs themselves. */
export interface Spread {
  readonly min: number;
  readonly median: number;
  readonly max: number;
  readonly runs: readonly number[];
}

/**
 * The spread of `values` (at least one).
 * @example spread([3, 1, 2]) // { min: 1, median: 2, max: 3, runs: [3, 1, 2] }
 */
export function spread(values: readonly number[]): Spread {
  if (values.length === 0) throw new Error('spread: no values');
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { min: s[0] as number, median, max: s[s.length - 1] as number, runs: values };
}

/** The spread of one field of several run results: `spreadOf(results, (r) => r.seconds)`. */
export function spreadOf<T>(results: readonly T[], pick: (r: T) => number): Spread {
  return spread(results.map(pick));
}

/**
 * Runs every case `runs` times, interleaved (a, b, c, a, b, c, …), and returns each case's results in run
 * order. Cases are awaited one at a time: nothing is timed side by side.
 * @example const r = await interleave({ ours: () => timeOurs(), peer: () => timePeer() });
 *          spreadOf(r.ours, (x) => x.seconds)
 */
export async function interleave<K extends string, T>(
  cases: Readonly<Record<K, (run: number) => T | Promise<T>>>,
  runs: number = RUNS,
): Promise<Record<K, T[]>> {
  const names = Object.keys(cases) as K[];
  const out = Object.fromEntries(names.map((k) => [k, [] as T[]])) as Record<K, T[]>;
  for (let r = 0; r < runs; r++) for (const k of names) out[k].push(await cases[k](r));
  return out;
}

/**
 * `median (min–max over n)` with `fmt` for each number; one run prints the value alone.
 * @example fmtSpread(spread([1.2, 1.1, 1.4]), (x) => x.toFixed(2)) // "1.20 (1.10–1.40 over 3)"
 */
export function fmtSpread(s: Spread, fmt: (x: number) => string): string {
  if (s.runs.length === 1) return fmt(s.median);
  return `${fmt(s.median)} (${fmt(s.min)}–${fmt(s.max)} over ${s.runs.length})`;
}

/** Median ratio of ours to the peer's (for times: > 1 means we are slower). */
export function ratio(ours: Spread, peer: Spread): number {
  return ours.median / peer.median;
}

/** Formats numbers with thousands separators and no decimals (rates such as rows/s). */
export const int = (x: number): string => Math.round(x).toLocaleString('en-US');
/** Formats seconds with two decimals. */
export const secs = (x: number): string => `${x.toFixed(2)} s`;

/** The 1/5/15-minute load average against the core count, to print with every figure of a loaded run. */
export function loadNote(): string {
  const [a, b, c] = loadavg().map((x) => x.toFixed(2));
  return `load average ${a} ${b} ${c} on ${availableParallelism()} cores`;
}
