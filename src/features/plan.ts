import { RiskError } from '../core/errors.js';
import {
  type Application,
  ENTITY_TYPES,
  type Enterprise,
  type LoanRequest,
  MARITAL_STATUSES,
  type Owner,
  PURPOSES,
  TAX_GRADES,
  type Tax,
} from '../ingest/schemas.js';
import { type Catalog, type CatalogEntry, type EntryOrigin, entryTable, validateCatalog } from './catalog.js';
import { CounterpartyTable } from './concentration.js';
import { type CustomFeatureContext, type CustomFeatureFn, customFeature } from './custom.js';
import {
  CATALOG_SOURCES,
  type CatalogSource,
  classCount,
  classValues,
  fieldSlots,
  SOURCE_SPECS,
  TABLE_IDS,
  type TableId,
  type TableSpec,
} from './sources.js';

/**
 * Compiling a catalog turns its entries into a plan the engine runs per application without looking at
 * the catalog again: the month series to fill (one per table, field and filter combination, shared by the
 * features that read it), which series each record class feeds, the counterparty groups for concentration,
 * and one operation per feature, with derived features ordered after their inputs.
 */

/** Reduce codes of a series (see sources.ts `Reduce`); they index the counts of a scanner program. */
const REDUCE_SUM = 0;
const REDUCE_MEAN = 1;
const REDUCE_MAX = 2;

/** Operation codes. */
export const OP = {
  value: 0,
  sum: 1,
  mean: 2,
  min: 3,
  max: 4,
  last: 5,
  count: 6,
  months_with: 7,
  months_since: 8,
  max_run: 9,
  growth: 10,
  slope: 11,
  cv: 12,
  top_share: 13,
  hhi: 14,
  distinct: 15,
  ratio: 16,
  custom: 17,
} as const;

/** One compiled feature operation; every field is set so that all operations share one shape. */
export class FeatureOp {
  kind = 0;
  /** Output column. */
  out = 0;
  /** Index in CATALOG_SOURCES of the source that must be present, or −1 (derived). */
  source = -1;
  series = -1;
  level = false;
  /** Window slots relative to the series (lo..hi), then absolute in the workspace (from..to, first = slot 0). */
  lo = 0;
  hi = 0;
  first = 0;
  from = 0;
  to = 0;
  window = 0;
  group = -1;
  k = 0;
  /**
   * Where a running pass leaves this op's window total (a sum, or for months_with a count) in
   * `workspace.runVals`, or −1 when the op loops over its window itself (see `RUN_SUM`).
   */
  at = -1;
  /** Output columns of the inputs (ratio: numerator, denominator; custom: declared inputs). */
  inputs: Int32Array = new Int32Array(0);
  buffer: Float64Array = new Float64Array(0);
  fn: CustomFeatureFn | null = null;
  params: Readonly<Record<string, number | string | boolean>> = {};
  get: ((app: ScalarView) => number) | null = null;
  /** The value given when the result is NaN on present data (NaN unless the entry sets one). */
  fill = Number.NaN;
}

/** A feature of the plan: its name, position, type and (for categoricals) its levels. */
export interface PlanFeature {
  readonly name: string;
  readonly index: number;
  readonly type: 'numeric' | 'categorical';
  /** Categorical levels: the feature's value is an index into this list (NaN when missing). */
  readonly levels: readonly string[] | undefined;
  readonly entry: CatalogEntry;
}

/**
 * How a table's records feed the series. Per record class, a packed program: `[nSum, nMean, nMax]` then
 * one `(base offset, horizon, field code)` triple per target series, the sums first, then the levels, then
 * the worst-of series, so that the scanner's inner loops need no branch on the reduce kind and read one
 * array front to back.
 */
export interface TablePlan {
  readonly spec: TableSpec;
  readonly targets: readonly Int32Array[];
  /** Per class, the program of series on the repayment-grid timeline (facilities' overdueStatus). */
  readonly historyTargets: readonly Int32Array[];
  /** Per class, counterparty groups the record joins. */
  readonly groups: readonly Int32Array[];
  /** The per-record value buffer, one slot per field code. */
  readonly record: Float64Array;
}

/**
 * The scalar sources of the application being computed, copied into one object of a fixed shape: an
 * application's own shape depends on which sources it carries, so getters reading it directly would see
 * dozens of hidden classes, while they see one here.
 */
