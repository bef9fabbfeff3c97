import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CsvWriter, LineWriter } from '../core/csv.js';
import { ioError, RiskError } from '../core/errors.js';
import { type Logger, silentLogger } from '../core/logger.js';
import { APPLICATIONS_FILE, applicationRow, headerOf, SOURCE_FILES, sourceRows } from '../ingest/layout.js';
import { type Agreement, agreementSchema, type Bank, bankSchema } from '../ingest/partners.js';
import { toIssues } from '../ingest/validate.js';
import { AGREEMENTS, SAMPLE_PROGRAMMES } from './agreements.js';
import { BANKS } from './banks.js';
import type { DirtCounts } from './dirty.js';
import { generateBorrower } from './generate.js';
import { bookLoan, monitorLoan } from './monitoring.js';
import {
  resolveSampleOptions,
  SAMPLE_FORMATS,
  type SampleFormat,
  type SampleOptionsInput,
} from './options.js';
import { STREAMS, streamRng } from './streams.js';

/** Options of `writeSampleDir`: the generator's plus where and how to write. */
export interface WriteSampleOptions extends SampleOptionsInput {
  readonly out: string;
  /** csv (default): the layout of src/ingest/layout.ts; json: applications.jsonl; both. */
  readonly format?: SampleFormat;
  readonly logger?: Logger;
  /** Called every few hundred borrowers and at the end, for progress bars. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Defaults to the presets of banks.ts and agreements.ts. */
  readonly banks?: readonly Bank[];
  readonly agreements?: readonly Agreement[];
}

/** What `writeSampleDir` wrote. */
export interface SampleSummary {
  readonly borrowers: number;
  readonly defaults: number;
  readonly defaultRate: number;
  /** Source rows seen, dirtied, and dirtied with an invalid value. */
  readonly rows: DirtCounts;
  readonly inForce: number;
  readonly inForceDefaults: number;
  /** Files written, relative to `out`, with their data rows (lines for JSONL, entries for JSON). */
  readonly files: readonly { readonly path: string; readonly rows: number }[];
}

/** Columns of monitoring/loans.csv (the monitoring files are documented in data-samples/README.md). */
export const LOAN_COLUMNS = [
  'borrower_id',
  'bank_id',
  'agreement_id',
  'business_mode',
  'origination_date',
  'amount',
  'tenor_months',
  'guarantee_fee_rate',
] as const;
/** Columns of monitoring/snapshots.csv. */
export const SNAPSHOT_COLUMNS = [
  'borrower_id',
  'month',
  'months_on_book',
  'loan_balance',
  'loan_overdue_days',
  'loan_status',
  'tax_revenue',
  'bank_inflow',
  'bank_end_balance',
  'bureau_overdue_days',
  'bureau_class',
  'new_judicial_events',
  'electricity_kwh',
  'utility_arrears',
  'insured_headcount',
] as const;
/** Columns of outcomes.csv. */
export const OUTCOME_COLUMNS = ['borrower_id', 'default_12m', 'default_date'] as const;
/** Columns of dirty.csv. */
export const DIRT_COLUMNS = [
  'borrower_id',
  'file',
  'subject',
  'row',
  'column',
  'kind',
  'valid',
  'value',
] as const;

/**
 * Checks banks and agreements against their schemas and that every agreement names known banks.
 * @throws E_DATA_INVALID listing each problem
 */
