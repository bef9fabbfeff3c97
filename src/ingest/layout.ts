import type { Application, ApplicationInput } from './schemas.js';

/**
 * The CSV layout of a multi-source sample: one file per source, every row keyed by `borrower_id`, the rows
 * of one borrower contiguous and in the order of `applications.csv` (so that a directory of any size can be
 * read as a merge of streams). `applications.csv` names in its `sources` column which sources were
 * collected for the borrower: a source listed with no rows was checked and found empty; a source not
 * listed is absent (unknown), which is not zero.
 *
 * Each file maps CSV columns onto paths in the application's JSON shape (`ApplicationInput`).
 */
export interface FileLayout {
  readonly file: string;
  /** The source (or `bureau.enterprise` / `bureau.owner`) this file belongs to; null for applications. */
  readonly source: string | null;
  /** Where its rows go in the application: an object path, and whether each row is a list element. */
  readonly target: readonly string[];
  readonly many: boolean;
  /** Bureau files carry a `subject` column (enterprise | owner) choosing the report. */
  readonly bySubject: boolean;
  readonly columns: readonly (readonly [column: string, path: readonly string[]])[];
}

const c = (column: string, ...path: string[]): readonly [string, readonly string[]] => [column, path];

export const APPLICATIONS_FILE: FileLayout = {
  file: 'applications.csv',
  source: null,
  target: [],
  many: false,
  bySubject: false,
  columns: [
    c('as_of', 'asOf'),
    c('sources', '$sources'),
    c('request_amount', 'request', 'amount'),
    c('request_tenor_months', 'request', 'tenorMonths'),
    c('request_purpose', 'request', 'purpose'),
    c('request_programme', 'request', 'programme'),
  ],
};

/** The source files, in the order they are read and written. */
export const SOURCE_FILES: readonly FileLayout[] = [
  {
    file: 'enterprise.csv',
    source: 'enterprise',
    target: ['enterprise'],
    many: false,
    bySubject: false,
    columns: [
      c('name', 'name'),
      c('credit_code', 'creditCode'),
      c('entity_type', 'entityType'),
      c('industry', 'industry'),
      c('region', 'region'),
      c('established_date', 'establishedDate'),
      c('registered_capital', 'registeredCapital'),
      c('paid_in_capital', 'paidInCapital'),
      c('employees', 'employees'),
      c('high_tech', 'highTech'),
      c('specialised', 'specialised'),
      c('first_loan', 'firstLoan'),
    ],
  },
  {
    file: 'owner.csv',
    source: 'owner',
    target: ['owner'],
    many: false,
    bySubject: false,
    columns: [
      c('age', 'age'),
      c('marital_status', 'maritalStatus'),
      c('household_size', 'householdSize'),
      c('dependents', 'dependents'),
      c('annual_income', 'annualIncome'),
      c('property_assets', 'assets', 'property'),
      c('vehicle_assets', 'assets', 'vehicles'),
      c('deposits', 'assets', 'deposits'),
      c('mortgage_debt', 'liabilities', 'mortgage'),
      c('consumer_debt', 'liabilities', 'consumer'),
      c('business_debt', 'liabilities', 'business'),
    ],
  },
  {
    file: 'tax_grades.csv',
    source: 'tax',
    target: ['tax'],
    many: false,
    bySubject: false,
    columns: [c('credit_grade', 'creditGrade')],
  },
  {
    file: 'tax_filings.csv',
    source: 'tax',
    target: ['tax', 'filings'],
    many: true,
    bySubject: false,
    columns: [c('period', 'period'), c('revenue', 'revenue'), c('vat', 'vat'), c('income_tax', 'incomeTax')],
  },
  {
    file: 'invoices.csv',
    source: 'invoices',
    target: ['invoices'],
    many: true,
    bySubject: false,
    columns: [
      c('date', 'date'),
      c('direction', 'direction'),
      c('amount', 'amount'),
      c('tax', 'tax'),
      c('counterparty_id', 'counterpartyId'),
      c('status', 'status'),
    ],
  },
  {
    file: 'bank_flows.csv',
    source: 'bankFlows',
    target: ['bankFlows'],
    many: true,
    bySubject: false,
    columns: [
      c('month', 'month'),
      c('inflow', 'inflow'),
      c('outflow', 'outflow'),
      c('end_balance', 'endBalance'),
      c('counterparties', 'counterparties'),
    ],
  },
  {
    file: 'bureau_facilities.csv',
    source: 'bureau',
    target: ['facilities'],
    many: true,
    bySubject: true,
    columns: [
      c('type', 'type'),
      c('open_date', 'openDate'),
      c('limit', 'limit'),
      c('balance', 'balance'),
      c('overdue_days', 'overdueDays'),
      c('overdue_amount', 'overdueAmount'),
      c('class', 'class'),
      c('overdue_history', '$history'),
    ],
  },
  {
    file: 'bureau_guarantees.csv',
    source: 'bureau',
    target: ['guaranteesGiven'],
    many: true,
    bySubject: true,
    columns: [c('amount', 'amount'), c('class', 'class')],
  },
  {
    file: 'bureau_inquiries.csv',
    source: 'bureau',
    target: ['inquiries'],
    many: true,
    bySubject: true,
    columns: [c('date', 'date'), c('reason', 'reason')],
  },
  {
    file: 'judicial.csv',
    source: 'judicial',
    target: ['judicial'],
    many: true,
    bySubject: false,
    columns: [
      c('date', 'date'),
      c('kind', 'kind'),
      c('role', 'role'),
      c('case_type', 'caseType'),
      c('amount', 'amount'),
      c('closed', 'closed'),
    ],
  },
  {
    file: 'utilities.csv',
    source: 'utilities',
    target: ['utilities'],
    many: true,
    bySubject: false,
    columns: [
      c('month', 'month'),
      c('electricity_kwh', 'electricityKwh'),
      c('water_tons', 'waterTons'),
      c('arrears', 'arrears'),
    ],
  },
  {
    file: 'social_insurance.csv',
    source: 'socialInsurance',
    target: ['socialInsurance'],
    many: true,
    bySubject: false,
    columns: [c('month', 'month'), c('insured_headcount', 'insuredHeadcount')],
  },
];

