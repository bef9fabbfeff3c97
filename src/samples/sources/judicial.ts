import type { Rng } from '../../core/rng.js';
import type { JudicialRecord } from '../../ingest/schemas.js';
import { isoDay } from '../calendar.js';
import { roundTo } from '../money.js';
import type { BorrowerProfile } from '../profile.js';
import { clamp, sigmoid } from '../risk.js';

/** Records reach back this many days before the as-of date. */
const LOOKBACK_DAYS = 3 * 365;

/** Yearly event rates at z = 0 and their growth per unit of z (log scale). */
export const JUDICIAL_RATES = {
  lawsuit: { base: 0.08, slope: 0.7 },
  enforcement: { base: 0.015, slope: 0.9 },
  dishonest: { base: 0.004, slope: 1.3 },
  abnormal_operation: { base: 0.025, slope: 0.6 },
  penalty: { base: 0.03, slope: 0.3 },
} as const;

type Kind = keyof typeof JUDICIAL_RATES;

function caseType(rng: Rng, p: BorrowerProfile, defendant: boolean): NonNullable<JudicialRecord['caseType']> {
  const lending = defendant ? 0.15 + 0.25 * sigmoid(p.z - 1) : 0.1;
  const u = rng.uniform();
  return u < lending
    ? 'lending_dispute'
    : u < lending + 0.5
      ? 'contract'
      : u < lending + 0.65
        ? 'labor'
        : 'other';
}

/**
 * Court and administrative records (司法与行政) over three years: lawsuits (a risky borrower is more often the
 * defendant, and more often in a lending dispute), enforcement, dishonest-debtor listings (失信被执行人),
 * abnormal-operation listings and penalties, each a Poisson count whose rate grows with z and with size.
 */
export function drawJudicial(rng: Rng, p: BorrowerProfile): JudicialRecord[] {
  const size = clamp((p.annualRevenue / 1e6) ** 0.3, 0.5, 3);
  const years = Math.min(LOOKBACK_DAYS, p.asOfDay - p.establishedDay) / 365;
  const records: { day: number; rec: JudicialRecord }[] = [];
  for (const kind of Object.keys(JUDICIAL_RATES) as Kind[]) {
    if (kind === 'abnormal_operation' && p.entity.type === 'farmer') continue;
    const { base, slope } = JUDICIAL_RATES[kind];
    const scale = kind === 'lawsuit' || kind === 'penalty' ? size : 1;
    const n = rng.poisson(base * Math.exp(slope * p.z) * scale * years);
    for (let k = 0; k < n; k++) {
      const daysAgo = 1 + rng.int(Math.max(1, Math.round(years * 365)));
      const day = p.asOfDay - daysAgo;
      const closed = rng.chance(daysAgo > 365 ? 0.85 : 0.35);
      let rec: JudicialRecord;
      if (kind === 'lawsuit') {
        const defendant = rng.chance(sigmoid(0.8 * p.z - 0.2));
        const role = defendant ? 'defendant' : rng.chance(0.85) ? 'plaintiff' : 'third_party';
        rec = {
          date: isoDay(day),
          kind,
          role,
          caseType: caseType(rng, p, defendant),
          amount: roundTo(p.annualRevenue * 0.05 * Math.exp(rng.normal(0, 1)), 1_000),
          closed,
        };
      } else if (kind === 'enforcement' || kind === 'dishonest') {
        rec = {
          date: isoDay(day),
          kind,
          amount: roundTo(p.annualRevenue * 0.04 * Math.exp(rng.normal(0, 1)), 1_000),
          closed,
        };
      } else if (kind === 'penalty') {
        rec = { date: isoDay(day), kind, amount: roundTo(rng.between(500, 50_000), 100), closed };
      } else {
        rec = { date: isoDay(day), kind, closed };
      }
      records.push({ day, rec });
    }
  }
  records.sort((a, b) => a.day - b.day);
  return records.map((r) => r.rec);
}
