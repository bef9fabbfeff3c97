import { describe, expect, it } from 'vitest';
import type { Application } from '../../src/ingest/schemas.js';
import { dayOf } from '../../src/samples/calendar.js';
import { generateApplications } from '../../src/samples/generate.js';
import { auc } from './helpers.js';

/** One hand-made feature per source, each computed from that source alone (larger = riskier). */
const FEATURES: Record<string, (a: Application) => number | undefined> = {
  enterprise: (a) => (a.enterprise ? -Math.log1p(a.enterprise.employees ?? 0) : undefined),
  owner: (a) => {
    if (!a.owner) return undefined;
    const l = a.owner.liabilities;
    return (
      (l.mortgage + l.consumer + l.business) / a.owner.annualIncome -
      a.owner.assets.deposits / a.owner.annualIncome
    );
  },
  tax: (a) => {
    const r = a.tax?.filings.map((f) => f.revenue);
    if (r === undefined || r.length < 3) return undefined;
    const k = Math.max(1, Math.floor(r.length / 3));
    const last = r.slice(-k).reduce((s, v) => s + v, 0) / k;
    const before = r.slice(0, -k).reduce((s, v) => s + v, 0) / (r.length - k);
    return -last / (before + 1);
  },
  invoices: (a) => {
    const sales = a.invoices?.filter((i) => i.direction === 'sales') ?? [];
    if (sales.length < 5) return undefined;
    const by = new Map<string, number>();
    let total = 0;
    for (const s of sales) {
      by.set(s.counterpartyId, (by.get(s.counterpartyId) ?? 0) + s.amount);
      total += s.amount;
    }
    const bad = sales.filter((s) => s.status !== 'valid').length / sales.length;
    return Math.max(...by.values()) / total + 3 * bad;
  },
  bankFlows: (a) => {
    const b = a.bankFlows;
    if (b === undefined || b.length === 0) return undefined;
    const inflow = b.reduce((s, x) => s + x.inflow, 0) / b.length;
    return -(b[b.length - 1]?.endBalance ?? 0) / (inflow + 1);
  },
  bureau: (a) => {
    if (!a.bureau) return undefined;
    const reports = [a.bureau.enterprise, a.bureau.owner];
    const late = reports.flatMap((r) => r?.facilities ?? []).flatMap((f) => f.overdueHistory);
    const asks = reports
      .flatMap((r) => r?.inquiries ?? [])
      .filter((i) => i.reason === 'loan_approval').length;
    return Math.max(0, ...late) + 0.5 * asks;
  },
  judicial: (a) =>
    a.judicial ? a.judicial.filter((j) => j.kind !== 'lawsuit' || j.role === 'defendant').length : undefined,
  utilities: (a) =>
    a.utilities && a.utilities.length > 0 ? a.utilities.filter((u) => u.arrears > 0).length : undefined,
  socialInsurance: (a) => {
    const s = a.socialInsurance;
    if (s === undefined || s.length < 2) return undefined;
    const first = s[0]?.insuredHeadcount ?? 0;
    return -((s[s.length - 1]?.insuredHeadcount ?? 0) - first) / (first + 1);
  },
};

