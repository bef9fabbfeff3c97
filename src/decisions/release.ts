import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { z } from 'zod';
import { sha256 } from '../core/artifact.js';
import { ioError, RiskError } from '../core/errors.js';
import { RISK_GRADES } from '../ingest/partners.js';
import { ENTITY_TYPES, PURPOSES, SOURCES } from '../ingest/schemas.js';
import type { TrainedModel } from '../models/model.js';
import { loadModelArtifact } from '../models/registry.js';
import { RULE_ACTIONS, RULE_OPERATORS } from './assessment.js';
import { portfolioPolicySchema } from './portfolio.js';
import { RELEASES_DIR } from './release-dir.js';

/**
 * A release: the model artifacts (each pinned by the sha256 of its files) and the policy as data (knock-out
 * rules, cut-offs, master scale, limit parameters, fee grid, programme caps, required sources) that turn an
 * application into a decision. `models/releases/<id>.json`; `models/releases/active.json` names the active
 * one. Every number of the policy cites the domain.md section it comes from in the release file itself.
 */

const text = z.object({ zh: z.string().min(1), en: z.string().min(1) }).strict();

const fraction = z.number().finite().min(0).max(1);
const yuan = z.number().finite().nonnegative();
const sha = z.string().regex(/^[0-9a-f]{64}$/, 'expected a sha256 in 64 lower-case hex digits');
const ruleThreshold = z.union([z.number(), z.string(), z.boolean()]);

/** A model artifact of the release: a directory (relative to the release file) and its pinned files. */
export const modelRefSchema = z
  .object({
    /** Directory holding model.json, relative to the release file's directory. */
    path: z.string().min(1),
    /** File name → sha256 of its bytes; must include model.json. */
    files: z
      .record(z.string().min(1), sha)
      .refine((f) => 'model.json' in f, { message: 'files must pin model.json' }),
  })
  .strict();
/** A model artifact of the release. */
export type ModelRef = z.infer<typeof modelRefSchema>;

/** A second condition a rule needs to fire (e.g. only for requests above 300万). */
export const ruleConditionSchema = z
  .object({ input: z.string().min(1), operator: z.enum(RULE_OPERATORS), threshold: ruleThreshold })
  .strict();

/**
 * A knock-out rule as data: fires when `input operator threshold` holds (and `and`, when given); a missing
 * input never fires (a missing source is handled by `requiredSources`).
 */
export const policyRuleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9_]+$/, 'expected a snake_case id'),
    label: text,
    input: z.string().min(1),
    operator: z.enum(RULE_OPERATORS),
    threshold: ruleThreshold,
    and: ruleConditionSchema.optional(),
    action: z.enum(RULE_ACTIONS),
    /** The domain.md section the rule and its threshold come from, e.g. "domain.md §5.1". */
    source: z.string().min(1),
    note: z.string().optional(),
  })
  .strict();
/** A knock-out rule as data. */
export type PolicyRule = z.infer<typeof policyRuleSchema>;

/** A programme (总对总 product or fund scheme) the request may name: its caps and fee ceiling. */
export const programmeSchema = z
  .object({
    id: z.string().min(1),
    label: text,
    /** Per-borrower cap in yuan. */
    perBorrowerCap: yuan,
    /** Guarantee fee ceiling (annual fraction); null when the programme sets none. */
    feeCeiling: fraction.nullable(),
    source: z.string().min(1),
  })
  .strict();
/** A programme the request may name. */
export type Programme = z.infer<typeof programmeSchema>;

const grade = z.enum(RISK_GRADES);

