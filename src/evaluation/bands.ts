import { RiskError } from '../core/errors.js';
import { binOf, checkScored, quantileEdges } from './metrics.js';

/**
 * Score-band (cut-off) tables: rows grouped into bands of a score (points, higher = safer) or of a PD
 * (higher = riskier), listed from the safest band to the riskiest — the order in which a lender approves.
 * Reading down the table, "approve this band and every safer one" gives the approval rate and the bad rate
 * of the approved book at each cut-off, which is what a risk committee sets a cut-off from.
 */

/** One band of a score-band table; counts are weighted when weights are given. */
export interface BandRow {
  /** The band's interval, e.g. `[600, 620)`; the top band is closed: `[780, 812]`. */
  readonly label: string;
  /** Lower bound: an edge, or the lowest score observed for the lowest band. */
  readonly lower: number;
  /** Upper bound (exclusive except for the highest band): an edge, or the highest score observed. */
  readonly upper: number;
  readonly count: number;
  readonly goods: number;
  readonly bads: number;
  /** bads / count; NaN for an empty band. */
  readonly badRate: number;
  /** Share of all rows in this band or safer bands. */
  readonly cumApprovalRate: number;
  /** Bad rate among rows in this band or safer bands. */
  readonly cumBadRateApproved: number;
  /** goods / bads (Infinity when bads = 0, NaN for an empty band). */
  readonly odds: number;
  /** |cum bad share − cum good share| at this band's edge (0 when a class is absent). */
  readonly ks: number;
}

/** A score-band table: rows from the safest band to the riskiest, and the totals they sum to. */
export interface BandTable {
  readonly scoreName: 'points' | 'pd';
  readonly rows: readonly BandRow[];
  readonly total: { count: number; goods: number; bads: number; badRate: number };
}

/** Default number of equal-frequency bands. */
export const DEFAULT_BANDS = 10;

/**
 * Rounds equal-frequency edges to a unit one decimal below the typical band width (whole points for a
 * 300–850 score in 10 bands), but keeping at least two significant digits of each edge, so small PDs stay
 * apart (0.0072, 0.018, 0.047 rather than 0.007, 0.018, 0.047); the cut-offs then read as numbers a
 * committee would write down. Edges that collapse or fall outside the observed range are dropped.
 */
function roundEdges(edges: readonly number[], min: number, max: number, bands: number): number[] {
  const width = (max - min) / bands;
  if (!(width > 0)) return [];
  const widthExponent = Math.floor(Math.log10(width)) - 1;
  const out: number[] = [];
  for (const e of edges) {
    const exponent =
      e === 0 ? widthExponent : Math.min(widthExponent, Math.floor(Math.log10(Math.abs(e))) - 1);
    // Whole units by multiplication, decimals through toFixed, so no 0.1 + 0.2 noise shows in labels.
    const v = exponent >= 0 ? Math.round(e / 10 ** exponent) * 10 ** exponent : Number(e.toFixed(-exponent));
    if (v > min && v <= max && (out.length === 0 || v > (out[out.length - 1] as number))) out.push(v);
  }
  return out;
}

function checkEdges(edges: readonly number[]): void {
  for (let i = 0; i < edges.length; i++) {
    const e = edges[i] as number;
    if (!Number.isFinite(e) || (i > 0 && !(e > (edges[i - 1] as number)))) {
      throw new RiskError(
        'E_OPTIONS_INVALID',
        `scoreBands: edges must be finite and strictly increasing, received ${e} at position ${i}`,
        { path: ['edges', i], expected: 'finite, strictly increasing numbers', received: e },
      );
    }
  }
}

function formatBound(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(4)));
}

