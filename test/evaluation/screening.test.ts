import { describe, expect, it } from 'vitest';
import { binningOptionsSchema } from '../../src/binning/options.js';
import { fitVariableBinning } from '../../src/binning/variable.js';
import { RiskError } from '../../src/core/errors.js';
import { categorical, Frame, numeric } from '../../src/core/frame.js';
import {
  MAX_VIF,
  type ScreeningRow,
  screeningReasonText,
  screenVariables,
  timeSlices,
} from '../../src/evaluation/screening.js';

/**
 * A constructed frame of 1000 rows with known answers. x1 and x2 are binary with class counts chosen so
 * that the odds factorise: the non-events of cell (i, j) are 800·p_i·q_j and its events 200·r_i·s_j, so the
 * WoE of the cell (column x12, one level per cell) is exactly WoE(x1) + WoE(x2): an exact linear
 * combination in WoE. Rows alternate between two dates (every cell has an even count), so x1 and x2 have
 * the same distribution in both halves, while `drift` moves by 10 between them.
 */
function constructed(): { x: Frame; y: Float64Array; dates: string[] } {
  const cells = [
    { x1: 0, x2: 0, ne: 160, e: 36 },
    { x1: 0, x2: 1, ne: 240, e: 24 },
    { x1: 1, x2: 0, ne: 160, e: 84 },
    { x1: 1, x2: 1, ne: 240, e: 56 },
  ];
  const x1: number[] = [];
  const x2: number[] = [];
  const x12: string[] = [];
  const y: number[] = [];
  for (const c of cells) {
    for (let k = 0; k < c.ne + c.e; k++) {
      x1.push(c.x1);
      x2.push(c.x2);
      x12.push(`a${c.x1}b${c.x2}`);
      y.push(k < c.ne ? 0 : 1);
    }
  }
  const n = y.length;
  const idx = Array.from({ length: n }, (_, i) => i);
  // Within each class, alternate 0/1 by the class's own running count: both levels hold exactly half of
  // the events and half of the non-events, so the column carries no information (IV 0).
  const seen = [0, 0];
  const flat = y.map((v) => {
    const k = seen[v] as number;
    seen[v] = k + 1;
    return k % 2;
  });
  return {
    x: new Frame([
      numeric('x1', x1),
      numeric('x2', x2),
      categorical('x12', x12),
      numeric(
        'x1_scaled',
        x1.map((v) => 2 * v + 1),
      ),
      categorical(
        'constant',
        idx.map(() => 'same'),
      ),
      numeric(
        'mostly_missing',
        idx.map((i) => (i % 20 === 0 ? i % 3 : null)),
      ),
      numeric('loan_id', idx),
      numeric(
        'mod7',
        idx.map((i) => i % 7),
      ),
      numeric('flat', flat),
      numeric(
        'drift',
        idx.map((i) => (i % 20) + (i % 2 === 1 ? 10 : 0) + 20 * (y[i] as number)),
      ),
    ]),
    y: Float64Array.from(y),
    dates: idx.map((i) => (i % 2 === 0 ? '2024-01-15' : '2024-07-15')),
  };
}

