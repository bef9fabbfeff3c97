/**
 * Day and month arithmetic in UTC for the generator. A day is the number of days since 1970-01-01; a month
 * index is `year * 12 + (month - 1)`. Formatting is memoised because a large sample formats the same few
 * thousand dates millions of times.
 */

const MS_PER_DAY = 86_400_000;
const dayText = new Map<number, string>();
const monthText = new Map<number, string>();

/** The day number of an ISO date (YYYY-MM-DD), read in UTC. */
export function dayOf(iso: string): number {
  return Math.round(Date.parse(`${iso}T00:00:00Z`) / MS_PER_DAY);
}

/** The ISO date (YYYY-MM-DD) of a day number. */
export function isoDay(day: number): string {
  let s = dayText.get(day);
  if (s === undefined) {
    s = new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
    dayText.set(day, s);
  }
  return s;
}

/** The month index of a day number. */
export function monthOfDay(day: number): number {
  const d = new Date(day * MS_PER_DAY);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

/** The ISO month (YYYY-MM) of a month index. */
export function isoMonth(month: number): string {
  let s = monthText.get(month);
  if (s === undefined) {
    const y = Math.floor(month / 12);
    s = `${y}-${String((month % 12) + 1).padStart(2, '0')}`;
    monthText.set(month, s);
  }
  return s;
}

/** The calendar month (1-12) of a month index. */
export function calendarMonth(month: number): number {
  return (month % 12) + 1;
}

/** The first day of a month index. */
export function firstDayOfMonth(month: number): number {
  return Math.round(Date.UTC(Math.floor(month / 12), month % 12, 1) / MS_PER_DAY);
}

/** How many days a month index has. */
export function daysInMonth(month: number): number {
  return firstDayOfMonth(month + 1) - firstDayOfMonth(month);
}

/** The last day of a month index. */
export function lastDayOfMonth(month: number): number {
  return firstDayOfMonth(month + 1) - 1;
}

/** A quarter label (2024Q1) of a month index. */
export function quarterOf(month: number): string {
  return `${Math.floor(month / 12)}Q${Math.floor((month % 12) / 3) + 1}`;
}