/**
 * Builds the score-band table of a score against 0/1 labels (1 = bad).
 * Bands are `[edge_k, edge_k+1)`: equal-frequency by default (ties never split, edges rounded), or the
 * given `edges`. With default bands, empty bands (from ties or rounding) are left out; with given edges
 * every band is kept, empty or not, so tables over samples line up.
 * @param score points (set `higherIsSafer: true`) or PDs (`higherIsSafer: false`)
 * @param y labels, 1 = bad
 * @param options.higherIsSafer orders the rows and names the score (`points` when true, else `pd`)
 * @param options.bands number of equal-frequency bands, default 10 (ignored when `edges` is given)
 * @param options.edges inner cut points, strictly increasing
 * @param options.weight optional non-negative sample weights (counts become weight sums)
 * @throws E_DATA_INVALID on bad labels, non-finite scores or negative weights; E_OPTIONS_INVALID on a bad
 *   `bands` or `edges`
 * @example scoreBands(points, y, { higherIsSafer: true }).rows[0].badRate // bad rate of the safest decile
 */
export function scoreBands(
  score: ArrayLike<number>,
  y: ArrayLike<number>,
  options: {
    higherIsSafer: boolean;
    bands?: number;
    edges?: readonly number[];
    weight?: ArrayLike<number>;
  },
): BandTable {
  const c = checkScored('scoreBands', y, score, options.weight);
  const n = c.y.length;
  const bands = options.bands ?? DEFAULT_BANDS;
  if (!Number.isInteger(bands) || bands < 1 || bands > 1000) {
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `scoreBands: bands must be an integer in [1, 1000], received ${bands}`,
      {
        path: ['bands'],
        expected: 'an integer in [1, 1000]',
        received: bands,
      },
    );
  }
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const s = c.s[i] as number;
    if (s < min) min = s;
    if (s > max) max = s;
  }
  let edges: readonly number[];
  if (options.edges !== undefined) {
    checkEdges(options.edges);
    edges = options.edges;
  } else {
    edges = n === 0 ? [] : roundEdges(quantileEdges(c.s, bands, c.w), min, max, bands);
  }

  const k = edges.length + 1;
  const count = new Float64Array(k);
  const bads = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    const b = binOf(c.s[i] as number, edges);
    const wi = c.w === undefined ? 1 : (c.w[i] as number);
    count[b] = (count[b] as number) + wi;
    if (c.y[i] === 1) bads[b] = (bads[b] as number) + wi;
  }
  let totalCount = 0;
  let totalBads = 0;
  for (let b = 0; b < k; b++) {
    totalCount += count[b] as number;
    totalBads += bads[b] as number;
  }
  const totalGoods = totalCount - totalBads;

  const rows: BandRow[] = [];
  let cumCount = 0;
  let cumBads = 0;
  for (let j = 0; j < k; j++) {
    // Approval order: highest band first for points, lowest first for PDs.
    const b = options.higherIsSafer ? k - 1 - j : j;
    const cnt = count[b] as number;
    if (cnt === 0 && options.edges === undefined) continue;
    const bad = bads[b] as number;
    const good = cnt - bad;
    cumCount += cnt;
    cumBads += bad;
    const cumGoods = cumCount - cumBads;
    const lower = b === 0 ? Math.min(min, edges[0] ?? min) : (edges[b - 1] as number);
    const upper = b === k - 1 ? Math.max(max, edges[k - 2] ?? max) : (edges[b] as number);
    rows.push({
      label: `[${formatBound(lower)}, ${formatBound(upper)}${b === k - 1 ? ']' : ')'}`,
      lower,
      upper,
      count: cnt,
      goods: good,
      bads: bad,
      badRate: cnt > 0 ? bad / cnt : Number.NaN,
      cumApprovalRate: totalCount > 0 ? cumCount / totalCount : 0,
      cumBadRateApproved: cumCount > 0 ? cumBads / cumCount : Number.NaN,
      odds: cnt === 0 ? Number.NaN : bad === 0 ? Number.POSITIVE_INFINITY : good / bad,
      ks: totalBads > 0 && totalGoods > 0 ? Math.abs(cumBads / totalBads - cumGoods / totalGoods) : 0,
    });
  }
  return {
    scoreName: options.higherIsSafer ? 'points' : 'pd',
    rows,
    total: {
      count: totalCount,
      goods: totalGoods,
      bads: totalBads,
      badRate: totalCount > 0 ? totalBads / totalCount : Number.NaN,
    },
  };
}
