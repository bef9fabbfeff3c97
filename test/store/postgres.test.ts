import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { storeContract } from './contract.js';
import { deliveryContract } from './delivery.js';
import { createTestDatabase, dropFileDatabase, postgresHarness, TEST_PG_URL } from './harness.js';

// The same contract on a real PostgreSQL server. Without one, say so plainly; CI sets RONGDAN_REQUIRE_PG=1
// (after .ci/start-postgres), and there a missing server is a failure, not a skip.
const required = process.env.RONGDAN_REQUIRE_PG === '1';
if (TEST_PG_URL === '' && !required)
  process.stderr.write(
    'PostgreSQL store tests SKIPPED: TEST_DATABASE_URL is not set. To run them: eval "$(.ci/start-postgres)" && npx vitest run test/store\n',
  );

describe.skipIf(TEST_PG_URL === '')('store contract on PostgreSQL (TEST_DATABASE_URL)', () => {
  afterAll(dropFileDatabase);
  storeContract(postgresHarness);
  deliveryContract(postgresHarness);

  it('several API processes starting at once on an empty database all migrate it and share it', async () => {
    const d = await createTestDatabase();
    try {
      const stores = await Promise.all([1, 2, 3, 4].map(() => openStore({ url: d.url, poolSize: 2 })));
      const made = await Promise.all(stores.map((s) => s.createFirstAdminKey()));
      expect(made.filter((m) => m !== null)).toHaveLength(1);
      for (const s of stores) expect(await s.listApiKeys()).toHaveLength(1);
      for (const s of stores) await s.close();
    } finally {
      await d.drop();
    }
  });

  it('refuses a URL that is not postgres:// and names the problem without the password', async () => {
    await expect(openStore({ url: 'mysql://u:secret@h/db' })).rejects.toThrow(/postgres:\/\/.*u:\*\*\*@h/);
    await expect(openStore({ url: 'postgres://127.0.0.1:1/none' })).rejects.toMatchObject({
      code: 'E_STORE_CONFIG',
    });
  });
});

// Registered only when it applies, so a run with a server shows no skipped test.
if (TEST_PG_URL === '' && required)
  describe('PostgreSQL required (RONGDAN_REQUIRE_PG=1)', () => {
    it('has a server to test against', () => {
      throw new Error(
        'RONGDAN_REQUIRE_PG=1 but TEST_DATABASE_URL is not set: start one with .ci/start-postgres',
      );
    });
  });
