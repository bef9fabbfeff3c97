import { describe, expect, it } from 'vitest';
import { programmeLines, programmeStatusOf, roomRefusal } from '../../src/api/programmes.js';
import { readPartners, SERVER_DEFAULTS } from '../../src/api/server.js';
import type { StoredLoan } from '../../src/store/store.js';

const { banks, agreements } = readPartners(SERVER_DEFAULTS.banks, SERVER_DEFAULTS.agreements);

const loan = (id: string, bankId: string, agreementId: string, amount: number): StoredLoan => ({
  id,
  referralId: null,
  bankId,
  agreementId,
  borrowerId: `b-${id}`,
  assessmentId: null,
  amount,
  status: 'active',
  fundedAt: '2026-12-01T00:00:00.000Z',
  payload: {},
  version: 1,
});

describe('programme status', () => {
  it("counts a bank's live loans only against its quota under their own programme", () => {
    // A bank with quotas under two programmes: a loan under one must not use the other's line.
    const bank = banks.find((b) => b.quotas.length >= 2);
    expect(bank).toBeDefined();
    const [qa, qb] = bank?.quotas ?? [];
    const agA = agreements.find((ag) => ag.id === qa?.agreementId);
    const agB = agreements.find((ag) => ag.id === qb?.agreementId);
    if (bank === undefined || qa === undefined || qb === undefined || agA === undefined || agB === undefined)
      throw new Error('the sample needs a bank with two programmes');
    const loans = [loan('1', bank.id, agA.id, 300_000), loan('2', bank.id, agB.id, 50_000.5)];
    const totals = (agreementId: string) => ({
      agreementId,
      guaranteedToDate: 0,
      compensatedToDate: 0,
      quotaUsed: 0,
      loans: 0,
      defaults: 0,
      updatedAt: null,
    });
    const lineOf = (ag: typeof agA) =>
      programmeStatusOf(ag, totals(ag.id), banks, loans).quota.banks.find((b) => b.bankId === bank.id);
    expect(lineOf(agA)).toMatchObject({ quota: qa.amount, used: qa.used + 300_000 });
    expect(lineOf(agB)).toMatchObject({ quota: qb.amount, used: qb.used + 50_000.5 });
  });
});

describe('batch guarantee room', () => {
  const ag = agreements.find((a) => a.id === 'fund-batch-sc');
  if (ag === undefined) throw new Error('the sample needs fund-batch-sc');
  const totals = (quotaUsed: number) => ({
    agreementId: ag.id,
    guaranteedToDate: quotaUsed,
    compensatedToDate: 0,
    quotaUsed,
    loans: 1,
    defaults: 0,
    updatedAt: null,
  });

  it('sums the programme line over its banks from the bank file', () => {
    expect(programmeLines(ag, banks, 'psbc-gy')).toEqual({
      bank: { amount: 150_000_000, usedBefore: 127_500_000 },
      programme: { amount: 1_000_000_000, usedBefore: 884_500_000 },
    });
  });

  it("refuses on the bank's own quota or on the programme's line, and names which", () => {
    const lines = {
      bank: { amount: 10_000_000, usedBefore: 2_000_000 },
      programme: { amount: 30_000_000, usedBefore: 5_000_000 },
    };
    // Another bank's 20M in force leaves this bank's 8M of room whole …
    expect(roomRefusal(ag, totals(20_000_000), 0, 5_000_000, lines)).toBeNull();
    // … but not the programme's: 5M + 20M + 5.5M > 30M.
    expect(roomRefusal(ag, totals(20_000_000), 0, 5_500_000, lines)?.code).toBe('programme_quota');
    // This bank's own 6M in force: 2M + 6M + 2.5M > 10M.
    expect(roomRefusal(ag, totals(6_000_000), 6_000_000, 2_500_000, lines)?.code).toBe('bank_quota');
    expect(roomRefusal(ag, totals(6_000_000), 6_000_000, 2_000_000, lines)).toBeNull();
  });
});
