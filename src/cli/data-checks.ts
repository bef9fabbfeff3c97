import { RiskError } from '../core/errors.js';
import { columnsHint, type Frame } from '../core/frame.js';
import { isoTime } from '../evaluation/cv.js';

/**
 * Checks every model command (train, evaluate, predict, compare, report) makes of its input before any
 * modelling, so that a user learns what is wrong with the file rather than what broke downstream.
 */

/**
 * Fails on a file that has a header but no data rows, which otherwise surfaces as an empty class count or
 * an empty out-of-time split.
 * @throws E_CLI_NO_ROWS naming the file and its columns
 * @example requireDataRows(frame, 'test.csv');
 */
export function requireDataRows(frame: Frame, file: string): void {
  if (frame.nRows > 0) return;
  throw new RiskError(
    'E_CLI_NO_ROWS',
    `${file} has no data rows: only a header (${frame.names.length} columns) was read`,
    { file, expected: 'at least one data row', received: 0 },
  );
}

/**
 * The cells of a date column as ISO text (yyyymmdd integers rewritten as yyyy-mm-dd; missing cells
 * null), for `outOfTimeSplit` and time slices. A column is a date column when it holds at least one value
 * and every value is an ISO 8601 date (2024-03-31, 2024-03-31T12:00:00Z) or a yyyymmdd integer.
 * @param option the command-line option that named the column, for the message (default `--date`)
 * @throws E_CLI_DATE_COLUMN when the column is absent or is not a date column, naming the first row that
 *   does not hold a date and what it holds
 * @example const dates = dateColumn(frame, 'apply_date'); outOfTimeSplit(dates, '2024-01-01');
 */
export function dateColumn(frame: Frame, name: string, option = '--date'): (string | null)[] {
  if (!frame.has(name)) {
    throw new RiskError(
      'E_CLI_DATE_COLUMN',
      `${option}: no column named ${JSON.stringify(name)}; ${columnsHint(frame.names, name)}`,
      { column: name, expected: 'a date column of the data', received: name },
    );
  }
  const out: (string | null)[] = [];
  let dates = 0;
  for (let i = 0; i < frame.nRows; i++) {
    const v = frame.cell(i, name);
    if (v === null) {
      out.push(null);
      continue;
    }
    let text = String(v).trim();
    if (typeof v === 'number' && Number.isInteger(v) && v >= 1000_01_01 && v <= 2999_12_31) {
      text = `${text.slice(0, 4)}-${text.slice(4, 6)}-${text.slice(6, 8)}`;
    }
    if (Number.isNaN(isoTime(text))) {
      throw new RiskError(
        'E_CLI_DATE_COLUMN',
        `${option}: column ${name} is not a date column: row ${i + 1} holds ${JSON.stringify(v)}, expected an ISO date such as 2024-03-31 or a yyyymmdd number`,
        { column: name, row: i + 1, expected: 'ISO 8601 dates or yyyymmdd numbers', received: v },
      );
    }
    dates++;
    out.push(text);
  }
  if (dates === 0 && frame.nRows > 0) {
    throw new RiskError(
      'E_CLI_DATE_COLUMN',
      `${option}: column ${name} is not a date column: all ${frame.nRows} cells are empty`,
      { column: name, expected: 'ISO 8601 dates or yyyymmdd numbers', received: null },
    );
  }
  return out;
}
