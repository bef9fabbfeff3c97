import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import type { BinsFile } from '../../src/binning/user-bins.js';
import { exportBins } from '../../src/cli/bins.js';
import { type CommandIo, helpParams, runTrain, type TrainCommandOptions } from '../../src/cli/train.js';
import { GBDT_OPTION_SPECS } from '../../src/models/gbdt/index.js';
import { logisticOptionsSchema } from '../../src/models/logistic.js';
import { MLP_OPTION_SPECS } from '../../src/models/mlp/options.js';
import { scorecardOptionsSchema } from '../../src/models/scorecard.js';
import { creditSample } from '../binning/fixture.js';
import { cli } from '../fixtures/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'rongdan-bins-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const quiet = (): CommandIo => {
  const w = new Writable({ write: (_c, _e, done) => done() });
  return { stdout: w, stderr: w };
};

const data = join(dir, 'credit.csv');
{
  const { x, y } = creditSample(2000, 9);
  const lines = [[...x.names, 'bad'].join(',')];
  for (let i = 0; i < x.nRows; i++) lines.push([...x.names.map((n) => x.cell(i, n) ?? ''), y[i]].join(','));
  writeFileSync(data, `${lines.join('\n')}\n`);
}
const base: TrainCommandOptions = {
  data,
  target: 'bad',
  model: 'scorecard',
  out: join(dir, 'm0'),
  seed: 3,
  special: ['income=-1'],
  validation: 0.25,
  progress: false,
};
const read = (path: string): BinsFile => JSON.parse(readFileSync(path, 'utf8')) as BinsFile;
const shape = (f: BinsFile) =>
  f.variables.map((v) => [v.variable, v.kind, v.cuts, v.groups, v.special, v.unseen]);

describe('rongdan bins export / train --bins', () => {
  it('round-trips: export → train --bins → export gives the same cuts, groups and specials', async () => {
    await runTrain(base, quiet());
    const first = exportBins(base.out, join(dir, 'bins.json'));
    expect(first.variables.map((v) => v.variable)).toEqual(['age', 'income', 'util', 'region', 'noise']);
    expect(first.variables.find((v) => v.variable === 'income')?.special).toEqual([[-1]]);
    const s = await runTrain({ ...base, out: join(dir, 'm1'), bins: join(dir, 'bins.json') }, quiet());
    expect(s.userSet).toEqual(['age', 'income', 'util', 'region', 'noise']);
    exportBins(join(dir, 'm1'), join(dir, 'bins2.json'));
    expect(shape(read(join(dir, 'bins2.json')))).toEqual(shape(first));
    const card = readFileSync(join(dir, 'm1', 'model-card.md'), 'utf8');
    expect(card).toContain('| age (user bins) | numeric |');
    expect(card).toContain("Binned by the user's bins file");
  });

  it('warns, in the summary and the model card, where an edited bin breaks the trend', async () => {
    const file = read(join(dir, 'bins.json'));
    // Only age is set by the user; its new cuts put a bump in the descending risk by age.
    const age = {
      ...file.variables.find((v) => v.variable === 'age'),
      cuts: [25, 27, 29, 31, 33, 35, 37, 39, 41],
    };
    writeFileSync(join(dir, 'bumpy.json'), JSON.stringify({ ...file, variables: [age] }));
    const s = await runTrain({ ...base, out: join(dir, 'm2'), bins: join(dir, 'bumpy.json') }, quiet());
    expect(s.userSet).toEqual(['age']);
    const breaks = s.warnings.filter((w) => w.startsWith('user bins of age break the descending trend'));
    expect(breaks.length).toBeGreaterThan(0);
    expect(breaks[0]).toMatch(
      /the event rate rises from 0\.\d{4} in bin [[(][^)]+\) to 0\.\d{4} in bin \[\d+, \d+\)/,
    );
    const card = readFileSync(join(dir, 'm2', 'model-card.md'), 'utf8');
    expect(card).toContain(`- ${breaks[0]}`);
    expect(card).not.toContain('| util (user bins)');
  });

  it('refuses --bins, --select for other families and a bad bins file, naming the field', async () => {
    await expect(
      runTrain({ ...base, model: 'gbdt', bins: join(dir, 'bins.json') }, quiet()),
    ).rejects.toMatchObject({
      code: 'E_OPTIONS_INVALID',
      message: '--bins applies to --model scorecard, received --model gbdt',
    });
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({
        format: 'rongdan-bins',
        version: 1,
        variables: [{ variable: 'age', kind: 'numeric', cuts: [40, 30] }],
      }),
    );
    await expect(runTrain({ ...base, bins: join(dir, 'bad.json') }, quiet())).rejects.toMatchObject({
      code: 'E_BINS_INVALID',
      message: expect.stringMatching(
        /bad\.json: variable age: cuts must ascend strictly, received 40 then 30/,
      ),
    });
    expect(() => exportBins(join(dir, 'nowhere'), join(dir, 'x.json'))).toThrow(
      expect.objectContaining({ code: 'E_IO' }),
    );
  });

  it('runs stepwise on the training rows, validates it, and keeps that choice in the refit', async () => {
    const s = await runTrain({ ...base, out: join(dir, 'm3'), select: 'forward', selectBy: 'ks' }, quiet());
    expect(s.refitted).toBe(true);
    expect(s.stepwise[0]).toMatch(/^stepwise forward by KS on the validation rows: start 0\.0000$/);
    const art = JSON.parse(readFileSync(join(dir, 'm3', 'model.json'), 'utf8'));
    const chosen: string[] = art.state.stepwise.variables;
    expect(s.stepwise.at(-1)).toBe(`stepwise chose ${chosen.length}: ${chosen.join(', ')}`);
    // The refit keeps the validated choice, less any variable the refit's own screens then drop (with a reason).
    expect(chosen).toEqual(expect.arrayContaining(s.features as string[]));
    for (const v of chosen.filter((c) => !s.features.includes(c)))
      expect([...s.dropped.map((d) => d.variable), ...s.warnings.join(' ').split(/[ ,:]+/)]).toContain(v);
    expect(art.params.stepwiseResult).toEqual(art.state.stepwise);
    expect(art.state.tests.coef).toHaveLength(s.features.length);
    const card = readFileSync(join(dir, 'm3', 'model-card.md'), 'utf8');
    expect(card).toContain('## Stepwise selection');
    expect(card).toContain('| term | coefficient | std. error | z | p-value | VIF |');
    await expect(runTrain({ ...base, selectBy: 'bic' }, quiet())).rejects.toMatchObject({
      code: 'E_OPTIONS_INVALID',
    });
  });
});

