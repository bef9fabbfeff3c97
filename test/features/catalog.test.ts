import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RiskError } from '../../src/core/errors.js';
import {
  type CatalogEntryInput,
  describeFeature,
  getDefaultCatalog,
  loadCatalog,
  validateCatalog,
} from '../../src/features/catalog.js';
import { registerCustomFeature } from '../../src/features/custom.js';
import { compileCatalog } from '../../src/features/plan.js';

const base: CatalogEntryInput = {
  name: 'req_amount',
  source: 'request',
  aggregation: 'value',
  field: 'amount',
  unit: 'yuan',
  direction: 'increasing',
  description: { zh: '申请金额', en: 'Requested amount' },
};

/** Runs fn and returns the RiskError it throws (failing the test when it throws nothing or another error). */
function caught(fn: () => unknown): RiskError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RiskError);
    return err as RiskError;
  }
  throw new Error('expected a RiskError, nothing was thrown');
}

describe('catalog validation', () => {
  it('accepts a minimal entry and applies the defaults', () => {
    const c = validateCatalog([base]);
    expect(c.entries[0]).toMatchObject({
      type: 'numeric',
      includeAsOfMonth: false,
      filters: {},
      missing: { onUndefined: 'nan', special: [] },
    });
  });

  it('names the entry, its index and the field of a bad value', () => {
    const e = caught(() => validateCatalog([base, { ...base, name: 'up_amount', direction: 'up' }]));
    expect(e.code).toBe('E_FEATURE_CATALOG');
    expect(e.message).toContain('catalog entry 1 "up_amount"');
    expect(e.message).toContain('direction');
    expect(e.message).toContain('"up"');
    expect(e.details).toMatchObject({ index: 1, entry: 'up_amount', path: ['direction'] });
  });

  it('rejects an unknown source', () => {
    const e = caught(() => validateCatalog([{ ...base, source: 'weather' }]));
    expect(e.code).toBe('E_FEATURE_CATALOG');
    expect(e.details.path).toEqual(['source']);
    expect(e.message).toContain('"weather"');
  });

  it('rejects duplicate names, pointing at the first definition', () => {
    const e = caught(() => validateCatalog([base, { ...base, field: 'tenorMonths' }]));
    expect(e.details).toMatchObject({ index: 1, entry: 'req_amount', path: ['name'] });
    expect(e.message).toContain('duplicate name, first defined at catalog entry 0');
  });

  it('rejects a ratio that references an unknown feature', () => {
    const ratio: CatalogEntryInput = {
      ...base,
      name: 'amount_per_nothing',
      source: 'derived',
      aggregation: 'ratio',
      numerator: 'req_amount',
      denominator: 'no_such_feature',
      field: undefined,
    };
    delete (ratio as { field?: string }).field;
    const e = caught(() => validateCatalog([base, ratio]));
    expect(e.details).toMatchObject({ entry: 'amount_per_nothing', path: ['denominator'] });
    expect(e.message).toContain('unknown feature "no_such_feature"');
  });

  it('rejects features that depend on themselves', () => {
    const ratio = (name: string, num: string): CatalogEntryInput => ({
      name,
      source: 'derived',
      aggregation: 'ratio',
      numerator: num,
      denominator: 'req_amount',
      unit: 'ratio',
      direction: 'none',
      description: { zh: '比', en: 'ratio' },
    });
    const e = caught(() => validateCatalog([base, ratio('a', 'b'), ratio('b', 'a')]));
    expect(e.message).toContain('depends on itself');
  });

  it('checks fields, filters, windows and types against the source registry', () => {
    const invoices: CatalogEntryInput = {
      ...base,
      name: 'inv',
      source: 'invoices',
      aggregation: 'sum',
      field: 'amount',
      window: 12,
    };
    expect(caught(() => validateCatalog([{ ...invoices, field: 'weight' }])).details.path).toEqual(['field']);
    const badFilter = caught(() => validateCatalog([{ ...invoices, filters: { status: 'lost' } }]));
    expect(badFilter.details.path).toEqual(['filters.status']);
    expect(badFilter.message).toContain('expected one of valid, void, red, received "lost"');
    expect(caught(() => validateCatalog([{ ...invoices, filters: { colour: 'red' } }])).details.path).toEqual(
      ['filters.colour'],
    );
    const noWindow = { ...invoices, aggregation: 'mean' as const };
    delete (noWindow as { window?: number }).window;
    expect(caught(() => validateCatalog([noWindow])).details.path).toEqual(['window']);
    expect(
      caught(() => validateCatalog([{ ...invoices, aggregation: 'growth', window: 61 }])).message,
    ).toContain('2 × window must be ≤ 120');
    expect(caught(() => validateCatalog([{ ...base, type: 'categorical' }])).details.path).toEqual(['type']);
    expect(caught(() => validateCatalog([{ ...base, window: 3 }])).details.path).toEqual(['window']);
    expect(
      caught(() => validateCatalog([{ ...invoices, aggregation: 'mean', includeAsOfMonth: true }])).details
        .path,
    ).toEqual(['includeAsOfMonth']);
    // A bureau source has three tables and needs one named.
    expect(
      caught(() => validateCatalog([{ ...invoices, source: 'bureau.owner', field: 'balance' }])).details.path,
    ).toEqual(['table']);
    // A level field (month-end balance) cannot be summed.
    expect(
      caught(() => validateCatalog([{ ...invoices, source: 'bankFlows', field: 'endBalance' }])).message,
    ).toContain('sum needs a flow field');
  });

  it('rejects a description without zh or en', () => {
    const e = caught(() => validateCatalog([{ ...base, description: { zh: '', en: 'x' } }]));
    expect(e.details.path).toEqual(['description.zh']);
  });

  it('refuses to compile a custom feature whose function is not registered', () => {
    const custom: CatalogEntryInput = {
      ...base,
      name: 'mystery',
      aggregation: 'custom',
      function: 'no_such_fn',
    };
    delete (custom as { field?: string }).field;
    const e = caught(() => compileCatalog(validateCatalog([custom])));
    expect(e.code).toBe('E_FEATURE_CATALOG');
    expect(e.details).toMatchObject({ entry: 'mystery', path: ['function'] });
  });

  it('refuses a second function under a registered name', () => {
    const fn = (): number => 1;
    registerCustomFeature('test_catalog_once', fn);
    registerCustomFeature('test_catalog_once', fn);
    expect(caught(() => registerCustomFeature('test_catalog_once', () => 2)).code).toBe('E_FEATURE_CATALOG');
  });
});

