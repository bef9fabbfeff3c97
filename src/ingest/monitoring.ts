import { z } from 'zod';
import { readCsvBlocks } from '../core/csv.js';
import { RiskError } from '../core/errors.js';

/**
 * Monitoring data of the in-force book (保后): the loans and their month-end snapshots, as the guarantor's
 * warehouse exports them (data-samples/README.md "Monitoring"). An empty cell is a missing value (the source
 * was absent at origination), never a zero.
 */

/** Loan status in a snapshot: 90 days past due (or compensation) is a default. */
export const LOAN_STATUSES = ['performing', 'overdue', 'defaulted'] as const;
/** Five-tier classes as the credit bureau reports them. */
export const BUREAU_CLASSES = ['normal', 'special_mention', 'substandard', 'doubtful', 'loss'] as const;

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month YYYY-MM');
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const amount = z.number().finite().nonnegative();

/** One loan of the in-force book. */
export const monitoringLoanSchema = z
  .object({
    borrowerId: z.string().min(1),
    bankId: z.string().min(1),
    agreementId: z.string().min(1),
    businessMode: z.string().min(1),
    originationDate: day,
    amount: z.number().finite().positive(),
    tenorMonths: z.number().int().positive(),
    guaranteeFeeRate: z.number().finite().min(0).max(1),
  })
  .strict();
/** One loan of the in-force book. */
export type MonitoringLoan = z.infer<typeof monitoringLoanSchema>;

/** One month-end snapshot of a loan; null = source absent. Optional fields are not in the sample. */
export const monitoringSnapshotSchema = z
  .object({
    borrowerId: z.string().min(1),
    month,
    monthsOnBook: z.number().int().nonnegative(),
    loanBalance: amount,
    loanOverdueDays: z.number().int().nonnegative(),
    loanStatus: z.enum(LOAN_STATUSES),
    taxRevenue: amount.nullable(),
    bankInflow: amount.nullable(),
    bankEndBalance: z.number().finite().nullable(),
    bureauOverdueDays: z.number().int().nonnegative().nullable(),
    bureauClass: z.enum(BUREAU_CLASSES).nullable(),
    newJudicialEvents: z.number().int().nonnegative().nullable(),
    electricityKwh: amount.nullable(),
    utilityArrears: amount.nullable(),
    insuredHeadcount: z.number().int().nonnegative().nullable(),
    /** Tax credit grade (A/B/M/C/D) where a feed provides it; the sample has none. */
    taxGrade: z.enum(['A', 'B', 'M', 'C', 'D']).nullable().optional(),
    /** Change of legal rep, controller or main shareholder this month; the sample has none. */
    ownershipChanged: z.boolean().nullable().optional(),
    /** Compensation (代偿) paid to the bank on this loan this month, where the warehouse records it; the sample has none. */
    compensationAmount: amount.nullable().optional(),
  })
  .strict();
/** One month-end snapshot of a loan. */
export type MonitoringSnapshot = z.infer<typeof monitoringSnapshotSchema>;

type Kind = 'string' | 'number' | 'boolean';
const LOAN_COLUMNS: Record<string, [keyof MonitoringLoan, Kind]> = {
  borrower_id: ['borrowerId', 'string'],
  bank_id: ['bankId', 'string'],
  agreement_id: ['agreementId', 'string'],
  business_mode: ['businessMode', 'string'],
  origination_date: ['originationDate', 'string'],
  amount: ['amount', 'number'],
  tenor_months: ['tenorMonths', 'number'],
  guarantee_fee_rate: ['guaranteeFeeRate', 'number'],
};
const SNAPSHOT_COLUMNS: Record<string, [keyof MonitoringSnapshot, Kind]> = {
  borrower_id: ['borrowerId', 'string'],
  month: ['month', 'string'],
  months_on_book: ['monthsOnBook', 'number'],
  loan_balance: ['loanBalance', 'number'],
  loan_overdue_days: ['loanOverdueDays', 'number'],
  loan_status: ['loanStatus', 'string'],
  tax_revenue: ['taxRevenue', 'number'],
  bank_inflow: ['bankInflow', 'number'],
  bank_end_balance: ['bankEndBalance', 'number'],
  bureau_overdue_days: ['bureauOverdueDays', 'number'],
  bureau_class: ['bureauClass', 'string'],
  new_judicial_events: ['newJudicialEvents', 'number'],
  electricity_kwh: ['electricityKwh', 'number'],
  utility_arrears: ['utilityArrears', 'number'],
  insured_headcount: ['insuredHeadcount', 'number'],
  tax_grade: ['taxGrade', 'string'],
  ownership_changed: ['ownershipChanged', 'boolean'],
  compensation_amount: ['compensationAmount', 'number'],
};
const LOAN_REQUIRED = Object.keys(LOAN_COLUMNS);
const SNAPSHOT_REQUIRED = Object.keys(SNAPSHOT_COLUMNS).filter(
  (c) => c !== 'tax_grade' && c !== 'ownership_changed' && c !== 'compensation_amount',
);

