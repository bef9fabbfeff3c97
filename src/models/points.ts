import { z } from 'zod';
import type { OptionSpec } from './option-specs.js';

/**
 * Points on the scorecard's scale for any model: score = offset + factor · ln(good:bad odds), with the
 * scale set by a base score at base odds and the points to double the odds (PDO). The scorecard sums
 * integer points per bin to this scale; every other family (GBDT, MLP, logistic) maps its PD onto the same
 * scale with `pointsFromPd`, so cut-offs and score bands read the same whatever the family.
 */

/** Points scaling: score = offset + factor · ln(good:bad odds). */
export interface Scaling {
  readonly factor: number;
  readonly offset: number;
}

/** The scale's settings: score `baseScore` at good:bad odds `baseOdds`, `pdo` points to double the odds. */
export interface ScaleSettings {
  readonly baseScore: number;
  readonly baseOdds: number;
  readonly pdo: number;
}

/** The scorecard's default scale (600 points at 50:1, 20 points to double the odds), shared by every family. */
export const DEFAULT_SCALE: ScaleSettings = { baseScore: 600, baseOdds: 50, pdo: 20 };

/**
 * The scale as option specs with the scorecard's defaults, for the option tables of GBDT, MLP and
 * logistic; artifacts saved before these options existed parse with the defaults.
 */
export const SCALE_OPTION_SPECS = {
  /** The score at `baseOdds`. */
  baseScore: {
    schema: z
      .number()
      .min(-1e6)
      .max(1e6)
      .default(DEFAULT_SCALE.baseScore)
      .describe('the score at baseOdds (points scale of `score`)'),
    allowed: 'a number in [-1e6, 1e6]',
  },
  /** Good:bad odds at `baseScore` (50 = 50:1). */
  baseOdds: {
    schema: z
      .number()
      .gt(0)
      .max(1e9)
      .default(DEFAULT_SCALE.baseOdds)
      .describe('good:bad odds at baseScore (50 = 50:1)'),
    allowed: 'a number in (0, 1e9]',
  },
  /** Points to double the odds. */
  pdo: {
    schema: z.number().gt(0).max(1e6).default(DEFAULT_SCALE.pdo).describe('points to double the odds'),
    allowed: 'a number in (0, 1e6]',
  },
} as const satisfies Record<string, OptionSpec>;

/**
 * factor = PDO / ln 2 and offset = baseScore − factor · ln(baseOdds), so that the score is baseScore at
 * baseOdds and every PDO points double the odds.
 * @example scaling(600, 50, 20) // { factor: 28.85…, offset: 487.1… }
 */
export function scaling(baseScore: number, baseOdds: number, pdo: number): Scaling {
  const factor = pdo / Math.LN2;
  return { factor, offset: baseScore - factor * Math.log(baseOdds) };
}

/** The scaling of a family's scale settings. */
export function scalingOf(s: ScaleSettings): Scaling {
  return scaling(s.baseScore, s.baseOdds, s.pdo);
}

/**
 * The probability of default a score stands for: odds(good:bad) = exp((score − offset) / factor),
 * pd = 1 / (1 + odds).
 * @example pdFromScore(600, scaling(600, 50, 20)) // 1/51
 */
export function pdFromScore(score: number, s: Scaling): number {
  return 1 / (1 + Math.exp((score - s.offset) / s.factor));
}

/**
 * PDs this close to 0 or 1 are clamped before taking the odds, so a tree ensemble's saturated sigmoid
 * (pd exactly 0 or 1 in double precision) still gets finite points: about ±800 points from the base at the
 * default PDO, far outside any cut-off.
 */
const PD_CLAMP = 1e-12;

/**
 * Integer points of each PD on a scale: round(offset + factor · ln((1 − pd) / pd)). Non-increasing in the
 * PD (a riskier row never scores higher); NaN stays NaN.
 * @example pointsFromPd([1 / 51], scaling(600, 50, 20)) // Float64Array [600]
 */
export function pointsFromPd(pd: ArrayLike<number>, s: Scaling): Float64Array {
  const out = new Float64Array(pd.length);
  for (let i = 0; i < pd.length; i++) {
    const p = Math.min(1 - PD_CLAMP, Math.max(PD_CLAMP, pd[i] as number));
    out[i] = Math.round(s.offset + s.factor * (Math.log1p(-p) - Math.log(p)));
  }
  return out;
}
