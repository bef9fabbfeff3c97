import { SOURCE_TAGS } from '../ingest/layout.js';
import {
  CASE_TYPES,
  ENTITY_TYPES,
  FACILITY_TYPES,
  INQUIRY_REASONS,
  INVOICE_DIRECTIONS,
  INVOICE_STATUSES,
  JUDICIAL_KINDS,
  LAWSUIT_ROLES,
  LOAN_CLASSES,
  MARITAL_STATUSES,
  PURPOSES,
  TAX_GRADES,
} from '../ingest/schemas.js';

/**
 * What each source offers the catalog: scalar fields (one value per application) and record tables (lists
 * aggregated over month windows), with their fields and the dimensions a filter may select on. The catalog
 * is checked against this registry at load, and the engine compiles against it.
 */

/**
 * The sources a catalog entry may name: the ingest sources (the bureau split by subject, as in the CSV
 * layout), plus `request` and `derived` (ratios and customs computed from other features).
 */
export const CATALOG_SOURCES = ['request', ...SOURCE_TAGS, 'derived'] as const;
export type CatalogSource = (typeof CATALOG_SOURCES)[number];

/** How records falling in the same month combine: summed (flows), averaged (levels) or the worst (max). */
export type Reduce = 'sum' | 'mean' | 'max';

/** A numeric field of a record table; code indexes the per-record value buffer the scanner fills. */
export interface TableField {
  readonly code: number;
  readonly reduce: Reduce;
  /** Placed on the months of the PBOC repayment grid (overdueHistory) instead of the record's date. */
  readonly history?: boolean;
}

/** One filterable dimension of a table: its values, in the order that defines class indices. */
export interface TableDim {
  readonly name: string;
  readonly values: readonly string[];
}

/** The tables the scanners know, one id each (bureau tables once per subject). */
export const TABLE_IDS = [
  'tax.filings',
  'invoices',
  'bankFlows',
  'utilities',
  'socialInsurance',
  'judicial',
  'bureau.enterprise.facilities',
  'bureau.enterprise.guarantees',
  'bureau.enterprise.inquiries',
  'bureau.owner.facilities',
  'bureau.owner.guarantees',
  'bureau.owner.inquiries',
] as const;
export type TableId = (typeof TABLE_IDS)[number];

/** A record table: fields (code 0 is always `count`, worth 1 per record), filter dimensions, dating. */
export interface TableSpec {
  readonly id: TableId;
  /** False for undated records (guarantees given): only whole-table aggregations apply. */
  readonly dated: boolean;
  readonly fields: Readonly<Record<string, TableField>>;
  readonly dims: readonly TableDim[];
  /** Whether records name a counterparty, for concentration (top share, HHI, distinct). */
  readonly counterparty: boolean;
}

/** A scalar field: numeric, or categorical with a fixed list of levels (the feature value is the index). */
export interface ScalarField {
  readonly type: 'numeric' | 'categorical';
  readonly levels?: readonly string[];
}

/** A source's scalar fields and record tables. */
export interface SourceSpec {
  readonly scalars: Readonly<Record<string, ScalarField>>;
  readonly tables: Readonly<Record<string, TableSpec>>;
  /** The table used when an entry names none (bureau sources have three and require a name). */
  readonly defaultTable?: string;
}

const num: ScalarField = { type: 'numeric' };
const cat = (levels: readonly string[]): ScalarField => ({ type: 'categorical', levels });
const COUNT: TableField = { code: 0, reduce: 'sum' };
const BOOL = ['false', 'true'] as const;

/** GB/T 4754 sections A–T. */
export const INDUSTRY_SECTIONS: readonly string[] = Array.from({ length: 20 }, (_, i) =>
  String.fromCharCode(65 + i),
);
/** Province parts of a region code the ingest schema accepts: '11' to '82'. */
export const PROVINCES: readonly string[] = Array.from({ length: 72 }, (_, i) => String(11 + i));

function facilities(id: TableId): TableSpec {
  return {
    id,
    dated: true,
    fields: {
      count: COUNT,
      limit: { code: 1, reduce: 'sum' },
      balance: { code: 2, reduce: 'sum' },
      overdueAmount: { code: 3, reduce: 'sum' },
      overdueDays: { code: 4, reduce: 'max' },
      overdueStatus: { code: 5, reduce: 'max', history: true },
    },
    dims: [
      { name: 'type', values: FACILITY_TYPES },
      { name: 'class', values: LOAN_CLASSES },
      { name: 'overdue', values: BOOL },
    ],
    counterparty: false,
  };
}

function bureau(subject: 'enterprise' | 'owner'): SourceSpec {
  return {
    scalars: {},
    tables: {
      facilities: facilities(`bureau.${subject}.facilities`),
      guarantees: {
        id: `bureau.${subject}.guarantees`,
        dated: false,
        fields: { count: COUNT, amount: { code: 1, reduce: 'sum' } },
        dims: [{ name: 'class', values: LOAN_CLASSES }],
        counterparty: false,
      },
      inquiries: {
        id: `bureau.${subject}.inquiries`,
        dated: true,
        fields: { count: COUNT },
        dims: [{ name: 'reason', values: INQUIRY_REASONS }],
        counterparty: false,
      },
    },
  };
}

