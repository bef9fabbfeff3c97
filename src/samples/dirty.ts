import type { Rng } from '../core/rng.js';
import { CREDIT_CODE_CHARSET } from '../ingest/credit-code.js';
import { APPLICATIONS_FILE, type FileLayout, SOURCE_FILES } from '../ingest/layout.js';
import type { ApplicationInput } from '../ingest/schemas.js';

// Dirty values (README "Dirty values"): a share of rows carries one real-world mess. Most are benign and the
// schemas normalise them; a configurable share is genuinely invalid and a reader must reject the application.

/** Kinds the schemas normalise (the value stays valid). */
export const BENIGN_KINDS = ['thousands_separator', 'whitespace', 'lowercase', 'chinese_label'] as const;
/** Kinds that make a value invalid: the application must be rejected. */
export const INVALID_KINDS = ['bad_check_char', 'negative_amount', 'impossible_date'] as const;
/** One kind of dirty value. */
export type DirtKind = (typeof BENIGN_KINDS)[number] | (typeof INVALID_KINDS)[number];

/** One dirtied cell: where it is (file, the borrower's k-th row of that file, column) and what was done. */
export interface DirtMark {
  readonly borrowerId: string;
  readonly file: string;
  readonly subject: string;
  readonly row: number;
  readonly column: string;
  readonly kind: DirtKind;
  /** False when the value must be rejected. */
  readonly valid: boolean;
  readonly value: string;
}

type Labels = Readonly<Record<string, string>>;
type Cell = 'money' | 'signed' | 'count' | 'date' | 'month' | 'period' | 'text' | 'code' | 'upper' | Labels;

// Chinese labels the schemas map back onto canonical codes (src/ingest/schemas.ts).
const ENTITY_ZH: Labels = {
  company: '有限责任公司',
  individual_business: '个体工商户',
  farmer: '农户',
  cooperative: '农民专业合作社',
};
const MARITAL_ZH: Labels = { single: '未婚', married: '已婚', divorced: '离异', widowed: '丧偶' };
const BOOL_ZH: Labels = { true: '是', false: '否' };
const STATUS_ZH: Labels = { valid: '正常', void: '作废', red: '红字' };
const DIRECTION_ZH: Labels = { sales: '销项', purchase: '进项' };
const CLASS_ZH: Labels = {
  normal: '正常',
  special_mention: '关注',
  substandard: '次级',
  doubtful: '可疑',
  loss: '损失',
};
const FACILITY_ZH: Labels = { loan: '贷款', credit_card: '信用卡' };
const REASON_ZH: Labels = { loan_approval: '贷款审批', guarantee: '担保资格审查', post_loan: '贷后管理' };
const KIND_ZH: Labels = {
  lawsuit: '诉讼',
  enforcement: '被执行',
  dishonest: '失信被执行人',
  abnormal_operation: '经营异常',
  penalty: '行政处罚',
};
const ROLE_ZH: Labels = { plaintiff: '原告', defendant: '被告', third_party: '第三人' };
const CASE_ZH: Labels = { lending_dispute: '借款纠纷', contract: '合同纠纷', labor: '劳动纠纷' };
const PURPOSE_ZH: Labels = { working_capital: '流动资金', equipment: '设备购置', technology: '技术改造' };

