import { z } from 'zod';
import { RiskError } from '../core/errors.js';
import type { RuleResult } from './assessment.js';

/**
 * Portfolio checks of the guarantor (domain.md §3.1, §3.2, §3.4): weighted guarantee liability over net assets
 * against the leverage cap, single-client and related-group concentration, and the government-guarantor
 * ratios. A `Portfolio` holds the in-force exposures; `check` says what a new guarantee would do to every
 * limit (value, threshold, fired) and the action it takes (refer / decline), `add` books it, `status` reports
 * the book. Every comparison is made on the state *after* the new guarantee, so a batch booked with
 * check → add-if-not-blocked never ends breached, whatever the order of arrival.
 *
 * Amounts are summed in whole fen (integers), so sums are exact and a limit is compared to the fen.
 */

// ---------------------------------------------------------------------------------------------------------
// Policy

/** Liability-weight buckets of the 计量办法 (domain.md §3.2). */
export const WEIGHT_BUCKETS = [
  'small_micro_loan',
  'farmer_loan',
  'housing',
  'bond_aa',
  'other_loan',
  'other',
] as const;
/** One of the buckets above. */
export type WeightBucket = (typeof WEIGHT_BUCKETS)[number];

/** Borrower segments the weights and the government ratios read. */
export const SEGMENTS = ['small_micro', 'farmer', 'other'] as const;
/** One of the segments above. */
export type Segment = (typeof SEGMENTS)[number];

/** What is guaranteed: a loan, a housing loan (住房置业), a bond, or another financing guarantee. */
export const PRODUCTS = ['loan', 'housing', 'bond', 'other_financing'] as const;
/** One of the products above. */
export type Product = (typeof PRODUCTS)[number];

/** Actions a breached portfolio limit takes on a new guarantee. */
export const PORTFOLIO_ACTIONS = ['refer', 'decline'] as const;
/** One of the actions above. */
export type PortfolioAction = (typeof PORTFOLIO_ACTIONS)[number];

const action = z.enum(PORTFOLIO_ACTIONS);
const share = z.number().finite().min(0).max(1);
const money = z.number().finite().nonnegative();

/** The guarantor's portfolio policy: every number cites domain.md; all of it is data (zod-validated). */
export const portfolioPolicySchema = z
  .object({
    /** The guarantor's net assets (净资产), yuan: the base of leverage and concentration. */
    netAssets: z.number().finite().positive(),
    /** Equity stakes in other guarantors, yuan; deducted from the concentration base when `netOfGuarantorStakes`. */
    stakesInOtherGuarantors: money,
    /**
     * Which balance counts: `gross` (the whole guaranteed balance) or `retained` (balance × the guarantor's
     * own share after risk sharing). The regulatory report code takes the own share (domain.md §3.2, inferred).
     */
    basis: z.enum(['gross', 'retained']),
    leverage: z
      .object({
        /** Weighted liability ≤ cap × net assets (domain.md §3.1). */
        cap: z.number().finite().positive(),
        /** The cap for a guarantor mainly serving small/micro and farming (domain.md §3.1). */
        capSmallMicroFarming: z.number().finite().positive(),
        /**
         * Whether the guarantor qualifies for the higher cap: `true`, `false`, or `auto` (the book's small/micro
         * and farming share of amount is at least `autoShare`).
         */
        mainlySmallMicroFarming: z.union([z.boolean(), z.literal('auto')]),
        /** The share that makes `auto` qualify (inferred: the §3.4 80% test of "mainly"). */
        autoShare: share,
        action,
      })
      .strict(),
    /** Liability weights (计量办法, domain.md §3.2) and the per-borrower balance tests of the 75% buckets. */
    weights: z
      .object({
        smallMicroLoan: share,
        /** Per-borrower in-force balance at or under which a small/micro loan guarantee weighs `smallMicroLoan`. */
        smallMicroMaxBalance: money,
        farmerLoan: share,
        farmerMaxBalance: money,
        housing: share,
        bondAA: share,
        otherLoan: share,
        other: share,
      })
      .strict(),
    concentration: z
      .object({
        /** One borrower ≤ this share of the base (domain.md §3.1). */
        singleClient: share,
        /** Borrower plus related parties ≤ this share (domain.md §3.1). */
        relatedGroup: share,
        /** Measure against net assets minus stakes in other guarantors (Xiamen practice, domain.md §3.1). */
        netOfGuarantorStakes: z.boolean(),
        action,
      })
      .strict(),
    /** Government-guarantor ratios (domain.md §3.4), measured on gross amounts. */
    governmentRatios: z
      .object({
        enabled: z.boolean(),
        /** Small/micro and farming ≥ this share of the amount guaranteed. */
        smallMicroFarmingMin: share,
        /** Borrowers at or under `smallBorrowerMax` (summed per borrower) ≥ this share of the amount. */
        smallBorrowerMin: share,
        smallBorrowerMax: money,
        action,
      })
      .strict(),
  })
  .strict();

