import { z } from 'zod';
import { RiskError } from '../core/errors.js';
import { ENTITY_TYPES } from './schemas.js';

/**
 * Partner banks and risk-sharing agreements as data (design.md, "Matching and risk sharing"; domain.md §1, §2,
 * §8). A named model such as "4321" is only a preset of an agreement: the engine reads per-party shares, never
 * the label. Money is in yuan, rates are annual fractions (0.01 = 1%), tenors are in months.
 */

/** Kinds of partner bank; the matcher and reports group by them. */
export const BANK_TYPES = [
  'large_state',
  'joint_stock',
  'city_commercial',
  'rural_commercial',
  'village',
  'internet',
] as const;
/** One of the values above. */
export type BankType = (typeof BANK_TYPES)[number];

/** 见贷即保 (batch: the bank approves alone, the guarantee attaches at disbursement) or 银担共审 (joint review). */
export const BUSINESS_MODES = ['batch', 'joint_review'] as const;
/** One of the values above. */
export type BusinessMode = (typeof BUSINESS_MODES)[number];

/** The guarantor's letter grades, best first; a bank's `worstGrade` is the last one it still takes. */
export const RISK_GRADES = ['AAA', 'AA', 'A', 'BBB', 'BB', 'B', 'CCC', 'CC', 'C', 'D'] as const;
/** One of the values above. */
export type RiskGrade = (typeof RISK_GRADES)[number];

/** Who carries a share of a loss. Several parties may hold one role (a city and a county guarantor). */
export const PARTY_ROLES = [
  'guarantor',
  're_guarantor',
  'national_fund',
  'provincial_finance',
  'government',
  'bank',
] as const;
/** One of the values above. */
export type PartyRole = (typeof PARTY_ROLES)[number];

/** What the guarantee covers: the unpaid principal only (Xiamen 长易担) or principal plus interest. */
export const COVERAGE_BASES = ['principal', 'principal_interest'] as const;

/** What happens when a programme's compensation rate reaches its warning line. */
export const WARNING_ACTIONS = ['notify', 'tighten_admission', 'pause_new_business'] as const;
/** What happens when it reaches the cap (domain.md §2.2: no clause found, so a configurable rule). */
export const BREACH_ACTIONS = ['stop_compensation', 'pause_new_business', 'renegotiate'] as const;

/** Shares of one agreement must sum to 1 within this tolerance. */
export const SHARE_TOLERANCE = 1e-9;

const fraction = z.number().finite().min(0).max(1);
const yuan = z.number().finite().nonnegative();
const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case id of letters, digits and dashes');

/** A region prefix: a province (2 digits), a city (4) or a county (6) of GB/T 2260. */
export const regionPrefix = z
  .string()
  .regex(/^\d{2}(\d{2}(\d{2})?)?$/, 'expected a region prefix of 2, 4 or 6 digits');
/** An industry prefix: a GB/T 4754 section letter, optionally with a division, group or class. */
export const industryPrefix = z
  .string()
  .regex(/^[A-T](\d{2}|\d{3}|\d{4})?$/, 'expected a GB/T 4754 prefix: a letter A-T then 0, 2, 3 or 4 digits');

function range(bound: z.ZodNumber, what: string) {
  return z
    .object({ min: bound, max: bound })
    .strict()
    .refine((r) => r.min <= r.max, { message: `${what}: min must not exceed max`, path: ['max'] });
}

const tenorBound = z.number().int().min(1).max(120);

/** How a bank approves a loan on an approval line (domain.md §8: ≤ 300万 online + offline, above an on-site visit). */
export const APPROVAL_PROCESSES = ['online', 'online_offline', 'on_site_visit'] as const;
/** One of the values above. */
export type ApprovalProcess = (typeof APPROVAL_PROCESSES)[number];

/** The loan prime rate a bank's rate is quoted over: 1-year, or 5-year for long loans (Xiamen: 5-year LPR − 50 bp). */
export const LPR_TENORS = ['1y', '5y'] as const;

/**
 * One condition of an approval line: every field given must hold (high-tech or 专精特新; an industry prefix;
 * annual sales at least).
 */
export const lineConditionSchema = z
  .object({
    sciTech: z.literal(true).optional(),
    industries: z.array(industryPrefix).min(1).optional(),
    minAnnualSales: yuan.optional(),
  })
  .strict();

/**
 * An approval line: loans up to `upTo` yuan go through `process`; a line with conditions is open only to a
 * borrower meeting one of them (domain.md §8: 500万–1000万 only for 专精特新, high-tech or manufacturers with
 * revenue ≥ 2000万).
 */
export const approvalLineSchema = z
  .object({
    upTo: z.number().finite().positive(),
    process: z.enum(APPROVAL_PROCESSES),
    /** Any one suffices; empty = open to every borrower. */
    requires: z.array(lineConditionSchema),
  })
  .strict();
/** An approval line (see `approvalLineSchema`). */
export type ApprovalLine = z.infer<typeof approvalLineSchema>;

