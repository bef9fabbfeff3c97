import { beforeAll, describe, expect, it } from 'vitest';
import {
  compileRules,
  DERIVED_INPUTS,
  decide,
  evaluateRules,
  gradeOf,
  programmeOf,
} from '../../src/decisions/admission.js';
import type { RuleResult } from '../../src/decisions/assessment.js';
import type { LoadedRelease, Policy } from '../../src/decisions/release.js';
import { getDefaultCatalog } from '../../src/features/catalog.js';
import { compileCatalog, type FeaturePlan } from '../../src/features/plan.js';
import type { Application } from '../../src/ingest/schemas.js';
import { codeOf } from '../fixtures/errors.js';
import { activeRelease, handApplication } from './decisions-helpers.js';

let release: LoadedRelease;
let policy: Policy;
let plan: FeaturePlan;
beforeAll(async () => {
  release = await activeRelease();
  policy = release.release.policy;
  plan = compileCatalog(getDefaultCatalog());
});

type Features = Record<string, number | string>;
interface Case {
  readonly features?: Features;
  readonly enterprise?: Partial<NonNullable<Application['enterprise']>>;
  readonly request?: Partial<Application['request']>;
}

/** A feature row with only the given features present (categoricals by level), every other one missing. */
function rowOf(features: Features): Float64Array {
  const row = new Float64Array(plan.features.length).fill(Number.NaN);
  for (const [name, v] of Object.entries(features)) {
    const i = plan.names.indexOf(name);
    if (i < 0) throw new Error(`no feature ${name}`);
    const levels = plan.features[i]?.levels;
    row[i] = typeof v === 'string' ? (levels?.indexOf(v) ?? -1) : v;
  }
  return row;
}

function evaluate(c: Case, rules = policy.knockouts): RuleResult[] {
  const base = handApplication();
  const app: Application = {
    ...base,
    enterprise: { ...(base.enterprise as NonNullable<Application['enterprise']>), ...c.enterprise },
    request: { ...(base.request as NonNullable<Application['request']>), ...c.request },
  };
  return evaluateRules(compileRules(plan, rules), {
    app,
    row: rowOf(c.features ?? {}),
    programme: programmeOf(policy, app),
  });
}

const firedIds = (c: Case) =>
  evaluate(c)
    .filter((r) => r.fired)
    .map((r) => r.id);

