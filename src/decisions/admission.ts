import { RiskError } from '../core/errors.js';
import type { FeaturePlan } from '../features/plan.js';
import type { RiskGrade } from '../ingest/partners.js';
import type { Application, SourceName } from '../ingest/schemas.js';
import type { Decision, RuleResult, Scalar } from './assessment.js';
import type { Policy, PolicyRule, Programme } from './release.js';
import { compare } from './signals.js';

/**
 * Admission (保前准入): the inputs knock-out rules read, the rules compiled against a feature plan, the master
 * scale and the decision. Rules are data (release.ts); this module only reads them. The comparison is the one
 * of the warning signals (`compare` in signals.ts), so admission rules and warning signals mean the same.
 */

/** What a rule input reads: the application, its feature row (catalog order) and the programme applied. */
export interface RuleContext {
  readonly app: Application;
  readonly row: Float64Array;
  /** The programme the request names (or the release's default); null when the request names an unknown one. */
  readonly programme: Programme | null;
}

type Getter = (ctx: RuleContext) => Scalar;

function num(v: number): number | null {
  return Number.isNaN(v) ? null : v;
}

/** A feature of the row by name, as a scalar (categorical → its level, missing → null). */
function featureGetter(plan: FeaturePlan, name: string): Getter | undefined {
  const i = plan.names.indexOf(name);
  if (i < 0) return undefined;
  const levels = plan.features[i]?.levels;
  if (levels !== undefined)
    return ({ row }) => {
      const v = row[i] as number;
      return Number.isNaN(v) ? null : (levels[v] ?? null);
    };
  return ({ row }) => num(row[i] as number);
}

function need(plan: FeaturePlan, name: string): number {
  const i = plan.names.indexOf(name);
  if (i < 0)
    throw new RiskError(
      'E_FEATURE_UNKNOWN',
      `admission input needs catalog feature ${name}, which the catalog lacks`,
      {
        expected: 'a catalog feature',
        received: name,
      },
    );
  return i;
}

/** Sum of features, null when all are missing (one present source is enough to count). */
function sumOf(plan: FeaturePlan, names: readonly string[]): Getter {
  const idx = names.map((n) => need(plan, n));
  return ({ row }) => {
    let s = 0;
    let seen = false;
    for (const i of idx) {
      const v = row[i] as number;
      if (!Number.isNaN(v)) {
        s += v;
        seen = true;
      }
    }
    return seen ? s : null;
  };
}

/** Max of features, null when all are missing. */
function maxOf(plan: FeaturePlan, names: readonly string[]): Getter {
  const idx = names.map((n) => need(plan, n));
  return ({ row }) => {
    let m = Number.NEGATIVE_INFINITY;
    for (const i of idx) {
      const v = row[i] as number;
      if (!Number.isNaN(v) && v > m) m = v;
    }
    return m === Number.NEGATIVE_INFINITY ? null : m;
  };
}

/** An admission input derived from several features or read off the application. */
interface DerivedInput {
  readonly description: string;
  make(plan: FeaturePlan): Getter;
}

/**
 * Admission inputs beyond the catalog's features (any catalog feature name is also an input). Inputs read
 * off the application give null when the field is absent: a missing input never fires a rule.
 */
export const DERIVED_INPUTS: Readonly<Record<string, DerivedInput>> = {
  dishonest_or_enforcement: {
    description: 'dishonest-debtor records plus open enforcement cases (失信被执行人 + 未结被执行)',
    make: (plan) => sumOf(plan, ['jud_dishonest_count', 'jud_enforcement_open_count']),
  },
  current_overdue_amount: {
    description: 'current overdue amount on the enterprise and owner bureau reports, yuan',
    make: (plan) => sumOf(plan, ['bureau_ent_overdue_amount', 'bureau_owner_overdue_amount']),
  },
  lian3_lei6_24m: {
    description: '连三累六 in the last 24 months on either bureau report (1 = yes)',
    make: (plan) => maxOf(plan, ['bureau_ent_lian3_lei6', 'bureau_owner_lian3_lei6']),
  },
  industry: {
    description: 'GB/T 4754 industry code of the enterprise',
    make:
      () =>
      ({ app }) =>
        app.enterprise?.industry ?? null,
  },
  entity_type: {
    description: 'entity type of the enterprise',
    make:
      () =>
      ({ app }) =>
        app.enterprise?.entityType ?? null,
  },
  high_tech: {
    description: 'high-tech enterprise (高新技术企业)',
    make:
      () =>
      ({ app }) =>
        app.enterprise?.highTech ?? null,
  },
  request_amount: {
    description: 'requested guarantee amount, yuan',
    make:
      () =>
      ({ app }) =>
        (app.request as Application['request'] | undefined)?.amount ?? null,
  },
  request_to_programme_cap: {
    description: "requested amount over the programme's per-borrower cap",
    make:
      () =>
      ({ app, programme }) => {
        const amount = (app.request as Application['request'] | undefined)?.amount;
        if (amount === undefined || programme === null || programme.perBorrowerCap === 0) return null;
        return amount / programme.perBorrowerCap;
      },
  },
  programme_known: {
    description: 'the programme the request names is one of the release (true when it names none)',
    make:
      () =>
      ({ programme }) =>
        programme !== null,
  },
};

