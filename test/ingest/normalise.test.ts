import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RiskError } from '../../src/core/errors.js';
import { fieldNormaliser, plainDecimal } from '../../src/ingest/normalise.js';
import { applicationSchema, normaliseApplication } from '../../src/ingest/schemas.js';

describe('plainDecimal', () => {
  it('reads a plain decimal exactly as Number does, to the last bit and the sign of zero', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^-?[0-9]{0,16}(\.[0-9]{0,16})?$/), (s) => {
        const v = plainDecimal(s);
        // NaN hands the text to the general path; a number must be Number's own.
        if (!Number.isNaN(v)) expect(Object.is(v, Number(s))).toBe(true);
      }),
      { numRuns: 20_000, seed: 5 },
    );
    expect([plainDecimal('90636.75'), plainDecimal('-0'), plainDecimal('.5'), plainDecimal('7.')]).toEqual([
      90636.75, -0, 0.5, 7,
    ]);
  });

  it('leaves every other spelling to the general path', () => {
    for (const s of ['', '-', '.', '1.2.3', ' 1', '+1', '1,000', '1e3', '0x10', '１２', '1234567890123456'])
      expect(plainDecimal(s)).toBeNaN();
  });
});

describe('fieldNormaliser', () => {
  it("gives, per cell, what normalising the whole application gives that cell's field", () => {
    const cells: [string[], string, unknown][] = [
      [['request', 'amount'], ' 1,200.5 ', 1200.5],
      [['invoices', 'status'], '作废', 'void'],
      [['invoices', 'status'], ' VALID ', 'valid'],
      [['enterprise', 'industry'], ' c3572 ', 'C3572'],
      [['enterprise', 'highTech'], '是', true],
      [['tax', 'creditGrade'], 'b', 'B'],
      [['bureau', 'owner', 'facilities', 'overdueHistory'], '3', 3],
      [['owner', 'assets', 'property'], 'lots', 'lots'],
    ];
    for (const [path, cell, expected] of cells)
      expect(fieldNormaliser(applicationSchema, path)(cell)).toEqual(expected);
    // Even where the whole-record normaliser is odd (a prototype key read as an alias), the cell agrees.
    const whole = normaliseApplication({ invoices: [{ status: 'constructor' }] }) as {
      invoices: { status: unknown }[];
    };
    expect(fieldNormaliser(applicationSchema, ['invoices', 'status'])('constructor')).toBe(
      whole.invoices[0]?.status,
    );
  });

  it('refuses a path that is not a field of the schema', () => {
    expect(() => fieldNormaliser(applicationSchema, ['invoices', 'colour'])).toThrow(RiskError);
  });
});
