// Screening benchmark (issue 11 part 2): `screen` on the public datasets, timed beside the binning process
// `train --model scorecard` runs on the same frame in the same run (the reference: screening is that
// binning plus profiles, PSI, correlations and VIF). No Python peer: toad is not installable offline and
// Debian's pandas may be absent. Run: npx tsx test/bench/screen.bench.ts (or npm run bench -- screen)
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseOptions } from '../../src/binning/options.js';
import { binningProcessOptionsSchema, fitBinningProcess } from '../../src/binning/process.js';
import { readCsvFrame } from '../../src/core/frame.js';
import { splitTarget } from '../../src/evaluation/model-evaluation.js';
import { screenVariables } from '../../src/evaluation/screening.js';
import { detectColumnTypes } from '../../src/models/column-types.js';
import { DATASETS_DIR } from './peers.js';

const DATA = [
  { file: 'home-credit-application-sample/application_train_head5000.csv', target: 'TARGET' },
  { file: 'taiwan-default-credit-card/UCI_Credit_Card.csv', target: 'default.payment.next.month' },
];

/** The median of three timed runs, in milliseconds. */
function median3(run: () => unknown): number {
  const t: number[] = [];
  for (let k = 0; k < 3; k++) {
    const start = performance.now();
    run();
    t.push(performance.now() - start);
  }
  return t.sort((a, b) => a - b)[1] as number;
}

for (const d of DATA) {
  // DATASETS_DIR is ../shared beside the checkout; a worktree elsewhere names it in RONGDAN_DATASETS.
  const path = join(process.env.RONGDAN_DATASETS ?? DATASETS_DIR, d.file);
  if (!existsSync(path)) {
    console.log(`${d.file}: skipped, not found (set RONGDAN_DATASETS)`);
    continue;
  }
  const raw = await readCsvFrame(path);
  const { x, y } = splitTarget(detectColumnTypes(raw, { skip: [d.target] }).frame, d.target);
  let kept = 0;
  const screen = median3(() => {
    kept = screenVariables(x, y).result.kept.length;
  });
  const options = parseOptions(binningProcessOptionsSchema, {}, 'binning process');
  const binning = median3(() => fitBinningProcess(x, y, options));
  console.log(
    `${d.file}: ${x.nRows} rows × ${x.columns.length} columns — screen ${screen.toFixed(0)} ms (${kept} kept); ` +
      `reference, the scorecard's binning process on the same frame: ${binning.toFixed(0)} ms`,
  );
}