describe('loadCatalog', () => {
  it('names the file and the entry index inside it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rongdan-catalog-'));
    writeFileSync(join(dir, '10-a.json'), JSON.stringify({ features: [base] }));
    writeFileSync(
      join(dir, '20-b.json'),
      JSON.stringify({
        features: [
          { ...base, name: 'x2' },
          { ...base, name: 'x3', unit: '' },
        ],
      }),
    );
    const e = caught(() => loadCatalog(dir));
    expect(e.message).toContain('features/20-b.json entry 1 "x3" (catalog index 2): unit');
    expect(e.details).toMatchObject({ file: 'features/20-b.json', index: 1, position: 2 });
  });

  it('reads files in name order and rejects a file that is not JSON', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rongdan-catalog-'));
    writeFileSync(join(dir, '20-b.json'), JSON.stringify({ features: [{ ...base, name: 'second' }] }));
    writeFileSync(join(dir, '10-a.json'), JSON.stringify({ features: [base] }));
    expect(loadCatalog(dir).entries.map((e) => e.name)).toEqual(['req_amount', 'second']);
    writeFileSync(join(dir, '30-c.json'), '{ "features": [ ');
    expect(caught(() => loadCatalog(dir)).message).toContain('features/30-c.json: not valid JSON');
  });
});

describe('the repository catalog', () => {
  const catalog = getDefaultCatalog();

  it('has at least 60 features touching every source', () => {
    expect(catalog.entries.length).toBeGreaterThanOrEqual(60);
    const sources = new Set(catalog.entries.map((e) => e.source));
    for (const s of [
      'request',
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
    ]) {
      expect(sources.has(s as never), s).toBe(true);
    }
  });

  it('describes every feature in Chinese and English with a unit and a direction', () => {
    for (const e of catalog.entries) {
      expect(e.description.zh, e.name).toMatch(/[\u4e00-\u9fff]/);
      expect(e.description.en, e.name).toMatch(/[A-Za-z]/);
      expect(e.unit.length, e.name).toBeGreaterThan(0);
      expect(['increasing', 'decreasing', 'none'], e.name).toContain(e.direction);
    }
  });

  it('marks the categorical features (tax grade, industry, entity type, province) and only those', () => {
    const categorical = catalog.entries.filter((e) => e.type === 'categorical').map((e) => e.name);
    expect(categorical).toEqual(
      expect.arrayContaining(['tax_grade', 'ent_industry_section', 'ent_entity_type', 'ent_province']),
    );
    for (const e of catalog.entries.filter((x) => x.type === 'categorical'))
      expect(e.aggregation).toBe('value');
  });

  it('covers the families the issue names', () => {
    const names = new Set(catalog.entries.map((e) => e.name));
    const aggregations = new Set(catalog.entries.map((e) => e.aggregation));
    for (const a of [
      'sum',
      'mean',
      'growth',
      'slope',
      'cv',
      'count',
      'months_since',
      'top_share',
      'hhi',
      'ratio',
      'custom',
    ])
      expect(aggregations.has(a as never), a).toBe(true);
    for (const w of [3, 6, 12])
      expect(
        catalog.entries.some((e) => e.window === w),
        `window ${w}`,
      ).toBe(true);
    for (const n of [
      'inv_void_ratio_12m',
      'inv_red_ratio_12m',
      'tax_grade',
      'bureau_ent_overdue_amount',
      'bureau_owner_inquiries_3m',
      'jud_defendant_count_24m',
      'owner_debt_to_income',
      'owner_leverage',
      'ent_years_in_business',
      'exposure_to_tax_revenue_12m',
      'bureau_ent_lian3_lei6',
    ])
      expect(names.has(n), n).toBe(true);
  });

  it('compiles, and describeFeature returns the texts the scorecard shows', () => {
    expect(compileCatalog(catalog).names.length).toBe(catalog.entries.length);
    expect(describeFeature('tax_revenue_growth_12m')).toEqual({
      zh: '近12个月纳税申报收入同比增长率',
      en: 'Growth of declared revenue, last 12 months over the 12 before',
      unit: 'ratio',
      direction: 'decreasing',
    });
    expect(describeFeature('no_such_feature')).toBeUndefined();
  });
});
