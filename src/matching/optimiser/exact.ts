import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { RiskError } from '../../core/errors.js';
import {
  type AssignmentProblem,
  type AssignmentSolution,
  objectiveOf,
  pairCount,
  relativeGap,
  type SolveOptions,
} from './problem.js';

/** The HiGHS answer the worker sends back: status, objective and the primal value of each column. */
export interface HighsAnswer {
  /** HiGHS model status, e.g. "Optimal". */
  status: string;
  /** The objective value. */
  objective: number;
  /** Primal values of x0 … x(n−1). */
  primal: Float64Array;
  /** Seconds spent inside HiGHS. */
  seconds: number;
}

/**
 * Writes the problem as CPLEX LP text: maximise Σ value·x, one row per borrower with more than perBorrower
 * pairs, one per coupling row that has entries; 0 ≤ x ≤ 1, binary unless `relax`.
 */
export function toLpText(p: AssignmentProblem, relax: boolean): string {
  const nP = pairCount(p);
  const out: string[] = ['Maximize', ' obj:'];
  let line = '';
  for (let q = 0; q < nP; q++) {
    line += ` ${term(p.value[q] as number, q)}`;
    if (line.length > 2000) {
      out.push(line);
      line = '';
    }
  }
  out.push(line === '' && nP === 0 ? ' 0 x0' : line, 'Subject To');
  for (let b = 0; b < p.nBorrowers; b++) {
    const lo = p.pairStart[b] as number;
    const hi = p.pairStart[b + 1] as number;
    if (hi - lo <= p.perBorrower) continue;
    let s = ` b${b}:`;
    for (let q = lo; q < hi; q++) s += ` + x${q}`;
    out.push(`${s} <= ${p.perBorrower}`);
  }
  // Rows as lists of terms: transpose the per-pair CSR once.
  const nR = p.capacity.length;
  const rows: string[][] = Array.from({ length: nR }, () => []);
  for (let q = 0; q < nP; q++)
    for (let e = p.usageStart[q] as number; e < (p.usageStart[q + 1] as number); e++)
      (rows[p.usageRow[e] as number] as string[]).push(term(p.usageCoef[e] as number, q));
  for (let r = 0; r < nR; r++) {
    const terms = rows[r] as string[];
    if (terms.length === 0) continue;
    out.push(` r${r}:`);
    for (let i = 0; i < terms.length; i += 200) out.push(` ${terms.slice(i, i + 200).join(' ')}`);
    out.push(` <= ${num(p.capacity[r] as number)}`);
  }
  out.push('Bounds');
  for (let q = 0; q < nP; q++) out.push(` 0 <= x${q} <= 1`);
  if (!relax && nP > 0) {
    out.push('General');
    for (let q = 0; q < nP; q += 500) {
      let s = '';
      for (let j = q; j < Math.min(nP, q + 500); j++) s += ` x${j}`;
      out.push(s);
    }
  }
  out.push('End');
  return out.join('\n');
}

function num(v: number): string {
  // 17 significant digits round-trip a double; LP format reads exponent notation.
  return Number.isInteger(v) ? String(v) : v.toPrecision(17);
}

function term(c: number, q: number): string {
  return c < 0 ? `- ${num(-c)} x${q}` : `+ ${num(c)} x${q}`;
}

// The worker loads HiGHS (CommonJS build) and answers one LP text per message, so a long solve never blocks
// the event loop of the caller. Columns come back as a Float64Array in column order.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const ready = require(workerData.highsPath)();
parentPort.on('message', async (msg) => {
  try {
    const highs = await ready;
    const t0 = process.hrtime.bigint();
    const r = highs.solve(msg.text, msg.options);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const primal = new Float64Array(msg.n);
    if (r.Columns) for (let q = 0; q < msg.n; q++) { const c = r.Columns['x' + q]; if (c) primal[q] = c.Primal; }
    parentPort.postMessage({ ok: true, status: r.Status, objective: r.ObjectiveValue, primal, seconds });
  } catch (e) { parentPort.postMessage({ ok: false, message: String(e && e.message || e) }); }
});`;

/** Runs HiGHS on LP text in a fresh worker thread and returns its answer. */
export async function runHighs(
  text: string,
  nColumns: number,
  timeLimitSeconds: number,
): Promise<HighsAnswer> {
  const highsPath = createRequire(import.meta.url).resolve('highs');
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { highsPath } });
  try {
    return await new Promise<HighsAnswer>((resolve, reject) => {
      worker.once('error', (e) =>
        reject(
          new RiskError('E_OPTIMISER_SOLVER', `the HiGHS worker failed: ${e.message}`, {}, { cause: e }),
        ),
      );
      worker.once('message', (m: { ok: boolean; message?: string } & HighsAnswer) => {
        if (m.ok) resolve({ status: m.status, objective: m.objective, primal: m.primal, seconds: m.seconds });
        else reject(new RiskError('E_OPTIMISER_SOLVER', `HiGHS failed: ${m.message}`));
      });
      worker.postMessage({
        text,
        n: nColumns,
        options: { time_limit: timeLimitSeconds, output_flag: false, mip_rel_gap: 1e-9 },
      });
    });
  } finally {
    await worker.terminate();
  }
}

/** The LP relaxation value by HiGHS: an upper bound on the assignment's optimum. */
export async function lpBound(p: AssignmentProblem, timeLimitSeconds = 60): Promise<HighsAnswer> {
  return runHighs(toLpText(p, true), pairCount(p), timeLimitSeconds);
}

/** Exact MIP by HiGHS in a worker thread, with the LP relaxation as the reported bound. */
export async function solveExact(
  p: AssignmentProblem,
  opts: Partial<SolveOptions> = {},
): Promise<AssignmentSolution> {
  const nP = pairCount(p);
  const limit = opts.timeLimitSeconds ?? 60;
  const lp = await lpBound(p, limit);
  const mip = await runHighs(toLpText(p, false), nP, limit);
  let n = 0;
  for (let q = 0; q < nP; q++) if ((mip.primal[q] as number) > 0.5) n++;
  const chosen = new Int32Array(n);
  n = 0;
  for (let q = 0; q < nP; q++) if ((mip.primal[q] as number) > 0.5) chosen[n++] = q;
  const objective = objectiveOf(p, chosen);
  const bound = lp.status === 'Optimal' ? Math.max(lp.objective, objective) : Number.POSITIVE_INFINITY;
  return {
    method: 'exact',
    chosen,
    objective,
    bound,
    gap: relativeGap(bound, objective),
    status: mip.status === 'Optimal' ? 'optimal' : mip.status,
    iterations: 1,
  };
}
