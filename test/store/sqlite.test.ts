import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { storeContract } from './contract.js';
import { deliveryContract } from './delivery.js';
import { newAssessment } from './fixtures.js';
import { sqliteHarness } from './harness.js';

describe('store contract on SQLite (temp file, WAL)', () => {
  storeContract(sqliteHarness);
  deliveryContract(sqliteHarness);
});

describe('SQLite stores in one process', () => {
  it('stores opened on one file share its connection: interleaved transactions never block each other', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rongdan-shared-'));
    try {
      const path = join(dir, 'shared.sqlite');
      const [a, b] = await Promise.all([openStore({ path }), openStore({ path })]);
      if (a === undefined || b === undefined) throw new Error('not opened');
      const saves = Array.from({ length: 40 }, (_, i) =>
        (i % 2 === 0 ? a : b)
          .saveAssessment(newAssessment(i), { idempotencyKey: `k-${i % 20}` })
          .catch((e) => e.code),
      );
      const results = await Promise.all(saves);
      // Keys k-0..k-19 each used by two different bodies: one stored, the other a conflict.
      expect(results.filter((r) => r === 'E_STORE_CONFLICT')).toHaveLength(20);
      await a.close();
      await a.close();
      expect(
        (await b.getAssessments(Array.from({ length: 40 }, (_, i) => newAssessment(i).assessment.id))).length,
      ).toBe(20);
      await b.close();
      const c = await openStore({ path });
      expect(await c.getAssessment(newAssessment(0).assessment.id)).not.toBeNull();
      await c.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an in-memory store works for tests of the API', async () => {
    const m = await openStore({ path: ':memory:' });
    await m.saveAssessment(newAssessment(1));
    expect((await m.getAssessment(newAssessment(1).assessment.id))?.applicationId).toBe('app-1');
    await m.close();
  });
});
