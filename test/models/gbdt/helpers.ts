import { categorical, Frame, numeric } from '../../../src/core/frame.js';
import { Rng } from '../../../src/core/rng.js';

/** A labelled synthetic credit-like sample: numeric, missing-heavy and categorical columns. */
export interface Sample {
  readonly x: Frame;
  readonly y: Float64Array;
  /** The true log-odds each label was drawn from (the oracle score). */
  readonly logit: Float64Array;
}

const REGIONS = ['north', 'south', 'east', 'west', 'centre', 'coast', 'hills', 'plain'];

/**
 * n rows: overdue (risk rises), income (risk falls), utilisation with 15% missing (missing = riskier),
 * region (categorical, non-ordinal effects) and noise; y drawn from the logistic of the true log-odds.
 */
export function creditSample(n: number, seed: number): Sample {
  const rng = new Rng(seed);
  const overdue: number[] = [];
  const income: number[] = [];
  const util: (number | null)[] = [];
  const region: string[] = [];
  const noise: number[] = [];
  const y = new Float64Array(n);
  const logit = new Float64Array(n);
  const regionEffect = [0.8, -0.6, 0.1, -0.9, 0.5, -0.2, 1.0, -0.4];
  for (let i = 0; i < n; i++) {
    const o = Math.floor(rng.logNormal(0.5, 1));
    const inc = rng.logNormal(10, 0.5);
    const u = rng.chance(0.15) ? null : rng.uniform();
    const r = rng.int(REGIONS.length);
    overdue.push(o);
    income.push(inc);
    util.push(u);
    region.push(REGIONS[r] as string);
    noise.push(rng.normal());
    const m =
      -2 +
      0.35 * Math.min(o, 10) -
      0.8 * (Math.log(inc) - 10) +
      (u === null ? 1.2 : 1.5 * (u - 0.5)) +
      (regionEffect[r] as number);
    logit[i] = m;
    y[i] = rng.chance(1 / (1 + Math.exp(-m))) ? 1 : 0;
  }
  return {
    logit,
    x: Frame.fromColumns([
      numeric('overdue', overdue),
      numeric('income', income),
      numeric('util', util),
      categorical('region', region),
      numeric('noise', noise),
    ]),
    y,
  };
}

/** Rows [from, to) of a sample. */
export function slice(s: Sample, from: number, to: number): Sample {
  const rows = Array.from({ length: to - from }, (_, i) => from + i);
  return { x: s.x.take(rows), y: s.y.slice(from, to), logit: s.logit.slice(from, to) };
}

/** Area under the ROC curve by the rank-sum formula (ties get half credit). */
export function auc(y: ArrayLike<number>, score: ArrayLike<number>): number {
  const idx = Array.from({ length: y.length }, (_, i) => i).sort(
    (a, b) => (score[a] as number) - (score[b] as number),
  );
  let rankSum = 0;
  let pos = 0;
  let i = 0;
  while (i < idx.length) {
    let j = i;
    while (j + 1 < idx.length && score[idx[j + 1] as number] === score[idx[i] as number]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (y[idx[k] as number] === 1) {
        rankSum += rank;
        pos++;
      }
    }
    i = j + 1;
  }
  const neg = y.length - pos;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}
