import { z } from 'zod';
import { creditCodeProblem } from './credit-code.js';

/**
 * The canonical multi-source application, one zod schema per source. Money is in yuan, rates are
 * fractions, dates are ISO 8601 (YYYY-MM-DD) and months YYYY-MM. A source that is absent (the key is
 * missing) is unknown, which is not the same as present and empty (checked, nothing found).
 *
 * Normalisation done here: strings are trimmed; numbers written as text ("1,234.5") are read; common
 * Chinese labels (个体工商户, 已婚, 被告 …) map to the canonical codes.
 */

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const ISO_MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/** Reads "1,234.50" or " 12 " as a number; leaves anything else for zod to reject. */
function numberish(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim().replace(/,/g, '');
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : v;
}

/** A real calendar date in ISO form (2024-02-30 is rejected). */
export const isoDate = z
  .string()
  .trim()
  .regex(ISO_DATE, 'expected an ISO date YYYY-MM-DD')
  .refine((s) => {
    const d = new Date(`${s}T00:00:00Z`);
    return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
  }, 'expected a real calendar date');

export const isoMonth = z.string().trim().regex(ISO_MONTH, 'expected a month YYYY-MM');

/** Money in yuan, not negative. */
export const money = z.preprocess(numberish, z.number().finite().nonnegative());
/** A count, a non-negative integer. */
export const count = z.preprocess(numberish, z.number().int().nonnegative());
const bool = z.preprocess((v) => {
  if (typeof v !== 'string') return v;
  const t = v.trim().toLowerCase();
  if (['true', '1', 'yes', 'y', '是'].includes(t)) return true;
  if (['false', '0', 'no', 'n', '否'].includes(t)) return false;
  return v;
}, z.boolean());

/** Maps Chinese (and a few English) labels onto canonical codes before the enum check. */
function labelled<T extends readonly [string, ...string[]]>(values: T, aliases: Record<string, T[number]>) {
  return z.preprocess((v) => {
    if (typeof v !== 'string') return v;
    const t = v.trim();
    return aliases[t] ?? aliases[t.toLowerCase()] ?? t.toLowerCase();
  }, z.enum(values));
}

// ---------------------------------------------------------------------------------------------------------
// Enterprise registration (工商登记)

export const ENTITY_TYPES = ['company', 'individual_business', 'farmer', 'cooperative'] as const;
export const entityType = labelled(ENTITY_TYPES, {
  公司: 'company',
  企业: 'company',
  有限责任公司: 'company',
  个体工商户: 'individual_business',
  个体户: 'individual_business',
  农户: 'farmer',
  农民专业合作社: 'cooperative',
  合作社: 'cooperative',
});

/** GB/T 4754-2017 industry: a section letter A-T, optionally followed by a 2-, 3- or 4-digit class. */
export const industryCode = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^[A-T](\d{2}|\d{3}|\d{4})?$/, 'expected a GB/T 4754 code: a letter A-T then 0, 2, 3 or 4 digits');

/** A 6-digit administrative division code (GB/T 2260) whose province part is 11-82. */
export const regionCode = z
  .string()
  .trim()
  .regex(/^\d{6}$/, 'expected a 6-digit administrative region code')
  .refine((s) => {
    const p = Number(s.slice(0, 2));
    return p >= 11 && p <= 82;
  }, 'the first two digits must be a province code 11-82');

export const creditCode = z
  .string()
  .trim()
  .toUpperCase()
  .superRefine((s, ctx) => {
    const problem = creditCodeProblem(s);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', message: `invalid unified social credit code: ${problem}` });
    }
  });

export const enterpriseSchema = z
  .object({
    name: z.string().trim().min(1, 'expected a non-empty name'),
    creditCode,
    entityType,
    industry: industryCode,
    region: regionCode,
    establishedDate: isoDate,
    registeredCapital: money,
    paidInCapital: money,
    employees: count,
    highTech: bool.default(false),
    specialised: bool.default(false),
    firstLoan: bool.default(false),
  })
  .strict();

// ---------------------------------------------------------------------------------------------------------
// Owner and household (实际控制人及家庭)

export const MARITAL_STATUSES = ['single', 'married', 'divorced', 'widowed'] as const;
export const maritalStatus = labelled(MARITAL_STATUSES, {
  未婚: 'single',
  已婚: 'married',
  离异: 'divorced',
  离婚: 'divorced',
  丧偶: 'widowed',
});

