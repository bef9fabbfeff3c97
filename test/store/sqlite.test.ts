import { describe } from 'vitest';
import { storeContract } from './contract.js';
import { sqliteHarness } from './harness.js';

describe('store contract on SQLite (temp file, WAL)', () => {
  storeContract(sqliteHarness);
});