export class ScalarView {
  request: LoanRequest | undefined = undefined;
  enterprise: Enterprise | undefined = undefined;
  owner: Owner | undefined = undefined;
  tax: Tax | undefined = undefined;
}

/** The reusable scratch of a plan: filled and read inside one synchronous `computeFeatures` call. */
export interface Workspace {
  readonly vals: Float64Array;
  readonly obs: Float64Array;
  /** The running totals of the plan's `runs`. */
  readonly runVals: Float64Array;
  readonly present: Uint8Array;
  readonly view: ScalarView;
  /** One counterparty table per concentration group. */
  readonly groups: readonly CounterpartyTable[];
  readonly ctx: {
    app: Application;
    asOfMonth: number;
    asOfDays: number;
    inputs: Float64Array;
    params: CustomFeatureContext['params'];
  };
}

/** A compiled catalog. Not shared across threads; `computeFeatures` is synchronous so reuse is safe. */
export interface FeaturePlan {
  readonly catalog: Catalog;
  readonly features: readonly PlanFeature[];
  readonly names: readonly string[];
  /** Feature operations in execution order (primitives first, derived after their inputs). */
  readonly ops: readonly FeatureOp[];
  readonly tables: Readonly<Partial<Record<TableId, TablePlan>>>;
  readonly seriesField: Int32Array;
  readonly seriesReduce: Uint8Array;
  readonly seriesHorizon: Int32Array;
  readonly seriesOffset: Int32Array;
  readonly groupWindow: Int32Array;
  /**
   * Running passes shared by the ops whose windows start on the same slot: per pass `RUN_STRIDE` ints
   * (first slot, length, offset in `runVals`, `RUN_SUM` or `RUN_COUNT`, the source that must be present).
   */
  readonly runs: Int32Array;
  readonly workspace: Workspace;
}

/** A running pass of sums (sum, count, flow mean, cv and growth's recent mean). */
export const RUN_SUM = 0;
/** A running pass counting months above 0 (months_with). */
export const RUN_COUNT = 1;
/** Ints per running pass in `FeaturePlan.runs`. */
export const RUN_STRIDE = 5;

interface SeriesDraft {
  table: TableId;
  field: number;
  reduce: number;
  history: boolean;
  mask: Uint8Array;
  horizon: number;
}

function classMask(table: TableSpec, filters: CatalogEntry['filters']): Uint8Array {
  const n = classCount(table);
  const mask = new Uint8Array(n);
  for (let cls = 0; cls < n; cls++) {
    const values = classValues(table, cls);
    let ok = true;
    for (const [dim, raw] of Object.entries(filters)) {
      const allowed = (Array.isArray(raw) ? raw : [raw]).map(String);
      if (!allowed.includes(values[dim] as string)) ok = false;
    }
    mask[cls] = ok ? 1 : 0;
  }
  return mask;
}

