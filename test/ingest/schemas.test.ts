import { describe, expect, it } from 'vitest';
import { RiskError } from '../../src/core/errors.js';
import {
  applicationSchema,
  bankFlowSchema,
  enterpriseSchema,
  facilitySchema,
  invoiceSchema,
  judicialRecordSchema,
  loanRequestSchema,
  ownerSchema,
  socialInsuranceMonthSchema,
  taxFilingSchema,
  taxSchema,
  utilityMonthSchema,
} from '../../src/ingest/schemas.js';
import { parseApplication, validate } from '../../src/ingest/validate.js';
import { fullApplication, thinApplication } from '../fixtures/applications.js';

/** The messages of the issues a record raises (each starts with the field path). */
function problems(schema: Parameters<typeof validate>[0], value: unknown): string[] {
  const r = validate(schema, value);
  return r.ok ? [] : r.issues.map((i) => i.message);
}

const full = fullApplication();

describe('source schemas', () => {
  it('accept the full fixture and keep absent sources absent', () => {
    const app = parseApplication(full);
    expect(app.tax?.filings).toHaveLength(3);
    const thin = parseApplication(thinApplication());
    expect(thin.tax).toBeUndefined();
    expect(thin.invoices).toBeUndefined();
    expect(thin.enterprise?.employees).toBe(12);
  });

  it('enterprise: rejects a bad credit code, industry, region and date, naming each field', () => {
    const msgs = problems(enterpriseSchema, {
      ...full.enterprise,
      creditCode: '91350100M000100Y44',
      industry: 'Z99',
      region: '990101',
      establishedDate: '2021-02-29',
    });
    expect(msgs).toEqual([
      'creditCode: invalid unified social credit code: check character should be 3, received 4',
      'industry: expected a GB/T 4754 code: a letter A-T then 0, 2, 3 or 4 digits, received "Z99"',
      'region: the first two digits must be a province code 11-82, received "990101"',
      'establishedDate: expected a real calendar date YYYY-MM-DD, received "2021-02-29"',
    ]);
  });

  it('enterprise: normalises Chinese labels, text numbers and booleans', () => {
    const r = validate(enterpriseSchema, {
      ...full.enterprise,
      entityType: '个体工商户',
      registeredCapital: '1,200,000',
      highTech: '是',
      creditCode: ' 91350100m000100y43 ',
    });
    expect(r.ok && r.value).toMatchObject({
      entityType: 'individual_business',
      registeredCapital: 1_200_000,
      highTech: true,
      creditCode: '91350100M000100Y43',
    });
  });

  it('owner: dependents must be fewer than the household; age bounds', () => {
    expect(problems(ownerSchema, { ...full.owner, dependents: 4 })).toEqual([
      'dependents: dependents must be fewer than householdSize, received 4',
    ]);
    expect(problems(ownerSchema, { ...full.owner, age: 17 })[0]).toMatch(/^age: .*>=18/);
    expect(problems(ownerSchema, { ...full.owner, maritalStatus: '已婚' })).toEqual([]);
  });

  it('tax: grade and period formats', () => {
    expect(problems(taxSchema, { creditGrade: 'E', filings: [] })[0]).toMatch(/^creditGrade: /);
    expect(problems(taxFilingSchema, { period: '2025-13', revenue: 1, vat: 0, incomeTax: 0 })).toEqual([
      'period: expected a month YYYY-MM or a quarter YYYYQn, received "2025-13"',
    ]);
    expect(problems(taxFilingSchema, { period: '2025q2', revenue: 1, vat: 0, incomeTax: 0 })).toEqual([]);
  });

  it('invoices: negative amounts and unknown statuses are rejected', () => {
    const inv = full.invoices?.[0];
    expect(problems(invoiceSchema, { ...inv, amount: -5 })[0]).toMatch(/^amount: .*>=0/);
    expect(problems(invoiceSchema, { ...inv, status: 'lost' })[0]).toMatch(/^status: Invalid option/);
    expect(problems(invoiceSchema, { ...inv, status: '作废', direction: '销项' })).toEqual([]);
  });

  it('bank flows, utilities and social insurance: month format and counts', () => {
    expect(problems(bankFlowSchema, { ...full.bankFlows?.[0], month: '2025-4' })).toEqual([
      'month: expected a month YYYY-MM, received "2025-4"',
    ]);
    expect(
      problems(utilityMonthSchema, { month: '2025-01', electricityKwh: 1, waterTons: -1, arrears: 0 })[0],
    ).toMatch(/^waterTons: /);
    expect(problems(socialInsuranceMonthSchema, { month: '2025-01', insuredHeadcount: 2.5 })[0]).toMatch(
      /^insuredHeadcount: .*expected int/,
    );
  });

  it('bureau: five-tier class labels and the 24-month grid', () => {
    const f = full.bureau?.enterprise?.facilities[0];
    expect(problems(facilitySchema, { ...f, class: '次级' })).toEqual([]);
    expect(problems(facilitySchema, { ...f, class: 'bad' })[0]).toMatch(/^class: /);
    expect(problems(facilitySchema, { ...f, overdueHistory: new Array(25).fill(0) })[0]).toMatch(
      /^overdueHistory: /,
    );
  });

  it('judicial: a lawsuit needs a role', () => {
    expect(problems(judicialRecordSchema, { date: '2024-01-01', kind: 'lawsuit' })).toEqual([
      'role: a lawsuit needs a role (plaintiff, defendant or third_party), received empty',
    ]);
    expect(problems(judicialRecordSchema, { date: '2024-01-01', kind: '失信被执行人' })).toEqual([]);
  });

  it('request: amount positive, tenor 1-120 months', () => {
    expect(problems(loanRequestSchema, { amount: 0, tenorMonths: 12, purpose: 'other' })[0]).toMatch(
      /^amount: /,
    );
    expect(problems(loanRequestSchema, { amount: 1, tenorMonths: 121, purpose: 'other' })[0]).toMatch(
      /^tenorMonths: /,
    );
  });

  it('unknown keys are rejected rather than silently dropped', () => {
    expect(problems(applicationSchema, { ...full, extra: 1 })).toEqual(['(root): Unrecognized key: "extra"']);
  });

  it('parseApplication throws E_INPUT_INVALID with every issue and its path', () => {
    try {
      parseApplication({
        ...full,
        asOf: '2025-02-30',
        invoices: [{ ...full.invoices?.[0], amount: 'lots' }],
      });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(RiskError);
      const e = err as RiskError;
      expect(e.code).toBe('E_INPUT_INVALID');
      expect(e.details.issues?.map((i) => i.path.join('.'))).toEqual(['asOf', 'invoices.0.amount']);
    }
  });
});
