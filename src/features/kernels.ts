/**
 * Aggregation kernels over one month series of the workspace. A series is a run of slots: slot 0 is the
 * as-of month, slot s the s-th month before it, and the slot after the series' horizon gathers everything
 * older. A flow series (sums, worst-of) reads an empty month as 0; a level series (balances, headcounts)
 * keeps a record count per slot in `obs`, and a month without a record is unobserved rather than 0, so
 * level aggregations run over observed months only and a level month's value is the mean of its records.
 *
 * Every kernel takes the absolute slot range [from, to] (series offset already added) and returns NaN
 * where the aggregation is undefined (no observed month, a zero mean or base). The flow/level branch is
 * taken once per call, outside the loops: these run ~100 times per borrower.
 */

/** Sum of a flow series over the window. */
export function sumOf(vals: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let i = from; i <= to; i++) s += vals[i] as number;
  return s;
}

/** Monthly mean: a flow averages over every month of the window, a level over its observed months. */
export function meanOf(
  vals: Float64Array,
  obs: Float64Array,
  from: number,
  to: number,
  level: boolean,
): number {
  if (!level) return sumOf(vals, from, to) / (to - from + 1);
  let s = 0;
  let n = 0;
  for (let i = from; i <= to; i++) {
    const c = obs[i] as number;
    if (c > 0) {
      s += (vals[i] as number) / c;
      n++;
    }
  }
  return n === 0 ? Number.NaN : s / n;
}

/** Largest (sign 1) or smallest (sign −1) month value in the window. */
export function extremeOf(
  vals: Float64Array,
  obs: Float64Array,
  from: number,
  to: number,
  level: boolean,
  sign: 1 | -1,
): number {
  let best = Number.NaN;
  for (let i = from; i <= to; i++) {
    let v = vals[i] as number;
    if (level) {
      const c = obs[i] as number;
      if (c === 0) continue;
      v /= c;
    }
    if (Number.isNaN(best) || v * sign > best * sign) best = v;
  }
  return best;
}

/** The most recent month's value in the window (the most recent observed month for a level). */
export function lastOf(
  vals: Float64Array,
  obs: Float64Array,
  from: number,
  to: number,
  level: boolean,
): number {
  if (!level) return vals[from] as number;
  for (let i = from; i <= to; i++) {
    const c = obs[i] as number;
    if (c > 0) return (vals[i] as number) / c;
  }
  return Number.NaN;
}

/** Number of months in the window whose value is above 0 (an unobserved level month is not). */
export function monthsWith(vals: Float64Array, from: number, to: number): number {
  // A level month's value is its record mean, which is above 0 exactly when its sum is.
  let n = 0;
  for (let i = from; i <= to; i++) if ((vals[i] as number) > 0) n++;
  return n;
}

/** Months from `first` (the as-of month's slot) to the latest month in the window above 0; NaN if none. */
export function monthsSince(vals: Float64Array, first: number, from: number, to: number): number {
  for (let i = from; i <= to; i++) if ((vals[i] as number) > 0) return i - first;
  return Number.NaN;
}

/** The longest run of consecutive months in the window with a value above 0. */
export function maxRun(vals: Float64Array, from: number, to: number): number {
  let run = 0;
  let best = 0;
  for (let i = from; i <= to; i++) {
    if ((vals[i] as number) > 0) {
      run++;
      if (run > best) best = run;
    } else run = 0;
  }
  return best;
}

/**
 * Growth of the last W months over the W months before them: (recent − prior) / |prior| of the monthly
 * means (for a flow the same as of the sums). `first` is the as-of month's slot. NaN when the prior
 * window is 0 or unobserved. `recent` may be passed in when a running pass already has it.
 */
export function growthOf(
  vals: Float64Array,
  obs: Float64Array,
  first: number,
  w: number,
  level: boolean,
  recent: number = meanOf(vals, obs, first + 1, first + w, level),
): number {
  const prior = meanOf(vals, obs, first + w + 1, first + 2 * w, level);
  if (Number.isNaN(prior) || Number.isNaN(recent) || prior === 0) return Number.NaN;
  return (recent - prior) / Math.abs(prior);
}

/**
 * Relative trend: the least-squares slope of the month values against time (per month, oldest to newest)
 * divided by |their mean|, so that −0.05 reads "falling 5% of the average a month". NaN with fewer than
 * two months or a zero mean.
 */
export function slopeOf(
  vals: Float64Array,
  obs: Float64Array,
  from: number,
  to: number,
  level: boolean,
): number {
  let n = 0;
  let st = 0;
  let sv = 0;
  let stt = 0;
  let stv = 0;
  for (let i = from; i <= to; i++) {
    let v = vals[i] as number;
    if (level) {
      const c = obs[i] as number;
      if (c === 0) continue;
      v /= c;
    }
    // Time runs forward as the slot index runs back.
    const t = from - i;
    n++;
    st += t;
    sv += v;
    stt += t * t;
    stv += t * v;
  }
  if (n < 2) return Number.NaN;
  const mean = sv / n;
  const den = stt - (st * st) / n;
  if (mean === 0 || den === 0) return Number.NaN;
  return (stv - (st * sv) / n) / den / Math.abs(mean);
}

/**
 * Coefficient of variation of the month values: population standard deviation over |mean| (two passes;
 * `mean` may be passed in when a running pass already has it).
 */
export function cvOf(
  vals: Float64Array,
  obs: Float64Array,
  from: number,
  to: number,
  level: boolean,
  mean: number = meanOf(vals, obs, from, to, level),
): number {
  if (Number.isNaN(mean) || mean === 0) return Number.NaN;
  let n = 0;
  let ss = 0;
  for (let i = from; i <= to; i++) {
    let v = vals[i] as number;
    if (level) {
      const c = obs[i] as number;
      if (c === 0) continue;
      v /= c;
    }
    n++;
    ss += (v - mean) * (v - mean);
  }
  if (n < 2) return Number.NaN;
  return Math.sqrt(ss / n) / Math.abs(mean);
}

/**
 * One pass from slot `from` over `len` slots: out[base + k] = the sum of slots from..from + k, or with
 * `counts` the number of them above 0 (`monthsWith`). Each running sum is exactly what
 * `sumOf(vals, from, from + k)` gives (same start, same order of additions), so every window starting at
 * `from` reads its total in O(1) and stays bit-identical.
 */
export function runningTotals(
  vals: Float64Array,
  from: number,
  len: number,
  counts: boolean,
  out: Float64Array,
  base: number,
): void {
  let s = 0;
  if (counts) {
    for (let k = 0; k < len; k++) {
      if ((vals[from + k] as number) > 0) s++;
      out[base + k] = s;
    }
  } else {
    for (let k = 0; k < len; k++) {
      s += vals[from + k] as number;
      out[base + k] = s;
    }
  }
}