/** The cells that may be dirtied, per file, by CSV column. */
const CELLS: Readonly<Record<string, Readonly<Record<string, Cell>>>> = {
  'applications.csv': {
    as_of: 'date',
    request_amount: 'money',
    request_tenor_months: 'count',
    request_purpose: PURPOSE_ZH,
  },
  'enterprise.csv': {
    name: 'text',
    credit_code: 'code',
    entity_type: ENTITY_ZH,
    industry: 'upper',
    region: 'text',
    established_date: 'date',
    registered_capital: 'money',
    paid_in_capital: 'money',
    employees: 'count',
    high_tech: BOOL_ZH,
    specialised: BOOL_ZH,
    first_loan: BOOL_ZH,
  },
  'owner.csv': {
    age: 'count',
    marital_status: MARITAL_ZH,
    household_size: 'count',
    dependents: 'count',
    annual_income: 'money',
    property_assets: 'money',
    vehicle_assets: 'money',
    deposits: 'money',
    mortgage_debt: 'money',
    consumer_debt: 'money',
    business_debt: 'money',
  },
  'tax_grades.csv': { credit_grade: 'upper' },
  'tax_filings.csv': { period: 'period', revenue: 'money', vat: 'money', income_tax: 'money' },
  'invoices.csv': {
    date: 'date',
    direction: DIRECTION_ZH,
    amount: 'money',
    tax: 'money',
    counterparty_id: 'text',
    status: STATUS_ZH,
  },
  'bank_flows.csv': {
    month: 'month',
    inflow: 'money',
    outflow: 'money',
    end_balance: 'signed',
    counterparties: 'count',
  },
  'bureau_facilities.csv': {
    type: FACILITY_ZH,
    open_date: 'date',
    limit: 'money',
    balance: 'money',
    overdue_days: 'count',
    overdue_amount: 'money',
    class: CLASS_ZH,
  },
  'bureau_guarantees.csv': { amount: 'money', class: CLASS_ZH },
  'bureau_inquiries.csv': { date: 'date', reason: REASON_ZH },
  'judicial.csv': {
    date: 'date',
    kind: KIND_ZH,
    role: ROLE_ZH,
    case_type: CASE_ZH,
    amount: 'money',
    closed: BOOL_ZH,
  },
  'utilities.csv': { month: 'month', electricity_kwh: 'money', water_tons: 'money', arrears: 'money' },
  'social_insurance.csv': { month: 'month', insured_headcount: 'count' },
};

