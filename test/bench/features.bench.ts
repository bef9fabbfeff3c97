// Feature benchmark (issue 2, part 6; issue 12 part 4): borrowers per second of the feature engine on 100,000 borrowers with
// 24 months of every source, from parsed applications and from the CSV sample layout (reading + validation +
// features + writing), with peak memory; then 1,000,000 borrowers streamed from the generator. Peers from the
// same run: a plain JS loop that only sums invoice amounts per borrower (the floor of touching the data), a
// plain JS pass over invoices.csv, and pandas reading invoices.csv and summing by borrower.
// Run: npx tsx test/bench/features.bench.ts [--n 100000] [--million 1000000 | --no-million]
// Each measured case runs in a child process of its own so that its peak RSS is its own, RUNS times
// (spread.ts), interleaved, and prints median (min–max).
import { spawnSync } from 'node:child_process';
import {
  createReadStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { LineWriter, readCsvBlocks } from '../../src/core/csv.js';
import { writeFeaturesCsv } from '../../src/features/batch.js';
import { loadCatalog } from '../../src/features/catalog.js';
import { computeFeatures } from '../../src/features/engine.js';
import { compileCatalog } from '../../src/features/plan.js';
import { readApplicationsDir } from '../../src/ingest/readers.js';
import type { Application } from '../../src/ingest/schemas.js';
import { parseApplication } from '../../src/ingest/validate.js';
import { generateApplications } from '../../src/samples/generate.js';
import { writeSampleDir } from '../../src/samples/write.js';
import { fmtSpread, int, interleave, loadNote, RUNS, spreadOf } from './spread.js';

const SEED = 20250615;
const MONTHS = 24;
const CHUNK = Number(process.env.FEATURES_BENCH_CHUNK ?? 100);
/** Applications parsed up front for the held-in-memory case (a book of this size fits in memory). */
const IN_MEMORY = 20_000;

interface Result {
  readonly [key: string]: number | string;
}

const seconds = (from: bigint): number => Number(process.hrtime.bigint() - from) / 1e9;
/** CPU seconds of this process since `from` (user + system): what a loaded machine does not inflate. */
const cpuSeconds = (from: NodeJS.CpuUsage): number => {
  const d = process.cpuUsage(from);
  return (d.user + d.system) / 1e6;
};
const peakMiB = (): number => process.resourceUsage().maxRSS / 1024;
/**
 * CPU seconds of the main thread alone (Linux; NaN elsewhere): unlike the process's, they leave out the
 * compiler and GC helper threads, which a second core runs alongside on a quiet machine.
 */
const threadCpuSeconds = (): number => {
  try {
    return Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[0]) / 1e9;
  } catch {
    return Number.NaN;
  }
};

/** The floor: touch every invoice of a borrower and sum its amounts, nothing else. */
function sumInvoices(app: Application): number {
  let s = 0;
  const list = app.invoices;
  if (list !== undefined) for (let i = 0; i < list.length; i++) s += (list[i] as { amount: number }).amount;
  return s;
}

/** A second floor: read every dated record of every source once (its date's month and its amounts). */
function touchAll(app: Application): number {
  let s = 0;
  const month = (d: string): number => d.charCodeAt(2) * 100 + d.charCodeAt(3) * 10 + d.charCodeAt(5);
  for (const x of app.invoices ?? []) s += x.amount + x.tax + month(x.date) + x.counterpartyId.length;
  for (const x of app.tax?.filings ?? []) s += x.revenue + x.vat + x.incomeTax + month(x.period);
  for (const x of app.bankFlows ?? [])
    s += x.inflow + x.outflow + x.endBalance + x.counterparties + month(x.month);
  for (const x of app.utilities ?? []) s += x.electricityKwh + x.waterTons + x.arrears + month(x.month);
  for (const x of app.socialInsurance ?? []) s += x.insuredHeadcount + month(x.month);
  for (const x of app.judicial ?? []) s += (x.amount ?? 0) + month(x.date) + x.kind.length;
  for (const r of [app.bureau?.enterprise, app.bureau?.owner]) {
    if (r === undefined) continue;
    for (const f of r.facilities) {
      s += f.balance + f.limit + f.overdueAmount + f.overdueDays + month(f.openDate);
      for (const h of f.overdueHistory) s += h;
    }
    for (const g of r.guaranteesGiven) s += g.amount;
    for (const q of r.inquiries) s += month(q.date);
  }
  return s;
}

