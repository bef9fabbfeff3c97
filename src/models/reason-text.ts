import { MISSING_BIN_LABEL } from '../binning/table.js';
import { describeFeature } from '../features/catalog.js';

/**
 * The one spelling of a missing value in reasons, for every family: the same word the binning tables use
 * for their missing bin, so a scorecard reason (a bin label) and a GBDT, MLP or logistic reason (a cell
 * value) read alike.
 */
export const MISSING_TEXT = MISSING_BIN_LABEL;

/** Looks up the zh/en texts of a feature (the catalog's describeFeature by default). */
export type FeatureDescriber = (name: string) => { readonly zh: string; readonly en: string } | undefined;

/**
 * A cell as reason text: the value (numbers to 6 significant digits, which a reason never needs more
 * of), or `Missing`.
 * @example cellText(15017.992398992625) // '15018'
 */
export function cellText(cell: number | string | null): string {
  if (cell === null) return MISSING_TEXT;
  return typeof cell === 'number' ? String(Number(cell.toPrecision(6))) : cell;
}

/**
 * The zh/en texts of a reason: the catalog's description of the feature where the catalog has it, else
 * `column = value` in both languages, so every reason has a readable text whatever its column.
 * @example reasonTexts('my_col', '3') // { zh: 'my_col = 3', en: 'my_col = 3' }
 */
export function reasonTexts(
  feature: string,
  value: string,
  describe: FeatureDescriber = describeFeature,
): { zh: string; en: string } {
  const d = describeSafely(describe, feature);
  if (d !== undefined) return { zh: d.zh, en: d.en };
  const text = `${feature} = ${value}`;
  return { zh: text, en: text };
}

/** A describer that fails (a broken catalog) must not stop scoring: the column name and value still tell. */
function describeSafely(
  describe: FeatureDescriber,
  feature: string,
): { readonly zh: string; readonly en: string } | undefined {
  try {
    return describe(feature);
  } catch {
    return undefined;
  }
}
