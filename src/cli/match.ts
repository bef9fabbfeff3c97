import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { describeValue, RiskError } from '../core/errors.js';
import { type Assessment, assessmentSchema } from '../decisions/assessment.js';
import { type Bank, parseBank } from '../ingest/partners.js';
import { buildProblem, type Objective, type ProgrammeToDate } from '../matching/match.js';
import { wan } from '../matching/money.js';
import { type AssignmentMethod, checkAssignment } from '../matching/optimiser/problem.js';
import { solveAssignment } from '../matching/optimiser/solve.js';
import { summarise, toReferrals } from '../matching/referrals.js';
import { readAgreements } from './agreements.js';

function readJson(path: string, flag: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new RiskError('E_IO', `${flag}: cannot read JSON from ${path}`, { file: path }, { cause });
  }
}

/** Reads assessments from a JSON Lines file (one Assessment a line). */
export function readAssessments(path: string): Assessment[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new RiskError('E_IO', `--assessments: cannot read ${path}`, { file: path }, { cause });
  }
  const out: Assessment[] = [];
  text.split('\n').forEach((l, i) => {
    if (l.trim() === '') return;
    let json: unknown;
    try {
      json = JSON.parse(l);
    } catch (cause) {
      throw new RiskError(
        'E_JSON_PARSE',
        `${path} line ${i + 1}: not valid JSON`,
        { file: path, row: i + 1 },
        { cause },
      );
    }
    const r = assessmentSchema.safeParse(json);
    if (!r.success)
      throw new RiskError(
        'E_MATCH_INPUT',
        `${path} line ${i + 1}: ${r.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}`,
        { file: path, row: i + 1 },
      );
    out.push(r.data);
  });
  return out;
}

const toDateSchema = z.record(
  z.string(),
  z
    .object({ guaranteed: z.number().finite().nonnegative(), compensated: z.number().finite().nonnegative() })
    .strict(),
);

/** Reads programme totals to date (cumulative guaranteed and compensated per agreement id). */
export function readToDate(path: string): Record<string, ProgrammeToDate> {
  const r = toDateSchema.safeParse(readJson(path, '--to-date'));
  if (!r.success)
    throw new RiskError(
      'E_MATCH_INPUT',
      `--to-date ${path}: ${r.error.issues.map((x) => `${x.path.join('.') || '(root)'}: ${x.message}`).join('; ')}`,
      { file: path },
    );
  return r.data;
}

/** The options of `rongdan match`, as commander hands them over. */
export interface MatchFlags {
  readonly assessments: string;
  readonly banks: string;
  readonly agreements: string;
  readonly out: string;
  readonly objective: string;
  readonly method: string;
  readonly topK: string;
  readonly safetyFactor: string;
  readonly toDate?: string;
  readonly json?: boolean;
}

/** `rongdan match`: places the approved borrowers with partner banks and prints the summary. */
export async function matchCommand(o: MatchFlags): Promise<void> {
  if (!['exact', 'decompose', 'greedy'].includes(o.method))
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `--method must be exact, decompose or greedy, received ${describeValue(o.method)}`,
    );
  const banksJson = readJson(o.banks, '--banks');
  if (!Array.isArray(banksJson))
    throw new RiskError(
      'E_AGREEMENT_INVALID',
      `--banks: expected an array, received ${describeValue(banksJson)}`,
    );
  const banks: Bank[] = banksJson.map(parseBank);
  const agreements = readAgreements(o.agreements);
  const assessments = readAssessments(o.assessments);
  const built = buildProblem(assessments, banks, agreements, {
    objective: o.objective as Objective,
    topK: Number(o.topK),
    safetyFactor: Number(o.safetyFactor),
    ...(o.toDate !== undefined && { toDate: readToDate(o.toDate) }),
  });
  // The LP value by HiGHS bounds batches of up to 20,000 pairs (seconds); the dual bound is used above.
  const sol = await solveAssignment(built.problem, {
    method: o.method as AssignmentMethod,
    lpBoundMaxPairs: 20_000,
  });
  const refs = toReferrals(built, sol);
  mkdirSync(dirname(o.out), { recursive: true });
  writeFileSync(o.out, `${JSON.stringify(refs, null, 2)}\n`);
  const safety = Number(o.safetyFactor);
  const { banks: perBank, programmes: perProgramme } = summarise(
    refs,
    banks,
    agreements,
    safety,
    built.pausedProgrammes,
  );
  const check = checkAssignment(built.problem, sol.chosen);
  const summary = {
    assessments: assessments.length,
    candidates: built.candidates.length,
    notCandidates: built.notCandidates.length,
    pairs: built.problem.pairOption.length,
    referrals: refs.length,
    matchedBorrowers: new Set(refs.map((r) => r.assessmentId)).size,
    method: sol.method,
    objective: sol.objective,
    bound: sol.bound,
    gap: sol.gap,
    status: sol.status,
    rows: built.problem.capacity.length,
    violations: check.violations,
    perBank,
    perProgramme,
  };
  const out = (s: string): void => {
    process.stdout.write(`${s}\n`);
  };
  if (o.json) {
    out(JSON.stringify(summary, null, 2));
    return;
  }
  out(
    `assessments ${summary.assessments}  candidates ${summary.candidates}  pairs ${summary.pairs}  referrals ${summary.referrals} (${summary.matchedBorrowers} borrowers)`,
  );
  out(
    `${'bank'.padEnd(12)}${'agreement'.padEnd(17)}${'count'.padStart(6)}${'amount 万'.padStart(12)}${'quota 万'.padStart(10)}${'used before → after'.padStart(22)}${'exp. comp.'.padStart(11)}${'cap'.padStart(6)}`,
  );
  for (const b of perBank) {
    const share = (x: number) => `${((100 * x) / b.quota).toFixed(1)}%`;
    out(
      `${b.bankId.padEnd(12)}${b.agreementId.padEnd(17)}${String(b.count).padStart(6)}${wan(b.amount).padStart(12)}${wan(b.quota).padStart(10)}${`${share(b.usedBefore)} → ${share(b.usedAfter)}`.padStart(22)}${`${(b.expectedRate * 100).toFixed(2)}%`.padStart(11)}${`${(b.cap * 100).toFixed(0)}%`.padStart(6)}`,
    );
  }
  out(
    `${'programme'.padEnd(17)}${'count'.padStart(7)}${'amount 万'.padStart(12)}${'exp. comp. rate'.padStart(17)}${'line'.padStart(8)}${'cap'.padStart(7)}`,
  );
  for (const p of perProgramme)
    out(
      `${p.agreementId.padEnd(17)}${String(p.count).padStart(7)}${wan(p.amount).padStart(12)}${`${(p.expectedRate * 100).toFixed(3)}%`.padStart(17)}${`${(p.line * 100).toFixed(1)}%`.padStart(8)}${`${(p.cap * 100).toFixed(1)}%`.padStart(7)}${p.paused ? '  paused' : ''}`,
    );
  out(
    check.ok
      ? `constraints: all ${summary.rows} rows hold (quota, compensation cap × ${safety}, concentration)`
      : `constraints: ${check.violations.length} rows broken: ${check.violations.map((v) => v.row).join(', ')}`,
  );
  out(
    `method ${sol.method}  objective ${sol.objective.toFixed(2)}  bound ${sol.bound.toFixed(2)}  gap ${(sol.gap * 100).toFixed(3)}%  ${sol.status}  → ${o.out}`,
  );
}
