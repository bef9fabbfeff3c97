import { readdir } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../fixtures/cli.js';
import { tempDir } from './helpers.js';

let dir = '';
let cleanup: () => Promise<void> = async () => {};
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('cli'));
});
afterAll(() => cleanup());

describe('rongdan samples generate', () => {
  it('writes a sample and prints a one-line summary', async () => {
    const r = await cli(['samples', 'generate', '--n', '120', '--seed', '4', '--months', '6', '--out', dir]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^samples: 120 borrowers, default rate \d+\.\d\d% \(\d+\), \d+ in-force loans/);
    expect(r.stdout).toContain(`20 files written to ${dir}`);
    const files = await readdir(dir);
    expect(files).toContain('applications.csv');
    expect(files).toContain('banks.json');
  });

  it('fails with E_SAMPLES_OPTIONS naming the flag', async () => {
    const bad = await cli(['samples', 'generate', '--n', 'many', '--seed', '4', '--out', dir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('E_SAMPLES_OPTIONS: --n must be an integer, received "many"');
    const range = await cli(['samples', 'generate', '--n', '5', '--seed', '4', '--out', dir, '--dirty', '2']);
    expect(range.stderr).toContain('E_SAMPLES_OPTIONS: --dirty must be a number from 0 to 0.5, received 2');
    const missing = await cli(['samples', 'generate', '--n', '5', '--seed', '4']);
    expect(missing.stderr).toContain('E_SAMPLES_OPTIONS: --out must be a directory');
  });
});
