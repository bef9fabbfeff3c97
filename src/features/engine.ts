import type {
  Application,
  BankFlowMonth,
  BureauReport,
  Invoice,
  JudicialRecord,
  SocialInsuranceMonth,
  TaxFiling,
  UtilityMonth,
} from '../ingest/schemas.js';
import { counterpartyHash } from './concentration.js';
import {
  cvOf,
  extremeOf,
  growthOf,
  lastOf,
  maxRun,
  meanOf,
  monthsSince,
  monthsWith,
  runningTotals,
  slopeOf,
  sumOf,
} from './kernels.js';
import {
  dayOfMonth,
  daysFromCivil,
  isQuarter,
  monthNumber,
  monthsBefore,
  quarterFirstMonth,
} from './months.js';
import {
  type FeatureOp,
  type FeaturePlan,
  OP,
  RUN_STRIDE,
  RUN_SUM,
  type TablePlan,
  type Workspace,
} from './plan.js';
import type { TableDim } from './sources.js';

/**
 * The feature engine: one application in, one row of features out (catalog order). Each source is
 * scanned once into per-month series (typed arrays, month index relative to the as-of month), and every
 * aggregation reads those series. A batch calls this same function once per application.
 */

/**
 * Adds a record (its field values in `rec`) at month slot m to the series of a packed program (see
 * `TablePlan`): sums, then levels (which also count the record), then worst-of series.
 */
function put(ws: Workspace, prog: Int32Array, m: number, rec: Float64Array): void {
  const vals = ws.vals;
  const nSum = prog[0] as number;
  const nMean = prog[1] as number;
  const nMax = prog[2] as number;
  let p = 3;
  for (let j = 0; j < nSum; j++, p += 3) {
    const h = prog[p + 1] as number;
    const at = (prog[p] as number) + Math.min(m, h + 1);
    vals[at] = (vals[at] as number) + (rec[prog[p + 2] as number] as number);
  }
  if (nMean > 0) {
    const obs = ws.obs;
    for (let j = 0; j < nMean; j++, p += 3) {
      const h = prog[p + 1] as number;
      const at = (prog[p] as number) + Math.min(m, h + 1);
      vals[at] = (vals[at] as number) + (rec[prog[p + 2] as number] as number);
      obs[at] = (obs[at] as number) + 1;
    }
  }
  for (let j = 0; j < nMax; j++, p += 3) {
    const h = prog[p + 1] as number;
    const at = (prog[p] as number) + Math.min(m, h + 1);
    const v = rec[prog[p + 2] as number] as number;
    if (v > (vals[at] as number)) vals[at] = v;
  }
}

/**
 * `put` for each month of a PBOC repayment grid: entry k of n (oldest first; the last is the last complete
 * month) goes to slot n − k, as field `gridCode`, the other fields keeping the record's values. Series
 * outside and months inside, so that each series is set up once per facility; each slot still receives its
 * months in the same order, so sums are the same to the last bit.
 */
function putGrid(
  ws: Workspace,
  prog: Int32Array,
  grid: readonly number[],
  gridCode: number,
  rec: Float64Array,
): void {
  const vals = ws.vals;
  const obs = ws.obs;
  const nSum = prog[0] as number;
  const nLevel = nSum + (prog[1] as number);
  const nAll = nLevel + (prog[2] as number);
  const n = grid.length;
  for (let j = 0, p = 3; j < nAll; j++, p += 3) {
    const base = prog[p] as number;
    const top = (prog[p + 1] as number) + 1;
    const code = prog[p + 2] as number;
    const fixed = rec[code] as number;
    for (let k = 0; k < n; k++) {
      const m = n - k;
      const at = base + Math.min(m, top);
      const v = code === gridCode ? (grid[k] as number) : fixed;
      if (j >= nLevel) {
        if (v > (vals[at] as number)) vals[at] = v;
      } else {
        vals[at] = (vals[at] as number) + v;
        if (j >= nSum) obs[at] = (obs[at] as number) + 1;
      }
    }
  }
}

/** A record's class index: its dimension values' indices in row-major order (last dimension fastest). */
function classOf(dims: readonly TableDim[], values: readonly string[]): number {
  let cls = 0;
  for (let d = 0; d < dims.length; d++) {
    const dim = dims[d] as TableDim;
    const i = dim.values.indexOf(values[d] as string);
    cls = cls * dim.values.length + Math.max(0, i);
  }
  return cls;
}

