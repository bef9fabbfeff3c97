import { describe, expect, it } from 'vitest';
import { categorical, Frame, numeric } from '../../src/core/frame.js';
import {
  datasetPart,
  dateKey,
  isDateColumn,
  isIdColumn,
  parseSpecialSpecs,
  prepareDataset,
} from '../../src/models/dataset.js';

function frame(n: number, extra: Parameters<typeof Frame.fromColumns>[0] = []): Frame {
  return Frame.fromColumns([
    numeric(
      'ID',
      Array.from({ length: n }, (_, i) => 1000 + i),
    ),
    numeric(
      'x',
      Array.from({ length: n }, (_, i) => i % 7),
    ),
    numeric(
      'bad',
      Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 1 : 0)),
    ),
    ...extra,
  ]);
}

describe('prepareDataset: target', () => {
  it('reads a 0/1 target and drops it, with the id column, from the features', () => {
    const ds = prepareDataset(frame(20), { target: 'bad' });
    expect(Array.from(ds.y)).toEqual(Array.from({ length: 20 }, (_, i) => (i % 4 === 0 ? 1 : 0)));
    expect(ds.x.names).toEqual(['x']);
    expect(ds.excluded).toEqual([
      { column: 'bad', reason: 'target' },
      { column: 'ID', reason: 'id (named like an id, every value distinct)' },
    ]);
  });

  it('names the row and value of a bad target', () => {
    const f = Frame.fromColumns([numeric('x', [1, 2, 3]), numeric('y', [0, 2, 1])]);
    expect(() => prepareDataset(f, { target: 'y' })).toThrow(
      expect.objectContaining({
        code: 'E_DATA_INVALID',
        details: expect.objectContaining({ row: 2, received: '2' }),
      }),
    );
    const missing = Frame.fromColumns([numeric('x', [1, 2, 3]), numeric('y', [0, null, 1])]);
    expect(() => prepareDataset(missing, { target: 'y' })).toThrow(
      expect.objectContaining({ code: 'E_DATA_INVALID', message: 'target y is missing at row 2' }),
    );
    expect(() => prepareDataset(f, { target: 'nope' })).toThrow(
      expect.objectContaining({ code: 'E_OPTIONS_INVALID' }),
    );
  });

  it('maps --positive for a text or a 1/2 target, and refuses a third value', () => {
    const text = Frame.fromColumns([
      numeric('x', [1, 2, 3, 4]),
      categorical('status', ['good', 'bad', 'good', 'bad']),
    ]);
    expect(Array.from(prepareDataset(text, { target: 'status', positive: 'bad' }).y)).toEqual([0, 1, 0, 1]);
    const german = Frame.fromColumns([numeric('x', [1, 2, 3]), numeric('class', [1, 2, 1])]);
    expect(Array.from(prepareDataset(german, { target: 'class', positive: '2' }).y)).toEqual([0, 1, 0]);
    const three = Frame.fromColumns([numeric('x', [1, 2, 3]), categorical('s', ['a', 'b', 'c'])]);
    expect(() => prepareDataset(three, { target: 's', positive: 'a' })).toThrow(
      expect.objectContaining({
        code: 'E_DATA_INVALID',
        details: expect.objectContaining({ row: 3, received: 'c' }),
      }),
    );
    expect(() => prepareDataset(text, { target: 'status', positive: 'Bad' })).toThrow(
      expect.objectContaining({
        code: 'E_DATA_INVALID',
        message: expect.stringContaining('never holds the positive value "Bad"'),
      }),
    );
    expect(() => prepareDataset(text, { target: 'status' })).toThrow(
      expect.objectContaining({ message: expect.stringContaining('--positive') }),
    );
  });
});