describe('screenVariables on a constructed frame', () => {
  const { x, y, dates } = constructed();
  const slices = timeSlices(categorical('as_of', dates), { ootFrom: '2024-07-01' });
  const { result, binnings } = screenVariables(x, y, {}, { slices });
  const row = (name: string): ScreeningRow =>
    result.variables.find((r) => r.variable === name) as ScreeningRow;

  it('counts rows, bads and the two slices', () => {
    expect(result.rows).toBe(1000);
    expect(result.events).toBe(200);
    expect(result.slices).toEqual([
      { label: '< 2024-07-01', rows: 500, events: 100 },
      { label: '≥ 2024-07-01', rows: 500, events: 100 },
    ]);
  });

  it('profiles columns: missing rate, unique values, top value and its share', () => {
    expect(row('mostly_missing').missingRate).toBe(0.95);
    expect(row('mostly_missing').unique).toBe(3);
    expect(row('mod7').unique).toBe(7);
    expect(row('mod7').topValue).toBe('0');
    expect(row('mod7').topShare).toBe(0.143);
    expect(row('constant')).toMatchObject({ unique: 1, topValue: 'same', topShare: 1, missingRate: 0 });
    expect(row('x1').type).toBe('numeric');
    expect(row('x12').type).toBe('categorical');
    expect(row('loan_id').type).toBe('id-like');
  });

  it('takes IV, Gini and KS from the optimal binning the scorecard fits', () => {
    const options = binningOptionsSchema.parse({});
    for (const name of ['x1', 'x2', 'x12', 'drift', 'mod7']) {
      const b = fitVariableBinning(x.column(name), y, undefined, options);
      expect(row(name).iv).toBe(b.table.iv);
      expect(row(name).gini).toBe(b.table.gini);
      expect(row(name).ks).toBe(b.table.ks);
    }
    // IV of x1 by hand: shares of goods (0.5, 0.5) and bads (0.3, 0.7).
    const iv = (0.5 - 0.3) * Math.log(0.5 / 0.3) + (0.5 - 0.7) * Math.log(0.5 / 0.7);
    expect(row('x1').iv).toBeCloseTo(iv, 12);
    expect(row('flat').iv).toBe(0);
    expect(binnings.map((b) => b.variable)).not.toContain('loan_id');
  });

  it('drops with the reason of the first screen that fails', () => {
    expect(row('loan_id').reason).toBe('id-like');
    expect(row('constant').reason).toBe('constant');
    expect(row('mostly_missing').reason).toBe('empty');
    expect(row('flat').reason).toBe('low-iv');
    expect(row('drift').reason).toBe('unstable');
    // x12 holds x1's information and more: it is kept, and x1 and its rescaled copy go for it.
    expect(row('x12').reason).toBe('kept');
    expect(row('x1')).toMatchObject({ reason: 'correlated', with: 'x12' });
    expect(row('x1_scaled')).toMatchObject({ reason: 'correlated', with: 'x12' });
    expect(row('x1_scaled').maxCorrelation?.with).toBe('x1');
    expect(row('x1_scaled').maxCorrelation?.r).toBeCloseTo(1, 12);
    expect(screeningReasonText(row('constant'), result.options, 'en')).toBe(
      'dropped: one value ("same") holds 100.0% ≥ 95.0%',
    );
    expect(screeningReasonText(row('mostly_missing'), result.options, 'zh')).toBe(
      '剔除：缺失率 95.0% > 90.0%',
    );
    expect(result.kept).toEqual(result.variables.filter((r) => r.decision === 'kept').map((r) => r.variable));
  });

  it('measures PSI on the bins between the slices: zero for an unchanged column, large for a shifted one', () => {
    expect(row('x1').psi).toBe(0);
    expect(row('x1').psiBySlice).toEqual([0]);
    expect(row('drift').psi as number).toBeGreaterThan(0.25);
    expect(row('loan_id').psi).toBeNull();
  });

  it('gives an exact linear combination of WoE columns a huge VIF, and the VIF screen breaks it', () => {
    const trio = ['x1', 'x2', 'x12'].map(row);
    expect(Math.max(...trio.map((r) => r.vif as number))).toBe(MAX_VIF);
    // At most two of the three survive, and the kept ones are no longer collinear.
    const kept = trio.filter((r) => r.decision === 'kept');
    expect(kept.length).toBeLessThanOrEqual(2);
    for (const r of kept) expect(r.vif as number).toBeLessThan(10);
  });

  it('names correlation clusters by their strongest member', () => {
    expect(row('x12').iv as number).toBeGreaterThan(row('x1').iv as number);
    expect(row('x1').cluster).toBe('x12');
    expect(row('x1_scaled').cluster).toBe('x12');
    expect(row('x12').cluster).toBe('x12');
    expect(row('x1').clusterSize).toBe(row('x1_scaled').clusterSize);
    expect(row('constant').cluster).toBeNull();
  });

  it('sorts by IV, largest first, variables without IV last', () => {
    const ivs = result.variables.map((r) => r.iv ?? -1);
    expect(ivs).toEqual([...ivs].sort((a, b) => b - a));
    expect(result.variables.at(-1)?.variable).toBe('loan_id');
  });

  it('follows its thresholds', () => {
    const loose = screenVariables(x, y, { maxMissing: 1, minIv: 0, maxPsi: 10 }, { slices }).result;
    const r = (name: string) => loose.variables.find((v) => v.variable === name) as ScreeningRow;
    expect(r('mostly_missing').reason).not.toBe('empty');
    expect(r('drift').reason).toBe('kept');
  });

  it('rejects a frame without rows and a one-class target', () => {
    const empty = new Frame([numeric('a', [])]);
    expect(() => screenVariables(empty, [])).toThrow(expect.objectContaining({ code: 'E_DATA_INVALID' }));
    expect(() => screenVariables(x, new Float64Array(1000))).toThrow(RiskError);
  });
});

describe('timeSlices', () => {
  it('cuts equal-count slices without splitting a date', () => {
    const dates = Array.from(
      { length: 12 },
      (_, i) => `2024-${String(1 + Math.floor(i / 2)).padStart(2, '0')}-01`,
    );
    const s = timeSlices(categorical('d', dates), { slices: 3 });
    expect(Array.from(s.slice)).toEqual([0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2]);
    expect(s.labels).toEqual([
      '2024-01-01 … 2024-02-01',
      '2024-03-01 … 2024-04-01',
      '2024-05-01 … 2024-06-01',
    ]);
  });

  it('reads yyyymmdd numbers and yyyy/mm/dd text as dates', () => {
    const s = timeSlices(numeric('d', [20240101, 20240301, 20240201, 20240401]), { ootFrom: '2024/03/01' });
    expect(Array.from(s.slice)).toEqual([0, 1, 0, 1]);
  });

  it('refuses a column that is not a date, naming the row and the value', () => {
    const call = () => timeSlices(numeric('amount', [20240101, 5000]), { slices: 2 });
    expect(call).toThrow(
      expect.objectContaining({ code: 'E_OPTIONS_INVALID', details: expect.objectContaining({ row: 2 }) }),
    );
    expect(call).toThrow(/--date amount is not a date column: row 2 holds 5000/);
    expect(() => timeSlices(categorical('d', ['2024-01-01', 'soon']), {})).toThrow(/row 2 holds "soon"/);
  });

  it('refuses an --oot-from that leaves a side empty and a bad --slices', () => {
    const c = categorical('d', ['2024-01-01', '2024-02-01']);
    expect(() => timeSlices(c, { ootFrom: '2025-01-01' })).toThrow(
      expect.objectContaining({ code: 'E_OPTIONS_INVALID' }),
    );
    expect(() => timeSlices(c, { ootFrom: 'next year' })).toThrow(/--oot-from must be a date/);
    expect(() => timeSlices(c, { slices: 1 })).toThrow(/--slices must be an integer in \[2, 24\]/);
  });
});
