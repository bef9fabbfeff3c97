import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RiskError } from '../../src/core/errors.js';
import {
  DEFAULT_PORTFOLIO_POLICY,
  type Exposure,
  Portfolio,
  type PortfolioPolicy,
  PRODUCTS,
  parsePortfolioPolicy,
  SEGMENTS,
} from '../../src/decisions/portfolio.js';

const D = DEFAULT_PORTFOLIO_POLICY;
/** A policy with the given overrides (sections laid over the default). */
const policy = (o: Record<string, unknown> = {}): PortfolioPolicy => parsePortfolioPolicy(o);
/** Net assets 1亿, everything else default. */
const P100 = policy({ netAssets: 100_000_000 });
const fired = (p: Portfolio, e: Exposure) =>
  p
    .check(e)
    .results.filter((r) => r.fired)
    .map((r) => r.id);
const ruleValue = (p: Portfolio, e: Exposure, id: string) =>
  p.check(e).results.find((r) => r.id === id)?.value;

describe('policy', () => {
  it('defaults cite domain.md §3.1/§3.2/§3.4 numbers', () => {
    expect(D.leverage.cap).toBe(10);
    expect(D.leverage.capSmallMicroFarming).toBe(15);
    expect(D.weights).toMatchObject({ smallMicroLoan: 0.75, farmerLoan: 0.75, housing: 0.3, otherLoan: 1 });
    expect(D.weights.smallMicroMaxBalance).toBe(5_000_000);
    expect(D.weights.farmerMaxBalance).toBe(2_000_000);
    expect(D.concentration).toMatchObject({ singleClient: 0.1, relatedGroup: 0.15 });
    expect(D.governmentRatios).toMatchObject({ smallMicroFarmingMin: 0.8, smallBorrowerMin: 0.5 });
  });

  it('a bad field is named with the value received', () => {
    const e = (() => {
      try {
        parsePortfolioPolicy({ concentration: { singleClient: 1.5 } });
      } catch (err) {
        return err as RiskError;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(RiskError);
    expect(e?.code).toBe('E_PORTFOLIO_POLICY');
    expect(e?.message).toContain('concentration.singleClient');
    expect(e?.message).toContain('1.5');
    expect(() => parsePortfolioPolicy({ netAssets: -1 })).toThrow(/netAssets/);
    expect(() =>
      parsePortfolioPolicy({ stakesInOtherGuarantors: 2e8, concentration: { netOfGuarantorStakes: true } }),
    ).toThrow(/stakesInOtherGuarantors/);
  });

  it('a bad exposure is an error naming the field', () => {
    const p = new Portfolio(P100);
    expect(() => p.check({ borrowerId: 'A', amount: -5 })).toThrow(/amount must be/);
    expect(() => p.check({ borrowerId: '', amount: 5 })).toThrow(/borrowerId/);
    expect(() => p.add({ borrowerId: 'A', amount: 5, retainedShare: 1.2 })).toThrow(/retainedShare/);
    p.add({ borrowerId: 'A', amount: 5, groupId: 'G1' });
    expect(() => p.add({ borrowerId: 'A', amount: 5, groupId: 'G2' })).toThrow(/groupId must be "G1"/);
    // Omitting the group inherits the first one.
    p.add({ borrowerId: 'A', amount: 5 });
    expect(p.groupExposure('group:G1')).toBe(10);
  });
});

describe('liability weights (domain.md §3.2), hand-worked', () => {
  const weighted = (es: Exposure[], o: Record<string, unknown> = {}) =>
    new Portfolio(policy({ netAssets: 100_000_000, ...o }), es).status().weightedLiability;

  it('small/micro at or under 500万 per borrower weighs 75%, one fen over weighs 100%', () => {
    expect(weighted([{ borrowerId: 'A', amount: 5_000_000, entityType: 'company' }])).toBe(3_750_000);
    expect(weighted([{ borrowerId: 'A', amount: 5_000_000.01, entityType: 'company' }])).toBe(5_000_000.01);
  });

  it('the 500万 test sums the borrower’s balances', () => {
    const two = [
      { borrowerId: 'A', amount: 3_000_000, entityType: 'individual_business' },
      { borrowerId: 'A', amount: 2_000_000, entityType: 'individual_business' },
    ];
    expect(weighted(two)).toBe(3_750_000);
    // A third loan of 1 yuan pushes the borrower over: all three weigh 100%.
    expect(weighted([...two, { borrowerId: 'A', amount: 1, entityType: 'individual_business' }])).toBe(
      5_000_001,
    );
    // Another borrower's balance does not count.
    expect(weighted([...two, { borrowerId: 'B', amount: 1, entityType: 'company' }])).toBe(3_750_000.75);
  });

  it('farmers at or under 200万 weigh 75%; housing 30%; AA bonds 80%; others 100%', () => {
    expect(weighted([{ borrowerId: 'F', amount: 2_000_000, entityType: 'farmer' }])).toBe(1_500_000);
    expect(weighted([{ borrowerId: 'F', amount: 2_000_001, entityType: 'farmer' }])).toBe(2_000_001);
    expect(weighted([{ borrowerId: 'H', amount: 1_000_000, product: 'housing' }])).toBe(300_000);
    expect(weighted([{ borrowerId: 'Y', amount: 1_000_000, product: 'bond', issuerRatedAA: true }])).toBe(
      800_000,
    );
    expect(weighted([{ borrowerId: 'Y', amount: 1_000_000, product: 'bond' }])).toBe(1_000_000);
    expect(weighted([{ borrowerId: 'X', amount: 1_000_000, entityType: null }])).toBe(1_000_000);
  });

  it('the retained basis counts balance × the guarantor’s share, by programme when none is given', () => {
    const p = new Portfolio(policy({ netAssets: 1e8, basis: 'retained' }), [], {
      retainedShares: { 'ah-4321': 0.4 },
    });
    p.add({ borrowerId: 'A', amount: 1_000_000, entityType: 'company', programme: 'ah-4321' });
    p.add({ borrowerId: 'B', amount: 1_000_000, entityType: 'company', retainedShare: 0.8 });
    const s = p.status();
    expect(s.countedBalance).toBe(1_200_000);
    expect(s.weightedLiability).toBe(900_000);
    expect(p.clientExposure('A')).toBe(400_000);
    // The per-borrower 500万 test reads the gross balance, not the retained one.
    p.add({ borrowerId: 'C', amount: 6_000_000, entityType: 'company', retainedShare: 0.5 });
    expect(p.status().weightedLiability).toBe(900_000 + 3_000_000);
  });
});

describe('limits at their boundaries', () => {
  it('leverage: weighted liability at 10× net assets passes, one fen more is declined', () => {
    // Net assets 1亿, cap 10× (not qualifying), concentration limits lifted: 10 borrowers of 1亿 at 100%.
    const p = new Portfolio(
      policy({
        netAssets: 1e8,
        leverage: { mainlySmallMicroFarming: false },
        concentration: { singleClient: 1, relatedGroup: 1 },
        governmentRatios: { enabled: false },
      }),
      Array.from({ length: 9 }, (_, i) => ({ borrowerId: `B${i}`, amount: 1e8 })),
    );
    expect(p.check({ borrowerId: 'B9', amount: 1e8 }).action).toBeNull();
    expect(ruleValue(p, { borrowerId: 'B9', amount: 1e8 }, 'portfolio_leverage')).toBe(10);
    const over = p.check({ borrowerId: 'B9', amount: 1e8 + 0.01 });
    expect(over.action).toBe('decline');
    expect(over.results.find((r) => r.id === 'portfolio_leverage')).toMatchObject({
      fired: true,
      threshold: 10,
      operator: '>',
      source: 'domain.md §3.1, §3.2',
    });
  });

  it('leverage cap is 15× when 80% of the amount is small/micro and farming (auto), else 10×', () => {
    const base = { netAssets: 1e6, concentration: { singleClient: 1, relatedGroup: 1 } };
    // n small/micro borrowers of 100万 (75% → 75万 each) and m others of 100万 (100%).
    const book = (n: number, m: number, last = 1e6) => [
      ...Array.from({ length: n }, (_, i) => ({
        borrowerId: `S${i}`,
        amount: i === 0 ? last : 1e6,
        entityType: 'company',
      })),
      ...Array.from({ length: m }, (_, i) => ({ borrowerId: `O${i}`, amount: 1e6, entityType: null })),
    ];
    // 4 small + 1 other: 300万 + 100万 = 4×, exactly 80% small → 15×; one fen less small → 10×.
    expect(new Portfolio(policy(base), book(4, 1)).status().leverage).toMatchObject({
      value: 4,
      cap: 15,
      qualifiesForHigherCap: true,
    });
    expect(new Portfolio(policy(base), book(4, 1, 1e6 - 0.01)).status().leverage).toMatchObject({
      cap: 10,
      qualifiesForHigherCap: false,
    });
    // 12 small + 3 other = 900万 + 300万 = 12×: within 15×, a further small guarantee fits (12.75×) …
    const p = new Portfolio(policy(base), book(12, 3));
    expect(p.status().leverage).toMatchObject({ value: 12, cap: 15 });
    expect(p.check({ borrowerId: 'T', amount: 1e6, entityType: 'company' }).action).toBeNull();
    // At the boundary (qualifying by policy, ratios off): 15 small + 3 other = 14.25×; 75万 more of other
    // business is exactly 15×, one fen more is declined.
    const edge = new Portfolio(
      policy({ ...base, leverage: { mainlySmallMicroFarming: true }, governmentRatios: { enabled: false } }),
      book(15, 3),
    );
    expect(ruleValue(edge, { borrowerId: 'T', amount: 750_000 }, 'portfolio_leverage')).toBe(15);
    expect(edge.check({ borrowerId: 'T', amount: 750_000 }).action).toBeNull();
    expect(fired(edge, { borrowerId: 'T', amount: 750_000.01 })).toEqual(['portfolio_leverage']);
    // A guarantor that does not qualify has a 10× cap, and the same book is already over it.
    const forced = new Portfolio(
      policy({ ...base, leverage: { mainlySmallMicroFarming: false } }),
      book(12, 3),
    );
    expect(fired(forced, { borrowerId: 'T', amount: 1e6, entityType: 'company' })).toEqual([
      'portfolio_leverage',
    ]);
    expect(forced.status().breaches).toEqual(['portfolio_leverage']);
  });

  it('single client: 10% of net assets passes, one fen more is declined; net of guarantor stakes', () => {
    const p = new Portfolio(P100, [{ borrowerId: 'A', amount: 6_000_000, entityType: 'company' }]);
    expect(p.check({ borrowerId: 'A', amount: 4_000_000, entityType: 'company' }).action).toBeNull();
    expect(
      ruleValue(p, { borrowerId: 'A', amount: 4_000_000, entityType: 'company' }, 'portfolio_single_client'),
    ).toBe(0.1);
    expect(p.check({ borrowerId: 'A', amount: 4_000_000.01, entityType: 'company' }).action).toBe('decline');
    expect(p.maxAmount({ borrowerId: 'A', entityType: 'company' })).toBe(4_000_000);
    // Another borrower is not held back by A.
    expect(p.check({ borrowerId: 'B', amount: 10_000_000, entityType: 'company' }).action).toBeNull();
    // Base 1亿 − 2000万 stakes = 8000万: the limit is 800万.
    const net = new Portfolio(
      policy({ netAssets: 1e8, stakesInOtherGuarantors: 2e7, concentration: { netOfGuarantorStakes: true } }),
    );
    expect(net.concentrationBase).toBe(8e7);
    // On an empty book a 500万+ borrower would take the ≤500万 share to 0 (refer): the headroom stops there …
    expect(net.maxAmount({ borrowerId: 'A', entityType: 'company' })).toBe(5_000_000);
    // … and without the government ratios it is the 800万 concentration limit.
    const free = new Portfolio(
      policy({
        netAssets: 1e8,
        stakesInOtherGuarantors: 2e7,
        concentration: { netOfGuarantorStakes: true },
        governmentRatios: { enabled: false },
      }),
    );
    expect(free.maxAmount({ borrowerId: 'A', entityType: 'company' })).toBe(8_000_000);
  });

  it('related group: 15% across its borrowers', () => {
    const p = new Portfolio(P100, [
      { borrowerId: 'A', groupId: 'G', amount: 8_000_000, entityType: 'company' },
      { borrowerId: 'B', groupId: 'G', amount: 6_000_000, entityType: 'company' },
    ]);
    expect(
      p.check({ borrowerId: 'C', groupId: 'G', amount: 1_000_000, entityType: 'company' }).action,
    ).toBeNull();
    expect(fired(p, { borrowerId: 'C', groupId: 'G', amount: 1_000_000.01, entityType: 'company' })).toEqual([
      'portfolio_related_group',
    ]);
    // Outside the group the same amount passes.
    expect(p.check({ borrowerId: 'C', amount: 1_000_000.01, entityType: 'company' }).action).toBeNull();
    expect(p.status().relatedGroup.top[0]).toMatchObject({ id: 'group:G', amount: 14_000_000, share: 0.14 });
  });

  it('government ratios: small/micro and farming ≥ 80% of amount, ≤500万 borrowers ≥ 50% (refer)', () => {
    const p = new Portfolio(P100, [
      { borrowerId: 'S', amount: 800_000, entityType: 'farmer' },
      { borrowerId: 'O', amount: 199_999.99, entityType: null },
    ]);
    // 80万 / 99.999999万 ≥ 80%: one fen of other business brings it to exactly 80%, two fen below.
    expect(p.check({ borrowerId: 'X', amount: 0.01, entityType: null }).action).toBeNull();
    const under = p.check({ borrowerId: 'X', amount: 0.02, entityType: null });
    expect(under.action).toBe('refer');
    expect(under.results.find((r) => r.id === 'portfolio_small_micro_farming')).toMatchObject({
      fired: true,
      operator: '<',
      threshold: 0.8,
      source: 'domain.md §3.4',
    });
    // Qualifying business is never held back by the ratio.
    expect(p.check({ borrowerId: 'Y', amount: 1_000_000, entityType: 'company' }).action).toBeNull();

    // ≤500万: 600万 from one borrower over the bound, 600万 from small ones: 50% exactly.
    const q = new Portfolio(P100, [
      { borrowerId: 'BIG', amount: 6_000_000, entityType: 'company' },
      { borrowerId: 'S1', amount: 3_000_000, entityType: 'company' },
      { borrowerId: 'S2', amount: 3_000_000, entityType: 'company' },
    ]);
    expect(q.status().ratios.smallBorrowers).toEqual({ value: 0.5, min: 0.5, breached: false });
    // S1 growing to 500万 stays small and raises the ratio; to 500万 + 1 it leaves the ≤500万 set.
    expect(q.check({ borrowerId: 'S1', amount: 2_000_000, entityType: 'company' }).action).toBeNull();
    expect(fired(q, { borrowerId: 'S1', amount: 2_000_001, entityType: 'company' })).toEqual([
      'portfolio_small_borrowers',
    ]);
    // Disabled, it never fires and is not reported.
    const off = new Portfolio(policy({ netAssets: 1e8, governmentRatios: { enabled: false } }));
    expect(off.check({ borrowerId: 'O', amount: 1, entityType: null }).results.map((r) => r.id)).toEqual([
      'portfolio_leverage',
      'portfolio_single_client',
      'portfolio_related_group',
    ]);
  });

  it('decline wins over refer when both fire', () => {
    const p = new Portfolio(P100, [{ borrowerId: 'S', amount: 1_000_000, entityType: 'company' }]);
    const c = p.check({ borrowerId: 'O', amount: 20_000_000, entityType: null });
    expect(c.results.filter((r) => r.fired).map((r) => r.action)).toEqual([
      'decline',
      'decline',
      'refer',
      'refer',
    ]);
    expect(c.action).toBe('decline');
  });
});

// ---------------------------------------------------------------------------------------------------------
// Property: an approved batch never breaches, in any order of arrival.

const arbPolicy = fc.record({
  netAssets: fc.integer({ min: 1_000_000, max: 50_000_000 }),
  stakes: fc.integer({ min: 0, max: 900_000 }),
  net: fc.boolean(),
  basis: fc.constantFrom('gross' as const, 'retained' as const),
  mainly: fc.constantFrom(true, false, 'auto' as const),
  ratios: fc.boolean(),
  // Caps and concentration limits loose and tight, so that every limit binds in some runs.
  cap: fc.constantFrom(0.5, 1, 2, 10),
  single: fc.constantFrom(0.1, 0.3, 1),
  group: fc.constantFrom(0.15, 0.5, 1),
});

const arbExposure = fc.record({
  b: fc.integer({ min: 0, max: 11 }),
  amount: fc.oneof(fc.integer({ min: 0, max: 8_000_000 }), fc.double({ min: 0, max: 3e6, noNaN: true })),
  retainedShare: fc.constantFrom(0.2, 0.3, 0.4, 0.5, 0.8, 1),
  segment: fc.constantFrom(...SEGMENTS),
  product: fc.constantFrom(...PRODUCTS),
  aa: fc.boolean(),
});

describe('property: check → add never ends breached', () => {
  it('for any batch, any order and any policy, the approved book breaches no limit', () => {
    fc.assert(
      fc.property(
        arbPolicy,
        fc
          .array(arbExposure, { maxLength: 40 })
          .chain((xs) =>
            fc.tuple(
              fc.constant(xs),
              fc.shuffledSubarray(xs, { minLength: xs.length, maxLength: xs.length }),
            ),
          ),
        (pp, [batch, shuffled]) => {
          const pol = policy({
            netAssets: pp.netAssets,
            stakesInOtherGuarantors: pp.stakes,
            basis: pp.basis,
            leverage: { mainlySmallMicroFarming: pp.mainly, cap: pp.cap, capSmallMicroFarming: pp.cap * 1.5 },
            concentration: { netOfGuarantorStakes: pp.net, singleClient: pp.single, relatedGroup: pp.group },
            governmentRatios: { enabled: pp.ratios },
          });
          for (const order of [batch, shuffled]) {
            const p = new Portfolio(pol);
            const booked: Exposure[] = [];
            for (const x of order) {
              const e: Exposure = {
                borrowerId: `B${x.b}`,
                groupId: x.b % 4 === 0 ? null : `G${x.b % 3}`,
                amount: Math.round(x.amount * 100) / 100,
                retainedShare: x.retainedShare,
                segment: x.segment,
                product: x.product,
                issuerRatedAA: x.aa,
              };
              if (p.check(e).action === null) {
                p.add(e);
                booked.push(e);
              }
            }
            const s = p.status();
            expect(s.breaches).toEqual([]);
            // The incremental book equals the same exposures booked at once.
            const again = new Portfolio(pol, booked).status();
            expect(again.weightedLiability).toBeCloseTo(s.weightedLiability, 2);
            expect(again.breaches).toEqual([]);
          }
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });
});