export function checkBanksAndAgreements(banks: readonly Bank[], agreements: readonly Agreement[]): void {
  const problems: string[] = [];
  const ids = new Set<string>();
  banks.forEach((b, k) => {
    const r = bankSchema.safeParse(b);
    if (!r.success) problems.push(...toIssues(r.error).map((i) => `banks[${k}].${i.message}`));
    if (ids.has(b.id)) problems.push(`banks[${k}].id: duplicate id ${b.id}`);
    ids.add(b.id);
  });
  agreements.forEach((a, k) => {
    const r = agreementSchema.safeParse(a);
    if (!r.success) problems.push(...toIssues(r.error).map((i) => `agreements[${k}].${i.message}`));
    for (const id of a.bankIds) {
      const bank = banks.find((b) => b.id === id);
      if (bank === undefined) problems.push(`agreements[${k}].bankIds: unknown bank ${id}`);
      else if (!bank.businessModes?.includes(a.businessMode))
        problems.push(`agreements[${k}].bankIds: bank ${id} does not take ${a.businessMode} business`);
    }
  });
  // A bank's quota is under an agreement that names it.
  const signed = new Map(agreements.map((a) => [a.id, a.bankIds]));
  banks.forEach((b, k) => {
    for (const q of b.quotas ?? []) {
      const by = signed.get(q.agreementId);
      if (by === undefined) problems.push(`banks[${k}].quotas: unknown agreement ${q.agreementId}`);
      else if (!by.includes(b.id))
        problems.push(`banks[${k}].quotas: agreement ${q.agreementId} does not name bank ${b.id}`);
    }
  });
  if (problems.length > 0) throw new RiskError('E_DATA_INVALID', problems.join('; '), { problems });
}

class Counted {
  rows = 0;
  constructor(
    readonly path: string,
    readonly writer: CsvWriter,
  ) {}
  async write(cells: readonly unknown[]): Promise<void> {
    this.rows++;
    await this.writer.write(cells);
  }
}

/**
 * Generates a sample and writes it to a directory: applications in the CSV layout of src/ingest/layout.ts
 * and/or `applications.jsonl`, `outcomes.csv`, `dirty.csv` (every dirtied cell), `monitoring/loans.csv` and
 * `monitoring/snapshots.csv`, `banks.json`, `agreements.json` and `manifest.json`. Same options → byte-identical
 * files.
 * @throws E_SAMPLES_OPTIONS on invalid options; E_IO when a file cannot be written
 * @example await writeSampleDir({ n: 5000, seed: 42, months: 12, out: 'data-samples' });
 */
