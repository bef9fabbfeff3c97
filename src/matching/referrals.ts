import { z } from 'zod';
import type { Assessment, Bilingual } from '../decisions/assessment.js';
import { type Agreement, APPROVAL_PROCESSES, type Bank, RISK_GRADES } from '../ingest/partners.js';
import type { PairEconomics } from './economics.js';
import {
  AMOUNT_BINDINGS,
  approvalLineFor,
  conditions,
  pairAmountWithBinding,
  requestedTenor,
} from './eligibility.js';
import type { BuiltProblem } from './match.js';
import { wan } from './money.js';
import type { AssignmentSolution } from './optimiser/problem.js';

const text = z.object({ zh: z.string(), en: z.string() }).strict();

/** One referral: a borrower sent to a bank under an agreement, with its money and why this bank. */
export const referralSchema = z
  .object({
    assessmentId: z.string(),
    borrowerId: z.string(),
    rank: z.number().int().min(1),
    bankId: z.string(),
    agreementId: z.string(),
    amount: z.number().nonnegative(),
    /** The rule that set the amount (the assessment's limit, a bank or programme cap, an approval line). */
    amountBinding: z.enum(AMOUNT_BINDINGS),
    /** The bank's approval line the amount falls on. */
    approval: z.object({ process: z.enum(APPROVAL_PROCESSES), upTo: z.number() }).strict(),
    rate: z.object({ min: z.number(), max: z.number(), offered: z.number() }).strict(),
    feeRate: z.number().nonnegative(),
    pd: z.number().min(0).max(1),
    grade: z.enum(RISK_GRADES).nullable(),
    expectedLoss: z.number(),
    lossByParty: z.array(z.object({ role: z.string(), name: z.string(), amount: z.number() }).strict()),
    expectedCompensation: z.number(),
    guarantorNetValue: z.number(),
    bankMargin: z.number(),
    borrowerAllIn: z.number(),
    value: z.number(),
    reasons: z.array(text),
    /** The bank's preferences this borrower met, each with the borrower's value and the bank's rule. */
    preferences: z.array(
      z.object({ rule: z.string(), value: z.string(), bankRule: z.string(), text }).strict(),
    ),
    /** What the bank still checks before lending (e.g. not a refinance under a no-refinance programme). */
    conditions: z.array(text),
    alternatives: z.array(
      z
        .object({
          bankId: z.string(),
          agreementId: z.string(),
          why: z.enum(['lower_objective', 'capacity', 'ineligible']),
          value: z.number().nullable(),
          detail: z.array(text),
        })
        .strict(),
    ),
  })
  .strict();
/** One referral (see `referralSchema`). */
export type Referral = z.infer<typeof referralSchema>;

/**
 * Reads a solution back into referrals: for each chosen pair the bank, money and reasons; for each
 * borrower's other options why they lost (lower objective, a full quota / cap / concentration row, or
 * ineligible with the rule).
 */