function sameMask(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function levelIndex(levels: readonly string[], v: string | undefined): number {
  if (v === undefined) return Number.NaN;
  const i = levels.indexOf(v);
  return i < 0 ? Number.NaN : i;
}

/** A yes/no field as 1/0, missing (NaN) when not given: an absent flag is unknown, not "no". */
const flag = (v: boolean | undefined): number => (v === undefined ? Number.NaN : v ? 1 : 0);

/** A getter for a scalar field; the engine checks the source is present before calling it. */
function scalarGetter(source: CatalogSource, field: string): (app: ScalarView) => number {
  const key = `${source}.${field}`;
  switch (key) {
    case 'request.amount':
      return (a) => a.request?.amount ?? Number.NaN;
    case 'request.tenorMonths':
      return (a) => a.request?.tenorMonths ?? Number.NaN;
    case 'request.purpose':
      return (a) => (a.request === undefined ? Number.NaN : levelIndex(PURPOSES, a.request.purpose));
    case 'enterprise.registeredCapital':
      return (a) => a.enterprise!.registeredCapital ?? Number.NaN;
    case 'enterprise.paidInCapital':
      return (a) => a.enterprise!.paidInCapital ?? Number.NaN;
    case 'enterprise.employees':
      return (a) => a.enterprise!.employees ?? Number.NaN;
    case 'enterprise.highTech':
      return (a) => flag(a.enterprise!.highTech);
    case 'enterprise.specialised':
      return (a) => flag(a.enterprise!.specialised);
    case 'enterprise.firstLoan':
      return (a) => flag(a.enterprise!.firstLoan);
    case 'enterprise.entityType':
      return (a) => levelIndex(ENTITY_TYPES, a.enterprise!.entityType);
    case 'enterprise.industrySection':
      // Sections A–T are levels 0–19 in letter order.
      return (a) => (a.enterprise!.industry?.charCodeAt(0) ?? Number.NaN) - 65;
    case 'enterprise.province': {
      return (a) => {
        const r = a.enterprise!.region;
        if (r === undefined) return Number.NaN;
        return (r.charCodeAt(0) - 48) * 10 + (r.charCodeAt(1) - 48) - 11;
      };
    }
    case 'owner.age':
      return (a) => a.owner!.age;
    case 'owner.householdSize':
      return (a) => a.owner!.householdSize;
    case 'owner.dependents':
      return (a) => a.owner!.dependents;
    case 'owner.annualIncome':
      return (a) => a.owner!.annualIncome;
    case 'owner.propertyAssets':
      return (a) => a.owner!.assets.property;
    case 'owner.vehicleAssets':
      return (a) => a.owner!.assets.vehicles;
    case 'owner.deposits':
      return (a) => a.owner!.assets.deposits;
    case 'owner.totalAssets':
      return (a) => {
        const s = a.owner!.assets;
        return s.property + s.vehicles + s.deposits;
      };
    case 'owner.mortgageDebt':
      return (a) => a.owner!.liabilities.mortgage;
    case 'owner.consumerDebt':
      return (a) => a.owner!.liabilities.consumer;
    case 'owner.businessDebt':
      return (a) => a.owner!.liabilities.business;
    case 'owner.totalLiabilities':
      return (a) => {
        const l = a.owner!.liabilities;
        return l.mortgage + l.consumer + l.business;
      };
    case 'owner.maritalStatus':
      return (a) => levelIndex(MARITAL_STATUSES, a.owner!.maritalStatus);
    case 'tax.creditGrade':
      return (a) => levelIndex(TAX_GRADES, a.tax!.creditGrade);
    case 'tax.creditGradeRank':
      // A (best) = 1 … D (worst) = 5, so that a higher rank means higher risk.
      return (a) => levelIndex(TAX_GRADES, a.tax!.creditGrade) + 1;
    default:
      throw new RiskError('E_FEATURE_CATALOG', `no getter for scalar field ${key}`);
  }
}

function catalogError(origin: EntryOrigin, pos: number, name: string, field: string, msg: string): RiskError {
  return new RiskError(
    'E_FEATURE_CATALOG',
    `${origin.file} entry ${origin.index} "${name}" (catalog index ${pos}): ${field}: ${msg}`,
    { file: origin.file, index: origin.index, position: pos, entry: name, path: [field] },
  );
}

/**
 * Compiles a catalog into a plan: validated once, run per application by `computeFeatures`.
 * @param catalog a catalog from `loadCatalog`, or raw entries (validated here)
 * @throws E_FEATURE_CATALOG for an invalid entry or a custom function that is not registered
 * @example const plan = compileCatalog(loadCatalog()); const row = computeFeatures(plan, app);
 */
export function compileCatalog(catalog: Catalog | readonly unknown[]): FeaturePlan {
  const cat: Catalog = Array.isArray(catalog) ? validateCatalog(catalog) : (catalog as Catalog);
  const entries = cat.entries;
  const names = entries.map((e) => e.name);
  const indexOf = new Map(names.map((n, i) => [n, i]));
  const series: SeriesDraft[] = [];
  const groupKeys: { table: TableId; mask: Uint8Array; window: number }[] = [];
  const ops: FeatureOp[] = [];
  const features: PlanFeature[] = [];

  const seriesFor = (table: TableSpec, field: string, mask: Uint8Array, horizon: number): number => {
    const f = table.fields[field]!;
    const reduce = f.reduce === 'sum' ? REDUCE_SUM : f.reduce === 'mean' ? REDUCE_MEAN : REDUCE_MAX;
    let id = series.findIndex((s) => s.table === table.id && s.field === f.code && sameMask(s.mask, mask));
    if (id < 0) {
      id = series.length;
      series.push({ table: table.id, field: f.code, reduce, history: f.history === true, mask, horizon: 0 });
    }
    const s = series[id]!;
    s.horizon = Math.max(s.horizon, horizon);
    return id;
  };

  entries.forEach((e, i) => {
    const origin = cat.origins[i] as EntryOrigin;
    const op = new FeatureOp();
    op.kind = OP[e.aggregation];
    op.out = i;
    op.source = e.source === 'derived' ? -1 : CATALOG_SOURCES.indexOf(e.source);
    op.params = e.params;
    if (typeof e.missing.onUndefined === 'number') op.fill = e.missing.onUndefined;
    let levels: readonly string[] | undefined;
    const agg = e.aggregation;
    if (agg === 'value') {
      op.get = scalarGetter(e.source, e.field as string);
      levels = SOURCE_SPECS[e.source].scalars[e.field as string]?.levels;
    } else if (agg === 'ratio') {
      op.inputs = Int32Array.of(indexOf.get(e.numerator as string)!, indexOf.get(e.denominator as string)!);
    } else if (agg === 'custom') {
      const fn = customFeature(e.function as string);
      if (fn === undefined)
        throw catalogError(
          origin,
          i,
          e.name,
          'function',
          `no custom function ${JSON.stringify(e.function)} is registered`,
        );
      op.fn = fn;
      op.inputs = Int32Array.from(e.inputs.map((n) => indexOf.get(n)!));
      op.buffer = new Float64Array(e.inputs.length);
    } else {
      const table = entryTable(e)!;
      const mask = classMask(table, e.filters);
      const w = e.window ?? 0;
      if (agg === 'top_share' || agg === 'hhi' || agg === 'distinct') {
        let g = groupKeys.findIndex((k) => k.table === table.id && k.window === w && sameMask(k.mask, mask));
        if (g < 0) {
          g = groupKeys.length;
          groupKeys.push({ table: table.id, mask, window: w });
        }
        op.group = g;
        op.k = typeof e.params.k === 'number' ? e.params.k : 1;
      } else {
        const field = e.field ?? 'count';
        // A window-less aggregation reads every slot, so its series keeps no months apart but the as-of one.
        const horizon = agg === 'growth' ? 2 * w : w;
        op.series = seriesFor(table, field, mask, horizon);
        op.level = table.fields[field]!.reduce === 'mean';
        op.window = w;
        op.lo = e.includeAsOfMonth || e.window === undefined ? 0 : 1;
        op.hi = w; // patched below for window-less ops, once horizons are final
      }
    }
    ops.push(op);
    features.push({ name: e.name, index: i, type: e.type, levels, entry: e });
  });

  // Lay the series out in one buffer.
  const seriesField = new Int32Array(series.length);
  const seriesReduce = new Uint8Array(series.length);
  const seriesHorizon = new Int32Array(series.length);
  const seriesOffset = new Int32Array(series.length);
  let total = 0;
  series.forEach((s, id) => {
    seriesField[id] = s.field;
    seriesReduce[id] = s.reduce;
    seriesHorizon[id] = s.horizon;
    seriesOffset[id] = total;
    total += s.horizon + 2;
  });
  for (const op of ops) {
    if (op.series < 0) continue;
    if (op.window === 0) op.hi = (seriesHorizon[op.series] as number) + 1;
    op.first = seriesOffset[op.series] as number;
    op.from = op.first + op.lo;
    op.to = op.first + op.hi;
  }

  const { runs, runSlots } = compileRuns(ops);

  const tables: Partial<Record<TableId, TablePlan>> = {};
  for (const id of TABLE_IDS) {
    const used = series.some((s) => s.table === id) || groupKeys.some((g) => g.table === id);
    if (!used) continue;
    const spec = tableSpec(id);
    const n = classCount(spec);
    const targets: Int32Array[] = [];
    const historyTargets: Int32Array[] = [];
    const groups: Int32Array[] = [];
    for (let cls = 0; cls < n; cls++) {
      const t: number[] = [];
      const h: number[] = [];
      series.forEach((s, sid) => {
        if (s.table === id && s.mask[cls] === 1) (s.history ? h : t).push(sid);
      });
      targets.push(program(t, seriesReduce, seriesOffset, seriesHorizon, seriesField));
      historyTargets.push(program(h, seriesReduce, seriesOffset, seriesHorizon, seriesField));
      const g: number[] = [];
      groupKeys.forEach((k, gid) => {
        if (k.table === id && k.mask[cls] === 1) g.push(gid);
      });
      groups.push(Int32Array.from(g));
    }
    tables[id] = { spec, targets, historyTargets, groups, record: new Float64Array(fieldSlots(spec)) };
  }

  const workspace: Workspace = {
    vals: new Float64Array(total),
    obs: new Float64Array(total),
    runVals: new Float64Array(runSlots),
    present: new Uint8Array(CATALOG_SOURCES.length),
    view: new ScalarView(),
    groups: groupKeys.map((_, g) => {
      let k = 1;
      for (const op of ops) if (op.group === g && op.kind === OP.top_share) k = Math.max(k, op.k);
      return new CounterpartyTable(k);
    }),
    ctx: {
      app: undefined as unknown as Application,
      asOfMonth: 0,
      asOfDays: 0,
      inputs: new Float64Array(0),
      params: {},
    },
  };

  return {
    catalog: cat,
    features,
    names,
    ops: executionOrder(ops),
    tables,
    seriesField,
    seriesReduce,
    seriesHorizon,
    seriesOffset,
    groupWindow: Int32Array.from(groupKeys.map((g) => g.window)),
    runs,
    workspace,
  };
}

/**
 * Which kind of running pass an op can read its window total from, or −1. A sum-like op needs the sum of
 * its own window [from, to]; cv and growth of a flow need it for their mean (growth's recent window is
 * [from, to] too). Level series average per observed month, so their sums are not window means.
 */
function runKind(op: FeatureOp): number {
  switch (op.kind) {
    case OP.sum:
    case OP.count:
      return RUN_SUM;
    case OP.mean:
    case OP.cv:
    case OP.growth:
      return op.level ? -1 : RUN_SUM;
    case OP.months_with:
      return RUN_COUNT;
    default:
      return -1;
  }
}

/**
 * Groups the series ops by (kind of pass, first slot): where two or more ops start on the same slot, one
 * running pass up to the longest window serves them all, and each op reads its total at `op.at`. An op
 * alone on its slot keeps its own loop (a pass would cost the same plus the stores).
 */
function compileRuns(ops: readonly FeatureOp[]): { runs: Int32Array; runSlots: number } {
  const byStart = new Map<string, FeatureOp[]>();
  for (const op of ops) {
    const kind = runKind(op);
    if (kind < 0 || op.series < 0) continue;
    const key = `${kind}:${op.from}`;
    const list = byStart.get(key);
    if (list === undefined) byStart.set(key, [op]);
    else list.push(op);
  }
  const runs: number[] = [];
  let slots = 0;
  for (const [key, list] of byStart) {
    if (list.length < 2) continue;
    const first = list[0] as FeatureOp;
    let len = 0;
    for (const op of list) len = Math.max(len, op.to - op.from + 1);
    runs.push(first.from, len, slots, Number(key.split(':')[0]), first.source);
    for (const op of list) op.at = slots + (op.to - op.from);
    slots += len;
  }
  return { runs: Int32Array.from(runs), runSlots: slots };
}

/** Packs target series into a scanner program (see `TablePlan`). */
function program(
  ids: readonly number[],
  reduce: Uint8Array,
  offset: Int32Array,
  horizon: Int32Array,
  field: Int32Array,
): Int32Array {
  const out = new Int32Array(3 + ids.length * 3);
  let p = 3;
  for (const kind of [REDUCE_SUM, REDUCE_MEAN, REDUCE_MAX]) {
    for (const s of ids) {
      if (reduce[s] !== kind) continue;
      out[kind] = (out[kind] as number) + 1;
      out[p++] = offset[s] as number;
      out[p++] = horizon[s] as number;
      out[p++] = field[s] as number;
    }
  }
  return out;
}

function tableSpec(id: TableId): TableSpec {
  for (const spec of Object.values(SOURCE_SPECS)) {
    for (const t of Object.values(spec.tables)) if (t.id === id) return t;
  }
  throw new RiskError('E_FEATURE_CATALOG', `unknown table ${id}`);
}

/** Primitives in catalog order, then derived operations each after its inputs (the catalog has no cycles). */
function executionOrder(ops: readonly FeatureOp[]): FeatureOp[] {
  const order: FeatureOp[] = ops.filter((o) => o.kind !== OP.ratio && o.kind !== OP.custom);
  const done = new Uint8Array(ops.length);
  for (const o of order) done[o.out] = 1;
  const visit = (o: FeatureOp): void => {
    if (done[o.out] === 1) return;
    done[o.out] = 1;
    for (const i of o.inputs) visit(ops[i] as FeatureOp);
    order.push(o);
  };
  for (const o of ops) visit(o);
  return order;
}