export async function writeSampleDir(options: WriteSampleOptions): Promise<SampleSummary> {
  const o = resolveSampleOptions(options);
  const format = options.format ?? 'csv';
  if (!(SAMPLE_FORMATS as readonly string[]).includes(format)) {
    throw new RiskError('E_SAMPLES_OPTIONS', `format must be one of csv, json, both, received "${format}"`, {
      path: ['format'],
      received: format,
    });
  }
  const logger = options.logger ?? silentLogger;
  const banks = options.banks ?? BANKS;
  const agreements = options.agreements ?? AGREEMENTS;
  checkBanksAndAgreements(banks, agreements);
  // Borrowers request and are booked under the sample's programmes only, so a preset added later leaves them as drawn.
  const programmes = options.agreements ?? SAMPLE_PROGRAMMES;

  const out = options.out;
  try {
    await mkdir(join(out, 'monitoring'), { recursive: true });
  } catch (err) {
    throw ioError('create', out, err);
  }
  const open = (path: string, header: readonly string[]) =>
    new Counted(path, new CsvWriter(join(out, path), header));
  const csv = format !== 'json';
  const appWriter = csv ? open(APPLICATIONS_FILE.file, headerOf(APPLICATIONS_FILE)) : null;
  const sourceWriters = csv ? SOURCE_FILES.map((l) => open(l.file, headerOf(l))) : [];
  const jsonl =
    format === 'csv'
      ? null
      : { path: 'applications.jsonl', rows: 0, writer: new LineWriter(join(out, 'applications.jsonl')) };
  const outcomes = open('outcomes.csv', OUTCOME_COLUMNS);
  const dirt = open('dirty.csv', DIRT_COLUMNS);
  const loans = open('monitoring/loans.csv', LOAN_COLUMNS);
  const snapshots = open('monitoring/snapshots.csv', SNAPSHOT_COLUMNS);

  const counts: DirtCounts = { rows: 0, dirty: 0, invalid: 0 };
  let defaults = 0;
  let inForceDefaults = 0;
  for (let i = 0; i < o.n; i++) {
    const g = generateBorrower(o, i, counts, programmes);
    const app = g.application;
    if (appWriter !== null) {
      await appWriter.write(applicationRow(app));
      for (let k = 0; k < SOURCE_FILES.length; k++) {
        const w = sourceWriters[k] as Counted;
        for (const row of sourceRows(app, SOURCE_FILES[k] as (typeof SOURCE_FILES)[number]))
          await w.write(row);
      }
    }
    if (jsonl !== null) {
      jsonl.rows++;
      await jsonl.writer.writeLine(JSON.stringify(app));
    }
    defaults += g.outcome.default12m;
    await outcomes.write([g.outcome.borrowerId, g.outcome.default12m, g.outcome.defaultDate ?? '']);
    for (const d of g.dirt)
      await dirt.write([d.borrowerId, d.file, d.subject, d.row, d.column, d.kind, d.valid ? 1 : 0, d.value]);

    const rng = streamRng(o.seed, i, STREAMS.monitoring);
    const loan = bookLoan(rng, g, programmes, banks);
    if (loan !== null) {
      await loans.write([
        loan.borrowerId,
        loan.bankId,
        loan.agreementId,
        loan.businessMode,
        loan.originationDate,
        loan.amount,
        loan.tenorMonths,
        loan.guaranteeFeeRate,
      ]);
      for (const s of monitorLoan(rng, g, loan, o.monitoringMonths)) {
        if (s.loanStatus === 'defaulted') inForceDefaults++;
        await snapshots.write([
          s.borrowerId,
          s.month,
          s.monthsOnBook,
          s.loanBalance,
          s.loanOverdueDays,
          s.loanStatus,
          s.taxRevenue,
          s.bankInflow,
          s.bankEndBalance,
          s.bureauOverdueDays,
          s.bureauClass,
          s.newJudicialEvents,
          s.electricityKwh,
          s.utilityArrears,
          s.insuredHeadcount,
        ]);
      }
    }
    if ((i & 255) === 255) options.onProgress?.(i + 1, o.n);
  }

  const csvFiles = [
    ...(appWriter === null ? [] : [appWriter]),
    ...sourceWriters,
    outcomes,
    dirt,
    loans,
    snapshots,
  ];
  try {
    for (const f of csvFiles) await f.writer.close();
    if (jsonl !== null) await jsonl.writer.close();
    await writeFile(join(out, 'banks.json'), `${JSON.stringify(banks, null, 2)}\n`);
    await writeFile(join(out, 'agreements.json'), `${JSON.stringify(agreements, null, 2)}\n`);
  } catch (err) {
    throw new RiskError(
      'E_IO',
      `cannot write to ${out}: ${(err as Error).message}`,
      { file: out },
      { cause: err },
    );
  }
  options.onProgress?.(o.n, o.n);

  const files = [
    ...csvFiles.map((f) => ({ path: f.path, rows: f.rows })),
    ...(jsonl === null ? [] : [{ path: jsonl.path, rows: jsonl.rows }]),
    { path: 'banks.json', rows: banks.length },
    { path: 'agreements.json', rows: agreements.length },
  ];
  const summary: SampleSummary = {
    borrowers: o.n,
    defaults,
    defaultRate: defaults / o.n,
    rows: counts,
    inForce: loans.rows,
    inForceDefaults,
    files: [...files, { path: 'manifest.json', rows: 1 }],
  };
  const manifest = { generator: 'rongdan samples generate', options: { ...o, format }, summary };
  await writeFile(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  logger.info(
    { borrowers: o.n, defaultRate: summary.defaultRate, inForce: summary.inForce },
    'sample written',
  );
  return summary;
}