/** A row that failed validation: where, and why. */
export interface MonitoringReject {
  readonly file: string;
  readonly row: number;
  readonly column: string;
  readonly message: string;
}

/** What a reader returns: every data row read is either used or rejected (read = used + rejected). */
export interface MonitoringRead<T> {
  readonly rows: T[];
  readonly read: number;
  readonly rejects: MonitoringReject[];
}

/** How a reader treats a bad row: `throw` (default) stops at the first, `collect` counts and keeps going. */
export interface MonitoringReadOptions {
  readonly onInvalid?: 'throw' | 'collect';
}

function cellValue(raw: string, kind: Kind): unknown {
  const s = raw.trim();
  if (s === '') return null;
  if (kind === 'string') return s;
  if (kind === 'boolean') return s === 'true' || s === '1' ? true : s === 'false' || s === '0' ? false : s;
  const n = Number(s);
  return Number.isFinite(n) ? n : s;
}

async function readRows<T>(
  file: string,
  columns: Record<string, [string, Kind]>,
  required: readonly string[],
  schema: z.ZodType<T>,
  options: MonitoringReadOptions,
): Promise<MonitoringRead<T>> {
  let header: string[] = [];
  const rows: T[] = [];
  const rejects: MonitoringReject[] = [];
  let read = 0;
  const onHeader = (h: string[]) => {
    header = h.map((c) => c.trim());
    const missing = required.filter((c) => !header.includes(c));
    const unknown = header.filter((c) => columns[c] === undefined);
    if (missing.length > 0 || unknown.length > 0) {
      throw new RiskError(
        'E_CSV_COLUMN',
        `${file}: expected columns ${required.join(', ')}; missing ${missing.join(', ') || 'none'}, unknown ${unknown.join(', ') || 'none'}`,
        { file, expected: required.join(', '), received: header.join(', ') },
      );
    }
  };
  for await (const block of readCsvBlocks(file, onHeader)) {
    block.records.forEach((record, i) => {
      const row = block.firstRow + i;
      read++;
      const obj: Record<string, unknown> = {};
      header.forEach((c, j) => {
        const [key, kind] = columns[c] as [string, Kind];
        const v = cellValue(record[j] ?? '', kind);
        if (v !== null || required.includes(c)) obj[key] = v;
      });
      const parsed = schema.safeParse(obj);
      if (parsed.success) {
        rows.push(parsed.data);
        return;
      }
      const issue = parsed.error.issues[0] as z.core.$ZodIssue;
      const key = String(issue.path[0] ?? '');
      const column = Object.keys(columns).find((c) => columns[c]?.[0] === key) ?? key;
      const received = obj[key];
      const message = `${file} row ${row} column ${column}: ${issue.message} (received ${JSON.stringify(received)})`;
      if (options.onInvalid !== 'collect') {
        throw new RiskError('E_MONITORING_ROW', message, { file, row, column, received });
      }
      rejects.push({ file, row, column, message });
    });
  }
  return { rows, read, rejects };
}

/**
 * Streams monitoring/loans.csv into validated loans.
 * @throws E_CSV_COLUMN on a wrong header, E_MONITORING_ROW on a bad row (unless `onInvalid: 'collect'`)
 * @example const { rows } = await readMonitoringLoans('data-samples/monitoring/loans.csv');
 */
export function readMonitoringLoans(
  file: string,
  options: MonitoringReadOptions = {},
): Promise<MonitoringRead<MonitoringLoan>> {
  return readRows(file, LOAN_COLUMNS, LOAN_REQUIRED, monitoringLoanSchema, options);
}

/**
 * Streams monitoring/snapshots.csv into validated month-end snapshots (empty cells → null).
 * @throws E_CSV_COLUMN on a wrong header, E_MONITORING_ROW on a bad row (unless `onInvalid: 'collect'`)
 * @example const { rows } = await readMonitoringSnapshots('data-samples/monitoring/snapshots.csv');
 */
export function readMonitoringSnapshots(
  file: string,
  options: MonitoringReadOptions = {},
): Promise<MonitoringRead<MonitoringSnapshot>> {
  return readRows(file, SNAPSHOT_COLUMNS, SNAPSHOT_REQUIRED, monitoringSnapshotSchema, options);
}

/**
 * Groups snapshots by loan (borrower id), each loan's series sorted by month.
 * @example const byLoan = groupSnapshots(rows); byLoan.get('B000002')?.[0]?.month
 */
export function groupSnapshots(snapshots: readonly MonitoringSnapshot[]): Map<string, MonitoringSnapshot[]> {
  const out = new Map<string, MonitoringSnapshot[]>();
  for (const s of snapshots) {
    const list = out.get(s.borrowerId);
    if (list === undefined) out.set(s.borrowerId, [s]);
    else list.push(s);
  }
  for (const list of out.values()) list.sort((a, b) => (a.month < b.month ? -1 : a.month > b.month ? 1 : 0));
  return out;
}
