import { describe, expect, it } from 'vitest';
import { readAgreements } from '../../src/cli/agreements.js';
import { DEFAULT_PORTFOLIO_POLICY, parsePortfolioPolicy } from '../../src/decisions/portfolio.js';
import {
  type InForceCounts,
  portfolioOf,
  readInForceBook,
  retainedShareOf,
} from '../../src/decisions/portfolio-book.js';

const DIR = 'data-samples';
const agreements = readAgreements(`${DIR}/agreements.json`);
const sum = (c: InForceCounts) => c.inForce + c.defaulted + c.notYetOriginated + c.ended + c.rejected;

describe('the in-force book of the committed sample', () => {
  it('accounts for every loan and reproduces the book at 2026-01', async () => {
    const book = await readInForceBook(DIR, { agreements });
    expect(book.month).toBe('2026-01');
    expect(book.counts).toEqual({
      read: 1240,
      inForce: 1228,
      defaulted: 12,
      notYetOriginated: 0,
      ended: 0,
      rejected: 0,
      unclassified: 51,
    });
    const s = portfolioOf(DEFAULT_PORTFOLIO_POLICY, book).status(3);
    expect(s.grossBalance).toBe(795_100_000);
    expect(s.weightedLiability).toBe(630_112_500);
    expect(s.leverage).toMatchObject({
      value: 3.1505625,
      cap: 15,
      qualifiesForHigherCap: true,
      breached: false,
    });
    expect(s.singleClient.top[0]).toMatchObject({ amount: 10_000_000, share: 0.05, headroom: 10_000_000 });
    expect(s.ratios.smallMicroFarming.value).toBeCloseTo(0.9629, 4);
    expect(s.ratios.smallBorrowers.value).toBeCloseTo(0.8671, 4);
    expect(s.breaches).toEqual([]);
    // Retained basis: the guarantor's own shares (40% under 4321, 80% under 二八 …).
    const r = portfolioOf(parsePortfolioPolicy({ basis: 'retained' }), book).status();
    expect(r.countedBalance).toBeLessThan(s.countedBalance);
    expect(r.leverage.value).toBeCloseTo(1.9454, 4);
  });

  it('an earlier month leaves later loans off the book, still accounted for', async () => {
    const book = await readInForceBook(DIR, { agreements, month: '2025-06' });
    expect(book.counts.notYetOriginated).toBeGreaterThan(500);
    expect(sum(book.counts)).toBe(book.counts.read);
    expect(book.exposures.every((e) => e.amount > 0)).toBe(true);
  });

  it('the retained share is the first guarantor party (520: the city guarantor, 20%)', () => {
    const byId = new Map(agreements.map((a) => [a.id, retainedShareOf(a)]));
    expect(byId.get('ah-4321')).toBe(0.4);
    expect(byId.get('ah-520')).toBe(0.2);
    expect(byId.get('direct-28')).toBe(0.8);
  });

  it('a loan under an agreement not given, or a bad month, is an error', async () => {
    await expect(readInForceBook(DIR, { agreements: agreements.slice(1) })).rejects.toMatchObject({
      code: 'E_PORTFOLIO_BOOK',
      message: expect.stringContaining('agreementId must be one of'),
    });
    await expect(readInForceBook(DIR, { agreements, month: '2026-13' })).rejects.toMatchObject({
      code: 'E_PORTFOLIO_BOOK',
    });
  });
});