// For every knock-out of the committed release: cases on each side of its threshold. Features not given are
// missing (a missing input never fires), the enterprise is a non-excluded trading company (F5123) and the
// request 50万 under the general programme, so each case fires exactly the rule under test or nothing.
const CASES: Record<string, { fires: Case[]; silent: Case[] }> = {
  dishonest_or_enforcement: {
    fires: [
      { features: { jud_dishonest_count: 1 } },
      { features: { jud_enforcement_open_count: 1, jud_dishonest_count: 0 } },
    ],
    silent: [{ features: { jud_dishonest_count: 0, jud_enforcement_open_count: 0 } }],
  },
  abnormal_operation: {
    fires: [{ features: { jud_abnormal_operation_open_count: 1 } }],
    silent: [{ features: { jud_abnormal_operation_open_count: 0 } }],
  },
  lending_dispute_defendant: {
    fires: [{ features: { jud_lending_dispute_defendant_count: 1 } }],
    silent: [{ features: { jud_lending_dispute_defendant_count: 0 } }],
  },
  current_overdue: {
    fires: [
      { features: { bureau_owner_overdue_amount: 0.01 } },
      { features: { bureau_ent_overdue_amount: 500, bureau_owner_overdue_amount: 0 } },
    ],
    silent: [{ features: { bureau_owner_overdue_amount: 0, bureau_ent_overdue_amount: 0 } }],
  },
  lian3_lei6: {
    fires: [
      { features: { bureau_ent_lian3_lei6: 1 } },
      { features: { bureau_owner_lian3_lei6: 1, bureau_ent_lian3_lei6: 0 } },
    ],
    silent: [{ features: { bureau_ent_lian3_lei6: 0, bureau_owner_lian3_lei6: 0 } }],
  },
  tax_grade_d: {
    fires: [{ features: { tax_grade: 'D' } }],
    silent: [{ features: { tax_grade: 'C' } }, { features: { tax_grade: 'A' } }],
  },
  excluded_industry: {
    fires: [
      { enterprise: { industry: 'K7010' } },
      { enterprise: { industry: 'J66' } },
      { enterprise: { industry: 'R9011' } },
      { enterprise: { industry: 'B06' } },
    ],
    silent: [{ enterprise: { industry: 'R88' } }, { enterprise: { industry: 'C13' } }],
  },
  construction_not_high_tech: {
    fires: [{ enterprise: { industry: 'E4710', highTech: false } }],
    silent: [{ enterprise: { industry: 'E4710', highTech: true } }],
  },
  excluded_entity_type: {
    // Every entity type is admitted by the committed release: no valid application fires it (see below).
    fires: [],
    silent: [{ enterprise: { entityType: 'company' } }, { enterprise: { entityType: 'farmer' } }],
  },
  owner_too_young: { fires: [{ features: { owner_age: 21 } }], silent: [{ features: { owner_age: 22 } }] },
  owner_too_old: { fires: [{ features: { owner_age: 66 } }], silent: [{ features: { owner_age: 65 } }] },
  years_in_business_large: {
    fires: [{ features: { ent_years_in_business: 1.99 }, request: { amount: 3_000_001 } }],
    silent: [
      { features: { ent_years_in_business: 2 }, request: { amount: 3_000_001 } },
      { features: { ent_years_in_business: 1.99 }, request: { amount: 3_000_000 } },
    ],
  },
  years_in_business_min: {
    fires: [{ features: { ent_years_in_business: 0.99 } }],
    silent: [{ features: { ent_years_in_business: 1 } }],
  },
  tax_paid_large: {
    fires: [{ features: { tax_paid_sum_12m: 49_999 }, request: { amount: 3_000_001 } }],
    silent: [
      { features: { tax_paid_sum_12m: 50_000 }, request: { amount: 3_000_001 } },
      { features: { tax_paid_sum_12m: 49_999 }, request: { amount: 3_000_000 } },
    ],
  },
  exposure_to_tax_revenue: {
    fires: [{ features: { exposure_to_tax_revenue_12m: 0.41 }, enterprise: { industry: 'C13' } }],
    silent: [{ features: { exposure_to_tax_revenue_12m: 0.4 }, enterprise: { industry: 'C13' } }],
  },
  exposure_to_tax_revenue_trade: {
    fires: [{ features: { exposure_to_tax_revenue_12m: 0.21 }, enterprise: { industry: 'F5123' } }],
    silent: [
      { features: { exposure_to_tax_revenue_12m: 0.2 }, enterprise: { industry: 'F5123' } },
      { features: { exposure_to_tax_revenue_12m: 0.3 }, enterprise: { industry: 'C13' } },
    ],
  },
  debt_ratio: {
    fires: [{ features: { owner_leverage: 0.7001 } }],
    silent: [{ features: { owner_leverage: 0.7 } }],
  },
  no_insured_staff: {
    fires: [{ features: { si_headcount_last: 0 } }],
    silent: [{ features: { si_headcount_last: 1 } }],
  },
  programme_cap: {
    fires: [{ request: { amount: 10_000_001 } }],
    silent: [{ request: { amount: 10_000_000 } }],
  },
  programme_unknown: {
    fires: [{ request: { programme: 'no-such-programme' } }],
    silent: [{ request: { programme: 'ah-4321' } }],
  },
};

