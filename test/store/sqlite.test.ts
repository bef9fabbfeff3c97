import { describe } from 'vitest';
import { storeContract } from './contract.js';
import { deliveryContract } from './delivery.js';
import { sqliteHarness } from './harness.js';

describe('store contract on SQLite (temp file, WAL)', () => {
  storeContract(sqliteHarness);
  deliveryContract(sqliteHarness);
});
