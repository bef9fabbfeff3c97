import { z } from 'zod';
import { RiskError } from '../core/errors.js';

/**
 * The event-rate trend a numeric binning must follow as the variable grows (optbinning's `monotonic_trend`):
 * `ascending` (riskier as x grows), `descending`, `peak` (up then down), `valley` (down then up), or `auto`:
 * the monotone trend of larger IV, unless a peak or valley fits significantly better (see `chooseTrend`).
 */
export const trendSchema = z.enum(['auto', 'ascending', 'descending', 'peak', 'valley']);
/** One of the trends above. */
export type Trend = z.infer<typeof trendSchema>;

const specialValue = z.union([z.number(), z.string()]);

/**
 * Special values of one column (numbers for a numeric column, level texts for a categorical one). Each
 * entry gets its own bin, as optbinning gives each special code its own bin; an entry that is an array
 * groups its values into one bin: `[-1, [998, 999]]` makes two special bins.
 */
export const specialValuesSchema = z.array(z.union([specialValue, z.array(specialValue).min(1)]));

/** Special values as declared: values and groups of values. */
export type SpecialValues = z.infer<typeof specialValuesSchema>;

/**
 * The special-value groups of a declaration, one per special bin.
 * @example specialGroups([-1, [998, 999]]) // [[-1], [998, 999]]
 */
export function specialGroups(spec: SpecialValues): (number | string)[][] {
  return spec.map((v) => (Array.isArray(v) ? [...v] : [v]));
}

/** The options of optimal binning, shared by one variable and by a binning process. */
export const binningOptionsSchema = z.strictObject({
  /** Event-rate trend of every numeric variable; `trends` overrides it per variable. */
  trend: trendSchema
    .default('auto')
    .describe(
      'event-rate trend of every numeric variable as it grows: auto picks the monotone trend of larger IV (a peak or valley only when significant)',
    ),
  trends: z
    .record(z.string(), trendSchema)
    .default({})
    .describe('per-variable trend, overriding trend (e.g. trends.age=descending)'),
  /** At most this many regular bins (special and missing bins come on top). */
  maxBins: z
    .int()
    .min(2)
    .max(50)
    .default(10)
    .describe('at most this many regular bins per variable (special and missing bins come on top)'),
  /** Each regular bin holds at least this share of all (weighted) rows. */
  minBinShare: z
    .number()
    .gt(0)
    .max(0.5)
    .default(0.05)
    .describe('each regular bin holds at least this share of all (weighted) rows'),
  /** Each regular bin holds at least this many (weighted) events; it always holds at least one of each class. */
  minEvents: z
    .number()
    .min(0)
    .default(1)
    .describe('each regular bin holds at least this many (weighted) events'),
  /**
   * Allow a regular bin holding only events (or only non-events, when `minEvents` is 0), so that a decisive
   * level — every D-rated firm defaulted — keeps its own bin instead of being merged into a neighbour. Its
   * WoE is smoothed by adding 0.5 to both class counts (WOE_EPSILON in woe.ts). Default true; false gives
   * optbinning's rule that every bin holds both classes.
   */
  pureBins: z
    .boolean()
    .default(true)
    .describe(
      'allow a regular bin holding only events (its WoE smoothed by 0.5), so a decisive level keeps its own bin',
    ),
  /** Quantile pre-bins a numeric variable starts from, or the most category groups before merging. */
  maxPrebins: z
    .int()
    .min(2)
    .max(200)
    .default(50)
    .describe('quantile pre-bins a numeric variable starts from (most category groups before merging)'),
  /** Categories below this share are pooled before ordering by event rate (then binned as one). */
  catCutoff: z
    .number()
    .min(0)
    .max(0.5)
    .default(0.01)
    .describe('categories below this share are pooled before ordering by event rate'),
  /** Where a category unseen in training goes: the missing bin, or the riskiest regular bin. */
  unseen: z
    .enum(['missing', 'worst'])
    .default('missing')
    .describe('where a category unseen in training goes: the missing bin or the riskiest regular bin'),
  /** Special values per column: each value (or group of values) gets its own bin. */
  special: z
    .record(z.string(), specialValuesSchema)
    .default({})
    .describe(
      'special values per column, each value or group of values in its own bin (special.COL=[-1,[998,999]])',
    ),
  /** Numeric pre-bin cuts come from a seeded sample of at most this many values. */
  prebinSample: z
    .int()
    .min(1000)
    .default(100_000)
    .describe('numeric pre-bin cuts come from a seeded sample of at most this many values'),
  seed: z.int().default(0).describe('seed of the pre-bin sample (train sets it from --seed)'),
  prettyCuts: z
    .boolean()
    .default(false)
    .describe(
      'round numeric cut points to the fewest significant digits that keep each pre-bin (see prettyCut)',
    ),
});

