import { categorical, Frame, numeric } from '../../../src/core/frame.js';
import { Rng } from '../../../src/core/rng.js';
import type { DesignMatrix, NetworkRows } from '../../../src/models/mlp/train.js';

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

/** NetworkRows over a row-major matrix held in memory (what the fit writes from a frame on demand). */
export function matrixRows(m: DesignMatrix): NetworkRows {
  return {
    rows: m.rows,
    width: m.width,
    y: m.y,
    w: m.w,
    write(pick, out, layout, from = 0, to = m.width) {
      const w = to - from;
      pick.forEach((row, i) => {
        for (let j = 0; j < w; j++) {
          const v = m.x[row * m.width + from + j] as number;
          if (layout === 'rows') out[i * w + j] = v;
          else out[j * pick.length + i] = v;
        }
      });
    },
  };
}
