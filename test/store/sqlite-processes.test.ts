import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { newAssessment, referral } from './fixtures.js';

// SQLite across processes: the one-writer lock and WAL are what make these hold, so they need real processes.
const CHILD = join(import.meta.dirname, 'sqlite-child.ts');
const dir = mkdtempSync(join(tmpdir(), 'rongdan-procs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function child(args: string[]): {
  proc: ChildProcessWithoutNullStreams;
  lines: string[];
  next: (p: RegExp) => Promise<string>;
} {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: 'pipe' });
  const lines: string[] = [];
  const waiters: { p: RegExp; resolve: (l: string) => void }[] = [];
  createInterface({ input: proc.stdout }).on('line', (l) => {
    lines.push(l);
    for (const w of [...waiters])
      if (w.p.test(l)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(l);
      }
  });
  const next = (p: RegExp) =>
    new Promise<string>((resolve, reject) => {
      const hit = lines.find((l) => p.test(l));
      if (hit !== undefined) return resolve(hit);
      waiters.push({ p, resolve });
      proc.once('exit', (code) => reject(new Error(`child exited ${code} before ${p}`)));
    });
  return { proc, lines, next };
}

describe('SQLite across processes', () => {
  it('a writer killed with SIGKILL mid-stream of batch writes leaves no half-written batch', async () => {
    const path = join(dir, 'kill.sqlite');
    const size = 200;
    let firstBatch = 0;
    for (const killAfter of [2, 5, 9]) {
      const w = child(['writer', path, String(firstBatch), String(size)]);
      await w.next(new RegExp(`^committed ${firstBatch + killAfter}$`));
      w.proc.kill('SIGKILL');
      await new Promise((resolve) => w.proc.once('exit', resolve));
      const reported = w.lines.filter((l) => l.startsWith('committed ')).map((l) => Number(l.split(' ')[1]));
      const lastReported = Math.max(...reported);

      const raw = new BetterSqlite3(path);
      expect(raw.pragma('integrity_check', { simple: true })).toBe('ok');
      const ns = (raw.prepare('select id from assessments').all() as { id: string }[]).map((r) =>
        Number(r.id.slice('as-app-'.length)),
      );
      raw.close();
      const perBatch = new Map<number, number>();
      for (const n of ns) perBatch.set(Math.floor(n / size), (perBatch.get(Math.floor(n / size)) ?? 0) + 1);
      // Every batch is all there or not there at all, every reported commit is there, and at most the one
      // batch in flight when the kill came is there without its report.
      for (const count of perBatch.values()) expect(count).toBe(size);
      const present = [...perBatch.keys()].sort((x, y) => x - y);
      expect(present[0]).toBe(0);
      expect(present.length === lastReported + 1 || present.length === lastReported + 2).toBe(true);
      expect(present.every((b, i) => b === i)).toBe(true);

      // A retry of the last reported batch with its key returns the rows first stored.
      const store = await openStore({ path });
      const items = Array.from({ length: size }, (_, i) => newAssessment(lastReported * size + i));
      const again = await store.saveAssessments(items, { idempotencyKey: `batch-${lastReported}` });
      expect(again.replayed).toBe(true);
      expect(again.rows.map((r) => r.id)).toEqual(items.map((i) => i.assessment.id));
      await store.close();
      firstBatch = present.length;
    }
  });

  it('concurrent accepts of one referral from four processes: exactly one wins', async () => {
    const path = join(dir, 'accept.sqlite');
    const store = await openStore({ path });
    const [r] = await store.createReferrals([referral('as-1', 'bank-a')]);
    await store.close();
    const kids = Array.from({ length: 4 }, () => child(['accept', path, r?.id ?? '']));
    await Promise.all(kids.map((k) => k.next(/^ready$/)));
    for (const k of kids) k.proc.stdin.write('go\n');
    const results = await Promise.all(kids.map((k) => k.next(/^(won|lost)/)));
    expect(results.filter((x) => x === 'won')).toHaveLength(1);
    expect(results.filter((x) => x === 'lost E_STORE_CONFLICT')).toHaveLength(3);
    const check = await openStore({ path });
    expect(await check.getReferral(r?.id ?? '')).toMatchObject({ status: 'accepted', version: 2 });
    await check.close();
  });
});
