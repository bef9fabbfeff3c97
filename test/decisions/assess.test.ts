import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson, sha256 } from '../../src/core/artifact.js';
import { assess, assessMany, inputDigest, replay } from '../../src/decisions/assess.js';
import { type Assessment, assessmentSchema } from '../../src/decisions/assessment.js';
import { Portfolio } from '../../src/decisions/portfolio.js';
import { type LoadedRelease, loadRelease, parseRelease } from '../../src/decisions/release.js';
import type { Application } from '../../src/ingest/schemas.js';
import { parseApplication } from '../../src/ingest/validate.js';
import type { TrainedModel } from '../../src/models/model.js';
import { activeRelease, sampleApplications, withPolicy } from './decisions-helpers.js';

let release: LoadedRelease;
let apps: Application[];
beforeAll(async () => {
  release = await activeRelease();
  apps = await sampleApplications(160);
});

async function all<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

describe('assess: one pipeline, one Assessment', () => {
  it('golden: the example application (data-samples/examples/application.json)', () => {
    const app = parseApplication(JSON.parse(readFileSync('data-samples/examples/application.json', 'utf8')));
    const a = assess(release, app);
    expect(a).toMatchObject({
      applicationId: 'B000035',
      releaseId: 'admission-2026.12',
      decision: 'approve',
      grade: 'BBB',
      score: 592,
      fired: [],
    });
    expect(a.pd).toBeCloseTo(0.025922116465988684, 12);
    expect(a.limit).toMatchObject({ amount: 440_000, amountWan: 44, binding: 'household_dti' });
    // 17.37万 × 5 − 42.18万 household debt = 44.68万 → rounded down to 44万
    expect(a.limit?.candidates.find((c) => c.id === 'household_dti')?.amount).toBeCloseTo(446_798, 0);
    expect(a.fee).toEqual({ rate: 0.01, gridRate: 0.01, ceiling: 0.015, annualAmount: 4400 });
    expect(a.reasons[0]?.text).toEqual({
      zh: '家庭负债为年收入的 2.4 倍',
      en: 'household debt is 2.4 times annual income',
    });
    expect(a.shadow).toMatchObject({
      releaseId: 'admission-2026.12#challenger',
      decision: 'approve',
      grade: 'AA',
    });
    expect(a.inputDigest).toBe(sha256(canonicalJson(app)));
    // the knock-outs, the limit floor and the five portfolio limits
    expect(a.rules.length).toBe(release.release.policy.knockouts.length + 1 + 5);
  });

  it('every assessment of the sample is schema-valid, deterministic, and the same alone as in a batch', async () => {
    const batch = await all(assessMany(release, apps));
    expect(batch).toHaveLength(apps.length);
    // The portfolio rules read the book, which the batch fills as it approves: everything else is the same.
    const own = (a: Assessment) => ({ ...a, rules: a.rules.filter((r) => !r.id.startsWith('portfolio_')) });
    apps.forEach((app, i) => {
      const one = assess(release, app);
      expect(assessmentSchema.parse(one)).toEqual(one);
      expect(own(one)).toEqual(own(batch[i] as Assessment));
      expect(assess(release, app)).toEqual(one);
    });
    const decisions = new Set(batch.map((a) => a.decision));
    expect(decisions).toEqual(new Set(['approve', 'refer', 'decline', 'insufficient_data']));
    for (const a of batch) {
      if (a.decision === 'decline' || a.decision === 'insufficient_data') expect(a.limit).toBeNull();
      else
        expect(a.limit?.amount).toBeLessThanOrEqual((a.request as NonNullable<Assessment['request']>).amount);
      if (a.decision === 'insufficient_data') expect(a.missingSources.length).toBeGreaterThan(0);
      expect(a.fired).toEqual(a.rules.filter((r) => r.fired).map((r) => r.id));
      for (const r of a.reasons) expect(r.contribution).toBeGreaterThan(0);
    }
  });

  it('a required source absent is an outcome with a reason, not an error', () => {
    const app = apps.find(
      (a) => a.judicial !== undefined && a.enterprise !== undefined && a.bureau !== undefined,
    ) as Application;
    const { judicial: _j, ...rest } = app;
    const a = assess(release, rest as Application);
    expect(a.decision === 'insufficient_data' || a.decision === 'decline').toBe(true);
    expect(a.missingSources).toEqual(['judicial']);
    // Without any decline rule firing, the missing source decides.
    const clean = withPolicy(release, (p) => ({ ...p, knockouts: [] }));
    expect(assess(clean, rest as Application)).toMatchObject({
      decision: 'insufficient_data',
      missingSources: ['judicial'],
      limit: null,
      fee: null,
    });
  });
});

describe('replay', () => {
  it('recomputes stored assessments identically from their input (through JSON, as stored)', () => {
    for (const app of apps.slice(0, 40)) {
      const stored = JSON.parse(JSON.stringify(assess(release, app))) as Assessment;
      const input = JSON.parse(JSON.stringify(app));
      const r = replay(release, input, stored);
      expect(r.differences).toEqual([]);
      expect(r.identical).toBe(true);
    }
  });

  it('names every field that differs, and refuses another release', () => {
    const app = apps[0] as Application;
    const stored = JSON.parse(JSON.stringify(assess(release, app))) as Assessment;
    const tampered = {
      ...stored,
      decision: stored.decision === 'approve' ? 'decline' : 'approve',
      pd: 0.5,
    } as Assessment;
    const r = replay(release, app, tampered);
    expect(r.identical).toBe(false);
    expect(r.differences.map((d) => d.path).sort()).toEqual(['decision', 'pd']);
    const changedInput = { ...app, asOf: '2025-01-01' };
    expect(replay(release, changedInput, stored).differences.map((d) => d.path)).toContain('inputDigest');
    expect(() => replay(release, app, { ...stored, releaseId: 'other' })).toThrow(/release other/);
  });
});

