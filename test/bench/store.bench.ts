// Store benchmark: assessments written through the Store (batches of 1,000 in one transaction, and single
// saves each in its own transaction) on SQLite and, when TEST_DATABASE_URL is set, PostgreSQL. Peers in the
// same run: raw better-sqlite3 (one prepared INSERT in one transaction: SQLite's ceiling) and, on PostgreSQL,
// the `unnest` bulk path design.md suggests, to check whether it pays over Kysely's multi-row VALUES.
// Rows are shaped like real assessments (30 reasons, ~4.5 KB of JSON each).
// Run: eval "$(.ci/start-postgres)"; npm run bench -- store
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import type { KyselyStore } from '../../src/store/kysely-store.js';
import { openStore } from '../../src/store/open.js';
import type { NewAssessment, Store } from '../../src/store/store.js';
import { newAssessment } from '../store/fixtures.js';
import { createTestDatabase } from '../store/harness.js';

const BATCHES = 10;
const SINGLES = 2000;
const reasons = Array.from({ length: 30 }, (_, i) => ({
  feature: `feature_${i}`,
  value: i * 1.5,
  contribution: 0.1234 * i,
  text: { zh: '近12个月纳税额下降明显', en: 'tax paid fell over the last 12 months' },
}));
const item = (n: number): NewAssessment => {
  const x = newAssessment(n);
  return { ...x, assessment: { ...x.assessment, reasons } };
};
const batch = (b: number) => Array.from({ length: 1000 }, (_, i) => item(b * 1000 + i));
const rows: Record<string, string>[] = [];
const rate = (n: number, ms: number) => Math.round(n / (ms / 1000)).toLocaleString('en');

async function viaStore(name: string, store: Store, offset: number) {
  let t = performance.now();
  for (let b = 0; b < BATCHES; b++) await store.saveAssessments(batch(offset + b));
  rows.push({
    db: name,
    path: 'Store.saveAssessments, 1,000 per transaction',
    'rows/s': rate(BATCHES * 1000, performance.now() - t),
  });
  const singles = Array.from({ length: SINGLES }, (_, i) => item((offset + BATCHES) * 1000 + i));
  t = performance.now();
  for (const s of singles) await store.saveAssessment(s, { idempotencyKey: s.assessment.id });
  rows.push({
    db: name,
    path: 'Store.saveAssessment with a key, one per transaction',
    'rows/s': rate(SINGLES, performance.now() - t),
  });
}

const dir = mkdtempSync(join(tmpdir(), 'rongdan-bench-'));
try {
  const sqlite = await openStore({ path: join(dir, 'bench.sqlite') });
  await viaStore('SQLite (WAL, synchronous=NORMAL)', sqlite, 0);
  await sqlite.close();

  const raw = new BetterSqlite3(join(dir, 'bench.sqlite'));
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  const ins = raw.prepare('insert into assessments values (?, ?, ?, ?, ?, ?, ?, ?)');
  const many = raw.transaction((xs: NewAssessment[]) => {
    for (const x of xs)
      ins.run(
        x.assessment.id,
        x.assessment.applicationId,
        x.assessment.releaseId,
        x.assessment.inputDigest,
        x.assessment.decision,
        JSON.stringify(x.input),
        JSON.stringify(x.assessment),
        new Date().toISOString(),
      );
  });
  const t = performance.now();
  for (let b = 0; b < BATCHES; b++) many(batch(100 + b));
  rows.push({
    db: 'SQLite (peer)',
    path: 'raw better-sqlite3 prepared INSERT, 1,000 per transaction',
    'rows/s': rate(BATCHES * 1000, performance.now() - t),
  });
  raw.close();

  const url = process.env.TEST_DATABASE_URL ?? '';
  if (url === '')
    rows.push({
      db: 'PostgreSQL',
      path: 'skipped: set TEST_DATABASE_URL (eval "$(.ci/start-postgres)")',
      'rows/s': '-',
    });
  else {
    const d = await createTestDatabase(url);
    const pg = (await openStore({ url: d.url })) as KyselyStore;
    await viaStore('PostgreSQL 15 (fsync off, loopback)', pg, 0);
    const t2 = performance.now();
    for (let b = 0; b < BATCHES; b++) {
      const xs = batch(100 + b);
      const col = (f: (x: NewAssessment) => string) => xs.map(f);
      await pg.db.transaction().execute((tx) =>
        sql`insert into assessments (id, application_id, release_id, input_digest, decision, input_json, output_json, created_at)
          select * from unnest(${col((x) => x.assessment.id)}::text[], ${col((x) => x.assessment.applicationId)}::text[],
            ${col((x) => x.assessment.releaseId)}::text[], ${col((x) => x.assessment.inputDigest)}::text[],
            ${col((x) => x.assessment.decision)}::text[], ${col((x) => JSON.stringify(x.input))}::text[],
            ${col((x) => JSON.stringify(x.assessment))}::text[], ${col(() => new Date().toISOString())}::text[])
          on conflict (id) do nothing`.execute(tx),
      );
    }
    rows.push({
      db: 'PostgreSQL (peer)',
      path: 'raw unnest() insert, 1,000 per transaction',
      'rows/s': rate(BATCHES * 1000, performance.now() - t2),
    });
    await pg.close();
    await d.drop();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.table(rows);
