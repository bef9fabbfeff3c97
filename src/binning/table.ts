/** The row label of every binning table's missing bin (reasons and reports compare against it). */
export const MISSING_BIN_LABEL = 'Missing';

/** One row of a binning table (optbinning's columns; WoE sign: ln(non-events share / events share)). */
export interface BinRow {
  readonly label: string;
  readonly count: number;
  readonly countShare: number;
  readonly nonEvents: number;
  readonly events: number;
  readonly eventRate: number;
  readonly woe: number;
  readonly iv: number;
}

/** A variable's binning table with its totals. */
export interface BinningTable {
  readonly variable: string;
  readonly kind: 'numeric' | 'categorical';
  readonly rows: readonly BinRow[];
  readonly iv: number;
  readonly gini: number;
  readonly ks: number;
  /** True when the cuts or groups were set by the user (`train --bins`), not found by the optimiser. */
  readonly userSet?: boolean | undefined;
}