/** The guarantor's portfolio policy (see `portfolioPolicySchema`). */
export type PortfolioPolicy = z.infer<typeof portfolioPolicySchema>;

/**
 * The default policy. Net assets 2亿: a city/county policy guarantor's size, chosen so that the committed
 * monitoring book (1,229 loans in force at 2026-01, 7.8亿 gross) sits near 3× leverage — the range reported
 * for Chinese guarantors (Fujian targets 4× by the end of the 14th FYP, domain.md §4) — with the largest client
 * (1000万) at 5% of net assets. Change it to the guarantor's own balance sheet.
 */
export const DEFAULT_PORTFOLIO_POLICY: PortfolioPolicy = {
  netAssets: 200_000_000,
  stakesInOtherGuarantors: 0,
  basis: 'gross',
  leverage: {
    cap: 10, // domain.md §3.1: liability ≤ 10× net assets
    capSmallMicroFarming: 15, // domain.md §3.1: ≤ 15× when mainly serving small/micro and farming
    mainlySmallMicroFarming: 'auto',
    autoShare: 0.8, // inferred from domain.md §3.4 (≥ 80% small/micro and farming)
    action: 'decline', // a regulatory hard limit
  },
  weights: {
    smallMicroLoan: 0.75, // domain.md §3.2
    smallMicroMaxBalance: 5_000_000, // domain.md §3.2: under 500万 per borrower (以下 includes the bound)
    farmerLoan: 0.75, // domain.md §3.2
    farmerMaxBalance: 2_000_000, // domain.md §3.2: under 200万 per borrower
    housing: 0.3, // domain.md §3.2
    bondAA: 0.8, // domain.md §3.2: issuer rated AA or above
    otherLoan: 1, // domain.md §3.2
    other: 1, // domain.md §3.2 (recall): other bonds and other financing guarantees
  },
  concentration: {
    singleClient: 0.1, // domain.md §3.1
    relatedGroup: 0.15, // domain.md §3.1
    netOfGuarantorStakes: false,
    action: 'decline', // a regulatory hard limit
  },
  governmentRatios: {
    enabled: true, // the sample guarantor is a government (policy) guarantor, data-samples/README.md
    smallMicroFarmingMin: 0.8, // domain.md §3.4
    smallBorrowerMin: 0.5, // domain.md §3.4
    smallBorrowerMax: 5_000_000, // domain.md §3.4: borrowers ≤ 500万
    action: 'refer', // a policy target measured over the book, not a per-guarantee prohibition
  },
};

/**
 * Validates a portfolio policy (a partial one is laid over the default, section by section).
 * @throws E_PORTFOLIO_POLICY naming each bad field, the range and the value received
 * @example parsePortfolioPolicy({ netAssets: 5e8 })
 */
