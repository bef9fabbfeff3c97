import type { z } from 'zod';
import type { Agreement, Bank } from '../ingest/partners.js';
import { roundFen } from '../matching/money.js';
import type { ProgrammeTotals, Refusal, StoredLoan } from '../store/store.js';
import type { guaranteeLoan, programmeStatus } from './schemas.js';

/**
 * Programme views for the API: the running compensation rate against the cap and warning line (domain.md
 * §2.2), the quota in use, and the batch (见贷即保) admission of a bank's loan against the agreed standards
 * and the room left under the cap.
 */

/** The key of a bank's quota under one agreement. */
export const quotaKey = (bankId: string, agreementId: string) => `${bankId}\u0000${agreementId}`;

/** What the service's active loans use of each bank's quota under each agreement (by `quotaKey`), yuan. */
export function liveQuotaUse(activeLoans: readonly StoredLoan[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const l of activeLoans) {
    const k = quotaKey(l.bankId, l.agreementId);
    out.set(k, (out.get(k) ?? 0) + l.amount);
  }
  return out;
}

/** A bank's quota under one agreement (programme), or null when it has none there. */
export function quotaUnder(bank: Bank | undefined, agreementId: string): Bank['quotas'][number] | null {
  return bank?.quotas.find((q) => q.agreementId === agreementId) ?? null;
}

/** A programme's status: rate = compensated ÷ guaranteed, against the warning line and the cap. */
export function programmeStatusOf(
  ag: Agreement,
  t: ProgrammeTotals,
  banks: readonly Bank[],
  activeLoans: readonly StoredLoan[],
): z.infer<typeof programmeStatus> {
  const rate = t.guaranteedToDate > 0 ? t.compensatedToDate / t.guaranteedToDate : 0;
  const { cap, warningLine, onWarning, onBreach } = ag.compensation;
  const status =
    rate >= cap && t.compensatedToDate > 0
      ? 'breached'
      : rate >= warningLine && t.compensatedToDate > 0
        ? 'warning'
        : 'normal';
  const actions = status === 'breached' ? [onWarning, onBreach] : status === 'warning' ? [onWarning] : [];
  const live = liveQuotaUse(activeLoans);
  return {
    agreementId: ag.id,
    name: ag.name,
    nameEn: ag.nameEn,
    businessMode: ag.businessMode,
    guaranteedToDate: t.guaranteedToDate,
    compensatedToDate: t.compensatedToDate,
    compensationRate: rate,
    warningLine,
    cap,
    status,
    actions: [...new Set(actions)],
    capHeadroom: roundFen(Math.max(0, cap * t.guaranteedToDate - t.compensatedToDate)),
    quota: {
      used: t.quotaUsed,
      banks: ag.bankIds.map((id) => {
        // The bank file's quota under this programme says what was used before the service; its loans add to it.
        const q = quotaUnder(
          banks.find((b) => b.id === id),
          ag.id,
        );
        const quota = q?.amount ?? 0;
        const used = roundFen((q?.used ?? 0) + (live.get(quotaKey(id, ag.id)) ?? 0));
        return { bankId: id, quota, used, available: roundFen(Math.max(0, quota - used)) };
      }),
    },
    loans: t.loans,
    defaults: t.defaults,
    updatedAt: t.updatedAt,
  };
}

const prefixed = (code: string, prefixes: readonly string[]) => prefixes.some((p) => code.startsWith(p));

/**
 * The programme's agreed standards a bank-approved loan must meet to be guaranteed at once (the batch
 * model's promise, domain.md §2.1): region, entity type, industry, amount and per-borrower cap, tenor,
 * sci-tech and no-refinance conditions. Every failed standard is listed (bilingual, stable code).
 */
