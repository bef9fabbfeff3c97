import type { BinningTable, BinRow } from '../../src/binning/table.js';
import { categorical, Frame, numeric } from '../../src/core/frame.js';
import { Rng } from '../../src/core/rng.js';
import type { TrainedModel } from '../../src/models/model.js';

/**
 * A small, real WoE model for report tests (the scorecard family is built elsewhere): income and region are
 * binned by hand, each bin's WoE is learned from a training sample, and the log-odds of default is the prior
 * log-odds minus the sum of the WoEs (naive Bayes on bins). Points = 600 + 50/ln 2 · ln(odds good).
 */

const INCOME_EDGES = [3000, 6000, 12000];
const INCOME_LABELS = ['(-inf, 3000)', '[3000, 6000)', '[6000, 12000)', '[12000, inf)', 'Missing'];
const REGIONS = ['合肥', 'Wuhu', 'Bengbu <north>'];

function incomeBin(v: number): number {
  if (Number.isNaN(v)) return 4;
  let b = 0;
  while (b < INCOME_EDGES.length && v >= (INCOME_EDGES[b] as number)) b++;
  return b;
}

/** A labelled sample: income (log-normal, 5% missing) and region drive the true default probability. */
export function makeSample(n: number, seed: number, shift = 0): { x: Frame; y: Float64Array } {
  const rng = new Rng(seed);
  const income: number[] = [];
  const region: (string | null)[] = [];
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const inc = rng.logNormal(8.6 + shift, 0.7);
    const reg = rng.weighted([0.5, 0.3, 0.2]);
    const logit = -1.2 - 1.1 * (Math.log(inc) - 8.6) + [0, 0.4, 0.9][reg]!;
    y[i] = rng.chance(1 / (1 + Math.exp(-logit))) ? 1 : 0;
    income.push(rng.chance(0.05) ? Number.NaN : Math.round(inc));
    region.push(REGIONS[reg] as string);
  }
  return { x: Frame.fromColumns([numeric('income', income), categorical('region', region)]), y };
}

function table(
  variable: string,
  kind: 'numeric' | 'categorical',
  labels: string[],
  bins: Int32Array,
  y: Float64Array,
): BinningTable {
  const k = labels.length;
  const goods = new Float64Array(k);
  const bads = new Float64Array(k);
  for (let i = 0; i < y.length; i++) {
    const b = bins[i] as number;
    if (y[i] === 1) bads[b] = (bads[b] as number) + 1;
    else goods[b] = (goods[b] as number) + 1;
  }
  const tg = goods.reduce((s, v) => s + v, 0);
  const tb = bads.reduce((s, v) => s + v, 0);
  const rows: BinRow[] = labels.map((label, b) => {
    // Half a count keeps an empty cell's WoE finite (the usual smoothing).
    const g = ((goods[b] as number) + 0.5) / (tg + 0.5 * k);
    const d = ((bads[b] as number) + 0.5) / (tb + 0.5 * k);
    const count = (goods[b] as number) + (bads[b] as number);
    return {
      label,
      count,
      countShare: count / y.length,
      nonEvents: goods[b] as number,
      events: bads[b] as number,
      eventRate: count > 0 ? (bads[b] as number) / count : 0,
      woe: Math.log(g / d),
      iv: (g - d) * Math.log(g / d),
    };
  });
  return { variable, kind, rows, iv: rows.reduce((s, r) => s + r.iv, 0), gini: 0, ks: 0 };
}

function binsOf(x: Frame): { income: Int32Array; region: Int32Array } {
  const inc = x.numeric('income');
  const reg = x.column('region');
  const income = Int32Array.from(inc, incomeBin);
  const region = new Int32Array(x.nRows);
  for (let i = 0; i < x.nRows; i++) {
    const v = x.cell(i, 'region');
    const at = typeof v === 'string' ? REGIONS.indexOf(v) : -1;
    region[i] = at < 0 ? REGIONS.length : at;
  }
  if (reg.kind !== 'categorical') throw new Error('region must be categorical');
  return { income, region };
}

/** Learns the WoE model from a sample. */
export function fitWoeModel(x: Frame, y: Float64Array): TrainedModel {
  const bins = binsOf(x);
  const tables = [
    table('income', 'numeric', INCOME_LABELS, bins.income, y),
    table('region', 'categorical', [...REGIONS, 'Missing'], bins.region, y),
  ];
  const bad = y.reduce((s, v) => s + v, 0);
  const prior = Math.log(bad / (y.length - bad));
  const logOdds = (f: Frame): Float64Array => {
    const b = binsOf(f);
    const [ti, tr] = tables as [BinningTable, BinningTable];
    return Float64Array.from(
      { length: f.nRows },
      (_, i) =>
        prior - (ti.rows[b.income[i] as number]?.woe ?? 0) - (tr.rows[b.region[i] as number]?.woe ?? 0),
    );
  };
  return {
    kind: 'woe-naive-bayes',
    featureNames: ['income', 'region'],
    predictProba: (f) => logOdds(f).map((z) => 1 / (1 + Math.exp(-z))),
    score: (f) => logOdds(f).map((z) => Math.round(600 - (50 / Math.LN2) * z)),
    binningTables: () => tables,
    importance: () =>
      tables.map((t) => ({ feature: t.variable, value: t.iv })).sort((a, b) => b.value - a.value),
  };
}