export function parsePortfolioPolicy(value: unknown): PortfolioPolicy {
  const v = (value ?? {}) as Record<string, unknown>;
  if (typeof v !== 'object' || Array.isArray(v))
    throw new RiskError(
      'E_PORTFOLIO_POLICY',
      `portfolio policy: expected an object, received ${typeof value}`,
    );
  const d = DEFAULT_PORTFOLIO_POLICY;
  const merged = {
    ...d,
    ...v,
    leverage: { ...d.leverage, ...(v.leverage as object) },
    weights: { ...d.weights, ...(v.weights as object) },
    concentration: { ...d.concentration, ...(v.concentration as object) },
    governmentRatios: { ...d.governmentRatios, ...(v.governmentRatios as object) },
  };
  const r = portfolioPolicySchema.safeParse(merged);
  if (r.success) {
    const p = r.data;
    if (p.concentration.netOfGuarantorStakes && p.stakesInOtherGuarantors >= p.netAssets)
      throw new RiskError(
        'E_PORTFOLIO_POLICY',
        `portfolio policy: stakesInOtherGuarantors must be below netAssets (${p.netAssets}), received ${p.stakesInOtherGuarantors}`,
      );
    return p;
  }
  const issues = r.error.issues.map((i) => ({ path: i.path.map(String), message: i.message, code: i.code }));
  const text = r.error.issues
    .map((i) => {
      let at: unknown = merged;
      for (const k of i.path) at = (at as Record<PropertyKey, unknown> | undefined)?.[k as PropertyKey];
      return `${i.path.join('.') || '(root)'}: ${i.message} (received ${JSON.stringify(at)})`;
    })
    .join('; ');
  throw new RiskError('E_PORTFOLIO_POLICY', `portfolio policy: ${text}`, { issues });
}

// ---------------------------------------------------------------------------------------------------------
// Exposures

/**
 * One guarantee in force (or a candidate). `amount` is the guaranteed balance in yuan. The classification
 * comes either as `segment` or from the borrower's `entityType` (company, individual business and
 * cooperative → small/micro; farmer → farmer; unknown → other, weighted 100%).
 */
export const exposureSchema = z
  .object({
    /** The guarantee (loan or application) id; optional. */
    id: z.string().min(1).optional(),
    borrowerId: z.string().min(1),
    /** The related group (关联方) the borrower belongs to; null or absent = none known. */
    groupId: z.string().min(1).nullable().optional(),
    amount: money,
    /** The guarantor's own share of a loss after risk sharing (default 1, or the programme's share). */
    retainedShare: share.optional(),
    segment: z.enum(SEGMENTS).optional(),
    entityType: z.string().nullable().optional(),
    product: z.enum(PRODUCTS).optional(),
    /** For a bond guarantee: the issuer is rated AA or above (weight 80%). */
    issuerRatedAA: z.boolean().optional(),
    /** The programme (agreement id) the guarantee is under; used for its retained share. */
    programme: z.string().nullable().optional(),
  })
  .passthrough();

/** One guarantee in force or a candidate (see `exposureSchema`); extra fields are ignored. */
export interface Exposure {
  readonly id?: string | undefined;
  readonly borrowerId: string;
  readonly groupId?: string | null | undefined;
  readonly amount: number;
  readonly retainedShare?: number | undefined;
  readonly segment?: Segment | undefined;
  readonly entityType?: string | null | undefined;
  readonly product?: Product | undefined;
  readonly issuerRatedAA?: boolean | undefined;
  readonly programme?: string | null | undefined;
}

/** The segment of an entity type (domain.md §3.2 buckets; a policy guarantor's borrowers, §3.4). */
export function segmentOf(entityType: string | null | undefined): Segment {
  switch (entityType) {
    case 'company':
    case 'individual_business':
    case 'cooperative':
      return 'small_micro';
    case 'farmer':
      return 'farmer';
    default:
      return 'other';
  }
}

/** What `check` answers: every portfolio rule with its value and threshold, and the strongest action. */
export interface PortfolioCheck {
  readonly results: RuleResult[];
  readonly action: PortfolioAction | null;
}

/** Options of a `Portfolio`. */
export interface PortfolioOptions {
  /** The guarantor's retained share by programme (agreement id), used when an exposure has none. */
  readonly retainedShares?: ReadonlyMap<string, number> | Readonly<Record<string, number>>;
}

/** One concentration line of the status. */
export interface ConcentrationLine {
  readonly id: string;
  /** Counted balance, yuan. */
  readonly amount: number;
  /** Share of the concentration base. */
  readonly share: number;
  /** Yuan more that could be counted before the limit. */
  readonly headroom: number;
}

/** A ratio of the status: null when the book is empty. */
export interface RatioLine {
  readonly value: number | null;
  readonly min: number;
  readonly breached: boolean;
}

