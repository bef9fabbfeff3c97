// Matching optimiser benchmark (issue 8, part 9): seeded random instances shaped like the real problem
// (amounts 10万–1000万, PDs 0.5%–8%, binding quota, compensation-rate cap and concentration rows) at
// 10,000 × 20 and 100,000 × 50 borrowers × options: time, objective and bound of greedy and decompose in the
// same run, with plain HiGHS on the full 10,000 × 20 LP as the peer (its value is the LP bound).
// Aims: 100,000 × 50 in ≤ 10 s within 0.5% of the bound; 10,000 × 20 ≥ 20× faster than HiGHS, gap ≤ 0.1%.
// Each JS method first solves a small instance once, so the timings are of JIT-compiled code (HiGHS runs in a
// fresh worker thread per solve, as the exact method does). The load average is printed: the machine is shared.
// Run: npx tsx test/bench/matching.bench.ts [--small-only]
import { loadavg } from 'node:os';
import { lpBound } from '../../src/matching/optimiser/exact.js';
import { checkAssignment, pairCount } from '../../src/matching/optimiser/problem.js';
import { randomInstance } from '../../src/matching/optimiser/random.js';
import { solveAssignment } from '../../src/matching/optimiser/solve.js';

const SEED = 20251202;
const seconds = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e9;
const rows: Record<string, string | number>[] = [];
const sizes: [number, number][] = process.argv.includes('--small-only')
  ? [[10_000, 20]]
  : [
      [10_000, 20],
      [100_000, 50],
    ];

const warm = randomInstance({ nBorrowers: 6000, nOptions: 10, seed: 1 });
for (const method of ['greedy', 'decompose'] as const) await solveAssignment(warm, { method });
console.log(
  `load average before: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);

for (const [nB, nO] of sizes) {
  const p = randomInstance({ nBorrowers: nB, nOptions: nO, seed: SEED });
  const size = `${nB} × ${nO} (${pairCount(p)} pairs, ${p.capacity.length} rows)`;
  let lpValue = Number.NaN;
  let lpSeconds = Number.NaN;
  if (nB <= 10_000) {
    const t = process.hrtime.bigint();
    const lp = await lpBound(p, 600);
    lpSeconds = seconds(t);
    lpValue = lp.objective;
    rows.push({
      size,
      method: 'HiGHS LP (peer)',
      seconds: lpSeconds.toFixed(2),
      objective: lp.objective.toFixed(0),
      bound: lp.objective.toFixed(0),
      gap: '—',
      feasible: lp.status,
    });
  }
  for (const method of ['greedy', 'decompose'] as const) {
    const t = process.hrtime.bigint();
    const s = await solveAssignment(p, { method });
    const secs = seconds(t);
    const ok = checkAssignment(p, s.chosen).ok;
    const bound = Number.isFinite(lpValue) ? Math.min(lpValue, s.bound) : s.bound;
    rows.push({
      size,
      method,
      seconds: secs.toFixed(2),
      objective: s.objective.toFixed(0),
      bound: Number.isFinite(s.bound) ? s.bound.toFixed(0) : '—',
      gap: Number.isFinite(bound) ? `${((100 * (bound - s.objective)) / Math.abs(bound)).toFixed(3)}%` : '—',
      feasible: String(ok),
      speedup: Number.isFinite(lpSeconds) ? `${(lpSeconds / secs).toFixed(1)}×` : '—',
      iterations: s.iterations,
    });
  }
}
console.table(rows);
console.log(
  `load average after: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}`,
);