/**
 * Parsed applications: the generator and the parser run outside the clock, `chunk` applications at a time;
 * the engine and the floors are timed over each chunk. Chunks of 100 stream (nothing kept beyond one chunk:
 * the 1M case), and the engine then runs between bursts of generator and parser code that take its caches
 * (docs/features-speed.md); one chunk of every application is a book parsed beforehand and held in memory.
 */
function parsedCase(n: number, chunkSize = CHUNK): Result {
  const plan = compileCatalog(loadCatalog());
  const out = new Float64Array(plan.names.length);
  let engine = 0;
  let engineCpu = 0;
  let engineThread = 0;
  let floor = 0;
  let touch = 0;
  let sink = 0;
  let records = 0;
  let invoices = 0;
  const started = process.hrtime.bigint();
  const chunk: Application[] = [];
  const run = (): void => {
    // A book held in memory is scored by a warm engine (a service, a portfolio run): one untimed pass first.
    if (chunkSize >= n) for (const app of chunk) computeFeatures(plan, app, out);
    let t = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    const thread = threadCpuSeconds();
    for (const app of chunk) {
      computeFeatures(plan, app, out);
      sink += out[0] as number;
    }
    engine += seconds(t);
    engineCpu += cpuSeconds(cpu);
    engineThread += threadCpuSeconds() - thread;
    t = process.hrtime.bigint();
    for (const app of chunk) sink += sumInvoices(app);
    floor += seconds(t);
    t = process.hrtime.bigint();
    for (const app of chunk) sink += touchAll(app);
    touch += seconds(t);
    chunk.length = 0;
  };
  for (const { application } of generateApplications({ n, seed: SEED, months: MONTHS, dirty: 0 })) {
    const app = parseApplication(application);
    invoices += app.invoices?.length ?? 0;
    records +=
      (app.invoices?.length ?? 0) +
      (app.tax?.filings.length ?? 0) +
      (app.bankFlows?.length ?? 0) +
      (app.utilities?.length ?? 0) +
      (app.socialInsurance?.length ?? 0) +
      (app.judicial?.length ?? 0);
    chunk.push(app);
    if (chunk.length === chunkSize) run();
  }
  run();
  return {
    borrowers: n,
    features: plan.names.length,
    invoicesPerBorrower: invoices / n,
    recordsPerBorrower: records / n,
    engineSeconds: engine,
    enginePerSecond: n / engine,
    engineCpuPerSecond: n / engineCpu,
    engineThreadCpuPerSecond: n / engineThread,
    floorPerSecond: n / floor,
    touchPerSecond: n / touch,
    wallSeconds: seconds(started),
    peakMiB: peakMiB(),
    sink: Number.isFinite(sink) ? 1 : 0,
  };
}

/** From the CSV directory: reading + validation only (its own process, so its peak RSS is the reader's). */
async function csvReadCase(dir: string): Promise<Result> {
  const t = process.hrtime.bigint();
  let n = 0;
  for await (const app of readApplicationsDir(dir)) n += app.id.length > 0 ? 1 : 0;
  return { borrowers: n, readPerSecond: n / seconds(t), peakMiB: peakMiB() };
}

/** From the CSV directory: reading + validation + features + CSV output. */
async function csvCase(dir: string, out: string): Promise<Result> {
  const plan = compileCatalog(loadCatalog());
  const t = process.hrtime.bigint();
  const summary = await writeFeaturesCsv(plan, readApplicationsDir(dir), out);
  const fullSeconds = seconds(t);
  return {
    borrowers: summary.rows,
    fullPerSecond: summary.rows / fullSeconds,
    fullSeconds,
    peakMiB: peakMiB(),
  };
}

/** The CSV floor in JS: stream invoices.csv and sum amounts per borrower. */
async function csvFloorCase(dir: string): Promise<Result> {
  const t = process.hrtime.bigint();
  const sums = new Map<string, number>();
  let idAt = 0;
  let amountAt = 0;
  let rows = 0;
  for await (const block of readCsvBlocks(join(dir, 'invoices.csv'), (h) => {
    idAt = h.indexOf('borrower_id');
    amountAt = h.indexOf('amount');
  })) {
    for (const r of block.records) {
      const id = r[idAt] as string;
      sums.set(id, (sums.get(id) ?? 0) + Number(r[amountAt]));
      rows++;
    }
  }
  return { rows, borrowersWithInvoices: sums.size, seconds: seconds(t), peakMiB: peakMiB() };
}

