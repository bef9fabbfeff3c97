import type { z } from 'zod';

/** One `--param` key of a family: its type in words, its default, and what it means. */
export interface OptionHelp {
  readonly key: string;
  readonly type: string;
  /** The default as JSON, or `(none)` when the option is optional without a default. */
  readonly default: string;
  readonly meaning: string;
}

interface Def {
  readonly type: string;
  readonly innerType?: z.ZodType;
  readonly defaultValue?: unknown;
  readonly entries?: Readonly<Record<string, string>>;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly values?: readonly unknown[];
  readonly format?: string;
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly checks?: readonly {
    readonly _zod: { readonly def: { check: string; value?: number; inclusive?: boolean } };
  }[];
}

const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** A zod schema's type in words: `integer in [2, 50]`, `ascending | descending`, `number[]` … */
function typeText(s: z.ZodType): string {
  const d = defOf(s);
  switch (d.type) {
    case 'default':
    case 'optional':
    case 'nullable':
    case 'readonly':
      return typeText(d.innerType as z.ZodType);
    case 'number': {
      // Bounds from the checks (gt/gte/lt/lte), so an exclusive bound shows as ( or ).
      let lo: { value: number; inclusive: boolean } | undefined;
      let hi: { value: number; inclusive: boolean } | undefined;
      for (const c of d.checks ?? []) {
        const cd = c._zod.def;
        if (Math.abs(cd.value ?? 0) >= Number.MAX_SAFE_INTEGER) continue;
        if (cd.check === 'greater_than') lo = { value: cd.value as number, inclusive: cd.inclusive === true };
        if (cd.check === 'less_than') hi = { value: cd.value as number, inclusive: cd.inclusive === true };
      }
      const name = (s as unknown as { format?: string | null }).format === 'safeint' ? 'integer' : 'number';
      if (lo !== undefined && hi !== undefined)
        return `${name} in ${lo.inclusive ? '[' : '('}${lo.value}, ${hi.value}${hi.inclusive ? ']' : ')'}`;
      if (lo !== undefined) return `${name} ${lo.inclusive ? '≥' : '>'} ${lo.value}`;
      if (hi !== undefined) return `${name} ${hi.inclusive ? '≤' : '<'} ${hi.value}`;
      return name;
    }
    case 'enum':
      return Object.values(d.entries ?? {}).join(' | ');
    case 'literal':
      return (d.values ?? []).map((v) => JSON.stringify(v)).join(' | ');
    case 'array':
      return `array of ${typeText(d.element as z.ZodType)}`;
    case 'record':
      return `{ name: ${typeText(d.valueType as z.ZodType)} }`;
    case 'union':
      return (d.options ?? []).map(typeText).join(' | ');
    case 'object':
      return `object { ${Object.keys(d.shape ?? {}).join(', ')} }`;
    default:
      return d.type;
  }
}

function defaultText(s: z.ZodType): string {
  const d = defOf(s);
  if (d.type === 'default') {
    const v = typeof d.defaultValue === 'function' ? (d.defaultValue as () => unknown)() : d.defaultValue;
    return JSON.stringify(v);
  }
  if (d.type === 'optional') return '(none)';
  return '(required)';
}

/**
 * Every key of a family's option schema with its type, default and meaning (the field's zod description,
 * else the `allowed` text its option table gives), read from the schema itself so the list cannot drift.
 * @param allowed per key, the allowed range in words (option-specs tables), used when a field has no description
 * @example describeOptions(scorecardOptionsSchema).find((o) => o.key === 'pdo') // { type: 'number > 0' … }
 */
export function describeOptions(
  schema: z.ZodObject,
  allowed: Readonly<Record<string, string>> = {},
): OptionHelp[] {
  return Object.entries(schema.shape as Record<string, z.ZodType>).map(([key, field]) => ({
    key,
    type: typeText(field),
    default: defaultText(field),
    meaning: field.description ?? descriptionOf(field) ?? allowed[key] ?? '',
  }));
}

/** The description of a wrapped schema (`.describe()` before `.default()` sits on the inner type). */
function descriptionOf(s: z.ZodType): string | undefined {
  const d = defOf(s);
  if (d.innerType === undefined) return s.description;
  return s.description ?? descriptionOf(d.innerType);
}

/**
 * The options as an aligned text table, one key per line (for `train --help-params MODEL`).
 * @example optionHelpText(describeOptions(schema))
 */
export function optionHelpText(options: readonly OptionHelp[]): string {
  const kw = Math.max(3, ...options.map((o) => o.key.length));
  const tw = Math.min(40, Math.max(4, ...options.map((o) => o.type.length)));
  const dw = Math.min(24, Math.max(7, ...options.map((o) => o.default.length)));
  const lines = [`${'key'.padEnd(kw)}  ${'type'.padEnd(tw)}  ${'default'.padEnd(dw)}  meaning`];
  for (const o of options)
    lines.push(`${o.key.padEnd(kw)}  ${o.type.padEnd(tw)}  ${o.default.padEnd(dw)}  ${o.meaning}`);
  return lines.join('\n');
}