/** The decision policy of a release. */
export const policySchema = z
  .object({
    /** Sources without which no decision is made (`insufficient_data`). */
    requiredSources: z.array(z.enum(SOURCES)),
    knockouts: z.array(policyRuleSchema),
    /** PD cut-offs on the champion's PD: ≤ approveMaxPd approve, ≤ referMaxPd refer, else decline. */
    cutoffs: z
      .object({ approveMaxPd: fraction, referMaxPd: fraction, source: z.string() })
      .strict()
      .refine((c) => c.approveMaxPd <= c.referMaxPd, {
        message: 'approveMaxPd must not exceed referMaxPd',
        path: ['referMaxPd'],
      }),
    /** Master scale: the first grade whose maxPd the PD does not exceed; best grade first, last maxPd = 1. */
    masterScale: z
      .array(z.object({ grade, maxPd: fraction }).strict())
      .min(1)
      .superRefine((scale, ctx) => {
        for (let i = 1; i < scale.length; i++) {
          const prev = scale[i - 1] as { grade: string; maxPd: number };
          const cur = scale[i] as { grade: string; maxPd: number };
          if (!(cur.maxPd > prev.maxPd))
            ctx.addIssue({
              code: 'custom',
              message: 'maxPd must increase down the scale',
              path: [i, 'maxPd'],
            });
          if (RISK_GRADES.indexOf(cur.grade as never) <= RISK_GRADES.indexOf(prev.grade as never))
            ctx.addIssue({ code: 'custom', message: 'grades must run best first', path: [i, 'grade'] });
        }
        if (scale.at(-1)?.maxPd !== 1)
          ctx.addIssue({ code: 'custom', message: 'the last maxPd must be 1', path: [scale.length - 1] });
      }),
    /** Score = base + pdo/ln2 · ln(odds/baseOdds), odds = (1 − pd)/pd; higher is safer. */
    scoreScale: z
      .object({ base: z.number(), baseOdds: z.number().positive(), pdo: z.number().positive() })
      .strict(),
    /** How many reasons an assessment lists. */
    reasonCount: z.number().int().min(0).max(20),
    limit: z
      .object({
        /** Capacity: this share of annual sales (domain.md §7.1: 20–30% of revenue or invoicing). */
        salesShare: fraction,
        /** Capacity: this multiple of the annual tax paid, by tax grade (税融通 A ≤5×, B ≤3×, domain.md §7.1). */
        taxMultiple: z.record(z.string(), z.number().nonnegative()),
        /** Working-capital method (domain.md §7.1): margin, turnover days, growth bounds. */
        workingCapital: z
          .object({
            salesMargin: fraction,
            turnoverDays: z.number().positive(),
            growthMin: z.number(),
            growthMax: z.number(),
          })
          .strict(),
        /** Capacity: monthly inflow × 12 × this share (domain.md §7.1: 30–40%). */
        inflowShare: fraction,
        /** Household debt may reach this multiple of the owner's annual income. */
        householdDebtToIncome: z.number().positive(),
        /** Risk limit: PD × LGD × amount ≤ expectedLossBudget (yuan per guarantee). */
        lgd: fraction,
        expectedLossBudget: yuan,
        /** Limits are rounded down to this (1万). */
        roundTo: z.number().positive(),
        /** A limit below this (yuan) leaves nothing to guarantee: the application is referred or declined. */
        minimum: yuan,
        belowMinimum: z.enum(['refer', 'decline']),
        source: z.string(),
      })
      .strict(),
    /** Caps by loan purpose (product), yuan. */
    productCaps: z.record(z.enum(PURPOSES), yuan),
    programmes: z.array(programmeSchema),
    /** The programme applied when the request names none. */
    defaultProgramme: z.string().min(1),
    /** Fee by grade (annual fraction) before the programme's ceiling. */
    feeGrid: z.record(grade, fraction),
    guarantor: z
      .object({
        /** Net assets of the guarantor, yuan. */
        netAssets: yuan,
        /** Single client ≤10%, related group ≤15% of net assets (domain.md §3.1). */
        singleClientShare: fraction,
        groupShare: fraction,
        source: z.string(),
      })
      .strict(),
    /** Excluded entity types and industries are rule thresholds; this lists the entity types for reference. */
    entityTypes: z.array(z.enum(ENTITY_TYPES)).optional(),
    /**
     * Portfolio limits (leverage, concentration, government-guarantor ratios, domain.md §3.1, §3.2, §3.4): each
     * new guarantee is checked against the book and referred or declined on a breach.
     */
    portfolio: portfolioPolicySchema.optional(),
  })
  .strict()
  .superRefine((p, ctx) => {
    if (!p.programmes.some((g) => g.id === p.defaultProgramme))
      ctx.addIssue({
        code: 'custom',
        message: `defaultProgramme ${JSON.stringify(p.defaultProgramme)} is not among the programmes`,
        path: ['defaultProgramme'],
      });
    const book = p.portfolio;
    if (book !== undefined) {
      // One balance sheet: the limit's concentration candidates and the portfolio checks use the same figures.
      const same =
        book.netAssets === p.guarantor.netAssets &&
        book.concentration.singleClient === p.guarantor.singleClientShare &&
        book.concentration.relatedGroup === p.guarantor.groupShare;
      if (!same)
        ctx.addIssue({
          code: 'custom',
          message: `guarantor (net assets ${p.guarantor.netAssets}, ${p.guarantor.singleClientShare} / ${p.guarantor.groupShare}) must agree with portfolio (net assets ${book.netAssets}, ${book.concentration.singleClient} / ${book.concentration.relatedGroup})`,
          path: ['guarantor'],
        });
    }
    for (const g of p.masterScale)
      if (p.feeGrid[g.grade] === undefined)
        ctx.addIssue({ code: 'custom', message: `feeGrid lacks grade ${g.grade}`, path: ['feeGrid'] });
  });
/** The decision policy of a release. */
export type Policy = z.infer<typeof policySchema>;

/** A release file. */
export const releaseSchema = z
  .object({
    id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected an id of letters, digits, dots, dashes'),
    description: z.string(),
    models: z
      .object({
        /** The model whose PD decides. */
        champion: modelRefSchema,
        /** A challenger run in shadow under the same policy: kept beside the decision, never the decision. */
        challenger: modelRefSchema.optional(),
      })
      .strict(),
    policy: policySchema,
  })
  .strict();
