/**
 * Integer-fen money helpers: every split of a loss or a recovery is done in whole fen with a largest-remainder
 * rule, so the parts always sum exactly to the whole (money is conserved to the fen).
 */

/** Yuan to whole fen, rounding half away from zero (the explicit rounding of the house). */
export function toFen(yuan: number): number {
  const f = yuan * 100;
  return Math.sign(f) * Math.round(Math.abs(f) + 1e-7);
}

/** Whole fen back to yuan. */
export function toYuan(fen: number): number {
  return fen / 100;
}

/** Rounds yuan to the fen. */
export function roundFen(yuan: number): number {
  return toYuan(toFen(yuan));
}

/**
 * Splits `totalFen` (a non-negative integer) in proportion to `weights` by the largest-remainder method:
 * each part gets the floor of its exact share, then the leftover fen go one each to the largest remainders
 * (ties to the earlier part). The parts sum exactly to the total. All-zero weights give all to part 0.
 * @example splitFen(100, [1, 1, 1]) // [34, 33, 33]
 */
export function splitFen(totalFen: number, weights: readonly number[]): number[] {
  const n = weights.length;
  const parts = new Array<number>(n).fill(0);
  if (n === 0 || totalFen === 0) return parts;
  let sum = 0;
  for (const w of weights) sum += Math.max(0, w);
  if (sum <= 0) {
    parts[0] = totalFen;
    return parts;
  }
  const rem: { i: number; r: number }[] = [];
  let given = 0;
  for (let i = 0; i < n; i++) {
    const exact = (totalFen * Math.max(0, weights[i] ?? 0)) / sum;
    const fl = Math.floor(exact + 1e-9);
    parts[i] = fl;
    given += fl;
    rem.push({ i, r: exact - fl });
  }
  rem.sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; given < totalFen; k++, given++) {
    const e = rem[k % n] as { i: number };
    parts[e.i] = (parts[e.i] ?? 0) + 1;
  }
  return parts;
}

/** Yuan shown in 万 with two decimals. */
export function wan(yuan: number): string {
  return (yuan / 10_000).toFixed(2);
}
