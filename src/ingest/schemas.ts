import { z } from 'zod';
import { creditCodeProblem } from './credit-code.js';
import { normaliserOf, upperCased, withAliases } from './normalise.js';

/**
 * The canonical multi-source application, one zod schema per source. Money is in yuan, rates are
 * fractions, dates are ISO 8601 (YYYY-MM-DD) and months YYYY-MM. A source that is absent (the key is
 * missing) is unknown, which is not the same as present and empty (checked, nothing found).
 *
 * These schemas are canonical: they accept numbers as numbers and codes as codes. Loose input (text
 * numbers, Chinese labels such as 个体工商户, 已婚, 被告, stray spaces) is first put in canonical form by
 * `normaliseApplication`, which is derived from these schemas (src/ingest/normalise.ts).
 */

const ISO_MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** True for a real calendar date written YYYY-MM-DD; by char codes, because Date parsing is 10× slower. */
export function isIsoDate(s: string): boolean {
  if (s.length !== 10 || s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45) return false;
  let year = 0;
  for (let i = 0; i < 4; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    year = year * 10 + d;
  }
  const m1 = s.charCodeAt(5) - 48;
  const m2 = s.charCodeAt(6) - 48;
  const d1 = s.charCodeAt(8) - 48;
  const d2 = s.charCodeAt(9) - 48;
  if (m1 < 0 || m1 > 9 || m2 < 0 || m2 > 9 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return false;
  const month = m1 * 10 + m2;
  const day = d1 * 10 + d2;
  if (month < 1 || month > 12 || day < 1) return false;
  if (month === 2 && day === 29) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return day <= (DAYS_IN_MONTH[month - 1] as number);
}

/** A real calendar date in ISO form (2024-02-30 is rejected). */
export const isoDate = z.string().refine(isIsoDate, 'expected a real calendar date YYYY-MM-DD');

export const isoMonth = z.string().regex(ISO_MONTH, 'expected a month YYYY-MM');

/** Money in yuan, not negative. */
export const money = z.number().finite().nonnegative();
/** A count, a non-negative integer. */
export const count = z.number().int().nonnegative();
const bool = z.boolean();

/** An enum that also accepts the given labels (normalised before validation). */
function labelled<T extends readonly [string, ...string[]]>(values: T, aliases: Record<string, T[number]>) {
  return withAliases(z.enum(values), aliases);
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
export const industryCode = upperCased(
  z
    .string()
    .regex(/^[A-T](\d{2}|\d{3}|\d{4})?$/, 'expected a GB/T 4754 code: a letter A-T then 0, 2, 3 or 4 digits'),
);

/** A 6-digit administrative division code (GB/T 2260) whose province part is 11-82. */
export const regionCode = z
  .string()
  .regex(/^\d{6}$/, 'expected a 6-digit administrative region code')
  .refine((s) => {
    const p = Number(s.slice(0, 2));
    return p >= 11 && p <= 82;
  }, 'the first two digits must be a province code 11-82');

export const creditCode = upperCased(
  z.string().superRefine((s, ctx) => {
    const problem = creditCodeProblem(s);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', message: `invalid unified social credit code: ${problem}` });
    }
  }),
);

/**
 * Registration data. Every field is optional: real data often lacks most of them (an invoice export holds a
 * name at best), and a field not given becomes a missing feature, never an invented value. A credit code
 * that is given is still checked.
 */
export const enterpriseSchema = z
  .object({
    name: z.string().min(1, 'expected a non-empty name').optional(),
    creditCode: creditCode.optional(),
    entityType: entityType.optional(),
    industry: industryCode.optional(),
    region: regionCode.optional(),
    establishedDate: isoDate.optional(),
    registeredCapital: money.optional(),
    paidInCapital: money.optional(),
    employees: count.optional(),
    highTech: bool.optional(),
    specialised: bool.optional(),
    firstLoan: bool.optional(),
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
    age: z.number().int().min(18).max(100),
    maritalStatus,
    householdSize: z.number().int().min(1).max(20),
    dependents: z.number().int().min(0).max(19),
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
export const taxGrade = withAliases(z.enum(TAX_GRADES), { a: 'A', b: 'B', m: 'M', c: 'C', d: 'D' });

/** A filing period: a month (2024-03) or a quarter (2024Q1). */
export const taxPeriod = upperCased(
  z.string().regex(/^\d{4}(-(0[1-9]|1[0-2])|Q[1-4])$/, 'expected a month YYYY-MM or a quarter YYYYQn'),
);

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
    counterpartyId: z.string().min(1, 'expected a counterparty id'),
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
    endBalance: z.number().finite(),
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
    overdueHistory: z.array(z.number().int().min(0).max(7)).max(24).default([]),
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
    amount: z.number().finite().positive(),
    tenorMonths: z.number().int().min(1).max(120),
    purpose: labelled(PURPOSES, {
      流动资金: 'working_capital',
      设备购置: 'equipment',
      技术改造: 'technology',
    }),
    programme: z.string().min(1).optional(),
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
    id: z.string().min(1, 'expected a borrower id'),
    asOf: isoDate,
    /** The request; absent for a borrower scored from data alone (a portfolio export, a training file). */
    request: loanRequestSchema.optional(),
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

/**
 * Puts loose input in canonical form (trimmed strings, numbers from text, labels to codes) without
 * validating it; `applicationSchema` then validates the result. `inPlace` rewrites the given objects
 * (for readers that built them) instead of copying.
 */
export function normaliseApplication(value: unknown, inPlace = false): unknown {
  return normaliserOf(applicationSchema, inPlace)(value);
}