/** A release file. */
export type Release = z.infer<typeof releaseSchema>;

/** A model of a loaded release: the model, its artifact directory and its pinned checksum. */
export interface LoadedModel {
  readonly role: 'champion' | 'challenger';
  readonly path: string;
  readonly sha256: string;
  readonly model: TrainedModel;
  /** The features the model was trained on as categorical (the artifact's category maps). */
  readonly categorical: ReadonlySet<string>;
}

/** A release with its models loaded and verified: what `assess` takes. */
export interface LoadedRelease {
  readonly release: Release;
  /** Where it was read from. */
  readonly file: string;
  readonly champion: LoadedModel;
  readonly challenger: LoadedModel | null;
}

/** Options of `loadRelease`. */
export interface LoadReleaseOptions {
  /** Directory model paths are relative to; default the release file's directory. */
  readonly baseDir?: string;
}

export { RELEASES_DIR };
/** The file in the releases directory that names the active release: `{ "active": "<id>" }`. */
export const ACTIVE_FILE = 'active.json';

/** Reads and parses a JSON file. @throws E_IO, E_JSON_PARSE naming the file */
export function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw ioError('read', path, err);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RiskError('E_JSON_PARSE', `${path} is not valid JSON: ${(err as Error).message}`, {
      file: path,
    });
  }
}

/**
 * Validates a release document.
 * @throws E_RELEASE_INVALID naming the first bad field, what was expected and what was received
 */
export function parseRelease(value: unknown, file = '(release)'): Release {
  const r = releaseSchema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const path = (issue?.path ?? []).map((p) => (typeof p === 'symbol' ? String(p) : p));
    throw new RiskError(
      'E_RELEASE_INVALID',
      `${file}: ${path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
      {
        file,
        path,
        issues: r.error.issues.map((i) => ({
          path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
          message: i.message,
          code: i.code,
        })),
      },
    );
  }
  return r.data;
}

/**
 * Checks each pinned file of a model against its sha256 and loads the model.
 * @throws E_RELEASE_ARTIFACT naming the artifact file, the expected and the received checksum
 */
function loadPinned(ref: ModelRef, role: LoadedModel['role'], baseDir: string): LoadedModel {
  const dir = resolve(baseDir, ref.path);
  for (const [name, expected] of Object.entries(ref.files)) {
    const file = join(dir, name);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      throw new RiskError(
        'E_RELEASE_ARTIFACT',
        `${role} artifact ${file} cannot be read: ${(err as Error).message}`,
        { file, expected, received: 'nothing' },
        { cause: err },
      );
    }
    const received = sha256(bytes);
    if (received !== expected) {
      throw new RiskError(
        'E_RELEASE_ARTIFACT',
        `${role} artifact ${file} has changed: sha256 expected ${expected}, received ${received}`,
        { file, expected, received },
      );
    }
  }
  const { model, artifact } = loadModelArtifact(dir);
  return {
    role,
    path: ref.path,
    sha256: artifact.sha256,
    model,
    categorical: new Set(Object.keys(artifact.categories)),
  };
}

/**
 * Loads a release file: validates it, verifies every pinned model file by sha256 and loads the models.
 * @throws E_IO, E_JSON_PARSE, E_RELEASE_INVALID, E_RELEASE_ARTIFACT (a changed or missing artifact)
 * @example const r = await loadRelease('models/releases/admission-2026.12.json'); assess(r, app)
 */
export async function loadRelease(path: string, options: LoadReleaseOptions = {}): Promise<LoadedRelease> {
  const release = parseRelease(readJson(path), path);
  const baseDir = options.baseDir ?? dirname(path);
  const champion = loadPinned(release.models.champion, 'champion', baseDir);
  const challenger =
    release.models.challenger === undefined
      ? null
      : loadPinned(release.models.challenger, 'challenger', baseDir);
  return { release, file: path, champion, challenger };
}

/** The id of the active release in a releases directory (`active.json`). @throws E_IO, E_RELEASE_INVALID */
export function activeReleaseId(dir: string = RELEASES_DIR): string {
  const file = join(dir, ACTIVE_FILE);
  const value = readJson(file) as { active?: unknown };
  if (typeof value?.active !== 'string' || value.active === '') {
    throw new RiskError(
      'E_RELEASE_INVALID',
      `${file}: active must be a release id, received ${String(value?.active)}`,
      {
        file,
        path: ['active'],
      },
    );
  }
  return value.active;
}

/** The file of a release id in a releases directory. */
export function releaseFile(id: string, dir: string = RELEASES_DIR): string {
  return join(dir, `${id}.json`);
}

/**
 * Loads the active release of a releases directory.
 * @example const release = await loadActiveRelease();
 */
export async function loadActiveRelease(dir: string = RELEASES_DIR): Promise<LoadedRelease> {
  return loadRelease(releaseFile(activeReleaseId(dir), dir));
}
