import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
    const dir = mkdtempSync(join(tmpdir(), 'rongdan-open-'));
    try {
      // A folder that is a file cannot hold the database.
      writeFileSync(join(dir, 'file'), '');
      const path = join(dir, 'file', 'x.sqlite');
      await expect(openStore({ path })).rejects.toMatchObject({
        code: 'E_STORE_CONFIG',
        message: expect.stringContaining(path),
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
