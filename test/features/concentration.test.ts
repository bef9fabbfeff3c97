import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CounterpartyTable } from '../../src/features/concentration.js';

/** The obvious implementation, to compare against. */
function reference(entries: readonly [string, number][], k: number) {
  const m = new Map<string, number>();
  for (const [id, a] of entries) m.set(id, (m.get(id) ?? 0) + a);
  const values = [...m.values()].sort((a, b) => b - a);
  const total = values.reduce((s, v) => s + v, 0);
  return {
    count: m.size,
    total,
    hhi: total > 0 ? values.reduce((s, v) => s + (v / total) ** 2, 0) : Number.NaN,
    top: total > 0 ? values.slice(0, k).reduce((s, v) => s + v, 0) / total : Number.NaN,
  };
}

const entries = fc.array(
  fc.tuple(
    fc.oneof(fc.constantFrom('C1', 'C2', 'C3', '客户甲'), fc.string({ minLength: 1, maxLength: 8 })),
    fc.integer({ min: 0, max: 1_000_000 }),
  ),
  { maxLength: 300 },
);

describe('CounterpartyTable', () => {
  it('agrees with a Map on totals, HHI, distinct count and top-k share, across resets and growth', () => {
    const table = new CounterpartyTable(5, 16);
    fc.assert(
      fc.property(entries, entries, (first, second) => {
        for (const batch of [first, second]) {
          table.reset();
          for (const [id, a] of batch) table.add(id, a);
          table.summarise();
          const ref = reference(batch, 5);
          expect(table.count).toBe(ref.count);
          expect(table.total).toBe(ref.total);
          if (Number.isNaN(ref.hhi)) expect(table.hhi).toBeNaN();
          else expect(table.hhi).toBeCloseTo(ref.hhi, 12);
          const top = table.topShare(5);
          if (Number.isNaN(ref.top)) expect(top).toBeNaN();
          else expect(top).toBeCloseTo(ref.top, 12);
        }
      }),
    );
  });

  it('gives the top-1 share and HHI of a hand example', () => {
    const t = new CounterpartyTable(1);
    t.add('A', 30);
    t.add('B', 10);
    t.add('A', 30);
    t.summarise();
    expect(t.topShare(1)).toBe(60 / 70);
    expect(t.hhi).toBeCloseTo((60 / 70) ** 2 + (10 / 70) ** 2, 15);
    expect(t.count).toBe(2);
  });
});
