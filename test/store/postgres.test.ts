import { describe, it } from 'vitest';
import { storeContract } from './contract.js';
import { deliveryContract } from './delivery.js';
import { postgresHarness, TEST_PG_URL } from './harness.js';

// The same contract on a real PostgreSQL server. Without one, say so plainly; CI sets RONGDAN_REQUIRE_PG=1
// (after .ci/start-postgres), and there a missing server is a failure, not a skip.
const required = process.env.RONGDAN_REQUIRE_PG === '1';
if (TEST_PG_URL === '' && !required)
  process.stderr.write(
    'PostgreSQL store tests SKIPPED: TEST_DATABASE_URL is not set. To run them: eval "$(.ci/start-postgres)" && npx vitest run test/store\n',
  );

describe.skipIf(TEST_PG_URL === '')('store contract on PostgreSQL (TEST_DATABASE_URL)', () => {
  storeContract(postgresHarness);
  deliveryContract(postgresHarness);
});

describe.runIf(TEST_PG_URL === '' && required)('PostgreSQL required (RONGDAN_REQUIRE_PG=1)', () => {
  it('has a server to test against', () => {
    throw new Error(
      'RONGDAN_REQUIRE_PG=1 but TEST_DATABASE_URL is not set: start one with .ci/start-postgres',
    );
  });
});
