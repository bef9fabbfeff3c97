/** Rounding of generated amounts: monthly aggregates to the yuan, invoices to the fen, limits to the 万. */

/** Rounds to whole yuan. */
export function yuan(x: number): number {
  return Math.round(x);
}

/** Rounds to the fen (0.01 yuan). */
export function fen(x: number): number {
  return Math.round(x * 100) / 100;
}

/** Rounds to a multiple of `step` yuan (10,000 = 1万), at least one step. */
export function roundTo(x: number, step = 10_000): number {
  return Math.max(step, Math.round(x / step) * step);
}

/** Rounds up to a multiple of `step` yuan (a credit limit never sits below its balance). */
export function ceilTo(x: number, step = 10_000): number {
  return Math.max(step, Math.ceil(x / step) * step);
}
