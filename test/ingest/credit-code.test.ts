import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CREDIT_CODE_CHARSET,
  creditCodeCheckChar,
  creditCodeProblem,
  isValidCreditCode,
  makeCreditCode,
} from '../../src/ingest/credit-code.js';

describe('unified social credit code (GB 32100)', () => {
  it('accepts published codes and computes their check character', () => {
    // Real codes printed on public business licences.
    expect(isValidCreditCode('91350100M000100Y43')).toBe(true);
    expect(isValidCreditCode('91110000802100433B')).toBe(true);
    expect(creditCodeCheckChar('91350100M000100Y4')).toBe('3');
    expect(creditCodeCheckChar('91110000802100433')).toBe('B');
  });

  it('names what is wrong', () => {
    expect(creditCodeProblem('91350100M000100Y44')).toBe('check character should be 3, received 4');
    expect(creditCodeProblem('9135010')).toBe('expected 18 characters, received 7');
    expect(creditCodeProblem('91350100M0001I0Y43')).toMatch(/character 14 \(I\) is not allowed/);
    expect(creditCodeProblem('91ABCDEFM000100Y43')).toMatch(/6-digit administrative region/);
  });

  it('a code built by makeCreditCode is valid, and any one-character change breaks it', () => {
    const body = fc.stringMatching(/^[0-9A-HJ-NPQRTUWXY]{9}$/);
    fc.assert(
      fc.property(body, fc.integer({ min: 0, max: 16 }), fc.integer({ min: 1, max: 30 }), (b, pos, shift) => {
        const code = makeCreditCode('91', '340104', b);
        expect(isValidCreditCode(code)).toBe(true);
        if (pos >= 2 && pos < 8) return; // region digits must stay digits; covered above
        const chars = code.split('');
        const old = CREDIT_CODE_CHARSET.indexOf(chars[pos] as string);
        chars[pos] = CREDIT_CODE_CHARSET[(old + shift) % 31] as string;
        // The weights are invertible mod 31, so any single substitution changes the check character.
        expect(isValidCreditCode(chars.join(''))).toBe(false);
      }),
      { seed: 7, numRuns: 300 },
    );
  });
});