function scanInvoices(
  plan: FeaturePlan,
  tp: TablePlan,
  list: readonly Invoice[],
  asOfMonth: number,
  asOfDay: number,
): void {
  const rec = tp.record;
  const ws = plan.workspace;
  rec[0] = 1;
  for (let i = 0; i < list.length; i++) {
    const inv = list[i]!;
    const m = monthsBefore(inv.date, asOfMonth, asOfDay);
    if (m < 0) continue;
    // Class = direction × 3 + status, the order of INVOICE_DIRECTIONS and INVOICE_STATUSES.
    const status = inv.status;
    const cls = (inv.direction === 'sales' ? 0 : 3) + (status === 'valid' ? 0 : status === 'void' ? 1 : 2);
    rec[1] = inv.amount;
    rec[2] = inv.tax;
    put(plan.workspace, tp.targets[cls]!, m, rec);
    const groups = tp.groups[cls]!;
    // The id is hashed once, by the first group whose window holds the record.
    let hash = 0;
    let hashed = false;
    for (let g = 0; g < groups.length; g++) {
      const gid = groups[g] as number;
      if (m < 1 || m > (plan.groupWindow[gid] as number)) continue;
      if (!hashed) {
        hash = counterpartyHash(inv.counterpartyId);
        hashed = true;
      }
      ws.groups[gid]!.addHashed(inv.counterpartyId, hash, inv.amount);
    }
  }
}

function scanTax(plan: FeaturePlan, tp: TablePlan, filings: readonly TaxFiling[], asOfMonth: number): void {
  const rec = tp.record;
  const targets = tp.targets[0]!;
  for (let i = 0; i < filings.length; i++) {
    const f = filings[i]!;
    const quarter = isQuarter(f.period);
    // A quarterly filing is spread evenly over its three months, so monthly windows stay comparable.
    const share = quarter ? 1 / 3 : 1;
    rec[0] = share;
    rec[1] = f.revenue * share;
    rec[2] = f.vat * share;
    rec[3] = f.incomeTax * share;
    rec[4] = (f.vat + f.incomeTax) * share;
    const first = quarter ? quarterFirstMonth(f.period) : monthNumber(f.period);
    for (let k = 0; k < (quarter ? 3 : 1); k++) {
      const m = asOfMonth - (first + k);
      if (m >= 0) put(plan.workspace, targets, m, rec);
    }
  }
}

function scanBankFlows(
  plan: FeaturePlan,
  tp: TablePlan,
  list: readonly BankFlowMonth[],
  asOfMonth: number,
): void {
  const rec = tp.record;
  const targets = tp.targets[0]!;
  rec[0] = 1;
  for (let i = 0; i < list.length; i++) {
    const b = list[i]!;
    const m = asOfMonth - monthNumber(b.month);
    if (m < 0) continue;
    rec[1] = b.inflow;
    rec[2] = b.outflow;
    rec[3] = b.inflow - b.outflow;
    rec[4] = b.endBalance;
    rec[5] = b.counterparties;
    rec[6] = b.outflow > b.inflow ? b.outflow - b.inflow : 0;
    put(plan.workspace, targets, m, rec);
  }
}

function scanUtilities(
  plan: FeaturePlan,
  tp: TablePlan,
  list: readonly UtilityMonth[],
  asOfMonth: number,
): void {
  const rec = tp.record;
  const targets = tp.targets[0]!;
  rec[0] = 1;
  for (let i = 0; i < list.length; i++) {
    const u = list[i]!;
    const m = asOfMonth - monthNumber(u.month);
    if (m < 0) continue;
    rec[1] = u.electricityKwh;
    rec[2] = u.waterTons;
    rec[3] = u.arrears;
    put(plan.workspace, targets, m, rec);
  }
}

function scanSocialInsurance(
  plan: FeaturePlan,
  tp: TablePlan,
  list: readonly SocialInsuranceMonth[],
  asOfMonth: number,
): void {
  const rec = tp.record;
  const targets = tp.targets[0]!;
  rec[0] = 1;
  for (let i = 0; i < list.length; i++) {
    const s = list[i]!;
    const m = asOfMonth - monthNumber(s.month);
    if (m < 0) continue;
    rec[1] = s.insuredHeadcount;
    put(plan.workspace, targets, m, rec);
  }
}

