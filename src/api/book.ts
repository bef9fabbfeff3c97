import type { GuaranteeExposure, PortfolioLike } from '../decisions/assess.js';
import type { BorrowerProfile } from '../decisions/assessment.js';
import { type Exposure, Portfolio, type PortfolioPolicy } from '../decisions/portfolio.js';
import { retainedShareOf } from '../decisions/portfolio-book.js';
import type { Agreement } from '../ingest/partners.js';
import type { BookFigures, Store, StoredLoan } from '../store/store.js';

/**
 * The live portfolio book (domain.md §3.1–§3.2): the guarantor's loans in force in the store, as the decisions
 * module's `Portfolio`, so leverage and concentration checks of new assessments see the loans actually on the
 * book. It is kept in memory per store book version: every change to the loans in force (funding, direct
 * guarantee, repayment, default) moves the version in the same transaction, so a process sees its own and
 * other processes' changes at its next check — one cheap version read, shared by the requests that arrive
 * while it runs — and rebuilds the book only when the version moved. The book at any earlier version is
 * rebuilt from the loans' versions in and out (replay of an assessment made against it).
 */

/** The book at one store version. */
export interface BookView {
  readonly version: number;
  readonly portfolio: Portfolio;
  /** The loans in force at this version. */
  readonly loans: readonly StoredLoan[];
  /** The borrower profile of each loan that came from a stored assessment, by loan id. */
  readonly borrowers: ReadonlyMap<string, BorrowerProfile>;
  /** The book for an assessment: checks a guarantee against it, never books one (the store books loans). */
  readonly unbooked: PortfolioLike;
  /** The figures an assessment of `borrowerId` is checked against (stored with it). */
  figures(borrowerId: string): BookFigures;
}

/** A text field of what the bank sent with a loan (a direct guarantee keeps it under `data`). */
function payloadText(payload: unknown, key: string): string | null {
  const p = payload as Record<string, unknown> | null;
  const v = p?.[key] ?? (p?.data as Record<string, unknown> | null | undefined)?.[key];
  return typeof v === 'string' ? v : null;
}

/** The loan's borrower's entity type or industry: from its assessment, else what the bank sent. */
export function loanField(
  borrowers: BookView['borrowers'],
  loan: StoredLoan,
  key: 'entityType' | 'industry',
): string | null {
  return borrowers.get(loan.id)?.[key] ?? payloadText(loan.payload, key);
}

/** How many earlier versions a process keeps (replays of recent assessments hit them). */
const KEEP = 8;

/** The live book of one store under one portfolio policy. */
export class LiveBook {
  private readonly store: Store;
  private readonly policy: PortfolioPolicy;
  private readonly retained: ReadonlyMap<string, number>;
  private readonly views = new Map<number, Promise<BookView>>();
  private latest = -1;
  private versionRead: Promise<number> | null = null;

  constructor(store: Store, policy: PortfolioPolicy, agreements: readonly Agreement[]) {
    this.store = store;
    this.policy = policy;
    this.retained = new Map(agreements.map((ag) => [ag.id, retainedShareOf(ag)] as const));
  }

  /** The book now: one version read (shared with concurrent callers), a rebuild only when it moved. */
  async current(): Promise<BookView> {
    if (this.versionRead === null) {
      const read = this.store.bookVersion().finally(() => {
        if (this.versionRead === read) this.versionRead = null;
      });
      this.versionRead = read;
    }
    const version = await this.versionRead;
    if (version > this.latest) this.latest = version;
    return this.at(version);
  }

  /** The book as it was at a store version (cached for the last few versions). */
  at(version: number): Promise<BookView> {
    let view = this.views.get(version);
    if (view === undefined) {
      view = this.build(version);
      view.catch(() => this.views.delete(version));
      this.views.set(version, view);
      // Forget the oldest versions but never the latest (the one new assessments use).
      for (const v of [...this.views.keys()].sort((a, b) => a - b)) {
        if (this.views.size <= KEEP) break;
        if (v !== this.latest) this.views.delete(v);
      }
    }
    return view;
  }

  private async build(version: number): Promise<BookView> {
    const loans = await this.store.loansInBook(version);
    const ids = loans.map((l) => l.assessmentId).filter((x): x is string => x !== null);
    const assessed = new Map((await this.store.getAssessments(ids)).map((a) => [a.id, a.output.borrower]));
    const borrowers = new Map<string, BorrowerProfile>();
    for (const l of loans) {
      const b = l.assessmentId === null ? undefined : assessed.get(l.assessmentId);
      if (b !== undefined) borrowers.set(l.id, b);
    }
    const exposures: Exposure[] = loans.map((l) => ({
      id: l.id,
      borrowerId: l.borrowerId,
      amount: l.amount,
      entityType: loanField(borrowers, l, 'entityType'),
      programme: l.agreementId,
    }));
    const portfolio = new Portfolio(this.policy, exposures, { retainedShares: this.retained });
    const status = portfolio.status(0);
    const unbooked: PortfolioLike = {
      check: (e: GuaranteeExposure) => portfolio.check(e),
      add: () => {},
      clientExposure: (id) => portfolio.clientExposure(id),
      groupExposure: (id) => portfolio.groupExposure(id),
    };
    return {
      version,
      portfolio,
      loans,
      borrowers,
      unbooked,
      figures: (borrowerId) => ({
        version,
        loans: loans.length,
        grossBalance: status.grossBalance,
        weightedLiability: status.weightedLiability,
        clientBalance: portfolio.clientExposure(borrowerId),
        groupBalance: portfolio.groupExposure(borrowerId),
      }),
    };
  }
}