export const ownerSchema = z
  .object({
    age: z.preprocess(numberish, z.number().int().min(18).max(100)),
    maritalStatus,
    householdSize: z.preprocess(numberish, z.number().int().min(1).max(20)),
    dependents: z.preprocess(numberish, z.number().int().min(0).max(19)),
    annualIncome: money,
    assets: z.object({ property: money, vehicles: money, deposits: money }).strict(),
    liabilities: z.object({ mortgage: money, consumer: money, business: money }).strict(),
  })
  .strict()
  .refine((o) => o.dependents < o.householdSize, {
    message: 'dependents must be fewer than householdSize',
    path: ['dependents'],
  });

// ---------------------------------------------------------------------------------------------------------
// Tax (税务): filings by month or quarter, and the tax credit grade (纳税信用等级)

export const TAX_GRADES = ['A', 'B', 'M', 'C', 'D'] as const;
export const taxGrade = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim().toUpperCase() : v),
  z.enum(TAX_GRADES),
);

/** A filing period: a month (2024-03) or a quarter (2024Q1). */
export const taxPeriod = z
  .string()
  .trim()
  .toUpperCase()
  .regex(/^\d{4}(-(0[1-9]|1[0-2])|Q[1-4])$/, 'expected a month YYYY-MM or a quarter YYYYQn');

export const taxFilingSchema = z
  .object({
    period: taxPeriod,
    revenue: money,
    vat: money,
    incomeTax: money,
  })
  .strict();

export const taxSchema = z
  .object({
    creditGrade: taxGrade.optional(),
    filings: z.array(taxFilingSchema),
  })
  .strict();

// ---------------------------------------------------------------------------------------------------------
// Invoices (发票). A red-letter invoice (红字) reverses an earlier one: its amount is recorded positive.

export const INVOICE_DIRECTIONS = ['sales', 'purchase'] as const;
export const INVOICE_STATUSES = ['valid', 'void', 'red'] as const;

export const invoiceSchema = z
  .object({
    date: isoDate,
    direction: labelled(INVOICE_DIRECTIONS, { 销项: 'sales', 进项: 'purchase' }),
    amount: money,
    tax: money,
    counterpartyId: z.string().trim().min(1, 'expected a counterparty id'),
    status: labelled(INVOICE_STATUSES, { 正常: 'valid', 作废: 'void', 红冲: 'red', 红字: 'red' }),
  })
  .strict();

// ---------------------------------------------------------------------------------------------------------
// Bank flows (银行流水), monthly

export const bankFlowSchema = z
  .object({
    month: isoMonth,
    inflow: money,
    outflow: money,
    endBalance: z.preprocess(numberish, z.number().finite()),
    counterparties: count,
  })
  .strict();

// ---------------------------------------------------------------------------------------------------------
// Credit bureau (征信), for the enterprise and for the owner

export const LOAN_CLASSES = ['normal', 'special_mention', 'substandard', 'doubtful', 'loss'] as const;
export const loanClass = labelled(LOAN_CLASSES, {
  正常: 'normal',
  关注: 'special_mention',
  次级: 'substandard',
  可疑: 'doubtful',
  损失: 'loss',
});
export const FACILITY_TYPES = ['loan', 'credit_card', 'other'] as const;
export const INQUIRY_REASONS = ['loan_approval', 'guarantee', 'post_loan', 'other'] as const;

export const facilitySchema = z
  .object({
    type: labelled(FACILITY_TYPES, { 贷款: 'loan', 信用卡: 'credit_card' }),
    openDate: isoDate,
    limit: money,
    balance: money,
    overdueDays: count,
    overdueAmount: money,
    class: loanClass,
    /** Months past due in each of the last months, oldest first (PBOC repayment grid), up to 24. */
    overdueHistory: z
      .array(z.preprocess(numberish, z.number().int().min(0).max(7)))
      .max(24)
      .default([]),
  })
  .strict();

export const guaranteeGivenSchema = z.object({ amount: money, class: loanClass }).strict();
export const inquirySchema = z
  .object({
    date: isoDate,
    reason: labelled(INQUIRY_REASONS, {
      贷款审批: 'loan_approval',
      担保资格审查: 'guarantee',
      贷后管理: 'post_loan',
    }),
  })
  .strict();

export const bureauReportSchema = z
  .object({
    facilities: z.array(facilitySchema),
    guaranteesGiven: z.array(guaranteeGivenSchema),
    inquiries: z.array(inquirySchema),
  })
  .strict();

export const bureauSchema = z
  .object({ enterprise: bureauReportSchema.optional(), owner: bureauReportSchema.optional() })
  .strict();

