import { categorical, Frame, numeric } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';

/**
 * A small synthetic credit sample with known structure: risk falls with age, rises with utilisation,
 * depends on region; income has missing values and a special code −1; `noise` carries no signal.
 */
export function creditSample(n: number, seed: number): { x: Frame; y: Float64Array } {
  const rng = new Rng(seed);
  const age: number[] = [];
  const income: (number | null)[] = [];
  const util: number[] = [];
  const region: (string | null)[] = [];
  const noise: number[] = [];
  const y = new Float64Array(n);
  const regions = ['north', 'south', 'east', 'west', 'centre'];
  const regionRisk = [-0.8, 0.6, 0, 0.3, -0.3];
  for (let i = 0; i < n; i++) {
    const a = Math.round(rng.between(20, 70));
    const u = rng.between(0, 1.5);
    const r = rng.int(100);
    let regionText: string | null;
    let rr = 0;
    if (r < 2) regionText = null;
    else if (r < 4) {
      regionText = `rare${rng.int(3)}`;
      rr = 0.5;
    } else {
      const k = rng.int(regions.length);
      regionText = regions[k] as string;
      rr = regionRisk[k] as number;
    }
    const inc = rng.logNormal(9, 0.6);
    const s = rng.uniform();
    income.push(s < 0.05 ? null : s < 0.07 ? -1 : Math.round(inc));
    const incomeRisk = s < 0.05 ? 0.7 : s < 0.07 ? -0.5 : -0.3 * (Math.log(inc) - 9);
    const logit = -1.5 - 0.04 * (a - 45) + 1.6 * (u - 0.75) + rr + incomeRisk;
    y[i] = rng.uniform() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    age.push(a);
    util.push(Math.round(u * 1000) / 1000);
    region.push(regionText);
    noise.push(rng.normal());
  }
  const x = Frame.fromColumns([
    numeric('age', age),
    numeric('income', income),
    numeric('util', util),
    categorical('region', region),
    numeric('noise', noise),
  ]);
  return { x, y };
}

/** One row of the credit sample's columns, as property tests generate them. */
export interface CreditRow {
  readonly age: number | null;
  readonly income: number | null;
  readonly util: number | null;
  readonly region: string | null;
  readonly noise: number | null;
}

/** A frame of the credit sample's columns from generated rows. */
export function frameOfRows(rows: readonly CreditRow[]): Frame {
  return Frame.fromColumns([
    numeric(
      'age',
      rows.map((r) => r.age),
    ),
    numeric(
      'income',
      rows.map((r) => r.income),
    ),
    numeric(
      'util',
      rows.map((r) => r.util),
    ),
    categorical(
      'region',
      rows.map((r) => r.region),
    ),
    numeric(
      'noise',
      rows.map((r) => r.noise),
    ),
  ]);
}