describe('admission knock-outs of the committed release (domain.md §5.1, §6.2, §8)', () => {
  it('every knock-out has boundary cases here, and each cites a domain.md section or its data', () => {
    expect(Object.keys(CASES).sort()).toEqual(policy.knockouts.map((k) => k.id).sort());
    for (const k of policy.knockouts) expect(k.source).toMatch(/domain\.md §\d|release data/);
  });

  for (const [id, { fires, silent }] of Object.entries(CASES)) {
    it(`${id}: fires on its side of the threshold and stays silent on the other`, () => {
      for (const c of fires) expect(firedIds(c)).toEqual([id]);
      for (const c of silent) expect(firedIds(c)).not.toContain(id);
    });
  }

  it('excluded entity types fire when the release narrows the list (a firms-only product)', () => {
    const rules = policy.knockouts.map((k) =>
      k.id === 'excluded_entity_type' ? { ...k, threshold: 'company' } : k,
    );
    const fired = (entityType: 'farmer' | 'company') =>
      evaluate({ enterprise: { entityType } }, rules).find((r) => r.id === 'excluded_entity_type')?.fired;
    expect(fired('farmer')).toBe(true);
    expect(fired('company')).toBe(false);
  });

  it('reports every rule with its input value and threshold, the condition of a two-part rule included', () => {
    const results = evaluate({ features: { tax_paid_sum_12m: 10_000 }, request: { amount: 3_500_000 } });
    expect(results).toHaveLength(policy.knockouts.length);
    const r = results.find((x) => x.id === 'tax_paid_large');
    expect(r).toMatchObject({ value: 10_000, threshold: 50_000, operator: '<', fired: true });
    expect(r?.condition).toEqual({
      input: 'request_amount',
      value: 3_500_000,
      operator: '>',
      threshold: 3_000_000,
      holds: true,
    });
    // Missing inputs never fire.
    expect(results.find((x) => x.id === 'owner_too_old')).toMatchObject({ value: null, fired: false });
  });

  it('an unknown rule input is a release error naming the rule', () => {
    const bad = [
      { ...(policy.knockouts[0] as Policy['knockouts'][number]), id: 'typo', input: 'no_such_input' },
    ];
    expect(codeOf(() => compileRules(plan, bad))).toBe('E_RELEASE_INVALID');
    expect(() => compileRules(plan, bad)).toThrow(/knockouts\.typo: unknown input "no_such_input"/);
    expect(Object.keys(DERIVED_INPUTS)).toContain('dishonest_or_enforcement');
  });
});

describe('grade and decision', () => {
  it('maps PD to the master scale with each maxPd inside its grade', () => {
    for (const g of policy.masterScale) {
      expect(gradeOf(policy, g.maxPd)).toBe(g.grade);
    }
    expect(gradeOf(policy, 0)).toBe(policy.masterScale[0]?.grade);
    expect(gradeOf(policy, 0.0050001)).toBe('AA');
    expect(gradeOf(policy, 1)).toBe('D');
  });

  const rule = (action: RuleResult['action'], fired = true): RuleResult => ({
    id: action,
    label: { zh: 'x', en: 'x' },
    input: 'x',
    value: 1,
    operator: '>',
    threshold: 0,
    action,
    fired,
    source: 'test',
  });

  it('applies the cut-offs at their boundaries', () => {
    const { approveMaxPd, referMaxPd } = policy.cutoffs;
    expect(decide(policy, [], [], approveMaxPd)).toBe('approve');
    expect(decide(policy, [], [], approveMaxPd + 1e-9)).toBe('refer');
    expect(decide(policy, [], [], referMaxPd)).toBe('refer');
    expect(decide(policy, [], [], referMaxPd + 1e-9)).toBe('decline');
  });

  it('a fired decline beats missing data, missing data beats refer, a flag changes nothing', () => {
    expect(decide(policy, [rule('decline'), rule('refer')], ['judicial'], 0.01)).toBe('decline');
    expect(decide(policy, [rule('refer')], ['judicial'], 0.01)).toBe('insufficient_data');
    expect(decide(policy, [rule('refer')], [], 0.01)).toBe('refer');
    expect(decide(policy, [rule('flag'), rule('decline', false)], [], 0.01)).toBe('approve');
  });
});
