import { describe, expect, it } from 'vitest';
import { RiskError } from '../../src/core/errors.js';
import {
  type Agreement,
  agreementSchema,
  bankSchema,
  SHARE_TOLERANCE,
  shareOf,
} from '../../src/ingest/partners.js';
import { AGREEMENTS } from '../../src/samples/agreements.js';
import { BANKS } from '../../src/samples/banks.js';
import { checkBanksAndAgreements } from '../../src/samples/write.js';

const byId = (id: string): Agreement => {
  const a = AGREEMENTS.find((x) => x.id === id);
  if (a === undefined) throw new Error(`no agreement ${id}`);
  return a;
};

describe('partner banks', () => {
  it('has at least 12 banks of every kind, each passing bankSchema, with unique ids', () => {
    expect(BANKS.length).toBeGreaterThanOrEqual(12);
    for (const b of BANKS) expect(bankSchema.safeParse(b).success, b.id).toBe(true);
    expect(new Set(BANKS.map((b) => b.id)).size).toBe(BANKS.length);
    expect(new Set(BANKS.map((b) => b.type))).toEqual(
      new Set(['large_state', 'joint_stock', 'city_commercial', 'rural_commercial', 'village', 'internet']),
    );
  });

  it('states asset preferences that differ between banks', () => {
    expect(new Set(BANKS.map((b) => b.risk.maxPd)).size).toBeGreaterThan(5);
    expect(BANKS.some((b) => b.regions.length === 0)).toBe(true);
    expect(BANKS.some((b) => b.regions.some((r) => r.length === 6))).toBe(true);
    expect(BANKS.every((b) => b.amount.min < b.amount.max && b.rate.floorSpread < b.rate.capSpread)).toBe(
      true,
    );
    expect(BANKS.some((b) => b.industries.excluded.includes('E'))).toBe(true);
  });

  it('rejects a bank without a risk appetite, with inverted ranges or with an industry both preferred and excluded', () => {
    const good = BANKS[0] as (typeof BANKS)[number];
    const noRisk = { ...good, risk: { noCurrentOverdue: true } };
    expect(bankSchema.safeParse(noRisk).success).toBe(false);
    const inverted = { ...good, amount: { min: 100, max: 10 } };
    expect(bankSchema.safeParse(inverted).success).toBe(false);
    const both = { ...good, industries: { preferred: ['C'], excluded: ['C'] } };
    expect(bankSchema.safeParse(both).success).toBe(false);
  });
});

describe('risk-sharing agreements', () => {
  it('all pass agreementSchema, shares sum to 1 and every bank id exists', () => {
    for (const a of AGREEMENTS) {
      expect(agreementSchema.safeParse(a).success, a.id).toBe(true);
      expect(Math.abs(a.parties.reduce((s, p) => s + p.share, 0) - 1)).toBeLessThanOrEqual(SHARE_TOLERANCE);
    }
    expect(() => checkBanksAndAgreements(BANKS, AGREEMENTS)).not.toThrow();
  });

  it('carries the documented preset splits (domain.md §1-2)', () => {
    const anhui = byId('ah-4321');
    expect(anhui.parties.map((p) => [p.role, p.share])).toEqual([
      ['guarantor', 0.4],
      ['re_guarantor', 0.3],
      ['bank', 0.2],
      ['government', 0.1],
    ]);
    const hunan = byId('hn-4321');
    expect(shareOf(hunan, 'guarantor')).toBe(0.3);
    expect(shareOf(hunan, 'bank')).toBe(0.2);
    expect(shareOf(hunan, 'government')).toBe(0.1);
    // The 40% "provincial and above" layer: fund 20% + provincial finance 10% + re-guarantor 10%.
    expect(
      shareOf(hunan, 'national_fund') + shareOf(hunan, 'provincial_finance') + shareOf(hunan, 're_guarantor'),
    ).toBeCloseTo(0.4, 12);
    const x520 = byId('ah-520');
    expect(x520.parties).toHaveLength(5);
    expect(x520.parties.every((p) => p.share === 0.2)).toBe(true);
    const erba = byId('direct-28');
    expect(shareOf(erba, 'bank')).toBe(0.2);
    expect(1 - shareOf(erba, 'bank')).toBeCloseTo(0.8, 12);
    const batch = byId('fund-batch-sc');
    expect(batch.businessMode).toBe('batch');
    expect(batch.compensation.cap).toBe(0.04);
    expect(batch.tenorMonths.max).toBeLessThanOrEqual(12);
    expect(shareOf(batch, 'national_fund')).toBe(0.2);
    const sci = byId('scitech-2024');
    expect(sci.compensation.cap).toBe(0.05);
    expect(sci.perBorrowerCap).toBe(30_000_000);
    expect(sci.eligibility.sciTechOnly).toBe(true);
    expect(shareOf(sci, 'national_fund')).toBe(0.4);
    expect(shareOf(sci, 'bank')).toBeGreaterThanOrEqual(0.2);
  });

  it('keeps the bank at 20% or more and covers exactly the non-bank shares', () => {
    for (const a of AGREEMENTS) {
      expect(shareOf(a, 'bank'), a.id).toBeGreaterThanOrEqual(0.2);
      expect(a.coverage.ratio).toBeCloseTo(1 - shareOf(a, 'bank'), 12);
      expect(a.compensation.warningLine).toBeLessThanOrEqual(a.compensation.cap);
    }
  });

  it('rejects shares that do not sum to 1, two bank parties and a coverage that does not match', () => {
    const base = byId('ah-4321');
    const short = {
      ...base,
      parties: base.parties.map((p) => (p.role === 'government' ? { ...p, share: 0.09 } : p)),
    };
    const r = agreementSchema.safeParse(short);
    expect(r.success).toBe(false);
    expect(r.error?.issues.some((i) => i.message.includes('expected 1'))).toBe(true);
    // Within the 1e-9 tolerance is accepted.
    const close = {
      ...base,
      parties: base.parties.map((p) => (p.role === 'government' ? { ...p, share: 0.1 + 1e-12 } : p)),
    };
    expect(agreementSchema.safeParse(close).success).toBe(true);
    const twoBanks = {
      ...base,
      parties: base.parties.map((p) => (p.role === 'government' ? { ...p, role: 'bank' as const } : p)),
    };
    expect(agreementSchema.safeParse(twoBanks).success).toBe(false);
    const cover = { ...base, coverage: { base: 'principal' as const, ratio: 0.7 } };
    expect(agreementSchema.safeParse(cover).success).toBe(false);
  });

  it('refuses agreements naming unknown banks', () => {
    const stray = { ...byId('ah-4321'), bankIds: ['nope'] };
    let err: unknown;
    try {
      checkBanksAndAgreements(BANKS, [stray]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RiskError);
    expect((err as RiskError).code).toBe('E_DATA_INVALID');
    expect((err as RiskError).message).toContain('unknown bank nope');
  });
});
