import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RiskError } from '../core/errors.js';
import { type AssessOptions, assessMany } from '../decisions/assess.js';
import { DECISIONS } from '../decisions/assessment.js';
import { type LoadedRelease, loadRelease, RELEASES_DIR } from '../decisions/release.js';
import {
  DEFAULT_SIMULATION_LGD,
  type Outcome,
  type Simulation,
  type SimulationSide,
  Simulator,
  type Tally,
} from '../decisions/simulate.js';
import { readTargets } from '../features/batch.js';
import { RISK_GRADES } from '../ingest/partners.js';
import { readApplicationsDir, readApplicationsJsonl } from '../ingest/readers.js';
import type { Application } from '../ingest/schemas.js';
import { countRejected, portfolioFor, resolveReleaseFile } from './decisions.js';
import { int, pct, wan } from './portfolio.js';
import { type CommandIo, progressBar } from './train.js';

/**
 * `rongdan simulate`: runs a candidate release and the baseline (the active one by default) over one labelled
 * book and prints them side by side (decision rates, grade mix against observed bad rates, total limit,
 * expected loss, bad rate of the approved, the swap set and how decisions move). The book is read once and
 * fed to both releases in step, so memory stays bounded by the batch chunk whatever the book's size.
 */

/** Options of `runSimulate`. */
export interface SimulateCliOptions {
  readonly release: string;
  readonly baseline?: string;
  readonly input: string;
  readonly releasesDir?: string;
  /** outcomes CSV (borrower_id, default_12m); default `outcomes.csv` beside the input when present. */
  readonly outcomes?: string;
  readonly lgd?: number;
  /** Only the first n applications (a quick look, or a test). */
  readonly limit?: number;
  /** Bad applications go here (default `var/simulate.rejects.csv`); both releases see the same good ones. */
  readonly rejects?: string;
  /**
   * Start each release's portfolio from the in-force book of the input directory (under the release's portfolio
   * policy); without it, each release with a portfolio policy starts from an empty book (assessMany's default).
   */
  readonly portfolio?: boolean;
  readonly progress?: boolean;
}

/** What `runSimulate` returns: the simulation and what was read. */
export interface SimulateSummary extends Simulation {
  readonly input: string;
  readonly outcomesFile: string | null;
  readonly portfolio: boolean;
  /** Applications rejected as bad input (seen by neither release), and where they are listed. */
  readonly rejected: number;
  readonly rejectsFile: string;
}

const processIo: CommandIo = { stdout: process.stdout, stderr: process.stderr };

/** Two consumers of one async stream, each seeing every item; buffers only what one is ahead of the other. */
function tee<T>(source: AsyncIterable<T>): [AsyncIterable<T>, AsyncIterable<T>] {
  const it = source[Symbol.asyncIterator]();
  const buffers: [T[], T[]] = [[], []];
  let done = false;
  const consumer = (i: 0 | 1): AsyncIterable<T> => ({
    async *[Symbol.asyncIterator]() {
      const mine = buffers[i];
      let head = 0;
      for (;;) {
        if (head === mine.length) {
          mine.length = 0;
          head = 0;
          if (done) return;
          const r = await it.next();
          if (r.done === true) {
            done = true;
            return;
          }
          buffers[0].push(r.value);
          buffers[1].push(r.value);
        }
        yield mine[head++] as T;
      }
    },
  });
  return [consumer(0), consumer(1)];
}

async function* firstN<T>(source: AsyncIterable<T>, n: number): AsyncGenerator<T> {
  if (n <= 0) return;
  let i = 0;
  for await (const x of source) {
    yield x;
    if (++i >= n) return;
  }
}

function isDir(path: string): boolean {
  return existsSync(path) && statSync(path).isDirectory();
}

async function readOutcomes(file: string): Promise<Map<string, Outcome>> {
  const out = new Map<string, Outcome>();
  for (const [id, v] of await readTargets(file, 'default_12m')) {
    if (v !== '0' && v !== '1')
      throw new RiskError('E_SIMULATE_INPUT', `${file}: default_12m of ${id} must be 0 or 1, received ${v}`, {
        file,
        column: 'default_12m',
        received: v,
      });
    out.set(id, v === '1' ? 1 : 0);
  }
  return out;
}

