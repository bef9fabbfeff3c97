import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assess } from '../../src/decisions/assess.js';
import type { Application } from '../../src/ingest/schemas.js';
import { sampleApplications, shippedRelease } from './harness.js';

/**
 * The server as a real child process (`rongdan serve` on an ephemeral port over a SQLite file), killed with
 * SIGKILL in the middle of a stream of batch writes, then restarted on the same file: every batch it had
 * answered 201 is there whole, with the same stored answer; no batch is half-written; a retry with the same
 * Idempotency-Key returns the stored result.
 */

const dir = mkdtempSync(join(tmpdir(), 'rd-crash-'));
const db = join(dir, 'crash.sqlite');
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `rongdan serve` and resolves with its URL and (on a fresh database) its first admin key. */
function serve(): Promise<{ child: ChildProcess; url: string; key: string | null }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', '--db', db, '--no-webhooks'],
    { env: { ...process.env, LOG_LEVEL: 'silent' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out} ${err}`)), 60_000);
    child.stderr?.on('data', (d) => {
      err += String(d);
    });
    child.stdout?.on('data', (d) => {
      out += String(d);
      const m = /at (http:\/\/[\d.]+:\d+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, url: m[1] as string, key: /(rdk_\w+_[\w-]+)/.exec(out)?.[1] ?? null });
      }
    });
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
  });
}

async function post(url: string, key: string, body: unknown, idem: string) {
  const res = await fetch(`${url}/v1/assessments/batch`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'idempotency-key': idem },
    body: JSON.stringify(body),
  });
  return {
    status: res.status,
    body: (await res.json()) as { assessments: { id: string }[]; replayed: boolean },
  };
}

describe('SIGKILL during batch writes', () => {
  it('after a restart no answered batch is lost, none is half-written, and a key retry returns the stored result', async () => {
    const apps = await sampleApplications(200);
    const release = await shippedRelease();
    const batches: Application[][] = [];
    for (let i = 0; i < apps.length; i += 5) batches.push(apps.slice(i, i + 5));
    // Assessed against the live book, empty throughout (store book version 0), whose version is in the id.
    const expectedIds = batches.map((b) => b.map((a) => assess(release, a, { bookId: 'book:0' }).id));

    const first = await serve();
    const key = first.key as string;
    expect(key).toMatch(/^rdk_/);
    const accepted = new Map<number, { id: string }[]>();
    let next = 0;
    let killed = false;
    const worker = async () => {
      while (next < batches.length && !killed) {
        const i = next++;
        try {
          const r = await post(first.url, key, { applications: batches[i] }, `batch-${i}`);
          if (r.status === 201) accepted.set(i, r.body.assessments);
          if (accepted.size >= 12 && !killed) {
            killed = true;
            first.child.kill('SIGKILL');
          }
        } catch {
          // A connection cut by the kill: the outcome of this batch is unknown to the client.
        }
      }
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    expect(killed).toBe(true);
    // The exit may already have happened while the workers were still failing their last requests.
    if (first.child.exitCode === null && first.child.signalCode === null)
      await new Promise((r) => first.child.once('exit', r));
    expect(first.child.signalCode).toBe('SIGKILL');

    const second = await serve();
    expect(second.key).toBeNull(); // the first admin key is made once, ever
    let whole = 0;
    let absent = 0;
    for (let i = 0; i < batches.length; i++) {
      const ids = expectedIds[i] as string[];
      const present = await Promise.all(
        ids.map(
          async (id) =>
            (
              await fetch(`${second.url}/v1/assessments/${id}`, {
                headers: { authorization: `Bearer ${key}` },
              })
            ).status,
        ),
      );
      const found = present.filter((s) => s === 200).length;
      expect([i, found === 0 || found === ids.length]).toEqual([i, true]);
      if (found === ids.length) whole++;
      else absent++;
      const answered = accepted.get(i);
      if (answered !== undefined) {
        expect(found).toBe(ids.length);
        expect(answered.map((a) => a.id)).toEqual(ids);
        const retry = await post(second.url, key, { applications: batches[i] }, `batch-${i}`);
        expect(retry.status).toBe(200);
        expect(retry.body.replayed).toBe(true);
        expect(retry.body.assessments).toEqual(answered);
      }
    }
    expect(whole).toBeGreaterThanOrEqual(accepted.size);
    expect(whole + absent).toBe(batches.length);
    second.child.kill('SIGTERM');
  }, 180_000);
});