describe('prepareDataset: columns', () => {
  it('recognises id columns by name and distinct values', () => {
    expect(isIdColumn(numeric('ID', [1, 2, 3]))).toBe(true);
    expect(isIdColumn(categorical('borrower_id', ['a', 'b', 'c']))).toBe(true);
    expect(isIdColumn(numeric('SK_ID_CURR', [5, 6, 7]))).toBe(true);
    expect(isIdColumn(numeric('customerId', [5, 6, 7]))).toBe(true);
    expect(isIdColumn(numeric('region_id', [1, 1, 2]))).toBe(false);
    expect(isIdColumn(numeric('ID', [1, null, 3]))).toBe(false);
    expect(isIdColumn(numeric('idle_days', [1, 2, 3]))).toBe(false);
    expect(isIdColumn(numeric('paid', [1, 2, 3]))).toBe(false);
  });

  it('leaves out calendar-date columns unless they are the --date column', () => {
    expect(isDateColumn(categorical('as_of', ['2025-01-02', '2025-03-04']))).toBe(true);
    expect(isDateColumn(categorical('grade', ['A', '2025-03-04']))).toBe(false);
    const dates = categorical(
      'as_of',
      Array.from({ length: 40 }, (_, i) => `2025-0${(i % 9) + 1}-15`),
    );
    const ds = prepareDataset(frame(40, [dates]), { target: 'bad', validationShare: 0 });
    expect(ds.x.names).toEqual(['x']);
    expect(ds.excluded).toContainEqual({
      column: 'as_of',
      reason: 'date (use --date for an out-of-time split)',
    });
  });

  it('excludes named columns and the weight, and checks they exist', () => {
    const f = frame(8, [numeric('w', [1, 2, 1, 2, 1, 2, 1, 2]), numeric('z', [0, 0, 0, 0, 1, 1, 1, 1])]);
    const ds = prepareDataset(f, { target: 'bad', weight: 'w', exclude: ['z'], autoExcludeIds: false });
    expect(ds.x.names).toEqual(['ID', 'x']);
    expect(Array.from(ds.weight ?? [])).toEqual([1, 2, 1, 2, 1, 2, 1, 2]);
    expect(() => prepareDataset(f, { target: 'bad', exclude: ['nope'] })).toThrow(
      expect.objectContaining({ code: 'E_OPTIONS_INVALID', message: expect.stringContaining('"nope"') }),
    );
    const negative = frame(4, [numeric('w', [1, -1, 1, 1])]);
    expect(() => prepareDataset(negative, { target: 'bad', weight: 'w' })).toThrow(
      expect.objectContaining({ code: 'E_DATA_INVALID', details: expect.objectContaining({ row: 2 }) }),
    );
  });

  it('types special values by the column kind', () => {
    const f = frame(8, [categorical('grade', ['A', 'B', 'X', 'A', 'B', 'X', 'A', 'B'])]);
    const ds = prepareDataset(f, { target: 'bad', special: parseSpecialSpecs(['x=-1|999', 'grade=X']) });
    expect(ds.special).toEqual({ x: [-1, 999], grade: ['X'] });
    expect(() => prepareDataset(f, { target: 'bad', special: { x: ['n/a'] } })).toThrow(
      expect.objectContaining({ code: 'E_OPTIONS_INVALID' }),
    );
    expect(() => parseSpecialSpecs(['x'])).toThrow(expect.objectContaining({ code: 'E_OPTIONS_INVALID' }));
  });
});

describe('prepareDataset: splits', () => {
  it('holds out a stratified, seeded validation share', () => {
    const ds = prepareDataset(frame(400), { target: 'bad', validationShare: 0.25, seed: 3 });
    expect(ds.train.length + ds.validation.length).toBe(400);
    const bads = (rows: Int32Array): number => Array.from(rows).filter((r) => ds.y[r] === 1).length;
    expect(bads(ds.validation)).toBe(25);
    expect(ds.validation.length).toBe(100);
    expect(new Set([...ds.train, ...ds.validation]).size).toBe(400);
    const again = prepareDataset(frame(400), { target: 'bad', validationShare: 0.25, seed: 3 });
    expect(Array.from(again.validation)).toEqual(Array.from(ds.validation));
    const other = prepareDataset(frame(400), { target: 'bad', validationShare: 0.25, seed: 4 });
    expect(Array.from(other.validation)).not.toEqual(Array.from(ds.validation));
    const part = datasetPart(ds, ds.validation);
    expect(part.x.nRows).toBe(100);
    expect(Array.from(part.y).filter((v) => v === 1)).toHaveLength(25);
  });

  it('splits out-of-time rows by an ISO or yyyymmdd date', () => {
    const dates = [
      '2023-01-15',
      '2023-06-30',
      '2023-07-01',
      '2024-02-01',
      '2023-03-01',
      '2023-12-31',
      '2023-02-02',
      '2023-08-08',
    ];
    const f = frame(8, [categorical('month', dates)]);
    const ds = prepareDataset(f, { target: 'bad', date: 'month', ootFrom: '2023-07-01', validationShare: 0 });
    expect(Array.from(ds.oot)).toEqual([2, 3, 5, 7]);
    expect(Array.from(ds.train)).toEqual([0, 1, 4, 6]);
    expect(ds.x.names).not.toContain('month');
    const numericDates = frame(8, [
      numeric(
        'd',
        dates.map((d) => Number(d.replace(/-/g, ''))),
      ),
    ]);
    const ds2 = prepareDataset(numericDates, {
      target: 'bad',
      date: 'd',
      ootFrom: '2023-07-01',
      validationShare: 0,
    });
    expect(Array.from(ds2.oot)).toEqual([2, 3, 5, 7]);
    expect(dateKey('2023-07')).toBe(Date.UTC(2023, 6, 1));
    expect(dateKey(20230701)).toBe(Date.UTC(2023, 6, 1));
    expect(() => prepareDataset(f, { target: 'bad', ootFrom: '2023-07-01' })).toThrow(
      expect.objectContaining({ code: 'E_OPTIONS_INVALID' }),
    );
    const broken = frame(3, [categorical('month', ['2023-01-01', 'soon', '2023-02-01'])]);
    expect(() => prepareDataset(broken, { target: 'bad', date: 'month', ootFrom: '2023-02-01' })).toThrow(
      expect.objectContaining({
        code: 'E_DATA_INVALID',
        details: expect.objectContaining({ row: 2, received: 'soon' }),
      }),
    );
  });
});
