import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agreementSchema, parseAgreement } from '../../src/ingest/partners.js';
import { runLoss } from '../../src/matching/loss.js';
import { splitFen, toFen } from '../../src/matching/money.js';
import { AGREEMENTS } from '../../src/samples/agreements.js';

const byId = (id: string) => {
  const a = AGREEMENTS.find((x) => x.id === id);
  if (a === undefined) throw new Error(id);
  return a;
};

describe('splitFen', () => {
  it('gives leftover fen to the largest remainders and sums exactly', () => {
    expect(splitFen(100, [1, 1, 1])).toEqual([34, 33, 33]);
    expect(splitFen(8000, [0.4, 0.3, 0, 0.1])).toEqual([4000, 3000, 0, 1000]);
  });
  it('parts always sum to the total (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1e12 }),
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 8 }),
        (t, w) => {
          const parts = splitFen(t, w);
          expect(parts.reduce((s, x) => s + x, 0)).toBe(t);
          for (const x of parts) expect(Number.isInteger(x) && x >= 0).toBe(true);
        },
      ),
    );
  });
});

describe('runLoss, hand-worked cases (domain.md §1)', () => {
  it('Anhui 4321 at 80% principal cover: guarantor pays 80, claims 30 and 10, nets 40', () => {
    const f = runLoss(byId('ah-4321'), { principal: 100, unpaidPrincipal: 100, guaranteedToDate: 10_000 });
    expect(f.compensationPaid).toBe(80);
    expect(f.claims.map((c) => [c.role, c.amount])).toEqual([
      ['re_guarantor', 30],
      ['government', 10],
    ]);
    expect(f.parties.map((p) => p.netLoss)).toEqual([40, 30, 20, 10]);
    expect(f.programme?.rate).toBeCloseTo(0.008, 12);
    expect(f.programme?.status).toBe('normal');
  });
  it('principal-only cover leaves interest with the bank; principal + interest covers it', () => {
    const p = runLoss(byId('ah-4321'), {
      principal: 1_000_000,
      unpaidPrincipal: 600_000,
      interest: 20_000,
      guaranteedToDate: 1e8,
    });
    expect(p.coveredBase).toBe(600_000);
    expect(p.uncoveredInterest).toBe(20_000);
    expect(p.compensationPaid).toBe(480_000);
    expect(p.parties.find((x) => x.role === 'bank')?.bore).toBe(140_000); // 20% of 600k + 20k interest
    const pi = runLoss(byId('direct-28'), {
      principal: 1_000_000,
      unpaidPrincipal: 600_000,
      interest: 20_000,
      guaranteedToDate: 1e8,
    });
    expect(pi.compensationPaid).toBe(496_000);
    expect(pi.parties.find((x) => x.role === 'bank')?.bore).toBe(124_000);
  });
  it('Hunan 4321: fund 20, province 10, re-guarantor 10, guarantor 30, government 10 of a 100 loss', () => {
    const f = runLoss(byId('hn-4321'), { principal: 100, unpaidPrincipal: 100, guaranteedToDate: 1e6 });
    expect(f.parties.map((p) => p.netLoss)).toEqual([20, 10, 10, 30, 20, 10]);
  });
  it('520: four non-bank parties at 20 each, the two guarantors included', () => {
    const f = runLoss(byId('ah-520'), { principal: 100, unpaidPrincipal: 100, guaranteedToDate: 1e6 });
    expect(f.parties.map((p) => p.bore)).toEqual([20, 20, 20, 20, 20]);
  });
  it('national-fund batch and sci-tech: fund 20% and 40% of a covered loss', () => {
    const b = runLoss(byId('fund-batch-sc'), {
      principal: 500_000,
      unpaidPrincipal: 500_000,
      guaranteedToDate: 1e9,
    });
    expect(b.parties.find((p) => p.role === 'national_fund')?.bore).toBe(100_000);
    const s = runLoss(byId('scitech-2024'), {
      principal: 500_000,
      unpaidPrincipal: 500_000,
      guaranteedToDate: 1e9,
    });
    expect(s.parties.find((p) => p.role === 'national_fund')?.bore).toBe(200_000);
  });
  it('recoveries net of costs return pro rata; above the loss they are 追偿收入', () => {
    const f = runLoss(byId('ah-4321'), {
      principal: 100,
      unpaidPrincipal: 100,
      recovery: 60,
      recoveryCosts: 10,
      guaranteedToDate: 1e4,
    });
    expect(f.netRecovery).toBe(50);
    expect(f.parties.map((p) => p.recovered)).toEqual([20, 15, 10, 5]);
    expect(f.receivableOffset).toBe(40);
    expect(f.recoveryIncome).toBe(0);
    const over = runLoss(byId('ah-4321'), {
      principal: 100,
      unpaidPrincipal: 100,
      recovery: 130,
      guaranteedToDate: 1e4,
    });
    expect(over.recoveryIncome).toBe(30);
    expect(over.parties[0]?.recovered).toBe(70);
  });
  it('a cap breach under stop_compensation: the guarantor pays up to the cap, the bank carries the rest', () => {
    // 520 cap 4%: guaranteed 1,000,000 → line 40,000; 30,000 paid so far → 10,000 headroom.
    const f = runLoss(byId('ah-520'), {
      principal: 100_000,
      unpaidPrincipal: 50_000,
      guaranteedToDate: 1_000_000,
      compensatedToDate: 30_000,
    });
    expect(f.compensationDue).toBe(40_000);
    expect(f.compensationPaid).toBe(10_000);
    expect(f.cappedByBreach).toBe(30_000);
    expect(f.parties.find((p) => p.role === 'bank')?.bore).toBe(40_000);
    expect(f.programme?.rate).toBeCloseTo(0.04, 12);
    expect(f.programme?.status).toBe('breached');
    expect(f.programme?.actions).toContain('pause_new_business');
  });
  // Hand-worked, every preset: 100万 guaranteed, 60万 principal and 2万 interest unpaid. Principal-only cover pays
  // ratio × 60万 and leaves the 2万 interest with the bank; principal + interest cover pays ratio × 62万.
  // Each non-bank party bears its share of the covered base; the bank its share of it plus uncovered interest.
  const HAND: [string, number, number[]][] = [
    // id, compensation paid, bore per party in agreement order
    ['ah-4321', 480_000, [240_000, 180_000, 140_000, 60_000]],
    ['hn-4321', 480_000, [120_000, 60_000, 60_000, 180_000, 140_000, 60_000]],
    ['ah-520', 480_000, [120_000, 120_000, 120_000, 120_000, 140_000]],
    ['direct-28', 496_000, [124_000, 496_000]],
    ['fund-batch-sc', 496_000, [124_000, 124_000, 248_000, 124_000]],
    ['psbc-jsd', 496_000, [124_000, 124_000, 248_000, 124_000]],
    ['scitech-2024', 496_000, [248_000, 124_000, 124_000, 124_000]],
    ['hn-coreview', 496_000, [124_000, 124_000, 248_000, 124_000]],
    ['xm-cyd', 480_000, [180_000, 300_000, 140_000]],
    ['zj-local-batch', 496_000, [186_000, 310_000, 124_000]],
    ['commercial-7030', 434_000, [434_000, 186_000]],
  ];
  it.each(HAND)('%s: 60万 principal + 2万 interest unpaid, by hand', (id, paid, bore) => {
    const f = runLoss(byId(id), {
      principal: 1_000_000,
      unpaidPrincipal: 600_000,
      interest: 20_000,
      guaranteedToDate: 1e8,
    });
    expect(f.compensationPaid).toBe(paid);
    expect(f.parties.map((p) => p.bore)).toEqual(bore);
    expect(f.uncoveredInterest).toBe(byId(id).coverage.base === 'principal' ? 20_000 : 0);
    expect(f.programme?.status).toBe('normal');
  });
  it('every preset has a hand-worked case', () => {
    expect(HAND.map(([id]) => id).sort()).toEqual(AGREEMENTS.map((a) => a.id).sort());
  });
  // The same default with 10万 of headroom left under the cap (cap × 1000万 − 10万 compensated so far).
  it.each(HAND)('%s: a cap breach applies the agreement action', (id, paid) => {
    const a = byId(id);
    const f = runLoss(a, {
      principal: 1_000_000,
      unpaidPrincipal: 600_000,
      interest: 20_000,
      guaranteedToDate: 10_000_000,
      compensatedToDate: a.compensation.cap * 10_000_000 - 100_000,
    });
    const stop = a.compensation.onBreach === 'stop_compensation';
    expect(f.compensationPaid).toBe(stop ? 100_000 : paid);
    expect(f.cappedByBreach).toBe(stop ? paid - 100_000 : 0);
    const bank = f.parties.find((p) => p.role === 'bank');
    expect(bank?.bore).toBe(620_000 - (stop ? 100_000 : paid));
    expect(f.programme?.status).toBe('breached');
    expect(f.programme?.actions).toContain('pause_new_business');
    expect(f.programme?.actions).toContain(a.compensation.onBreach);
  });
  it('without programme totals: no cap applied and no programme state (one loan is not a programme)', () => {
    const f = runLoss(byId('ah-520'), { principal: 100, unpaidPrincipal: 100 });
    expect(f.compensationPaid).toBe(80);
    expect(f.programme).toBeNull();
    expect(() =>
      runLoss(byId('ah-520'), { principal: 100, unpaidPrincipal: 100, compensatedToDate: 5 }),
    ).toThrow(/compensatedToDate needs guaranteedToDate/);
  });
  it('rejects a negative amount with E_LOSS_INPUT naming the field', () => {
    expect(() => runLoss(byId('ah-4321'), { principal: 100, unpaidPrincipal: 100, recovery: -1 })).toThrow(
      /recovery must be/,
    );
  });
  it('money is conserved to the fen for every agreement (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: AGREEMENTS.length - 1 }),
        fc.integer({ min: 1, max: 5e9 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 5e7 }),
        fc.integer({ min: 0, max: 5e9 }),
        fc.integer({ min: 0, max: 1e7 }),
        fc.double({ min: 0, max: 0.1, noNaN: true }),
        (ai, pFen, frac, iFen, rFen, cFen, rate) => {
          const a = AGREEMENTS[ai] ?? AGREEMENTS[0];
          if (a === undefined) return;
          const principal = pFen / 100;
          const unpaid = Math.floor(pFen * frac) / 100;
          const g = principal * 50;
          const f = runLoss(a, {
            principal,
            unpaidPrincipal: unpaid,
            interest: iFen / 100,
            recovery: rFen / 100,
            recoveryCosts: cFen / 100,
            guaranteedToDate: g,
            compensatedToDate: Math.round(g * rate) / 100,
          });
          const sum = (k: 'bore' | 'recovered') => f.parties.reduce((s, p) => s + toFen(p[k]), 0);
          expect(sum('bore')).toBe(toFen(f.totalLoss));
          expect(sum('recovered')).toBe(toFen(f.netRecovery));
          const claims = f.claims.reduce((s, c) => s + toFen(c.amount), 0);
          const payer = f.parties.find((p) => p.role === 'guarantor');
          expect(claims + toFen(payer?.bore ?? 0)).toBe(toFen(f.compensationPaid));
        },
      ),
    );
  });
});

describe('agreement validation', () => {
  it('names the received sum when shares do not sum to 1', () => {
    const bad = {
      ...byId('ah-4321'),
      parties: byId('ah-4321').parties.map((p, i) => (i === 3 ? { ...p, share: 0.05 } : p)),
    };
    expect(() => parseAgreement(bad)).toThrow('parties: shares sum to 0.95, expected 1');
    expect(agreementSchema.safeParse(bad).success).toBe(false);
  });
  it('every sample agreement parses and its shares sum to 1', () => {
    for (const a of AGREEMENTS) {
      expect(parseAgreement(a).id).toBe(a.id);
      expect(Math.abs(a.parties.reduce((s, p) => s + p.share, 0) - 1)).toBeLessThan(1e-9);
    }
  });
});
