import { describe, expect, it } from 'vitest';
import { RiskError } from '../../src/core/errors.js';
import { isValidCreditCode } from '../../src/ingest/credit-code.js';
import { APPLICATIONS_FILE, SOURCE_FILES } from '../../src/ingest/layout.js';
import { SOURCES } from '../../src/ingest/schemas.js';
import { parseApplication } from '../../src/ingest/validate.js';
import { INDUSTRIES } from '../../src/samples/catalog/industries.js';
import { REGIONS } from '../../src/samples/catalog/regions.js';
import { generateApplications } from '../../src/samples/generate.js';

describe('generated applications', () => {
  const clean = [...generateApplications({ n: 1500, seed: 21, months: 12, dirty: 0 })];

  it('all pass parseApplication when no dirty values are asked for', () => {
    let failures = 0;
    for (const g of clean) {
      try {
        parseApplication(g.application);
      } catch {
        failures++;
      }
    }
    expect(failures).toBe(0);
    expect(clean.every((g) => g.dirt.length === 0)).toBe(true);
  });

  it('carry valid, unique credit codes built from the region and entity type', () => {
    const codes = clean.flatMap((g) =>
      g.application.enterprise ? [String(g.application.enterprise.creditCode)] : [],
    );
    expect(codes.length).toBeGreaterThan(1300);
    expect(codes.every(isValidCreditCode)).toBe(true);
    expect(new Set(codes).size).toBe(codes.length);
    for (const g of clean) {
      const e = g.application.enterprise;
      if (e === undefined) continue;
      expect(String(e.creditCode).slice(2, 8)).toBe(e.region);
      expect(String(e.creditCode).slice(0, 2)).toBe(g.profile.entity.codePrefix);
    }
  });

  it('draw industries and regions from the catalogs, with individual businesses and farmers common', () => {
    const industries = new Set(INDUSTRIES.map((i) => i.code));
    const regions = new Set(REGIONS.map((r) => r.code));
    const types: Record<string, number> = {};
    const provinces = new Set<string>();
    for (const g of clean) {
      expect(industries.has(g.profile.industry.code)).toBe(true);
      expect(regions.has(g.profile.region.code)).toBe(true);
      types[g.profile.entity.type] = (types[g.profile.entity.type] ?? 0) + 1;
      provinces.add(g.profile.region.code.slice(0, 2));
    }
    expect([...provinces].sort()).toEqual(['33', '34', '35', '41', '43', '51']);
    expect((types.individual_business ?? 0) + (types.farmer ?? 0)).toBeGreaterThan(0.5 * clean.length);
    expect(types.cooperative ?? 0).toBeGreaterThan(0.03 * clean.length);
    // Farmers farm.
    for (const g of clean)
      if (g.profile.entity.type === 'farmer') expect(g.profile.industry.code[0]).toBe('A');
  });

  it('leaves some sources absent, and absence differs from present-but-empty', () => {
    const absent = Object.fromEntries(SOURCES.map((s) => [s, 0]));
    let emptyInvoices = 0;
    for (const g of clean) {
      const app = g.application as Record<string, unknown>;
      for (const s of SOURCES) if (app[s] === undefined) absent[s] = (absent[s] ?? 0) + 1;
      if (Array.isArray(app.invoices) && app.invoices.length === 0) emptyInvoices++;
    }
    for (const s of SOURCES) {
      expect(absent[s], s).toBeGreaterThan(0);
      expect(absent[s], s).toBeLessThan(clean.length);
    }
    // Farmers rarely file taxes; most companies do.
    const farmersWithTax = clean.filter(
      (g) => g.profile.entity.type === 'farmer' && g.application.tax,
    ).length;
    const farmers = clean.filter((g) => g.profile.entity.type === 'farmer').length;
    expect(farmersWithTax / farmers).toBeLessThan(0.3);
    expect(emptyInvoices).toBeGreaterThan(10);
  });

  it('date monthly rows inside the history window before the as-of date', () => {
    for (const g of clean.slice(0, 300)) {
      const asOf = g.application.asOf as string;
      const last = asOf.slice(0, 7);
      for (const row of g.application.bankFlows ?? []) expect((row.month as string) < last).toBe(true);
      for (const inv of g.application.invoices ?? []) expect((inv.date as string) < asOf).toBe(true);
      expect((g.application.bankFlows ?? []).length).toBeLessThanOrEqual(12);
    }
  });

  it('with dirty values: exactly the applications with an invalid cell are rejected, naming that field', () => {
    const dirty = [...generateApplications({ n: 800, seed: 22, months: 12, dirty: 0.05, invalidShare: 0.3 })];
    const byFile = new Map([APPLICATIONS_FILE, ...SOURCE_FILES].map((l) => [l.file, l]));
    let rejected = 0;
    let benignOnly = 0;
    for (const g of dirty) {
      const invalid = g.dirt.filter((d) => !d.valid);
      if (invalid.length === 0) {
        if (g.dirt.length > 0) benignOnly++;
        expect(() => parseApplication(g.application)).not.toThrow();
        continue;
      }
      rejected++;
      let err: unknown;
      try {
        parseApplication(g.application);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(RiskError);
      expect((err as RiskError).code).toBe('E_INPUT_INVALID');
      const issuePaths = ((err as RiskError).details.issues ?? []).map((i) => i.path.join('.'));
      for (const mark of invalid) {
        const layout = byFile.get(mark.file);
        const path = layout?.columns.find(([c]) => c === mark.column)?.[1] ?? [];
        const leaf = path[path.length - 1] as string;
        expect(
          issuePaths.some((p) => p.endsWith(leaf)),
          `${mark.file} ${mark.column} in ${issuePaths}`,
        ).toBe(true);
      }
    }
    expect(rejected).toBeGreaterThan(20);
    expect(benignOnly).toBeGreaterThan(50);
  });
});
