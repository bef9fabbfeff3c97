import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CsvWriter } from '../core/csv.js';
import { describeValue, RiskError } from '../core/errors.js';
import { readTargets } from '../features/batch.js';
import { type MappingReject, type MapResult, mapInput } from '../ingest/convert.js';
import { resolveFor } from '../ingest/mapping.js';
import { readApplicationsDir } from '../ingest/readers.js';
import type { Application } from '../ingest/schemas.js';
import { openInput } from '../ingest/tables.js';
import { pickFirms, writeJinshuiExport } from '../samples/jinshui.js';
import { ROOT } from './options.js';

/** The package root, so defaults resolve there wherever the command runs from. */

/** The flags of `ingest check` and `ingest map`. */
export interface IngestFlags {
  readonly input?: string;
  readonly mapping?: string;
  readonly out?: string;
  readonly rejects?: string;
  readonly strict?: boolean;
}

function required(flag: string, value: string | undefined, what: string): string {
  if (value === undefined || value.trim() === '')
    throw new RiskError('E_OPTIONS_INVALID', `${flag} must be ${what}, received ${describeValue(value)}`, {
      path: [flag],
    });
  return value;
}

/**
 * Maps an input with a mapping (or, without one, reads it as the canonical layout: a workbook with one
 * sheet per file of the layout), writing the canonical layout into `out` when given.
 * @throws E_MAPPING_* for a bad mapping, E_INPUT_INVALID on the first bad row with `strict`
 * @example const r = await runMapping({ input: 'export.xlsx', mapping: 'jinshui', out: 'canon' });
 */
export async function runMapping(
  flags: IngestFlags,
): Promise<{ result: MapResult; rejects: MappingReject[] }> {
  const input = required('--input', flags.input, 'a folder, CSV file or .xlsx workbook');
  const source = await openInput(input);
  const mapping = resolveFor(source, flags.mapping);
  const rejects: MappingReject[] = [];
  const result = await mapInput(source, mapping, {
    ...(flags.out === undefined ? {} : { out: flags.out }),
    onReject: (r) => {
      if (flags.strict === true)
        throw new RiskError('E_INPUT_INVALID', r.message, { file: r.file, row: r.row, column: r.column });
      rejects.push(r);
    },
  });
  return { result, rejects };
}

/** The report of `ingest check`: per input table and column, what was parsed, mapped and rejected. */
export function checkReport(result: MapResult): string {
  const lines: string[] = [];
  for (const t of result.tables) {
    lines.push(
      `${t.input} → ${t.canonical}: ${t.read} rows read, ${t.mapped} mapped, ${t.rejected} rejected`,
    );
    for (const [col, c] of t.columns) {
      if (c.parsed === 0 && c.mapped === 0 && c.rejected === 0) continue;
      lines.push(`  ${col.padEnd(24)} parsed ${c.parsed}, mapped ${c.mapped}, rejected ${c.rejected}`);
      for (const e of c.examples) lines.push(`    e.g. ${e}`);
    }
  }
  lines.push(
    `${result.borrowers} borrowers${result.asOf === undefined ? '' : `, as of ${result.asOf} unless a row says otherwise`}` +
      (result.extras.length > 0 ? `; extra columns ${result.extras.join(', ')}` : '') +
      (result.outcomes.length > 0 ? `; outcomes ${result.outcomes.join(', ')}` : ''),
  );
  return lines.join('\n');
}

async function writeMappingRejects(path: string, rejects: readonly MappingReject[]): Promise<void> {
  const w = new CsvWriter(path, ['borrower_id', 'file', 'row', 'column', 'message']);
  for (const r of rejects) await w.write([r.borrowerId, r.file, r.row, r.column, r.message]);
  await w.close();
}

/** `rongdan ingest check`: what a mapped input would give. */
export async function ingestCheckCommand(flags: IngestFlags): Promise<void> {
  const { out: _ignored, ...rest } = flags;
  const { result } = await runMapping(rest);
  console.log(checkReport(result));
}

/** `rongdan ingest map`: writes the canonical layout of a mapped input. */
export async function ingestMapCommand(flags: IngestFlags): Promise<void> {
  const out = required('--out', flags.out, 'a folder');
  const { result, rejects } = await runMapping(flags);
  const rejectsPath = flags.rejects ?? join(out, 'rejects.csv');
  if (flags.strict !== true) await writeMappingRejects(rejectsPath, rejects);
  console.log(checkReport(result));
  console.log(
    `written to ${out}: ${result.files.join(', ')}${flags.strict === true ? '' : `; ${rejects.length} rejected rows in ${rejectsPath}`}`,
  );
}

/** `rongdan ingest example`: writes a 金税-layout export derived from the sample. */
export async function ingestExampleCommand(flags: {
  input?: string;
  out?: string;
  firms: string;
  format: string;
  seed: string;
}): Promise<void> {
  const out = required('--out', flags.out, 'a folder');
  const input = flags.input ?? join(ROOT, 'data-samples');
  const firms = Number(flags.firms);
  if (!Number.isInteger(firms) || firms < 1)
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `--firms must be a positive integer, received ${describeValue(flags.firms)}`,
    );
  if (flags.format !== 'xlsx' && flags.format !== 'csv')
    throw new RiskError(
      'E_OPTIONS_INVALID',
      `--format must be xlsx or csv, received ${describeValue(flags.format)}`,
    );
  const outcomes = join(input, 'outcomes.csv');
  if (!existsSync(outcomes)) throw new RiskError('E_IO', `${input} has no outcomes.csv`, { file: outcomes });
  const targets = await readTargets(outcomes);
  const defaults = new Map([...targets].map(([id, v]) => [id, Number(v)]));
  const apps: Application[] = [];
  for await (const a of readApplicationsDir(input, { rejects: join(out, 'sample-rejects.csv') }))
    apps.push(a);
  const s = await writeJinshuiExport(pickFirms(apps, defaults, firms), defaults, out, {
    format: flags.format,
    seed: Number(flags.seed),
  });
  console.log(
    `${s.firms} firms (${s.defaulted} defaulted), ${s.purchases} purchase and ${s.sales} sales invoices (${s.red} red-letter) written to ${s.files.join(', ')}`,
  );
}
