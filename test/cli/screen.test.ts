import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from '../fixtures/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rongdan-screen-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rongdan screen (process)', () => {
  it('prints JSON a program can read, and exits 2 with the code on a header-only file', async () => {
    const data = join(dir, 'small.csv');
    const rows = ['x,grade,bad'];
    for (let i = 0; i < 400; i++) rows.push(`${i % 40},${'ABCD'[i % 4]},${i % 40 < 12 ? 1 : 0}`);
    writeFileSync(data, `${rows.join('\n')}\n`);
    const ok = await cli(['screen', '--data', data, '--target', 'bad', '--json']);
    expect(ok.code).toBe(0);
    const out = JSON.parse(ok.stdout) as { rows: number; events: number; kept: string[] };
    expect([out.rows, out.events]).toEqual([400, 120]);
    expect(out.kept).toEqual(['x']);
    const header = join(dir, 'header.csv');
    writeFileSync(header, 'x,grade,bad\n');
    const bad = await cli(['screen', '--data', header, '--target', 'bad']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^E_DATA_INVALID: .*has a header but no data rows/);
  }, 120_000);
});
