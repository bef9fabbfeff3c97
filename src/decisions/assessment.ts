import { z } from 'zod';
import { RISK_GRADES } from '../ingest/partners.js';
import { ENTITY_TYPES, isoDate, loanRequestSchema, SOURCES } from '../ingest/schemas.js';

/**
 * The one answer of `assess(release, application)`: what the guarantor's risk team gets for an application
 * at admission (保前准入) and credit limit (保中授信). The CLI batch, the API and replay all produce and store
 * exactly this shape, so it is the contract between decisions, matching and the service. Money in yuan (to
 * the fen where it is not rounded), rates as annual fractions, dates ISO 8601; `…Wan` fields are for display.
 */

/** The outcomes of admission. `insufficient_data` is a result (a required source is absent), not an error. */
export const DECISIONS = ['approve', 'refer', 'decline', 'insufficient_data'] as const;
/** One of the values above. */
export type Decision = (typeof DECISIONS)[number];

/** What a fired rule does; the strongest fired action wins (decline > refer > flag). */
export const RULE_ACTIONS = ['decline', 'refer', 'flag'] as const;
/** One of the values above. */
export type RuleAction = (typeof RULE_ACTIONS)[number];

/** Comparison operators a policy rule may use. A rule fires when `value <operator> threshold` holds. */
export const RULE_OPERATORS = ['>', '>=', '<', '<=', '==', '!=', 'in', 'not_in', 'prefix_in'] as const;
/** One of the values above. */
export type RuleOperator = (typeof RULE_OPERATORS)[number];

const text = z.object({ zh: z.string(), en: z.string() }).strict();
/** A label or phrase in both languages. */
export type Bilingual = z.infer<typeof text>;

const scalar = z.union([z.number(), z.string(), z.boolean(), z.null()]);
/** A value a rule or a limit formula read: a number, a code, a flag, or null when missing. */
export type Scalar = z.infer<typeof scalar>;

/** One policy rule as evaluated for this application: its input value, threshold, and whether it fired. */
export const ruleResultSchema = z
  .object({
    id: z.string(),
    label: text,
    input: z.string(),
    value: scalar,
    operator: z.enum(RULE_OPERATORS),
    threshold: z.union([scalar, z.array(z.union([z.number(), z.string()]))]),
    action: z.enum(RULE_ACTIONS),
    fired: z.boolean(),
    /** Where the rule comes from, e.g. "domain.md §6.2". */
    source: z.string(),
    /** The second condition the rule needs to fire (e.g. only above 300万), as evaluated. */
    condition: z
      .object({
        input: z.string(),
        value: scalar,
        operator: z.enum(RULE_OPERATORS),
        threshold: z.union([z.number(), z.string(), z.boolean()]),
        holds: z.boolean(),
      })
      .strict()
      .optional(),
  })
  .strict();
export type RuleResult = z.infer<typeof ruleResultSchema>;

/** A reason for the risk, as a phrase a borrower could read, with the feature behind it. */
export const reasonSchema = z
  .object({
    feature: z.string(),
    value: scalar,
    /** Contribution to risk in the model's units (log-odds or points lost); larger = more adverse. */
    contribution: z.number(),
    text,
  })
  .strict();
export type AssessmentReason = z.infer<typeof reasonSchema>;

/** One candidate limit with the inputs of its formula, so a reviewer can redo the arithmetic by hand. */
export const limitCandidateSchema = z
  .object({
    id: z.string(),
    label: text,
    /** Yuan; null when its inputs are missing (the candidate then does not bind). */
    amount: z.number().nullable(),
    formula: z.string(),
    inputs: z.record(z.string(), scalar),
    /** The inputs that were missing, when `amount` is null. */
    missing: z.array(z.string()).optional(),
  })
  .strict();
export type LimitCandidate = z.infer<typeof limitCandidateSchema>;

