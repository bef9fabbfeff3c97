import { describe, expect, it } from 'vitest';
import { parseOptions } from '../../src/binning/options.js';
import { binningProcessOptionsSchema, fitBinningProcess } from '../../src/binning/process.js';
import {
  BINS_FILE_FORMAT,
  binsFileOf,
  fitUserBinning,
  parseBinsFile,
  trendBreaks,
  trendBreakText,
  type UserBinInput,
  userBinSchema,
} from '../../src/binning/user-bins.js';
import type { RiskError } from '../../src/core/errors.js';
import { categorical, numeric } from '../../src/core/frame.js';
import { creditSample } from './fixture.js';

const { x, y } = creditSample(3000, 7);
const options = parseOptions(binningProcessOptionsSchema, { special: { income: [-1] } }, 'binning process');
const spec = (input: UserBinInput) => userBinSchema.parse(input);

function thrown(f: () => unknown): RiskError {
  try {
    f();
  } catch (e) {
    return e as RiskError;
  }
  throw new Error('expected a RiskError');
}

describe('bins file', () => {
  it('round-trips: fitted binnings → bins file → user binnings give the same cuts, groups and counts', () => {
    const fitted = fitBinningProcess(x, y, options);
    const file = parseBinsFile(JSON.parse(JSON.stringify(binsFileOf(fitted.binnings))), 'bins.json');
    expect(file.format).toBe(BINS_FILE_FORMAT);
    expect(file.variables.map((v) => v.variable)).toEqual(x.names);
    const again = fitBinningProcess(x, y, {
      ...options,
      userBins: Object.fromEntries(file.variables.map((v) => [v.variable, v])),
    });
    again.binnings.forEach((b, i) => {
      const a = fitted.binnings[i];
      expect(b.cuts).toEqual(a?.cuts);
      expect(b.groups).toEqual(a?.groups);
      expect(b.special).toEqual(a?.special);
      expect(b.unseenBin).toBe(a?.unseenBin);
      expect(b.table.rows.map((r) => [r.label, r.nonEvents, r.events])).toEqual(
        a?.table.rows.map((r) => [r.label, r.nonEvents, r.events]),
      );
      expect(b.table.userSet).toBe(true);
      expect(a?.table.userSet).toBeUndefined();
    });
    expect(again.selection).toEqual(fitted.selection);
  });

  it('counts each user bin exactly (weights included) and keeps missing and special apart', () => {
    const age = x.column('age');
    const w = Float64Array.from({ length: x.nRows }, (_, i) => 1 + (i % 3));
    const { binning } = fitUserBinning(
      age,
      y,
      w,
      spec({ variable: 'age', kind: 'numeric', cuts: [30, 45] }),
      options,
    );
    const values = (age as { values: Float64Array }).values;
    const expected = [0, 1, 2].map((k) => {
      let ne = 0;
      let e = 0;
      values.forEach((v, i) => {
        const bin = v < 30 ? 0 : v < 45 ? 1 : 2;
        if (bin !== k) return;
        if (y[i] === 1) e += w[i] as number;
        else ne += w[i] as number;
      });
      return [ne, e];
    });
    expect(binning.table.rows.map((r) => r.label)).toEqual([
      '(-inf, 30)',
      '[30, 45)',
      '[45, inf)',
      'Missing',
    ]);
    expect(binning.table.rows.slice(0, 3).map((r) => [r.nonEvents, r.events])).toEqual(expected);
    // Risk falls with age in the fixture: auto checks the descending trend, which these bins follow.
    expect(binning.trend).toBe('descending');
    expect(trendBreaks(binning)).toEqual([]);
  });

  it('sends levels in no group to the unseen bin and names them', () => {
    const { binning, notes } = fitUserBinning(
      x.column('region'),
      y,
      undefined,
      spec({
        variable: 'region',
        kind: 'categorical',
        groups: [
          ['north', 'centre'],
          ['south', 'west'],
        ],
      }),
      options,
    );
    expect([...notes.ungrouped].sort()).toEqual(['east', 'rare0', 'rare1', 'rare2']);
    expect(binning.unseenBin).toBe(2);
    const region = x.column('region') as { codes: Int32Array; levels: readonly string[] };
    let outside = 0;
    for (const c of region.codes)
      if (c < 0 || !['north', 'centre', 'south', 'west'].includes(region.levels[c] as string)) outside++;
    expect(binning.table.rows[2]?.count).toBe(outside);
  });
});