/** A bank's quota under one agreement (programme) and how much of it is already used, yuan. */
export const quotaSchema = z
  .object({ agreementId: id, amount: z.number().finite().positive(), used: yuan })
  .strict()
  .refine((q) => q.used <= q.amount, { message: 'used must not exceed amount', path: ['used'] });

/**
 * A partner bank and its asset preferences: where it lends (empty `regions` = nationwide), which industries it
 * prefers or excludes, which entity types, the amount and tenor it takes, its risk appetite (a maximum PD, a worst
 * grade, or both), its rate as a spread over the LPR, its quota under each agreement with the part already used,
 * its concentration limits and its approval lines.
 * @example bankSchema.parse(JSON.parse(readFileSync('data-samples/banks.json', 'utf8'))[0]);
 */
export const bankSchema = z
  .object({
    id,
    name: z.string().min(1),
    nameEn: z.string().min(1),
    type: z.enum(BANK_TYPES),
    regions: z.array(regionPrefix),
    industries: z
      .object({ preferred: z.array(industryPrefix), excluded: z.array(industryPrefix) })
      .strict()
      .refine((i) => !i.preferred.some((p) => i.excluded.includes(p)), {
        message: 'an industry cannot be both preferred and excluded',
        path: ['excluded'],
      }),
    entityTypes: z.array(z.enum(ENTITY_TYPES)).min(1),
    amount: range(yuan, 'amount'),
    tenorMonths: range(tenorBound, 'tenorMonths'),
    risk: z
      .object({
        maxPd: fraction.optional(),
        worstGrade: z.enum(RISK_GRADES).optional(),
        /** Declines a borrower with any current overdue in the credit report (domain.md §8). */
        noCurrentOverdue: z.boolean(),
      })
      .strict()
      .refine((r) => r.maxPd !== undefined || r.worstGrade !== undefined, {
        message: 'a bank needs maxPd or worstGrade (or both)',
        path: ['maxPd'],
      }),
    /**
     * Annual lending rate as spreads over the LPR of `reference` (domain.md §8: "floor as an LPR spread"): the
     * floor for the best borrower and the cap for the worst, e.g. −0.005 = LPR − 50 bp.
     */
    rate: z
      .object({
        reference: z.enum(LPR_TENORS),
        floorSpread: z.number().finite().min(-0.05).max(0.2),
        capSpread: z.number().finite().min(-0.05).max(0.2),
      })
      .strict()
      .refine((r) => r.floorSpread <= r.capSpread, {
        message: 'rate.floorSpread must not exceed rate.capSpread',
        path: ['capSpread'],
      }),
    /** The bank's own fee (arrangement, account), as an annual fraction of the amount. */
    feeRate: fraction,
    businessModes: z.array(z.enum(BUSINESS_MODES)).min(1),
    /** Guaranteed-loan quota per agreement for the year and its current use (domain.md §8: quotas per programme). */
    quotas: z
      .array(quotaSchema)
      .min(1)
      .refine((qs) => new Set(qs.map((q) => q.agreementId)).size === qs.length, {
        message: 'one quota per agreement',
      }),
    /**
     * Concentration limits (inferred: a bank spreads its guaranteed book): the share of its total quota in one
     * industry section (GB/T 4754 letter) and in one region (the first `regionDigits` digits), and the most it
     * lends one borrower; `exposure` is what its current book already holds per industry section and region.
     */
    concentration: z
      .object({
        industryShare: fraction,
        regionShare: fraction,
        regionDigits: z.union([z.literal(2), z.literal(4), z.literal(6)]),
        perBorrower: z.number().finite().positive(),
        exposure: z
          .object({ industry: z.record(z.string(), yuan), region: z.record(z.string(), yuan) })
          .strict(),
      })
      .strict(),
    /** Approval lines by amount, ascending; the last one is the most the bank lends anyone. */
    approvalLines: z
      .array(approvalLineSchema)
      .min(1)
      .refine((ls) => ls.every((l, i) => i === 0 || l.upTo > (ls[i - 1] as ApprovalLine).upTo), {
        message: 'approval lines must ascend by upTo',
      }),
  })
  .strict();

/** The sum of a bank's quotas over its agreements: the base of its concentration limits. */
export function totalQuota(bank: Pick<Bank, 'quotas'>): number {
  let s = 0;
  for (const q of bank.quotas) s += q.amount;
  return s;
}

/** A partner bank (see `bankSchema`). */
export type Bank = z.infer<typeof bankSchema>;

/** One party to an agreement: its role, its name and its share of a loss. */
export const partySchema = z
  .object({ role: z.enum(PARTY_ROLES), name: z.string().min(1), share: fraction })
  .strict();