/** pandas, from Debian's python3: read invoices.csv and sum amounts by borrower. */
function pandasCase(dir: string): Result | string {
  const python = '/usr/bin/python3';
  if (!existsSync(python)) return 'no /usr/bin/python3';
  const script = [
    'import time, resource, json, pandas as pd',
    't = time.perf_counter()',
    `df = pd.read_csv(${JSON.stringify(join(dir, 'invoices.csv'))}, usecols=["borrower_id", "amount"])`,
    's = df.groupby("borrower_id")["amount"].sum()',
    'dt = time.perf_counter() - t',
    'print(json.dumps({"rows": len(df), "borrowersWithInvoices": len(s), "seconds": dt,',
    '  "peakMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))',
  ].join('\n');
  const r = spawnSync(python, ['-c', script], { encoding: 'utf8' });
  if (r.status !== 0) return `pandas failed: ${r.stderr.trim().split('\n').at(-1)}`;
  return JSON.parse(r.stdout.trim()) as Result;
}

/**
 * A copy of a sample directory with its source rows in export order, not grouped by borrower: invoices
 * all purchases then all sales (as a 金税 export lists them), every other source file its odd rows then its
 * even rows. Two streaming passes per file, so the copy costs no memory.
 */
async function exportOrderCopy(from: string, to: string): Promise<void> {
  mkdirSync(to, { recursive: true });
  for (const file of readdirSync(from).filter((f) => f.endsWith('.csv'))) {
    const passes: ((line: string, i: number) => boolean)[] =
      file === 'applications.csv'
        ? [() => true]
        : file === 'invoices.csv'
          ? [(l) => l.includes(',purchase,'), (l) => !l.includes(',purchase,')]
          : [(_, i) => i % 2 === 1, (_, i) => i % 2 === 0];
    const w = new LineWriter(join(to, file));
    for (const keep of passes) {
      let i = -1;
      for await (const line of createInterface({
        input: createReadStream(join(from, file), 'utf8'),
        crlfDelay: Number.POSITIVE_INFINITY,
      })) {
        i++;
        if (i === 0) {
          if (keep === passes[0]) await w.writeLine(line);
          continue;
        }
        if (line !== '' && keep(line, i)) await w.writeLine(line);
      }
    }
    await w.close();
  }
}