/** The book as the risk team sees it (backs `GET /v1/portfolio`). Amounts in yuan. */
export interface PortfolioStatus {
  readonly netAssets: number;
  readonly concentrationBase: number;
  readonly basis: 'gross' | 'retained';
  readonly exposures: number;
  readonly borrowers: number;
  readonly grossBalance: number;
  readonly countedBalance: number;
  readonly weightedLiability: number;
  readonly buckets: readonly { bucket: WeightBucket; weight: number; balance: number; weighted: number }[];
  readonly leverage: {
    readonly value: number;
    readonly cap: number;
    readonly qualifiesForHigherCap: boolean;
    /** Weighted liability that can still be added, yuan. */
    readonly headroom: number;
    readonly breached: boolean;
  };
  readonly singleClient: {
    readonly limit: number;
    readonly limitAmount: number;
    readonly top: readonly ConcentrationLine[];
    readonly breached: number;
  };
  readonly relatedGroup: {
    readonly limit: number;
    readonly limitAmount: number;
    readonly top: readonly ConcentrationLine[];
    readonly breached: number;
  };
  readonly ratios: {
    readonly enabled: boolean;
    readonly smallMicroFarming: RatioLine;
    readonly smallBorrowers: RatioLine;
  };
  /** Ids of the limits the book breaches now (empty for a book built by check → add). */
  readonly breaches: readonly string[];
}

// ---------------------------------------------------------------------------------------------------------
// The portfolio

/** Bucket index per weight bucket. */
const B = { small_micro_loan: 0, farmer_loan: 1, housing: 2, bond_aa: 3, other_loan: 4, other: 5 } as const;
const NB = WEIGHT_BUCKETS.length;
/** Half a fen: a limit is exceeded only by a whole fen (comparisons are made to the fen). */
const HALF_FEN = 0.5;
const RATIO_EPS = 1e-12;

/** Per-borrower sums in fen. */
interface Client {
  gross: number;
  counted: number;
  /** Counted balance by bucket class (before the per-borrower balance tests). */
  byBucket: Float64Array;
  /** Gross balance by segment class, for the government ratios: [small_micro + farmer, all]. */
  qualifying: number;
  group: string | null;
  exposures: number;
}

interface Resolved {
  readonly borrowerId: string;
  readonly group: string | null;
  readonly grossFen: number;
  readonly countedFen: number;
  readonly bucket: number;
  readonly qualifying: boolean;
}

function fen(yuan: number): number {
  return Math.round(yuan * 100);
}

const LABELS: Record<string, { zh: string; en: string }> = {
  portfolio_leverage: {
    zh: '担保放大倍数（加权责任余额/净资产）',
    en: 'leverage: weighted liability / net assets',
  },
  portfolio_single_client: { zh: '单一客户集中度', en: 'single-client concentration' },
  portfolio_related_group: { zh: '关联方集中度', en: 'related-group concentration' },
  portfolio_small_micro_farming: {
    zh: '支小支农担保金额占比',
    en: 'small/micro and farming share of amount',
  },
  portfolio_small_borrowers: { zh: '单户500万元及以下占比', en: 'share of borrowers at or under 5m' },
};

/**
 * The guarantor's in-force book and its limits. Construct it from a policy and the existing exposures; then,
 * for each new guarantee, `check` it and `add` it when `check(...).action` is null.
 * @throws E_PORTFOLIO_POLICY on a bad policy, E_PORTFOLIO_EXPOSURE on a bad exposure
 * @example
 * const p = new Portfolio(DEFAULT_PORTFOLIO_POLICY, book);
 * const c = p.check({ borrowerId: 'B1', amount: 3e6, entityType: 'company' });
 * if (c.action === null) p.add({ borrowerId: 'B1', amount: 3e6, entityType: 'company' });
 */
export class Portfolio {
  readonly policy: PortfolioPolicy;
  private readonly retained: ReadonlyMap<string, number>;
  private readonly clients = new Map<string, Client>();
  /** Counted balance per related group, fen (groups keyed by id; a borrower without one is its own group). */
  private readonly groups = new Map<string, number>();
  private readonly bucketFen = new Float64Array(NB);
  /** Weighted liability in fen, kept up to date per client. */
  private weightedFen = 0;
  private grossFen = 0;
  private countedFen = 0;
  private qualifyingFen = 0;
  /** Gross balance of borrowers whose total is at or under `smallBorrowerMax`. */
  private smallBorrowerFen = 0;
  private count = 0;

