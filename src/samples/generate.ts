import type { Rng } from '../core/rng.js';
import type { SourceTag } from '../ingest/layout.js';
import type { Agreement } from '../ingest/partners.js';
import type { Application, ApplicationInput, Bureau, LoanRequest } from '../ingest/schemas.js';
import { SAMPLE_PROGRAMMES } from './agreements.js';
import { dayOf, isoDay } from './calendar.js';
import { drawCoverage } from './coverage.js';
import { applyDirt, type DirtCounts, type DirtMark } from './dirty.js';
import { resolveSampleOptions, type SampleOptions, type SampleOptionsInput } from './options.js';
import { type BorrowerProfile, drawProfile } from './profile.js';
import { type AccountState, accountState, drawBankFlows } from './sources/bank-flows.js';
import { drawEnterpriseBureau, drawOwnerBureau } from './sources/bureau.js';
import { drawEnterprise } from './sources/enterprise.js';
import { drawInvoices } from './sources/invoices.js';
import { drawJudicial } from './sources/judicial.js';
import { drawOwner } from './sources/owner.js';
import { drawRequest } from './sources/request.js';
import { drawSocialInsurance, insuredBase } from './sources/social-insurance.js';
import { drawTax, isGeneralTaxpayer } from './sources/tax.js';
import { drawUtilities, type UtilityState, utilityState } from './sources/utilities.js';
import { STREAMS, streamRng } from './streams.js';

/** The observed outcome of one borrower: default within 12 months of the as-of date, and when. */
export interface SampleOutcome {
  readonly borrowerId: string;
  readonly default12m: 0 | 1;
  /** ISO date of the default, or null. */
  readonly defaultDate: string | null;
}

/** What monitoring needs to carry a borrower on after origination (sources as they stood at the as-of date). */
export interface OriginationState {
  /** The request as generated, before any dirty value. */
  readonly request: LoanRequest;
  readonly sources: ReadonlySet<SourceTag>;
  /** Share of revenue reported to the tax bureau. */
  readonly taxRatio: number;
  readonly account: AccountState;
  readonly utility: UtilityState;
  readonly headcount: number;
  /** The worst current overdue days across the credit reports. */
  readonly bureauOverdueDays: number;
  /** Rules a guarantor would decline on (design.md, Decisions): dishonest debtor, current overdue, tax grade D. */
  readonly knockOut: boolean;
}

/** One generated borrower: the application as written (dirty values included), its outcome and hidden state. */
export interface GeneratedBorrower {
  readonly application: ApplicationInput;
  readonly outcome: SampleOutcome;
  readonly profile: BorrowerProfile;
  readonly origination: OriginationState;
  /** The dirty cells of this application; any with `valid: false` make it invalid. */
  readonly dirt: readonly DirtMark[];
}

/** The borrower id of an index: B000001 …, padded to the width of n. */
export function borrowerId(index: number, n: number): string {
  return `B${String(index + 1).padStart(Math.max(6, String(n).length), '0')}`;
}

function bureauOverdueDays(bureau: Bureau | undefined): number {
  let worst = 0;
  for (const report of [bureau?.enterprise, bureau?.owner])
    for (const f of report?.facilities ?? []) worst = Math.max(worst, f.overdueDays);
  return worst;
}

