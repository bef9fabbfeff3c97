import type { z } from 'zod';
import { RiskError } from '../core/errors.js';
import type { Assessment, Bilingual } from '../decisions/assessment.js';
import {
  type Agreement,
  type ApprovalLine,
  type Bank,
  type lineConditionSchema,
  RISK_GRADES,
} from '../ingest/partners.js';

/**
 * Hard eligibility of a borrower for a bank under an agreement (domain.md §2.1, §8): region, entity type,
 * industry, amount (within the approval lines open to the borrower), tenor, risk appetite, business mode, a quota
 * under the programme and the programme's conditions. Every failed rule is kept
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
 * The requested tenor of a candidate. Candidates always carry a request (`candidateReason` excludes the rest),
 * so a missing one here is a programming error, not a silent zero.
 * @throws E_MATCH_INPUT when the assessment has no request
 */
export function requestedTenor(a: Assessment): number {
  if (a.request === null)
    throw new RiskError('E_MATCH_INPUT', `assessment ${a.id} has no loan request: it cannot be matched`);
  return a.request.tenorMonths;
}

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
  if (a.request === null)
    return {
      rule: 'request',
      by: 'assessment',
      value: 'none',
      limit: 'a loan request (amount, tenor)',
      zh: '无贷款申请（金额、期限），无法匹配银行',
      en: 'no loan request (amount, tenor) to match a bank on',
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

/** Whether a borrower meets one approval-line condition (every field given must hold). */
function meets(a: Assessment, c: z.infer<typeof lineConditionSchema>): boolean {
  const b = a.borrower;
  if (c.sciTech === true && !b.highTech && !b.specialised) return false;
  if (c.industries !== undefined && !matchesPrefix(b.industry, c.industries)) return false;
  if (c.minAnnualSales !== undefined && (b.annualSales === null || b.annualSales < c.minAnnualSales))
    return false;
  return true;
}

/** The most a bank's approval lines let it lend this borrower: the highest line open to it (0 if none). */
export function approvalCap(a: Assessment, bank: Bank): number {
  let cap = 0;
  for (const l of bank.approvalLines)
    if (l.requires.length === 0 || l.requires.some((c) => meets(a, c))) cap = Math.max(cap, l.upTo);
  return cap;
}

/** The approval line an amount falls on: the first whose `upTo` reaches it. */
export function approvalLineFor(bank: Bank, amount: number): ApprovalLine | undefined {
  return bank.approvalLines.find((l) => amount <= l.upTo);
}

/** What can set a pair's amount, in the order they are checked (ties go to the first). */
export const AMOUNT_BINDINGS = [
  'assessment.limit',
  'bank.amount',
  'bank.perBorrower',
  'bank.approvalLine',
  'agreement.perBorrowerCap',
  'agreement.amount',
] as const;

/**
 * The amount a pair would lend: the assessment's limit within the bank's maximum, its per-borrower
 * concentration limit and the highest approval line open to the borrower, and the programme's caps; with the
 * rule that set it.
 */
export function pairAmountWithBinding(
  a: Assessment,
  bank: Bank,
  ag: Agreement,
): { amount: number; binding: (typeof AMOUNT_BINDINGS)[number] } {
  const caps = [
    a.limit?.amount ?? 0,
    bank.amount.max,
    bank.concentration.perBorrower,
    approvalCap(a, bank),
    ag.perBorrowerCap,
    ag.eligibility.amount.max,
  ];
  let k = 0;
  for (let i = 1; i < caps.length; i++) if ((caps[i] as number) < (caps[k] as number)) k = i;
  return { amount: caps[k] as number, binding: AMOUNT_BINDINGS[k] as (typeof AMOUNT_BINDINGS)[number] };
}

/** The amount a pair would lend (see pairAmountWithBinding). */
export function pairAmount(a: Assessment, bank: Bank, ag: Agreement): number {
  return pairAmountWithBinding(a, bank, ag).amount;
}

/**
 * What the bank must still check for an eligible pair, which the assessment cannot settle: that a loan under a
 * no-refinance programme is new money (蜀担快贷: not an extension 展期 or 借新还旧, domain.md §2.1; only a
 * first-time borrower, 首贷户, has nothing to extend), and the on-site visit of a high approval line (§8).
 */
export function conditions(a: Assessment, bank: Bank, ag: Agreement): Bilingual[] {
  const out: Bilingual[] = [];
  if (ag.eligibility.noRefinance && !a.borrower.firstLoan)
    out.push({
      zh: '银行核实本笔贷款非展期、非借新还旧（协议要求）',
      en: 'the bank verifies the loan is not an extension or a refinance (the programme requires it)',
    });
  const line = approvalLineFor(bank, pairAmount(a, bank, ag));
  if (line?.process === 'on_site_visit')
    out.push({
      zh: `金额超过线上审批线，需实地走访（审批线 ${line.upTo / 10_000} 万）`,
      en: `above the online line: an on-site visit (approval line up to ${line.upTo / 10_000}万)`,
    });
  return out;
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
  if (!bank.quotas.some((q) => q.agreementId === ag.id))
    add(
      'bank.quota',
      'bank',
      ag.id,
      bank.quotas.map((q) => q.agreementId).join(','),
      `银行在协议 ${ag.id} 下无额度`,
      `bank has no quota under ${ag.id}`,
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
  const { amount, binding } = pairAmountWithBinding(a, bank, ag);
  if (amount < bank.amount.min)
    add(
      'bank.amount',
      'bank',
      `${amount} (${binding})`,
      `≥ ${bank.amount.min}`,
      `金额 ${amount}（受 ${binding} 限制）低于银行下限`,
      `amount ${amount} (set by ${binding}) below the bank's minimum`,
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
  const t = requestedTenor(a);
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
