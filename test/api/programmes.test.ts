import { describe, expect, it } from 'vitest';
import { programmeStatusOf } from '../../src/api/programmes.js';
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
