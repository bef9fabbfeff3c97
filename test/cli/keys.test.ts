import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { webhookHeaders } from '../../src/api/webhooks.js';
import { openStore } from '../../src/store/open.js';

const run = promisify(execFile);
const MAIN = join(import.meta.dirname, '../../src/cli/main.ts');
const dir = mkdtempSync(join(tmpdir(), 'rongdan-keys-cli-'));
const db = join(dir, 'keys.sqlite');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', MAIN, ...args, '--db', db]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('rongdan keys', () => {
  it('creates a key printed once, lists without the secret, revokes it; refuses a bank key without a bank', async () => {
    const made = await cli(['keys', 'create', '--role', 'bank', '--bank', 'bank-07', '--name', '测试银行']);
    expect(made.code).toBe(0);
    const key = made.stdout.trim();
    expect(key).toMatch(/^rdk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(made.stderr).toContain('only time it is shown');
    const id = key.slice(4, 16);
    const listed = await cli(['keys', 'list']);
    expect(listed.stdout).toContain(`${id}\tbank\tbank-07\t测试银行`);
    expect(listed.stdout.includes(key.slice(17))).toBe(false);
    expect((await cli(['keys', 'revoke', id])).stdout).toContain(`revoked ${id}`);
    const store = await openStore({ path: db });
    expect(await store.authenticate(key)).toBeNull();
    await store.close();
    const bad = await cli(['keys', 'create', '--role', 'bank']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('E_STORE_INPUT: bankId must be a bank id for a bank key');
  });
});

describe('rongdan webhooks receive', () => {
  it('accepts a signed delivery and refuses a stale one', async () => {
    const secret = 'whsec_cli_test_0123456789';
    const port = 40_000 + (process.pid % 20_000);
    const proc = spawn(process.execPath, [
      '--import',
      'tsx',
      MAIN,
      'webhooks',
      'receive',
      '--secret',
      secret,
      '--port',
      String(port),
    ]);
    try {
      await new Promise<void>((resolve) =>
        createInterface({ input: proc.stderr }).on('line', (l) => l.startsWith('receiving') && resolve()),
      );
      const printed = new Promise<string>((resolve) =>
        createInterface({ input: proc.stdout }).once('line', resolve),
      );
      const body = JSON.stringify({ id: 'evt_1', type: 'referral.created', data: {} });
      const post = (at: Date) =>
        fetch(`http://127.0.0.1:${port}/`, {
          method: 'POST',
          body,
          headers: webhookHeaders(secret, body, at, 'evt_1', 'referral.created'),
        });
      expect((await post(new Date(Date.now() - 3_600_000))).status).toBe(401);
      expect((await post(new Date())).status).toBe(204);
      // Only the verified delivery is printed.
      expect(await printed).toBe(body);
    } finally {
      proc.kill();
    }
  });
});
