import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sortFloat64 } from '../../src/core/sort.js';

/** Same values in the same order, telling −0 from +0. */
const sameOrder = (a: Float64Array, b: Float64Array): boolean =>
  a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

describe('sortFloat64', () => {
  it('orders as Float64Array.prototype.sort does, −0 before +0, on both sides of the radix cut-over', () => {
    const value = fc.oneof(
      fc.double({ noNaN: true }),
      fc.integer({ min: -3, max: 3 }),
      fc.constantFrom(0, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 5e-324, -5e-324),
    );
    fc.assert(
      fc.property(fc.array(value, { minLength: 0, maxLength: 5000 }), fc.nat(7), (values, offset) => {
        // A view that does not start at its buffer's first byte, as subarray gives.
        const buf = new Float64Array(values.length + offset);
        buf.set(values, offset);
        const view = buf.subarray(offset);
        const expected = Float64Array.from(values).sort();
        return sameOrder(sortFloat64(view), expected) && sameOrder(buf.subarray(offset), expected);
      }),
      { numRuns: 60 },
    );
  });

  it('sorts 100k values of one sign and scale (passes on a shared digit are skipped)', () => {
    const v = Float64Array.from({ length: 100_000 }, (_, i) => 1 + ((i * 7919) % 100_000) / 1e5);
    const sorted = sortFloat64(v.slice());
    expect(sorted[0]).toBe(1);
    expect(sorted[99_999]).toBe(1.99999);
    expect(sameOrder(sorted, v.slice().sort())).toBe(true);
  });
});
