import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RiskError } from '../core/errors.js';
import {
  DEFAULT_PORTFOLIO_POLICY,
  type PortfolioStatus,
  parsePortfolioPolicy,
} from '../decisions/portfolio.js';
import { type InForceBook, portfolioOf, readInForceBook } from '../decisions/portfolio-book.js';
import { parseRelease, RELEASES_DIR } from '../decisions/release.js';
import { readAgreements } from './agreements.js';
import { resolveReleaseFile } from './decisions.js';

/**
 * `rongdan portfolio`: the guarantor's in-force book against its regulatory limits (domain.md §3.1, §3.2,
 * §3.4) — weighted liability and leverage, concentrations, government-guarantor ratios, headroom.
 */

/** Options of `runPortfolio`. */
export interface PortfolioCliOptions {
  readonly input: string;
  readonly agreements?: string;
  readonly month?: string;
  /** Start from the portfolio policy of this release (id or file) instead of the default. */
  readonly release?: string;
  readonly releasesDir?: string;
  /** A JSON policy laid over the default or the release's (see `portfolioPolicySchema`). */
  readonly policy?: string;
  readonly netAssets?: number;
  readonly basis?: 'gross' | 'retained';
  readonly top?: number;
}

/** The book and its status. */
export interface PortfolioReport {
  readonly input: string;
  readonly month: string;
  readonly counts: InForceBook['counts'];
  readonly status: PortfolioStatus;
}

/**
 * Builds the book of a sample directory and reports it against the policy.
 * @throws E_PORTFOLIO_POLICY, E_PORTFOLIO_BOOK, E_IO, E_JSON_PARSE
 */
export async function runPortfolio(o: PortfolioCliOptions): Promise<PortfolioReport> {
  let base = DEFAULT_PORTFOLIO_POLICY;
  if (o.release !== undefined) {
    const file = resolveReleaseFile(o.release, o.releasesDir ?? RELEASES_DIR);
    const own = parseRelease(readJson(file), file).policy.portfolio;
    if (own === undefined)
      throw new RiskError('E_OPTIONS_INVALID', `--release: ${file} has no portfolio policy`, {
        path: ['release'],
        received: o.release,
      });
    base = own;
  }
  const policy = {
    ...(o.policy === undefined ? {} : (readJson(o.policy) as Record<string, unknown>)),
    ...(o.netAssets === undefined ? {} : { netAssets: o.netAssets }),
    ...(o.basis === undefined ? {} : { basis: o.basis }),
  };
  const agreements = readAgreements(o.agreements ?? join(o.input, 'agreements.json'));
  const book = await readInForceBook(o.input, {
    agreements,
    ...(o.month === undefined ? {} : { month: o.month }),
  });
  const status = portfolioOf(parsePortfolioPolicy(policy, base), book).status(o.top ?? 5);
  return { input: o.input, month: book.month, counts: book.counts, status };
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new RiskError('E_JSON_PARSE', `${file} is not a readable JSON file`, { file }, { cause });
  }
}

/** A share as a percentage with one decimal ('-' for none). */
export const pct = (x: number | null): string => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
/** A count with thousands separators. */
export const int = (x: number): string => x.toLocaleString('en-US');
/** Yuan shown in 万 with two decimals and thousands separators. */
export const wan = (yuan: number): string =>
  (yuan / 10_000).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** The report as a table, amounts in 万. */
