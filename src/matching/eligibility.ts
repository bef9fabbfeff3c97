import type { Assessment } from '../decisions/assessment.js';
import { type Agreement, type Bank, RISK_GRADES } from '../ingest/partners.js';

/**
 * Hard eligibility of a borrower for a bank under an agreement (domain.md §2.1, §8): region, entity type,
 * industry, amount, tenor, risk appetite, business mode and programme conditions. Every failed rule is kept
 * with the borrower's value and the rule, in Chinese and English, so a bank can see why it got (or did not get)
 * a referral. Ineligibility is a result, not an error.
 */

/** One reason a pair is excluded. */
export interface Exclusion {
  readonly rule: string;
  readonly by: 'bank' | 'agreement' | 'assessment';
  readonly value: string;
  readonly limit: string;
  readonly zh: string;
  readonly en: string;
}

const matchesPrefix = (code: string | null, prefixes: readonly string[]) =>
  code !== null && prefixes.some((p) => code.startsWith(p));

/**
 * Why an assessment is not a candidate at all: only `approve` with a positive limit is (others are counted).
 * @returns null for a candidate, else the reason
 */
export function candidateReason(a: Assessment): Exclusion | null {
  if (a.decision !== 'approve')
    return {
      rule: 'decision',
      by: 'assessment',
      value: a.decision,
      limit: 'approve',
      zh: `评估结论为 ${a.decision}，非准入`,
      en: `decision is ${a.decision}, not approve`,
    };
  if (a.limit === null || a.limit.amount <= 0)
    return {
      rule: 'limit',
      by: 'assessment',
      value: String(a.limit?.amount ?? 0),
      limit: '> 0',
      zh: '授信额度为零',
      en: 'no positive credit limit',
    };
  return null;
}

/** The amount a pair would lend: the limit within the bank's and the programme's caps. */
export function pairAmount(a: Assessment, bank: Bank, ag: Agreement): number {
  const limit = a.limit?.amount ?? 0;
  return Math.min(limit, bank.amount.max, ag.perBorrowerCap, ag.eligibility.amount.max);
}

/**
 * All exclusions of one borrower × bank × agreement (empty = eligible).
 * @example eligibility(assessment, bank, agreement).map((e) => e.en)
 */
export function eligibility(a: Assessment, bank: Bank, ag: Agreement): Exclusion[] {
  const out: Exclusion[] = [];
  const add = (rule: string, by: Exclusion['by'], value: unknown, limit: string, zh: string, en: string) =>
    out.push({ rule, by, value: String(value), limit, zh, en });
  const b = a.borrower;
  if (!ag.bankIds.includes(bank.id))
    add(
      'agreement.bank',
      'agreement',
      bank.id,
      ag.bankIds.join(','),
      `银行未签署协议 ${ag.id}`,
      `bank has not signed ${ag.id}`,
    );
  if (!bank.businessModes.includes(ag.businessMode))
    add(
      'bank.businessMode',
      'bank',
      ag.businessMode,
      bank.businessModes.join(','),
      `银行不做 ${ag.businessMode} 模式`,
      `bank does not take ${ag.businessMode} business`,
    );
  if (bank.regions.length > 0 && !matchesPrefix(b.region, bank.regions))
    add(
      'bank.region',
      'bank',
      b.region,
      bank.regions.join(','),
      `注册地 ${b.region} 不在银行区域`,
      `region ${b.region} outside the bank's regions`,
    );
  if (ag.eligibility.regions.length > 0 && !matchesPrefix(b.region, ag.eligibility.regions))
    add(
      'agreement.region',
      'agreement',
      b.region,
      ag.eligibility.regions.join(','),
      `注册地 ${b.region} 不在协议区域`,
      `region ${b.region} outside the programme's regions`,
    );
  if (b.entityType === null || !bank.entityTypes.includes(b.entityType))
    add(
      'bank.entityType',
      'bank',
      b.entityType,
      bank.entityTypes.join(','),
      `主体类型 ${b.entityType} 银行不受理`,
      `entity type ${b.entityType} not taken by the bank`,
    );
  if (b.entityType === null || !ag.eligibility.entityTypes.includes(b.entityType))
    add(
      'agreement.entityType',
      'agreement',
      b.entityType,
      ag.eligibility.entityTypes.join(','),
      `主体类型 ${b.entityType} 不在协议范围`,
      `entity type ${b.entityType} outside the programme`,
    );
  if (matchesPrefix(b.industry, bank.industries.excluded))
    add(
      'bank.industry',
      'bank',
      b.industry,
      bank.industries.excluded.join(','),
      `行业 ${b.industry} 为银行排除行业`,
      `industry ${b.industry} excluded by the bank`,
    );
  if (matchesPrefix(b.industry, ag.eligibility.industriesExcluded))
    add(
      'agreement.industry',
      'agreement',
      b.industry,
      ag.eligibility.industriesExcluded.join(','),
      `行业 ${b.industry} 为协议排除行业`,
      `industry ${b.industry} excluded by the programme`,
    );
  const amount = pairAmount(a, bank, ag);
  if (amount < bank.amount.min)
    add(
      'bank.amount',
      'bank',
      amount,
      `≥ ${bank.amount.min}`,
      `金额 ${amount} 低于银行下限`,
      `amount ${amount} below the bank's minimum`,
    );
  if (amount < ag.eligibility.amount.min)
    add(
      'agreement.amount',
      'agreement',
      amount,
      `≥ ${ag.eligibility.amount.min}`,
      `金额 ${amount} 低于协议下限`,
      `amount ${amount} below the programme's minimum`,
    );
  const t = a.request.tenorMonths;
  if (t < bank.tenorMonths.min || t > bank.tenorMonths.max)
    add(
      'bank.tenor',
      'bank',
      t,
      `${bank.tenorMonths.min}-${bank.tenorMonths.max}`,
      `期限 ${t} 个月超出银行范围`,
      `tenor ${t} months outside the bank's range`,
    );
  if (t < ag.tenorMonths.min || t > ag.tenorMonths.max)
    add(
      'agreement.tenor',
      'agreement',
      t,
      `${ag.tenorMonths.min}-${ag.tenorMonths.max}`,
      `期限 ${t} 个月超出协议范围`,
      `tenor ${t} months outside the programme's range`,
    );
  if (bank.risk.maxPd !== undefined && (a.pd === null || a.pd > bank.risk.maxPd))
    add(
      'bank.maxPd',
      'bank',
      a.pd,
      `≤ ${bank.risk.maxPd}`,
      `违约概率 ${a.pd} 高于银行上限`,
      `PD ${a.pd} above the bank's maximum`,
    );
  if (
    bank.risk.worstGrade !== undefined &&
    (a.grade === null || RISK_GRADES.indexOf(a.grade) > RISK_GRADES.indexOf(bank.risk.worstGrade))
  )
    add(
      'bank.grade',
      'bank',
      a.grade,
      `≥ ${bank.risk.worstGrade}`,
      `评级 ${a.grade} 低于银行要求`,
      `grade ${a.grade} worse than the bank's ${bank.risk.worstGrade}`,
    );
  if (bank.risk.noCurrentOverdue && b.currentOverdue !== false)
    add(
      'bank.overdue',
      'bank',
      b.currentOverdue,
      'false',
      '征信有当前逾期或未知',
      'current overdue in the credit report (or unknown)',
    );
  if (ag.eligibility.sciTechOnly && !b.highTech && !b.specialised)
    add(
      'agreement.sciTech',
      'agreement',
      false,
      'high-tech or 专精特新',
      '非高新或专精特新企业',
      'not a high-tech or specialised firm',
    );
  return out;
}
