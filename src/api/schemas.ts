import { z } from 'zod';
import { assessmentSchema } from '../decisions/assessment.js';
import { warningEvaluationSchema } from '../decisions/warning.js';
import { monitoringLoanSchema, monitoringSnapshotSchema } from '../ingest/monitoring.js';
import { applicationSchema, ENTITY_TYPES, isoDate } from '../ingest/schemas.js';
import { settleLists } from '../ingest/validate.js';
import { OBJECTIVES } from '../matching/match.js';
import { referralSchema } from '../matching/referrals.js';
import { MAX_BATCH, REFERRAL_STATUSES } from '../store/store.js';

/**
 * The request and answer schemas of the API that are not already domain contracts (the application, the
 * assessment, the referral and the warning evaluation are imported from the modules that own them). These
 * same objects validate requests and are rendered into /openapi.json.
 */

// --------------------------------------------------------------------------------------------- shared parts

/** An id in a path: printable, no slash, at most 200 characters. */
export const pathId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^\s/]+$/, 'expected an id without spaces or slashes');
/** `{ id }` path parameters. */
export const idParams = z.object({ id: pathId }).strict();

/** The `Idempotency-Key` header: a retry with the same key returns the first answer. */
export const idempotencyHeaders = z.object({
  'idempotency-key': z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/, 'expected visible ASCII characters')
    .optional()
    .meta({ description: 'A retry with the same key and body returns the stored answer (no new write)' }),
});

const text = z.object({ zh: z.string(), en: z.string() }).strict();
const yuan = z.number().finite().nonnegative();
const positiveYuan = z.number().finite().positive();

// --------------------------------------------------------------------------------------------- assessments

export const application = applicationSchema.meta({ id: 'Application' });
export const assessment = assessmentSchema.meta({ id: 'Assessment' });

/** POST /v1/assessments/batch. */
export const batchBody = z
  .object({ applications: z.array(application).min(1).max(MAX_BATCH) })
  .strict()
  .meta({ id: 'AssessmentBatch' });

/**
 * The request-path validators of one application and of a batch: zod's generated fast path (about 6×
 * faster on valid input, the interpreted schema's issues on invalid input), with the empty record lists
 * settled as ingest's `safeParseApplication` does (one array shape for the feature engine's scanners).
 */
export const fastApplicationBody = z.compile(applicationSchema).transform(settleLists);
export const fastBatchBody = z.compile(batchBody).transform((body) => {
  for (const app of body.applications) settleLists(app);
  return body;
});

export const batchAnswer = z
  .object({
    count: z.number().int(),
    replayed: z.boolean(),
    decisions: z.record(z.string(), z.number().int()),
    assessments: z.array(assessment),
  })
  .strict();

/** The portfolio book an assessment was checked against (see the store's `BookFigures`). */
export const bookFigures = z
  .object({
    version: z
      .number()
      .int()
      .describe("The store's book version (every change to the loans in force moves it)"),
    loans: z.number().int().describe('Loans in force on the book'),
    grossBalance: z.number().describe('Their guaranteed balance, yuan'),
    weightedLiability: z.number().describe('Weighted guarantee liability (domain.md §3.2), yuan'),
    clientBalance: z.number().describe("The borrower's own counted balance on the book, yuan"),
    groupBalance: z.number().describe("Its related group's counted balance, yuan"),
  })
  .strict()
  .meta({ id: 'BookFigures' });

export const storedAssessment = z
  .object({
    id: z.string(),
    applicationId: z.string(),
    releaseId: z.string(),
    inputDigest: z.string(),
    decision: z.string(),
    input: application,
    output: assessment,
    createdAt: z.string(),
    book: bookFigures.nullable().describe('The portfolio book it was checked against (null: none)'),
  })
  .strict()
  .meta({ id: 'StoredAssessment' });

export const replayAnswer = z
  .object({
    id: z.string(),
    releaseId: z.string(),
    identical: z.boolean(),
    book: bookFigures
      .nullable()
      .describe('The book it was checked against, rebuilt at its version for the replay (null: none)'),
    differences: z.array(
      z.object({ path: z.string(), stored: z.unknown(), recomputed: z.unknown() }).strict(),
    ),
    recomputed: assessment,
  })
  .strict()
  .meta({ id: 'Replay' });

// --------------------------------------------------------------------------------------------- monitoring

