import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runPredict } from '../../src/cli/predict.js';
import {
  type CommandIo,
  parseParams,
  readWithProgress,
  runTrain,
  type TrainCommandOptions,
} from '../../src/cli/train.js';
import { canonicalJson, sha256 } from '../../src/core/artifact.js';
import { parseCsvText } from '../../src/core/csv.js';
import { readCsvFrame } from '../../src/core/frame.js';
import { loadModel } from '../../src/models/registry.js';
import { Scorecard } from '../../src/models/scorecard.js';
import { creditSample } from '../binning/fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'rongdan-train-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function sink(): Writable & { text: string } {
  const w = new Writable({
    write(chunk, _enc, done) {
      w.text += String(chunk);
      done();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}
const io = (): CommandIo => ({ stdout: sink(), stderr: sink() });

/** The fixture as a CSV: an id, a text target, a month, and a code column that is numeric until its last rows. */
function writeCsv(path: string, n: number, withTarget = true): void {
  const { x, y } = creditSample(n, 5);
  const header = ['loan_id', ...x.names, 'code', 'month', ...(withTarget ? ['status'] : [])];
  const lines = [header.join(',')];
  for (let i = 0; i < n; i++) {
    const cells = x.names.map((name) => {
      const v = x.cell(i, name);
      return v === null ? 'NA' : String(v);
    });
    const code = i >= n - 3 ? 'X9' : `0${i % 3}`;
    const month = `2023-${String((i % 12) + 1).padStart(2, '0')}-01`;
    lines.push(
      [`L${i}`, ...cells, code, month, ...(withTarget ? [y[i] === 1 ? 'bad' : 'good'] : [])].join(','),
    );
  }
  writeFileSync(path, `${lines.join('\n')}\n`);
}

const data = join(dir, 'train.csv');
writeCsv(data, 1500);
const base: TrainCommandOptions = {
  data,
  target: 'status',
  positive: 'bad',
  model: 'scorecard',
  out: join(dir, 'm1'),
  seed: 1,
  date: 'month',
  ootFrom: '2023-11-01',
  special: ['income=-1'],
  validation: 0.25,
  progress: false,
};

describe('rongdan train', () => {
  it('trains a scorecard on any CSV and writes the model directory', async () => {
    const s = await runTrain(base, io());
    expect(s.kind).toBe('scorecard');
    expect(s.rows.oot).toBe(250);
    // Validated on a quarter of the in-time rows, then refitted on all 1250 of them.
    expect(s.refitted).toBe(true);
    expect(s.rows.train).toBe(1250);
    expect(s.rows.validation).toBe(312);
    expect(s.metrics.train_rows).toBe(1250);
    expect(s.excluded.map((e) => e.column)).toEqual(['status', 'month', 'loan_id']);
    expect(s.features).toContain('util');
    expect(s.metrics.validation_auc).toBeGreaterThan(0.65);
    expect(s.metrics.oot_auc).toBeGreaterThan(0.65);
    expect(s.written.map((p) => p.slice(base.out.length + 1))).toEqual([
      'model.json',
      'model-card.md',
      'scorecard.json',
      'scorecard.sql',
    ]);
    const card = readFileSync(join(base.out, 'model-card.md'), 'utf8');
    expect(card).toContain('## Binning summary');
    expect(card).toContain('| validation_auc |');
    expect(card).toContain('- target: status (bad = bad)');
    expect(card).toContain('refitted on all 1250 in-time rows');
    const artifact = JSON.parse(readFileSync(join(base.out, 'model.json'), 'utf8'));
    expect(artifact.target).toEqual({ column: 'status', positive: 'bad' });
    expect(artifact.dataFingerprint.rows).toBe(1250);
    const model = loadModel(base.out) as Scorecard;
    expect(model).toBeInstanceOf(Scorecard);
    expect(model.fittedParams().special).toEqual({ income: [-1] });
    // The code column turned to text at its last rows: it was read again as text, so "01" stays "01".
    const code = model.fitted().binnings.find((b) => b.variable === 'code');
    const levels = code?.groups.flat() ?? [];
    expect(levels).toEqual(expect.arrayContaining(['00', '01', '02']));
    expect(levels).not.toContain('0');
  });

  it('with --no-refit saves the model fitted without the validation rows', async () => {
    const s = await runTrain({ ...base, refit: false, out: join(dir, 'norefit') }, io());
    expect(s.refitted).toBe(false);
    expect(s.rows.train + s.rows.validation).toBe(1250);
    const artifact = JSON.parse(readFileSync(join(dir, 'norefit', 'model.json'), 'utf8'));
    expect(artifact.dataFingerprint.rows).toBe(s.rows.train);
    // The validation metrics are those of the same fit whether or not it is refitted afterwards.
    const refitted = JSON.parse(readFileSync(join(base.out, 'model.json'), 'utf8'));
    expect(artifact.metrics.validation_auc).toBe(refitted.metrics.validation_auc);
  });

  it('writes a byte-identical artifact for the same data and seed, another for another seed', async () => {
    await runTrain({ ...base, out: join(dir, 'm2') }, io());
    await runTrain({ ...base, out: join(dir, 'm3'), seed: 2 }, io());
    const read = (d: string): string => readFileSync(join(dir, d, 'model.json'), 'utf8');
    expect(read('m2')).toBe(read('m1'));
    expect(read('m3')).not.toBe(read('m1'));
  });

  it('refuses a tampered, newer-version or unknown-kind artifact with a clear code', () => {
    const text = readFileSync(join(dir, 'm1', 'model.json'), 'utf8');
    const write = (name: string, body: string): string => {
      const p = join(dir, name);
      writeFileSync(p, body);
      return p;
    };
    const tampered = write('tampered.json', text.replace('"pdo": 20', '"pdo": 21'));
    expect(() => loadModel(tampered)).toThrow(expect.objectContaining({ code: 'E_MODEL_ARTIFACT_CHECKSUM' }));
    const reseal = (edit: Record<string, unknown>): string => {
      const { sha256: _s, ...rest } = { ...JSON.parse(text), ...edit };
      return canonicalJson({ ...rest, sha256: sha256(canonicalJson(rest)) });
    };
    expect(() => loadModel(write('v2.json', reseal({ schemaVersion: '2.0' })))).toThrow(
      expect.objectContaining({ code: 'E_MODEL_ARTIFACT_VERSION' }),
    );
    expect(() => loadModel(write('kind.json', reseal({ kind: 'oracle' })))).toThrow(
      expect.objectContaining({ code: 'E_MODEL_ARTIFACT_KIND', message: expect.stringContaining('oracle') }),
    );
    expect(() => loadModel(join(dir, 'absent'))).toThrow(expect.objectContaining({ code: 'E_IO' }));
  });

  it('dispatches on --model and rejects an unknown family', async () => {
    const s = await runTrain({ ...base, model: 'logistic', out: join(dir, 'lr'), special: [] }, io());
    expect(s.kind).toBe('logistic');
    expect(s.metrics.validation_auc).toBeGreaterThan(0.65);
    await expect(runTrain({ ...base, model: 'oracle' }, io())).rejects.toMatchObject({
      code: 'E_OPTIONS_INVALID',
    });
    await expect(runTrain({ ...base, param: ['pdo=-3'], out: join(dir, 'bad') }, io())).rejects.toMatchObject(
      {
        code: 'E_OPTIONS_INVALID',
        message: expect.stringContaining('pdo'),
      },
    );
  });

  it('parses typed, nested --param values', () => {
    expect(
      parseParams(['pdo=40', 'dropWrongSign=false', 'trends.age=ascending', 'special.x=[-1,"NA"]']),
    ).toEqual({
      pdo: 40,
      dropWrongSign: false,
      trends: { age: 'ascending' },
      special: { x: [-1, 'NA'] },
    });
    expect(() => parseParams(['pdo'])).toThrow(expect.objectContaining({ code: 'E_OPTIONS_INVALID' }));
  });
});

describe('progress', () => {
  it('shows a reading bar with the file size as its total on a terminal, and nothing elsewhere', async () => {
    const path = join(dir, 'wide.csv');
    const lines = ['a,b,c'];
    for (let i = 0; i < 60_000; i++) lines.push(`${i},${(i * 7) % 13},x${i % 5}`);
    writeFileSync(path, `${lines.join('\n')}\n`);
    const bytes = readFileSync(path).length;
    const tty = Object.assign(sink(), { isTTY: true, columns: 120 });
    const frame = await readWithProgress(path, { stdout: sink(), stderr: tty }, true);
    expect(frame.nRows).toBe(60_000);
    const mb = (bytes / 1e6).toFixed(1);
    expect(tty.text).toContain(`reading    [`);
    expect(tty.text).toContain(`100% | ${mb} of ${mb} MB | 60000 rows`);
    const pipe = sink();
    await readWithProgress(path, { stdout: sink(), stderr: pipe }, true);
    expect(pipe.text).toBe('');
    const off = Object.assign(sink(), { isTTY: true });
    await readWithProgress(path, { stdout: sink(), stderr: off }, false);
    expect(off.text).toBe('');
  });
});

describe('rongdan predict', () => {
  it('writes one row per input row, in order, without the target', async () => {
    const scoring = join(dir, 'score.csv');
    writeCsv(scoring, 40, false);
    const out = join(dir, 'pred.csv');
    const s = await runPredict(
      { model: join(dir, 'm1'), data: scoring, out, reasons: 2, lang: 'en', progress: false },
      io(),
    );
    expect(s.rows).toBe(40);
    const { header, records } = parseCsvText(readFileSync(out, 'utf8'));
    expect(header.slice(0, 3)).toEqual(['loan_id', 'pd', 'score']);
    // With the training target in the input, it is copied through (from the artifact's target name).
    const labelled = join(dir, 'labelled.csv');
    writeCsv(labelled, 40, true);
    const out2 = join(dir, 'pred2.csv');
    await runPredict(
      { model: join(dir, 'm1'), data: labelled, out: out2, reasons: 0, lang: 'en', progress: false },
      io(),
    );
    const copied = parseCsvText(readFileSync(out2, 'utf8'));
    expect(copied.header).toEqual(['loan_id', 'status', 'pd', 'score']);
    expect(copied.records.map((r) => r[1])).toEqual(
      parseCsvText(readFileSync(labelled, 'utf8')).records.map((r) => r.at(-1)),
    );
    expect(header).toContain('reason_2_impact');
    expect(records.map((r) => r[0])).toEqual(Array.from({ length: 40 }, (_, i) => `L${i}`));
    const model = loadModel(join(dir, 'm1')) as Scorecard;
    const x = await readCsvFrame(scoring, { categorical: ['code'] });
    const expected = model.score(x);
    const pd = model.predictProba(x);
    records.forEach((r, i) => {
      expect(Number(r[2])).toBe(expected[i]);
      expect(Number(r[1])).toBe(pd[i]);
    });
  });

  it('fails with the CSV code when a model feature is absent', async () => {
    const scoring = join(dir, 'partial.csv');
    writeFileSync(scoring, 'loan_id,age\nL1,30\n');
    await expect(
      runPredict(
        {
          model: join(dir, 'm1'),
          data: scoring,
          out: join(dir, 'p2.csv'),
          reasons: 0,
          lang: 'en',
          progress: false,
        },
        io(),
      ),
    ).rejects.toMatchObject({ code: 'E_CSV_COLUMN' });
  });
});
