import fc from 'fast-check';

/**
 * Random dirty applications for agreement properties: every leaf is text, as a CSV cell holds it, mostly
 * valid in one of its loose spellings (spaces, thousands separators, upper case, Chinese labels) and now and
 * then broken (out of range, malformed, a word that is no code, a prototype key, CSV metacharacters). A
 * cell is rarely blank, which the CSV layout cannot tell from absent (see `dropBlank`).
 */

type Cell = fc.Arbitrary<string>;

const JUNK = [
  '',
  ' ',
  'x',
  'NaN',
  'null',
  '-',
  '.',
  ',',
  '"',
  'a,"b"\nc',
  'constructor',
  'toString',
  '__proto__',
  '\u3000',
  '１２',
  '+5',
  '1e3',
  '0x1F',
  'Infinity',
  '-0',
] as const;

/** Valid text (weight 80) or junk (weight 1). */
function cell(valid: Cell, invalid: Cell = fc.constantFrom(...JUNK)): Cell {
  return fc.oneof({ weight: 80, arbitrary: valid }, { weight: 1, arbitrary: invalid });
}

/** Surrounds text with the spaces people leave in cells, sometimes. */
const spaced = (a: Cell): Cell =>
  fc.tuple(a, fc.constantFrom('', '', '', ' ', '  ', '\t')).map(([s, pad]) => `${pad}${s}${pad}`);

const withThousands = (n: number): string => n.toLocaleString('en-US', { maximumFractionDigits: 2 });

const money: Cell = cell(
  spaced(
    fc.oneof(
      fc.integer({ min: 0, max: 9_999_999 }).map(String),
      fc.integer({ min: 0, max: 99_999_999 }).map((c) => (c / 100).toFixed(2)),
      fc.integer({ min: 1000, max: 99_999_999 }).map(withThousands),
    ),
  ),
  fc.constantFrom(...JUNK, '-10', '-0.01', '1,2,3'),
);
const signed: Cell = cell(fc.integer({ min: -999_999, max: 999_999 }).map(String));
const count = (min: number, max: number): Cell =>
  cell(spaced(fc.integer({ min, max }).map(String)), fc.constantFrom(...JUNK, '2.5', String(max + 1)));

const date: Cell = cell(
  spaced(
    fc
      .tuple(
        fc.integer({ min: 2015, max: 2025 }),
        fc.integer({ min: 1, max: 12 }),
        fc.integer({ min: 1, max: 28 }),
      )
      .map(([y, m, d]) => `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`),
  ),
  fc.constantFrom(...JUNK, '2025-02-30', '2025/01/01', '2025-1-1', '2023-02-29'),
);
const month: Cell = cell(
  fc
    .tuple(fc.integer({ min: 2020, max: 2025 }), fc.integer({ min: 1, max: 12 }))
    .map(([y, m]) => `${y}-${String(m).padStart(2, '0')}`),
  fc.constantFrom(...JUNK, '2025-13', '2025-1', '202501'),
);
const period: Cell = cell(
  fc.oneof(
    month,
    fc
      .tuple(fc.integer({ min: 2020, max: 2025 }), fc.integer({ min: 1, max: 4 }))
      .map(([y, q]) => `${y}Q${q}`),
    fc.constantFrom('2024q2', ' 2025Q1 '),
  ),
  fc.constantFrom(...JUNK, '2025Q5', '2025-00'),
);

/** An enum cell: its codes as written, upper-cased or spaced, or one of its labels. */
function oneOf(codes: readonly string[], labels: readonly string[] = []): Cell {
  return cell(
    fc.oneof(
      { weight: 6, arbitrary: fc.constantFrom(...codes) },
      { weight: 1, arbitrary: fc.constantFrom(...codes).map((c) => ` ${c.toUpperCase()} `) },
      ...(labels.length > 0 ? [{ weight: 2, arbitrary: fc.constantFrom(...labels) }] : []),
    ),
    fc.constantFrom(...JUNK, 'bogus', 'valueOf'),
  );
}
const bool: Cell = oneOf(['true', 'false'], ['是', '否', 'Y', 'n', ' yes ', '0', '1']);
const text: Cell = cell(
  fc.oneof(
    fc.constantFrom(
      '合肥示例商贸有限公司',
      'Acme Trading',
      'C1',
      'S-99',
      'quote "q"',
      'comma, inside',
      'two\nlines',
    ),
    fc.string({ minLength: 1, maxLength: 12 }),
  ),
);
const creditCode: Cell = cell(
  fc.constantFrom('91350100M000100Y43', ' 91350100m000100y43 ', '91510107MA00000825'),
  fc.constantFrom(...JUNK, '91350100M000100Y44', '9135'),
);
const industry: Cell = cell(
  fc.constantFrom('F5123', ' c3572 ', 'A', 'T99'),
  fc.constantFrom(...JUNK, 'Z99', 'F5'),
);
const region: Cell = cell(
  fc.constantFrom('340104', '510107', '110101'),
  fc.constantFrom(...JUNK, '990101', '34010'),
);