/** The names used in the `sources` column: each source, with the bureau split by subject. */
export const SOURCE_TAGS = [
  'enterprise',
  'owner',
  'tax',
  'invoices',
  'bankFlows',
  'bureau.enterprise',
  'bureau.owner',
  'judicial',
  'utilities',
  'socialInsurance',
] as const;
export type SourceTag = (typeof SOURCE_TAGS)[number];

/** The header of a file: borrower_id, then `subject` for bureau files, then its columns. */
export function headerOf(layout: FileLayout): string[] {
  return ['borrower_id', ...(layout.bySubject ? ['subject'] : []), ...layout.columns.map(([col]) => col)];
}

/** Which sources an application carries, as `sources` column tags. */
export function sourceTagsOf(app: ApplicationInput | Application): SourceTag[] {
  const tags: SourceTag[] = [];
  for (const tag of SOURCE_TAGS) {
    if (tag === 'bureau.enterprise') {
      if (app.bureau?.enterprise !== undefined) tags.push(tag);
    } else if (tag === 'bureau.owner') {
      if (app.bureau?.owner !== undefined) tags.push(tag);
    } else if ((app as Record<string, unknown>)[tag] !== undefined) tags.push(tag);
  }
  return tags;
}

function get(obj: unknown, path: readonly string[]): unknown {
  let v = obj;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<string, unknown>)[p];
  }
  return v;
}

function cellText(value: unknown): string {
  if (value === undefined || value === null) return '';
  return String(value);
}

/** The application's own row in applications.csv. */
export function applicationRow(app: ApplicationInput | Application): string[] {
  return [
    app.id,
    ...APPLICATIONS_FILE.columns.map(([, path]) =>
      path[0] === '$sources' ? sourceTagsOf(app).join(';') : cellText(get(app, path)),
    ),
  ];
}

/** The rows an application contributes to one source file (possibly none). */
export function sourceRows(app: ApplicationInput | Application, layout: FileLayout): string[][] {
  const subjects: (string | null)[] = layout.bySubject ? ['enterprise', 'owner'] : [null];
  const rows: string[][] = [];
  for (const subject of subjects) {
    const base = subject === null ? app : get(app, ['bureau', subject]);
    const items = get(base, layout.target);
    if (items === undefined) continue;
    const list = layout.many ? (items as unknown[]) : [items];
    if (!layout.many && layout.file === 'tax_grades.csv' && get(items, ['creditGrade']) === undefined)
      continue;
    for (const item of list) {
      const row = [app.id, ...(subject === null ? [] : [subject])];
      for (const [, path] of layout.columns) {
        if (path[0] === '$history')
          row.push(((get(item, ['overdueHistory']) as number[] | undefined) ?? []).join(''));
        else row.push(cellText(get(item, path)));
      }
      rows.push(row);
    }
  }
  return rows;
}