export const evaluationsBody = z
  .object({
    /** YYYY-MM: evaluate at this month-end (later snapshots ignored); default each loan's latest. */
    month: z
      .string()
      .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'expected a month YYYY-MM')
      .optional(),
    loans: z
      .array(
        z
          .object({
            loan: monitoringLoanSchema,
            snapshots: z.array(monitoringSnapshotSchema).min(1).max(240),
          })
          .strict(),
      )
      .min(1)
      .max(MAX_BATCH),
  })
  .strict()
  .meta({ id: 'MonitoringRequest' });

export const evaluationsAnswer = z
  .object({
    policyId: z.string(),
    evaluations: z.array(
      z
        .object({
          borrowerId: z.string(),
          /** Null when the loan has no snapshot at or before the month (not yet on book). */
          evaluation: warningEvaluationSchema.nullable(),
        })
        .strict(),
    ),
    levels: z.record(z.string(), z.number().int()),
  })
  .strict();

// --------------------------------------------------------------------------------------------- matching

export const matchBody = z
  .object({
    assessmentIds: z.array(pathId).min(1).max(5000),
    objective: z.enum(OBJECTIVES).optional(),
    /** Referrals per borrower (banks to compete), default 1. */
    topK: z.number().int().min(1).max(5).optional(),
    method: z.enum(['greedy', 'decompose', 'exact']).optional(),
  })
  .strict()
  .meta({ id: 'MatchRequest' });

