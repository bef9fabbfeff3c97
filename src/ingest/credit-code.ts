/**
 * The unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from a 31-character set
 * (digits and capitals without I, O, Z, S, V); the 18th is a check character computed modulo 31 from the
 * first 17 with weights 3^i mod 31.
 */
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The check character for the first 17 characters, or undefined when one is outside the charset. */
export function creditCodeCheckChar(first17: string): string | undefined {
  if (first17.length !== 17) return undefined;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = CHARSET.indexOf(first17[i] as string);
    if (v < 0) return undefined;
    sum += v * (WEIGHTS[i] as number);
  }
  return CHARSET[(31 - (sum % 31)) % 31];
}

/** Why a code is invalid, or undefined when it is valid. */
export function creditCodeProblem(code: string): string | undefined {
  if (code.length !== 18) return `expected 18 characters, received ${code.length}`;
  for (let i = 0; i < 18; i++) {
    if (!CHARSET.includes(code[i] as string)) {
      return `character ${i + 1} (${code[i]}) is not allowed (digits and capitals except I, O, Z, S, V)`;
    }
  }
  if (!/^\d{6}$/.test(code.slice(2, 8))) return 'characters 3-8 must be a 6-digit administrative region code';
  const expected = creditCodeCheckChar(code.slice(0, 17));
  if (expected !== code[17]) return `check character should be ${expected}, received ${code[17]}`;
  return undefined;
}

/** True when the code passes the GB 32100 checks. */
export function isValidCreditCode(code: string): boolean {
  return creditCodeProblem(code) === undefined;
}

/**
 * Builds a valid code from its parts (for the sample generator and tests): authority '9' + category '1'
 * (enterprise) or '2' (individual business), a region, and a 9-character organisation body.
 * @example makeCreditCode('91', '330100', 'MA2H3K4L5') // '91330100MA2H3K4L5' + check
 */
export function makeCreditCode(prefix: string, region: string, body: string): string {
  const first17 = `${prefix}${region}${body}`;
  const check = creditCodeCheckChar(first17);
  if (check === undefined) throw new Error(`cannot build a credit code from ${first17}`);
  return first17 + check;
}

/** The 31 characters a code may contain. */
export const CREDIT_CODE_CHARSET = CHARSET;
