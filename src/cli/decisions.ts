import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LineWriter, readCsvBlocks } from '../core/csv.js';
import { RiskError } from '../core/errors.js';
import { assess, assessMany, compareAssessments } from '../decisions/assess.js';
import { type Assessment, assessmentSchema, type LimitCandidate } from '../decisions/assessment.js';
import { diffJson, type JsonChange } from '../decisions/json-diff.js';
import { DEFAULT_PORTFOLIO_POLICY, Portfolio } from '../decisions/portfolio.js';
import { portfolioOf, readInForceBook } from '../decisions/portfolio-book.js';
import {
  ACTIVE_FILE,
  activeReleaseId,
  type LoadedRelease,
  loadRelease,
  parseRelease,
  RELEASES_DIR,
  type Release,
  readJson,
  releaseFile,
} from '../decisions/release.js';
import { readTargets } from '../features/batch.js';
import { RISK_GRADES } from '../ingest/partners.js';
import { readApplicationsDir, readApplicationsJsonl } from '../ingest/readers.js';
import type { Application } from '../ingest/schemas.js';
import { parseApplication } from '../ingest/validate.js';
import { readAgreements } from './agreements.js';
import { type CommandIo, progressBar } from './train.js';

const processIo: CommandIo = { stdout: process.stdout, stderr: process.stderr };

const wan = (yuan: number): string => (yuan / 10_000).toLocaleString('en-US', { maximumFractionDigits: 2 });
const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** A release given as a file path or as an id in the releases directory; default the active one. */
export function resolveReleaseFile(release: string | undefined, dir: string = RELEASES_DIR): string {
  if (release === undefined) return releaseFile(activeReleaseId(dir), dir);
  if (existsSync(release) && statSync(release).isFile()) return release;
  const file = releaseFile(release, dir);
  if (!existsSync(file)) {
    throw new RiskError('E_IO', `--release: no release file ${release} and no ${file}`, {
      path: ['release'],
      received: release,
    });
  }
  return file;
}

/** Release files of a directory, with the active id. */
export function listReleases(dir: string = RELEASES_DIR): { id: string; file: string; release: Release }[] {
  if (!existsSync(dir)) throw new RiskError('E_IO', `no releases directory ${dir}`, { file: dir });
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== ACTIVE_FILE)
    .sort()
    .map((f) => {
      const file = join(dir, f);
      const release = parseRelease(readJson(file), file);
      return { id: release.id, file, release };
    });
}

/** One change between two releases: a path and the value before and after (undefined = absent). */
export type ReleaseChange = JsonChange;

/**
 * What changed between two releases, in models (paths and pinned checksums) and policy (rules by id,
 * programmes by id, cut-offs, scale, grids). The id and description are left out.
 * @example releaseDiff(a, b).map((c) => c.path) // ['policy.cutoffs.approveMaxPd']
 */
export function releaseDiff(a: Release, b: Release): ReleaseChange[] {
  return diffJson(
    { models: a.models, policy: a.policy },
    { models: b.models, policy: b.policy },
    { keyed: true },
  );
}

const show = (v: unknown): string => (v === undefined ? '(absent)' : JSON.stringify(v));

/** Reads applications from a sample directory, a JSON Lines file or a JSON array. */
function readApplications(
  input: string,
  rejects: string,
  onProgress: (n: number) => void,
): AsyncGenerator<Application> {
  const options = { rejects, onProgress };
  return existsSync(input) && statSync(input).isDirectory()
    ? readApplicationsDir(input, options)
    : readApplicationsJsonl(input, options);
}

/** outcomes.csv beside the input (borrower_id, default_12m), when present. */
async function readOutcomes(input: string): Promise<Map<string, number> | null> {
  const dir = existsSync(input) && statSync(input).isDirectory() ? input : dirname(input);
  const file = join(dir, 'outcomes.csv');
  if (!existsSync(file)) return null;
  const out = new Map<string, number>();
  for (const [id, v] of await readTargets(file, 'default_12m')) out.set(id, Number(v));
  return out;
}

