import { missingBin, regularBins, type VariableBinning } from '../binning/variable.js';
import type { Scorecard } from './scorecard.js';

/** Which raw values fall in a bin of the exported card. */
export type BinCondition =
  | { readonly type: 'range'; readonly lower: number | null; readonly upper: number | null }
  | { readonly type: 'levels'; readonly levels: readonly string[] }
  | { readonly type: 'special'; readonly values: readonly (number | string)[] }
  | { readonly type: 'missing' };

/** One bin of the exported card. */
export interface CardBin {
  readonly label: string;
  /** Ranges include `lower` and exclude `upper`; null is unbounded. */
  readonly condition: BinCondition;
  /** True for the bin that takes categories unseen in training. */
  readonly unseen: boolean;
  readonly count: number;
  readonly eventRate: number;
  readonly woe: number;
  readonly points: number;
}

/** The scorecard as a standalone JSON document: scaling, then each variable's bins and points. */
export interface ScorecardCard {
  readonly format: 'rongdan-scorecard';
  readonly version: 1;
  readonly scaling: {
    readonly baseScore: number;
    readonly baseOdds: number;
    readonly pdo: number;
    readonly factor: number;
    readonly offset: number;
  };
  /** pd = 1 / (1 + exp((score − offset) / factor)). */
  readonly pdFormula: string;
  readonly intercept: number;
  readonly variables: readonly {
    readonly variable: string;
    readonly kind: 'numeric' | 'categorical';
    readonly coefficient: number;
    /** Wald test of the coefficient (null where the information was singular). */
    readonly standardError: number | null;
    readonly pValue: number | null;
    readonly vif: number | null;
    readonly iv: number;
    /** The bins came from the user's bins file (`train --bins`), not the optimiser. */
    readonly userSet: boolean;
    readonly bins: readonly CardBin[];
  }[];
  readonly minScore: number;
  readonly maxScore: number;
}

function conditionOf(b: VariableBinning, bin: number): BinCondition {
  const m = regularBins(b);
  if (bin === missingBin(b)) return { type: 'missing' };
  if (bin >= m) return { type: 'special', values: b.special[bin - m] ?? [] };
  if (b.kind === 'categorical') return { type: 'levels', levels: b.groups[bin] ?? [] };
  return {
    type: 'range',
    lower: bin === 0 ? null : (b.cuts[bin - 1] as number),
    upper: bin === b.cuts.length ? null : (b.cuts[bin] as number),
  };
}

/**
 * Exports a fitted scorecard as a JSON card: each bin's condition on the raw value, WoE and integer points.
 * @example writeFileSync('scorecard.json', JSON.stringify(scorecardCard(card), null, 1));
 */
export function scorecardCard(card: Scorecard): ScorecardCard {
  const s = card.fitted();
  const p = card.fittedParams();
  const byName = new Map(s.binnings.map((b) => [b.variable, b as VariableBinning]));
  let minScore = 0;
  let maxScore = 0;
  const variables = s.variables.map((v, j) => {
    const b = byName.get(v) as VariableBinning;
    const pts = s.points[j] as number[];
    const bins = b.table.rows.map(
      (r, k): CardBin => ({
        label: r.label,
        condition: conditionOf(b, k),
        unseen: b.kind === 'categorical' && k === b.unseenBin,
        count: r.count,
        eventRate: r.eventRate,
        woe: r.woe,
        points: pts[k] as number,
      }),
    );
    minScore += Math.min(...pts);
    maxScore += Math.max(...pts);
    const test = s.tests?.coef[j];
    return {
      variable: v,
      kind: b.kind,
      coefficient: s.coef[j] as number,
      standardError: test?.se ?? null,
      pValue: test?.pValue ?? null,
      vif: test?.vif ?? null,
      iv: b.table.iv,
      userSet: b.table.userSet === true,
      bins,
    };
  });
  return {
    format: 'rongdan-scorecard',
    version: 1,
    scaling: { baseScore: p.baseScore, baseOdds: p.baseOdds, pdo: p.pdo, ...s.scaling },
    pdFormula: 'pd = 1 / (1 + exp((score - offset) / factor))',
    intercept: s.intercept,
    variables,
    minScore,
    maxScore,
  };
}

/** Quotes an SQL identifier with double quotes (a double quote inside doubles). */
export function sqlIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** An SQL literal: numbers in JavaScript's shortest round-trip form, text single-quoted with quotes doubled. */
export function sqlLiteral(v: number | string): string {
  return typeof v === 'number' ? String(v) : `'${v.replace(/'/g, "''")}'`;
}

/**
 * One SQL expression that reproduces the card's score in a database: a sum of one `CASE` per variable over
 * the raw columns. NULL goes to the missing bin, special values to the special bin, numeric ranges test
 * `<` against the ascending cuts, and categories unseen in training take the card's unseen bin (the ELSE).
 * @example `SELECT ${scorecardSql(card)} AS score FROM applications`
 */
export function scorecardSql(card: Scorecard): string {
  const s = card.fitted();
  const byName = new Map(s.binnings.map((b) => [b.variable, b as VariableBinning]));
  const parts = s.variables.map((v, j) => {
    const b = byName.get(v) as VariableBinning;
    const pts = s.points[j] as number[];
    const col = sqlIdentifier(v);
    const m = regularBins(b);
    const whens = [`WHEN ${col} IS NULL THEN ${pts[missingBin(b)]}`];
    b.special.forEach((values, g) => {
      whens.push(`WHEN ${col} IN (${values.map(sqlLiteral).join(', ')}) THEN ${pts[m + g]}`);
    });
    let otherwise: number;
    if (b.kind === 'numeric') {
      b.cuts.forEach((c, k) => {
        whens.push(`WHEN ${col} < ${sqlLiteral(c)} THEN ${pts[k]}`);
      });
      otherwise = pts[m - 1] as number;
    } else {
      b.groups.forEach((levels, k) => {
        if (levels.length > 0)
          whens.push(`WHEN ${col} IN (${levels.map(sqlLiteral).join(', ')}) THEN ${pts[k]}`);
      });
      otherwise = pts[b.unseenBin] as number;
    }
    return `(CASE ${whens.join(' ')} ELSE ${otherwise} END)`;
  });
  return parts.join('\n + ');
}
