import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { type MonitorSummary, runMonitor } from '../../src/cli/monitor.js';
import { warningEvaluationSchema } from '../../src/decisions/warning.js';
import { WARNING_LEVELS } from '../../src/decisions/warning-policy.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'rongdan-monitor-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sink() {
  let text = '';
  const stream = new Writable({
    write(chunk, _e, cb) {
      text += String(chunk);
      cb();
    },
  });
  return { stream, text: () => text };
}

async function monitor(month?: string): Promise<{ summary: MonitorSummary; out: string; printed: string }> {
  const out = join(dir, `w-${month ?? 'latest'}.jsonl`);
  const stdout = sink();
  const summary = await runMonitor(
    { input: join(root, 'data-samples'), out, progress: false, ...(month === undefined ? {} : { month }) },
    { stdout: stdout.stream, stderr: sink().stream },
  );
  return { summary, out, printed: stdout.text() };
}

const counts = (s: MonitorSummary) => WARNING_LEVELS.map((l) => s.byLevel[l]?.count);
const rates = (s: MonitorSummary) => WARNING_LEVELS.map((l) => s.byLevel[l]?.defaultRate ?? null);

describe('rongdan monitor on the sample', () => {
  it('evaluates every loan at its latest snapshot; all defaulters at 次级 or worse', async () => {
    const { summary, out, printed } = await monitor();
    expect(summary).toMatchObject({ loansRead: 1240, snapshotsRead: 14675, rejected: 0, evaluated: 1240 });
    expect(counts(summary)).toEqual([1044, 139, 57, 0, 0]);
    expect(summary.byLevel.substandard?.defaults).toBe(37);
    const r = rates(summary);
    expect(r[0]).toBe(0);
    expect(r[2] as number).toBeGreaterThan(r[1] as number);
    const lines = readFileSync(out, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1240);
    const first = warningEvaluationSchema.parse(JSON.parse(lines[0] as string));
    expect(first.behaviourPd).not.toBeNull();
    expect(printed).toContain('次级 substandard');
    expect(printed).toContain('on-site checks due');
  });

  it('as of 2025-12 the observed default rate rises strictly with the level', async () => {
    const { summary } = await monitor('2025-12');
    expect(summary.evaluated).toBe(1132);
    expect(counts(summary)).toEqual([1024, 71, 37, 0, 0]);
    const [normal, watch, sub] = rates(summary) as number[];
    expect(normal).toBeLessThan(watch as number);
    expect(watch).toBeLessThan(sub as number);
    expect(Object.values(summary.signalsFired).reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
  });
});