describe('trend re-check of user bins', () => {
  // Event rates by value 0..3: 0.1, 0.3, 0.2, 0.4 — the bin [2, 3) falls below [1, 2).
  const n = 400;
  const values = Float64Array.from({ length: n }, (_, i) => i % 4);
  const tenths = [1, 3, 2, 4];
  const target = Float64Array.from({ length: n }, (_, i) =>
    Math.floor(i / 4) % 10 < (tenths[i % 4] as number) ? 1 : 0,
  );
  const column = numeric('score', Array.from(values));

  it('names the variable and the two bins that break an ascending trend', () => {
    const { binning } = fitUserBinning(
      column,
      target,
      undefined,
      spec({ variable: 'score', kind: 'numeric', cuts: [1, 2, 3], trend: 'ascending' }),
      options,
    );
    expect(binning.table.rows.slice(0, 4).map((r) => r.eventRate)).toEqual([0.1, 0.3, 0.2, 0.4]);
    const breaks = trendBreaks(binning);
    expect(breaks).toHaveLength(1);
    expect(breaks[0]?.from).toEqual({ label: '[1, 2)', eventRate: 0.3 });
    expect(breaks[0]?.to).toEqual({ label: '[2, 3)', eventRate: 0.2 });
    expect(trendBreakText(breaks[0] as (typeof breaks)[number])).toBe(
      'user bins of score break the ascending trend: the event rate falls from 0.3000 in bin [1, 2) to 0.2000 in bin [2, 3)',
    );
  });

  it('finds no break once the offending bins are merged, and checks peaks and options trends', () => {
    const merged = fitUserBinning(
      column,
      target,
      undefined,
      spec({ variable: 'score', kind: 'numeric', cuts: [1, 3], trend: 'ascending' }),
      options,
    );
    expect(trendBreaks(merged.binning)).toEqual([]);
    // A trend from the options applies when the file gives none: descending breaks twice.
    const byOption = fitUserBinning(
      column,
      target,
      undefined,
      spec({ variable: 'score', kind: 'numeric', cuts: [1, 2, 3] }),
      {
        trend: 'auto',
        trends: { score: 'descending' },
      },
    );
    expect(trendBreaks(byOption.binning).map((b) => b.to.label)).toEqual(['[1, 2)', '[3, inf)']);
    const peak = fitUserBinning(
      column,
      target,
      undefined,
      spec({ variable: 'score', kind: 'numeric', cuts: [1, 2, 3], trend: 'peak' }),
      options,
    );
    // Highest rate in the last bin: the fall from [1, 2) to [2, 3) comes before the peak.
    expect(trendBreaks(peak.binning).map((b) => b.from.label)).toEqual(['[1, 2)']);
  });
});

describe('bad bins files', () => {
  const good = {
    format: 'rongdan-bins',
    version: 1,
    variables: [{ variable: 'age', kind: 'numeric', cuts: [30, 45] }],
  };
  const cases: [string, unknown, RegExp][] = [
    ['a wrong format tag', { ...good, format: 'other' }, /format/],
    ['a newer version', { ...good, version: 2 }, /version/],
    [
      'cuts that do not ascend',
      { ...good, variables: [{ variable: 'age', kind: 'numeric', cuts: [45, 30] }] },
      /variable age: cuts must ascend strictly, received 45 then 30 at cuts\[1\]/,
    ],
    [
      'a numeric cut that is text',
      { ...good, variables: [{ variable: 'age', kind: 'numeric', cuts: ['30'] }] },
      /variable age: variables\.0\.cuts\.0: .*received "30"/,
    ],
    [
      'groups on a numeric variable',
      { ...good, variables: [{ variable: 'age', kind: 'numeric', groups: [['a']] }] },
      /age is numeric: give cuts, not groups/,
    ],
    [
      'a level in two groups',
      {
        ...good,
        variables: [{ variable: 'region', kind: 'categorical', groups: [['north'], ['north', 'south']] }],
      },
      /region: level "north" is in groups\[0\] and groups\[1\]/,
    ],
    [
      'a variable twice',
      { ...good, variables: [...good.variables, ...good.variables] },
      /variable age appears twice/,
    ],
    [
      'a text special value of a numeric variable',
      { ...good, variables: [{ variable: 'age', kind: 'numeric', special: [['n/a']] }] },
      /age: special\[0\] must hold numbers, received "n\/a"/,
    ],
  ];
  it.each(cases)('rejects %s with E_BINS_INVALID naming the variable and field', (_what, input, message) => {
    const err = thrown(() => parseBinsFile(input, 'bins.json'));
    expect(err.code).toBe('E_BINS_INVALID');
    expect(err.message).toMatch(/^bins\.json: /);
    expect(err.message).toMatch(message);
  });

  it('rejects a variable the data does not have, and numeric cuts on a text column', () => {
    const unknown = thrown(() =>
      fitBinningProcess(x, y, {
        ...options,
        userBins: { salary: spec({ variable: 'salary', kind: 'numeric', cuts: [1] }) },
      }),
    );
    expect(unknown.code).toBe('E_BINS_INVALID');
    expect(unknown.message).toMatch(/variable salary is not a candidate column/);
    const text = thrown(() =>
      fitUserBinning(
        categorical('region', ['north', 'south']),
        new Float64Array(2),
        undefined,
        spec({ variable: 'region', kind: 'numeric', cuts: [1] }),
        options,
      ),
    );
    expect(text.code).toBe('E_BINS_INVALID');
    expect(text.message).toMatch(/region has numeric cuts but the column holds text such as "north"/);
  });
});
