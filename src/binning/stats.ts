/**
 * Small statistics for binning decisions: normal and chi-square quantiles, and the binomial log-likelihood
 * of a binning, from which the likelihood-ratio (G) tests of `trend.ts` and `selection.ts` are built.
 */

/**
 * The standard normal quantile Φ⁻¹(p) for p in (0, 1), by Acklam's rational approximation (relative error
 * below 1.2·10⁻⁹).
 * @example normalQuantile(0.975) // 1.959963…
 */
export function normalQuantile(p: number): number {
  const a = [
    -39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716,
    2.506628277459239,
  ];
  const b = [
    -54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572,
  ];
  const c = [
    -0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968,
    2.938163982698783,
  ];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const poly = (k: readonly number[], t: number): number => k.reduce((acc, v) => acc * t + v, 0);
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - low) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}

/**
 * The upper quantile of the chi-square distribution with `df` degrees of freedom at probability p, by the
 * Wilson–Hilferty cube-root approximation: within 4% of the exact value at df = 1, closer above.
 * @example chiSquareQuantile(0.95, 1) // ≈ 3.75 (exact 3.84)
 */
export function chiSquareQuantile(p: number, df: number): number {
  const a = 2 / (9 * df);
  return df * Math.max(0, 1 - a + normalQuantile(p) * Math.sqrt(a)) ** 3;
}

/**
 * The class counts of the bins that merge pre-bins at `starts` (each bin after the first starts there).
 * @example mergedCounts([1, 2, 3], [0, 1, 1], [1]) // { nonEvents: [1, 5], events: [0, 2] }
 */
export function mergedCounts(
  nonEvents: ArrayLike<number>,
  events: ArrayLike<number>,
  starts: readonly number[],
): { nonEvents: Float64Array; events: Float64Array } {
  const outNe = new Float64Array(starts.length + 1);
  const outE = new Float64Array(starts.length + 1);
  let g = 0;
  for (let k = 0; k < nonEvents.length; k++) {
    if (g < starts.length && k === starts[g]) g++;
    outNe[g] = (outNe[g] as number) + (nonEvents[k] as number);
    outE[g] = (outE[g] as number) + (events[k] as number);
  }
  return { nonEvents: outNe, events: outE };
}

/**
 * The binomial log-likelihood of the target under a binning of pre-bins into bins starting at `starts`:
 * Σ_bins e·ln(e/n) + ne·ln(ne/n), with each bin's own event rate as the prediction.
 */
export function binnedLogLikelihood(
  nonEvents: ArrayLike<number>,
  events: ArrayLike<number>,
  starts: readonly number[],
): number {
  const m = mergedCounts(nonEvents, events, starts);
  let ll = 0;
  for (let g = 0; g < m.nonEvents.length; g++) {
    const ne = m.nonEvents[g] as number;
    const e = m.events[g] as number;
    if (ne > 0) ll += ne * Math.log(ne / (ne + e));
    if (e > 0) ll += e * Math.log(e / (ne + e));
  }
  return ll;
}

/**
 * The likelihood-ratio statistic of a binning against no binning at all, from per-bin class counts:
 * G = 2·(Σ_bins e·ln(e/n) + ne·ln(ne/n) − (E·ln(E/N) + NE·ln(NE/N))) = 2·N·(mutual information in nats).
 * Under "the variable says nothing", G is about χ² with (non-empty bins − 1) degrees of freedom.
 * @example gStatistic([80, 20], [20, 80]) // 2·(2·(80 ln .8 + 20 ln .2) − 200 ln .5) ≈ 77.1
 */
export function gStatistic(nonEvents: ArrayLike<number>, events: ArrayLike<number>): number {
  let ne = 0;
  let e = 0;
  let ll = 0;
  for (let i = 0; i < nonEvents.length; i++) {
    const a = nonEvents[i] as number;
    const b = events[i] as number;
    ne += a;
    e += b;
    if (a > 0) ll += a * Math.log(a / (a + b));
    if (b > 0) ll += b * Math.log(b / (a + b));
  }
  const n = ne + e;
  let ll0 = 0;
  if (ne > 0) ll0 += ne * Math.log(ne / n);
  if (e > 0) ll0 += e * Math.log(e / n);
  return Math.max(0, 2 * (ll - ll0));
}
