import { canonicalJson, sha256 } from '../core/artifact.js';
import { RiskError } from '../core/errors.js';
import { type Column, Frame } from '../core/frame.js';
import { getDefaultCatalog } from '../features/catalog.js';
import { computeFeatures } from '../features/engine.js';
import { compileCatalog, type FeaturePlan } from '../features/plan.js';
import type { RiskGrade } from '../ingest/partners.js';
import type { Application } from '../ingest/schemas.js';
import { parseApplication } from '../ingest/validate.js';
import {
  type CompiledRule,
  compileRules,
  decide,
  evaluateRules,
  gradeOf,
  missingSources,
  programmeOf,
} from './admission.js';
import type {
  Assessment,
  AssessmentReason,
  BorrowerProfile,
  Decision,
  Fee,
  Limit,
  RuleResult,
} from './assessment.js';
import { diffJson } from './json-diff.js';
import {
  annualSales,
  computeLimit,
  existingDebt,
  type LimitExposure,
  type LimitPlan,
  limitPlan,
} from './limit.js';
import { Portfolio } from './portfolio.js';
import { reasonPhrases } from './reasons.js';
import type { LoadedModel, LoadedRelease, Policy, Programme } from './release.js';

/**
 * The one assessment pipeline: features (the catalog's engine) → the release's models (PD, score, reasons) →
 * policy (knock-outs, grade, decision, limit, fee) → one `Assessment`. In memory and synchronous; the CLI
 * batch, the API and replay all call it. A batch (`assessMany`) is the same steps over a stream, scoring the
 * models a chunk at a time and applying the policy row by row in arrival order, so that a portfolio carried
 * through the batch sees every earlier approval.
 */

/** What the portfolio checks need to know of a new guarantee (the portfolio module's Exposure, and more). */
export interface GuaranteeExposure {
  /** The application id. */
  readonly id: string;
  readonly borrowerId: string;
  /** The guarantee amount, yuan. */
  readonly amount: number;
  readonly grade: RiskGrade | null;
  readonly pd: number | null;
  readonly entityType: string | null;
  readonly industry: string | null;
  readonly programme: string | null;
}

/** The portfolio a batch carries: checks a new guarantee against the limits, and books an approved one. */
export interface PortfolioLike {
  check(exposure: GuaranteeExposure): { results: RuleResult[]; action: 'refer' | 'decline' | null };
  add(exposure: GuaranteeExposure): void;
  /** The guarantor's outstanding guarantees to a borrower, yuan (0 when none). */
  clientExposure?(borrowerId: string): number;
  /** … to a related group (a borrower without a known group is its own), yuan. */
  groupExposure?(groupId: string): number;
}

/** Options of `assess` and `assessMany`. */
export interface AssessOptions {
  /**
   * The borrower's outstanding guarantees with the guarantor (client, related group), yuan. Default: from the
   * portfolio when one is given, else none (a new client); a null means unknown, and the limits that need it
   * then do not bind.
   */
  readonly exposure?: LimitExposure;
  /**
   * The book to check a new guarantee against (assessMany also books approvals in it). Default: when the
   * release has a portfolio policy, an empty book under it (a new guarantor, or a book not given).
   */
  readonly portfolio?: PortfolioLike;
  /** Run the release's challenger in shadow (default true when the release has one). */
  readonly shadow?: boolean;
  /**
   * Names the state of `portfolio` (e.g. the service's book version). It is part of the assessment id, so the
   * same input checked against another book is another assessment; absent, the id is release and input only.
   */
  readonly bookId?: string;
}

/** What a release compiles to once: the feature plan, the rules and the models' column maps. */
interface Compiled {
  readonly plan: FeaturePlan;
  readonly rules: readonly CompiledRule[];
  readonly limit: LimitPlan;
  readonly phrase: (index: number, value: number) => { zh: string; en: string };
  readonly champion: Slot;
  readonly challenger: Slot | null;
  /** An empty book under the release's portfolio policy, for single assessments without one (never booked). */
  readonly emptyBook: Portfolio | null;
  /** Plan indices of the features the borrower profile reads. */
  readonly at: {
    readonly yearsInBusiness: number;
    readonly entOverdue: number;
    readonly ownerOverdue: number;
  };
}