describe('train --help-params and --json', () => {
  it('lists every --param key of each family from its option schema', () => {
    const keys = (text: string): string[] =>
      text
        .split('\n')
        .slice(2)
        .filter(Boolean)
        .map((l) => l.split(/\s+/)[0] as string);
    expect(keys(helpParams('scorecard'))).toEqual(Object.keys(scorecardOptionsSchema.shape));
    expect(keys(helpParams('logistic'))).toEqual(Object.keys(logisticOptionsSchema.shape));
    expect(keys(helpParams('gbdt'))).toEqual([...Object.keys(GBDT_OPTION_SPECS), 'monotone']);
    expect(keys(helpParams('mlp'))).toEqual(Object.keys(MLP_OPTION_SPECS));
    const pdo = helpParams('scorecard')
      .split('\n')
      .find((l) => l.startsWith('pdo '));
    expect(pdo).toMatch(/^pdo\s+number > 0\s+20\s+points to double the odds$/);
    const bins = helpParams('scorecard')
      .split('\n')
      .find((l) => l.startsWith('maxBins '));
    expect(bins).toMatch(/^maxBins\s+integer in \[2, 50\]\s+10\s+at most this many regular bins/);
    const rounds = helpParams('gbdt')
      .split('\n')
      .find((l) => l.startsWith('nEstimators '));
    expect(rounds).toMatch(
      /^nEstimators\s+integer in \[1, 100000\]\s+2000\s+boosting rounds \(trees\); with early stopping/,
    );
    // Every key of every family says what it means: key, type, default and meaning columns, all filled.
    for (const family of ['scorecard', 'logistic', 'gbdt', 'mlp'])
      for (const line of helpParams(family).split('\n').slice(2).filter(Boolean))
        expect(line.split(/\s{2,}/).filter(Boolean).length, line).toBe(4);
  });

  it('works from the command line without the training options, and --json prints the summary', async () => {
    const help = await cli(['train', '--help-params', 'logistic']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^l2\s+number ≥ 0\s+1\s+L2 penalty/m);
    const json = await cli([
      'train',
      '--data',
      data,
      '--target',
      'bad',
      '--out',
      join(dir, 'm4'),
      '--json',
      '--no-progress',
    ]);
    expect(json.code).toBe(0);
    const summary = JSON.parse(json.stdout);
    expect(summary.kind).toBe('scorecard');
    expect(summary.rows).toEqual({ train: 2000, validation: 400, oot: 0 });
    expect(summary.metrics.validation_auc).toBeGreaterThan(0.6);
    expect(Array.isArray(summary.dropped)).toBe(true);
  });
});