export function formatPortfolio(r: PortfolioReport): string {
  const s = r.status;
  const c = r.counts;
  const conc = (title: string, x: PortfolioStatus['singleClient']) => [
    `${title} ≤ ${pct(x.limit)} of the base (${wan(x.limitAmount)}万): ${x.breached} over`,
    ...x.top.map(
      (l) =>
        `  ${l.id.padEnd(24)}${wan(l.amount).padStart(12)}万 ${pct(l.share).padStart(7)}  headroom ${wan(l.headroom)}万`,
    ),
  ];
  return [
    `portfolio of ${r.input} at ${r.month}: ${int(c.inForce)} guarantees in force`,
    `  loans read ${int(c.read)}: ${c.defaulted} defaulted, ${c.notYetOriginated} not yet originated, ${c.ended} ended, ${c.rejected} rejected; ${c.unclassified} without an entity type (weighted 100%)`,
    `net assets ${wan(s.netAssets)}万 (concentration base ${wan(s.concentrationBase)}万); balances counted ${s.basis}`,
    `balance ${wan(s.grossBalance)}万, counted ${wan(s.countedBalance)}万, weighted liability ${wan(s.weightedLiability)}万`,
    `leverage ${s.leverage.value.toFixed(2)}× against a ${s.leverage.cap}× cap (${s.leverage.qualifiesForHigherCap ? 'mainly small/micro and farming' : 'not mainly small/micro and farming'}), headroom ${wan(s.leverage.headroom)}万 weighted`,
    '',
    `${'bucket'.padEnd(20)}${'weight'.padStart(8)}${'balance 万'.padStart(16)}${'weighted 万'.padStart(16)}`,
    ...s.buckets
      .filter((b) => b.balance > 0)
      .map(
        (b) =>
          `${b.bucket.padEnd(20)}${pct(b.weight).padStart(8)}${wan(b.balance).padStart(16)}${wan(b.weighted).padStart(16)}`,
      ),
    '',
    ...conc('single client', s.singleClient),
    ...conc('related group', s.relatedGroup),
    '',
    s.ratios.enabled
      ? `government ratios: small/micro and farming ${pct(s.ratios.smallMicroFarming.value)} (≥ ${pct(s.ratios.smallMicroFarming.min)}), borrowers ≤ 500万 ${pct(s.ratios.smallBorrowers.value)} (≥ ${pct(s.ratios.smallBorrowers.min)})`
      : 'government ratios: off',
    `breaches: ${s.breaches.length === 0 ? 'none' : s.breaches.join(', ')}`,
  ].join('\n');
}

/** The options of `rongdan portfolio`, as commander hands them over. */
export interface PortfolioFlags {
  readonly input: string;
  readonly agreements?: string;
  readonly month?: string;
  readonly release?: string;
  readonly releasesDir: string;
  readonly policy?: string;
  readonly netAssets?: string;
  readonly basis?: string;
  readonly top: string;
  readonly json?: boolean;
}

/** `rongdan portfolio`: checks the flags, then the book against the limits. */
export async function portfolioCommand(o: PortfolioFlags): Promise<void> {
  const top = Number(o.top);
  if (!Number.isInteger(top) || top < 0)
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `--top must be a whole number ≥ 0, received ${JSON.stringify(o.top)}`,
    );
  if (o.netAssets !== undefined && !(Number(o.netAssets) > 0))
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `--net-assets must be a positive number of yuan, received ${JSON.stringify(o.netAssets)}`,
    );
  if (o.basis !== undefined && o.basis !== 'gross' && o.basis !== 'retained')
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `--basis must be gross or retained, received ${JSON.stringify(o.basis)}`,
    );
  const r = await runPortfolio({
    input: o.input,
    top,
    releasesDir: o.releasesDir,
    ...(o.release === undefined ? {} : { release: o.release }),
    ...(o.agreements === undefined ? {} : { agreements: o.agreements }),
    ...(o.month === undefined ? {} : { month: o.month }),
    ...(o.policy === undefined ? {} : { policy: o.policy }),
    ...(o.netAssets === undefined ? {} : { netAssets: Number(o.netAssets) }),
    ...(o.basis === undefined ? {} : { basis: o.basis as 'gross' | 'retained' }),
  });
  process.stdout.write(o.json === true ? `${JSON.stringify(r, null, 1)}\n` : `${formatPortfolio(r)}\n`);
}