/**
 * A risk-sharing agreement (programme): the parties and their loss shares (summing to 1 within 1e-9, exactly
 * one of them the bank), what the guarantee covers and at what ratio (the non-bank shares: the guarantor pays the
 * bank that much of a loss, then claims upstream), the compensation-rate cap with its warning line and actions,
 * the per-borrower cap, fees, business mode, tenor range and eligibility. Agreements name their banks by id.
 * @example agreementSchema.parse(anhui4321) // parties 0.4 / 0.3 / 0.2 / 0.1
 */
export const agreementSchema = z
  .object({
    id,
    name: z.string().min(1),
    nameEn: z.string().min(1),
    /** The preset this agreement was built from, as a label for people; the engine never reads it. */
    preset: z.string().min(1).optional(),
    bankIds: z.array(id).min(1),
    parties: z.array(partySchema).min(2),
    coverage: z.object({ base: z.enum(COVERAGE_BASES), ratio: fraction }).strict(),
    compensation: z
      .object({
        /** Cumulative compensation ÷ cumulative guaranteed amount at which the action on breach applies. */
        cap: fraction,
        warningLine: fraction,
        onWarning: z.enum(WARNING_ACTIONS),
        onBreach: z.enum(BREACH_ACTIONS),
        /** Days after maturity the guarantor has to pay the bank (代偿宽限期). */
        graceDays: z.number().int().min(0).max(365),
      })
      .strict()
      .refine((c) => c.warningLine <= c.cap, {
        message: 'compensation.warningLine must not exceed compensation.cap',
        path: ['warningLine'],
      }),
    perBorrowerCap: z.number().finite().positive(),
    fees: z
      .object({
        /** Guarantee fee the borrower pays, annual fraction of the amount. */
        guarantee: fraction,
        /** Re-guarantee fee the guarantor pays upstream, annual fraction of the amount. */
        reGuarantee: fraction,
      })
      .strict(),
    businessMode: z.enum(BUSINESS_MODES),
    tenorMonths: range(tenorBound, 'tenorMonths'),
    eligibility: z
      .object({
        regions: z.array(regionPrefix),
        industriesExcluded: z.array(industryPrefix),
        entityTypes: z.array(z.enum(ENTITY_TYPES)).min(1),
        amount: range(yuan, 'eligibility.amount'),
        /** Only high-tech or 专精特新 firms (the sci-tech plan). */
        sciTechOnly: z.boolean(),
        /** No extension (展期) or refinancing (借新还旧) as the first loan (蜀担快贷). */
        noRefinance: z.boolean(),
      })
      .strict(),
  })
  .strict()
  .superRefine((a, ctx) => {
    const sum = a.parties.reduce((s, p) => s + p.share, 0);
    if (Math.abs(sum - 1) > SHARE_TOLERANCE)
      ctx.addIssue({
        code: 'custom',
        message: `parties: shares sum to ${Number(sum.toFixed(9))}, expected 1`,
        path: ['parties'],
      });
  })
  .refine((a) => a.parties.filter((p) => p.role === 'bank').length === 1, {
    message: 'parties: exactly one party must have the role bank',
    path: ['parties'],
  })
  .refine(
    (a) => {
      const bank = a.parties.find((p) => p.role === 'bank')?.share ?? 0;
      return Math.abs(a.coverage.ratio - (1 - bank)) <= SHARE_TOLERANCE;
    },
    {
      message: 'coverage.ratio must equal the non-bank shares (1 - bank share)',
      path: ['coverage', 'ratio'],
    },
  )
  .refine((a) => a.eligibility.amount.max <= a.perBorrowerCap, {
    message: 'eligibility.amount.max must not exceed perBorrowerCap',
    path: ['eligibility', 'amount', 'max'],
  });

/** A risk-sharing agreement (see `agreementSchema`). */
export type Agreement = z.infer<typeof agreementSchema>;

/** The share of a loss the agreement puts on one role, summed over the parties holding it. */
export function shareOf(agreement: Pick<Agreement, 'parties'>, role: PartyRole): number {
  let s = 0;
  for (const p of agreement.parties) if (p.role === role) s += p.share;
  return s;
}

/**
 * Validates one agreement, throwing a RiskError whose message names each bad field.
 * @throws E_AGREEMENT_INVALID
 * @example parseAgreement(json) // "parties: shares sum to 0.95, expected 1"
 */
export function parseAgreement(value: unknown): Agreement {
  const r = agreementSchema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.map(String), message: i.message, code: i.code }));
  const where = (value as { id?: unknown } | null)?.id;
  throw new RiskError(
    'E_AGREEMENT_INVALID',
    `agreement ${String(where ?? '?')}: ${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    { issues },
  );
}

/**
 * Validates one bank, throwing a RiskError whose message names each bad field.
 * @throws E_AGREEMENT_INVALID
 */
export function parseBank(value: unknown): Bank {
  const r = bankSchema.safeParse(value);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ path: i.path.map(String), message: i.message, code: i.code }));
  const where = (value as { id?: unknown } | null)?.id;
  throw new RiskError(
    'E_AGREEMENT_INVALID',
    `bank ${String(where ?? '?')}: ${issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
    { issues },
  );
}