export function toReferrals(built: BuiltProblem, sol: AssignmentSolution): Referral[] {
  const p = built.problem;
  const chosen = new Set(sol.chosen);
  const used = new Float64Array(p.capacity.length);
  for (const q of sol.chosen)
    for (let u = p.usageStart[q] ?? 0; u < (p.usageStart[q + 1] ?? 0); u++)
      used[p.usageRow[u] ?? 0] = (used[p.usageRow[u] ?? 0] ?? 0) + (p.usageCoef[u] ?? 0);
  const out: Referral[] = [];
  for (let b = 0; b < p.nBorrowers; b++) {
    const a = built.candidates[b];
    if (a === undefined) continue;
    const lo = p.pairStart[b] ?? 0;
    const hi = p.pairStart[b + 1] ?? 0;
    const picks: number[] = [];
    for (let q = lo; q < hi; q++) if (chosen.has(q)) picks.push(q);
    picks.sort((x, y) => (p.value[y] ?? 0) - (p.value[x] ?? 0) || x - y);
    const best = picks.length > 0 ? (p.value[picks[0] ?? 0] ?? 0) : Number.POSITIVE_INFINITY;
    picks.forEach((q, rank) => {
      const opt = built.options[p.pairOption[q] ?? 0];
      const e = built.economics[q];
      if (opt === undefined || e === undefined) return;
      const alternatives: Referral['alternatives'] = [];
      for (let r = lo; r < hi; r++) {
        if (chosen.has(r)) continue;
        const o2 = built.options[p.pairOption[r] ?? 0];
        if (o2 === undefined) continue;
        const v = p.value[r] ?? 0;
        let full: string | null = null;
        for (let u = p.usageStart[r] ?? 0; u < (p.usageStart[r + 1] ?? 0); u++) {
          const row = p.usageRow[u] ?? 0;
          if (
            (p.usageCoef[u] ?? 0) > 0 &&
            (used[row] ?? 0) + (p.usageCoef[u] ?? 0) > (p.capacity[row] ?? 0) + 1e-6
          )
            full = p.rowNames[row] ?? null;
        }
        alternatives.push(
          full !== null && v >= best
            ? {
                bankId: o2.bank.id,
                agreementId: o2.agreement.id,
                why: 'capacity',
                value: v,
                detail: [describeFullRow(full)],
              }
            : {
                bankId: o2.bank.id,
                agreementId: o2.agreement.id,
                why: 'lower_objective',
                value: v,
                detail: [
                  v < best
                    ? {
                        zh: `目标值 ${v.toFixed(2)} 低于所选 ${best.toFixed(2)}`,
                        en: `objective ${v.toFixed(2)} below the chosen ${best.toFixed(2)}`,
                      }
                    : {
                        zh: `目标值 ${v.toFixed(2)} 不低于所选，但整体最优将其额度留给他人`,
                        en: `objective ${v.toFixed(2)} not below the chosen, but the whole-batch optimum keeps its room for others`,
                      },
                ],
              },
        );
      }
      for (const ex of built.excluded[b] ?? []) {
        const o2 = built.options[ex.option];
        if (o2 !== undefined)
          alternatives.push({
            bankId: o2.bank.id,
            agreementId: o2.agreement.id,
            why: 'ineligible',
            value: null,
            detail: ex.reasons.map((x) => ({ zh: x.zh, en: x.en })),
          });
      }
      const prefs = preferences(a, opt.bank, opt.agreement, e);
      const { binding } = pairAmountWithBinding(a, opt.bank, opt.agreement);
      const line = approvalLineFor(opt.bank, e.amount) ?? opt.bank.approvalLines.at(-1);
      out.push({
        assessmentId: a.id,
        borrowerId: a.borrower.id,
        rank: rank + 1,
        bankId: opt.bank.id,
        agreementId: opt.agreement.id,
        amount: e.amount,
        amountBinding: binding,
        approval: { process: line?.process ?? 'on_site_visit', upTo: line?.upTo ?? e.amount },
        rate: { min: e.rateRange.min, max: e.rateRange.max, offered: e.rate },
        feeRate: e.feeRate,
        pd: e.pd,
        grade: a.grade,
        expectedLoss: e.expectedLoss,
        lossByParty: [...e.lossByParty],
        expectedCompensation: e.expectedCompensation,
        guarantorNetValue: e.guarantorNetValue,
        bankMargin: e.bankMargin,
        borrowerAllIn: e.borrowerAllIn,
        value: p.value[q] ?? 0,
        reasons: [
          {
            zh: `${opt.bank.name}：${prefs.length} 项准入偏好均满足，${opt.agreement.name} 下目标值最优`,
            en: `${opt.bank.nameEn}: all ${prefs.length} preferences met; best objective under ${opt.agreement.nameEn}`,
          },
          ...prefs.filter((x) => x.rule === 'bank.industry.preferred').map((x) => x.text),
        ],
        preferences: prefs,
        conditions: conditions(a, opt.bank, opt.agreement),
        alternatives,
      });
    });
  }
  return out;
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

/** A full row of the problem in words (row names are built in match.ts: quota:, cap:, conc:…:industry|region:). */
export function describeFullRow(row: string): Bilingual {
  const [kind, a, b, c] = row.split(':');
  if (kind === 'quota') return { zh: `${a} 在 ${b} 下的额度已用满`, en: `no quota left at ${a} under ${b}` };
  if (kind === 'cap')
    return {
      zh: `${a} 的预期代偿率已到安全线`,
      en: `${a}'s expected compensation rate is at its safety line`,
    };
  if (kind === 'conc' && b === 'industry')
    return {
      zh: `${a} 在行业 ${c} 的集中度已满`,
      en: `${a}'s concentration limit for industry ${c} is reached`,
    };
  if (kind === 'conc' && b === 'region')
    return {
      zh: `${a} 在地区 ${c} 的集中度已满`,
      en: `${a}'s concentration limit for region ${c} is reached`,
    };
  return { zh: `约束已满：${row}`, en: `no room in ${row}` };
}

/**
 * The bank's preferences a borrower met for this pair, each with the borrower's value and the bank's rule, in
 * both languages: region, industry, entity type, amount and tenor ranges, risk appetite, business mode, quota
 * under the programme and the rate band (domain.md §8).
 */
export function preferences(
  a: Assessment,
  bank: Bank,
  ag: Agreement,
  e: PairEconomics,
): { rule: string; value: string; bankRule: string; text: Bilingual }[] {
  const b = a.borrower;
  const out: { rule: string; value: string; bankRule: string; text: Bilingual }[] = [];
  const add = (rule: string, value: unknown, bankRule: string, zh: string, en: string) =>
    out.push({ rule, value: String(value), bankRule, text: { zh, en } });
  const regions = bank.regions.length === 0 ? 'nationwide' : bank.regions.join(',');
  add(
    'bank.region',
    b.region,
    regions,
    `注册地 ${b.region} 在银行区域 ${regions}`,
    `region ${b.region} within ${regions}`,
  );
  const pref = bank.industries.preferred.find((x) => (b.industry ?? '').startsWith(x));
  if (pref !== undefined)
    add(
      'bank.industry.preferred',
      b.industry,
      pref,
      `行业 ${b.industry} 属银行偏好行业 ${pref}`,
      `industry ${b.industry} is one the bank prefers (${pref})`,
    );
  else
    add(
      'bank.industry',
      b.industry,
      `not ${bank.industries.excluded.join(',')}`,
      `行业 ${b.industry} 不在银行排除行业`,
      `industry ${b.industry} not excluded by the bank`,
    );
  add(
    'bank.entityType',
    b.entityType,
    bank.entityTypes.join(','),
    `主体类型 ${b.entityType} 银行受理`,
    `entity type ${b.entityType} taken by the bank`,
  );
  const range = `${wan(bank.amount.min)}–${wan(bank.amount.max)}万`;
  add(
    'bank.amount',
    wan(e.amount),
    range,
    `金额 ${wan(e.amount)} 万在 ${range}`,
    `amount ${wan(e.amount)}万 within ${range}`,
  );
  const t = requestedTenor(a);
  const tenors = `${bank.tenorMonths.min}-${bank.tenorMonths.max}`;
  add('bank.tenor', t, tenors, `期限 ${t} 个月在 ${tenors} 个月内`, `tenor ${t} months within ${tenors}`);
  if (bank.risk.maxPd !== undefined)
    add(
      'bank.maxPd',
      pct(e.pd),
      `≤ ${pct(bank.risk.maxPd)}`,
      `违约概率 ${pct(e.pd)} 不高于 ${pct(bank.risk.maxPd)}`,
      `PD ${pct(e.pd)} at most ${pct(bank.risk.maxPd)}`,
    );
  if (bank.risk.worstGrade !== undefined)
    add(
      'bank.grade',
      a.grade,
      `≥ ${bank.risk.worstGrade}`,
      `评级 ${a.grade} 不低于 ${bank.risk.worstGrade}`,
      `grade ${a.grade} no worse than ${bank.risk.worstGrade}`,
    );
  if (bank.risk.noCurrentOverdue)
    add(
      'bank.overdue',
      false,
      'no current overdue',
      '征信无当前逾期',
      'no current overdue in the credit report',
    );
  add(
    'bank.businessMode',
    ag.businessMode,
    bank.businessModes.join(','),
    `银行承做 ${ag.businessMode} 模式`,
    `the bank takes ${ag.businessMode} business`,
  );
  const q = bank.quotas.find((x) => x.agreementId === ag.id);
  if (q !== undefined)
    add(
      'bank.quota',
      `${wan(q.amount - q.used)}万 left`,
      `${wan(q.amount)}万 under ${ag.id}`,
      `协议 ${ag.id} 下额度剩余 ${wan(q.amount - q.used)} 万（共 ${wan(q.amount)} 万）`,
      `quota under ${ag.id}: ${wan(q.amount - q.used)}万 left of ${wan(q.amount)}万`,
    );
  add(
    'bank.rate',
    pct(e.rate),
    `LPR${bank.rate.reference} ${bank.rate.floorSpread >= 0 ? '+' : ''}${(bank.rate.floorSpread * 1e4).toFixed(0)}bp … +${(bank.rate.capSpread * 1e4).toFixed(0)}bp`,
    `利率 ${pct(e.rate)}，在 ${pct(e.rateRange.min)}–${pct(e.rateRange.max)} 之间`,
    `rate ${pct(e.rate)} within ${pct(e.rateRange.min)}–${pct(e.rateRange.max)}`,
  );
  return out;
}

/** One bank × agreement line of a match summary: referrals, amount, quota use and expected compensation. */
export interface SummaryLine {
  readonly bankId: string;
  readonly agreementId: string;
  readonly count: number;
  readonly amount: number;
  /** The quota under the agreement, what was used before this batch, and the share used after it. */
  readonly quota: number;
  readonly usedBefore: number;
  readonly usedAfter: number;
  /** Σ expected compensation ÷ Σ amount of these referrals. */
  readonly expectedRate: number;
  readonly cap: number;
}

/** Per programme: the batch's expected compensation rate against the cap and the planning line (cap × safety). */
export interface ProgrammeLine {
  readonly agreementId: string;
  readonly count: number;
  readonly amount: number;
  readonly expectedRate: number;
  readonly cap: number;
  readonly line: number;
  readonly paused: boolean;
}

/**
 * Sums referrals per bank × agreement (with quota use before and after) and per programme (expected
 * compensation rate against the cap), from the referrals alone, so it doubles as a recount.
 */
export function summarise(
  refs: readonly Referral[],
  banks: readonly Bank[],
  agreements: readonly Agreement[],
  safetyFactor: number,
  paused: readonly string[] = [],
): { banks: SummaryLine[]; programmes: ProgrammeLine[] } {
  const key = (b: string, a: string) => `${b}\u0000${a}`;
  const sums = new Map<string, { count: number; amount: number; ec: number }>();
  for (const r of refs) {
    for (const k of [key(r.bankId, r.agreementId), key('', r.agreementId)]) {
      const s = sums.get(k) ?? { count: 0, amount: 0, ec: 0 };
      sums.set(k, { count: s.count + 1, amount: s.amount + r.amount, ec: s.ec + r.expectedCompensation });
    }
  }
  const capOf = new Map(agreements.map((a) => [a.id, a.compensation.cap]));
  const bankLines: SummaryLine[] = [];
  for (const b of banks)
    for (const q of b.quotas) {
      const s = sums.get(key(b.id, q.agreementId)) ?? { count: 0, amount: 0, ec: 0 };
      bankLines.push({
        bankId: b.id,
        agreementId: q.agreementId,
        count: s.count,
        amount: s.amount,
        quota: q.amount,
        usedBefore: q.used,
        usedAfter: q.used + s.amount,
        expectedRate: s.amount > 0 ? s.ec / s.amount : 0,
        cap: capOf.get(q.agreementId) ?? 0,
      });
    }
  const programmes = agreements.map((a) => {
    const s = sums.get(key('', a.id)) ?? { count: 0, amount: 0, ec: 0 };
    return {
      agreementId: a.id,
      count: s.count,
      amount: s.amount,
      expectedRate: s.amount > 0 ? s.ec / s.amount : 0,
      cap: a.compensation.cap,
      line: a.compensation.cap * safetyFactor,
      paused: paused.includes(a.id),
    };
  });
  return { banks: bankLines, programmes };
}