// ---------------------------------------------------------------------------------------------------------
// Judicial and administrative records (司法与行政)

export const JUDICIAL_KINDS = [
  'lawsuit',
  'enforcement',
  'dishonest',
  'abnormal_operation',
  'penalty',
] as const;
export const LAWSUIT_ROLES = ['plaintiff', 'defendant', 'third_party'] as const;
export const CASE_TYPES = ['lending_dispute', 'contract', 'labor', 'other'] as const;

export const judicialRecordSchema = z
  .object({
    date: isoDate,
    kind: labelled(JUDICIAL_KINDS, {
      诉讼: 'lawsuit',
      被执行: 'enforcement',
      失信被执行人: 'dishonest',
      经营异常: 'abnormal_operation',
      行政处罚: 'penalty',
    }),
    role: labelled(LAWSUIT_ROLES, { 原告: 'plaintiff', 被告: 'defendant', 第三人: 'third_party' }).optional(),
    caseType: labelled(CASE_TYPES, {
      借款纠纷: 'lending_dispute',
      合同纠纷: 'contract',
      劳动纠纷: 'labor',
    }).optional(),
    amount: money.optional(),
    closed: bool.default(false),
  })
  .strict()
  .refine((r) => r.kind !== 'lawsuit' || r.role !== undefined, {
    message: 'a lawsuit needs a role (plaintiff, defendant or third_party)',
    path: ['role'],
  });

// ---------------------------------------------------------------------------------------------------------
// Utilities (水电) and social insurance (社保), monthly

export const utilityMonthSchema = z
  .object({ month: isoMonth, electricityKwh: money, waterTons: money, arrears: money })
  .strict();

export const socialInsuranceMonthSchema = z.object({ month: isoMonth, insuredHeadcount: count }).strict();

// ---------------------------------------------------------------------------------------------------------
// The request (申请)

export const PURPOSES = ['working_capital', 'equipment', 'technology', 'premises', 'other'] as const;
export const loanRequestSchema = z
  .object({
    amount: z.preprocess(numberish, z.number().finite().positive()),
    tenorMonths: z.preprocess(numberish, z.number().int().min(1).max(120)),
    purpose: labelled(PURPOSES, {
      流动资金: 'working_capital',
      设备购置: 'equipment',
      技术改造: 'technology',
    }),
    programme: z.string().trim().min(1).optional(),
  })
  .strict();

// ---------------------------------------------------------------------------------------------------------
// The whole application

export const SOURCES = [
  'enterprise',
  'owner',
  'tax',
  'invoices',
  'bankFlows',
  'bureau',
  'judicial',
  'utilities',
  'socialInsurance',
] as const;
export type SourceName = (typeof SOURCES)[number];

export const applicationSchema = z
  .object({
    id: z.string().trim().min(1, 'expected a borrower id'),
    asOf: isoDate,
    request: loanRequestSchema,
    enterprise: enterpriseSchema.optional(),
    owner: ownerSchema.optional(),
    tax: taxSchema.optional(),
    invoices: z.array(invoiceSchema).optional(),
    bankFlows: z.array(bankFlowSchema).optional(),
    bureau: bureauSchema.optional(),
    judicial: z.array(judicialRecordSchema).optional(),
    utilities: z.array(utilityMonthSchema).optional(),
    socialInsurance: z.array(socialInsuranceMonthSchema).optional(),
  })
  .strict();

export type Enterprise = z.infer<typeof enterpriseSchema>;
export type Owner = z.infer<typeof ownerSchema>;
export type TaxFiling = z.infer<typeof taxFilingSchema>;
export type Tax = z.infer<typeof taxSchema>;
export type Invoice = z.infer<typeof invoiceSchema>;
export type BankFlowMonth = z.infer<typeof bankFlowSchema>;
export type Facility = z.infer<typeof facilitySchema>;
export type BureauReport = z.infer<typeof bureauReportSchema>;
export type Bureau = z.infer<typeof bureauSchema>;
export type JudicialRecord = z.infer<typeof judicialRecordSchema>;
export type UtilityMonth = z.infer<typeof utilityMonthSchema>;
export type SocialInsuranceMonth = z.infer<typeof socialInsuranceMonthSchema>;
export type LoanRequest = z.infer<typeof loanRequestSchema>;
/** A validated, normalised application: the input of the feature engine. */
export type Application = z.infer<typeof applicationSchema>;
/** What callers may send before normalisation. */
export type ApplicationInput = z.input<typeof applicationSchema>;
