import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lossTable, readAgreements } from '../../src/cli/agreements.js';
import { readAssessments, readToDate } from '../../src/cli/match.js';
import { runLoss } from '../../src/matching/loss.js';
import { referralSchema } from '../../src/matching/referrals.js';
import { AGREEMENTS } from '../../src/samples/agreements.js';
import { BANKS } from '../../src/samples/banks.js';
import { cli } from '../fixtures/cli.js';
import { codeOf } from '../fixtures/errors.js';
import { tempDir } from '../samples/helpers.js';
import { assessment } from './fixture.js';
import { recountViolations } from './recount.js';

let dir = '';
let cleanup: () => Promise<void> = async () => {};
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('match'));
});
afterAll(() => cleanup());

describe('agreements CLI helpers', () => {
  it('reads the committed agreements and prints a hand-checkable loss table', () => {
    const list = readAgreements('data-samples/agreements.json');
    expect(list.map((a) => a.id)).toEqual(AGREEMENTS.map((a) => a.id));
    const a = list.find((x) => x.id === 'ah-4321');
    if (a === undefined) throw new Error('ah-4321');
    const lines = lossTable(
      runLoss(a, { principal: 100, unpaidPrincipal: 100, guaranteedToDate: 1000, compensatedToDate: 45 }),
    );
    expect(lines[2]).toContain('paid            80.00');
    expect(lines.at(-1)).toContain('12.500%');
    expect(lines.at(-1)).toContain('breached');
  });
  it('refuses a missing file with E_IO', () => {
    expect(codeOf(() => readAgreements('var/none.json'))).toBe('E_IO');
  });
});

describe('rongdan agreements loss', () => {
  it('without programme totals says so instead of treating the loan as the programme', async () => {
    const r = await cli([
      'agreements',
      'loss',
      '--agreement',
      'ah-4321',
      '--principal',
      '1000000',
      '--unpaid-principal',
      '600000',
      '--interest',
      '20000',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/paid +480000\.00/);
    expect(r.stdout).toMatch(/uncovered interest +20000\.00/);
    expect(r.stdout).toContain('no programme totals given');
    expect(r.stdout).not.toContain('breached');
  });
});

describe('rongdan match', () => {
  it('places a fixture batch, writes valid referrals and prints the summary with every row holding', async () => {
    const regions = ['340104', '341802', '430102', '510104', '350203', '410105', '330782'];
    const industries = ['C13', 'C38', 'F52', 'A01', 'I65'];
    const as = Array.from({ length: 40 }, (_, j) =>
      assessment(`b${j}`, {
        pd: 0.005 + (j % 9) * 0.005,
        grade: (['AAA', 'AA', 'A', 'BBB', 'BB'] as const)[j % 5] ?? 'A',
        limit: (20 + 37 * j) * 10_000,
        borrower: {
          region: regions[j % regions.length] as string,
          industry: industries[j % industries.length] as string,
        },
        ...(j === 7 && { decision: 'decline' as const }),
      }),
    );
    const file = join(dir, 'assessments.jsonl');
    await writeFile(file, `${as.map((a) => JSON.stringify(a)).join('\n')}\n`);
    const out = join(dir, 'out', 'referrals.json');
    // Anhui 4321 is already past its line (5% compensated > 5% × 0.8): paused, no referral under it.
    const td = join(dir, 'paused.json');
    await writeFile(td, JSON.stringify({ 'ah-4321': { guaranteed: 1e8, compensated: 5e6 } }));
    const r = await cli([
      'match',
      '--assessments',
      file,
      '--out',
      out,
      '--method',
      'decompose',
      '--to-date',
      td,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^assessments 40 {2}candidates 39 {2}pairs \d+ {2}referrals \d+ \(\d+ borrowers\)/,
    );
    expect(r.stdout).toMatch(/ah-4321 +0 +0\.00 +0\.000% +4\.0% +5\.0% {2}paused/);
    expect(r.stdout).toMatch(/constraints: all \d+ rows hold/);
    expect(r.stdout).toMatch(/method decompose {2}objective [\d.]+ {2}bound [\d.]+ {2}gap [\d.]+%/);
    const refs = (JSON.parse(await readFile(out, 'utf8')) as unknown[]).map((x) => referralSchema.parse(x));
    expect(refs.length).toBeGreaterThan(20);
    expect(
      recountViolations(refs, as, BANKS, AGREEMENTS, {
        safetyFactor: 0.8,
        topK: 1,
        toDate: { 'ah-4321': { guaranteed: 1e8, compensated: 5e6 } },
      }),
    ).toEqual([]);
    expect(refs.some((x) => x.agreementId === 'ah-4321')).toBe(false);
    // The printed per-bank amount is the referrals' sum.
    const ccb = refs.filter((x) => x.bankId === 'ccb-ah' && x.agreementId === 'ah-520');
    const wan = (ccb.reduce((s, x) => s + x.amount, 0) / 10_000).toFixed(2);
    expect(r.stdout).toMatch(new RegExp(`ccb-ah {6}ah-520 +${ccb.length} +${wan}`));
    expect(readAssessments(file)).toHaveLength(40);
  }, 30_000);
  it('refuses an unknown method and a bad assessment line with their codes', async () => {
    const bad = await cli(['match', '--assessments', 'x.jsonl', '--method', 'simplex']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('E_OPTIONS_INVALID: --method must be exact, decompose or greedy');
    const file = join(dir, 'bad.jsonl');
    await writeFile(file, `${JSON.stringify({ ...assessment('b1'), pd: 2 })}\n`);
    expect(codeOf(() => readAssessments(file))).toBe('E_MATCH_INPUT');
    expect(() => readAssessments(file)).toThrow('line 1: pd:');
    await writeFile(file, `\n${JSON.stringify(assessment('b1'))}\n{oops\n`);
    expect(codeOf(() => readAssessments(file))).toBe('E_JSON_PARSE');
    expect(() => readAssessments(file)).toThrow('line 3: not valid JSON');
    const td = join(dir, 'to-date.json');
    await writeFile(td, JSON.stringify({ 'ah-4321': { guaranteed: -1, compensated: 0 } }));
    expect(codeOf(() => readToDate(td))).toBe('E_MATCH_INPUT');
    await writeFile(td, JSON.stringify({ 'ah-4321': { guaranteed: 1e6, compensated: 5e4 } }));
    expect(readToDate(td)).toEqual({ 'ah-4321': { guaranteed: 1e6, compensated: 5e4 } });
  }, 30_000);
});
