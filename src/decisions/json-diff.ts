/** One place where two JSON values differ: a dotted path and the value on each side (undefined = absent). */
export interface JsonChange {
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** An array of objects that all carry a string id, keyed by it (rules, programmes), else null. */
function byId(a: readonly unknown[]): Map<string, unknown> | null {
  if (!a.every((x) => x !== null && typeof x === 'object' && typeof (x as { id?: unknown }).id === 'string'))
    return null;
  return new Map(a.map((x) => [(x as { id: string }).id, x]));
}

const isRecord = (x: unknown): x is Record<string, unknown> =>
  x !== null && typeof x === 'object' && !Array.isArray(x);

function walk(a: unknown, b: unknown, path: string, keyed: boolean, out: JsonChange[]): void {
  if (a === b) return;
  if (Array.isArray(a) && Array.isArray(b)) {
    const ka = keyed ? byId(a) : null;
    const kb = keyed ? byId(b) : null;
    if (ka !== null && kb !== null) {
      for (const id of new Set([...ka.keys(), ...kb.keys()]))
        walk(ka.get(id), kb.get(id), `${path}[${id}]`, keyed, out);
      return;
    }
    if (a.length !== b.length) out.push({ path: `${path}.length`, before: a.length, after: b.length });
    for (let i = 0; i < Math.min(a.length, b.length); i++) walk(a[i], b[i], `${path}[${i}]`, keyed, out);
    return;
  }
  if (isRecord(a) && isRecord(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort())
      walk(a[k], b[k], path === '' ? k : `${path}.${k}`, keyed, out);
    return;
  }
  out.push({ path: path === '' ? '(root)' : path, before: a, after: b });
}

/**
 * Where two JSON values differ, field by field (object keys in sorted order). With `keyed`, arrays of objects
 * that carry ids compare by id, so an inserted rule reads as one change instead of shifting every index.
 * @example diffJson({ a: 1 }, { a: 2 }) // [{ path: 'a', before: 1, after: 2 }]
 */
export function diffJson(a: unknown, b: unknown, options: { readonly keyed?: boolean } = {}): JsonChange[] {
  const out: JsonChange[] = [];
  walk(a, b, '', options.keyed === true, out);
  return out;
}