/** A compiled knock-out rule: the rule and the getters of its inputs. */
export interface CompiledRule {
  readonly rule: PolicyRule;
  readonly value: Getter;
  readonly also: Getter | null;
}

function getterOf(plan: FeaturePlan, input: string, where: string): Getter {
  const derived = DERIVED_INPUTS[input];
  if (derived !== undefined) return derived.make(plan);
  const f = featureGetter(plan, input);
  if (f !== undefined) return f;
  throw new RiskError(
    'E_RELEASE_INVALID',
    `${where}: unknown input ${JSON.stringify(input)}; expected a catalog feature or one of ${Object.keys(DERIVED_INPUTS).join(', ')}`,
    { path: [where, 'input'], expected: 'a catalog feature or a derived admission input', received: input },
  );
}

/**
 * Compiles the release's knock-out rules against a feature plan: each input resolved once.
 * @throws E_RELEASE_INVALID naming the rule whose input is unknown
 */
export function compileRules(plan: FeaturePlan, rules: readonly PolicyRule[]): CompiledRule[] {
  return rules.map((rule) => ({
    rule,
    value: getterOf(plan, rule.input, `knockouts.${rule.id}`),
    also: rule.and === undefined ? null : getterOf(plan, rule.and.input, `knockouts.${rule.id}.and`),
  }));
}

/** Evaluates every rule: each is reported with its value and threshold, fired or not. */
export function evaluateRules(rules: readonly CompiledRule[], ctx: RuleContext): RuleResult[] {
  const out: RuleResult[] = new Array(rules.length);
  for (let i = 0; i < rules.length; i++) {
    const { rule, value: get, also } = rules[i] as CompiledRule;
    const value = get(ctx);
    let fired = compare(value, rule.operator, rule.threshold);
    let condition: RuleResult['condition'];
    if (also !== null && rule.and !== undefined) {
      const v = also(ctx);
      const holds = compare(v, rule.and.operator, rule.and.threshold);
      fired &&= holds;
      condition = {
        input: rule.and.input,
        value: v,
        operator: rule.and.operator,
        threshold: rule.and.threshold,
        holds,
      };
    }
    out[i] = {
      id: rule.id,
      label: rule.label,
      input: rule.input,
      value,
      operator: rule.operator,
      threshold: rule.threshold,
      action: rule.action,
      fired,
      source: rule.source,
      ...(condition === undefined ? {} : { condition }),
    };
  }
  return out;
}

/** The grade of a PD on the master scale: the first grade whose maxPd the PD does not exceed. */
export function gradeOf(policy: Policy, pd: number): RiskGrade {
  const scale = policy.masterScale;
  for (let i = 0; i < scale.length; i++) {
    const g = scale[i] as { grade: RiskGrade; maxPd: number };
    if (pd <= g.maxPd) return g.grade;
  }
  return (scale.at(-1) as { grade: RiskGrade }).grade;
}

/** Required sources the application lacks, in the policy's order. */
export function missingSources(policy: Policy, app: Application): SourceName[] {
  return policy.requiredSources.filter((s) => app[s] === undefined);
}

/**
 * The decision: a fired decline rule declines; otherwise a missing required source gives insufficient_data;
 * otherwise a fired refer rule or a PD in the refer band refers; a PD above the refer band declines.
 */
export function decide(
  policy: Policy,
  rules: readonly RuleResult[],
  missing: readonly string[],
  pd: number,
): Decision {
  let refer = false;
  for (const r of rules) {
    if (!r.fired) continue;
    if (r.action === 'decline') return 'decline';
    if (r.action === 'refer') refer = true;
  }
  if (missing.length > 0) return 'insufficient_data';
  if (pd > policy.cutoffs.referMaxPd) return 'decline';
  if (refer || pd > policy.cutoffs.approveMaxPd) return 'refer';
  return 'approve';
}

/** The programme the request names, the default when it names none, null when it names an unknown one. */
export function programmeOf(policy: Policy, app: Application): Programme | null {
  const id = (app.request as Application['request'] | undefined)?.programme ?? policy.defaultProgramme;
  return policy.programmes.find((p) => p.id === id) ?? null;
}