  constructor(policy: PortfolioPolicy, exposures: Iterable<Exposure> = [], options: PortfolioOptions = {}) {
    this.policy = parsePortfolioPolicy(policy);
    const rs = options.retainedShares;
    this.retained = rs instanceof Map ? rs : new Map(Object.entries(rs ?? {}));
    for (const e of exposures) this.add(e);
  }

  /** The concentration base: net assets, optionally net of stakes in other guarantors (domain.md §3.1). */
  get concentrationBase(): number {
    const p = this.policy;
    return p.netAssets - (p.concentration.netOfGuarantorStakes ? p.stakesInOtherGuarantors : 0);
  }

  /** Number of exposures booked. */
  get size(): number {
    return this.count;
  }

  /** The guarantor's counted balance to a borrower, yuan (0 when none). */
  clientExposure(borrowerId: string): number {
    return (this.clients.get(borrowerId)?.counted ?? 0) / 100;
  }

  /** The counted balance of a related group (a borrower without a group is its own), yuan. */
  groupExposure(groupId: string): number {
    return (this.groups.get(groupId) ?? 0) / 100;
  }

  /**
   * What booking `exposure` would do to every limit, measured on the book after it.
   * @returns the rule results (value, threshold, fired) and the strongest action of those fired (decline > refer)
   * @throws E_PORTFOLIO_EXPOSURE on a bad exposure
   */
  check(exposure: Exposure): PortfolioCheck {
    const x = this.resolve(exposure);
    const p = this.policy;
    const before = this.clients.get(x.borrowerId);
    const groupKey = this.groupKeyOf(x, before);
    // The book after: only this client's weighted share and the totals move.
    const after = this.clientAfter(before, x);
    const weighted = this.weightedFen - (before ? this.weightOf(before) : 0) + this.weightOf(after);
    const gross = this.grossFen + x.grossFen;
    const qualifying = this.qualifyingFen + (x.qualifying ? x.grossFen : 0);
    const small = this.smallBorrowerFen - this.smallPart(before) + this.smallPart(after);
    const netFen = p.netAssets * 100;
    const cap = this.capFor(qualifying, gross);
    const baseFen = this.concentrationBase * 100;
    const groupFen = (this.groups.get(groupKey) ?? 0) + x.countedFen;
    const results: RuleResult[] = [
      this.rule(
        'portfolio_leverage',
        'weightedLiability / netAssets',
        weighted / netFen,
        '>',
        cap,
        weighted - cap * netFen > HALF_FEN,
        p.leverage.action,
        'domain.md §3.1, §3.2',
      ),
      this.rule(
        'portfolio_single_client',
        `clientBalance / ${this.baseName()}`,
        after.counted / baseFen,
        '>',
        p.concentration.singleClient,
        after.counted - p.concentration.singleClient * baseFen > HALF_FEN,
        p.concentration.action,
        'domain.md §3.1',
      ),
      this.rule(
        'portfolio_related_group',
        `groupBalance / ${this.baseName()}`,
        groupFen / baseFen,
        '>',
        p.concentration.relatedGroup,
        groupFen - p.concentration.relatedGroup * baseFen > HALF_FEN,
        p.concentration.action,
        'domain.md §3.1',
      ),
    ];
    const g = p.governmentRatios;
    if (g.enabled) {
      // A ratio floor fires only when the guarantee lowers the ratio below it: a qualifying guarantee that
      // raises a ratio is never held back by a book that is already short.
      const q0 = this.grossFen > 0 ? this.qualifyingFen / this.grossFen : 1;
      const q1 = gross > 0 ? qualifying / gross : 1;
      const s0 = this.grossFen > 0 ? this.smallBorrowerFen / this.grossFen : 1;
      const s1 = gross > 0 ? small / gross : 1;
      results.push(
        this.rule(
          'portfolio_small_micro_farming',
          'smallMicroFarmingAmount / amount',
          q1,
          '<',
          g.smallMicroFarmingMin,
          q1 < g.smallMicroFarmingMin - RATIO_EPS && q1 < q0 - RATIO_EPS,
          g.action,
          'domain.md §3.4',
        ),
        this.rule(
          'portfolio_small_borrowers',
          'amountOfBorrowersAtMost5m / amount',
          s1,
          '<',
          g.smallBorrowerMin,
          s1 < g.smallBorrowerMin - RATIO_EPS && s1 < s0 - RATIO_EPS,
          g.action,
          'domain.md §3.4',
        ),
      );
    }
    let act: PortfolioAction | null = null;
    for (const r of results) {
      if (!r.fired) continue;
      if (r.action === 'decline') act = 'decline';
      else if (act === null) act = 'refer';
    }
    return { results, action: act };
  }