/** The registry, by catalog source. */
export const SOURCE_SPECS: Readonly<Record<CatalogSource, SourceSpec>> = {
  request: {
    scalars: { amount: num, tenorMonths: num, purpose: cat(PURPOSES) },
    tables: {},
  },
  enterprise: {
    scalars: {
      registeredCapital: num,
      paidInCapital: num,
      employees: num,
      highTech: num,
      specialised: num,
      firstLoan: num,
      entityType: cat(ENTITY_TYPES),
      industrySection: cat(INDUSTRY_SECTIONS),
      province: cat(PROVINCES),
    },
    tables: {},
  },
  owner: {
    scalars: {
      age: num,
      householdSize: num,
      dependents: num,
      annualIncome: num,
      propertyAssets: num,
      vehicleAssets: num,
      deposits: num,
      totalAssets: num,
      mortgageDebt: num,
      consumerDebt: num,
      businessDebt: num,
      totalLiabilities: num,
      maritalStatus: cat(MARITAL_STATUSES),
    },
    tables: {},
  },
  tax: {
    scalars: { creditGrade: cat(TAX_GRADES), creditGradeRank: num },
    tables: {
      filings: {
        id: 'tax.filings',
        dated: true,
        fields: {
          count: COUNT,
          revenue: { code: 1, reduce: 'sum' },
          vat: { code: 2, reduce: 'sum' },
          incomeTax: { code: 3, reduce: 'sum' },
          taxPaid: { code: 4, reduce: 'sum' },
        },
        dims: [],
        counterparty: false,
      },
    },
    defaultTable: 'filings',
  },
  invoices: {
    scalars: {},
    tables: {
      invoices: {
        id: 'invoices',
        dated: true,
        fields: { count: COUNT, amount: { code: 1, reduce: 'sum' }, tax: { code: 2, reduce: 'sum' } },
        dims: [
          { name: 'direction', values: INVOICE_DIRECTIONS },
          { name: 'status', values: INVOICE_STATUSES },
        ],
        counterparty: true,
      },
    },
    defaultTable: 'invoices',
  },
  bankFlows: {
    scalars: {},
    tables: {
      bankFlows: {
        id: 'bankFlows',
        dated: true,
        fields: {
          count: COUNT,
          inflow: { code: 1, reduce: 'sum' },
          outflow: { code: 2, reduce: 'sum' },
          net: { code: 3, reduce: 'sum' },
          endBalance: { code: 4, reduce: 'mean' },
          counterparties: { code: 5, reduce: 'mean' },
          /** Outflow beyond inflow (0 in a month with a net inflow), so months_with counts net-outflow months. */
          netOutflow: { code: 6, reduce: 'sum' },
        },
        dims: [],
        counterparty: false,
      },
    },
    defaultTable: 'bankFlows',
  },
  'bureau.enterprise': bureau('enterprise'),
  'bureau.owner': bureau('owner'),
  judicial: {
    scalars: {},
    tables: {
      judicial: {
        id: 'judicial',
        dated: true,
        fields: { count: COUNT, amount: { code: 1, reduce: 'sum' } },
        dims: [
          { name: 'kind', values: JUDICIAL_KINDS },
          { name: 'role', values: ['none', ...LAWSUIT_ROLES] },
          { name: 'caseType', values: ['none', ...CASE_TYPES] },
          { name: 'closed', values: BOOL },
        ],
        counterparty: false,
      },
    },
    defaultTable: 'judicial',
  },
  utilities: {
    scalars: {},
    tables: {
      utilities: {
        id: 'utilities',
        dated: true,
        fields: {
          count: COUNT,
          electricityKwh: { code: 1, reduce: 'sum' },
          waterTons: { code: 2, reduce: 'sum' },
          arrears: { code: 3, reduce: 'mean' },
        },
        dims: [],
        counterparty: false,
      },
    },
    defaultTable: 'utilities',
  },
  socialInsurance: {
    scalars: {},
    tables: {
      socialInsurance: {
        id: 'socialInsurance',
        dated: true,
        fields: { count: COUNT, insuredHeadcount: { code: 1, reduce: 'mean' } },
        dims: [],
        counterparty: false,
      },
    },
    defaultTable: 'socialInsurance',
  },
  derived: { scalars: {}, tables: {} },
};

/** The number of record classes of a table: the product of its dimensions' sizes. */
export function classCount(table: TableSpec): number {
  let n = 1;
  for (const d of table.dims) n *= d.values.length;
  return n;
}

/** The dimension values of class `cls` (the inverse of the scanners' class index), by dimension name. */
export function classValues(table: TableSpec, cls: number): Record<string, string> {
  const out: Record<string, string> = {};
  let rest = cls;
  for (let d = table.dims.length - 1; d >= 0; d--) {
    const dim = table.dims[d] as TableDim;
    out[dim.name] = dim.values[rest % dim.values.length] as string;
    rest = Math.floor(rest / dim.values.length);
  }
  return out;
}

/** The largest field code of a table plus one: the size of the scanner's per-record value buffer. */
export function fieldSlots(table: TableSpec): number {
  let n = 0;
  for (const f of Object.values(table.fields)) n = Math.max(n, f.code + 1);
  return n;
}
