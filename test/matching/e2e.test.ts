import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAgreements } from '../../src/cli/agreements.js';
import { readAssessments } from '../../src/cli/match.js';
import { assessMany } from '../../src/decisions/assess.js';
import type { Assessment } from '../../src/decisions/assessment.js';
import { loadActiveRelease } from '../../src/decisions/release.js';
import { type Bank, parseBank } from '../../src/ingest/partners.js';
import { readApplicationsDir } from '../../src/ingest/readers.js';
import { buildProblem } from '../../src/matching/match.js';
import { checkAssignment } from '../../src/matching/optimiser/problem.js';
import { solveAssignment } from '../../src/matching/optimiser/solve.js';
import { referralSchema, toReferrals } from '../../src/matching/referrals.js';
import { cli } from '../fixtures/cli.js';
import { tempDir } from '../samples/helpers.js';
import { recountViolations } from './recount.js';

// End to end over the committed sample: the active release assesses a slice of data-samples/, and matching
// places the approvals with the committed banks and agreements. Every referral is recounted against every
// constraint from the raw data (quota, cap × safety, concentration, per-borrower limit, approval lines,
// eligibility), with the quotas as committed and cut so they bind.
const SLICE = 800;

let dir = '';
let cleanup: () => Promise<void> = async () => {};
const assessments: Assessment[] = [];
let banks: Bank[] = [];
const agreements = readAgreements('data-samples/agreements.json');

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('e2e'));
  const release = await loadActiveRelease();
  const apps = readApplicationsDir('data-samples', { rejects: join(dir, 'rejects.csv') });
  async function* slice() {
    let n = 0;
    for await (const a of apps) {
      if (n++ >= SLICE) return;
      yield a;
    }
  }
  for await (const a of assessMany(release, slice())) assessments.push(a);
  banks = (JSON.parse(readFileSync('data-samples/banks.json', 'utf8')) as unknown[]).map(parseBank);
}, 120_000);
afterAll(() => cleanup());

describe('assess → match over a slice of the committed sample', () => {
  it('assesses the slice and has approvals to place', () => {
    expect(assessments.length).toBe(SLICE);
    expect(assessments.filter((a) => a.decision === 'approve').length).toBeGreaterThan(100);
  });

  for (const cut of [1, 40]) {
    it(`places approvals without breaking any constraint (quota left ÷ ${cut})`, async () => {
      const bs = banks.map((b) => ({
        ...b,
        quotas: b.quotas.map((q) => ({ ...q, used: q.amount - (q.amount - q.used) / cut })),
      }));
      const built = buildProblem(assessments, bs, agreements);
      for (const method of ['decompose', 'greedy'] as const) {
        const sol = await solveAssignment(built.problem, { method });
        expect(checkAssignment(built.problem, sol.chosen).ok).toBe(true);
        const refs = toReferrals(built, sol);
        for (const r of refs) referralSchema.parse(r);
        expect(refs.length).toBeGreaterThan(cut > 1 ? 20 : 60);
        expect(recountViolations(refs, assessments, bs, agreements, { safetyFactor: 0.8, topK: 1 })).toEqual(
          [],
        );
        // Each party's expected loss sums to the expected loss, to the fen.
        for (const r of refs)
          expect(Math.abs(r.lossByParty.reduce((s, p) => s + p.amount, 0) - r.expectedLoss)).toBeLessThan(
            0.05,
          );
        if (cut > 1) expect(refs.some((r) => r.alternatives.some((x) => x.why === 'capacity'))).toBe(true);
      }
    }, 60_000);
  }

  it('rongdan match reads the assessments file and its referrals recount clean', async () => {
    const file = join(dir, 'assessments.jsonl');
    await writeFile(file, `${assessments.map((a) => JSON.stringify(a)).join('\n')}\n`);
    expect(readAssessments(file)).toHaveLength(SLICE);
    const out = join(dir, 'referrals.json');
    const r = await cli(['match', '--assessments', file, '--out', out]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/constraints: all \d+ rows hold/);
    const refs = (JSON.parse(readFileSync(out, 'utf8')) as unknown[]).map((x) => referralSchema.parse(x));
    expect(recountViolations(refs, assessments, banks, agreements, { safetyFactor: 0.8, topK: 1 })).toEqual(
      [],
    );
  }, 60_000);
});