const judicialValues: string[] = ['', '', '', ''];

function scanJudicial(
  plan: FeaturePlan,
  tp: TablePlan,
  list: readonly JudicialRecord[],
  asOfMonth: number,
  asOfDay: number,
): void {
  const rec = tp.record;
  const dims = tp.spec.dims;
  rec[0] = 1;
  for (let i = 0; i < list.length; i++) {
    const r = list[i]!;
    const m = monthsBefore(r.date, asOfMonth, asOfDay);
    if (m < 0) continue;
    judicialValues[0] = r.kind;
    judicialValues[1] = r.role ?? 'none';
    judicialValues[2] = r.caseType ?? 'none';
    judicialValues[3] = r.closed ? 'true' : 'false';
    rec[1] = r.amount ?? 0;
    put(plan.workspace, tp.targets[classOf(dims, judicialValues)]!, m, rec);
  }
}

const facilityValues: string[] = ['', '', ''];

function scanFacilities(
  plan: FeaturePlan,
  tp: TablePlan,
  report: BureauReport,
  asOfMonth: number,
  asOfDay: number,
): void {
  const rec = tp.record;
  const dims = tp.spec.dims;
  rec[0] = 1;
  for (const f of report.facilities) {
    facilityValues[0] = f.type;
    facilityValues[1] = f.class;
    facilityValues[2] = f.overdueDays > 0 || f.overdueAmount > 0 ? 'true' : 'false';
    const cls = classOf(dims, facilityValues);
    const m = monthsBefore(f.openDate, asOfMonth, asOfDay);
    if (m >= 0) {
      rec[1] = f.limit;
      rec[2] = f.balance;
      rec[3] = f.overdueAmount;
      rec[4] = f.overdueDays;
      put(plan.workspace, tp.targets[cls]!, m, rec);
    }
    const history = tp.historyTargets[cls]!;
    // A program of no series is its three counts alone.
    if (history.length > 3) putGrid(plan.workspace, history, f.overdueHistory, 5, rec);
  }
}

const oneValue: string[] = [''];

function scanGuarantees(plan: FeaturePlan, tp: TablePlan, report: BureauReport): void {
  const rec = tp.record;
  const dims = tp.spec.dims;
  rec[0] = 1;
  for (const g of report.guaranteesGiven) {
    oneValue[0] = g.class;
    rec[1] = g.amount;
    // Undated: every record sits in slot 0, which the whole-table aggregations read.
    put(plan.workspace, tp.targets[classOf(dims, oneValue)]!, 0, rec);
  }
}

function scanInquiries(
  plan: FeaturePlan,
  tp: TablePlan,
  report: BureauReport,
  asOfMonth: number,
  asOfDay: number,
): void {
  const rec = tp.record;
  const dims = tp.spec.dims;
  rec[0] = 1;
  for (const q of report.inquiries) {
    const m = monthsBefore(q.date, asOfMonth, asOfDay);
    if (m < 0) continue;
    oneValue[0] = q.reason;
    put(plan.workspace, tp.targets[classOf(dims, oneValue)]!, m, rec);
  }
}

function scanBureau(
  plan: FeaturePlan,
  subject: 'enterprise' | 'owner',
  report: BureauReport,
  asOfMonth: number,
  asOfDay: number,
): void {
  const t = plan.tables;
  const fac = subject === 'enterprise' ? t['bureau.enterprise.facilities'] : t['bureau.owner.facilities'];
  const gua = subject === 'enterprise' ? t['bureau.enterprise.guarantees'] : t['bureau.owner.guarantees'];
  const inq = subject === 'enterprise' ? t['bureau.enterprise.inquiries'] : t['bureau.owner.inquiries'];
  if (fac !== undefined) scanFacilities(plan, fac, report, asOfMonth, asOfDay);
  if (gua !== undefined) scanGuarantees(plan, gua, report);
  if (inq !== undefined) scanInquiries(plan, inq, report, asOfMonth, asOfDay);
}

/** Stores an op's result in its column: the entry's fill where the result is NaN on present data. */
function store(row: Float64Array, op: FeatureOp, v: number): void {
  row[op.out] = Number.isNaN(v) ? op.fill : v;
}

