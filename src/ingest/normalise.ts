import type { z } from 'zod';
import { RiskError } from '../core/errors.js';

/**
 * Normalisation of loose input before validation, derived from the canonical schemas themselves so that
 * there is one description of each field: strings are trimmed (and upper-cased where the schema says so),
 * numbers written as text ("1,234.5") become numbers, yes/no words become booleans, and registered labels
 * (个体工商户, 已婚, 作废 …) become the canonical enum codes. Anything it cannot read is left as it was, for
 * the schema to reject with a message naming the field.
 *
 * Why not zod's preprocess: a preprocess pipe per field made validation 3× slower (1 µs per invoice), and
 * the CSV reader validates millions of records.
 */

const ALIASES = new WeakMap<object, Readonly<Record<string, string>>>();
const UPPER = new WeakSet<object>();

/** Declares labels that normalise to an enum's canonical codes. */
export function withAliases<T extends z.ZodType>(schema: T, aliases: Readonly<Record<string, string>>): T {
  ALIASES.set(schema, aliases);
  return schema;
}

/** Declares that a string field is upper-cased before validation (codes such as 91350100M000100Y43). */
export function upperCased<T extends z.ZodType>(schema: T): T {
  UPPER.add(schema);
  return schema;
}

type Normaliser = (value: unknown) => unknown;
const identity: Normaliser = (v) => v;

/** Powers of ten, each exact in a double. */
const POW10 = Array.from({ length: 16 }, (_, i) => 10 ** i);

/**
 * The value of a plain decimal such as "1234.56", "-7" or ".5" exactly as `Number` reads it, or NaN for
 * any other text (spaces, a plus sign, separators, exponents, more than 15 digits). Exact because the
 * digits form an integer below 2^53 and the power of ten is exact, so the one division is correctly
 * rounded, as `Number` is. Most numeric cells of a CSV file take this path, which spares the trim, the
 * separator check and `Number`'s call into the runtime.
 * @example plainDecimal('90636.75') // 90636.75; plainDecimal('1,200') // NaN
 */
export function plainDecimal(s: string): number {
  const n = s.length;
  if (n === 0 || n > 17) return Number.NaN;
  let i = s.charCodeAt(0) === 45 ? 1 : 0;
  let mantissa = 0;
  let digits = 0;
  let decimals = -1;
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      mantissa = mantissa * 10 + (c - 48);
      digits++;
      if (decimals >= 0) decimals++;
    } else if (c === 46 && decimals < 0) decimals = 0;
    else return Number.NaN;
  }
  if (digits === 0 || digits > 15) return Number.NaN;
  const value = decimals > 0 ? mantissa / (POW10[decimals] as number) : mantissa;
  return s.charCodeAt(0) === 45 ? -value : value;
}

function numberish(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const plain = plainDecimal(v);
  if (!Number.isNaN(plain)) return plain;
  const t = v.indexOf(',') >= 0 ? v.trim().replace(/,/g, '') : v.trim();
  if (t === '') return undefined;
  const n = Number(t);
  return Number.isFinite(n) ? n : v;
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', '是']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', '否']);
function boolish(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  const t = v.trim().toLowerCase();
  if (TRUE_WORDS.has(t)) return true;
  if (FALSE_WORDS.has(t)) return false;
  return v;
}

function enumNormaliser(
  aliases: Readonly<Record<string, string>> | undefined,
  values: readonly string[],
): Normaliser {
  const slow = (t: string): unknown => aliases?.[t] ?? aliases?.[t.toLowerCase()] ?? t.toLowerCase();
  // Most cells hold a value exactly as the enum spells it: answer those from a table of what the slow
  // path gives them (two case conversions and two alias probes cost more than the rest of the cell).
  const known = new Map<string, unknown>(values.map((c) => [c, slow(c)]));
  return (v) => {
    if (typeof v !== 'string') return v;
    const hit = known.get(v);
    return hit !== undefined ? hit : slow(v.trim());
  };
}

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  entries?: Record<string, string | number>;
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

const COMPILED = new WeakMap<object, Normaliser>();
const COMPILED_IN_PLACE = new WeakMap<object, Normaliser>();

/**
 * The normaliser of a schema, built once and cached. `inPlace` rewrites the caller's objects instead of
 * copying them: for readers that built the objects themselves (it halves the garbage per record).
 */
export function normaliserOf(schema: z.ZodType, inPlace = false): Normaliser {
  const cache = inPlace ? COMPILED_IN_PLACE : COMPILED;
  let n = cache.get(schema);
  if (n === undefined) {
    n = compileNormaliser(schema, inPlace);
    cache.set(schema, n);
  }
  return n;
}

/** Builds the normaliser of a schema; call the result on each record. */
export function compileNormaliser(schema: z.ZodType, inPlace = false): Normaliser {
  const def = defOf(schema);
  switch (def.type) {
    case 'object': {
      const fields = Object.entries(def.shape ?? {}).map(
        ([k, s]) => [k, compileNormaliser(s, inPlace)] as const,
      );
      return (v) => {
        if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
        const src = v as Record<string, unknown>;
        const out: Record<string, unknown> = inPlace ? src : { ...src };
        for (const [k, f] of fields) {
          if (k in src) {
            const n = f(src[k]);
            if (n === undefined) delete out[k];
            else out[k] = n;
          }
        }
        return out;
      };
    }
    case 'array': {
      const el = compileNormaliser(def.element as z.ZodType, inPlace);
      return (v) => {
        if (!Array.isArray(v)) return v;
        if (!inPlace) return v.map(el);
        for (let i = 0; i < v.length; i++) v[i] = el(v[i]);
        return v;
      };
    }
    case 'optional':
    case 'default':
    case 'nullable':
    case 'readonly':
      return compileNormaliser(def.innerType as z.ZodType, inPlace);
    case 'number':
      return numberish;
    case 'boolean':
      return boolish;
    case 'enum':
      return enumNormaliser(
        ALIASES.get(schema),
        Object.values(def.entries ?? {}).filter((e): e is string => typeof e === 'string'),
      );
    case 'string':
      return UPPER.has(schema)
        ? (v) => (typeof v === 'string' ? v.trim().toUpperCase() : v)
        : (v) => (typeof v === 'string' ? v.trim() : v);
    default:
      return identity;
  }
}

const WRAPPERS = new Set(['optional', 'default', 'nullable', 'readonly']);

/** The schema inside wrappers (optional, default …) and list elements. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    if (def.type === 'array') s = def.element as z.ZodType;
    else if (def.innerType !== undefined && WRAPPERS.has(def.type)) s = def.innerType;
    else return s;
  }
}

/**
 * The in-place normaliser of the field at `path` inside a schema, list elements stepped through (so
 * ['invoices', 'amount'] names each invoice's amount, and ['bureau', 'owner', 'facilities',
 * 'overdueHistory'] each entry of the grid). A reader that builds records cell by cell applies it to each
 * cell, which gives what normalising the whole record would, without walking the record again.
 * @throws E_INPUT_INVALID when the path names no field of the schema (a layout out of step with it)
 * @example fieldNormaliser(applicationSchema, ['invoices', 'amount'])(' 1,200 ') // 1200
 */
export function fieldNormaliser(schema: z.ZodType, path: readonly string[]): Normaliser {
  let s = unwrap(schema);
  for (const key of path) {
    const next = defOf(s).shape?.[key];
    if (next === undefined)
      throw new RiskError('E_INPUT_INVALID', `no field ${path.join('.')} in the schema (at ${key})`, {
        path: [...path],
      });
    s = unwrap(next);
  }
  return normaliserOf(s, true);
}