/**
 * Runs both releases over the book and compares them.
 * @throws E_IO for a missing release or input, E_RELEASE_* for a bad release, E_SIMULATE_INPUT for bad outcomes
 * @example const s = await runSimulate({ release: 'admission-2026.12-tight', input: 'data-samples' });
 */
export async function runSimulate(
  opts: SimulateCliOptions,
  io: CommandIo = processIo,
): Promise<SimulateSummary> {
  const dir = opts.releasesDir ?? RELEASES_DIR;
  const candidate = await loadRelease(resolveReleaseFile(opts.release, dir));
  const baseline = await loadRelease(resolveReleaseFile(opts.baseline, dir));
  const bookDir = isDir(opts.input) ? opts.input : dirname(opts.input);
  const outcomesFile =
    opts.outcomes ?? (existsSync(join(bookDir, 'outcomes.csv')) ? join(bookDir, 'outcomes.csv') : null);
  const outcomes = outcomesFile === null ? new Map<string, Outcome>() : await readOutcomes(outcomesFile);
  const read = { rejects: opts.rejects ?? join('var', 'simulate.rejects.csv') };
  const all: AsyncIterable<Application> = isDir(opts.input)
    ? readApplicationsDir(opts.input, read)
    : readApplicationsJsonl(opts.input, read);
  const [a, b] = tee(opts.limit === undefined ? all : firstN(all, opts.limit));
  // Each release checks against its own book under its own portfolio policy: the in-force book of the input
  // with --portfolio, else (assessMany's default) an empty one when the release has a policy.
  const optionsFor = async (r: LoadedRelease): Promise<AssessOptions> => {
    const p = await portfolioFor(r, opts.portfolio === true ? bookDir : undefined);
    return p === null ? {} : { portfolio: p };
  };
  const base = assessMany(baseline, a, await optionsFor(baseline));
  const cand = assessMany(candidate, b, await optionsFor(candidate));
  const sim = new Simulator(outcomes, opts.lgd === undefined ? {} : { lgd: opts.lgd });
  const bar = progressBar(io, opts.progress !== false, 'simulate', '{value} assessed');
  let n = 0;
  try {
    for (;;) {
      const x = await base.next();
      const y = await cand.next();
      if (x.done === true || y.done === true) break;
      sim.add(x.value, y.value);
      if (++n % 500 === 0) bar.update(n, 0);
    }
  } finally {
    bar.stop();
  }
  return {
    ...sim.result(),
    input: opts.input,
    outcomesFile,
    portfolio: opts.portfolio === true,
    rejected: await countRejected(read.rejects),
    rejectsFile: read.rejects,
  };
}

// ---------------------------------------------------------------------------------------------------------
// The side-by-side table

const pp = (a: number, b: number) => `${b - a >= 0 ? '+' : ''}${((b - a) * 100).toFixed(1)} pp`;
const badText = (t: Tally) =>
  t.badRate === null ? '-' : `${pct(t.badRate)} (${int(t.bad)}/${int(t.withOutcome)})`;

function row(label: string, base: string, cand: string, change = ''): string {
  return `${label.padEnd(30)}${base.padStart(26)}${cand.padStart(26)}  ${change}`.trimEnd();
}

function sideRows(b: SimulationSide, c: SimulationSide): string[] {
  const lines: string[] = [];
  for (const d of DECISIONS) {
    const x = b.decisions[d];
    const y = c.decisions[d];
    if (x.count === 0 && y.count === 0 && d === 'insufficient_data') continue;
    lines.push(
      row(
        d.replace('_', ' '),
        `${int(x.count)} ${pct(x.rate)}`,
        `${int(y.count)} ${pct(y.rate)}`,
        pp(x.rate, y.rate),
      ),
    );
  }
  const dw = (x: number, y: number) => `${y - x >= 0 ? '+' : ''}${wan(y - x)}`;
  lines.push(
    row(
      'approved: total limit 万',
      wan(b.approved.amount),
      wan(c.approved.amount),
      dw(b.approved.amount, c.approved.amount),
    ),
    row(
      'approved: expected loss 万',
      wan(b.approved.expectedLoss),
      wan(c.approved.expectedLoss),
      dw(b.approved.expectedLoss, c.approved.expectedLoss),
    ),
    row(
      'approved: EL / limit',
      pct(b.approved.amount && b.approved.expectedLoss / b.approved.amount),
      pct(c.approved.amount && c.approved.expectedLoss / c.approved.amount),
    ),
    row('approved: mean PD', pct(b.approvedMeanPd), pct(c.approvedMeanPd)),
    row('approved: observed bad rate', badText(b.approved), badText(c.approved)),
    '',
    'grade mix (share of graded · observed bad rate)',
  );
  for (const g of [...RISK_GRADES, 'none' as const]) {
    const x = b.grades[g];
    const y = c.grades[g];
    if (x.count === 0 && y.count === 0) continue;
    lines.push(row(`  ${g}`, `${pct(x.share)} · ${pct(x.badRate)}`, `${pct(y.share)} · ${pct(y.badRate)}`));
  }
  return lines;
}