export function standardsRefusals(ag: Agreement, loan: z.infer<typeof guaranteeLoan>): Refusal[] {
  const out: Refusal[] = [];
  const e = ag.eligibility;
  if (e.regions.length > 0 && !prefixed(loan.region, e.regions))
    out.push({
      code: 'region',
      zh: `注册地 ${loan.region} 不在协议区域`,
      en: `region ${loan.region} outside the programme's regions`,
    });
  if (!e.entityTypes.includes(loan.entityType))
    out.push({
      code: 'entity_type',
      zh: `主体类型 ${loan.entityType} 不在协议范围`,
      en: `entity type ${loan.entityType} outside the programme`,
    });
  if (prefixed(loan.industry, e.industriesExcluded))
    out.push({
      code: 'industry',
      zh: `行业 ${loan.industry} 为协议排除行业`,
      en: `industry ${loan.industry} excluded by the programme`,
    });
  if (loan.amount < e.amount.min || loan.amount > e.amount.max)
    out.push({
      code: 'amount',
      zh: `金额 ${loan.amount} 不在协议范围 ${e.amount.min}–${e.amount.max}`,
      en: `amount ${loan.amount} outside the programme's ${e.amount.min}–${e.amount.max}`,
    });
  if (loan.amount > ag.perBorrowerCap)
    out.push({
      code: 'per_borrower_cap',
      zh: `金额超过单户上限 ${ag.perBorrowerCap}`,
      en: `amount above the per-borrower cap ${ag.perBorrowerCap}`,
    });
  if (loan.tenorMonths < ag.tenorMonths.min || loan.tenorMonths > ag.tenorMonths.max)
    out.push({
      code: 'tenor',
      zh: `期限 ${loan.tenorMonths} 个月不在协议范围`,
      en: `tenor ${loan.tenorMonths} months outside the programme's ${ag.tenorMonths.min}–${ag.tenorMonths.max}`,
    });
  if (e.sciTechOnly && loan.highTech !== true && loan.specialised !== true)
    out.push({
      code: 'sci_tech',
      zh: '协议仅限高新技术或专精特新企业',
      en: 'the programme takes only high-tech or specialised (专精特新) firms',
    });
  if (e.noRefinance && loan.refinance === true)
    out.push({
      code: 'refinance',
      zh: '协议不接受展期或借新还旧',
      en: 'the programme takes no extension or refinancing',
    });
  return out;
}

/** The quota lines a batch guarantee is checked against, yuan (from the bank file, before the service). */
export interface QuotaLines {
  /** This bank's quota under this programme, and what it had used of it before the service. */
  readonly bank: { readonly amount: number; readonly usedBefore: number };
  /** The programme's line (its banks' quotas under it, summed) and what they had used of it before. */
  readonly programme: { readonly amount: number; readonly usedBefore: number };
}

/** A programme's line: the quotas its signed banks hold under it, and their use before the service. */
export function programmeLines(ag: Agreement, banks: readonly Bank[], bankId: string): QuotaLines {
  const mine = quotaUnder(
    banks.find((b) => b.id === bankId),
    ag.id,
  );
  let amount = 0;
  let usedBefore = 0;
  for (const id of ag.bankIds) {
    const q = quotaUnder(
      banks.find((b) => b.id === id),
      ag.id,
    );
    amount += q?.amount ?? 0;
    usedBefore += q?.used ?? 0;
  }
  return {
    bank: { amount: mine?.amount ?? 0, usedBefore: mine?.used ?? 0 },
    programme: { amount: roundFen(amount), usedBefore: roundFen(usedBefore) },
  };
}

const pct = (x: number) => (x * 100).toFixed(2);

/**
 * The room check run inside the store's transaction on the programme's locked totals: no new business once
 * the rate has reached a line whose action pauses it; this bank's use under this programme (before the
 * service, plus its loans in force there) must leave room for the amount within its quota there; and the
 * programme's total use (all its banks) must stay within the programme's line. Like is compared with like,
 * and the refusal says which line is full.
 */
export function roomRefusal(
  ag: Agreement,
  t: ProgrammeTotals,
  bankInForce: number,
  amount: number,
  lines: QuotaLines,
): Refusal | null {
  const rate = t.guaranteedToDate > 0 ? t.compensatedToDate / t.guaranteedToDate : 0;
  const { cap, warningLine, onWarning } = ag.compensation;
  if (t.compensatedToDate > 0 && rate >= cap)
    return {
      code: 'cap_reached',
      zh: `代偿率 ${pct(rate)}% 已达上限 ${pct(cap)}%`,
      en: `compensation rate ${pct(rate)}% has reached the cap ${pct(cap)}%`,
    };
  if (t.compensatedToDate > 0 && rate >= warningLine && onWarning === 'pause_new_business')
    return {
      code: 'warning_pause',
      zh: `代偿率 ${pct(rate)}% 达预警线，暂停新增业务`,
      en: `compensation rate ${pct(rate)}% at the warning line: new business paused`,
    };
  const bankUsed = roundFen(lines.bank.usedBefore + bankInForce);
  if (bankUsed + amount > lines.bank.amount + 1e-6)
    return {
      code: 'bank_quota',
      zh: `本行在该项目下额度不足（已用 ${bankUsed}，额度 ${lines.bank.amount}）`,
      en: `no room in this bank's quota under the programme (used ${bankUsed} of ${lines.bank.amount})`,
    };
  const programmeUsed = roundFen(lines.programme.usedBefore + t.quotaUsed);
  if (programmeUsed + amount > lines.programme.amount + 1e-6)
    return {
      code: 'programme_quota',
      zh: `项目总额度不足（已用 ${programmeUsed}，总额度 ${lines.programme.amount}）`,
      en: `no room in the programme's line (used ${programmeUsed} of ${lines.programme.amount})`,
    };
  return null;
}