/** A model with the plan index of each of its features. */
interface Slot {
  readonly loaded: LoadedModel;
  readonly planIndex: Int32Array;
  readonly byName: ReadonlyMap<string, number>;
}

const compiledReleases = new WeakMap<LoadedRelease, Compiled>();

function slotOf(plan: FeaturePlan, loaded: LoadedModel): Slot {
  const names = loaded.model.featureNames;
  const planIndex = new Int32Array(names.length);
  const byName = new Map<string, number>();
  names.forEach((n, j) => {
    const i = plan.names.indexOf(n);
    if (i < 0) throw new Error(`model ${loaded.path} needs feature ${n}, which the catalog lacks`);
    planIndex[j] = i;
    byName.set(n, i);
  });
  return { loaded, planIndex, byName };
}

function compiled(release: LoadedRelease): Compiled {
  let c = compiledReleases.get(release);
  if (c === undefined) {
    const plan = compileCatalog(getDefaultCatalog());
    c = {
      plan,
      rules: compileRules(plan, release.release.policy.knockouts),
      limit: limitPlan(plan),
      phrase: reasonPhrases(plan),
      champion: slotOf(plan, release.champion),
      challenger: release.challenger === null ? null : slotOf(plan, release.challenger),
      emptyBook:
        release.release.policy.portfolio === undefined
          ? null
          : new Portfolio(release.release.policy.portfolio),
      at: {
        yearsInBusiness: plan.names.indexOf('ent_years_in_business'),
        entOverdue: plan.names.indexOf('bureau_ent_overdue_amount'),
        ownerOverdue: plan.names.indexOf('bureau_owner_overdue_amount'),
      },
    };
    compiledReleases.set(release, c);
  }
  return c;
}

/** A model frame of n feature rows, in the model's feature order (categoricals keep the plan's levels). */
function modelFrame(plan: FeaturePlan, slot: Slot, rows: readonly Float64Array[]): Frame {
  const n = rows.length;
  const names = slot.loaded.model.featureNames;
  const columns: Column[] = new Array(names.length);
  for (let j = 0; j < names.length; j++) {
    const i = slot.planIndex[j] as number;
    const levels = plan.features[i]?.levels;
    if (levels !== undefined && !slot.loaded.categorical.has(names[j] as string)) {
      // A categorical of the catalog the model read as numbers (a province code): its level as a number.
      const values = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        const v = (rows[r] as Float64Array)[i] as number;
        values[r] = Number.isNaN(v) ? Number.NaN : Number(levels[v]);
      }
      columns[j] = { kind: 'numeric', name: names[j] as string, values };
    } else if (levels !== undefined) {
      const codes = new Int32Array(n);
      for (let r = 0; r < n; r++) {
        const v = (rows[r] as Float64Array)[i] as number;
        codes[r] = Number.isNaN(v) ? -1 : v;
      }
      columns[j] = { kind: 'categorical', name: names[j] as string, codes, levels };
    } else {
      const values = new Float64Array(n);
      for (let r = 0; r < n; r++) values[r] = (rows[r] as Float64Array)[i] as number;
      columns[j] = { kind: 'numeric', name: names[j] as string, values };
    }
  }
  return new Frame(columns);
}

/** What a model said of a chunk of rows. */
interface Scored {
  readonly pd: Float64Array;
  readonly score: Float64Array | undefined;
  readonly reasons: AssessmentReason[][] | undefined;
}

function scoreRows(c: Compiled, slot: Slot, rows: readonly Float64Array[], k: number): Scored {
  const frame = modelFrame(c.plan, slot, rows);
  const model = slot.loaded.model;
  const pd = model.predictProba(frame);
  const score = model.score?.(frame);
  if (k === 0 || model.reasons === undefined) return { pd, score, reasons: undefined };
  const raw = model.reasons(frame, k);
  const reasons = raw.map((list, r) =>
    list.map((reason): AssessmentReason => {
      const i = slot.byName.get(reason.feature) as number;
      const v = (rows[r] as Float64Array)[i] as number;
      const levels = c.plan.features[i]?.levels;
      return {
        feature: reason.feature,
        value: Number.isNaN(v) ? null : levels !== undefined ? (levels[v] ?? null) : v,
        contribution: reason.impact,
        text: c.phrase(i, v),
      };
    }),
  );
  return { pd, score, reasons };
}

