// Decisions benchmark (issue 7, part 9): end-to-end assessments per second (features + champion GBDT with
// TreeSHAP reasons + shadow scorecard + policy + Assessment) on one core, in batch (assessMany) and one at a
// time (assess: p50/p99 latency), over the committed sample's applications held in memory. The peer from the
// same run is the feature engine alone (computeFeatures), the floor of any assessment; the breakdown shows
// where the rest goes (input digest, models, policy).
// Run: npm run bench -- decisions   (or npx tsx test/bench/decisions.bench.ts [--passes 3])

import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assess, assessMany, inputDigest } from '../../src/decisions/assess.js';
import { loadActiveRelease } from '../../src/decisions/release.js';
import { getDefaultCatalog } from '../../src/features/catalog.js';
import { computeFeatures } from '../../src/features/engine.js';
import { compileCatalog } from '../../src/features/plan.js';
import { readApplicationsDir } from '../../src/ingest/readers.js';
import type { Application } from '../../src/ingest/schemas.js';

const passes = Number(process.argv[process.argv.indexOf('--passes') + 1] ?? 3) || 3;
const apps: Application[] = [];
for await (const a of readApplicationsDir('data-samples', {
  rejects: join(tmpdir(), 'decisions-bench.rejects.csv'),
}))
  apps.push(a);
const release = await loadActiveRelease();
const plan = compileCatalog(getDefaultCatalog());
const n = apps.length;

const now = (): number => performance.now();
function best(label: string, run: () => void | Promise<void>): Promise<number> {
  return (async () => {
    let bestMs = Number.POSITIVE_INFINITY;
    for (let p = 0; p < passes; p++) {
      const t = now();
      await run();
      bestMs = Math.min(bestMs, now() - t);
    }
    const rate = (n / bestMs) * 1000;
    console.log(
      `${label.padEnd(44)} ${Math.round(rate).toLocaleString('en-US').padStart(9)} /s   (${((bestMs / n) * 1000).toFixed(1)} µs each, best of ${passes})`,
    );
    return rate;
  })();
}

console.log(
  `${n} applications of data-samples in memory; release ${release.release.id}; machine shared with other helpers (load ${(await import('node:os')).loadavg()[0]?.toFixed(2)})`,
);
const row = new Float64Array(plan.features.length);
const features = await best('feature engine alone (peer)', () => {
  for (const a of apps) computeFeatures(plan, a, row);
});
await best('input digest (sha256 of canonical JSON)', () => {
  for (const a of apps) inputDigest(a);
});
const batch = await best('assessMany (batch, chunks of 256)', async () => {
  for await (const _ of assessMany(release, apps)) {
    /* drain */
  }
});
await best('assessMany without the shadow challenger', async () => {
  for await (const _ of assessMany(release, apps, { shadow: false })) {
    /* drain */
  }
});
// Single: one assess call per application, timed one by one.
const times = new Float64Array(n * passes);
let k = 0;
for (let p = 0; p < passes; p++)
  for (const a of apps) {
    const t = now();
    assess(release, a);
    times[k++] = now() - t;
  }
times.sort();
const q = (x: number): number => times[Math.min(times.length - 1, Math.floor(x * times.length))] as number;
console.log(
  `${'assess (single), latency'.padEnd(44)} p50 ${(q(0.5) * 1000).toFixed(0)} µs   p99 ${(q(0.99) * 1000).toFixed(0)} µs   max ${(q(1) * 1000).toFixed(0)} µs   (${Math.round(1000 / (times.reduce((s, x) => s + x, 0) / times.length)).toLocaleString('en-US')} /s)`,
);
console.log(
  `\nbatch ${Math.round(batch).toLocaleString('en-US')}/s (aim ≥ 10,000): ${batch >= 10_000 ? 'met' : 'NOT met'}; single p99 ${(q(0.99) * 1000).toFixed(0)} µs (aim ≤ 1,000): ${q(0.99) <= 1 ? 'met' : 'NOT met'}; feature engine alone ${Math.round(features).toLocaleString('en-US')}/s`,
);