/** Validated binning options. */
export type BinningOptions = z.infer<typeof binningOptionsSchema>;
/** Binning options as a caller may give them (every field optional). */
export type BinningOptionsInput = z.input<typeof binningOptionsSchema>;

/**
 * Parses options with a zod schema, turning a failure into E_OPTIONS_INVALID that names each bad field,
 * what was allowed and what was received.
 * @throws E_OPTIONS_INVALID
 * @example parseOptions(binningOptionsSchema, { maxBins: 6 }, 'binning')
 */
export function parseOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({
    path: i.path.map((p) => (typeof p === 'symbol' ? String(p) : p)),
    message: i.message,
    code: i.code,
  }));
  const text = r.error.issues
    .map((i) => {
      const path = i.path.join('.') || '(root)';
      const received = receivedAt(input, i.path);
      return `${path}: ${i.message}${received === undefined ? '' : `, received ${JSON.stringify(received)}`}`;
    })
    .join('; ');
  throw new RiskError('E_OPTIONS_INVALID', `invalid ${what} options: ${text}`, { issues });
}

function receivedAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const p of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[p];
  }
  return v;
}

/**
 * Parses one part (params, state) of a loaded artifact, turning a failure into E_MODEL_ARTIFACT_INVALID.
 * @throws E_MODEL_ARTIFACT_INVALID naming the kind, the part and the first bad path
 */
export function parseArtifactPart<S extends z.ZodType>(
  schema: S,
  value: unknown,
  kind: string,
  part: string,
): z.output<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const first = r.error.issues[0];
  const path = first === undefined ? '' : first.path.map(String).join('.');
  throw new RiskError(
    'E_MODEL_ARTIFACT_INVALID',
    `${kind} artifact ${part}${path === '' ? '' : `.${path}`} is malformed: ${first?.message ?? 'invalid'}`,
    { path: [part, ...(first?.path.map(String) ?? [])] },
  );
}

/**
 * A "pretty" cut point for a quantile cut `cut`: the number with the fewest significant digits in
 * (`lower`, `cut`], found by rounding `cut` down, so that the pre-bin ending at it still holds the value that
 * began it (`lower` is the previous raw cut, or the smallest value for the first cut) and cuts stay in order.
 * @example prettyCut(153421, 41198) // 100000
 * @example prettyCut(4101, 622) // 4000
 * @example prettyCut(0.0372, 0.0284) // 0.03
 */
export function prettyCut(cut: number, lower: number): number {
  if (!Number.isFinite(cut) || cut === 0) return cut;
  const exponent = Math.floor(Math.log10(Math.abs(cut)));
  for (let digits = 1; digits <= 15; digits++) {
    const step = 10 ** (exponent - digits + 1);
    // toPrecision removes the binary noise of the division (0.1 + 0.2 style) from the rounded value.
    const r = Number((Math.floor(cut / step) * step).toPrecision(digits));
    if (r > lower && r <= cut) return r;
  }
  return cut;
}
