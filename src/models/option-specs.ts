import { z } from 'zod';
import { describeValue, RiskError } from '../core/errors.js';

/** One option: its zod schema (with default) and the allowed range in words, for error messages. */
export interface OptionSpec {
  readonly schema: z.ZodType;
  readonly allowed: string;
}

/** An integer option in [lo, hi] with a default, and what it means (shown by `train --help-params`). */
export const intOption = (lo: number, hi: number, def: number, meaning?: string): OptionSpec => ({
  schema:
    meaning === undefined
      ? z.number().int().min(lo).max(hi).default(def)
      : z.number().int().min(lo).max(hi).default(def).describe(meaning),
  allowed: `an integer in [${lo}, ${hi}]`,
});

/** The strict zod object of an option table (unknown keys are rejected, so a misspelt option is not ignored). */
export function specsSchema<S extends Record<string, OptionSpec>>(
  specs: S,
): z.ZodObject<{ [K in keyof S]: S[K]['schema'] }, z.core.$strict> {
  const shape = Object.fromEntries(Object.entries(specs).map(([k, spec]) => [k, spec.schema]));
  return z.strictObject(shape) as unknown as z.ZodObject<{ [K in keyof S]: S[K]['schema'] }, z.core.$strict>;
}

/**
 * Validates and defaults options against an option table (scikit-learn's parameter constraints as data).
 * @throws E_OPTIONS_INVALID naming the first bad option (`hiddenLayers[0]`, `monotoneConstraints.x`), its
 *   allowed range and the value received; or the unknown options and the known ones
 */
export function parseSpecOptions(
  family: string,
  specs: Readonly<Record<string, OptionSpec>>,
  schema: z.ZodType,
  options: unknown,
): unknown {
  const parsed = schema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0] as z.core.$ZodIssue;
  const issues = parsed.error.issues.map((i) => ({
    path: i.path.map(pathKey),
    message: i.message,
    code: i.code,
  }));
  if (issue.code === 'unrecognized_keys') {
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `${family} option ${issue.keys.join(', ')} is not known; known options are ${Object.keys(specs).join(', ')}`,
      { path: issue.keys, issues },
    );
  }
  const key = String(issue.path[0] ?? '(root)');
  const spec = specs[key];
  let received: unknown = options;
  for (const p of issue.path) received = (received as Record<PropertyKey, unknown> | undefined)?.[p];
  const where =
    key +
    issue.path
      .slice(1)
      .map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
      .join('');
  throw new RiskError(
    'E_OPTIONS_INVALID',
    `${family} option ${where} must be ${spec?.allowed ?? 'valid'}, received ${describeValue(received)}`,
    { path: issue.path.map(pathKey), expected: spec?.allowed ?? 'valid', received, issues },
  );
}

function pathKey(p: PropertyKey): string | number {
  return typeof p === 'number' ? p : String(p);
}