/**
 * Computes the features of one application, in catalog order. Numeric features are numbers (NaN when
 * missing); a categorical feature holds the index of its level in `plan.features[i].levels`.
 * @param out a buffer to fill (length = number of features); a new one is allocated when omitted
 * @example const plan = compileCatalog(loadCatalog()); const row = computeFeatures(plan, app);
 */
export function computeFeatures(plan: FeaturePlan, app: Application, out?: Float64Array): Float64Array {
  const row = out ?? new Float64Array(plan.features.length);
  const ws = plan.workspace;
  ws.vals.fill(0);
  ws.obs.fill(0);
  const groups = ws.groups;
  for (let g = 0; g < groups.length; g++) groups[g]!.reset();
  // Each source is read off the application once: its hidden class varies with the sources it carries,
  // so every read of it is a slow (megamorphic) property lookup.
  const { enterprise, owner, tax, invoices, bankFlows, bureau, judicial, utilities, socialInsurance } = app;
  const bureauEnterprise = bureau?.enterprise;
  const bureauOwner = bureau?.owner;
  const view = ws.view;
  view.request = app.request;
  view.enterprise = enterprise;
  view.owner = owner;
  view.tax = tax;
  // Order of CATALOG_SOURCES.
  const present = ws.present;
  present[0] = 1;
  present[1] = enterprise === undefined ? 0 : 1;
  present[2] = owner === undefined ? 0 : 1;
  present[3] = tax === undefined ? 0 : 1;
  present[4] = invoices === undefined ? 0 : 1;
  present[5] = bankFlows === undefined ? 0 : 1;
  present[6] = bureauEnterprise === undefined ? 0 : 1;
  present[7] = bureauOwner === undefined ? 0 : 1;
  present[8] = judicial === undefined ? 0 : 1;
  present[9] = utilities === undefined ? 0 : 1;
  present[10] = socialInsurance === undefined ? 0 : 1;
  present[11] = 1;
  const asOfMonth = monthNumber(app.asOf);
  const asOfDay = dayOfMonth(app.asOf);

  const t = plan.tables;
  if (t['tax.filings'] !== undefined && tax !== undefined)
    scanTax(plan, t['tax.filings'], tax.filings, asOfMonth);
  if (t.invoices !== undefined && invoices !== undefined)
    scanInvoices(plan, t.invoices, invoices, asOfMonth, asOfDay);
  if (t.bankFlows !== undefined && bankFlows !== undefined)
    scanBankFlows(plan, t.bankFlows, bankFlows, asOfMonth);
  if (t.utilities !== undefined && utilities !== undefined)
    scanUtilities(plan, t.utilities, utilities, asOfMonth);
  if (t.socialInsurance !== undefined && socialInsurance !== undefined)
    scanSocialInsurance(plan, t.socialInsurance, socialInsurance, asOfMonth);
  if (t.judicial !== undefined && judicial !== undefined)
    scanJudicial(plan, t.judicial, judicial, asOfMonth, asOfDay);
  if (bureauEnterprise !== undefined) scanBureau(plan, 'enterprise', bureauEnterprise, asOfMonth, asOfDay);
  if (bureauOwner !== undefined) scanBureau(plan, 'owner', bureauOwner, asOfMonth, asOfDay);
  for (let g = 0; g < groups.length; g++) groups[g]!.summarise();

  const { vals, obs, runVals } = ws;
  const runs = plan.runs;
  for (let r = 0; r < runs.length; r += RUN_STRIDE) {
    if (present[runs[r + 4] as number] === 0) continue;
    const from = runs[r] as number;
    const len = runs[r + 1] as number;
    const base = runs[r + 2] as number;
    runningTotals(vals, from, len, runs[r + 3] !== RUN_SUM, runVals, base);
  }

  const ctx = ws.ctx;
  let ctxReady = false;
  const ops = plan.ops;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if (op.source >= 0 && present[op.source] === 0) {
      row[op.out] = Number.NaN;
      continue;
    }
    // Each case stores its own result: one variable merging the kernels' returned (tagged) numbers with the
    // doubles read off typed arrays made the optimiser box every double (≈ 560 bytes a borrower).
    switch (op.kind) {
      case OP.value:
        store(row, op, op.get!(view));
        break;
      case OP.sum:
      case OP.count:
        if (op.at >= 0) store(row, op, runVals[op.at] as number);
        else store(row, op, sumOf(vals, op.from, op.to));
        break;
      case OP.mean:
        // A flow's mean is its window sum over the window's months, as meanOf divides it.
        if (op.at >= 0) store(row, op, (runVals[op.at] as number) / (op.to - op.from + 1));
        else store(row, op, meanOf(vals, obs, op.from, op.to, op.level));
        break;
      case OP.min:
        store(row, op, extremeOf(vals, obs, op.from, op.to, op.level, -1));
        break;
      case OP.max:
        store(row, op, extremeOf(vals, obs, op.from, op.to, op.level, 1));
        break;
      case OP.last:
        store(row, op, lastOf(vals, obs, op.from, op.to, op.level));
        break;
      case OP.months_with:
        if (op.at >= 0) store(row, op, runVals[op.at] as number);
        else store(row, op, monthsWith(vals, op.from, op.to));
        break;
      case OP.months_since:
        store(row, op, monthsSince(vals, op.first, op.from, op.to));
        break;
      case OP.max_run:
        store(row, op, maxRun(vals, op.from, op.to));
        break;
      case OP.growth:
        if (op.at >= 0)
          store(
            row,
            op,
            growthOf(vals, obs, op.first, op.window, false, (runVals[op.at] as number) / op.window),
          );
        else store(row, op, growthOf(vals, obs, op.first, op.window, op.level));
        break;
      case OP.slope:
        store(row, op, slopeOf(vals, obs, op.from, op.to, op.level));
        break;
      case OP.cv:
        if (op.at >= 0)
          store(
            row,
            op,
            cvOf(vals, obs, op.from, op.to, false, (runVals[op.at] as number) / (op.to - op.from + 1)),
          );
        else store(row, op, cvOf(vals, obs, op.from, op.to, op.level));
        break;
      case OP.top_share:
        store(row, op, groups[op.group]!.topShare(op.k));
        break;
      case OP.hhi:
        store(row, op, groups[op.group]!.hhi);
        break;
      case OP.distinct:
        store(row, op, groups[op.group]!.count);
        break;
      case OP.ratio: {
        const a = row[op.inputs[0] as number] as number;
        const b = row[op.inputs[1] as number] as number;
        if (Number.isNaN(a) || Number.isNaN(b)) row[op.out] = Number.NaN;
        else store(row, op, b === 0 ? Number.NaN : a / b);
        break;
      }
      default: {
        // custom
        const inputs = op.inputs;
        let missing = false;
        for (let k = 0; k < inputs.length; k++) {
          const x = row[inputs[k] as number] as number;
          if (Number.isNaN(x)) missing = true;
          op.buffer[k] = x;
        }
        if (missing) {
          row[op.out] = Number.NaN;
          break;
        }
        if (!ctxReady) {
          ctx.app = app;
          ctx.asOfMonth = asOfMonth;
          ctx.asOfDays = daysFromCivil(app.asOf);
          ctxReady = true;
        }
        ctx.inputs = op.buffer;
        ctx.params = op.params;
        store(row, op, op.fn!(ctx));
      }
    }
  }
  // Nothing of this application stays reachable from the plan once its row is out.
  ctx.app = undefined as unknown as Application;
  view.enterprise = view.owner = view.tax = undefined;
  view.request = undefined;
  return row;
}

/**
 * The text of a feature value for CSV and JSON: a categorical feature's level, a number as is, and the
 * empty string for a missing value.
 * @example featureText(plan, plan.names.indexOf('tax_grade'), row[i]) // 'B'
 */
export function featureText(plan: FeaturePlan, index: number, value: number): string {
  if (Number.isNaN(value)) return '';
  const levels = plan.features[index]?.levels;
  if (levels !== undefined) return levels[value] ?? '';
  return String(value);
}

/**
 * A feature row as a record keyed by feature name (categoricals as their level, missing as null), for the
 * API and reports.
 * @example toFeatureRecord(plan, computeFeatures(plan, app)).tax_grade // 'B'
 */
export function toFeatureRecord(
  plan: FeaturePlan,
  row: Float64Array,
): Record<string, number | string | null> {
  const out: Record<string, number | string | null> = {};
  for (const f of plan.features) {
    const v = row[f.index] as number;
    out[f.name] = Number.isNaN(v) ? null : f.levels !== undefined ? (f.levels[v] ?? null) : v;
  }
  return out;
}