/** Score from PD on the release's scale: base + pdo/ln2 · ln(odds/baseOdds), odds = (1 − pd)/pd. */
function scaledScore(policy: Policy, pd: number): number {
  const { base, baseOdds, pdo } = policy.scoreScale;
  const p = Math.min(Math.max(pd, 1e-9), 1 - 1e-9);
  return Math.round(base + (pdo / Math.LN2) * Math.log((1 - p) / p / baseOdds));
}

/** The policy's answer for one row and one PD. */
interface PolicyOutcome {
  readonly decision: Decision;
  readonly grade: RiskGrade;
  readonly rules: RuleResult[];
  readonly missing: ReturnType<typeof missingSources>;
  readonly limit: Limit | null;
  readonly fee: Fee | null;
  readonly programme: Programme | null;
}

function applyPolicy(
  c: Compiled,
  policy: Policy,
  app: Application,
  row: Float64Array,
  pd: number,
  exposure: LimitExposure,
): PolicyOutcome {
  const programme = programmeOf(policy, app);
  const rules = evaluateRules(c.rules, { app, row, programme });
  const missing = missingSources(policy, app);
  const decision = decide(policy, rules, missing, pd);
  const grade = gradeOf(policy, pd);
  if (decision === 'decline' || decision === 'insufficient_data')
    return { decision, grade, rules, missing, limit: null, fee: null, programme };
  const limit = computeLimit(policy, c.limit, { app, row, pd, programme, exposure });
  const floor = limitFloorRule(policy, limit.amount);
  rules.push(floor);
  if (floor.fired && (floor.action === 'decline' || decision === 'approve')) {
    const d: Decision = floor.action === 'decline' ? 'decline' : 'refer';
    return d === 'decline'
      ? { decision: d, grade, rules, missing, limit: null, fee: null, programme }
      : {
          decision: d,
          grade,
          rules,
          missing,
          limit,
          fee: feeOf(policy, grade, programme, limit.amount),
          programme,
        };
  }
  const fee = feeOf(policy, grade, programme, limit.amount);
  return { decision, grade, rules, missing, limit, fee, programme };
}

/** The rule that a limit below the minimum leaves nothing to guarantee (reported fired or not). */
function limitFloorRule(policy: Policy, amount: number): RuleResult {
  const { minimum, belowMinimum, source } = policy.limit;
  return {
    id: 'limit_below_minimum',
    label: { zh: '可授信额度低于最低额度', en: 'the credit limit is below the minimum' },
    input: 'limit.amount',
    value: amount,
    operator: '<',
    threshold: minimum,
    action: belowMinimum,
    fired: amount < minimum,
    source,
  };
}

/** The fee by grade inside the programme's ceiling, and its yearly amount on the limit to the fen. */
function feeOf(policy: Policy, grade: RiskGrade, programme: Programme | null, amount: number): Fee {
  const gridRate = policy.feeGrid[grade] as number;
  const ceiling = programme?.feeCeiling ?? null;
  const rate = ceiling === null ? gridRate : Math.min(gridRate, ceiling);
  return { rate, gridRate, ceiling, annualAmount: Math.round(rate * amount * 100) / 100 };
}

function profileOf(c: Compiled, app: Application, row: Float64Array): BorrowerProfile {
  const e = app.enterprise;
  const years = row[c.at.yearsInBusiness] as number;
  const overdue = currentOverdue(c, row);
  return {
    id: app.id,
    name: e?.name ?? null,
    entityType: e?.entityType ?? null,
    industry: e?.industry ?? null,
    region: e?.region ?? null,
    highTech: e?.highTech ?? false,
    specialised: e?.specialised ?? false,
    firstLoan: e?.firstLoan ?? false,
    yearsInBusiness: Number.isNaN(years) ? null : years,
    annualSales: annualSales(c.limit, row),
    currentOverdue: overdue,
    existingDebt: existingDebt(c.limit, row, app) ?? 0,
  };
}

function currentOverdue(c: Compiled, row: Float64Array): boolean | null {
  const a = row[c.at.entOverdue] as number;
  const b = row[c.at.ownerOverdue] as number;
  if (Number.isNaN(a) && Number.isNaN(b)) return null;
  return (Number.isNaN(a) ? 0 : a) + (Number.isNaN(b) ? 0 : b) > 0;
}

