import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CsvWriter, LineWriter, readCsvBlocks } from '../core/csv.js';
import { RiskError } from '../core/errors.js';
import {
  BEHAVIOUR_FEATURES,
  BEHAVIOUR_HORIZON_MONTHS,
  BEHAVIOUR_TARGET,
  behaviourRows,
} from '../decisions/behaviour.js';
import { evaluateLoan, type WarningEvaluation } from '../decisions/warning.js';
import {
  DEFAULT_WARNING_POLICY,
  LEVEL_INFO,
  OVERDUE_FLOORS_2007,
  WARNING_LEVELS,
  type WarningPolicy,
} from '../decisions/warning-policy.js';
import {
  groupSnapshots,
  type MonitoringReject,
  readMonitoringLoans,
  readMonitoringSnapshots,
} from '../ingest/monitoring.js';
import type { TrainedModel } from '../models/model.js';
import { openModel } from '../models/registry.js';
import { BEHAVIOUR_MODEL_DIR } from './options.js';
import { type CommandIo, progressBar } from './train.js';

const processIo: CommandIo = { stdout: process.stdout, stderr: process.stderr };

/** Opens a behavioural model: a directory (behaviour-model.json or model.json inside) or an envelope file. */
export async function openBehaviourModel(path: string): Promise<TrainedModel> {
  const file =
    existsSync(path) && statSync(path).isDirectory() && existsSync(join(path, 'behaviour-model.json'))
      ? join(path, 'behaviour-model.json')
      : path;
  return (await openModel(file)).model;
}

/** Reads monitoring/loans.csv and monitoring/snapshots.csv under `input` (or `input/monitoring`). */
export async function readBook(input: string) {
  const dir = existsSync(join(input, 'monitoring', 'loans.csv')) ? join(input, 'monitoring') : input;
  const loansFile = join(dir, 'loans.csv');
  const snapsFile = join(dir, 'snapshots.csv');
  for (const f of [loansFile, snapsFile]) {
    if (!existsSync(f)) throw new RiskError('E_IO', `--input: expected ${f} to exist`, { file: f });
  }
  const loans = await readMonitoringLoans(loansFile, { onInvalid: 'collect' });
  const snaps = await readMonitoringSnapshots(snapsFile, { onInvalid: 'collect' });
  return { loans, snaps, byLoan: groupSnapshots(snaps.rows) };
}

/** Reads outcomes.csv (borrower_id, default_12m) beside the monitoring folder, when present. */
async function readOutcomes(input: string): Promise<Map<string, number> | null> {
  const file = join(input, 'outcomes.csv');
  if (!existsSync(file)) return null;
  let id = -1;
  let target = -1;
  const out = new Map<string, number>();
  for await (const block of readCsvBlocks(file, (h) => {
    id = h.indexOf('borrower_id');
    target = h.indexOf('default_12m');
  })) {
    if (id < 0 || target < 0) return null;
    for (const r of block.records) out.set(r[id] as string, Number(r[target]));
  }
  return out;
}

/** The options of `monitor`. */
export interface MonitorOptions {
  readonly input: string;
  readonly out: string;
  readonly month?: string;
  readonly model?: string;
  readonly policy2007?: boolean;
  readonly noModel?: boolean;
  readonly json?: boolean;
  readonly progress?: boolean;
}

/** What `monitor` did, for the summary table and tests. */
export interface MonitorSummary {
  readonly loansRead: number;
  readonly snapshotsRead: number;
  readonly rejected: number;
  readonly evaluated: number;
  readonly byLevel: Record<
    string,
    { count: number; colour: string; defaults: number | null; defaultRate: number | null }
  >;
  readonly signalsFired: Record<string, number>;
  readonly onSiteDue: number;
  readonly byStatus: Record<string, number>;
  readonly rejects: readonly MonitoringReject[];
}

/**
 * Evaluates every in-force loan at its latest snapshot (or at `month`), writes JSON Lines, and summarises.
 * @throws E_IO, E_CSV_COLUMN, E_MODEL_ARTIFACT_*
 */
