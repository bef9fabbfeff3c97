// CSV reader benchmark (issue 12 part 5): our hand-written reader (src/core/csv.ts) against csv-parse (sync
// and stream) and papaparse (string and stream) on the features benchmark's invoices.csv, every reader
// filling the same typed columns (ids, dates and categories as strings, amount and tax as float64), checked
// equal by a digest. Each case runs in a child process of its own, so its peak RSS is its own; the cases
// are interleaved over RUNS rounds and printed as median (min–max).
// Run: npm run bench -- csv [--n 100000]   (borrowers of the generated sample; 24 months, as features)
import { spawnSync } from 'node:child_process';
import { createReadStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseStream } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import Papa from 'papaparse';
import { CSV_END, CSV_NEED_MORE, CsvRecordReader } from '../../src/core/csv.js';
import { writeSampleDir } from '../../src/samples/write.js';
import { fmtSpread, int, interleave, loadNote, RUNS, spreadOf } from './spread.js';

const SEED = 20250615;
const MONTHS = 24;
const HEADER = ['borrower_id', 'date', 'direction', 'amount', 'tax', 'counterparty_id', 'status'];

/** invoices.csv as typed columns: what every reader must produce. */
class InvoiceColumns {
  readonly borrowerId: string[] = [];
  readonly date: string[] = [];
  readonly direction: string[] = [];
  amount = new Float64Array(1 << 16);
  tax = new Float64Array(1 << 16);
  readonly counterpartyId: string[] = [];
  readonly status: string[] = [];
  rows = 0;

  /** Appends one record (its fields in HEADER order). */
  push(f: readonly string[]): void {
    const i = this.rows++;
    if (i === this.amount.length) {
      this.amount = grow(this.amount);
      this.tax = grow(this.tax);
    }
    this.borrowerId.push(f[0] as string);
    this.date.push(f[1] as string);
    this.direction.push(f[2] as string);
    this.amount[i] = Number(f[3]);
    this.tax[i] = Number(f[4]);
    this.counterpartyId.push(f[5] as string);
    this.status.push(f[6] as string);
  }

  /** FNV-1a over every value, so that the readers' outputs can be compared without holding two. */
  digest(): string {
    let h = 0x811c9dc5;
    const text = (s: string): void => {
      for (let k = 0; k < s.length; k++) h = Math.imul(h ^ s.charCodeAt(k), 0x01000193);
      h = Math.imul(h ^ 0x1f, 0x01000193);
    };
    const bits = new Uint32Array(2);
    const view = new Float64Array(bits.buffer);
    for (let i = 0; i < this.rows; i++) {
      text(this.borrowerId[i] as string);
      text(this.date[i] as string);
      text(this.direction[i] as string);
      for (const v of [this.amount[i] as number, this.tax[i] as number]) {
        view[0] = v;
        h = Math.imul(h ^ (bits[0] as number), 0x01000193);
        h = Math.imul(h ^ (bits[1] as number), 0x01000193);
      }
      text(this.counterpartyId[i] as string);
      text(this.status[i] as string);
    }
    return (h >>> 0).toString(16).padStart(8, '0');
  }
}

function grow(a: Float64Array<ArrayBuffer>): Float64Array<ArrayBuffer> {
  const b = new Float64Array(a.length * 2);
  b.set(a);
  return b;
}

function checkHeader(h: readonly string[] | undefined, reader: string): void {
  if (h === undefined || h.join(',') !== HEADER.join(',')) throw new Error(`${reader}: header ${h}`);
}

