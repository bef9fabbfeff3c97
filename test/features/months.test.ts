import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  daysFromCivil,
  isQuarter,
  monthNumber,
  monthsBefore,
  quarterFirstMonth,
} from '../../src/features/months.js';

const isoDay = fc
  .date({ min: new Date('1950-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true })
  .map((d) => d.toISOString().slice(0, 10));

describe('char-code calendar arithmetic', () => {
  it('counts days since the epoch as Date.UTC does', () => {
    fc.assert(
      fc.property(isoDay, (s) => {
        const [y, m, d] = s.split('-').map(Number) as [number, number, number];
        expect(daysFromCivil(s)).toBe(Date.UTC(y, m - 1, d) / 86_400_000);
      }),
    );
    expect(daysFromCivil('1970-01-01')).toBe(0);
    expect(daysFromCivil('2000-03-01') - daysFromCivil('2000-02-28')).toBe(2);
  });

  it('numbers months and quarters', () => {
    expect(monthNumber('2025-01')).toBe(2025 * 12);
    expect(monthNumber('2025-12-31')).toBe(2025 * 12 + 11);
    expect(isQuarter('2024Q3')).toBe(true);
    expect(isQuarter('2024-03')).toBe(false);
    expect(quarterFirstMonth('2024Q3')).toBe(monthNumber('2024-07'));
  });

  it('places a dated record relative to the as-of month and drops what came after the as-of date', () => {
    const asOf = monthNumber('2025-06-15');
    expect(monthsBefore('2025-06-15', asOf, 15)).toBe(0);
    expect(monthsBefore('2025-06-16', asOf, 15)).toBe(-1);
    expect(monthsBefore('2025-05-31', asOf, 15)).toBe(1);
    expect(monthsBefore('2024-06-30', asOf, 15)).toBe(12);
    expect(monthsBefore('2025-07-01', asOf, 15)).toBe(-1);
    expect(monthsBefore('2025-06', asOf, 15)).toBe(0);
  });
});
