// A child process on a SQLite store, for the tests that need several processes or a SIGKILL (run with
// `node --import tsx test/store/sqlite-child.ts <mode> …`; it reports on stdout one line per step):
//   writer <path> <firstBatch> <batchSize>  saves batches forever, "committed <b>" after each commit
//   accept <path> <referralId>              "ready", waits for a line on stdin, then "won" or "lost <code>"
import { createInterface } from 'node:readline';
import { RiskError } from '../../src/core/errors.js';
import { openStore } from '../../src/store/open.js';
import { newAssessment } from './fixtures.js';

const [mode, path, a, b] = process.argv.slice(2);
const store = await openStore({ path: path as string });

if (mode === 'writer') {
  const size = Number(b);
  for (let batch = Number(a); ; batch++) {
    const items = Array.from({ length: size }, (_, i) => newAssessment(batch * size + i));
    await store.saveAssessments(items, { idempotencyKey: `batch-${batch}` });
    process.stdout.write(`committed ${batch}\n`);
  }
} else if (mode === 'accept') {
  process.stdout.write('ready\n');
  const rl = createInterface({ input: process.stdin });
  await new Promise<void>((resolve) => rl.once('line', () => resolve()));
  rl.close();
  try {
    await store.transitionReferral({ id: a as string, to: 'accepted' });
    process.stdout.write('won\n');
  } catch (err) {
    process.stdout.write(`lost ${err instanceof RiskError ? err.code : String(err)}\n`);
  }
  await store.close();
}
