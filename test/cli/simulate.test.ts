import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { formatSimulation, runSimulate } from '../../src/cli/simulate.js';
import { assessMany } from '../../src/decisions/assess.js';
import type { Assessment } from '../../src/decisions/assessment.js';
import { loadRelease } from '../../src/decisions/release.js';
import { simulate } from '../../src/decisions/simulate.js';
import { readTargets } from '../../src/features/batch.js';
import { readApplicationsDir } from '../../src/ingest/readers.js';
import type { Application } from '../../src/ingest/schemas.js';

const dir = mkdtempSync(join(tmpdir(), 'rongdan-simulate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const quiet = () => {
  const w = new Writable({ write: (_c, _e, done) => done() });
  return { stdout: w, stderr: w };
};
const N = 250;
const BASE = 'admission-2026.12';
const CAND = 'admission-2026.12-lean';

async function firstApplications(n: number): Promise<Application[]> {
  const out: Application[] = [];
  for await (const a of readApplicationsDir('data-samples', { rejects: join(dir, 'direct.rejects.csv') })) {
    out.push(a);
    if (out.length === n) break;
  }
  return out;
}

async function collect(it: AsyncIterable<Assessment>): Promise<Assessment[]> {
  const out: Assessment[] = [];
  for await (const a of it) out.push(a);
  return out;
}

describe('rongdan simulate on a slice of the committed sample', () => {
  it('equals the pure simulation of each release run on its own, and its table and counts add up', async () => {
    const s = await runSimulate(
      {
        release: CAND,
        input: 'data-samples',
        limit: N,
        rejects: join(dir, 'sim.rejects.csv'),
        progress: false,
      },
      quiet(),
    );
    // The same applications, assessed by each release separately, give the same simulation.
    const apps = await firstApplications(N);
    const base = await collect(assessMany(await loadRelease(`models/releases/${BASE}.json`), apps));
    const cand = await collect(assessMany(await loadRelease(`models/releases/${CAND}.json`), apps));
    const outcomes = new Map(
      [...(await readTargets('data-samples/outcomes.csv'))].map(([k, v]) => [k, v === '1' ? 1 : 0] as const),
    );
    const { input: _i, outcomesFile: _o, portfolio: _p, ...sim } = s;
    expect(sim).toEqual(simulate(base, cand, outcomes));

    expect(s.baseline.releaseId).toBe(BASE);
    expect(s.candidate.releaseId).toBe(CAND);
    expect(s.baseline.assessed).toBe(N);
    const sum = (r: Record<string, { count: number }>) => Object.values(r).reduce((t, x) => t + x.count, 0);
    expect(sum(s.baseline.decisions)).toBe(N);
    expect(sum(s.candidate.decisions)).toBe(N);
    const moved = Object.values(s.transitions).reduce(
      (t, r) => t + Object.values(r).reduce((u, x) => u + x, 0),
      0,
    );
    expect(moved).toBe(N);
    expect(s.swapIn.count).toBe(s.transitions.decline.approve);
    expect(s.swapOut.count).toBe(s.transitions.approve.decline);
    // The lean candidate declines what the baseline refers (limits under 3万): a real difference on the slice.
    expect(s.candidate.decisions.decline.count).toBeGreaterThan(s.baseline.decisions.decline.count);
    expect(s.candidate.decisions.refer.count).toBeLessThan(s.baseline.decisions.refer.count);

    const text = formatSimulation(s);
    expect(text).toContain(`${CAND} (candidate) against ${BASE} (baseline) over ${N} applications`);
    expect(text).toMatch(/approved by candidate, declined by baseline: \d+ applications/);
    expect(text).toContain('LGD 0.6');
  }, 120_000);

  it('a release against itself changes nothing', async () => {
    const s = await runSimulate(
      {
        release: BASE,
        baseline: BASE,
        input: 'data-samples',
        limit: 60,
        rejects: join(dir, 'self.rejects.csv'),
        progress: false,
      },
      quiet(),
    );
    expect(s.candidate).toEqual(s.baseline);
    expect(s.swapIn.count + s.swapOut.count).toBe(0);
    const offDiagonal = Object.entries(s.transitions).flatMap(([b, r]) =>
      Object.entries(r).filter(([c, n]) => c !== b && n > 0),
    );
    expect(offDiagonal).toEqual([]);
  }, 120_000);

  it('an unknown release is an error naming it', async () => {
    await expect(
      runSimulate({ release: 'no-such-release', input: 'data-samples', limit: 1, progress: false }, quiet()),
    ).rejects.toMatchObject({ code: 'E_IO', message: expect.stringContaining('no-such-release') });
  });
});
