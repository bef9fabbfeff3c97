import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  formatAssessment,
  formatAssessSummary,
  formatRelease,
  listReleases,
  releaseDiff,
  runAssessBatch,
  runReplay,
} from '../../src/cli/decisions.js';
import type { CommandIo } from '../../src/cli/train.js';
import { assess } from '../../src/decisions/assess.js';
import type { Application } from '../../src/ingest/schemas.js';
import { activeRelease, sampleApplications } from '../decisions/decisions-helpers.js';

const io: CommandIo = { stdout: new PassThrough(), stderr: new PassThrough() };
let dir: string;
let apps: Application[];
beforeAll(async () => {
  apps = await sampleApplications(60);
  dir = mkdtempSync(join(tmpdir(), 'rongdan-assess-cli-'));
  const lines = apps.map((a) => JSON.stringify(a));
  lines.splice(10, 0, JSON.stringify({ id: 'BAD1', asOf: '2025-13-01' }));
  writeFileSync(join(dir, 'apps.jsonl'), `${lines.join('\n')}\n`);
  const outcomes = readFileSync('data-samples/outcomes.csv', 'utf8').trim().split('\n');
  const wanted = new Set(apps.map((a) => a.id));
  writeFileSync(
    join(dir, 'outcomes.csv'),
    `${[outcomes[0], ...outcomes.slice(1).filter((l) => wanted.has(l.split(',')[0] as string))].join('\n')}\n`,
  );
});

describe('rongdan assess / replay / release', () => {
  it('assesses a JSON Lines batch: rejects counted, rates, grade mix with observed defaults, limits in 万', async () => {
    const out = join(dir, 'out.jsonl');
    const s = await runAssessBatch({ input: join(dir, 'apps.jsonl'), out, progress: false }, io);
    expect(s.assessed).toBe(60);
    expect(s.rejected).toBe(1);
    expect(Object.values(s.byDecision).reduce((a, b) => a + b, 0)).toBe(60);
    const graded = Object.values(s.byGrade);
    expect(graded.reduce((a, g) => a + g.count, 0)).toBe(60);
    expect(graded.reduce((a, g) => a + (g.defaults ?? 0), 0)).toBe(
      apps.filter((a) => readFileSync(join(dir, 'outcomes.csv'), 'utf8').includes(`${a.id},1`)).length,
    );
    expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(60);
    expect(s.portfolio?.exposures).toBe(s.byDecision.approve ?? 0);
    const text = formatAssessSummary(s);
    expect(text).toMatch(/approve\s+\d+\s+\d+\.\d%/);
    expect(text).toMatch(/limits \(approve \+ refer, 万\)/);
    // Replay the whole batch from its inputs: identical.
    const r = await runReplay({ assessment: out, input: join(dir, 'apps.jsonl') });
    expect(r).toMatchObject({ replayed: 60, identical: 60, differing: [] });
  });

  it('prints one assessment for a person: decision, reasons zh/en, the binding limit marked', async () => {
    const a = assess(await activeRelease(), apps[0] as Application);
    const text = formatAssessment(a);
    expect(text).toContain(`decision  ${a.decision}`);
    if (a.limit !== null) expect(text).toContain(`→ ${a.limit.binding}`);
  });

  it('lists, shows and diffs releases', async () => {
    const list = listReleases();
    expect(list.map((r) => r.id)).toContain('admission-2026.12');
    const r = (await activeRelease()).release;
    expect(formatRelease(r)).toContain('tax_grade_d');
    expect(releaseDiff(r, r)).toEqual([]);
    const changed = structuredClone(r);
    changed.policy.cutoffs.approveMaxPd = 0.05;
    changed.policy.knockouts = changed.policy.knockouts.filter((k) => k.id !== 'debt_ratio');
    expect(releaseDiff(r, changed).map((c) => c.path)).toEqual([
      'policy.cutoffs.approveMaxPd',
      'policy.knockouts[debt_ratio]',
    ]);
  });
});
