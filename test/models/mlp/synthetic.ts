import { categorical, Frame, numeric } from '../../../src/core/frame.js';
import { Rng } from '../../../src/core/rng.js';

/**
 * A small credit-like table: `a` raises risk, `b` (10% missing) lowers it, level `z` of `c` raises it, and
 * `noise` is unrelated. `signal` scales the log-odds; 0 gives labels independent of every column.
 */
export function syntheticCredit(n: number, seed: number, signal = 3): { x: Frame; y: Float64Array } {
  const rng = new Rng(seed);
  const a = new Float64Array(n);
  const b: (number | null)[] = [];
  const c: string[] = [];
  const noise = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    a[i] = rng.normal(50, 10);
    const bi = rng.normal(0, 1);
    b.push(rng.chance(0.1) ? null : bi);
    const ci = rng.pick(['x', 'y', 'z']);
    c.push(ci);
    noise[i] = rng.normal();
    const z = signal * (((a[i] as number) - 50) / 10 - bi + (ci === 'z' ? 1 : 0));
    y[i] = rng.chance(1 / (1 + Math.exp(-z))) ? 1 : 0;
  }
  const x = Frame.fromColumns([
    numeric('a', a),
    numeric('b', b),
    categorical('c', c),
    numeric('noise', noise),
  ]);
  return { x, y };
}
