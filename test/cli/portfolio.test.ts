import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatPortfolio, runPortfolio } from '../../src/cli/portfolio.js';

const dir = mkdtempSync(join(tmpdir(), 'rongdan-portfolio-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('rongdan portfolio', () => {
  it('reports the committed book against the default policy', async () => {
    const r = await runPortfolio({ input: 'data-samples', top: 2 });
    const text = formatPortfolio(r);
    expect(text).toContain('portfolio of data-samples at 2026-01: 1,228 guarantees in force');
    expect(text).toContain('weighted liability 63,011.25万');
    expect(text).toContain('leverage 3.15× against a 15× cap');
    expect(text).toContain('small/micro and farming 96.3% (≥ 80.0%), borrowers ≤ 500万 86.7% (≥ 50.0%)');
    expect(text).toContain('breaches: none');
    expect(r.status.singleClient.top).toHaveLength(2);
  });

  it('starts from a release’s portfolio policy, with flags laid over it', async () => {
    const r = await runPortfolio({ input: 'data-samples', release: 'admission-2026.12', basis: 'retained' });
    expect(r.status.netAssets).toBe(200_000_000);
    expect(r.status.basis).toBe('retained');
    expect(r.status.leverage.value).toBeCloseTo(1.9454, 4);
  });

  it('a policy file and flags change the limits; tiny net assets breach them', async () => {
    const file = join(dir, 'policy.json');
    writeFileSync(file, JSON.stringify({ leverage: { mainlySmallMicroFarming: false } }));
    const r = await runPortfolio({ input: 'data-samples', policy: file, netAssets: 50_000_000 });
    // 63,011.25万 over 5,000万 = 12.6×, above the 10× cap; 1000万 clients are 20% of net assets.
    expect(r.status.leverage.value).toBeCloseTo(12.602, 3);
    expect(r.status.breaches).toEqual([
      'portfolio_leverage',
      'portfolio_single_client',
      'portfolio_related_group',
    ]);
    writeFileSync(file, '{ not json');
    await expect(runPortfolio({ input: 'data-samples', policy: file })).rejects.toMatchObject({
      code: 'E_JSON_PARSE',
    });
  });
});