describe('the latent-risk process', () => {
  const sample = [...generateApplications({ n: 4000, seed: 42, months: 12, dirty: 0 })];
  const apps = sample.map((g) => g.application as Application);
  const y = sample.map((g) => g.outcome.default12m);

  it('has a 12-month default rate inside the documented 5-10% band', () => {
    const rate = y.reduce<number>((s, v) => s + v, 0) / y.length;
    expect(rate).toBeGreaterThan(0.05);
    expect(rate).toBeLessThan(0.1);
  });

  it('dates every default 60-365 days after the as-of date, and only defaults', () => {
    for (const g of sample) {
      if (g.outcome.default12m === 0) {
        expect(g.outcome.defaultDate).toBeNull();
        continue;
      }
      const days = dayOf(g.outcome.defaultDate as string) - dayOf(g.application.asOf as string);
      expect(days).toBeGreaterThanOrEqual(60);
      expect(days).toBeLessThanOrEqual(365);
    }
  });

  it('gives every source real signal on its own, and none a decisive one', () => {
    const z = auc(
      sample.map((g) => g.profile.z),
      y,
    );
    for (const [source, feature] of Object.entries(FEATURES)) {
      const xs: number[] = [];
      const ys: number[] = [];
      apps.forEach((a, k) => {
        const v = feature(a);
        if (v !== undefined && Number.isFinite(v)) {
          xs.push(v);
          ys.push(y[k] as number);
        }
      });
      const a = auc(xs, ys);
      expect(a, source).toBeGreaterThan(0.56);
      expect(a, source).toBeLessThan(z - 0.05);
    }
    // The latent risk itself ranks defaults well, but not perfectly (default is noisy given z).
    expect(z).toBeGreaterThan(0.75);
    expect(z).toBeLessThan(0.9);
  });

  it('makes borrowers with bureau late months or a dishonest-debtor record default more often', () => {
    const rate = (pick: (a: Application) => boolean) => {
      const ks = apps.map((a, k) => (pick(a) ? k : -1)).filter((k) => k >= 0);
      return { n: ks.length, rate: ks.reduce((s, k) => s + (y[k] as number), 0) / ks.length };
    };
    const withBureau = (a: Application) => a.bureau !== undefined;
    const late = (a: Application) =>
      [a.bureau?.enterprise, a.bureau?.owner].some((r) =>
        r?.facilities.some((f) => f.overdueHistory.some((m) => m > 0)),
      );
    const lateRate = rate((a) => withBureau(a) && late(a));
    const cleanRate = rate((a) => withBureau(a) && !late(a));
    expect(lateRate.n).toBeGreaterThan(100);
    expect(lateRate.rate).toBeGreaterThan(1.5 * cleanRate.rate);

    const dishonest = rate((a) => (a.judicial ?? []).some((j) => j.kind === 'dishonest'));
    const none = rate((a) => a.judicial !== undefined && !a.judicial.some((j) => j.kind === 'dishonest'));
    expect(dishonest.n).toBeGreaterThan(15);
    expect(dishonest.rate).toBeGreaterThan(2 * none.rate);
  });

  it('makes higher household debt-to-income default more often (terciles rise)', () => {
    const withOwner = apps
      .map((a, k) => ({ a, k }))
      .filter(({ a }) => a.owner !== undefined)
      .map(({ a, k }) => {
        const o = a.owner as NonNullable<Application['owner']>;
        const l = o.liabilities;
        return { dti: (l.mortgage + l.consumer + l.business) / o.annualIncome, y: y[k] as number };
      })
      .sort((p, q) => p.dti - q.dti);
    const third = Math.floor(withOwner.length / 3);
    const rateOf = (part: { y: number }[]) => part.reduce((s, p) => s + p.y, 0) / part.length;
    const [low, mid, high] = [
      rateOf(withOwner.slice(0, third)),
      rateOf(withOwner.slice(third, 2 * third)),
      rateOf(withOwner.slice(2 * third)),
    ];
    expect(mid).toBeGreaterThan(low);
    expect(high).toBeGreaterThan(mid);
    expect(high).toBeGreaterThan(1.8 * low);
  });

  it('makes riskier industries and younger firms default more, as documented', () => {
    const rateWhere = (pick: (k: number) => boolean) => {
      const ks = sample.map((_, k) => k).filter(pick);
      return ks.reduce((s, k) => s + (y[k] as number), 0) / ks.length;
    };
    const construction = rateWhere((k) => sample[k]?.profile.industry.sector.key === 'construction');
    const research = rateWhere((k) =>
      ['research', 'electrical'].includes(sample[k]?.profile.industry.sector.key ?? ''),
    );
    expect(construction).toBeGreaterThan(research);
    const young = rateWhere((k) => (sample[k]?.profile.ageYears ?? 0) < 1.5);
    const old = rateWhere((k) => (sample[k]?.profile.ageYears ?? 0) > 10);
    expect(young).toBeGreaterThan(old);
  });
});