/** Distinct borrowers in a rejects CSV (one line per problem). */
export async function countRejected(file: string): Promise<number> {
  if (!existsSync(file)) return 0;
  const ids = new Set<string>();
  for await (const block of readCsvBlocks(file, () => {}))
    for (const r of block.records) ids.add(r[0] as string);
  return ids.size;
}

/** Options of the batch `assess`. */
export interface AssessBatchOptions {
  readonly input: string;
  readonly out: string;
  readonly release?: string;
  readonly releasesDir?: string;
  readonly rejects?: string;
  /**
   * A directory with the guarantor's in-force book (monitoring/ and agreements.json, as data-samples): new
   * guarantees are checked against it. Without it, against an empty book under the release's portfolio policy.
   */
  readonly book?: string;
  readonly progress?: boolean;
}

/** What the batch `assess` did: counts, rates, grade mix with observed default rates, limits in 万. */
export interface AssessSummary {
  readonly releaseId: string;
  readonly assessed: number;
  readonly rejected: number;
  readonly byDecision: Record<string, number>;
  readonly byGrade: Record<string, { count: number; defaults: number | null; defaultRate: number | null }>;
  /** Observed default rate of the approved, when outcomes are known. */
  readonly approvedDefaultRate: number | null;
  readonly fired: Record<string, number>;
  readonly binding: Record<string, number>;
  /** Limits of approved and referred applications, in 万. */
  readonly limitsWan: {
    count: number;
    total: number;
    mean: number;
    p10: number;
    p50: number;
    p90: number;
    max: number;
  };
  /** Champion and shadow challenger decided the same. */
  readonly shadowAgreement: number | null;
  /** The book after the batch (approvals booked), when the release has a portfolio policy or a book was given. */
  readonly portfolio: {
    readonly startingExposures: number;
    readonly exposures: number;
    readonly leverage: number;
    readonly leverageCap: number;
    readonly largestClientShare: number;
    readonly breaches: readonly string[];
    /** Assessments a portfolio rule referred or declined. */
    readonly held: number;
  } | null;
  readonly seconds: number;
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

/**
 * `rongdan assess --input`: every application of a sample directory or JSON Lines file under a release,
 * one Assessment a line in `out`; bad applications go to the rejects file and are counted.
 * @throws E_IO, E_RELEASE_*, E_CSV_COLUMN
 */
export async function runAssessBatch(
  opts: AssessBatchOptions,
  io: CommandIo = processIo,
): Promise<AssessSummary> {
  const started = performance.now();
  const release = await loadRelease(resolveReleaseFile(opts.release, opts.releasesDir));
  const outcomes = await readOutcomes(opts.input);
  const rejects =
    opts.rejects ?? join(dirname(opts.out), `${basename(opts.out).replace(/\.[^.]*$/, '')}.rejects.csv`);
  const bar = progressBar(io, opts.progress !== false, 'assess', '{value} read');
  const writer = new LineWriter(opts.out);
  const byDecision: Record<string, number> = {};
  const byGrade: AssessSummary['byGrade'] = {};
  for (const g of RISK_GRADES)
    byGrade[g] = { count: 0, defaults: outcomes === null ? null : 0, defaultRate: null };
  const fired: Record<string, number> = {};
  const binding: Record<string, number> = {};
  const limits: number[] = [];
  let assessed = 0;
  let approved = 0;
  let approvedBad = 0;
  let shadowSame = 0;
  let shadowed = 0;
  const portfolio = await portfolioFor(release, opts.book);
  const startingExposures = portfolio?.size ?? 0;
  let held = 0;
  try {
    const apps = readApplications(opts.input, rejects, (n) => bar.update(n, 0));
    for await (const a of assessMany(release, apps, portfolio === null ? {} : { portfolio })) {
      if (a.rules.some((r) => r.fired && r.id.startsWith('portfolio_'))) held++;
      assessed++;
      await writer.writeLine(JSON.stringify(a));
      byDecision[a.decision] = (byDecision[a.decision] ?? 0) + 1;
      const bad = outcomes?.get(a.applicationId);
      if (a.grade !== null) {
        const g = byGrade[a.grade] as { count: number; defaults: number | null };
        g.count++;
        if (g.defaults !== null && bad !== undefined) g.defaults += bad;
      }
      if (a.decision === 'approve') {
        approved++;
        approvedBad += bad ?? 0;
      }
      for (const f of a.fired) fired[f] = (fired[f] ?? 0) + 1;
      if (a.limit !== null) {
        binding[a.limit.binding] = (binding[a.limit.binding] ?? 0) + 1;
        limits.push(a.limit.amountWan);
      }
      if (a.shadow !== null) {
        shadowed++;
        if (a.shadow.decision === a.decision) shadowSame++;
      }
      if (assessed % 1000 === 0) bar.update(assessed, 0);
    }
  } finally {
    bar.stop();
    await writer.close();
  }
  for (const g of Object.values(byGrade))
    g.defaultRate = g.defaults === null || g.count === 0 ? null : g.defaults / g.count;
  limits.sort((x, y) => x - y);
  const total = limits.reduce((s, x) => s + x, 0);
  return {
    releaseId: release.release.id,
    assessed,
    rejected: await countRejected(rejects),
    byDecision,
    byGrade,
    approvedDefaultRate: outcomes === null || approved === 0 ? null : approvedBad / approved,
    fired,
    binding,
    limitsWan: {
      count: limits.length,
      total,
      mean: limits.length === 0 ? 0 : total / limits.length,
      p10: quantile(limits, 0.1),
      p50: quantile(limits, 0.5),
      p90: quantile(limits, 0.9),
      max: limits.at(-1) ?? 0,
    },
    shadowAgreement: shadowed === 0 ? null : shadowSame / shadowed,
    portfolio: portfolio === null ? null : bookSummary(portfolio, startingExposures, held),
    seconds: (performance.now() - started) / 1000,
  };
}

/** The book a batch checks against: the in-force book of `book`, else an empty one under the release's policy. */
export async function portfolioFor(
  release: LoadedRelease,
  book: string | undefined,
): Promise<Portfolio | null> {
  const policy = release.release.policy.portfolio;
  if (book === undefined) return policy === undefined ? null : new Portfolio(policy);
  const inForce = await readInForceBook(book, { agreements: readAgreements(join(book, 'agreements.json')) });
  return portfolioOf(policy ?? DEFAULT_PORTFOLIO_POLICY, inForce);
}

function bookSummary(
  p: Portfolio,
  startingExposures: number,
  held: number,
): NonNullable<AssessSummary['portfolio']> {
  const s = p.status(1);
  return {
    startingExposures,
    exposures: s.exposures,
    leverage: s.leverage.value,
    leverageCap: s.leverage.cap,
    largestClientShare: s.singleClient.top[0]?.share ?? 0,
    breaches: s.breaches,
    held,
  };
}

/** The summary table of a batch. */
export function formatAssessSummary(s: AssessSummary): string {
  const lines = [
    `release ${s.releaseId}: ${s.assessed} assessed, ${s.rejected} rejected (bad input), ${s.seconds.toFixed(1)} s`,
    '',
    'decision            count    rate',
  ];
  for (const d of ['approve', 'refer', 'decline', 'insufficient_data'])
    lines.push(
      `${d.padEnd(18)}${String(s.byDecision[d] ?? 0).padStart(7)}  ${pct((s.byDecision[d] ?? 0) / Math.max(1, s.assessed)).padStart(6)}`,
    );
  if (s.approvedDefaultRate !== null)
    lines.push(`observed default rate of the approved: ${pct(s.approvedDefaultRate)}`);
  lines.push('', 'grade   count    share  defaults  default rate');
  for (const [g, v] of Object.entries(s.byGrade)) {
    if (v.count === 0) continue;
    lines.push(
      `${g.padEnd(6)}${String(v.count).padStart(7)}  ${pct(v.count / Math.max(1, s.assessed)).padStart(7)}  ${String(v.defaults ?? '-').padStart(8)}  ${(v.defaultRate === null ? '-' : pct(v.defaultRate)).padStart(12)}`,
    );
  }
  const l = s.limitsWan;
  lines.push(
    '',
    `limits (approve + refer, 万): n ${l.count}  total ${wan(l.total * 10_000)}  mean ${l.mean.toFixed(1)}  p10 ${l.p10}  p50 ${l.p50}  p90 ${l.p90}  max ${l.max}`,
    `binding constraint: ${Object.entries(s.binding)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    `rules fired: ${Object.entries(s.fired)
      .sort((a, b) => b[1] - a[1])
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
  );
  if (s.shadowAgreement !== null)
    lines.push(`shadow challenger agrees on the decision: ${pct(s.shadowAgreement)}`);
  const b = s.portfolio;
  if (b !== null)
    lines.push(
      `portfolio: ${b.startingExposures} guarantees in force + ${b.exposures - b.startingExposures} approved; weighted leverage ${b.leverage.toFixed(2)}× (cap ${b.leverageCap}×), largest client ${pct(b.largestClientShare)} of net assets; ${b.held} held by a portfolio limit; breaches: ${b.breaches.length === 0 ? 'none' : b.breaches.join(', ')}`,
    );
  return lines.join('\n');
}

function candidateLine(c: LimitCandidate, binding: string): string {
  const amount = c.amount === null ? `— (missing ${c.missing?.join(', ') ?? ''})` : `${wan(c.amount)}万`;
  const inputs = Object.entries(c.inputs)
    .map(([k, v]) => `${k}=${typeof v === 'number' && Math.abs(v) >= 10_000 ? `${wan(v)}万` : String(v)}`)
    .join(' ');
  return `${c.id === binding ? '→' : ' '} ${c.id.padEnd(16)} ${amount.padStart(14)}  ${c.formula}  [${inputs}]`;
}

/** The requested amount for display; an assessment made without a request (real data without one) says so. */
function requested(a: Assessment): string {
  const r = a.request;
  return r === null ? 'no request given' : `requested ${wan(r.amount)}万`;
}

/** One assessment for a person: decision, grade, reasons zh/en, the rules that fired, limit and fee. */
export function formatAssessment(a: Assessment): string {
  const lines = [
    `${a.applicationId} (${a.borrower.name ?? 'no name'}) as of ${a.asOf}, release ${a.releaseId}`,
    `decision  ${a.decision}   grade ${a.grade ?? '-'}   PD ${a.pd === null ? '-' : pct(a.pd)}   score ${a.score ?? '-'}`,
  ];
  if (a.missingSources.length > 0) lines.push(`missing sources: ${a.missingSources.join(', ')}`);
  const fired = a.rules.filter((r) => r.fired);
  lines.push('', `rules: ${a.rules.length} evaluated, ${fired.length} fired`);
  for (const r of fired)
    lines.push(
      `  ✗ ${r.id} (${r.action}) ${r.label.zh} / ${r.label.en}: ${r.input} = ${show(r.value)} ${r.operator} ${show(r.threshold)}  [${r.source}]`,
    );
  if (a.reasons.length > 0) {
    lines.push('', 'reasons:');
    for (const r of a.reasons) lines.push(`  - ${r.text.zh}`, `    ${r.text.en}`);
  }
  if (a.limit !== null) {
    lines.push(
      '',
      `limit ${wan(a.limit.amount)}万 (binding: ${a.limit.binding}); existing debt ${wan(a.limit.existingDebt)}万; ${requested(a)}`,
    );
    for (const c of a.limit.candidates) lines.push(`  ${candidateLine(c, a.limit.binding)}`);
  }
  if (a.fee !== null)
    lines.push(
      '',
      `fee ${pct(a.fee.rate)} a year (grid ${pct(a.fee.gridRate)}, ceiling ${a.fee.ceiling === null ? 'none' : pct(a.fee.ceiling)}): ${a.fee.annualAmount.toFixed(2)} yuan`,
    );
  if (a.shadow !== null)
    lines.push(
      '',
      `shadow ${a.shadow.releaseId}: ${a.shadow.decision}, grade ${a.shadow.grade ?? '-'}, PD ${a.shadow.pd === null ? '-' : pct(a.shadow.pd)}`,
    );
  return lines.join('\n');
}

/** A stored assessment with its input, as `assess --application --out` writes it (what replay reads). */
export interface AssessmentRecord {
  readonly input: unknown;
  readonly assessment: Assessment;
}

function parseStored(value: unknown, where: string): { input: unknown; assessment: Assessment } {
  const v = value as { input?: unknown; assessment?: unknown };
  const hasInput = v !== null && typeof v === 'object' && 'assessment' in v;
  const r = assessmentSchema.safeParse(hasInput ? v.assessment : value);
  if (!r.success) {
    throw new RiskError('E_ASSESS_INPUT', `${where}: not an assessment: ${r.error.issues[0]?.message}`, {
      file: where,
      path: r.error.issues[0]?.path.map(String) ?? [],
    });
  }
  return { input: hasInput ? v.input : undefined, assessment: r.data };
}

/** Options of `replay`. */
export interface ReplayOptions {
  readonly assessment: string;
  readonly input?: string;
  /** The in-force book the batch was assessed against (`assess --book`). */
  readonly book?: string;
  readonly releasesDir?: string;
}

/** What `replay` found over a file of assessments. */
export interface ReplaySummary {
  readonly replayed: number;
  readonly identical: number;
  readonly differing: { id: string; differences: { path: string; stored: unknown; recomputed: unknown }[] }[];
}

/**
 * `rongdan replay`: recomputes stored assessments (a record file from `assess --application --out`, or the
 * JSON Lines of a batch with `--input` for their applications) under the release each names.
 * @throws E_IO, E_ASSESS_INPUT, E_RELEASE_*
 */
export async function runReplay(opts: ReplayOptions): Promise<ReplaySummary> {
  const text = readFileSync(opts.assessment, 'utf8');
  const trimmed = text.trim();
  const stored =
    trimmed.startsWith('{') && !trimmed.includes('\n{')
      ? [parseStored(JSON.parse(trimmed), opts.assessment)]
      : trimmed
          .split('\n')
          .filter((l) => l.trim() !== '')
          .map((l, i) => parseStored(JSON.parse(l), `${opts.assessment}:${i + 1}`));
  const inputs = new Map<string, Application>();
  if (stored.some((s) => s.input === undefined)) {
    if (opts.input === undefined) {
      throw new RiskError(
        'E_ASSESS_INPUT',
        '--input is required: the stored assessments do not carry their input',
        {
          path: ['input'],
        },
      );
    }
    const wanted = new Set(stored.map((s) => s.assessment.applicationId));
    const rejects = join(dirname(opts.assessment), 'replay.rejects.csv');
    for await (const app of readApplications(opts.input, rejects, () => {}))
      if (wanted.has(app.id)) inputs.set(app.id, app);
  }
  const out: ReplaySummary = { replayed: 0, identical: 0, differing: [] };
  const record = (id: string, differences: ReplaySummary['differing'][number]['differences']) => {
    (out as { replayed: number }).replayed++;
    if (differences.length === 0) (out as { identical: number }).identical++;
    else out.differing.push({ id, differences });
  };
  const missing = stored.filter((s) => (s.input ?? inputs.get(s.assessment.applicationId)) === undefined);
  for (const s of missing)
    record(s.assessment.id, [
      { path: '(input)', stored: s.assessment.applicationId, recomputed: 'no such application in --input' },
    ]);
  // A batch is replayed as it ran: in its order, through assessMany with a fresh book (or the same --book), so
  // that the portfolio rules see the approvals before each application again.
  for (const releaseId of new Set(stored.map((s) => s.assessment.releaseId))) {
    const release = await loadRelease(releaseFile(releaseId, opts.releasesDir));
    const group = stored.filter((s) => s.assessment.releaseId === releaseId && !missing.includes(s));
    const apps = group.map((s) =>
      s.input === undefined
        ? (inputs.get(s.assessment.applicationId) as Application)
        : parseApplication(s.input),
    );
    const portfolio =
      group.length > 1 || opts.book !== undefined ? await portfolioFor(release, opts.book) : null;
    let i = 0;
    for await (const recomputed of assessMany(release, apps, portfolio === null ? {} : { portfolio })) {
      const s = group[i++] as (typeof group)[number];
      record(s.assessment.id, compareAssessments(s.assessment, recomputed));
    }
  }
  return out;
}

/** A release for a person. */
export function formatRelease(r: Release): string {
  const p = r.policy;
  const m = r.models;
  const lines = [
    `${r.id}: ${r.description}`,
    '',
    `champion   ${m.champion.path}  ${Object.entries(m.champion.files)
      .map(([f, s]) => `${f} ${s.slice(0, 12)}…`)
      .join(' ')}`,
    `challenger ${
      m.challenger === undefined
        ? '-'
        : `${m.challenger.path}  ${Object.entries(m.challenger.files)
            .map(([f, s]) => `${f} ${s.slice(0, 12)}…`)
            .join(' ')}`
    }`,
    '',
    `required sources: ${p.requiredSources.join(', ')}`,
    `cut-offs: approve PD ≤ ${pct(p.cutoffs.approveMaxPd)}, refer PD ≤ ${pct(p.cutoffs.referMaxPd)}, else decline  [${p.cutoffs.source}]`,
    '',
    'knock-out rules:',
  ];
  for (const k of p.knockouts)
    lines.push(
      `  ${k.id.padEnd(30)} ${k.action.padEnd(8)} ${k.input} ${k.operator} ${show(k.threshold)}${k.and === undefined ? '' : ` and ${k.and.input} ${k.and.operator} ${show(k.and.threshold)}`}   ${k.label.zh}  [${k.source}]`,
    );
  lines.push('', 'master scale and fee grid:');
  let lo = 0;
  for (const g of p.masterScale) {
    lines.push(
      `  ${g.grade.padEnd(4)} PD ${pct(lo).padStart(6)} – ${pct(g.maxPd).padStart(6)}   fee ${pct(p.feeGrid[g.grade] ?? 0)}`,
    );
    lo = g.maxPd;
  }
  const l = p.limit;
  lines.push(
    '',
    `limit: sales × ${l.salesShare}; tax × ${JSON.stringify(l.taxMultiple)}; working capital (margin ${l.workingCapital.salesMargin}, ${l.workingCapital.turnoverDays} days); inflow × 12 × ${l.inflowShare}; household debt ≤ ${l.householdDebtToIncome}× income; EL budget ${wan(l.expectedLossBudget)}万 at LGD ${l.lgd}; rounded down to ${wan(l.roundTo)}万  [${l.source}]`,
    `product caps (万): ${Object.entries(p.productCaps)
      .map(([k, v]) => `${k} ${wan(v)}`)
      .join(', ')}`,
    `guarantor net assets ${wan(p.guarantor.netAssets)}万: single client ≤ ${pct(p.guarantor.singleClientShare)}, related group ≤ ${pct(p.guarantor.groupShare)}  [${p.guarantor.source}]`,
    '',
    `programmes (default ${p.defaultProgramme}):`,
  );
  for (const g of p.programmes)
    lines.push(
      `  ${g.id.padEnd(16)} cap ${wan(g.perBorrowerCap)}万  fee ceiling ${g.feeCeiling === null ? 'none' : pct(g.feeCeiling)}  ${g.label.zh}`,
    );
  return lines.join('\n');
}

/** `rongdan release list`: the releases of a directory, the active one marked. */
export function releaseListCommand(o: { dir: string }): void {
  const active = existsSync(join(o.dir, ACTIVE_FILE)) ? activeReleaseId(o.dir) : null;
  for (const r of listReleases(o.dir)) {
    const p = r.release.policy;
    process.stdout.write(
      `${r.id === active ? '*' : ' '} ${r.id.padEnd(24)} champion ${r.release.models.champion.path}  challenger ${r.release.models.challenger?.path ?? '-'}  ${p.knockouts.length} rules  approve ≤ ${pct(p.cutoffs.approveMaxPd)}  refer ≤ ${pct(p.cutoffs.referMaxPd)}\n`,
    );
  }
}

/** `rongdan release show`: a release for a person, or its file as JSON. */
export function releaseShowCommand(id: string | undefined, o: { dir: string; json?: boolean }): void {
  const file = resolveReleaseFile(id, o.dir);
  const r = parseRelease(readJson(file), file);
  if (o.json === true) {
    process.stdout.write(`${JSON.stringify(r, null, 1)}\n`);
    return;
  }
  process.stdout.write(`${formatRelease(r)}\n`);
}

/** `rongdan release validate`: checks a release file and the models it pins. */
export async function releaseValidateCommand(id: string | undefined, o: { dir: string }): Promise<void> {
  const file = resolveReleaseFile(id, o.dir);
  const r = await loadRelease(file);
  process.stdout.write(
    `${r.release.id}: valid; champion ${r.champion.path} (${r.champion.model.kind}) and ${r.challenger === null ? 'no challenger' : `challenger ${r.challenger.path} (${r.challenger.model.kind})`} match their pinned sha256\n`,
  );
}

/** `rongdan release diff`: what changed between two releases. */
export function releaseDiffCommand(a: string, b: string, o: { dir: string }): void {
  const fa = resolveReleaseFile(a, o.dir);
  const fb = resolveReleaseFile(b, o.dir);
  const changes = releaseDiff(parseRelease(readJson(fa), fa), parseRelease(readJson(fb), fb));
  if (changes.length === 0) process.stdout.write('no change in models or policy\n');
  for (const c of changes) process.stdout.write(`${c.path}: ${show(c.before)} → ${show(c.after)}\n`);
}

/** Options of `rongdan assess`, as commander hands them over. */
export interface AssessCommandOptions {
  readonly input?: string;
  readonly out?: string;
  readonly application?: string;
  readonly release?: string;
  readonly releasesDir: string;
  readonly rejects?: string;
  readonly book?: string;
  readonly json?: boolean;
  readonly progress: boolean;
}

/** `rongdan assess`: one application printed for a person, or a batch written as JSON Lines. */
export async function assessCommand(o: AssessCommandOptions): Promise<void> {
  if (o.application !== undefined) {
    const input = readJson(o.application);
    const app = parseApplication(input);
    const r = await loadRelease(resolveReleaseFile(o.release, o.releasesDir));
    const a = assess(r, app);
    if (o.out !== undefined) {
      const w = new LineWriter(o.out);
      await w.writeLine(JSON.stringify({ input, assessment: a } satisfies AssessmentRecord, null, 1));
      await w.close();
    }
    process.stdout.write(o.json === true ? `${JSON.stringify(a, null, 1)}\n` : `${formatAssessment(a)}\n`);
    return;
  }
  if (o.input === undefined || o.out === undefined) {
    throw new RiskError('E_OPTIONS_INVALID', 'assess needs --input and --out, or --application', {
      path: ['input'],
    });
  }
  const s = await runAssessBatch({
    input: o.input,
    out: o.out,
    ...(o.release === undefined ? {} : { release: o.release }),
    releasesDir: o.releasesDir,
    ...(o.rejects === undefined ? {} : { rejects: o.rejects }),
    ...(o.book === undefined ? {} : { book: o.book }),
    progress: o.progress,
  });
  process.stdout.write(o.json === true ? `${JSON.stringify(s, null, 1)}\n` : `${formatAssessSummary(s)}\n`);
}

/** `rongdan replay`: recomputes stored assessments; exit code 1 when any differs. */
export async function replayCommand(o: {
  assessment: string;
  input?: string;
  book?: string;
  releasesDir: string;
}): Promise<void> {
  const s = await runReplay({
    assessment: o.assessment,
    ...(o.input === undefined ? {} : { input: o.input }),
    ...(o.book === undefined ? {} : { book: o.book }),
    releasesDir: o.releasesDir,
  });
  process.stdout.write(`replayed ${s.replayed}: ${s.identical} identical, ${s.differing.length} differ\n`);
  for (const d of s.differing.slice(0, 20)) {
    process.stdout.write(`${d.id}:\n`);
    for (const x of d.differences.slice(0, 20))
      process.stdout.write(`  ${x.path}: stored ${show(x.stored)}, recomputed ${show(x.recomputed)}\n`);
  }
  if (s.differing.length > 0) process.exitCode = 1;
}
