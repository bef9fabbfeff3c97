import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildFeatures, rejectsBeside } from '../../src/cli/features.js';
import { parseCsvText } from '../../src/core/csv.js';
import { fullApplication, thinApplication } from '../fixtures/applications.js';

describe('features CLI as a newcomer meets it', () => {
  it('features build from a .jsonl adds the target when outcomes.csv is beside it; rejects go beside the output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rongdan-jsonl-target-'));
    const input = join(dir, 'apps.jsonl');
    const bad = { ...thinApplication('T2'), asOf: '2024-02-30' };
    writeFileSync(
      input,
      [fullApplication('F1'), thinApplication('T1'), bad].map((a) => JSON.stringify(a)).join('\n'),
    );
    writeFileSync(join(dir, 'outcomes.csv'), 'borrower_id,default_12m\nF1,1\nT1,0\n');
    const out = join(dir, 'features.csv');
    const r = await buildFeatures({ input, out });
    expect(r).toMatchObject({ rows: 2, rejected: 1, targetColumn: 'default_12m', withTarget: 2 });
    expect(r.counts.get('apps.jsonl')).toEqual({ read: 3, used: 2, rejected: 1 });
    expect(r.rejectsPath).toBe(rejectsBeside(out));
    expect(readFileSync(rejectsBeside(out), 'utf8')).toMatch(/T2/);
    const { header, records } = parseCsvText(readFileSync(out, 'utf8'));
    expect(header.at(-1)).toBe('default_12m');
    expect(records.map((row) => row.at(-1))).toEqual(['1', '0']);
  });

  it('--strict stops at the first bad application', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rongdan-strict-'));
    const input = join(dir, 'apps.jsonl');
    writeFileSync(input, JSON.stringify({ ...thinApplication('T2'), asOf: '2024-02-30' }));
    await expect(buildFeatures({ input, out: join(dir, 'f.csv'), strict: true })).rejects.toMatchObject({
      code: 'E_INPUT_INVALID',
    });
  });

  it('features list | head exits quietly (no EPIPE stack trace)', () => {
    const r = spawnSync('bash', ['-c', 'node bin/rongdan.js features list | head -1'], { encoding: 'utf8' });
    expect(r.stdout.split('\t')[0]).toBe('request_amount');
    expect(r.stderr).not.toMatch(/EPIPE|Error/);
  });
});