/** The credit limit: the minimum of the candidates, minus existing debt, rounded down to 1万. */
export const limitSchema = z
  .object({
    /** The granted limit in yuan: a multiple of 10,000, never above the request. */
    amount: z.number().nonnegative(),
    amountWan: z.number().nonnegative(),
    /** The id of the candidate (or `request`) that set the limit. */
    binding: z.string(),
    candidates: z.array(limitCandidateSchema),
    existingDebt: z.number().nonnegative(),
  })
  .strict();
export type Limit = z.infer<typeof limitSchema>;

/** The guarantee fee by grade, inside the programme's ceiling. */
export const feeSchema = z
  .object({
    rate: z.number().nonnegative(),
    gridRate: z.number().nonnegative(),
    ceiling: z.number().nonnegative().nullable(),
    /** Yuan a year on the granted limit, to the fen. */
    annualAmount: z.number().nonnegative(),
  })
  .strict();
export type Fee = z.infer<typeof feeSchema>;

/** One model of the release as applied: which artifact (by checksum) and what it said. */
export const modelOutputSchema = z
  .object({
    role: z.string(),
    artifact: z.string(),
    sha256: z.string(),
    pd: z.number(),
    score: z.number().nullable(),
  })
  .strict();

/** What matching and reports need to know of the borrower, beyond the PD: taken from the application. */
export const borrowerProfileSchema = z
  .object({
    id: z.string(),
    name: z.string().nullable(),
    entityType: z.enum(ENTITY_TYPES).nullable(),
    industry: z.string().nullable(),
    region: z.string().nullable(),
    highTech: z.boolean(),
    specialised: z.boolean(),
    firstLoan: z.boolean(),
    yearsInBusiness: z.number().nullable(),
    /** Declared revenue over the last 12 months (tax), or valid sales invoicing when there is no tax data. */
    annualSales: z.number().nullable(),
    /** Any current overdue on the enterprise or owner credit report. */
    currentOverdue: z.boolean().nullable(),
    /** Bureau balances of the enterprise and the owner's business loans (yuan). */
    existingDebt: z.number().nonnegative(),
  })
  .strict();
export type BorrowerProfile = z.infer<typeof borrowerProfileSchema>;

/** The answer of a release's shadow challenger: kept beside the champion's, never the decision. */
export const shadowSchema = z
  .object({
    releaseId: z.string(),
    decision: z.enum(DECISIONS),
    grade: z.enum(RISK_GRADES).nullable(),
    pd: z.number().nullable(),
    limitAmount: z.number().nullable(),
    fired: z.array(z.string()),
  })
  .strict();

/** The assessment of one application under one release. */
export const assessmentSchema = z
  .object({
    /** Deterministic: the same release and input give the same id. */
    id: z.string(),
    applicationId: z.string(),
    asOf: isoDate,
    releaseId: z.string(),
    /** sha256 of the canonical JSON of the validated application. */
    inputDigest: z.string(),
    decision: z.enum(DECISIONS),
    grade: z.enum(RISK_GRADES).nullable(),
    pd: z.number().min(0).max(1).nullable(),
    score: z.number().nullable(),
    models: z.array(modelOutputSchema),
    rules: z.array(ruleResultSchema),
    /** Ids of the rules that fired, in evaluation order. */
    fired: z.array(z.string()),
    reasons: z.array(reasonSchema),
    /** Sources the policy requires that the application lacks (non-empty with `insufficient_data`). */
    missingSources: z.array(z.enum(SOURCES)),
    limit: limitSchema.nullable(),
    fee: feeSchema.nullable(),
    borrower: borrowerProfileSchema,
    /** The loan request; null when the input had none (real data often lacks it: the limit then has no request cap). */
    request: loanRequestSchema.nullable(),
    shadow: shadowSchema.nullable(),
  })
  .strict();

/** The assessment of one application under one release (see `assessmentSchema`). */
export type Assessment = z.infer<typeof assessmentSchema>;
