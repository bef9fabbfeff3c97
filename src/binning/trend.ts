import { type MergeConstraints, type MergeSolution, optimalMerge, type SolvedTrend } from './optimal.js';
import type { Trend } from './options.js';
import { binnedLogLikelihood, chiSquareQuantile, mergedCounts } from './stats.js';

/**
 * How sure `auto` must be before it bins a variable with a turn (peak or valley) rather than monotonically:
 * the likelihood-ratio test of the turn must reject "monotone is enough" at this level, after a Bonferroni
 * correction for the turn points searched. A scorecard's points should follow a trend a credit officer can
 * explain, so a turn needs strong evidence.
 */
export const TURN_SIGNIFICANCE = 0.001;

/**
 * The chi-square value a turn's likelihood ratio must pass when `tests` turn points were searched: the
 * upper TURN_SIGNIFICANCE / tests quantile with `df` degrees of freedom.
 * @example turnThreshold(1, 1) // ≈ 11.16 (exact 10.83); turnThreshold(1, 98) ≈ 21.6
 */
export function turnThreshold(df: number, tests: number): number {
  return chiSquareQuantile(1 - TURN_SIGNIFICANCE / Math.max(1, tests), df);
}

/** A binning's trend and its optimal merge; `sol` is null when no merge meets the constraints. */
export interface TrendChoice {
  readonly trend: SolvedTrend;
  readonly sol: MergeSolution | null;
}

/** True when a solution's bins actually turn: neither their event rates only rise nor only fall. */
function turns(nonEvents: Float64Array, events: Float64Array, starts: readonly number[]): boolean {
  const m = mergedCounts(nonEvents, events, starts);
  const rate = (g: number): number =>
    (m.events[g] as number) / ((m.events[g] as number) + (m.nonEvents[g] as number));
  let up = false;
  let down = false;
  for (let g = 1; g < m.events.length; g++) {
    if (rate(g) > rate(g - 1)) up = true;
    if (rate(g) < rate(g - 1)) down = true;
  }
  return up && down;
}

/**
 * Solves the optimal merge for the wanted trend. `auto` first takes whichever of ascending and descending
 * gives the larger IV (optbinning's choice between the two monotone senses), then also solves peak and
 * valley, and takes the better of those only when its bins really turn and a likelihood-ratio test finds
 * the turn significant:
 *
 *   G = 2·(ℓ_turn − ℓ_monotone) > χ²(df) quantile at 1 − TURN_SIGNIFICANCE / (2·(P − 1))
 *
 * with ℓ the binned log-likelihood (`binnedLogLikelihood`), df = max(1, bins_turn − bins_monotone) and
 * the Bonferroni divisor counting the turn points the search tried (P − 1 pre-bin edges, peak or valley):
 * without it a monotone variable's noise, searched over every edge, passes an uncorrected test far too
 * often. optbinning's `auto` decides by a decision tree trained on simulated event-rate shapes; a test of
 * the fitted binnings has the same aim, needs no model, and is stricter on small samples.
 */
export function chooseTrend(
  nonEvents: Float64Array,
  events: Float64Array,
  base: Omit<MergeConstraints, 'trend'>,
  wanted: Trend,
): TrendChoice {
  const solve = (trend: SolvedTrend): TrendChoice => ({
    trend,
    sol: optimalMerge(nonEvents, events, { ...base, trend }),
  });
  if (wanted !== 'auto') return solve(wanted);
  const better = (a: TrendChoice, b: TrendChoice): TrendChoice =>
    b.sol !== null && (a.sol === null || b.sol.iv > a.sol.iv) ? b : a;
  const mono = better(solve('ascending'), solve('descending'));
  const turn = better(solve('peak'), solve('valley'));
  if (mono.sol === null || turn.sol === null || !turns(nonEvents, events, turn.sol.starts)) return mono;
  const g =
    2 *
    (binnedLogLikelihood(nonEvents, events, turn.sol.starts) -
      binnedLogLikelihood(nonEvents, events, mono.sol.starts));
  const df = Math.max(1, turn.sol.starts.length - mono.sol.starts.length);
  return g > turnThreshold(df, 2 * Math.max(1, nonEvents.length - 1)) ? turn : mono;
}
