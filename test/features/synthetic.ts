import type { Rng } from '../../src/core/rng.js';
import type { ApplicationInput } from '../../src/ingest/schemas.js';

/**
 * A small seeded generator of plausible applications with `months` of every source, for property tests of
 * the feature engine (batch = single, determinism) and for the benchmark's fallback. It is not the sample
 * generator of src/samples: no risk model, just varied, valid records.
 */
export interface SyntheticOptions {
  readonly months?: number;
  /** Mean sales invoices per month (purchases are a third of it). */
  readonly invoicesPerMonth?: number;
  /** Probability that each optional source is absent. */
  readonly absentRate?: number;
  /** Probability that each present list source is empty. */
  readonly emptyRate?: number;
}

function pick<T>(rng: Rng, xs: readonly T[]): T {
  return xs[rng.int(xs.length)] as T;
}

const pad = (n: number): string => (n < 10 ? `0${n}` : String(n));
const ym = (m: number): string => `${Math.floor(m / 12)}-${pad((m % 12) + 1)}`;

/** One application as-of 2025-06-15 (or a month drawn around it), in the API's JSON shape. */
export function syntheticApplication(rng: Rng, id: string, options: SyntheticOptions = {}): ApplicationInput {
  const months = options.months ?? 24;
  const perMonth = options.invoicesPerMonth ?? 6;
  const absent = options.absentRate ?? 0;
  const empty = options.emptyRate ?? 0;
  const asOfMonth = 2025 * 12 + 5 - rng.int(6);
  const asOf = `${ym(asOfMonth)}-${pad(1 + rng.int(28))}`;
  const scale = 50_000 * Math.exp(rng.normal(0, 1));
  const keep = (): boolean => rng.uniform() >= absent;
  const some = (): boolean => rng.uniform() >= empty;
  const app: ApplicationInput = {
    id,
    asOf,
    request: {
      amount: Math.round(scale * (2 + rng.uniform() * 8)),
      tenorMonths: pick(rng, [6, 12, 24, 36] as const),
      purpose: pick(rng, ['working_capital', 'equipment', 'technology', 'premises', 'other'] as const),
    },
  };
  if (keep())
    app.enterprise = {
      name: `企业${id}`,
      creditCode: '91350100M000100Y43',
      entityType: pick(rng, ['company', 'individual_business', 'farmer', 'cooperative'] as const),
      industry: `${String.fromCharCode(65 + rng.int(20))}${10 + rng.int(80)}`,
      region: `${11 + rng.int(70)}0101`,
      establishedDate: `${2005 + rng.int(19)}-${pad(1 + rng.int(12))}-${pad(1 + rng.int(28))}`,
      registeredCapital: Math.round(scale * 20),
      paidInCapital: Math.round(scale * 20 * rng.uniform()),
      employees: 1 + rng.int(80),
      highTech: rng.uniform() < 0.1,
      specialised: rng.uniform() < 0.05,
      firstLoan: rng.uniform() < 0.3,
    };
  if (keep()) {
    const size = 1 + rng.int(6);
    app.owner = {
      age: 25 + rng.int(40),
      maritalStatus: pick(rng, ['single', 'married', 'divorced', 'widowed'] as const),
      householdSize: size,
      dependents: rng.int(size),
      annualIncome: rng.uniform() < 0.02 ? 0 : Math.round(scale * 3 * rng.uniform()),
      assets: {
        property: Math.round(scale * 30 * rng.uniform()),
        vehicles: Math.round(scale * rng.uniform()),
        deposits: Math.round(scale * 2 * rng.uniform()),
      },
      liabilities: {
        mortgage: Math.round(scale * 10 * rng.uniform()),
        consumer: Math.round(scale * rng.uniform()),
        business: Math.round(scale * 5 * rng.uniform()),
      },
    };
  }
  const level = (m: number): number => scale * (1 + 0.3 * Math.sin(m / 2)) * Math.exp(rng.normal(0, 0.2));
  if (keep()) {
    const filings: { period: string; revenue: number; vat: number; incomeTax: number }[] = [];
    const quarterly = rng.uniform() < 0.3;
    if (some()) {
      for (let k = months; k >= 1; k--) {
        const m = asOfMonth - k;
        if (quarterly) {
          if (m % 3 !== 2) continue;
          const rev = Math.round(level(m) * 3);
          filings.push({
            period: `${Math.floor(m / 12)}Q${Math.floor((m % 12) / 3) + 1}`,
            revenue: rev,
            vat: Math.round(rev * 0.03),
            incomeTax: Math.round(rev * 0.005),
          });
        } else {
          const rev = rng.uniform() < 0.05 ? 0 : Math.round(level(m));
          filings.push({
            period: ym(m),
            revenue: rev,
            vat: Math.round(rev * 0.03),
            incomeTax: Math.round(rev * 0.005),
          });
        }
      }
    }
    app.tax =
      rng.uniform() < 0.2
        ? { filings }
        : { creditGrade: pick(rng, ['A', 'B', 'M', 'C', 'D'] as const), filings };
  }
  if (keep()) {
    const invoices: NonNullable<ApplicationInput['invoices']> = [];
    const customers = 1 + rng.int(30);
    if (some()) {
      for (let k = months; k >= 0; k--) {
        const m = asOfMonth - k;
        const n = rng.poisson(perMonth);
        for (let i = 0; i < n + rng.poisson(perMonth / 3); i++) {
          const sales = i < n;
          const u = rng.uniform();
          invoices.push({
            date: `${ym(m)}-${pad(1 + rng.int(28))}`,
            direction: sales ? 'sales' : 'purchase',
            amount: Math.round((level(m) / Math.max(1, perMonth)) * rng.uniform() * 2),
            tax: Math.round(level(m) * 0.01 * rng.uniform()),
            counterpartyId: sales ? `C${rng.int(customers)}` : `S${rng.int(8)}`,
            status: u < 0.03 ? 'void' : u < 0.05 ? 'red' : 'valid',
          });
        }
      }
    }
    app.invoices = invoices;
  }
  if (keep()) {
    app.bankFlows = [];
    if (some())
      for (let k = months; k >= 1; k--) {
        const m = asOfMonth - k;
        if (rng.uniform() < 0.05) continue;
        const inflow = Math.round(level(m) * 1.1);
        const outflow = Math.round(inflow * (0.8 + 0.4 * rng.uniform()));
        app.bankFlows.push({
          month: ym(m),
          inflow,
          outflow,
          endBalance: Math.round(scale * rng.normal(1, 1)),
          counterparties: rng.int(40),
        });
      }
  }
  if (keep()) {
    app.bureau = {};
    for (const subject of ['enterprise', 'owner'] as const) {
      if (!keep()) continue;
      const nf = some() ? rng.int(5) : 0;
      const facilities = Array.from({ length: nf }, () => {
        const limit = Math.round(scale * 5 * rng.uniform());
        const bad = rng.uniform() < 0.1;
        return {
          type: pick(rng, ['loan', 'credit_card', 'other'] as const),
          openDate: `${2018 + rng.int(8)}-${pad(1 + rng.int(12))}-${pad(1 + rng.int(28))}`,
          limit,
          balance: Math.round(limit * rng.uniform()),
          overdueDays: bad ? 1 + rng.int(120) : 0,
          overdueAmount: bad ? Math.round(limit * 0.1) : 0,
          class: bad
            ? pick(rng, ['special_mention', 'substandard', 'doubtful', 'loss'] as const)
            : ('normal' as const),
          overdueHistory: Array.from({ length: rng.int(25) }, () =>
            rng.uniform() < 0.08 ? 1 + rng.int(3) : 0,
          ),
        };
      });
      app.bureau[subject] = {
        facilities,
        guaranteesGiven: Array.from({ length: rng.int(3) }, () => ({
          amount: Math.round(scale * rng.uniform()),
          class: 'normal' as const,
        })),
        inquiries: Array.from({ length: rng.poisson(3) }, () => {
          const m = asOfMonth - rng.int(24);
          return {
            date: `${ym(m)}-${pad(1 + rng.int(28))}`,
            reason: pick(rng, ['loan_approval', 'guarantee', 'post_loan', 'other'] as const),
          };
        }),
      };
    }
  }
  if (keep()) {
    const kinds = ['lawsuit', 'enforcement', 'dishonest', 'abnormal_operation', 'penalty'] as const;
    app.judicial = Array.from({ length: some() ? rng.poisson(0.8) : 0 }, () => {
      const kind = pick(rng, kinds);
      const m = asOfMonth - rng.int(72);
      return {
        date: `${ym(m)}-${pad(1 + rng.int(28))}`,
        kind,
        ...(kind === 'lawsuit'
          ? { role: pick(rng, ['plaintiff', 'defendant', 'third_party'] as const) }
          : {}),
        ...(kind === 'lawsuit'
          ? { caseType: pick(rng, ['lending_dispute', 'contract', 'labor', 'other'] as const) }
          : {}),
        ...(rng.uniform() < 0.7 ? { amount: Math.round(scale * rng.uniform()) } : {}),
        closed: rng.uniform() < 0.5,
      };
    });
  }
  if (keep()) {
    app.utilities = [];
    if (some())
      for (let k = months; k >= 1; k--) {
        const m = asOfMonth - k;
        app.utilities.push({
          month: ym(m),
          electricityKwh: Math.round(level(m) / 20),
          waterTons: Math.round(level(m) / 2000),
          arrears: rng.uniform() < 0.05 ? Math.round(scale * 0.01) : 0,
        });
      }
  }
  if (keep()) {
    app.socialInsurance = [];
    const heads = rng.int(60);
    if (some())
      for (let k = months; k >= 1; k--)
        app.socialInsurance.push({
          month: ym(asOfMonth - k),
          insuredHeadcount: Math.max(0, heads + rng.int(5) - 2),
        });
  }
  return app;
}