/** Builds the clean application of a profile, with the state monitoring continues from. */
function buildApplication(
  rng: Rng,
  p: BorrowerProfile,
  agreements: readonly Agreement[],
): { app: Application; origination: OriginationState } {
  const sources = drawCoverage(rng, p);
  const request = drawRequest(rng, p, agreements);
  // Every source is drawn whether collected or not, so that coverage never shifts the other draws.
  const enterprise = drawEnterprise(rng, p);
  const owner = drawOwner(rng, p);
  const general = isGeneralTaxpayer(rng, p);
  const { tax, ratio } = drawTax(rng, p, general);
  const invoices = drawInvoices(rng, p, general);
  const account = accountState(rng, p);
  const flows = drawBankFlows(rng, p, account);
  const bureau: Bureau = {};
  const entReport = drawEnterpriseBureau(rng, p);
  const ownReport = drawOwnerBureau(rng, p, owner);
  if (sources.has('bureau.enterprise')) bureau.enterprise = entReport;
  if (sources.has('bureau.owner')) bureau.owner = ownReport;
  const judicial = drawJudicial(rng, p);
  const utility = utilityState(rng, p);
  const utilities = drawUtilities(rng, p, utility);
  const social = drawSocialInsurance(rng, p, insuredBase(rng, p));

  const app: Application = { id: p.id, asOf: isoDay(p.asOfDay), request };
  if (sources.has('enterprise')) app.enterprise = enterprise;
  if (sources.has('owner')) app.owner = owner;
  if (sources.has('tax')) app.tax = tax;
  if (sources.has('invoices')) app.invoices = invoices;
  if (sources.has('bankFlows')) app.bankFlows = flows.rows;
  if (bureau.enterprise !== undefined || bureau.owner !== undefined) app.bureau = bureau;
  if (sources.has('judicial')) app.judicial = judicial;
  if (sources.has('utilities')) app.utilities = utilities.rows;
  if (sources.has('socialInsurance')) app.socialInsurance = social.rows;

  const dishonest = (app.judicial ?? []).some((r) => r.kind === 'dishonest' && !r.closed);
  const overdue = bureauOverdueDays(app.bureau);
  return {
    app,
    origination: {
      request: { ...request },
      sources,
      taxRatio: ratio,
      account: { ...account, balance: flows.balance },
      utility: { ...utility, arrears: utilities.arrears },
      headcount: social.count,
      bureauOverdueDays: overdue,
      knockOut: dishonest || overdue > 0 || app.tax?.creditGrade === 'D',
    },
  };
}

/**
 * Generates borrower `index` of a sample: a pure function of (options, index), so a sample can be produced in
 * any order or in parallel. `counts` (optional) accumulates rows seen and dirtied.
 */
export function generateBorrower(
  o: SampleOptions,
  index: number,
  counts: DirtCounts = { rows: 0, dirty: 0, invalid: 0 },
  agreements: readonly Agreement[] = SAMPLE_PROGRAMMES,
): GeneratedBorrower {
  const rng = streamRng(o.seed, index, STREAMS.borrower);
  const id = borrowerId(index, o.n);
  const profile = drawProfile(rng, { index, id, asOfEndDay: dayOf(o.asOfEnd), months: o.months });
  const { app, origination } = buildApplication(rng, profile, agreements);
  const application = app as ApplicationInput;
  const dirt = applyDirt(
    application,
    streamRng(o.seed, index, STREAMS.dirt),
    o.dirty,
    o.invalidShare,
    counts,
  );
  return {
    application,
    outcome: {
      borrowerId: id,
      default12m: profile.defaulted ? 1 : 0,
      defaultDate: profile.defaulted ? isoDay(profile.defaultDay) : null,
    },
    profile,
    origination,
    dirt,
  };
}

/**
 * Streams the borrowers of a sample, one at a time, so that a benchmark can draw a million without holding them.
 * Same options → the same borrowers, byte for byte. `counts`, when given, accumulates the rows seen and dirtied.
 * @throws E_SAMPLES_OPTIONS on invalid options (at the first `next()`, as generators run lazily)
 * @example for (const { application, outcome } of generateApplications({ n: 1000, seed: 42 })) use(application);
 */
export function* generateApplications(
  options: SampleOptionsInput,
  counts?: DirtCounts,
): Generator<GeneratedBorrower, void, undefined> {
  const o = resolveSampleOptions(options);
  const c = counts ?? { rows: 0, dirty: 0, invalid: 0 };
  for (let i = 0; i < o.n; i++) yield generateBorrower(o, i, c);
}
