import { z } from 'zod';
import { RULE_OPERATORS, type RuleOperator } from './assessment.js';
import type { BehaviourMetrics } from './behaviour.js';
import { type SignalRule, WARNING_LEVELS } from './warning-policy.js';

const scalar = z.union([z.number(), z.string(), z.boolean(), z.null()]);

/** One rule signal as evaluated at a month-end: its input value, threshold, and whether it fired. */
export const signalResultSchema = z
  .object({
    id: z.string(),
    label: z.object({ zh: z.string(), en: z.string() }).strict(),
    input: z.string(),
    value: scalar,
    operator: z.enum(RULE_OPERATORS),
    threshold: z.union([z.number(), z.string(), z.boolean()]),
    /** The second condition's input and value, when the rule has one. */
    also: z.object({ input: z.string(), value: scalar, threshold: z.number() }).strict().nullable(),
    level: z.enum(WARNING_LEVELS),
    fired: z.boolean(),
    /** Where the rule comes from, e.g. "domain.md §5.1". */
    source: z.string(),
  })
  .strict();
/** One rule signal as evaluated. */
export type SignalResult = z.infer<typeof signalResultSchema>;

type Value = number | string | boolean | null;

/** Whether `value operator threshold` holds; a missing value never fires (a source absent is not a signal). */
export function compare(value: Value, operator: RuleOperator, threshold: number | string | boolean): boolean {
  if (value === null) return false;
  switch (operator) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
    case '==':
      return value === threshold;
    case '!=':
      return value !== threshold;
    case 'in':
    case 'not_in': {
      const set = String(threshold).split(',');
      return set.includes(String(value)) === (operator === 'in');
    }
    case 'prefix_in':
      return String(threshold)
        .split(',')
        .some((p) => String(value).startsWith(p));
  }
}

/**
 * Evaluates the rule signals on a loan's metrics at one month-end: every rule is reported, fired or not.
 * @example evaluateSignals(DEFAULT_SIGNALS, behaviourMetrics(series, t)).filter((s) => s.fired)
 */
export function evaluateSignals(rules: readonly SignalRule[], metrics: BehaviourMetrics): SignalResult[] {
  const read = (input: string): Value => {
    const v = (metrics as unknown as Record<string, Value | undefined>)[input];
    return v === undefined ? null : v;
  };
  return rules.map((rule) => {
    const value = read(rule.input);
    const also =
      rule.and === undefined
        ? null
        : { input: rule.and.input, value: read(rule.and.input), threshold: rule.and.threshold };
    const fired =
      compare(value, rule.operator, rule.threshold) &&
      (rule.and === undefined || compare(also?.value ?? null, rule.and.operator, rule.and.threshold));
    return {
      id: rule.id,
      label: rule.label,
      input: rule.input,
      value,
      operator: rule.operator,
      threshold: rule.threshold,
      also,
      level: rule.level,
      fired,
      source: rule.source,
    };
  });
}
