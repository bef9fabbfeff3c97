import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalog } from '../../src/features/catalog.js';
import { computeFeatures } from '../../src/features/engine.js';
import { compileCatalog } from '../../src/features/plan.js';
import { readApplicationsDir } from '../../src/ingest/readers.js';

/**
 * FNV-1a over the bits of every feature value (NaN included) of every accepted borrower of data-samples (its
 * dirty applications go to a rejects file), in order.
 * The golden digest was taken from the engine before the issue 12 speed work: a faster engine must give
 * the same 4,808 × 197 values to the last bit.
 */
describe('feature engine output on data-samples', () => {
  it('is bit-identical to the golden digest', async () => {
    const plan = compileCatalog(loadCatalog());
    const row = new Float64Array(plan.names.length);
    const bits = new Uint32Array(row.buffer);
    let h = 0x811c9dc5;
    let n = 0;
    const dir = mkdtempSync(join(tmpdir(), 'rongdan-golden-'));
    for await (const app of readApplicationsDir('data-samples', { rejects: join(dir, 'rejects.csv') })) {
      computeFeatures(plan, app, row);
      for (let i = 0; i < bits.length; i++) h = Math.imul(h ^ (bits[i] as number), 0x01000193);
      n++;
    }
    rmSync(dir, { recursive: true, force: true });
    expect([n, plan.names.length]).toEqual([4808, 197]);
    expect((h >>> 0).toString(16)).toBe('10633546');
  });
});