/** A repayment grid: month digits, rarely out of range or not a digit (never a space: CSV cells are trimmed). */
const grid = fc.array(
  fc.oneof(
    { weight: 30, arbitrary: fc.constantFrom('0', '0', '0', '1', '2', '7') },
    { weight: 1, arbitrary: fc.constantFrom('8', 'x', '.') },
  ),
  {
    maxLength: 26,
  },
);

const list = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T[]> => fc.array(a, { maxLength: 3 });
const maybe = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> =>
  fc.oneof({ weight: 4, arbitrary: a }, { weight: 1, arbitrary: fc.constant(undefined) });

const report = fc.record({
  facilities: list(
    fc.record({
      type: oneOf(['loan', 'credit_card', 'other'], ['贷款', '信用卡']),
      openDate: date,
      limit: money,
      balance: money,
      overdueDays: count(0, 400),
      overdueAmount: money,
      class: oneOf(
        ['normal', 'special_mention', 'substandard', 'doubtful', 'loss'],
        ['正常', '关注', '次级'],
      ),
      overdueHistory: grid,
    }),
  ),
  guaranteesGiven: list(fc.record({ amount: money, class: oneOf(['normal', 'loss'], ['可疑']) })),
  inquiries: list(
    fc.record({ date, reason: oneOf(['loan_approval', 'guarantee', 'post_loan', 'other'], ['贷后管理']) }),
  ),
});

/** One dirty application in the API's JSON shape, every leaf text; sources present or absent at random. */
export function dirtyApplication(id: string): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .record({
      asOf: date,
      request: fc.record({
        amount: money,
        tenorMonths: count(1, 120),
        purpose: oneOf(['working_capital', 'equipment', 'technology', 'premises', 'other'], ['流动资金']),
        programme: cell(fc.constantFrom('anhui-4321', '', 'p2')),
      }),
      enterprise: maybe(
        fc.record({
          name: text,
          creditCode,
          entityType: oneOf(
            ['company', 'individual_business', 'farmer', 'cooperative'],
            ['个体工商户', '合作社'],
          ),
          industry,
          region,
          establishedDate: date,
          registeredCapital: money,
          paidInCapital: money,
          employees: count(0, 500),
          highTech: bool,
          specialised: bool,
          firstLoan: bool,
        }),
      ),
      owner: maybe(
        fc.record({
          age: count(18, 100),
          maritalStatus: oneOf(['single', 'married', 'divorced', 'widowed'], ['已婚', '离异']),
          householdSize: count(1, 20),
          dependents: count(0, 3),
          annualIncome: money,
          assets: fc.record({ property: money, vehicles: money, deposits: money }),
          liabilities: fc.record({ mortgage: money, consumer: money, business: money }),
        }),
      ),
      tax: maybe(
        fc.record({
          creditGrade: maybe(oneOf(['A', 'B', 'M', 'C', 'D'], ['a', ' b '])),
          filings: list(fc.record({ period, revenue: money, vat: money, incomeTax: money })),
        }),
      ),
      invoices: maybe(
        list(
          fc.record({
            date,
            direction: oneOf(['sales', 'purchase'], ['销项', '进项']),
            amount: money,
            tax: money,
            counterpartyId: text,
            status: oneOf(['valid', 'void', 'red'], ['作废', '红字']),
          }),
        ),
      ),
      bankFlows: maybe(
        list(
          fc.record({
            month,
            inflow: money,
            outflow: money,
            endBalance: signed,
            counterparties: count(0, 99),
          }),
        ),
      ),
      bureau: maybe(fc.record({ enterprise: maybe(report), owner: maybe(report) })),
      judicial: maybe(
        list(
          fc.record({
            date,
            kind: oneOf(['lawsuit', 'enforcement', 'dishonest', 'abnormal_operation', 'penalty'], ['诉讼']),
            role: maybe(oneOf(['plaintiff', 'defendant', 'third_party'], ['被告'])),
            caseType: maybe(oneOf(['lending_dispute', 'contract', 'labor', 'other'], ['合同纠纷'])),
            amount: maybe(money),
            closed: bool,
          }),
        ),
      ),
      utilities: maybe(list(fc.record({ month, electricityKwh: money, waterTons: money, arrears: money }))),
      socialInsurance: maybe(list(fc.record({ month, insuredHeadcount: count(0, 300) }))),
    })
    .map((app) => withoutUndefined({ id, ...app }) as Record<string, unknown>);
}

function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = withoutUndefined(v);
  return out;
}

/**
 * What a CSV directory can say about an application: a blank cell is an absent field, and the nested
 * objects a row spreads over several cells (request, owner assets and liabilities) are absent when all
 * their cells are blank (as is a bureau with neither report).
 */
export function dropBlank(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => dropBlank(v));
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v === 'string' && v.trim() === '') continue;
    const kept = dropBlank(v, k);
    if (kept !== undefined) out[k] = kept;
  }
  // A bureau with neither report lists no bureau source, so the directory has no bureau at all.
  const spread = key === 'request' || key === 'assets' || key === 'liabilities' || key === 'bureau';
  return spread && Object.keys(out).length === 0 ? undefined : out;
}