/** Runs one case in a child process and returns its JSON result. */
function child(mode: string, ...args: string[]): Result {
  const self = fileURLToPath(import.meta.url);
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', mode, ...args], {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0) throw new Error(`${mode} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as Result;
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

const f0 = (x: number | string | undefined): string =>
  typeof x === 'number' ? Math.round(x).toLocaleString('en-US') : String(x);
const f1 = (x: number | string | undefined): string => (typeof x === 'number' ? x.toFixed(1) : String(x));

async function main(): Promise<void> {
  const at = process.argv.indexOf('--child');
  if (at >= 0) {
    const mode = process.argv[at + 1];
    const arg = process.argv[at + 2] as string;
    let r: Result;
    if (mode === 'parsed') r = parsedCase(Number(arg));
    else if (mode === 'in-memory') r = parsedCase(Number(arg), Number(arg));
    else if (mode === 'csv-read') r = await csvReadCase(arg);
    else if (mode === 'csv') r = await csvCase(arg, process.argv[at + 3] as string);
    else r = await csvFloorCase(arg);
    console.log(JSON.stringify(r));
    return;
  }

  const n = flag('--n', 100_000);
  const million = process.argv.includes('--no-million') ? 0 : flag('--million', 1_000_000);
  console.log(
    `features bench: ${n.toLocaleString('en-US')} borrowers, ${MONTHS} months of every source, seed ${SEED}, Node ${process.version}, one core`,
  );

  // Every case RUNS times, interleaved, each in its own child; figures are median (min–max over runs).
  const held = Math.min(n, IN_MEMORY);
  const parsedRuns = await interleave({
    parsed: () => child('parsed', String(n)),
    memory: () => child('in-memory', String(held)),
  });
  const parsedAll = parsedRuns.parsed;
  const parsed = parsedAll[0] as Result;
  const rate = (key: string): string =>
    fmtSpread(
      spreadOf(parsedAll, (r) => r[key] as number),
      int,
    );
  console.log(
    `\nfrom parsed applications (${f0(parsed.features)} features; ${f1(parsed.invoicesPerBorrower)} invoices and ${f1(parsed.recordsPerBorrower)} dated records a borrower):`,
  );
  console.log(
    `  engine            ${rate('enginePerSecond')} borrowers/s, streamed: parsed ${CHUNK} at a time between bursts of the generator`,
  );
  console.log(
    `  engine, CPU time  ${rate('engineCpuPerSecond')} borrowers/s: the same over the process's CPU seconds, which a loaded machine inflates less than wall time (main thread alone: ${rate('engineThreadCpuPerSecond')})`,
  );
  console.log(
    `  engine, held      ${fmtSpread(
      spreadOf(parsedRuns.memory, (r) => r.enginePerSecond as number),
      int,
    )} borrowers/s over ${f0(held)} applications parsed beforehand and held in memory (CPU time: ${fmtSpread(
      spreadOf(parsedRuns.memory, (r) => r.engineCpuPerSecond as number),
      int,
    )}; main thread alone: ${fmtSpread(
      spreadOf(parsedRuns.memory, (r) => r.engineThreadCpuPerSecond as number),
      int,
    )})`,
  );
  console.log(
    `  floor (peer)      ${rate('floorPerSecond')} borrowers/s: a plain loop summing each borrower's invoice amounts`,
  );
  console.log(
    `  touch-all (peer)  ${rate('touchPerSecond')} borrowers/s: a plain loop reading every record of every source once`,
  );
  console.log(
    `  peak RSS          ${f0(parsed.peakMiB)} MiB (generator and parser included; ${f1(parsed.wallSeconds)} s wall)`,
  );

  const dir = mkdtempSync(join(tmpdir(), 'rongdan-features-bench-'));
  try {
    const t = process.hrtime.bigint();
    await writeSampleDir({ n, seed: SEED, months: MONTHS, dirty: 0, out: join(dir, 'sample') });
    const unsortedDir = join(dir, 'unsorted');
    await exportOrderCopy(join(dir, 'sample'), unsortedDir);
    console.log(`\nfrom CSV (sample written in ${seconds(t).toFixed(1)} s, not timed below):`);
    const runs = await interleave({
      read: () => child('csv-read', join(dir, 'sample')),
      csv: () => child('csv', join(dir, 'sample'), join(dir, 'features.csv')),
      unsorted: () => child('csv', unsortedDir, join(dir, 'features-unsorted.csv')),
      floor: () => child('csv-floor', join(dir, 'sample')),
      pandas: () => pandasCase(join(dir, 'sample')),
    });
    const of = (rs: Result[], key: string, f: (x: number) => string): string =>
      fmtSpread(
        spreadOf(rs, (r) => r[key] as number),
        f,
      );
    const read = runs.read as Result[];
    const csv = runs.csv as Result[];
    const unsorted = runs.unsorted as Result[];
    const floor = runs.floor as Result[];
    console.log(
      `  read + validate   ${of(read, 'readPerSecond', int)} borrowers/s (peak RSS ${of(read, 'peakMiB', int)} MiB)`,
    );
    console.log(
      `  + features + CSV  ${of(csv, 'fullPerSecond', int)} borrowers/s (${of(csv, 'fullSeconds', f1)} s, ${f0(csv[0]?.borrowers)} rows)`,
    );
    console.log(`  peak RSS          ${of(csv, 'peakMiB', int)} MiB`);
    console.log(
      `  unsorted input    ${of(unsorted, 'fullPerSecond', int)} borrowers/s (${of(unsorted, 'fullSeconds', f1)} s, ${f0(unsorted[0]?.borrowers)} rows; rows in export order, grouped by a sorted copy first; peak RSS ${of(unsorted, 'peakMiB', int)} MiB)`,
    );
    console.log(
      `  JS floor (peer)   invoices.csv only, sum by borrower: ${of(floor, 'seconds', f1)} s for ${f0(floor[0]?.rows)} rows (${of(floor, 'peakMiB', int)} MiB)`,
    );
    const pandas = runs.pandas.filter((r): r is Result => typeof r !== 'string');
    if (pandas.length < runs.pandas.length)
      console.log(`  pandas (peer)     not run: ${runs.pandas.find((r) => typeof r === 'string')}`);
    else
      console.log(
        `  pandas (peer)     invoices.csv only, read_csv + groupby sum: ${of(pandas, 'seconds', f1)} s for ${f0(pandas[0]?.rows)} rows (${of(pandas, 'peakMiB', int)} MiB)`,
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  console.log(`\n${RUNS} interleaved runs per figure; ${loadNote()}`);

  if (million > 0) {
    const big = child('parsed', String(million));
    console.log(`\n${f0(million)} borrowers streamed from the generator (parsed one by one, nothing kept):`);
    console.log(
      `  engine            ${f0(big.enginePerSecond)} borrowers/s (${f1(big.engineSeconds)} s of ${f1(big.wallSeconds)} s wall; the rest is the generator and parser)`,
    );
    console.log(`  peak RSS          ${f0(big.peakMiB)} MiB (aim: under 2,048)`);
  }
  console.log(
    '\naims: ≥ 100,000/s from parsed applications, ≥ 5,000/s from CSV including invoices, 1,000,000 streamed in < 2 GB',
  );
}

await main();
