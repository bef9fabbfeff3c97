/**
 * The latent-risk process (data-samples/README.md, "The latent risk"): each borrower has a latent credit risk
 * z, the sum of structural effects (industry, region, entity type, size, age of firm, owner household leverage)
 * and a hidden health term; the 12-month default is Bernoulli(sigmoid(a + b·z + ε)). Every source is drawn
 * conditional on z with its own noise, so each carries real but partial signal.
 */
export const RISK_MODEL = {
  /** z per standard deviation of log revenue inside the entity type (bigger firms are safer). */
  sizeWeight: -0.3,
  /** z added for a firm founded today, fading linearly to 0 at `youngYears`. */
  youngFirm: 0.45,
  youngYears: 3,
  /** z removed for firms older than 15 years, growing linearly from 5 years. */
  matureFirm: 0.15,
  /** z per standard deviation of log household debt-to-income (clamped to [-1.5, 2.5] sd). */
  leverageWeight: 0.4,
  dtiMedian: 1.2,
  dtiLogSd: 0.8,
  /** Share of owners' households with no debt at all (their leverage term sits at -1.5 sd). */
  debtFreeShare: 0.22,
  /** The hidden health term h ~ N(0, healthSd), seen by no source directly. */
  healthSd: 0.85,
  /** Default: logit PD = intercept + slope·z + ε, ε ~ N(0, noiseSd). */
  intercept: -3.6,
  slope: 1.45,
  noiseSd: 0.5,
  /** A default happens this many days after the as-of date, uniformly (90 days past due at the earliest). */
  defaultDayMin: 60,
  defaultDayMax: 365,
  /** Revenue distress before the as-of date: P = sigmoid(distressIntercept + distressSlope·z). */
  distressIntercept: -2.6,
  distressSlope: 1.2,
  /** Annual revenue growth ~ N(growthMean + growthSlope·z, growthSd). */
  growthMean: 0.05,
  growthSlope: -0.06,
  growthSd: 0.12,
} as const;

/** The logistic function. */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** Clamps x into [lo, hi]. */
export function clamp(x: number, lo: number, hi: number): number {
  return Math.max(lo, Math.min(hi, x));
}
