import { join } from 'node:path';
import { readCsvBlocks } from '../core/csv.js';
import { RiskError } from '../core/errors.js';
import { type MonitoringReject, readMonitoringLoans, readMonitoringSnapshots } from '../ingest/monitoring.js';
import { type Agreement, shareOf } from '../ingest/partners.js';
import { entityType as entityTypeSchema } from '../ingest/schemas.js';
import { type Exposure, Portfolio, type PortfolioPolicy } from './portfolio.js';

/**
 * The starting book of the portfolio checks: the guarantees in force at a month, built from the monitoring
 * export (`monitoring/loans.csv`, `monitoring/snapshots.csv`) plus the borrowers' entity types
 * (`enterprise.csv`) and the risk-sharing agreements (the guarantor's retained share). Every loan read is
 * accounted for: in force, defaulted (compensated: the guarantee liability has turned into a receivable),
 * not yet originated, ended (no snapshot at the month), or rejected as invalid.
 */

/** Where the loans of the export went: read = inForce + defaulted + notYetOriginated + ended + rejected. */
export interface InForceCounts {
  readonly read: number;
  readonly inForce: number;
  readonly defaulted: number;
  readonly notYetOriginated: number;
  readonly ended: number;
  readonly rejected: number;
  /** In-force loans whose borrower has no valid entity type (booked as segment `other`, weight 100%). */
  readonly unclassified: number;
}

/** The in-force book at one month. */
export interface InForceBook {
  readonly month: string;
  readonly exposures: Exposure[];
  /** The guarantor's retained share by agreement id (the first `guarantor` party: the book's owner). */
  readonly retainedShares: ReadonlyMap<string, number>;
  readonly counts: InForceCounts;
  readonly rejects: readonly MonitoringReject[];
}

/** Options of `readInForceBook`. */
export interface InForceBookOptions {
  /** The agreements the loans are under (their retained share); every loan's agreement must be among them. */
  readonly agreements: readonly Agreement[];
  /** YYYY-MM; default the month after the latest origination (every loan of the export is on the book). */
  readonly month?: string;
  /** The related group of a borrower (the export has none): default none. */
  readonly groupOf?: (borrowerId: string) => string | null;
}

/**
 * The guarantor's own retained share under an agreement: the first `guarantor` party's share. In a chain with
 * two guarantors (Anhui 520: city and county, 20% each) the second is another institution's book.
 */