describe('shadow challenger', () => {
  /** A challenger answering a fixed PD for every row. */
  const fixed = (pd: number): TrainedModel => ({
    kind: 'fixed',
    featureNames: ['owner_age'],
    predictProba: (x) => new Float64Array(x.nRows).fill(pd),
  });

  it('property: whatever the challenger says, the returned decision, limit and rules are the champion’s', () => {
    const alone: LoadedRelease = { ...release, challenger: null };
    const strip = (a: Assessment) => ({
      ...a,
      shadow: null,
      models: a.models.filter((m) => m.role === 'champion'),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: apps.length - 1 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (i, pd) => {
          const app = apps[i] as Application;
          const withShadow: LoadedRelease = {
            ...release,
            challenger: {
              role: 'challenger',
              path: 'fixed',
              sha256: 'x',
              model: fixed(pd),
              categorical: new Set(),
            },
          };
          const a = assess(withShadow, app);
          expect(a.shadow?.pd).toBe(pd);
          expect(strip(a)).toEqual(strip(assess(alone, app)));
        },
      ),
      { numRuns: 60, seed: 11 },
    );
  });
});

describe('portfolio limits over a batch (domain.md §3.1, §3.4)', () => {
  it('property: an approved batch never breaches the book’s limits, in any order of arrival', async () => {
    // A guarantor small enough for the limits to bind: 50万 net assets (single client ≤ 5万, weighted liability ≤ 50万).
    const small = withPolicy(release, (p) => ({
      ...p,
      guarantor: { ...p.guarantor, netAssets: 500_000 },
      portfolio: {
        ...(p.portfolio as NonNullable<typeof p.portfolio>),
        netAssets: 500_000,
        leverage: {
          ...(p.portfolio as NonNullable<typeof p.portfolio>).leverage,
          cap: 1,
          capSmallMicroFarming: 1.5,
        },
      },
    }));
    const policy = small.release.policy.portfolio as NonNullable<typeof small.release.policy.portfolio>;
    let heldSeen = 0;
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray(apps, { minLength: 40 }), async (order) => {
        const book = new Portfolio(policy);
        const out = await all(assessMany(small, order, { portfolio: book }));
        const status = book.status();
        expect(status.breaches).toEqual([]);
        const approved = out.filter((a) => a.decision === 'approve');
        expect(status.exposures).toBe(approved.length);
        expect(status.grossBalance).toBeCloseTo(
          approved.reduce((s, a) => s + (a.limit?.amount ?? 0), 0),
          2,
        );
        heldSeen += out.filter((a) => a.fired.some((f) => f.startsWith('portfolio_'))).length;
      }),
      { numRuns: 12, seed: 5 },
    );
    expect(heldSeen).toBeGreaterThan(0);
  });
});

describe('releases', () => {
  it('a tampered artifact refuses to load, naming the artifact and both checksums', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rongdan-release-'));
    mkdirSync(join(dir, 'gbdt'));
    mkdirSync(join(dir, 'card'));
    copyFileSync('models/admission-gbdt/1.0.0/model.json', join(dir, 'gbdt', 'model.json'));
    copyFileSync('models/admission-scorecard/1.0.0/model.json', join(dir, 'card', 'model.json'));
    const r = structuredClone(release.release);
    r.models = {
      champion: { ...r.models.champion, path: 'gbdt' },
      challenger: { ...(r.models.challenger as typeof r.models.champion), path: 'card' },
    };
    writeFileSync(join(dir, 'r.json'), JSON.stringify(r));
    expect((await loadRelease(join(dir, 'r.json'))).release.id).toBe(r.id);
    const file = join(dir, 'gbdt', 'model.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace('"kind":', ' "kind":'));
    const expected = r.models.champion.files['model.json'] as string;
    const received = sha256(readFileSync(file));
    await expect(loadRelease(join(dir, 'r.json'))).rejects.toMatchObject({
      code: 'E_RELEASE_ARTIFACT',
      message: `champion artifact ${file} has changed: sha256 expected ${expected}, received ${received}`,
    });
  });

  it('an invalid release names the field', () => {
    const r = structuredClone(release.release) as unknown as {
      policy: { cutoffs: { approveMaxPd: number } };
    };
    r.policy.cutoffs.approveMaxPd = 0.5;
    expect(() => parseRelease(r, 'x.json')).toThrow(
      /x\.json: policy\.cutoffs\.referMaxPd: approveMaxPd must not exceed referMaxPd/,
    );
    const s = structuredClone(release.release);
    s.policy.guarantor.netAssets = 1;
    expect(() => parseRelease(s)).toThrow(/guarantor .* must agree with portfolio/);
  });

  it('the input digest is the sha256 of the canonical JSON of the validated application', () => {
    for (const app of apps.slice(0, 20)) expect(inputDigest(app)).toBe(sha256(canonicalJson(app)));
  });
});