export const storedReferral = z
  .object({
    id: z.string(),
    bankId: z.string(),
    assessmentId: z.string(),
    agreementId: z.string(),
    borrowerId: z.string(),
    amount: z.number(),
    status: z.enum(REFERRAL_STATUSES),
    version: z.number().int(),
    referral: referralSchema.partial(),
    note: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .strict()
  .meta({
    id: 'Referral',
    description:
      "A referral; a bank key sees it without the guarantor's value figures and other banks weighed",
  });

export const matchAnswer = z
  .object({
    referrals: z.array(storedReferral),
    unknownAssessments: z.array(z.string()),
    notCandidates: z.array(z.object({ id: z.string(), reason: text }).passthrough()),
    pausedProgrammes: z.array(z.string()),
    objective: z.number(),
    gap: z.number().nullable(),
  })
  .strict();

// --------------------------------------------------------------------------------------------- bank inbox

export const bankParams = z.object({ bankId: pathId }).strict();

const statusList = z
  .string()
  .transform((s) => s.split(',').map((x) => x.trim()))
  .pipe(z.array(z.enum(REFERRAL_STATUSES)).min(1));

export const inboxQuery = z
  .object({
    status: statusList.optional().meta({
      type: 'string',
      description: `One status or several, comma-separated: ${REFERRAL_STATUSES.join(', ')}`,
    }),
    cursor: z.string().min(1).max(500).optional(),
    limit: z.coerce.number().int().min(1).max(500).optional(),
  })
  .strict();

export const inboxAnswer = z
  .object({ items: z.array(storedReferral), nextCursor: z.string().nullable() })
  .strict()
  .meta({ id: 'ReferralPage' });

const version = z.number().int().min(1).optional();
const note = z.string().min(1).max(1000);

export const acceptBody = z.object({ note: note.optional(), expectedVersion: version }).strict().default({});
export const declineBody = z.object({ reason: note, expectedVersion: version }).strict();
export const fundedBody = z
  .object({
    /** Yuan lent; default the referral's amount; never above it. */
    amount: positiveYuan.optional(),
    loanRef: z.string().min(1).max(200).optional(),
    rate: z.number().min(0).max(1).optional(),
    tenorMonths: z.number().int().min(1).max(120).optional(),
    fundedOn: isoDate.optional(),
  })
  .strict()
  .default({});

export const loan = z
  .object({
    id: z.string(),
    referralId: z.string().nullable(),
    bankId: z.string(),
    agreementId: z.string(),
    borrowerId: z.string(),
    assessmentId: z.string().nullable(),
    amount: z.number(),
    status: z.enum(['active', 'defaulted', 'repaid']),
    fundedAt: z.string(),
    payload: z.unknown(),
    version: z.number().int(),
  })
  .strict()
  .meta({ id: 'Loan' });

export const fundedAnswer = z.object({ referral: storedReferral, loan }).strict();

// --------------------------------------------------------------------------------------------- programmes

export const programmeStatus = z
  .object({
    agreementId: z.string(),
    name: z.string(),
    nameEn: z.string(),
    businessMode: z.string(),
    guaranteedToDate: z.number(),
    compensatedToDate: z.number(),
    /** Cumulative compensation ÷ cumulative guaranteed (domain.md §2.2); 0 before any business. */
    compensationRate: z.number(),
    warningLine: z.number(),
    cap: z.number(),
    status: z.enum(['normal', 'warning', 'breached']),
    actions: z.array(z.string()),
    /** Compensation the programme can still pay before the cap: cap × guaranteed − compensated (yuan). */
    capHeadroom: z.number(),
    quota: z
      .object({
        /** Principal of this programme's loans in force. */
        used: z.number(),
        banks: z.array(
          z
            .object({ bankId: z.string(), quota: z.number(), used: z.number(), available: z.number() })
            .strict(),
        ),
      })
      .strict(),
    loans: z.number().int(),
    defaults: z.number().int(),
    updatedAt: z.string().nullable(),
  })
  .strict()
  .meta({ id: 'ProgrammeStatus' });

export const defaultBody = z
  .object({
    unpaidPrincipal: yuan,
    interest: yuan.optional(),
    recovery: yuan.optional(),
    recoveryCosts: yuan.optional(),
  })
  .strict()
  .meta({ id: 'DefaultReport' });

export const defaultAnswer = z
  .object({
    loan,
    flow: z.record(z.string(), z.unknown()),
    programme: programmeStatus,
    createdAt: z.string(),
  })
  .strict();

/** One loan a bank has approved under a batch programme, with what the programme's standards look at. */
export const guaranteeLoan = z
  .object({
    /** The bank's own loan reference: the same reference twice returns the first answer. */
    loanRef: z.string().min(1).max(200),
    borrowerId: z.string().min(1).max(200),
    amount: positiveYuan,
    tenorMonths: z.number().int().min(1).max(120),
    region: z.string().regex(/^\d{6}$/, 'expected a 6-digit GB/T 2260 region code'),
    industry: z
      .string()
      .regex(/^[A-T]\d{0,4}$/, 'expected a GB/T 4754 code: a letter A-T then up to 4 digits'),
    entityType: z.enum(ENTITY_TYPES),
    highTech: z.boolean().optional(),
    specialised: z.boolean().optional(),
    /** An extension (展期) or refinancing (借新还旧). */
    refinance: z.boolean().optional(),
    /** The guarantor's assessment of the borrower, when one was made: it must be an approval. */
    assessmentId: pathId.optional(),
    rate: z.number().min(0).max(1).optional(),
  })
  .strict();

export const guaranteesBody = z
  .object({ loans: z.array(guaranteeLoan).min(1).max(MAX_BATCH) })
  .strict()
  .meta({ id: 'GuaranteeBatch' });

export const guaranteesAnswer = z
  .object({
    guaranteed: z.number().int(),
    refused: z.number().int(),
    results: z.array(
      z
        .object({
          loanRef: z.string(),
          ok: z.boolean(),
          replayed: z.boolean().optional(),
          loan: loan.optional(),
          refusals: z
            .array(z.object({ code: z.string(), zh: z.string(), en: z.string() }).strict())
            .optional(),
        })
        .strict(),
    ),
    programme: programmeStatus,
  })
  .strict();

// --------------------------------------------------------------------------------------------- service

const balanceLine = z.object({ id: z.string(), balance: z.number(), share: z.number() }).strict();

export const portfolioAnswer = z
  .object({
    asOf: z.string(),
    /** The store's book version the figures are of (the same book new assessments are checked against). */
    bookVersion: z.number().int(),
    /** The decisions module's PortfolioStatus: leverage, concentration, ratios, breaches. */
    status: z.record(z.string(), z.unknown()),
    byBank: z.array(balanceLine),
    /** By GB/T 4754 section letter ('?' when unknown). */
    byIndustry: z.array(balanceLine),
    programmes: z.array(programmeStatus),
  })
  .strict()
  .meta({ id: 'Portfolio' });

export const releaseAnswer = z
  .object({
    id: z.string(),
    description: z.string(),
    champion: z.object({ path: z.string(), sha256: z.string() }).strict(),
    challenger: z.object({ path: z.string(), sha256: z.string() }).strict().nullable(),
    policy: z.record(z.string(), z.unknown()),
  })
  .strict()
  .meta({ id: 'Release' });

export const healthAnswer = z.object({ status: z.string() }).passthrough();
