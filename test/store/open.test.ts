import { describe, expect, it } from 'vitest';
import { RiskError } from '../../src/core/errors.js';
import { openStore, storeOptionsFromEnv } from '../../src/store/open.js';

describe('store options', () => {
  it('reads DATABASE_URL first, then RONGDAN_DB and RONGDAN_SQLITE_SYNC, else the embedded default', () => {
    expect(storeOptionsFromEnv({ DATABASE_URL: 'postgres://h/db', RONGDAN_DB: 'x.sqlite' })).toEqual({
      url: 'postgres://h/db',
    });
    expect(storeOptionsFromEnv({ RONGDAN_DB: 'x.sqlite', RONGDAN_SQLITE_SYNC: 'FULL' })).toEqual({
      path: 'x.sqlite',
      sqliteSync: 'FULL',
    });
    expect(storeOptionsFromEnv({ DATABASE_URL: '' })).toEqual({});
    expect(() => storeOptionsFromEnv({ RONGDAN_SQLITE_SYNC: 'OFF' })).toThrow(RiskError);
  });

  it('an unusable SQLite path is E_STORE_CONFIG naming it', async () => {
    await expect(openStore({ path: '/proc/rongdan/x.sqlite' })).rejects.toMatchObject({
      code: 'E_STORE_CONFIG',
      message: expect.stringContaining('/proc/rongdan/x.sqlite'),
    });
  });
});
