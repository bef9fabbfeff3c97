import type { Assessment } from '../../src/decisions/assessment.js';
import { type Agreement, type Bank, RISK_GRADES } from '../../src/ingest/partners.js';
import type { Referral } from '../../src/matching/referrals.js';

/** Programme totals to date, as given to buildProblem. */
type ToDate = Readonly<Record<string, { guaranteed: number; compensated: number }>>;

const starts = (code: string | null, prefixes: readonly string[]) =>
  code !== null && prefixes.some((p) => code.startsWith(p));

/**
 * Recounts every constraint from the referrals and the raw bank, agreement and assessment data, written apart
 * from the problem build on purpose: quota per bank × agreement (less its use), each programme's expected
 * compensation rate against cap × safety, industry and region concentration per bank (less exposure), the
 * per-borrower limit and approval lines, the referrals per borrower, and each referral's hard eligibility.
 * Returns one line per broken rule (empty = all hold).
 */
export function recountViolations(
  refs: readonly Referral[],
  assessments: readonly Assessment[],
  banks: readonly Bank[],
  agreements: readonly Agreement[],
  o: { safetyFactor: number; topK: number; toDate?: ToDate },
): string[] {
  const bad: string[] = [];
  const byId = new Map(assessments.map((a) => [a.id, a]));
  const bankOf = new Map(banks.map((b) => [b.id, b]));
  const agOf = new Map(agreements.map((a) => [a.id, a]));
  const sum = new Map<string, number>();
  const addTo = (k: string, v: number) => sum.set(k, (sum.get(k) ?? 0) + v);
  const perBorrower = new Map<string, number>();
  const tol = (x: number) => 1e-6 * Math.max(1, Math.abs(x));
  for (const r of refs) {
    const a = byId.get(r.assessmentId);
    const bank = bankOf.get(r.bankId);
    const ag = agOf.get(r.agreementId);
    if (a === undefined || bank === undefined || ag === undefined) {
      bad.push(`${r.assessmentId}: unknown assessment, bank or agreement`);
      continue;
    }
    const b = a.borrower;
    perBorrower.set(a.id, (perBorrower.get(a.id) ?? 0) + 1);
    addTo(`quota|${bank.id}|${ag.id}`, r.amount);
    addTo(`ec|${ag.id}`, r.expectedCompensation);
    addTo(`amt|${ag.id}`, r.amount);
    addTo(`ind|${bank.id}|${(b.industry ?? '?').slice(0, 1)}`, r.amount);
    addTo(`reg|${bank.id}|${(b.region ?? '?').slice(0, bank.concentration.regionDigits)}`, r.amount);
    // Hard eligibility, rule by rule.
    const why: string[] = [];
    if (a.decision !== 'approve') why.push('not approved');
    if (!ag.bankIds.includes(bank.id)) why.push('agreement not signed by the bank');
    if (!bank.quotas.some((q) => q.agreementId === ag.id)) why.push('no quota');
    if (!bank.businessModes.includes(ag.businessMode)) why.push('business mode');
    if (bank.regions.length > 0 && !starts(b.region, bank.regions)) why.push('bank region');
    if (ag.eligibility.regions.length > 0 && !starts(b.region, ag.eligibility.regions))
      why.push('programme region');
    if (b.entityType === null || !bank.entityTypes.includes(b.entityType)) why.push('bank entity type');
    if (b.entityType === null || !ag.eligibility.entityTypes.includes(b.entityType))
      why.push('programme entity type');
    if (starts(b.industry, bank.industries.excluded)) why.push('bank industry');
    if (starts(b.industry, ag.eligibility.industriesExcluded)) why.push('programme industry');
    if (a.request === null) {
      why.push('no request');
      return why;
    }
    const t = a.request.tenorMonths;
    if (t < bank.tenorMonths.min || t > bank.tenorMonths.max) why.push('bank tenor');
    if (t < ag.tenorMonths.min || t > ag.tenorMonths.max) why.push('programme tenor');
    if (bank.risk.maxPd !== undefined && (a.pd === null || a.pd > bank.risk.maxPd)) why.push('PD');
    if (
      bank.risk.worstGrade !== undefined &&
      (a.grade === null || RISK_GRADES.indexOf(a.grade) > RISK_GRADES.indexOf(bank.risk.worstGrade))
    )
      why.push('grade');
    if (bank.risk.noCurrentOverdue && b.currentOverdue !== false) why.push('current overdue');
    if (ag.eligibility.sciTechOnly && !b.highTech && !b.specialised) why.push('sci-tech only');
    // Amount: within the limit, the bank's and programme's ranges, the per-borrower limit and an open line.
    const open = bank.approvalLines.filter(
      (l) =>
        l.requires.length === 0 ||
        l.requires.some(
          (c) =>
            (c.sciTech !== true || b.highTech || b.specialised) &&
            (c.industries === undefined || starts(b.industry, c.industries)) &&
            (c.minAnnualSales === undefined || (b.annualSales ?? -1) >= c.minAnnualSales),
        ),
    );
    const lineCap = Math.max(0, ...open.map((l) => l.upTo));
    const x = r.amount;
    if (x > (a.limit?.amount ?? 0) + 0.005) why.push('above the limit');
    if (x < bank.amount.min || x > bank.amount.max) why.push('bank amount range');
    if (x < ag.eligibility.amount.min || x > ag.eligibility.amount.max) why.push('programme amount range');
    if (x > ag.perBorrowerCap) why.push('programme per-borrower cap');
    if (x > bank.concentration.perBorrower) why.push('bank per-borrower limit');
    if (x > lineCap) why.push('approval line');
    if (why.length > 0) bad.push(`${r.assessmentId} → ${bank.id}/${ag.id}: ${why.join(', ')}`);
  }
  for (const [id, n] of perBorrower) if (n > o.topK) bad.push(`${id}: ${n} referrals > ${o.topK}`);
  for (const bank of banks) {
    let total = 0;
    for (const q of bank.quotas) {
      total += q.amount;
      const used = sum.get(`quota|${bank.id}|${q.agreementId}`) ?? 0;
      if (used > q.amount - q.used + tol(q.amount))
        bad.push(`quota ${bank.id}/${q.agreementId}: ${used} > ${q.amount - q.used}`);
    }
    const c = bank.concentration;
    for (const [k, v] of sum) {
      const [kind, bid, key] = k.split('|') as [string, string, string];
      if (bid !== bank.id) continue;
      if (kind === 'ind' && v > c.industryShare * total - (c.exposure.industry[key] ?? 0) + tol(total))
        bad.push(`industry ${bank.id}/${key}: ${v}`);
      if (kind === 'reg' && v > c.regionShare * total - (c.exposure.region[key] ?? 0) + tol(total))
        bad.push(`region ${bank.id}/${key}: ${v}`);
    }
  }
  for (const ag of agreements) {
    const td = o.toDate?.[ag.id] ?? { guaranteed: 0, compensated: 0 };
    const ec = sum.get(`ec|${ag.id}`) ?? 0;
    const amt = sum.get(`amt|${ag.id}`) ?? 0;
    const line = ag.compensation.cap * o.safetyFactor;
    if (amt === 0) continue; // a programme with no referral in the batch: its state is not the batch's doing
    if (td.compensated > line * td.guaranteed)
      bad.push(`cap ${ag.id}: referral under a programme past its line`);
    else if (td.compensated + ec > line * (td.guaranteed + amt) + tol(line * (td.guaranteed + amt)))
      bad.push(`cap ${ag.id}: (${td.compensated} + ${ec}) / (${td.guaranteed} + ${amt}) > ${line}`);
  }
  return bad;
}