  /**
   * Books an exposure (no check: call `check` first for a new guarantee; the starting book is booked as is).
   * @throws E_PORTFOLIO_EXPOSURE on a bad exposure
   */
  add(exposure: Exposure): void {
    const x = this.resolve(exposure);
    const before = this.clients.get(x.borrowerId);
    const groupKey = this.groupKeyOf(x, before);
    const after = this.clientAfter(before, x);
    this.weightedFen += this.weightOf(after) - (before ? this.weightOf(before) : 0);
    this.smallBorrowerFen += this.smallPart(after) - this.smallPart(before);
    this.clients.set(x.borrowerId, after);
    this.groups.set(groupKey, (this.groups.get(groupKey) ?? 0) + x.countedFen);
    this.bucketFen[x.bucket] = (this.bucketFen[x.bucket] ?? 0) + x.countedFen;
    this.grossFen += x.grossFen;
    this.countedFen += x.countedFen;
    if (x.qualifying) this.qualifyingFen += x.grossFen;
    this.count++;
  }

  /**
   * The largest amount (whole yuan) of a guarantee like `template` that no limit would block, for a limit
   * step that wants the portfolio's headroom for one borrower. Every limit is monotone in the amount (a larger
   * guarantee never improves one), so a binary search finds it.
   */
  maxAmount(template: Omit<Exposure, 'amount'>, upTo = 1e12): number {
    const fits = (a: number) => this.check({ ...template, amount: a }).action === null;
    if (!fits(0)) return 0;
    let lo = 0;
    let hi = Math.floor(upTo);
    if (fits(hi)) return hi;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (fits(mid)) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /** The book now: balances, weighted liability by bucket, leverage, concentrations, ratios and headroom. */
  status(top = 10): PortfolioStatus {
    const p = this.policy;
    const w = this.bucketWeights();
    const netFen = p.netAssets * 100;
    const baseFen = this.concentrationBase * 100;
    const cap = this.capFor(this.qualifyingFen, this.grossFen);
    const breaches: string[] = [];
    const leverageBreached = this.weightedFen - cap * netFen > HALF_FEN;
    if (leverageBreached) breaches.push('portfolio_leverage');
    const lines = (entries: Iterable<[string, number]>, limit: number) => {
      const all = [...entries].map(([id, f]) => ({
        id,
        amount: f / 100,
        share: f / baseFen,
        headroom: Math.max(0, (limit * baseFen - f) / 100),
        over: f - limit * baseFen > HALF_FEN,
      }));
      all.sort((a, b) => b.amount - a.amount || (a.id < b.id ? -1 : 1));
      const breached = all.filter((l) => l.over).length;
      return { top: all.slice(0, top).map(({ over: _, ...l }) => l), breached };
    };
    const single = lines(
      [...this.clients].map(([id, c]) => [id, c.counted] as [string, number]),
      p.concentration.singleClient,
    );
    const group = lines(this.groups, p.concentration.relatedGroup);
    if (single.breached > 0) breaches.push('portfolio_single_client');
    if (group.breached > 0) breaches.push('portfolio_related_group');
    const g = p.governmentRatios;
    const ratio = (num: number, min: number, id: string): RatioLine => {
      const value = this.grossFen > 0 ? num / this.grossFen : null;
      const breached = g.enabled && value !== null && value < min - RATIO_EPS;
      if (breached) breaches.push(id);
      return { value, min, breached };
    };
    const smallMicroFarming = ratio(
      this.qualifyingFen,
      g.smallMicroFarmingMin,
      'portfolio_small_micro_farming',
    );
    const smallBorrowers = ratio(this.smallBorrowerFen, g.smallBorrowerMin, 'portfolio_small_borrowers');
    return {
      netAssets: p.netAssets,
      concentrationBase: this.concentrationBase,
      basis: p.basis,
      exposures: this.count,
      borrowers: this.clients.size,
      grossBalance: this.grossFen / 100,
      countedBalance: this.countedFen / 100,
      weightedLiability: this.weightedFen / 100,
      buckets: this.bucketBreakdown(w),
      leverage: {
        value: this.weightedFen / netFen,
        cap,
        qualifiesForHigherCap: this.qualifies(this.qualifyingFen, this.grossFen),
        headroom: Math.max(0, (cap * netFen - this.weightedFen) / 100),
        breached: leverageBreached,
      },
      singleClient: {
        limit: p.concentration.singleClient,
        limitAmount: p.concentration.singleClient * this.concentrationBase,
        ...single,
      },
      relatedGroup: {
        limit: p.concentration.relatedGroup,
        limitAmount: p.concentration.relatedGroup * this.concentrationBase,
        ...group,
      },
      ratios: { enabled: g.enabled, smallMicroFarming, smallBorrowers },
      breaches,
    };
  }

  // -------------------------------------------------------------------------------------------------------

  private baseName(): string {
    return this.policy.concentration.netOfGuarantorStakes
      ? '(netAssets − stakesInOtherGuarantors)'
      : 'netAssets';
  }

  private rule(
    id: string,
    input: string,
    value: number,
    operator: '>' | '<',
    threshold: number,
    fired: boolean,
    act: PortfolioAction,
    source: string,
  ): RuleResult {
    return {
      id,
      label: LABELS[id] as RuleResult['label'],
      input,
      value,
      operator,
      threshold,
      action: act,
      fired,
      source,
    };
  }

  /** Whether a book with this small/micro and farming amount gets the higher cap (domain.md §3.1). */
  private qualifies(qualifyingFen: number, grossFen: number): boolean {
    const l = this.policy.leverage;
    const q = l.mainlySmallMicroFarming;
    return q === 'auto' ? grossFen === 0 || qualifyingFen / grossFen >= l.autoShare - RATIO_EPS : q;
  }

  /** The leverage cap of a book with this small/micro and farming amount (domain.md §3.1). */
  private capFor(qualifyingFen: number, grossFen: number): number {
    const l = this.policy.leverage;
    return this.qualifies(qualifyingFen, grossFen) ? l.capSmallMicroFarming : l.cap;
  }

  private groupKeyOf(x: Resolved, before: Client | undefined): string {
    // A borrower's group is fixed when it is first booked (its balance sits there); a later exposure may omit
    // it but not name another, which would split the borrower's balance across two groups.
    if (before !== undefined && x.group !== null && x.group !== before.group)
      throw new RiskError(
        'E_PORTFOLIO_EXPOSURE',
        `exposure of ${x.borrowerId}: groupId must be ${JSON.stringify(before.group)} (as first booked), received ${JSON.stringify(x.group)}`,
        { path: ['groupId'], expected: String(before.group), received: x.group },
      );
    const g = before?.group ?? x.group;
    return g === null ? `borrower:${x.borrowerId}` : `group:${g}`;
  }

  private clientAfter(before: Client | undefined, x: Resolved): Client {
    const byBucket = before ? Float64Array.from(before.byBucket) : new Float64Array(NB);
    byBucket[x.bucket] = (byBucket[x.bucket] ?? 0) + x.countedFen;
    return {
      gross: (before?.gross ?? 0) + x.grossFen,
      counted: (before?.counted ?? 0) + x.countedFen,
      byBucket,
      qualifying: (before?.qualifying ?? 0) + (x.qualifying ? x.grossFen : 0),
      group: before?.group ?? x.group,
      exposures: (before?.exposures ?? 0) + 1,
    };
  }

  /** The weighted liability of one client, fen: the 75% buckets apply while its gross total is under the bound. */
  private weightOf(c: Client): number {
    const w = this.policy.weights;
    const b = c.byBucket;
    const sm = c.gross <= w.smallMicroMaxBalance * 100 ? w.smallMicroLoan : w.otherLoan;
    const fa = c.gross <= w.farmerMaxBalance * 100 ? w.farmerLoan : w.otherLoan;
    return (
      (b[B.small_micro_loan] as number) * sm +
      (b[B.farmer_loan] as number) * fa +
      (b[B.housing] as number) * w.housing +
      (b[B.bond_aa] as number) * w.bondAA +
      (b[B.other_loan] as number) * w.otherLoan +
      (b[B.other] as number) * w.other
    );
  }

  /** The client's gross balance when its total is at or under the §3.4 small-borrower bound, else 0. */
  private smallPart(c: Client | undefined): number {
    if (c === undefined) return 0;
    return c.gross <= this.policy.governmentRatios.smallBorrowerMax * 100 ? c.gross : 0;
  }

  private bucketWeights(): number[] {
    const w = this.policy.weights;
    return [w.smallMicroLoan, w.farmerLoan, w.housing, w.bondAA, w.otherLoan, w.other];
  }

  private bucketBreakdown(w: number[]): PortfolioStatus['buckets'] {
    // Small/micro and farmer balances of clients over their bound weigh as other loans: report them there.
    const bal = new Float64Array(NB);
    const wt = new Float64Array(NB);
    const pw = this.policy.weights;
    for (const c of this.clients.values()) {
      const b = c.byBucket;
      for (let i = 0; i < NB; i++) {
        const v = b[i] as number;
        if (v === 0) continue;
        let k = i;
        if (i === B.small_micro_loan && c.gross > pw.smallMicroMaxBalance * 100) k = B.other_loan;
        if (i === B.farmer_loan && c.gross > pw.farmerMaxBalance * 100) k = B.other_loan;
        bal[k] = (bal[k] as number) + v;
        wt[k] = (wt[k] as number) + v * (w[k] as number);
      }
    }
    return WEIGHT_BUCKETS.map((bucket, i) => ({
      bucket,
      weight: w[i] as number,
      balance: (bal[i] as number) / 100,
      weighted: (wt[i] as number) / 100,
    }));
  }

  private resolve(e: Exposure): Resolved {
    const bad = (field: string, expected: string, received: unknown): never => {
      throw new RiskError(
        'E_PORTFOLIO_EXPOSURE',
        `exposure ${e?.id ?? e?.borrowerId ?? '?'}: ${field} must be ${expected}, received ${JSON.stringify(received)}`,
        { path: [field], expected, received },
      );
    };
    if (typeof e?.borrowerId !== 'string' || e.borrowerId === '')
      bad('borrowerId', 'a non-empty string', e?.borrowerId);
    if (typeof e.amount !== 'number' || !Number.isFinite(e.amount) || e.amount < 0)
      bad('amount', 'a finite number ≥ 0 (yuan)', e.amount);
    let retained = e.retainedShare;
    if (retained === undefined && e.programme != null) retained = this.retained.get(e.programme);
    retained ??= 1;
    if (!(retained >= 0 && retained <= 1)) bad('retainedShare', 'a share in [0, 1]', e.retainedShare);
    const segment = e.segment ?? segmentOf(e.entityType);
    if (!SEGMENTS.includes(segment)) bad('segment', SEGMENTS.join(' | '), e.segment);
    const product = e.product ?? 'loan';
    let bucket: number;
    switch (product) {
      case 'loan':
        bucket =
          segment === 'small_micro'
            ? B.small_micro_loan
            : segment === 'farmer'
              ? B.farmer_loan
              : B.other_loan;
        break;
      case 'housing':
        bucket = B.housing;
        break;
      case 'bond':
        bucket = e.issuerRatedAA === true ? B.bond_aa : B.other;
        break;
      case 'other_financing':
        bucket = B.other;
        break;
      default:
        return bad('product', PRODUCTS.join(' | '), product);
    }
    const grossFen = fen(e.amount);
    const countedFen = this.policy.basis === 'retained' ? Math.round(grossFen * retained) : grossFen;
    return {
      borrowerId: e.borrowerId,
      group: e.groupId ?? null,
      grossFen,
      countedFen,
      bucket,
      qualifying: segment !== 'other',
    };
  }
}
