import { z } from 'zod';
import { RISK_GRADES } from '../ingest/partners.js';
import type { BuiltProblem } from './match.js';
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
                detail: [{ zh: `额度已满：${full}`, en: `no room in ${full}` }],
              }
            : {
                bankId: o2.bank.id,
                agreementId: o2.agreement.id,
                why: 'lower_objective',
                value: v,
                detail: [
                  {
                    zh: `目标值 ${v.toFixed(2)} 较低`,
                    en: `objective ${v.toFixed(2)} is lower or the global optimum preferred another bank`,
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
      const reasons = [
        {
          zh: `银行区域、行业、主体类型、金额与期限均符合`,
          en: 'region, industry, entity type, amount and tenor fit the bank',
        },
        ...(opt.bank.industries.preferred.some((x) => (a.borrower.industry ?? '').startsWith(x))
          ? [
              {
                zh: `行业 ${a.borrower.industry} 为银行偏好行业`,
                en: `industry ${a.borrower.industry} is one the bank prefers`,
              },
            ]
          : []),
        {
          zh: `违约概率 ${(e.pd * 100).toFixed(2)}% 在银行风险偏好内`,
          en: `PD ${(e.pd * 100).toFixed(2)}% within the bank's appetite`,
        },
      ];
      out.push({
        assessmentId: a.id,
        borrowerId: a.borrower.id,
        rank: rank + 1,
        bankId: opt.bank.id,
        agreementId: opt.agreement.id,
        amount: e.amount,
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
        reasons,
        alternatives,
      });
    });
  }
  return out;
}