/** sha256 of the canonical JSON of the validated application: the input digest of its assessments. */
export function inputDigest(app: Application): string {
  return sha256(canonicalJson(app));
}

function exposureOf(options: AssessOptions, app: Application): LimitExposure {
  if (options.exposure !== undefined) return options.exposure;
  const p = options.portfolio;
  const client = p?.clientExposure?.(app.id) ?? 0;
  return { client, group: p?.groupExposure?.(app.id) ?? client };
}

/** The guarantee a row would add to the portfolio. */
function guaranteeOf(app: Application, o: PolicyOutcome, pd: number): GuaranteeExposure {
  return {
    id: app.id,
    borrowerId: app.id,
    amount: o.limit?.amount ?? 0,
    grade: o.grade,
    pd,
    entityType: app.enterprise?.entityType ?? null,
    industry: app.enterprise?.industry ?? null,
    programme: o.programme?.id ?? null,
  };
}

/** Assembles one assessment from a row's features and the models' answers; books approvals when asked. */
function finish(
  release: LoadedRelease,
  c: Compiled,
  app: Application,
  row: Float64Array,
  champion: Scored,
  challenger: Scored | null,
  r: number,
  options: AssessOptions,
  book: boolean,
): Assessment {
  const policy = release.release.policy;
  const pd = champion.pd[r] as number;
  const exposure = exposureOf(options, app);
  let outcome = applyPolicy(c, policy, app, row, pd, exposure);
  // Portfolio limits: a guarantee the policy would grant is checked against them; a breach refers or declines.
  const portfolio = options.portfolio;
  if (portfolio !== undefined && (outcome.decision === 'approve' || outcome.decision === 'refer')) {
    const check = portfolio.check(guaranteeOf(app, outcome, pd));
    let decision: Decision = outcome.decision;
    if (check.action === 'decline') decision = 'decline';
    else if (check.action === 'refer') decision = 'refer';
    outcome = {
      ...outcome,
      decision,
      rules: [...outcome.rules, ...check.results],
      ...(decision === 'decline' ? { limit: null, fee: null } : {}),
    };
    if (book && decision === 'approve') portfolio.add(guaranteeOf(app, outcome, pd));
  }
  const digest = inputDigest(app);
  const releaseId = release.release.id;
  let shadow: Assessment['shadow'] = null;
  if (challenger !== null && release.challenger !== null) {
    const pdC = challenger.pd[r] as number;
    const o = applyPolicy(c, policy, app, row, pdC, exposure);
    shadow = {
      releaseId: `${releaseId}#challenger`,
      decision: o.decision,
      grade: o.grade,
      pd: pdC,
      limitAmount: o.limit?.amount ?? null,
      fired: o.rules.filter((x) => x.fired).map((x) => x.id),
    };
  }
  const championModel = release.champion;
  const models = [
    {
      role: 'champion',
      artifact: championModel.path,
      sha256: championModel.sha256,
      pd,
      score: champion.score === undefined ? null : (champion.score[r] as number),
    },
  ];
  if (challenger !== null && release.challenger !== null)
    models.push({
      role: 'challenger',
      artifact: release.challenger.path,
      sha256: release.challenger.sha256,
      pd: challenger.pd[r] as number,
      score: challenger.score === undefined ? null : (challenger.score[r] as number),
    });
  return {
    id: sha256(
      options.bookId === undefined ? `${releaseId}\n${digest}` : `${releaseId}\n${digest}\n${options.bookId}`,
    ).slice(0, 32),
    applicationId: app.id,
    asOf: app.asOf,
    releaseId,
    inputDigest: digest,
    decision: outcome.decision,
    grade: outcome.grade,
    pd,
    score: champion.score === undefined ? scaledScore(policy, pd) : (champion.score[r] as number),
    models,
    rules: outcome.rules,
    fired: outcome.rules.filter((x) => x.fired).map((x) => x.id),
    reasons: champion.reasons?.[r] ?? [],
    missingSources: outcome.missing,
    limit: outcome.limit,
    fee: outcome.fee,
    borrower: profileOf(c, app, row),
    request: app.request ?? null,
    shadow,
  };
}

