import type { BinningTable, BinRow } from './table.js';

/**
 * Weight of evidence, information value, Gini and KS of a binned variable, from per-bin counts.
 *
 * Sign convention (optbinning's `BinningTable.build`, checked against its source): with NE_i / E_i the
 * non-events (goods) and events (bads) of bin i and NE / E their totals,
 *
 *   WoE_i = ln( (NE_i / NE) / (E_i / E) )        (optbinning writes it as ln(1/er_i − 1) + ln(E / NE))
 *   IV_i  = (NE_i / NE − E_i / E) · WoE_i        (Jeffrey's divergence term; IV = Σ IV_i ≥ 0)
 *
 * so a bin with more goods than average has a positive WoE, and a riskier bin a negative one.
 * optbinning leaves WoE at 0 for a bin without events or without non-events; we keep 0 only for an empty
 * bin (no evidence) and smooth a pure bin by adding WOE_EPSILON to both of its counts, so that a
 * missing or special bin holding only goods still earns a (finite) good WoE.
 */
export const WOE_EPSILON = 0.5;

/**
 * WoE of one bin under the sign convention above; 0 for an empty bin, smoothed for a pure one.
 * @example binWoe(80, 20, 800, 200) // 0: same good/bad mix as the whole population
 */
export function binWoe(
  nonEvents: number,
  events: number,
  totalNonEvents: number,
  totalEvents: number,
): number {
  if (nonEvents + events <= 0 || totalNonEvents <= 0 || totalEvents <= 0) return 0;
  if (nonEvents <= 0 || events <= 0) {
    return Math.log((nonEvents + WOE_EPSILON) / totalNonEvents / ((events + WOE_EPSILON) / totalEvents));
  }
  return Math.log(nonEvents / totalNonEvents / (events / totalEvents));
}

/**
 * optbinning's Gini of a binning: bins sorted by non-event rate, then 1 − Σ E_i·(NE_i + 2·ΣNE_<i) / (E·NE).
 * It equals the Gini (2·AUC − 1) of a score that is constant within each bin.
 */
export function giniFromCounts(nonEvents: ArrayLike<number>, events: ArrayLike<number>): number {
  const idx: number[] = [];
  let te = 0;
  let tne = 0;
  for (let i = 0; i < events.length; i++) {
    const e = events[i] as number;
    const ne = nonEvents[i] as number;
    if (e + ne > 0) idx.push(i);
    te += e;
    tne += ne;
  }
  if (idx.length <= 1 || te <= 0 || tne <= 0) return 0;
  const rate = (i: number): number =>
    (nonEvents[i] as number) / ((nonEvents[i] as number) + (events[i] as number));
  idx.sort((a, b) => rate(a) - rate(b) || a - b);
  let cumNe = 0;
  let acc = 0;
  for (const i of idx) {
    const ne = nonEvents[i] as number;
    acc += (events[i] as number) * (ne + 2 * cumNe);
    cumNe += ne;
  }
  return 1 - acc / (te * tne);
}

/** optbinning's KS of a binning: the largest gap between cumulative event and non-event shares, in table order. */
export function ksFromCounts(nonEvents: ArrayLike<number>, events: ArrayLike<number>): number {
  let te = 0;
  let tne = 0;
  for (let i = 0; i < events.length; i++) {
    te += events[i] as number;
    tne += nonEvents[i] as number;
  }
  if (te <= 0 || tne <= 0) return 0;
  let ce = 0;
  let cne = 0;
  let ks = 0;
  for (let i = 0; i < events.length; i++) {
    ce += (events[i] as number) / te;
    cne += (nonEvents[i] as number) / tne;
    ks = Math.max(ks, Math.abs(ce - cne));
  }
  return ks;
}

/**
 * Builds the binning table (optbinning's columns) from labels and per-bin weighted counts.
 * @example buildTable('age', 'numeric', ['(-inf, 30)', '[30, inf)', 'Special', 'Missing'], ne, e).iv
 */
export function buildTable(
  variable: string,
  kind: 'numeric' | 'categorical',
  labels: readonly string[],
  nonEvents: ArrayLike<number>,
  events: ArrayLike<number>,
): BinningTable {
  let tne = 0;
  let te = 0;
  for (let i = 0; i < labels.length; i++) {
    tne += nonEvents[i] as number;
    te += events[i] as number;
  }
  const total = tne + te;
  const rows: BinRow[] = [];
  let iv = 0;
  for (let i = 0; i < labels.length; i++) {
    const ne = nonEvents[i] as number;
    const e = events[i] as number;
    const count = ne + e;
    const woe = binWoe(ne, e, tne, te);
    const term = count > 0 && tne > 0 && te > 0 ? (ne / tne - e / te) * woe : 0;
    iv += term;
    rows.push({
      label: labels[i] as string,
      count,
      countShare: total > 0 ? count / total : 0,
      nonEvents: ne,
      events: e,
      eventRate: count > 0 ? e / count : 0,
      woe,
      iv: term,
    });
  }
  return {
    variable,
    kind,
    rows,
    iv,
    gini: giniFromCounts(nonEvents, events),
    ks: ksFromCounts(nonEvents, events),
  };
}
