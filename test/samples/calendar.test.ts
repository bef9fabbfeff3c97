import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dayOf,
  daysInMonth,
  firstDayOfMonth,
  isoDay,
  isoMonth,
  lastDayOfMonth,
  monthOfDay,
  quarterOf,
} from '../../src/samples/calendar.js';

describe('sample calendar', () => {
  it('round-trips days and formats months and quarters', () => {
    expect(isoDay(dayOf('2024-02-29'))).toBe('2024-02-29');
    expect(dayOf('1970-01-02')).toBe(1);
    const feb = monthOfDay(dayOf('2024-02-10'));
    expect(isoMonth(feb)).toBe('2024-02');
    expect(daysInMonth(feb)).toBe(29);
    expect(daysInMonth(monthOfDay(dayOf('2025-02-10')))).toBe(28);
    expect(isoDay(lastDayOfMonth(feb))).toBe('2024-02-29');
    expect(quarterOf(monthOfDay(dayOf('2025-11-30')))).toBe('2025Q4');
    expect(quarterOf(monthOfDay(dayOf('2025-01-01')))).toBe('2025Q1');
  });

  it('places every day inside its own month', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30_000 }), (day) => {
        const m = monthOfDay(day);
        expect(firstDayOfMonth(m)).toBeLessThanOrEqual(day);
        expect(lastDayOfMonth(m)).toBeGreaterThanOrEqual(day);
        expect(isoDay(day).slice(0, 7)).toBe(isoMonth(m));
        expect(dayOf(isoDay(day))).toBe(day);
      }),
    );
  });
});