export function retainedShareOf(agreement: Agreement): number {
  const own = agreement.parties.find((p) => p.role === 'guarantor');
  return own === undefined ? shareOf(agreement, 'guarantor') : own.share;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

function nextMonth(date: string): string {
  const y = Number(date.slice(0, 4));
  const m = Number(date.slice(5, 7));
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

/** Entity type by borrower from enterprise.csv; an absent file or an invalid cell gives no entry. */
async function readEntityTypes(file: string, wanted: ReadonlySet<string>): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let id = -1;
  let type = -1;
  const onHeader = (h: string[]) => {
    const names = h.map((c) => c.trim());
    id = names.indexOf('borrower_id');
    type = names.indexOf('entity_type');
    if (id < 0 || type < 0)
      throw new RiskError('E_CSV_COLUMN', `${file}: expected columns borrower_id and entity_type`, {
        file,
        expected: 'borrower_id, entity_type',
        received: names.join(', '),
      });
  };
  for await (const block of readCsvBlocks(file, onHeader)) {
    for (const r of block.records) {
      const b = (r[id] ?? '').trim();
      if (!wanted.has(b)) continue;
      const t = entityTypeSchema.safeParse((r[type] ?? '').trim());
      if (t.success) out.set(b, t.data);
    }
  }
  return out;
}

/**
 * Builds the in-force book at a month from a sample directory (`<dir>/monitoring/…`, `<dir>/enterprise.csv`).
 * Each exposure is the loan's balance at the month-end snapshot, its agreement's retained share and the
 * borrower's entity type. Invalid rows are rejected and counted, not booked.
 * @throws E_PORTFOLIO_BOOK for a bad month or a loan under an agreement not given; E_CSV_COLUMN on a bad header
 * @example const book = await readInForceBook('data-samples', { agreements });
 */
export async function readInForceBook(dir: string, options: InForceBookOptions): Promise<InForceBook> {
  if (options.month !== undefined && !MONTH.test(options.month))
    throw new RiskError(
      'E_PORTFOLIO_BOOK',
      `month must be YYYY-MM, received ${JSON.stringify(options.month)}`,
      {
        path: ['month'],
        expected: 'YYYY-MM',
        received: options.month,
      },
    );
  const loans = await readMonitoringLoans(join(dir, 'monitoring', 'loans.csv'), { onInvalid: 'collect' });
  const snaps = await readMonitoringSnapshots(join(dir, 'monitoring', 'snapshots.csv'), {
    onInvalid: 'collect',
  });
  const retainedShares = new Map(options.agreements.map((a) => [a.id, retainedShareOf(a)] as const));
  let latest = '';
  for (const l of loans.rows) if (l.originationDate > latest) latest = l.originationDate;
  const month = options.month ?? (latest === '' ? '' : nextMonth(latest));
  // The snapshot of each loan at the month, and whether it defaulted at or before it.
  const at = new Map<string, { balance: number }>();
  const defaultedBy = new Set<string>();
  for (const s of snaps.rows) {
    if (s.month > month) continue;
    if (s.loanStatus === 'defaulted') defaultedBy.add(s.borrowerId);
    if (s.month === month) at.set(s.borrowerId, { balance: s.loanBalance });
  }
  const types = await readEntityTypes(
    join(dir, 'enterprise.csv'),
    new Set(loans.rows.map((l) => l.borrowerId)),
  );
  const exposures: Exposure[] = [];
  let defaulted = 0;
  let notYetOriginated = 0;
  let ended = 0;
  let unclassified = 0;
  for (const l of loans.rows) {
    const retained = retainedShares.get(l.agreementId);
    if (retained === undefined)
      throw new RiskError(
        'E_PORTFOLIO_BOOK',
        `loan of ${l.borrowerId}: agreementId must be one of ${[...retainedShares.keys()].join(', ')}, received ${JSON.stringify(l.agreementId)}`,
        { path: ['agreementId'], received: l.agreementId },
      );
    if (defaultedBy.has(l.borrowerId)) {
      defaulted++;
      continue;
    }
    const originated = l.originationDate.slice(0, 7);
    if (originated > month) {
      notYetOriginated++;
      continue;
    }
    // A loan originated in the month has no month-end snapshot yet: its balance is the amount (bullet).
    const balance = originated === month ? l.amount : (at.get(l.borrowerId)?.balance ?? 0);
    if (balance <= 0) {
      ended++;
      continue;
    }
    const entityType = types.get(l.borrowerId) ?? null;
    if (entityType === null) unclassified++;
    exposures.push({
      id: l.borrowerId,
      borrowerId: l.borrowerId,
      groupId: options.groupOf?.(l.borrowerId) ?? null,
      amount: balance,
      retainedShare: retained,
      entityType,
      programme: l.agreementId,
    });
  }
  return {
    month,
    exposures,
    retainedShares,
    counts: {
      read: loans.read,
      inForce: exposures.length,
      defaulted,
      notYetOriginated,
      ended,
      rejected: loans.rejects.length,
      unclassified,
    },
    rejects: [...loans.rejects, ...snaps.rejects],
  };
}

/**
 * The portfolio of a guarantor whose book is `book`.
 * @example const p = portfolioOf(DEFAULT_PORTFOLIO_POLICY, await readInForceBook('data-samples', { agreements }));
 */
export function portfolioOf(policy: PortfolioPolicy, book: InForceBook): Portfolio {
  return new Portfolio(policy, book.exposures, { retainedShares: book.retainedShares });
}