export async function runMonitor(opts: MonitorOptions, io: CommandIo = processIo): Promise<MonitorSummary> {
  const policy: WarningPolicy =
    opts.policy2007 === true
      ? { ...DEFAULT_WARNING_POLICY, id: 'warning-2007', overdueFloors: [...OVERDUE_FLOORS_2007] }
      : DEFAULT_WARNING_POLICY;
  const model = opts.noModel === true ? null : await openBehaviourModel(opts.model ?? BEHAVIOUR_MODEL_DIR);
  const { loans, snaps, byLoan } = await readBook(opts.input);
  const outcomes = await readOutcomes(opts.input);
  const writer = new LineWriter(opts.out);
  const bar = progressBar(io, opts.progress !== false, 'monitor');
  const byLevel: MonitorSummary['byLevel'] = {};
  for (const l of WARNING_LEVELS) {
    byLevel[l] = {
      count: 0,
      colour: LEVEL_INFO[l].colour,
      defaults: outcomes === null ? null : 0,
      defaultRate: null,
    };
  }
  const signalsFired: Record<string, number> = {};
  for (const s of policy.signals) signalsFired[s.id] = 0;
  const byStatus: Record<string, number> = {};
  let evaluated = 0;
  let onSiteDue = 0;
  let done = 0;
  for (const loan of loans.rows) {
    const e: WarningEvaluation | null = evaluateLoan(
      policy,
      model,
      loan,
      byLoan.get(loan.borrowerId) ?? [],
      opts.month,
    );
    done++;
    if (done % 50 === 0) bar.update(done, loans.rows.length);
    if (e === null) continue;
    evaluated++;
    await writer.writeLine(JSON.stringify(e));
    const slot = byLevel[e.level] as MonitorSummary['byLevel'][string];
    slot.count++;
    if (outcomes !== null && outcomes.get(loan.borrowerId) === 1) slot.defaults = (slot.defaults ?? 0) + 1;
    for (const id of e.fired) signalsFired[id] = (signalsFired[id] ?? 0) + 1;
    if (e.onSiteCheck.due) onSiteDue++;
    byStatus[e.guarantorStatus] = (byStatus[e.guarantorStatus] ?? 0) + 1;
  }
  bar.update(done, loans.rows.length);
  bar.stop();
  await writer.close();
  for (const slot of Object.values(byLevel)) {
    slot.defaultRate = slot.defaults === null || slot.count === 0 ? null : slot.defaults / slot.count;
  }
  const summary: MonitorSummary = {
    loansRead: loans.read,
    snapshotsRead: snaps.read,
    rejected: loans.rejects.length + snaps.rejects.length,
    evaluated,
    byLevel,
    signalsFired,
    onSiteDue,
    byStatus,
    rejects: [...loans.rejects, ...snaps.rejects],
  };
  io.stdout.write(
    opts.json === true ? `${JSON.stringify(summary, null, 2)}\n` : summaryTable(summary, opts.out),
  );
  return summary;
}

function summaryTable(s: MonitorSummary, out: string): string {
  const lines = [
    `loans read ${s.loansRead}, snapshots read ${s.snapshotsRead}, rejected ${s.rejected}; evaluated ${s.evaluated} → ${out}`,
    '',
    'level              colour   loans   defaults  default rate',
  ];
  for (const l of WARNING_LEVELS) {
    const b = s.byLevel[l] as MonitorSummary['byLevel'][string];
    const rate = b.defaultRate === null ? '-' : `${(b.defaultRate * 100).toFixed(1)}%`;
    lines.push(
      `${`${LEVEL_INFO[l].zh} ${l}`.padEnd(19)}${b.colour.padEnd(9)}${String(b.count).padStart(5)}   ${String(b.defaults ?? '-').padStart(8)}  ${rate.padStart(12)}`,
    );
  }
  lines.push('', 'signal                 fired');
  for (const [id, n] of Object.entries(s.signalsFired))
    lines.push(`${id.padEnd(22)} ${String(n).padStart(6)}`);
  lines.push('', `on-site checks due     ${String(s.onSiteDue).padStart(6)}`);
  lines.push(
    `guarantor status       ${Object.entries(s.byStatus)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')}`,
    '',
  );
  return lines.join('\n');
}

/**
 * Writes the labelled behavioural feature table (one row per loan-month; target = default within the horizon)
 * for `train`. Returns the number of rows and of positives.
 */
export async function runMonitorFeatures(
  opts: { input: string; out: string },
  io: CommandIo = processIo,
): Promise<{ rows: number; positives: number }> {
  const { byLoan } = await readBook(opts.input);
  const writer = new CsvWriter(opts.out, ['borrower_id', 'month', ...BEHAVIOUR_FEATURES, BEHAVIOUR_TARGET]);
  let rows = 0;
  let positives = 0;
  for (const series of byLoan.values()) {
    for (const r of behaviourRows(series)) {
      await writer.write([r.borrowerId, r.month, ...BEHAVIOUR_FEATURES.map((f) => r.metrics[f]), r.target]);
      rows++;
      positives += r.target;
    }
  }
  await writer.close();
  io.stdout.write(
    `behaviour features: ${rows} loan-months, ${positives} default within ${BEHAVIOUR_HORIZON_MONTHS} months → ${opts.out}\n`,
  );
  return { rows, positives };
}

/** `rongdan monitor`: checks --month, then evaluates every in-force loan. */
export async function monitorCommand(o: Record<string, unknown>): Promise<void> {
  if (o.month !== undefined && !/^\d{4}-(0[1-9]|1[0-2])$/.test(String(o.month))) {
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `--month: expected YYYY-MM, received ${JSON.stringify(o.month)}`,
    );
  }
  await runMonitor({
    input: String(o.input),
    out: String(o.out),
    ...(o.month === undefined ? {} : { month: String(o.month) }),
    ...(typeof o.model === 'string' ? { model: o.model } : {}),
    noModel: o.model === false,
    policy2007: o.policy2007 === true,
    json: o.json === true,
    progress: o.progress !== false,
  });
}

/** `rongdan monitor-features`. */
export async function monitorFeaturesCommand(o: { input: string; out: string }): Promise<void> {
  await runMonitorFeatures(o);
}