function assessChunk(
  release: LoadedRelease,
  apps: readonly Application[],
  options: AssessOptions,
  book: boolean,
): Assessment[] {
  const c = compiled(release);
  const rows = apps.map((app) => computeFeatures(c.plan, app));
  const k = release.release.policy.reasonCount;
  const champion = scoreRows(c, c.champion, rows, k);
  const challenger =
    c.challenger !== null && options.shadow !== false ? scoreRows(c, c.challenger, rows, 0) : null;
  return apps.map((app, r) =>
    finish(release, c, app, rows[r] as Float64Array, champion, challenger, r, options, book),
  );
}

/**
 * Assesses one validated application under a release: synchronous, in memory, no file anywhere in the path.
 * With a portfolio, the guarantee is checked against it but not booked (assessMany books).
 * @example const a = assess(await loadActiveRelease(), app); a.decision; a.limit?.binding
 */
export function assess(
  release: LoadedRelease,
  application: Application,
  options: AssessOptions = {},
): Assessment {
  const book = compiled(release).emptyBook;
  const o = options.portfolio === undefined && book !== null ? { ...options, portfolio: book } : options;
  return assessChunk(release, [application], o, false)[0] as Assessment;
}

/** Rows scored together by assessMany: large enough to amortise a frame, small enough to stream. */
const CHUNK = 256;

/**
 * Assesses a stream of validated applications, in order, with the same steps as `assess`. With a portfolio,
 * each approval is booked in it before the next application is checked, so an approved batch never breaches
 * the portfolio limits whatever the order of arrival.
 * @example for await (const a of assessMany(release, readApplications(dir))) out.write(JSON.stringify(a));
 */
export async function* assessMany(
  release: LoadedRelease,
  applications: Iterable<Application> | AsyncIterable<Application>,
  options: AssessOptions = {},
): AsyncGenerator<Assessment> {
  const policy = release.release.policy.portfolio;
  const o =
    options.portfolio === undefined && policy !== undefined
      ? { ...options, portfolio: new Portfolio(policy) }
      : options;
  let chunk: Application[] = [];
  for await (const app of applications) {
    chunk.push(app);
    if (chunk.length >= CHUNK) {
      yield* assessChunk(release, chunk, o, true);
      chunk = [];
    }
  }
  if (chunk.length > 0) yield* assessChunk(release, chunk, o, true);
}

/** One field where a recomputed assessment differs from the stored one. */
export interface ReplayDifference {
  /** Dotted path, e.g. `limit.candidates[2].amount`. */
  readonly path: string;
  readonly stored: unknown;
  readonly recomputed: unknown;
}

/** What `replay` found. */
export interface ReplayResult {
  readonly identical: boolean;
  readonly differences: readonly ReplayDifference[];
  readonly recomputed: Assessment;
}

/**
 * The fields where a recomputed assessment differs from a stored one, compared through JSON as stored (numbers
 * and absent keys compare as they were written).
 */
export function compareAssessments(stored: Assessment, recomputed: Assessment): ReplayDifference[] {
  const asStored = (a: Assessment): unknown => JSON.parse(JSON.stringify(a));
  return diffJson(asStored(stored), asStored(recomputed)).map((c) => ({
    path: c.path,
    stored: c.before,
    recomputed: c.after,
  }));
}

/**
 * Recomputes a stored assessment from its release and stored input and compares them field by field. The
 * input is validated again (loose input normalised, as the API does); the release must be the one the
 * assessment names. Portfolio checks depend on the book at the time: pass the same `options` to reproduce them.
 * @throws E_INPUT_INVALID for a stored input that no longer validates, E_ASSESS_INPUT for a release mismatch
 * @example const r = replay(release, input, stored); r.identical || r.differences
 */
export function replay(
  release: LoadedRelease,
  storedInput: unknown,
  storedAssessment: Assessment,
  options: AssessOptions = {},
): ReplayResult {
  if (storedAssessment.releaseId !== release.release.id) {
    throw new RiskError(
      'E_ASSESS_INPUT',
      `the stored assessment was made under release ${storedAssessment.releaseId}, received release ${release.release.id}`,
      { path: ['releaseId'], expected: storedAssessment.releaseId, received: release.release.id },
    );
  }
  const app = parseApplication(storedInput);
  const recomputed = assess(release, app, options);
  const differences = compareAssessments(storedAssessment, recomputed);
  return { identical: differences.length === 0, differences, recomputed };
}
