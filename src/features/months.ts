/**
 * Calendar arithmetic for the feature engine, by char codes: the hot loops see hundreds of dates per
 * borrower, and a `Date` object per date would cost more than the aggregation itself. Inputs are already
 * validated by the ingest schemas (YYYY-MM-DD, YYYY-MM, YYYYQn), so no checks are repeated here.
 */

/** The absolute month number of 'YYYY-MM' or 'YYYY-MM-DD': year × 12 + (month − 1). */
export function monthNumber(s: string): number {
  const year =
    (s.charCodeAt(0) - 48) * 1000 +
    (s.charCodeAt(1) - 48) * 100 +
    (s.charCodeAt(2) - 48) * 10 +
    (s.charCodeAt(3) - 48);
  return year * 12 + (s.charCodeAt(5) - 48) * 10 + (s.charCodeAt(6) - 48) - 1;
}

/** The day of the month of 'YYYY-MM-DD'. */
export function dayOfMonth(s: string): number {
  return (s.charCodeAt(8) - 48) * 10 + (s.charCodeAt(9) - 48);
}

/** True when a tax period is a quarter ('2024Q1') rather than a month ('2024-01'). */
export function isQuarter(period: string): boolean {
  return period.charCodeAt(4) === 81;
}

/** The month number of the first month of a quarter period 'YYYYQn'. */
export function quarterFirstMonth(period: string): number {
  const year =
    (period.charCodeAt(0) - 48) * 1000 +
    (period.charCodeAt(1) - 48) * 100 +
    (period.charCodeAt(2) - 48) * 10 +
    (period.charCodeAt(3) - 48);
  return year * 12 + (period.charCodeAt(5) - 49) * 3;
}

/**
 * Days since 1970-01-01 of 'YYYY-MM-DD' (Howard Hinnant's days_from_civil), for year fractions such as
 * years in business.
 * @example daysFromCivil('1970-01-02') // 1
 */
export function daysFromCivil(s: string): number {
  let y =
    (s.charCodeAt(0) - 48) * 1000 +
    (s.charCodeAt(1) - 48) * 100 +
    (s.charCodeAt(2) - 48) * 10 +
    (s.charCodeAt(3) - 48);
  const m = (s.charCodeAt(5) - 48) * 10 + (s.charCodeAt(6) - 48);
  const d = dayOfMonth(s);
  if (m <= 2) y -= 1;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * How many months before the as-of month a dated record falls: 0 for the as-of month itself (up to the
 * as-of day), 1 for the month before, and −1 for a record dated after the as-of date, which was not known
 * at the as-of date and must be ignored (point-in-time correctness).
 */
export function monthsBefore(date: string, asOfMonth: number, asOfDay: number): number {
  const m = asOfMonth - monthNumber(date);
  if (m < 0) return -1;
  if (m === 0 && date.length >= 10 && dayOfMonth(date) > asOfDay) return -1;
  return m;
}