/** The two releases side by side, amounts in 万. */
export function formatSimulation(s: SimulateSummary): string {
  const b = s.baseline;
  const c = s.candidate;
  const swap = (t: Tally) =>
    `${int(t.count)} applications, limit ${wan(t.amount)}万, EL ${wan(t.expectedLoss)}万, observed bad rate ${badText(t)}`;
  const lines = [
    `simulate ${c.releaseId} (candidate) against ${b.releaseId} (baseline) over ${int(b.assessed)} applications of ${s.input}${s.rejected > 0 ? ` (${int(s.rejected)} rejected as bad input: ${s.rejectsFile})` : ''}`,
    `outcomes: ${s.outcomesFile ?? 'none (bad rates not shown)'}${s.withoutOutcome > 0 ? `, ${int(s.withoutOutcome)} without one` : ''}; EL = PD × LGD ${s.lgd} × limit${s.lgd === DEFAULT_SIMULATION_LGD ? ' (LGD inferred)' : ''}; portfolio limits: ${s.portfolio ? 'each release from the in-force book of the input' : 'each release from an empty book (when it has a portfolio policy)'}`,
    '',
    row('', 'baseline', 'candidate', 'change'),
    row('', b.releaseId, c.releaseId),
    ...sideRows(b, c),
    '',
    'swap set',
    `  approved by candidate, declined by baseline: ${swap(s.swapIn)}`,
    `  approved by baseline, declined by candidate: ${swap(s.swapOut)}`,
    '',
    'decisions moved (rows baseline, columns candidate)',
    `  ${''.padEnd(18)}${DECISIONS.map((d) => d.replace('_', ' ').padStart(18)).join('')}`,
    ...DECISIONS.map(
      (x) =>
        `  ${x.replace('_', ' ').padEnd(18)}${DECISIONS.map((y) => int(s.transitions[x][y]).padStart(18)).join('')}`,
    ),
  ];
  return lines.join('\n');
}

/** The options of `rongdan simulate`, as commander hands them over. */
export interface SimulateFlags {
  readonly release: string;
  readonly baseline?: string;
  readonly input: string;
  readonly releasesDir: string;
  readonly outcomes?: string;
  readonly lgd?: string;
  readonly limit?: string;
  readonly rejects: string;
  readonly portfolio?: boolean;
  readonly json?: boolean;
  readonly progress: boolean;
}

/** `rongdan simulate`: checks --lgd and --limit, runs both releases and prints them side by side. */
export async function simulateCommand(o: SimulateFlags): Promise<void> {
  const num = (flag: string, v: string | undefined, ok: (x: number) => boolean, expected: string) => {
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!ok(x))
      throw new RiskError(
        'E_OPTIONS_INVALID',
        `--${flag} must be ${expected}, received ${JSON.stringify(v)}`,
        {
          path: [flag],
          expected,
          received: v,
        },
      );
    return x;
  };
  const lgd = num('lgd', o.lgd, (x) => x >= 0 && x <= 1, 'a number in [0, 1]');
  const limit = num('limit', o.limit, (x) => Number.isInteger(x) && x > 0, 'a positive integer');
  const s = await runSimulate({
    release: o.release,
    ...(o.baseline === undefined ? {} : { baseline: o.baseline }),
    input: o.input,
    releasesDir: o.releasesDir,
    ...(o.outcomes === undefined ? {} : { outcomes: o.outcomes }),
    ...(lgd === undefined ? {} : { lgd }),
    ...(limit === undefined ? {} : { limit }),
    rejects: o.rejects,
    portfolio: o.portfolio === true,
    progress: o.progress,
  });
  process.stdout.write(o.json === true ? `${JSON.stringify(s, null, 1)}\n` : `${formatSimulation(s)}\n`);
}