/** "1234567.5" → "1,234,567.5". */
export function withThousands(v: number): string {
  const [int, frac] = String(Math.abs(v)).split('.');
  const grouped = (int as string).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${v < 0 ? '-' : ''}${grouped}${frac === undefined ? '' : `.${frac}`}`;
}

type Edit = { kind: DirtKind; value: unknown };

/** The edits a cell admits, benign or invalid. */
function edits(cell: Cell, v: unknown, rng: Rng, invalid: boolean): Edit[] {
  if (v === undefined || v === null) return [];
  if (typeof cell === 'object') {
    const zh = cell[String(v)];
    return invalid || zh === undefined ? [] : [{ kind: 'chinese_label', value: zh }];
  }
  const s = String(v);
  switch (cell) {
    case 'money':
    case 'count':
    case 'signed': {
      if (invalid) {
        if (cell === 'signed') return [];
        const n = Number(v);
        return [{ kind: 'negative_amount', value: n > 0 ? -n : -1 }];
      }
      const out: Edit[] = [{ kind: 'whitespace', value: ` ${s} ` }];
      if (Math.abs(Number(v)) >= 1000)
        out.push({ kind: 'thousands_separator', value: withThousands(Number(v)) });
      return out;
    }
    case 'date':
      return invalid
        ? [{ kind: 'impossible_date', value: `${s.slice(0, 4)}-02-${rng.chance(0.5) ? '30' : '31'}` }]
        : [{ kind: 'whitespace', value: ` ${s}` }];
    case 'month':
      return invalid
        ? [{ kind: 'impossible_date', value: `${s.slice(0, 4)}-13` }]
        : [{ kind: 'whitespace', value: `${s} ` }];
    case 'period':
      return invalid
        ? [{ kind: 'impossible_date', value: `${s.slice(0, 4)}Q5` }]
        : [{ kind: 'whitespace', value: ` ${s}` }];
    case 'text':
      return invalid ? [] : [{ kind: 'whitespace', value: `  ${s} ` }];
    // Lower case only counts where it changes something (a code of digits has no case).
    case 'upper':
      return invalid || s.toLowerCase() === s ? [] : [{ kind: 'lowercase', value: s.toLowerCase() }];
    case 'code': {
      if (!invalid) return s.toLowerCase() === s ? [] : [{ kind: 'lowercase', value: s.toLowerCase() }];
      const right = s[17] as string;
      const others = CREDIT_CODE_CHARSET.replace(right, '');
      return [{ kind: 'bad_check_char', value: s.slice(0, 17) + others[rng.int(others.length)] }];
    }
  }
}

function getPath(obj: Record<string, unknown>, path: readonly string[]): unknown {
  let v: unknown = obj;
  for (const p of path) v = (v as Record<string, unknown> | undefined)?.[p];
  return v;
}

function setPath(obj: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let o = obj;
  for (let k = 0; k < path.length - 1; k++) o = o[path[k] as string] as Record<string, unknown>;
  o[path[path.length - 1] as string] = value;
}

/** The records of an application that become rows of one file, in the order `sourceRows` writes them. */
function recordsOf(
  app: Record<string, unknown>,
  layout: FileLayout,
): { subject: string; rec: Record<string, unknown> }[] {
  const out: { subject: string; rec: Record<string, unknown> }[] = [];
  const subjects = layout.bySubject ? ['enterprise', 'owner'] : [''];
  for (const subject of subjects) {
    const base = subject === '' ? app : getPath(app, ['bureau', subject]);
    if (base === undefined) continue;
    const items = getPath(base as Record<string, unknown>, layout.target);
    if (items === undefined) continue;
    if (layout.file === 'tax_grades.csv' && (items as Record<string, unknown>).creditGrade === undefined)
      continue;
    for (const rec of layout.many ? (items as Record<string, unknown>[]) : [items as Record<string, unknown>])
      out.push({ subject, rec });
  }
  return out;
}

/** Counts of rows seen and dirtied by `applyDirt`. */
export interface DirtCounts {
  rows: number;
  dirty: number;
  invalid: number;
}

/**
 * Dirties an application in place: each of its rows (application, enterprise, each invoice …) is dirtied with
 * probability `rate`, and a dirtied row is invalid with probability `invalidShare` when it has a cell that can be.
 * Returns the marks; `counts` is incremented.
 */
export function applyDirt(
  app: ApplicationInput,
  rng: Rng,
  rate: number,
  invalidShare: number,
  counts: DirtCounts,
): DirtMark[] {
  const marks: DirtMark[] = [];
  const root = app as unknown as Record<string, unknown>;
  const dirtyRow = (layout: FileLayout, subject: string, row: number, rec: Record<string, unknown>): void => {
    counts.rows++;
    if (rate <= 0 || !rng.chance(rate)) return;
    const cells = CELLS[layout.file] ?? {};
    const wantInvalid = rng.chance(invalidShare);
    let options: { column: string; path: readonly string[]; edit: Edit }[] = [];
    for (const invalid of wantInvalid ? [true, false] : [false]) {
      for (const [column, path] of layout.columns) {
        const cell = cells[column];
        if (cell === undefined) continue;
        for (const edit of edits(cell, getPath(rec, path), rng, invalid))
          options.push({ column, path, edit });
      }
      if (options.length > 0) break;
      options = [];
    }
    if (options.length === 0) return;
    const pick = options[rng.int(options.length)] as (typeof options)[number];
    setPath(rec, pick.path, pick.edit.value);
    const valid = !(INVALID_KINDS as readonly string[]).includes(pick.edit.kind);
    counts.dirty++;
    if (!valid) counts.invalid++;
    marks.push({
      borrowerId: app.id,
      file: layout.file,
      subject,
      row,
      column: pick.column,
      kind: pick.edit.kind,
      valid,
      value: String(pick.edit.value),
    });
  };
  dirtyRow(APPLICATIONS_FILE, '', 0, root);
  for (const layout of SOURCE_FILES) {
    recordsOf(root, layout).forEach(({ subject, rec }, row) => {
      dirtyRow(layout, subject, row, rec);
    });
  }
  return marks;
}
