import { type Logger, silentLogger } from '../core/logger.js';
import { getDefaultCatalog } from '../features/catalog.js';
import type { Trend } from './options.js';

/** What the feature catalog tells the binning of one variable. */
export interface CatalogHint {
  readonly trend?: Trend;
  readonly special: number[];
}

/**
 * The trend and special values the repository's feature catalog gives each of `names` that it describes:
 * the catalog's direction is about risk, so `increasing` (riskier as the value grows) is an ascending event
 * rate. Without a readable catalog the binning simply runs without hints, and the logger says so.
 * @example catalogHints(['tax_grade_rank']).get('tax_grade_rank')?.trend // 'ascending'
 */
export function catalogHints(
  names: readonly string[],
  logger: Logger = silentLogger,
): Map<string, CatalogHint> {
  const out = new Map<string, CatalogHint>();
  let entries: ReturnType<typeof getDefaultCatalog>['entries'];
  try {
    entries = getDefaultCatalog().entries;
  } catch (err) {
    logger.warn(
      { err: (err as Error).message },
      'feature catalog unavailable: binning uses no catalog hints',
    );
    return out;
  }
  const wanted = new Set(names);
  for (const e of entries) {
    if (!wanted.has(e.name)) continue;
    const trend: Trend | undefined =
      e.direction === 'increasing' ? 'ascending' : e.direction === 'decreasing' ? 'descending' : undefined;
    out.set(
      e.name,
      trend === undefined ? { special: e.missing.special } : { trend, special: e.missing.special },
    );
  }
  return out;
}
