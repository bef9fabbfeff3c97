import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGREEMENTS } from '../../src/samples/agreements.js';
import { BANKS } from '../../src/samples/banks.js';
import { dayOf, isoMonth, monthOfDay } from '../../src/samples/calendar.js';
import {
  LOAN_COLUMNS,
  type SampleSummary,
  SNAPSHOT_COLUMNS,
  writeSampleDir,
} from '../../src/samples/write.js';
import { readCsv, tempDir } from './helpers.js';

let dir = '';
let cleanup: () => Promise<void> = async () => {};
let summary: SampleSummary;
let loans: Record<string, string>[] = [];
let snaps: Record<string, string>[] = [];
let outcomes = new Map<string, { flag: string; date: string }>();
let byLoan = new Map<string, Record<string, string>[]>();
let sources = new Map<string, Set<string>>();

function rows(header: string[], records: string[][]): Record<string, string>[] {
  return records.map((r) => Object.fromEntries(header.map((h, k) => [h, r[k] ?? ''])));
}

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('monitoring'));
  summary = await writeSampleDir({ n: 3000, seed: 17, months: 12, dirty: 0.01, out: dir });
  const l = await readCsv(join(dir, 'monitoring/loans.csv'));
  const s = await readCsv(join(dir, 'monitoring/snapshots.csv'));
  expect(l.header).toEqual([...LOAN_COLUMNS]);
  expect(s.header).toEqual([...SNAPSHOT_COLUMNS]);
  loans = rows(l.header, l.records);
  snaps = rows(s.header, s.records);
  const o = await readCsv(join(dir, 'outcomes.csv'));
  outcomes = new Map(o.records.map((r) => [r[0] as string, { flag: r[1] as string, date: r[2] as string }]));
  byLoan = new Map();
  for (const s of snaps) {
    const list = byLoan.get(s.borrower_id as string) ?? [];
    list.push(s);
    byLoan.set(s.borrower_id as string, list);
  }
  const apps = await readCsv(join(dir, 'applications.csv'));
  sources = new Map(apps.records.map((r) => [r[0] as string, new Set((r[2] as string).split(';'))]));
});
afterAll(() => cleanup());

describe('monitoring snapshots of the in-force book', () => {
  it('books a subset of borrowers with known banks and agreements the bank belongs to', () => {
    expect(loans.length).toBe(summary.inForce);
    expect(loans.length).toBeGreaterThan(0.15 * 3000);
    expect(loans.length).toBeLessThan(0.5 * 3000);
    for (const loan of loans) {
      const agreement = AGREEMENTS.find((a) => a.id === loan.agreement_id);
      expect(agreement, loan.agreement_id).toBeDefined();
      expect(agreement?.bankIds).toContain(loan.bank_id);
      expect(BANKS.some((b) => b.id === loan.bank_id)).toBe(true);
      const amount = Number(loan.amount);
      expect(amount).toBeLessThanOrEqual(agreement?.perBorrowerCap ?? 0);
      expect(loan.business_mode).toBe(agreement?.businessMode);
    }
  });

  it('approves a safer book than the applicants: fewer defaults in force than overall', () => {
    const booked =
      loans.filter((l) => outcomes.get(l.borrower_id as string)?.flag === '1').length / loans.length;
    expect(booked).toBeLessThan(0.7 * summary.defaultRate);
    expect(booked).toBeGreaterThan(0);
  });

  it('runs consecutive months from the month after origination, stopping at the default', () => {
    expect([...byLoan.keys()].sort()).toEqual(loans.map((l) => l.borrower_id).sort());
    for (const loan of loans) {
      const list = byLoan.get(loan.borrower_id as string) ?? [];
      const start = monthOfDay(dayOf(loan.origination_date as string));
      list.forEach((s, k) => {
        expect(Number(s.months_on_book)).toBe(k + 1);
        expect(s.month).toBe(isoMonth(start + k + 1));
      });
      const outcome = outcomes.get(loan.borrower_id as string);
      const defaulted = list.filter((s) => s.loan_status === 'defaulted');
      if (outcome?.flag === '1') {
        // The 12-month window is fully monitored, so every default shows, in the month of its date.
        expect(defaulted).toHaveLength(1);
        expect(list[list.length - 1]?.loan_status).toBe('defaulted');
        expect(defaulted[0]?.month).toBe(outcome.date.slice(0, 7));
        expect(Number(defaulted[0]?.loan_overdue_days)).toBeGreaterThan(0);
      } else {
        expect(defaulted).toHaveLength(0);
        expect(list).toHaveLength(12);
      }
    }
  });

  it('shows trouble before a default: overdue status, falling revenue and late payments elsewhere', () => {
    const defaulters = new Set(
      loans.filter((l) => outcomes.get(l.borrower_id as string)?.flag === '1').map((l) => l.borrower_id),
    );
    expect(defaulters.size).toBeGreaterThan(10);
    let overdueBefore = 0;
    for (const id of defaulters) {
      const list = byLoan.get(id as string) ?? [];
      if (list.some((s) => s.loan_status === 'overdue')) overdueBefore++;
    }
    expect(overdueBefore / defaulters.size).toBeGreaterThan(0.6);
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    const lateShare = (pick: (s: Record<string, string>) => boolean) =>
      mean(
        snaps
          .filter((s) => pick(s) && s.bureau_overdue_days !== '')
          .map((s) => (Number(s.bureau_overdue_days) > 0 ? 1 : 0)),
      );
    expect(lateShare((s) => defaulters.has(s.borrower_id))).toBeGreaterThan(
      3 * lateShare((s) => !defaulters.has(s.borrower_id)),
    );
    // Revenue in the last snapshot against the first, defaulters against survivors.
    const trend = (ids: (string | undefined)[]) =>
      mean(
        ids.flatMap((id) => {
          const list = (byLoan.get(id as string) ?? []).filter((s) => s.tax_revenue !== '');
          if (list.length < 3) return [];
          const first = Number(list[0]?.tax_revenue);
          return first > 0 ? [Number(list[list.length - 1]?.tax_revenue) / first] : [];
        }),
      );
    const survivors = loans.map((l) => l.borrower_id).filter((id) => !defaulters.has(id));
    expect(trend([...defaulters])).toBeLessThan(trend(survivors) - 0.1);
  });

  it('leaves a source empty exactly when it was absent at origination', () => {
    let empty = 0;
    for (const s of snaps) {
      const has = sources.get(s.borrower_id as string) ?? new Set();
      expect(s.tax_revenue === '').toBe(!has.has('tax'));
      expect(s.bank_inflow === '').toBe(!has.has('bankFlows'));
      expect(s.insured_headcount === '').toBe(!has.has('socialInsurance'));
      expect(s.bureau_class === '').toBe(!has.has('bureau.enterprise') && !has.has('bureau.owner'));
      if (s.tax_revenue === '') empty++;
      // The guaranteed loan is in the credit report too.
      if (s.bureau_overdue_days !== '')
        expect(Number(s.bureau_overdue_days)).toBeGreaterThanOrEqual(Number(s.loan_overdue_days));
    }
    expect(empty).toBeGreaterThan(0);
  });
});