/** The readers: each fills InvoiceColumns from the file. */
const READERS: Record<string, (file: string, out: InvoiceColumns) => Promise<void>> = {
  /** src/core/csv.ts: streamed 1 MiB at a time, one reused fields array. */
  async ours(file, out) {
    const r = new CsvRecordReader(file);
    checkHeader(await r.readHeader(), 'ours');
    const fields: string[] = [];
    for (let n = r.next(fields); n !== CSV_END; n = r.next(fields)) {
      if (n === CSV_NEED_MORE) await r.load();
      else out.push(fields);
    }
  },
  /** csv-parse/sync on the whole text: an array of arrays. */
  async 'csv-parse sync'(file, out) {
    const records = parseSync(readFileSync(file, 'utf8'), { skip_empty_lines: true }) as string[][];
    checkHeader(records[0], 'csv-parse sync');
    for (let i = 1; i < records.length; i++) out.push(records[i] as string[]);
  },
  /** csv-parse's stream API, as its docs show it (`for await` over the parser). */
  async 'csv-parse stream'(file, out) {
    let first = true;
    for await (const record of createReadStream(file).pipe(parseStream({ skip_empty_lines: true }))) {
      if (first) {
        checkHeader(record as string[], 'csv-parse stream');
        first = false;
      } else out.push(record as string[]);
    }
  },
  /** papaparse on the whole text, no type guessing (the columns are typed the same way for all). */
  async 'papaparse string'(file, out) {
    const { data } = Papa.parse<string[]>(readFileSync(file, 'utf8'), { skipEmptyLines: true });
    checkHeader(data[0], 'papaparse string');
    for (let i = 1; i < data.length; i++) out.push(data[i] as string[]);
  },
  /** papaparse's Node stream mode (NODE_STREAM_INPUT): one 'data' event per row. */
  async 'papaparse stream'(file, out) {
    await new Promise<void>((resolve, reject) => {
      let first = true;
      const parser = Papa.parse(Papa.NODE_STREAM_INPUT, { skipEmptyLines: true });
      parser.on('data', (row: string[]) => {
        if (first) {
          checkHeader(row, 'papaparse stream');
          first = false;
        } else out.push(row);
      });
      parser.on('end', resolve);
      parser.on('error', reject);
      createReadStream(file).on('error', reject).pipe(parser);
    });
  },
};

interface CaseResult {
  readonly rows: number;
  readonly seconds: number;
  readonly peakMiB: number;
  readonly digest: string;
}

async function childMain(reader: string, file: string): Promise<void> {
  const read = READERS[reader];
  if (read === undefined) throw new Error(`no reader ${reader}`);
  const out = new InvoiceColumns();
  const t = process.hrtime.bigint();
  await read(file, out);
  const seconds = Number(process.hrtime.bigint() - t) / 1e9;
  const result: CaseResult = {
    rows: out.rows,
    seconds,
    peakMiB: process.resourceUsage().maxRSS / 1024,
    digest: out.digest(),
  };
  console.log(JSON.stringify(result));
}

function child(reader: string, file: string): CaseResult {
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', reader, file],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  if (r.status !== 0) throw new Error(`${reader} failed:\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1) as string) as CaseResult;
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--child');
  if (at >= 0) {
    await childMain(process.argv[at + 1] as string, process.argv[at + 2] as string);
    return;
  }
  const n = flag('--n', 100_000);
  const dir = mkdtempSync(join(tmpdir(), 'rongdan-csv-bench-'));
  try {
    await writeSampleDir({ n, seed: SEED, months: MONTHS, dirty: 0, out: dir });
    const file = join(dir, 'invoices.csv');
    const names = Object.keys(READERS);
    const results = await interleave(
      Object.fromEntries(names.map((name) => [name, () => child(name, file)])) as Record<
        string,
        () => CaseResult
      >,
    );
    const first = results.ours?.[0] as CaseResult;
    const mb = readFileSync(file).byteLength / 1e6;
    console.log(
      `csv bench: invoices.csv of the features sample (${int(n)} borrowers, ${MONTHS} months, seed ${SEED}): ` +
        `${int(first.rows)} rows, ${mb.toFixed(1)} MB; Node ${process.version}; ${RUNS} interleaved runs, ${loadNote()}`,
    );
    console.log('every reader fills the same typed columns (strings; amount and tax as float64)\n');
    const rows = [['reader', 'rows/s', 'seconds', 'peak RSS MiB', 'same output']];
    for (const name of names) {
      const r = results[name] as CaseResult[];
      const same = r.every((x) => x.digest === first.digest && x.rows === first.rows);
      rows.push([
        name === 'ours' ? 'ours (src/core/csv.ts)' : `${name} (peer)`,
        fmtSpread(
          spreadOf(r, (x) => x.rows / x.seconds),
          int,
        ),
        fmtSpread(
          spreadOf(r, (x) => x.seconds),
          (x) => x.toFixed(2),
        ),
        fmtSpread(
          spreadOf(r, (x) => x.peakMiB),
          int,
        ),
        same ? 'yes' : `NO (${r.map((x) => x.digest).join(' ')})`,
      ]);
    }
    const widths = (rows[0] as string[]).map((_, i) => Math.max(...rows.map((r) => (r[i] as string).length)));
    for (const r of rows)
      console.log(
        r
          .map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number)))
          .join('  '),
      );
    const median = (name: string): number =>
      spreadOf(results[name] as CaseResult[], (x) => x.rows / x.seconds).median;
    const best = names.filter((x) => x !== 'ours').sort((a, b) => median(b) - median(a))[0] as string;
    console.log(
      `\nours vs the fastest peer (${best}): ${(median('ours') / median(best)).toFixed(2)}× its rows/s (median)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
