import { WOE_EPSILON } from './woe.js';

/** The trend one optimal merge must follow (`auto` is resolved by the caller). */
export type SolvedTrend = 'ascending' | 'descending' | 'peak' | 'valley';

/** Limits every merged (regular) bin must respect. */
export interface MergeConstraints {
  readonly trend: SolvedTrend;
  readonly maxBins: number;
  /** Smallest (weighted) row count of a bin. */
  readonly minCount: number;
  /** Smallest (weighted) event count of a bin. */
  readonly minEvents: number;
  /**
   * Allow a bin of one class only (every D-rated firm defaulted): its WoE and IV are smoothed (see
   * WOE_EPSILON in woe.ts) rather than the bin merged into a neighbour. Otherwise a bin always holds some
   * events and some non-events.
   */
  readonly pureBins?: boolean;
  /** Class totals over the whole variable (special and missing rows included), for IV shares. */
  readonly totalNonEvents: number;
  readonly totalEvents: number;
}

/** An optimal merge: where each bin after the first starts (pre-bin indices), and its IV. */
export interface MergeSolution {
  readonly starts: readonly number[];
  readonly iv: number;
}

/**
 * Merges consecutive pre-bins into at most `maxBins` bins that maximise the information value, subject to
 * a minimum count and events per bin and a monotone (or single-peaked) event-rate trend. optbinning solves
 * the same problem as a MIP; over contiguous merges it is a dynamic programme, exact and fast:
 *
 *   best[b][i][j] = IV(i, j) + max { best[b−1][k][i] : k < i, rate(k, i) ≤ rate(i, j) }
 *
 * where [i, j) is the last bin, b counts bins, and the rate condition encodes an ascending trend
 * (descending negates rates; peak and valley add a phase: ascending until the turn, descending after).
 * O(maxBins · P³ / 6) for P pre-bins: about 2·10⁵ steps for the defaults (P = 50, 10 bins).
 * @returns null when no merge satisfies the constraints
 */
export function optimalMerge(
  nonEvents: Float64Array,
  events: Float64Array,
  c: MergeConstraints,
): MergeSolution | null {
  const P = nonEvents.length;
  const P1 = P + 1;
  const cumNe = new Float64Array(P1);
  const cumE = new Float64Array(P1);
  for (let i = 0; i < P; i++) {
    cumNe[i + 1] = (cumNe[i] as number) + (nonEvents[i] as number);
    cumE[i + 1] = (cumE[i] as number) + (events[i] as number);
  }
  // Per candidate bin [i, j): feasibility, IV term and (signed) event rate, in flat P1×P1 arrays.
  const ok = new Uint8Array(P1 * P1);
  const iv = new Float64Array(P1 * P1);
  const rate = new Float64Array(P1 * P1);
  const sign = c.trend === 'descending' || c.trend === 'valley' ? -1 : 1;
  const minEvents = c.minEvents;
  const pure = c.pureBins === true;
  for (let i = 0; i < P; i++) {
    for (let j = i + 1; j <= P; j++) {
      const ne = (cumNe[j] as number) - (cumNe[i] as number);
      const e = (cumE[j] as number) - (cumE[i] as number);
      if (e < minEvents || ne + e < c.minCount || ne + e <= 0) continue;
      if (!pure && (ne <= 0 || e <= 0)) continue;
      const at = i * P1 + j;
      ok[at] = 1;
      // A pure bin's shares are smoothed as its WoE is (woe.ts), so its IV stays finite.
      const smooth = ne <= 0 || e <= 0 ? WOE_EPSILON : 0;
      const pne = (ne + smooth) / c.totalNonEvents;
      const pe = (e + smooth) / c.totalEvents;
      iv[at] = (pne - pe) * Math.log(pne / pe);
      rate[at] = (sign * e) / (ne + e);
    }
  }
  const twoPhase = c.trend === 'peak' || c.trend === 'valley';
  const phases = twoPhase ? 2 : 1;
  const total = cumNe[P] as number;
  const regular = total + (cumE[P] as number);
  const maxBins = Math.max(1, Math.min(c.maxBins, P, c.minCount > 0 ? Math.floor(regular / c.minCount) : P));
  const layer = phases * P1 * P1;
  const best = new Float64Array(maxBins * layer).fill(Number.NEGATIVE_INFINITY);
  // The predecessor of a state: k·2 + phase of the bin before [i, j).
  const from = new Int32Array(maxBins * layer).fill(-1);
  const at = (b: number, ph: number, i: number, j: number): number => b * layer + (ph * P1 + i) * P1 + j;
  for (let j = 1; j <= P; j++) if (ok[j] === 1) best[at(0, 0, 0, j)] = iv[j] as number;
  for (let b = 1; b < maxBins; b++) {
    let any = false;
    for (let i = 1; i < P; i++) {
      for (let j = i + 1; j <= P; j++) {
        const ij = i * P1 + j;
        if (ok[ij] !== 1) continue;
        const r = rate[ij] as number;
        const gain = iv[ij] as number;
        let best0 = Number.NEGATIVE_INFINITY;
        let from0 = -1;
        let best1 = Number.NEGATIVE_INFINITY;
        let from1 = -1;
        for (let k = 0; k < i; k++) {
          const ki = k * P1 + i;
          if (ok[ki] !== 1) continue;
          const rp = rate[ki] as number;
          const v0 = best[at(b - 1, 0, k, i)] as number;
          if (v0 > Number.NEGATIVE_INFINITY) {
            if (rp <= r && v0 > best0) {
              best0 = v0;
              from0 = k * 2;
            }
            if (twoPhase && rp >= r && v0 > best1) {
              best1 = v0;
              from1 = k * 2;
            }
          }
          if (twoPhase) {
            const v1 = best[at(b - 1, 1, k, i)] as number;
            if (v1 > Number.NEGATIVE_INFINITY && rp >= r && v1 > best1) {
              best1 = v1;
              from1 = k * 2 + 1;
            }
          }
        }
        if (from0 >= 0) {
          best[at(b, 0, i, j)] = best0 + gain;
          from[at(b, 0, i, j)] = from0;
          any = true;
        }
        if (from1 >= 0) {
          best[at(b, 1, i, j)] = best1 + gain;
          from[at(b, 1, i, j)] = from1;
          any = true;
        }
      }
    }
    if (!any) break;
  }
  let top = Number.NEGATIVE_INFINITY;
  let state = -1;
  for (let b = 0; b < maxBins; b++) {
    for (let ph = 0; ph < phases; ph++) {
      for (let i = 0; i < P; i++) {
        const s = at(b, ph, i, P);
        // Strictly greater keeps the fewest bins among equal IVs.
        if ((best[s] as number) > top + 1e-12) {
          top = best[s] as number;
          state = s;
        }
      }
    }
  }
  if (state < 0) return null;
  const starts: number[] = [];
  let s = state;
  for (;;) {
    const b = Math.floor(s / layer);
    const rest = s - b * layer;
    const i = Math.floor(rest / P1) % P1;
    if (b === 0) break;
    starts.push(i);
    const f = from[s] as number;
    s = at(b - 1, f & 1, f >> 1, i);
  }
  return { starts: starts.reverse(), iv: top };
}
